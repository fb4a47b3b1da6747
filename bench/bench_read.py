"""Read a 1,000,000-row English Google Ads search-terms report: read_report vs. plain pandas.

Prints, in one run and each in a fresh process (best of three; time of the call only, peak RSS of
the process): `pandas.read_csv(engine="pyarrow")` on the same file without any cleaning (the
floor: title and date lines skipped, nothing else), `load_raw` (decode + split into string
cells), and `read_report` (everything: totals, numbers, match types, keyword syntax, the
canonical table). Target: read_report < 2x the plain read.

Run: `python bench/bench_read.py` (rows: `$AUDITOR_BENCH_ROWS`, default 1,000,000).
"""

from __future__ import annotations

from pathlib import Path

from common import bench_rows, measure, print_table
from largegen import make_large_report

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


def main() -> None:
    rows = bench_rows()
    path = make_large_report(rows=rows)
    size_mb = path.stat().st_size / 2**20
    steps = (
        ("pandas.read_csv(engine='pyarrow')", plain_read),
        ("load_raw (every column as strings)", raw_read),
        ("read_report (canonical table)", full_read),
    )
    runs: dict[str, list[tuple[float, float]]] = {name: [] for name, _ in steps}
    for _ in range(REPEAT):
        for name, fn in steps:
            runs[name].append(measure(fn, path))
    results = [
        [name, round(min(r[0] for r in got), 3), round(max(r[1] for r in got))]
        for name, got in runs.items()
    ]
    ratio = results[2][1] / results[0][1]
    print_table(
        ["step", "seconds", "peak MB"],
        results,
        title=f"Reading {rows:,} rows ({size_mb:,.0f} MB, {path.name})",
    )
    verdict = "meets" if ratio < 2 else "MISSES"
    print(f"read_report / plain read = {ratio:.2f}x ({verdict} the < 2x target)")


if __name__ == "__main__":
    main()
