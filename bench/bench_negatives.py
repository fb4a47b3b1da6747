"""Negative-keyword benchmarks, printed in one run (`python bench/bench_negatives.py`).

1. N-gram table (1-3 words) on the 1M-row report beside one plain pandas groupby-sum of the
   same metrics by search term over the same rows (target: at most 3x).
2. Fuzzy clustering of 200,000 unique non-converting queries (`largegen.make_queries`):
   time and peak memory, measured in a fresh child process (target: < 8 s, < 1 GB).
3. Recall of the candidate blocks on a 20,000-query sample: the share of the pairs an exact
   all-pairs run finds at the same cutoff that the fast path finds too (target >= 90%).
4. For scale: proposing negatives on the 1M-row report (context already read), and one
   safety check per edited proposal on 100,000 rows (target < 50 ms).

Options: `--rows N` (report size), `--kind small|longtail` (the report's vocabulary, both by
default; the long-tail account with its keyword report), `--queries N` (clustering size),
`--sample N`.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import pandas as pd
from largegen import KINDS, make_keyword_report, make_large_report, make_queries

from auditor.config import Settings
from auditor.inputs import build_context
from auditor.model import NegativeProposal
from auditor.negatives import propose_negatives
from auditor.negatives.clustering import CUTOFF, candidate_pairs, exact_pairs, star_clusters
from auditor.negatives.safety import check_proposal
from auditor.terms.ngrams import METRICS, ngram_table


def _best(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def _rss_mb(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field):
            return int(line.split()[1]) / 1024
    return float("nan")


def _cluster_child(n: int, out: mp.Queue) -> None:
    import numpy as np

    queries = make_queries(n)
    base = _rss_mb("VmRSS:")
    start = time.perf_counter()
    pairs = candidate_pairs(queries, CUTOFF)
    labels = star_clusters(len(queries), pairs, -np.arange(len(queries), dtype=float))
    elapsed = time.perf_counter() - start
    sizes = np.bincount(labels)
    out.put((elapsed, base, _rss_mb("VmHWM:"), len(pairs), int(sizes.max()), len(set(labels))))


def bench_ngrams(rows: int, kind: str = "small") -> None:
    keywords = (make_keyword_report(rows),) if kind == "longtail" else ()
    path = make_large_report(rows=rows, kind=kind)
    ctx = build_context([path], Settings(keywords=keywords))
    table = ctx.table
    print(f"report: {path.name} ({kind})")
    metrics = list(METRICS)
    plain = _best(lambda: table.groupby("search_term", sort=False)[metrics].sum())
    grams = _best(lambda: ngram_table(table))
    print(f"n-grams on {len(table):,} rows: {grams:.2f} s")
    print(f"plain groupby-sum by search term, same rows: {plain:.2f} s")
    print(f"ratio: {grams / plain:.1f}x (target <= 3x)")
    start = time.perf_counter()
    outcome = propose_negatives(ctx)
    took = time.perf_counter() - start
    print(
        f"propose_negatives on {len(table):,} rows: {took:.1f} s,"
        f" {len(outcome.proposals)} proposals, {len(outcome.held_back)} held back"
    )
    bench_safety(table.iloc[:100_000].copy(), ctx.keywords, outcome.proposals)


def bench_safety(
    table: pd.DataFrame, keywords: pd.DataFrame, proposals: list[NegativeProposal]
) -> None:
    """One safety check per edit, as the review app runs it (median of 30, index built)."""
    if not proposals:
        return
    check_proposal(proposals[0], table, keywords, Settings())
    times = []
    for i in range(30):
        start = time.perf_counter()
        check_proposal(proposals[i % len(proposals)], table, keywords, Settings())
        times.append(time.perf_counter() - start)
    times.sort()
    print(
        f"safety check of one proposal on {len(table):,} rows: {times[15] * 1000:.1f} ms"
        f" median, {times[-1] * 1000:.1f} ms worst (target < 50 ms)"
    )


def bench_clustering(n: int) -> None:
    ctx = mp.get_context("spawn")
    queue: mp.Queue = ctx.Queue()
    child = ctx.Process(target=_cluster_child, args=(n, queue))
    child.start()
    elapsed, base, peak, pairs, largest, clusters = queue.get()
    child.join()
    print(
        f"clustering {n:,} queries (cutoff {CUTOFF:g}): {elapsed:.2f} s (target < 8 s);"
        f" peak RSS {peak:.0f} MB, {peak - base:.0f} MB above the queries (target < 1 GB);"
        f" {pairs:,} linked pairs, {clusters:,} clusters, largest {largest}"
    )


def bench_recall(n: int) -> None:
    queries = make_queries(n)
    start = time.perf_counter()
    exact = {tuple(p) for p in exact_pairs(queries, CUTOFF).tolist()}
    exact_time = time.perf_counter() - start
    start = time.perf_counter()
    fast = {tuple(p) for p in candidate_pairs(queries, CUTOFF).tolist()}
    fast_time = time.perf_counter() - start
    recall = len(fast & exact) / len(exact) if exact else 1.0
    print(
        f"recall on {n:,} queries: {recall:.1%} of {len(exact):,} all-pairs links"
        f" (target >= 90%); all-pairs {exact_time:.1f} s, candidate blocks {fast_time:.2f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--kind", choices=KINDS, action="append", help="default: both")
    parser.add_argument("--queries", type=int, default=200_000)
    parser.add_argument("--sample", type=int, default=20_000)
    args = parser.parse_args()
    for kind in args.kind or KINDS:
        bench_ngrams(args.rows, kind)
    bench_clustering(args.queries)
    bench_recall(args.sample)


if __name__ == "__main__":
    main()
