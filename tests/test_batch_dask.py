"""Agency batches on Dask: the same files as one after another, failures per account, no Dask."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from auditor import parallel
from auditor.cli import main
from auditor.errors import EXIT_BAD_CONFIG, EXIT_BAD_INPUT, EXIT_OK
from auditor.progress import Progress

SAMPLES = Path(__file__).resolve().parents[1] / "sample_reports"
API_DUMP = SAMPLES / "google-ads-api-search-terms.csv"
TIMING = ("seconds", "peak_memory_mb")


def _accounts(root: Path, count: int) -> Path:
    """`count` accounts cut from the sample API dump (every count-th row each), one broken."""
    header, *rows = API_DUMP.read_text(encoding="utf-8").splitlines(keepends=True)
    for k in range(count - 1):
        folder = root / f"client-{k:02d}"
        folder.mkdir(parents=True)
        (folder / "search-terms.csv").write_text(header + "".join(rows[k::count]), "utf-8")
    broken = root / f"client-{count - 1:02d}"
    broken.mkdir()
    (broken / "search-terms.csv").write_bytes(b"\x00\x01 not a report")
    return root


def _files(out: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(out)): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and p.parent != out
    }


def _index(out: Path) -> list[dict[str, object]]:
    rows = json.loads((out / "accounts.json").read_text(encoding="utf-8"))
    return [{k: v for k, v in row.items() if k not in TIMING} for row in rows]


def test_twelve_accounts_on_a_local_cluster_equal_the_sequential_run(
    tmp_path: Path, capsys
) -> None:
    distributed = pytest.importorskip("distributed")
    accounts = _accounts(tmp_path / "accounts", 12)
    out = tmp_path / "results"
    assert main(["audit", str(accounts), "--out-dir", str(out), "--workers", "1"]) == EXIT_BAD_INPUT
    sequential_out = capsys.readouterr().out
    sequential, sequential_index = _files(out), _index(out)
    shutil.rmtree(out)
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0"
        ) as cluster,
        distributed.Client(cluster) as client,
        distributed.get_task_stream(client=client) as stream,
    ):
        address = cluster.scheduler_address
        code = main(["audit", str(accounts), "--out-dir", str(out), "--scheduler", address])
    printed = capsys.readouterr()
    assert code == EXIT_BAD_INPUT, "the broken account is reported in the exit code"
    assert len(sequential) == 33, "11 accounts x (audit.json, findings.csv, negatives.csv)"
    assert _files(out) == sequential
    assert _index(out) == sequential_index
    assert printed.out == sequential_out, "the accounts are printed in their order"
    assert "client-11" in printed.err and "binary" in printed.err
    index = json.loads((out / "accounts.json").read_text(encoding="utf-8"))
    assert [row["account"] for row in index] == [f"client-{k:02d}" for k in range(12)]
    assert "error" in index[11] and "error" not in index[0]
    assert all(row["seconds"] > 0 and row["peak_memory_mb"] > 50 for row in index[:11])
    tasks = [t for t in stream.data if str(t["key"]).startswith("measured")]
    assert len(tasks) == 12, "one task per account ran on the cluster"
    assert len({t["worker"] for t in tasks}) == 2, "both workers took accounts"


def test_python_m_auditor_cli_runs_the_batch_on_worker_processes(tmp_path: Path) -> None:
    """As HELPERS and the README run it: `python -m auditor.cli` (the CLI is `__main__`, which
    worker processes cannot import) on a local cluster of 2 processes."""
    pytest.importorskip("distributed")
    accounts = _accounts(tmp_path / "accounts", 3)
    out = tmp_path / "results"
    command = [sys.executable, "-m", "auditor.cli", "audit", str(accounts), "--out-dir", str(out)]
    done = subprocess.run([*command, "--workers", "2"], capture_output=True, text=True)
    assert done.returncode == EXIT_BAD_INPUT, done.stderr
    assert "internal error" not in done.stderr
    index = json.loads((out / "accounts.json").read_text(encoding="utf-8"))
    assert [("error" in row) for row in index] == [False, False, True]
    assert (out / "client-01" / "negatives.csv").exists()


def _fails_on_three(n: int) -> int:
    if n == 3:
        raise ValueError("account three is broken")
    return n * n


def test_a_task_that_raises_is_reported_and_the_others_go_on() -> None:
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0"
    ) as cluster:
        found = dict(
            parallel.run_each(
                _fails_on_three, [1, 2, 3, 4], workers=2, scheduler=cluster.scheduler_address
            )
        )
    assert [found[i].value for i in (0, 1, 3)] == [1, 4, 16]
    assert found[2].value is None
    assert found[2].error == "internal error: ValueError: account three is broken"


def test_an_account_whose_worker_dies_is_reported_and_the_others_go_on() -> None:
    """`kill -9` of the worker process (as the kernel's out-of-memory killer would). Dask tries
    the task again on a fresh worker (`allowed-failures` times, 1 here to keep the test short);
    with one task per worker at a time (as `auditor.parallel` sets up), the next account is not
    counted as killed with it."""
    distributed = pytest.importorskip("distributed")
    dask = pytest.importorskip("dask")
    commands = ["true", "kill -9 $PPID", "true"]
    with (
        dask.config.set(
            {
                "distributed.scheduler.allowed-failures": 1,
                "distributed.scheduler.worker-saturation": 1.0,
            }
        ),
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as cluster,
    ):
        found = dict(
            parallel.run_each(os.system, commands, workers=1, scheduler=cluster.scheduler_address)
        )
    assert found[0].value == 0 and found[2].value == 0
    assert found[1].value is None and found[1].error.startswith("worker failed: KilledWorker")


def test_without_dask_the_batch_runs_one_after_another(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)
    accounts = _accounts(tmp_path / "accounts", 3)
    code = main(["audit", str(accounts), "--out-dir", str(tmp_path / "o"), "--workers", "2"])
    out = capsys.readouterr().out
    assert code == EXIT_BAD_INPUT
    assert "needs Dask (pip install 'auditor[agency]')" in out
    assert (tmp_path / "o" / "client-01" / "audit.json").exists()
    code = main(
        [
            "audit",
            str(accounts),
            "--out-dir",
            str(tmp_path / "p"),
            "--scheduler",
            "tcp://127.0.0.1:1",
        ]
    )
    err = capsys.readouterr().err
    assert code == EXIT_BAD_CONFIG
    assert err.strip() == "auditor: error: --scheduler needs Dask: pip install 'auditor[agency]'"


def test_workers_without_out_dir_are_refused(capsys) -> None:
    assert main(["audit", str(API_DUMP), "--workers", "2"]) == EXIT_BAD_CONFIG
    assert "--out-dir" in capsys.readouterr().err


def test_one_account_runs_here_without_a_cluster(tmp_path: Path) -> None:
    accounts = tmp_path / "accounts"
    (accounts / "solo").mkdir(parents=True)
    shutil.copy(API_DUMP, accounts / "solo")
    assert (
        main(["audit", str(accounts), "--out-dir", str(tmp_path / "o"), "--workers", "4"])
        == EXIT_OK
    )
    row = json.loads((tmp_path / "o" / "accounts.json").read_text(encoding="utf-8"))[0]
    assert row["account"] == "solo" and row["seconds"] > 0


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_progress_bar_counts_accounts_on_a_terminal_only() -> None:
    screen = _Terminal()
    bar = Progress(4, "audit", stream=screen)
    bar.step("client-00")
    bar.step("client-01")
    assert bar.line() == "audit [############............] 2/4"
    assert screen.getvalue().endswith("audit [############............] 2/4 client-01")
    piped = io.StringIO()
    quiet = Progress(4, "audit", stream=piped)
    quiet.step("client-00")
    quiet.close()
    assert piped.getvalue() == ""
