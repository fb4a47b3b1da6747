"""Read a 1,000,000-row English Google Ads search-terms report: read_report vs. plain pandas.

Prints, in one run and each in a fresh process (best of three; time of the call only, peak RSS of
the process): `pandas.read_csv(engine="pyarrow")` on the same file without any cleaning (the
floor: title and date lines skipped, nothing else), `load_raw` (decode + split into string
cells), and `read_report` (everything: totals, numbers, match types, keyword syntax, the
canonical table). Target: read_report < 2x the plain read.

Run: `python bench/bench_read.py [--kind small|longtail]` (rows: `$AUDITOR_BENCH_ROWS`, default
1,000,000; both kinds by default; `longtail` also reads its keyword report, as the audit does).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from common import bench_rows, measure, print_table
from largegen import KINDS, make_keyword_report, make_large_report

REPEAT = 3
"""Each step runs this many times, each in a fresh process, the steps taking turns so that a
busy moment of the (shared) machine hits them alike; the best time is printed, the worst peak
memory."""


def plain_read(path: Path) -> int:
    import pandas as pd

    frame = pd.read_csv(path, engine="pyarrow", skiprows=2)
    return len(frame)


def raw_read(path: Path) -> int:
    from auditor.readers.tabular import load_raw

    return len(load_raw(path).rows)


def full_read(path: Path) -> int:
    from auditor.readers import read_report

    report = read_report(path)
    return len(report.table)


def bench(kind: str, rows: int) -> None:
    path = make_large_report(rows=rows, kind=kind)
    files = [path]
    if kind == "longtail":
        files.append(make_keyword_report(rows))
    size_mb = sum(f.stat().st_size for f in files) / 2**20
    steps = (
        ("pandas.read_csv(engine='pyarrow')", plain_read),
        ("load_raw (every column as strings)", raw_read),
        ("read_report (canonical table)", full_read),
    )
    runs: dict[str, list[tuple[float, float]]] = {name: [] for name, _ in steps}
    for _ in range(REPEAT):
        for name, fn in steps:
            got = [measure(fn, f) for f in files]
            runs[name].append((sum(t for t, _ in got), max(m for _, m in got)))
    results = [
        [name, round(min(r[0] for r in got), 3), round(max(r[1] for r in got))]
        for name, got in runs.items()
    ]
    ratio = results[2][1] / results[0][1]
    names = " + ".join(f.name for f in files)
    print_table(
        ["step", "seconds", "peak MB"],
        results,
        title=f"Reading {rows:,} rows, {kind} ({size_mb:,.0f} MB, {names})",
    )
    verdict = "meets" if ratio < 2 else "MISSES"
    print(f"read_report / plain read = {ratio:.2f}x ({verdict} the < 2x target)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kind", choices=KINDS, action="append", help="default: both")
    args = parser.parse_args()
    for kind in args.kind or KINDS:
        bench(kind, bench_rows())


if __name__ == "__main__":
    main()
