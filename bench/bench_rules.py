"""Time of the default rule pack on the 1M-row report, beside one plain pandas groupby-sum.

    python bench/bench_rules.py [ROWS] [--kind small|longtail]

Reads the report once (not timed), then prints, from the same run: one
`table.groupby(["campaign", "ad_group", "search_term"], sort=False)[metrics].sum()`, and
`run_rules` with the default packs (every rule, levels, statistics, messages), each the best of
3 runs. Target: the whole pack within 3 s on a 2-core machine. Both report kinds by default;
the long-tail account is read with its keyword report (the keyword checks read it).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from largegen import KINDS, make_keyword_report, make_large_report

from auditor.config import Settings
from auditor.engine.run import run_rules
from auditor.inputs import build_context

METRICS = ["cost", "clicks", "impressions", "conversions", "conversion_value"]


def best_of(fn, runs: int = 3) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def bench(kind: str, rows: int) -> None:
    path = make_large_report(rows=rows, kind=kind)
    keywords = (make_keyword_report(rows),) if kind == "longtail" else ()
    start = time.perf_counter()
    ctx = build_context([path], Settings(margin=0.4, brand=("salomon",), keywords=keywords))
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rows", type=int, nargs="?", default=1_000_000)
    parser.add_argument("--kind", choices=KINDS, action="append", help="default: both")
    args = parser.parse_args()
    for kind in args.kind or KINDS:
        bench(kind, args.rows)


if __name__ == "__main__":
    main()
