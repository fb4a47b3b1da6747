"""Run every `bench/bench_*.py` in sequence and say which failed.

    python bench/run_all.py                 # the 1M-row benches, as the issues ask
    python bench/run_all.py --rows 100000   # a quick smoke run on a smaller report
    python bench/run_all.py clustering      # only the benches whose name contains a word

Each bench runs in its own process, from the repository root, with `bench/` and the root on
PYTHONPATH (so both `from common import measure` and `from bench.common import measure`
work). The large report is generated once and cached in `bench/out/` (git-ignored) before the
first bench runs. Benches print their own figures; this script adds the wall time of each and
exits non-zero when any bench failed. The machine has 2 cores: run it once, not in a loop.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

from common import DEFAULT_ROWS, ROWS_ENV, print_table
from largegen import make_large_report

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent


def find_benches(words: list[str]) -> list[Path]:
    found = sorted(BENCH_DIR.glob("bench_*.py"))
    return [p for p in found if not words or any(w in p.stem for w in words)]


def run_one(path: Path, env: dict[str, str]) -> tuple[int, float]:
    print(f"=== {path.name} ===", flush=True)
    began = time.perf_counter()
    code = subprocess.call([sys.executable, str(path)], cwd=ROOT, env=env)
    return code, time.perf_counter() - began


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("words", nargs="*", help="run only benches whose name contains one")
    parser.add_argument("--rows", type=int, default=DEFAULT_ROWS, help="rows of the report")
    args = parser.parse_args(argv)
    benches = find_benches(args.words)
    if not benches:
        print("no bench/bench_*.py matched", file=sys.stderr)
        return 2
    began = time.perf_counter()
    path = make_large_report(rows=args.rows)
    print(f"large report: {path} ({time.perf_counter() - began:.1f} s)\n", flush=True)
    env = dict(os.environ)
    env[ROWS_ENV] = str(args.rows)
    paths = [str(BENCH_DIR), str(ROOT), env.get("PYTHONPATH", "")]
    env["PYTHONPATH"] = os.pathsep.join(p for p in paths if p)
    results = [(p.name, *run_one(p, env)) for p in benches]
    print()
    rows = [[name, "ok" if code == 0 else f"FAILED ({code})", sec] for name, code, sec in results]
    print_table(["bench", "status", "wall s"], rows, title=f"bench/run_all.py, {args.rows:,} rows")
    return 0 if all(code == 0 for _, code, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main())
