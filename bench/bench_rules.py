"""Time of the default rule pack on the 1M-row report, beside one plain pandas groupby-sum.

    python bench/bench_rules.py [ROWS]

Reads the report once (not timed), then prints, from the same run: one
`table.groupby(["campaign", "ad_group", "search_term"], sort=False)[metrics].sum()`, and
`run_rules` with the default packs (every rule, levels, statistics, messages), each the best of
3 runs. Target: the whole pack within 3 s on a 2-core machine.
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from largegen import make_large_report

from auditor.audit import build_context
from auditor.config import Settings
from auditor.engine import run_rules

METRICS = ["cost", "clicks", "impressions", "conversions", "conversion_value"]


def best_of(fn, runs: int = 3) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    path = make_large_report(rows=rows)
    start = time.perf_counter()
    ctx = build_context([path], Settings(margin=0.4, brand=("salomon",)))
    read = time.perf_counter() - start
    print(f"report: {path.name}, {len(ctx.table):,} rows (read in {read:.2f} s)")
    keys = ["campaign", "ad_group", "search_term"]
    t_group, grouped = best_of(lambda: ctx.table.groupby(keys, sort=False)[METRICS].sum())
    print(f"pandas groupby-sum by {'/'.join(keys)} ({len(grouped):,} groups): {t_group:.2f} s")
    t_rules, outcome = best_of(lambda: run_rules(ctx))
    counts = Counter(f.rule for f in outcome.findings)
    print(f"default rule pack (run_rules): {t_rules:.2f} s = {t_rules / t_group:.1f}x the groupby")
    print(
        f"  findings {len(outcome.findings):,}: "
        + ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
    )
    for skipped in outcome.checks_skipped:
        print(f"  not run: {skipped['rule']}: {skipped['reason']}")
    print(f"target 3 s: {'met' if t_rules <= 3.0 else 'MISSED'}")


if __name__ == "__main__":
    main()
