"""The stage timer: `auditor audit --profile` / `AUDITOR_PROFILE=1`, and `auditor.profile`."""

from __future__ import annotations

import resource
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from auditor import memory
from auditor.cli import main
from auditor.errors import EXIT_BAD_INPUT, EXIT_OK
from auditor.profile import STAGES, profiling, stage
from auditor.side import ENV

SAMPLES = Path(__file__).resolve().parents[1] / "sample_reports"
REPORT = SAMPLES / "google-ads-search-terms-en.csv"
KEYWORDS = SAMPLES / "google-ads-keywords-en.csv"


def _stages(err: str) -> dict[str, list[str]]:
    lines = err.split("auditor: profile", 1)[1].splitlines()[2:]
    return {line.split()[0]: line.split()[1:] for line in lines if line.strip()}


def test_profile_flag_prints_every_stage_to_stderr_not_stdout(
    tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV, "1")
    out = tmp_path / "audit.json"
    code = main(
        ["audit", str(REPORT), "--keywords", str(KEYWORDS), "--json", str(out), "--profile"]
    )
    printed = capsys.readouterr()
    assert code == EXIT_OK
    assert "auditor: profile" not in printed.out
    found = _stages(printed.err)
    assert set(STAGES) - {"tracking"} <= set(found), found
    assert int(found["safety"][1].replace(",", "")) > 1, "one check per proposal"
    parts = [float(v[0]) for k, v in found.items() if k != "total"]
    assert float(found["total"][0]) >= sum(parts) - 0.005 * len(parts), "one thread, 0.01 s"
    assert float(found["total"][1].replace(",", "")) > 50, "peak memory in MB"


def test_environment_variable_turns_it_on(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.setenv("AUDITOR_PROFILE", "1")
    assert main(["audit", str(REPORT), "--top", "0"]) == EXIT_OK
    assert "n-grams" in _stages(capsys.readouterr().err)
    monkeypatch.setenv("AUDITOR_PROFILE", "0")
    assert main(["audit", str(REPORT), "--top", "0"]) == EXIT_OK
    assert "auditor: profile" not in capsys.readouterr().err


def test_a_failed_audit_still_prints_what_it_measured(tmp_path: Path, capsys) -> None:
    code = main(["audit", str(tmp_path / "missing.csv"), "--profile"])
    err = capsys.readouterr().err
    assert code == EXIT_BAD_INPUT
    assert "auditor: error" in err and "total" in _stages(err)


def test_nested_stages_count_their_own_time_and_add_up_calls() -> None:
    with profiling() as profile, stage("proposals"):
        time.sleep(0.03)
        for _ in range(3):
            with stage("safety"):
                time.sleep(0.02)
    proposals, safety = profile.stages["proposals"], profile.stages["safety"]
    assert safety.calls == 3 and proposals.calls == 1
    assert safety.seconds >= 0.06
    assert 0.03 <= proposals.seconds < 0.09, "the nested safety time is not counted twice"
    assert proposals.peak_mb >= safety.peak_mb > 10
    assert profile.total_seconds >= proposals.seconds + safety.seconds


def test_without_profiling_a_stage_records_nothing() -> None:
    with profiling() as profile:
        pass
    with stage("rules"):
        pass
    assert profile.stages == {}


def _written_block(size: int) -> pa.Buffer:
    """`size` bytes from arrow's pool, every page written."""
    block = pa.allocate_buffer(size)
    np.frombuffer(block, dtype=np.uint8)[:] = 1
    return block


@pytest.mark.skipif(memory._libc() is None, reason="glibc's allocator only")
def test_a_freed_block_is_reused_without_faulting_its_pages_in_again() -> None:
    """Over glibc's largest dynamic threshold (32 MiB) a block would be mapped afresh, and
    each of its pages faulted in again (arrow's blocks get no huge pages)."""
    memory.use_system_allocator()
    size = 64 << 20
    for _ in range(3):
        _written_block(size)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    _written_block(size)
    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before
    assert faults < (size >> 12) // 10
