"""Fuzzy clusters of queries with candidate blocks, checked against an all-pairs run."""

from __future__ import annotations

import numpy as np

from auditor.negatives.clustering import (
    candidate_pairs,
    cluster_queries,
    components,
    exact_pairs,
    star_clusters,
)


def _queries(n: int, seed: int = 3) -> list[str]:
    """Product queries with typo variants (swapped, dropped and doubled letters)."""
    rng = np.random.default_rng(seed)
    heads = ["hiking boots", "rain jacket", "sleeping bag", "trail shoes", "down jacket"]
    tails = ["women", "men", "sale", "waterproof", "size 9", "near me", "cheap", "kids"]
    brands = ["scarpa", "salomon", "meindl", "keen", "osprey", "haglofs", "lowa"]
    out = set()
    while len(out) < n:
        words = [rng.choice(brands), rng.choice(heads), rng.choice(tails)]
        q = " ".join(words)
        out.add(q)
        i = int(rng.integers(0, len(q) - 1))
        kind = rng.integers(0, 3)
        if kind == 0:
            out.add(q[:i] + q[i + 1] + q[i] + q[i + 2 :])
        elif kind == 1:
            out.add(q[:i] + q[i + 1 :])
        else:
            out.add(q[:i] + q[i] + q[i:])
    return sorted(out)[:n]


def test_misspellings_join_their_query() -> None:
    queries = [
        "hiking boots jobs",
        "hikng boots jobs",
        "hiking boots jbos",
        "tent repair kit",
        "tent repiar kit",
        "down jacket",
    ]
    labels = cluster_queries(queries, priority=np.array([9, 1, 1, 5, 1, 3.0]))
    assert labels[0] == labels[1] == labels[2] == 0
    assert labels[3] == labels[4] == 3
    assert labels[5] == 5


def test_candidate_blocks_find_nearly_every_true_pair() -> None:
    queries = _queries(3000)
    exact = {tuple(p) for p in exact_pairs(queries).tolist()}
    found = {tuple(p) for p in candidate_pairs(queries).tolist()}
    assert found <= exact
    assert len(exact) > 100
    assert len(found & exact) / len(exact) >= 0.9


def test_star_clusters_do_not_chain() -> None:
    chain = np.array([[0, 1], [1, 2], [2, 3], [3, 4]])
    assert len(set(components(5, chain).tolist())) == 1
    star = star_clusters(5, chain, np.array([5.0, 4, 3, 2, 1]))
    assert star.tolist() == [0, 0, 1, 2, 3]


def test_small_blocks_scored_pair_by_pair_link_what_cdist_links(monkeypatch) -> None:
    import auditor.negatives.clustering as clustering

    queries = _queries(3000)
    fast = candidate_pairs(queries)
    monkeypatch.setattr(clustering, "SMALL_BLOCK", 0)
    assert candidate_pairs(queries).tolist() == fast.tolist()


def test_near_converting_scores_skip_only_lengths_that_cannot_reach_the_cutoff() -> None:
    from rapidfuzz import fuzz, process

    from auditor.negatives.candidates import NEAR_CONVERTING, _ratio_scores

    queries = _queries(1500, seed=9)
    rows, cols = queries[:400], [*queries[400:], "x", "hiking boots for the whole family"]
    full = process.cdist(
        rows, cols, scorer=fuzz.ratio, score_cutoff=NEAR_CONVERTING, dtype=np.uint8, workers=1
    )
    assert (_ratio_scores(rows, cols) == full).all()
