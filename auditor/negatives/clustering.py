"""Fuzzy clusters of queries: misspellings and variants of one query join one family.

Two queries are linked when `rapidfuzz.fuzz.ratio` (normalised Indel similarity, 0-100) of
their normalised texts reaches the cutoff (90 by default: at 85 clusters chain into thousands,
see `PERFORMANCE.md`). `cluster_queries` puts each query with its costliest linked neighbour
(`star_clusters`, one hop), because even at 90 the connected components of the links chain
(36k of 200k generated queries in one); `components` gives those components when wanted.

An all-pairs matrix of 200,000 queries needs 40 GB. Candidate generation instead compares
queries only inside small blocks where near-duplicates meet:
- sliding windows (200 wide, step 100) over the queries sorted by text, by reversed text and by
  their sorted words (a misspelling keeps either the start, the end or the word set close);
- the postings of every word held by 2 to `max_postings` queries (variants share rare words).
Each block is one `process.cdist` call; recall against an exact all-pairs run is measured in
`bench/bench_negatives.py`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from rapidfuzz import fuzz, process

from auditor.profile import stage
from auditor.terms.matching import normalize

CUTOFF = 90.0
WINDOW = 200
STEP = 100
MAX_POSTINGS = 200
SMALL_BLOCK = 8
"""A block of up to this many queries is scored pair by pair (`fuzz.ratio` with the same
cutoff links the same pairs) without the cost of a `cdist` call."""


def _window_pairs(
    strings: list[str], order: np.ndarray, window: int, step: int, cutoff: float
) -> Iterator[np.ndarray]:
    """The linked pairs of the sliding windows (`window` wide, every `step`) over `order`,
    plus one window at the end. Each pair of positions is scored once: the queries of each
    step-long stretch against themselves and what follows them inside the last window that
    starts at or before them (half the scores of a full window against itself)."""
    n = len(order)
    last = step * (max(n - window, 0) // step)
    end = min(last + window, n)
    ordered = [strings[i] for i in order.tolist()]
    for start in range(0, end, step):
        reach = min(min(start, last) + window, end)
        stop = min(start + step, reach)
        if stop > start:
            yield _stretch_pairs(ordered, order, (start, stop, reach), cutoff)
    if n > window and (n - window) % step:
        yield _stretch_pairs(ordered, order, (n - window, n, n), cutoff)


def _stretch_pairs(
    ordered: list[str], order: np.ndarray, span: tuple[int, int, int], cutoff: float
) -> np.ndarray:
    """Linked pairs (indices before `order`) of the sorted queries `start:stop` with the later
    ones of `start:reach` (`span`); `ordered` holds the queries in that order, so a block is
    two slices."""
    start, stop, reach = span
    scores = process.cdist(
        ordered[start:stop],
        ordered[start:reach],
        scorer=fuzz.ratio,
        score_cutoff=cutoff,
        dtype=np.uint8,
        workers=1,
    )
    a, b = np.nonzero(scores)
    later = b > a
    return np.column_stack([order[start + a[later]], order[start + b[later]]])


def _sort_orders(texts: pa.Array) -> list[np.ndarray]:
    """Query indices sorted by text, by reversed text and by sorted words."""
    plain = np.asarray(texts.to_pylist(), dtype=object)
    reversed_ = np.asarray(pc.utf8_reverse(texts).to_pylist(), dtype=object)
    words = [" ".join(sorted(t.split(" "))) for t in plain]
    return [np.argsort(keys, kind="stable") for keys in (plain, reversed_, words)]


def _posting_blocks(texts: pa.Array, max_postings: int) -> Iterator[np.ndarray]:
    """Index arrays of the queries sharing each word held by 2..max_postings queries."""
    lists = pc.split_pattern(texts, " ")
    parent = np.asarray(pc.list_parent_indices(lists), dtype=np.int64)
    codes = np.asarray(pc.dictionary_encode(pc.list_flatten(lists)).indices, dtype=np.int64)
    order = np.lexsort((parent, codes))
    codes, parent = codes[order], parent[order]
    keep = np.ones(len(codes), dtype=bool)
    keep[1:] = (codes[1:] != codes[:-1]) | (parent[1:] != parent[:-1])
    codes, parent = codes[keep], parent[keep]
    bounds = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1], True])
    sizes = np.diff(bounds)
    for i in np.flatnonzero((sizes >= 2) & (sizes <= max_postings)):
        yield parent[bounds[i] : bounds[i + 1]]


def _block_pairs(strings: list[str], idx: np.ndarray, cutoff: float) -> np.ndarray:
    """Linked pairs inside one block (global indices): of `idx` with the later ones of `idx`."""
    if len(idx) <= SMALL_BLOCK:
        items = idx.tolist()
        found = [
            (a, b)
            for i, a in enumerate(items)
            for b in items[i + 1 :]
            if fuzz.ratio(strings[a], strings[b], score_cutoff=cutoff)
        ]
        return np.array(found, dtype=np.int64).reshape(-1, 2)
    block = [strings[i] for i in idx]
    scores = process.cdist(
        block, list(block), scorer=fuzz.ratio, score_cutoff=cutoff, dtype=np.uint8, workers=1
    )
    a, b = np.nonzero(scores)
    later = b > a
    return np.column_stack([idx[a[later]], idx[b[later]]])


def candidate_pairs(
    queries: Sequence[str],
    cutoff: float = CUTOFF,
    *,
    window: int = WINDOW,
    step: int = STEP,
    max_postings: int = MAX_POSTINGS,
) -> np.ndarray:
    """Distinct pairs (i, j), i < j, of queries whose ratio reaches `cutoff`, from the blocks."""
    texts = normalize(list(queries))
    strings = texts.to_pylist()
    if len(strings) < 2:
        return np.empty((0, 2), dtype=np.int64)
    found = [np.empty((0, 2), dtype=np.int64)]
    for order in _sort_orders(texts):
        found.extend(_window_pairs(strings, order, window, step, cutoff))
    found.extend(_block_pairs(strings, b, cutoff) for b in _posting_blocks(texts, max_postings))
    pairs = np.concatenate(found)
    pairs = np.sort(pairs, axis=1)
    key = np.unique(pairs[:, 0] * np.int64(len(strings)) + pairs[:, 1])
    return np.column_stack([key // len(strings), key % len(strings)])


def exact_pairs(queries: Sequence[str], cutoff: float = CUTOFF, chunk: int = 2000) -> np.ndarray:
    """Every pair reaching `cutoff`, all against all in row chunks (for recall checks)."""
    strings = normalize(list(queries)).to_pylist()
    choices = list(strings)
    found = [np.empty((0, 2), dtype=np.int64)]
    for start in range(0, len(strings), chunk):
        scores = process.cdist(
            strings[start : start + chunk],
            choices,
            scorer=fuzz.ratio,
            score_cutoff=cutoff,
            dtype=np.uint8,
            workers=-1,
        )
        a, b = np.nonzero(scores)
        a = a + start
        keep = a < b
        found.append(np.column_stack([a[keep], b[keep]]))
    return np.concatenate(found)


def components(n: int, pairs: np.ndarray) -> np.ndarray:
    """Connected-component label (the smallest member index) of each of `n` items."""
    labels = np.arange(n, dtype=np.int64)
    if len(pairs) == 0:
        return labels
    a, b = pairs[:, 0], pairs[:, 1]
    while True:
        low = np.minimum(labels[a], labels[b])
        before = labels.copy()
        np.minimum.at(labels, a, low)
        np.minimum.at(labels, b, low)
        labels = labels[labels]
        if np.array_equal(labels, before):
            return labels


def star_clusters(n: int, pairs: np.ndarray, priority: np.ndarray) -> np.ndarray:
    """Label of each item: its linked neighbour of highest priority (itself if none is higher).

    Ties go to the earlier item.
    One hop only, so a chain `a~b~c~d` of near-duplicates does not become one family (connected
    components at cutoff 90 chained 36k of 200k generated queries into one).
    """
    label = np.arange(n, dtype=np.int64)
    if len(pairs) == 0:
        return label
    order = np.lexsort((label, -np.asarray(priority, dtype=np.float64)))
    priority = np.empty(n, dtype=np.int64)
    priority[order] = n - label
    best = priority.copy()
    a, b = pairs[:, 0], pairs[:, 1]
    both_a, both_b = np.concatenate([a, b]), np.concatenate([b, a])
    np.maximum.at(best, both_a, priority[both_b])
    winner = priority[both_b] == best[both_a]
    higher = winner & (priority[both_b] > priority[both_a])
    label[both_a[higher]] = both_b[higher]
    return label


@stage("clustering")
def cluster_queries(
    queries: Sequence[str], priority: np.ndarray | None = None, cutoff: float = CUTOFF
) -> np.ndarray:
    """Cluster label per query: each query joins its costliest near-duplicate (`priority`,
    e.g. cost; default: earlier queries first), see `star_clusters`."""
    n = len(queries)
    if priority is None:
        priority = -np.arange(n, dtype=np.float64)
    return star_clusters(n, candidate_pairs(queries, cutoff), np.asarray(priority, np.float64))
