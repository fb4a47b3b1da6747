"""An agency's batch: 200 generated accounts audited one after another vs on 2 Dask workers.

    python bench/bench_batch.py                      # 200 accounts of 3,000 rows each
    python bench/bench_batch.py --accounts 40 --rows 1000

Each account is a realistic English Google Ads search-terms download (`largegen.render_report`,
its own seed), cached in `bench/out/`. Each run is the real command in a fresh process,
`auditor audit ACCOUNTS --out-dir DIR --workers N`, timed from start to exit (so process
start-up, imports and the local cluster's start are counted). The two runs must write the same
files (accounts.json compared without its timing fields), or the bench fails.

The speed-up 2 workers can give depends on whether the machine has a spare core: a shared
machine's other load takes it. So the bench also times a fixed pure-Python loop in 1 process
and in 2 at once, before the batches: 2.0x is an idle 2-core machine, 1.0x no spare core.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from common import print_table
from largegen import OUT_DIR, VERSION, render_report

ROOT = Path(__file__).resolve().parents[1]
TIMING = ("seconds", "peak_memory_mb")


def make_accounts(count: int, rows: int) -> Path:
    """`count` account folders of one `rows`-row report each (written once, then reused)."""
    root = OUT_DIR / f"accounts-{count}x{rows}-v{VERSION}"
    for k in range(count):
        path = root / f"account-{k:03d}" / "search-terms.csv"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(render_report(rows, seed=1000 + k))
    return root


def run_batch(accounts: Path, out: Path, workers: int) -> float:
    """Seconds the whole command took."""
    shutil.rmtree(out, ignore_errors=True)
    path = os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])
    env = dict(os.environ, PYTHONPATH=path)
    command = [sys.executable, "-m", "auditor.cli", "audit", str(accounts), "--out-dir", str(out)]
    began = time.perf_counter()
    subprocess.run(
        [*command, "--workers", str(workers), "--top", "0"],
        check=True,
        stdout=subprocess.DEVNULL,
        cwd=ROOT,
        env=env,
    )
    return time.perf_counter() - began


def _spin(n: int) -> None:
    total = 0
    for i in range(n):
        total += i


def spare_cores(n: int = 20_000_000) -> float:
    """Work done per second by 2 processes at once over 1 process alone (1.0 to 2.0)."""
    ctx = mp.get_context("spawn")
    timings = []
    for count in (1, 2):
        procs = [ctx.Process(target=_spin, args=(n,)) for _ in range(count)]
        began = time.perf_counter()
        for proc in procs:
            proc.start()
        for proc in procs:
            proc.join()
        timings.append(time.perf_counter() - began)
    return 2 * timings[0] / timings[1]


def outputs(out: Path) -> tuple[dict[str, bytes], list[dict[str, object]], float, float]:
    """(files, index without timing, summed task seconds, largest task peak MB)."""
    files = {
        str(p.relative_to(out)): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and p.name != "accounts.json"
    }
    index = json.loads((out / "accounts.json").read_text(encoding="utf-8"))
    bare = [{k: v for k, v in row.items() if k not in TIMING} for row in index]
    task_seconds = sum(float(row["seconds"]) for row in index)
    peak = max(float(row["peak_memory_mb"] or 0) for row in index)
    return files, bare, task_seconds, peak


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=200)
    parser.add_argument("--rows", type=int, default=3000, help="search-term rows per account")
    args = parser.parse_args()
    accounts = make_accounts(args.accounts, args.rows)
    spare = spare_cores()
    results = {}
    out = OUT_DIR / "batch-results"
    for workers in (1, 2):
        seconds = run_batch(accounts, out, workers)
        results[workers] = (seconds, *outputs(out))
    if results[1][1:3] != results[2][1:3]:
        print("FAILED: the 2-worker run wrote different files from the sequential run")
        return 1
    rows = [
        [
            "sequential (--workers 1)" if w == 1 else "Dask, 2 workers (--workers 2)",
            round(s, 1),
            round(args.accounts / s, 2),
            round(task_s, 1),
            peak,
        ]
        for w, (s, _, _, task_s, peak) in results.items()
    ]
    print_table(
        ["run", "wall s", "accounts/s", "sum of task s", "largest task peak MB"],
        rows,
        title=f"{args.accounts} accounts x {args.rows:,} rows, same files written by both runs",
    )
    print(f"speed-up with 2 workers: {results[1][0] / results[2][0]:.2f}x")
    print(f"(2 processes at once did {spare:.2f}x the work of 1 on this machine just before)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
