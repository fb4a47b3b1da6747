"""Word n-grams of the search terms, with the spend and results of every term containing them.

Terms are normalised as the negative-match semantics compare them (`auditor.terms.matching`), so an
n-gram is exactly what a phrase negative of that text would block. Each n-gram is counted once
per distinct search term, even when the term repeats it (`new york new york`).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property, partial
from itertools import pairwise

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from auditor import schema
from auditor.memory import one_at_a_time
from auditor.profile import stage
from auditor.terms.matching import SplitTexts, in_sorted, normalize_one, split_texts, split_words

METRICS: tuple[str, ...] = ("cost", "clicks", "impressions", "conversions", "conversion_value")
COLUMNS: tuple[str, ...] = ("ngram", "n", *METRICS, "terms", "clicked_terms")
KEPT = 200_000
"""An audit's result keeps this many of its n-grams, the costliest (`costliest`): what the
N-gram explorer (`auditor.review.rows.NGRAM_CAP`) and the workbook's sheet
(`auditor.output.xlsx.NGRAM_ROWS`) show, not the 1.85M n-grams (166 MB) of a 1M-row long tail."""


def term_codes(
    table: pd.DataFrame, rows: np.ndarray | None = None
) -> tuple[SplitTexts, np.ndarray]:
    """The unique normalised terms split into words, and per row the index of its term among
    them (-1: none); of the given `rows` only, as if they were the table.

    The raw column is encoded first and only its distinct values are normalised and split
    (shared with the word index of the same column, `auditor.terms.matching.split_texts`).
    """
    codes, raw = schema.text_codes(table["search_term"])
    if rows is not None:
        codes, raw = _encoded_rows(codes[rows], raw)
    split = split_texts(raw)
    return split, np.where(codes >= 0, split.key[np.maximum(codes, 0)], -1)


def _encoded_rows(codes: np.ndarray, texts: pa.Array) -> tuple[np.ndarray, pa.Array]:
    """Some rows' codes into `texts` (-1: missing) numbered as `schema.text_codes` of those
    rows alone numbers them: their distinct texts in order of first appearance."""
    at = np.flatnonzero(codes >= 0)
    first = np.full(len(texts), len(codes), dtype=np.int64)
    np.minimum.at(first, codes[at], at)
    seen = np.flatnonzero(first < len(codes))
    order = seen[np.argsort(first[seen])]
    rank = np.full(len(texts), -1, dtype=np.int64)
    rank[order] = np.arange(len(order))
    return np.where(codes >= 0, rank[np.maximum(codes, 0)], -1), texts.take(pa.array(order))


def term_totals(
    table: pd.DataFrame, rows: np.ndarray | None = None
) -> tuple[SplitTexts, dict[str, np.ndarray]]:
    """The unique normalised terms (split into words) and their summed metrics (NaN sums where
    a metric is unknown), of the given `rows` only.

    Rows without a search term count nowhere.
    """
    split, codes = term_codes(table, rows)
    size = len(split.terms)
    valid = codes >= 0
    codes = codes[valid]
    sums: dict[str, np.ndarray] = {}
    for metric in METRICS:
        values = table[metric].to_numpy(dtype=np.float64, na_value=np.nan)
        sums[metric] = _sum_by(codes, (values if rows is None else values[rows])[valid], size)
    return split, sums


@dataclass(frozen=True)
class _Level:
    """The n-grams of one size: per start position its gram code (-1: none), how many grams
    there are, and per gram its head (a gram of the size below) and last word as
    `head * words + word` (none for single words)."""

    codes: np.ndarray
    size: int
    parts: np.ndarray | None = None


def _levels(split: SplitTexts, sizes: tuple[int, ...]) -> tuple[dict[int, _Level], np.ndarray]:
    """N-gram codes for each size, built from integer word codes (no text)."""
    words, parent, width = split.words, split.parent, len(split.vocab)
    total = len(words)
    levels = {1: _Level(words, width)}
    for n in range(2, max(sizes, default=1) + 1):
        prev = levels[n - 1]
        codes = np.full(total, -1, dtype=np.int32)
        uniques = np.zeros(0, dtype=np.int64)
        last = total - n + 1
        if last > 0:
            head_codes = prev.codes[:last]
            ok = (parent[:last] == parent[n - 1 :]) & (head_codes >= 0)
            pair = head_codes[ok].astype(np.int64)
            pair *= width
            pair += words[n - 1 :][ok]
            found, uniques = pd.factorize(pair)
            codes[:last][ok] = found
        levels[n] = _Level(codes, len(uniques), uniques)
    return levels, parent


def _texts(levels: dict[int, _Level], n: int, grams: np.ndarray, vocab: pa.Array) -> pa.Array:
    """The texts of the given grams of size `n`: their words joined by single spaces."""
    if n == 1:
        return vocab if len(grams) == len(vocab) else vocab.take(pa.array(grams))
    parts = [vocab.take(pa.array(w)) for w in _gram_words(levels, n, grams, len(vocab))]
    return pc.binary_join_element_wise(*parts, pa.scalar(" ", vocab.type))


def _gram_ids(parts: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Per key (a gram's `parts` value; -1: none), the gram holding it, else -1: the few keys
    are hashed and the grams' parts looked up in them, not the other way round."""
    wanted = pd.Index(pd.unique(keys[keys >= 0]))
    if not len(wanted):
        return np.full(len(keys), -1, dtype=np.int64)
    where = wanted.get_indexer(parts)
    gram = np.full(len(wanted), -1, dtype=np.int64)
    found = np.flatnonzero(where >= 0)
    gram[where[found]] = found
    at = wanted.get_indexer(keys)
    return np.where(at >= 0, gram[np.maximum(at, 0)], -1)


def _positions_of(
    texts: list[str], levels: dict[int, _Level], sizes: tuple[int, ...], vocab: pa.Array
) -> np.ndarray:
    """The rows of `ngram_table` whose n-gram is one of `texts` (exactly, as `isin` of the
    frame's texts finds them), found from word codes: no n-gram text is built."""
    pieces = [t.split(" ") for t in dict.fromkeys(texts)]
    pieces = [p for p in pieces if len(p) in levels and len(p) in sizes]
    flat = pa.array([w for p in pieces for w in p], pa.large_string())
    codes = pc.fill_null(pc.index_in(flat, value_set=vocab.cast(pa.large_string())), -1)
    codes = np.asarray(codes, dtype=np.int64)
    bounds = np.cumsum([0, *(len(p) for p in pieces)])
    ids = codes[bounds[:-1]] if pieces else np.zeros(0, dtype=np.int64)
    lengths = np.diff(bounds)
    for n in range(2, int(lengths.max(initial=1)) + 1):
        longer = np.flatnonzero((lengths >= n) & (ids >= 0))
        word = codes[bounds[longer] + n - 1]
        keys = np.where(word >= 0, ids[longer] * len(vocab) + word, -1)
        ids[longer] = _gram_ids(levels[n].parts, keys)
    offsets = np.cumsum([0, *(levels[n].size for n in sizes)])[:-1]
    starts = dict(zip(sizes, offsets.tolist(), strict=True))
    hit = np.flatnonzero(ids >= 0)
    return np.unique([starts[int(lengths[i])] + int(ids[i]) for i in hit]).astype(np.int64)


def _first_in_term(codes: np.ndarray, parent: np.ndarray, longest: int) -> np.ndarray:
    """False where the same gram already occurred earlier in the same term (`new york new
    york`): compares each position with the `longest` positions before it, no sorting."""
    first = codes >= 0
    for back in range(1, longest):
        same = (parent[back:] == parent[:-back]) & (codes[back:] == codes[:-back])
        first[back:] &= ~same
    return first


def _repeating_terms(words: np.ndarray, parent: np.ndarray, longest: int) -> np.ndarray:
    """Word positions of the terms that hold a word twice (only there can a gram repeat)."""
    first = _first_in_term(words, parent, longest)
    twice = np.zeros(int(parent.max()) + 1 if len(parent) else 0, dtype=bool)
    twice[parent[~first]] = True
    return np.flatnonzero(twice[parent])


def _nonzero_words(
    term_sums: np.ndarray, parent: np.ndarray
) -> tuple[np.ndarray, np.ndarray] | None:
    """Word positions whose term has a non-zero figure, and the figure; None when most do.

    Most search terms have no click and no conversion, so summing only over the others is
    several times faster for cost, clicks, conversions and value.
    """
    nonzero = term_sums != 0
    if nonzero.sum() * 2 > len(nonzero):
        return None
    pos = np.flatnonzero(nonzero[parent])
    return pos, term_sums[parent[pos]]


def _sum_by(codes: np.ndarray, values: np.ndarray, size: int) -> np.ndarray:
    """Sum of `values` per code; NaN where every value of a code is NaN (unknown)."""
    missing = np.isnan(values)
    if not missing.any():
        return np.bincount(codes, weights=values, minlength=size)
    total = np.bincount(codes, weights=np.where(missing, 0.0, values), minlength=size)
    known = np.bincount(codes, weights=~missing, minlength=size) > 0
    return np.where(known, total, np.nan)


Keep = Callable[[dict[str, np.ndarray], Callable[[list[str]], np.ndarray]], np.ndarray]
"""Chooses the rows of an n-gram table to build (`ngram_table`'s `keep`): given its columns
but the texts, and a function giving the rows of some n-gram texts, the rows (ascending)."""


@one_at_a_time
@stage("n-grams")
def ngram_table(
    table: pd.DataFrame,
    sizes: tuple[int, ...] = (1, 2, 3),
    *,
    rows: np.ndarray | None = None,
    keep: Keep | None = None,
) -> pd.DataFrame:
    """1..3-word n-grams with summed metrics and the number of distinct terms holding them;
    of the given `rows` only (the same table as of `table.iloc[rows]`, without copying it).

    Columns: ngram, n, cost, clicks, impressions, conversions, conversion_value, terms,
    clicked_terms (the terms with a click, as the n-gram rules count them); in no particular
    order (sort as you need). A metric the report lacks stays NaN. The counts (n, terms,
    clicked_terms) are int32.

    With `keep`, only the rows it chooses are built (the same rows as `.iloc[chosen]` of the
    whole table, index labels 0, 1, ...): the texts of the others are never made.
    """
    split, sums = term_totals(table, rows)
    levels, parent = _levels(split, sizes)
    columns = _counted(levels, parent, sums, sizes)
    holders: tuple | None = _holder_words(levels, sizes, columns["cost"], split.vocab)
    del parent, sums
    starts = np.cumsum([0, *(levels[n].size for n in sizes)])
    chosen = np.arange(starts[-1], dtype=np.int64)
    if keep is not None:
        find = partial(_positions_of, levels=levels, sizes=sizes, vocab=split.vocab)
        chosen = keep(columns, find)
        del find
        columns = {c: values[chosen] for c, values in columns.items()}
        holders = _moved(holders, chosen)
    texts = []
    for n, (low, high) in zip(sizes, pairwise(starts), strict=True):
        grams = chosen[np.searchsorted(chosen, low) : np.searchsorted(chosen, high)] - low
        texts.append(_texts(levels, n, grams, split.vocab))
    del levels  # the codes go before the texts are copied into one array
    data: dict[str, object] = {
        "ngram": pd.array(
            pa.concat_arrays(texts) if texts else pa.array([], pa.large_string()),
            dtype="string[pyarrow]",
        ),
        **columns,
    }
    frame = pd.DataFrame(data, copy=False)
    if holders is not None:
        key = id(frame)
        _HOLDERS[key] = (weakref.ref(frame, lambda _: _HOLDERS.pop(key, None)), holders)
    return frame


def _moved(holders: tuple, rows: np.ndarray) -> tuple | None:
    """The costly n-grams' word codes (`_holder_words`) for the table of `rows` (ascending) of
    theirs; None unless `rows` holds every one of them."""
    positions = holders[0]
    at = np.searchsorted(rows, positions)
    if len(positions) and (at[-1] >= len(rows) or not np.array_equal(rows[at], positions)):
        return None
    return (at, *holders[1:])


def _counted(
    levels: dict[int, _Level],
    parent: np.ndarray,
    sums: dict[str, np.ndarray],
    sizes: tuple[int, ...],
) -> dict[str, np.ndarray]:
    """The columns of `ngram_table` but its texts: per gram of each size in turn, its size,
    summed metrics, terms and clicked terms (the word-level arrays are freed on return)."""
    rows = sum(levels[n].size for n in sizes)
    columns = {
        c: np.empty(rows, dtype=np.float64 if c in METRICS else np.int32)
        for c in ("n", *METRICS, "terms", "clicked_terms")
    }
    longest = int(np.bincount(parent).max()) if len(parent) else 0
    complete = {m for m in METRICS if not np.isnan(sums[m]).any()}
    sparse = {m: _nonzero_words(sums[m], parent) for m in complete}
    sparse = {m: found for m, found in sparse.items() if found is not None}
    at_word = {m: sums[m][parent] for m in METRICS if m not in sparse}
    clicked_words = _nonzero_words(np.nan_to_num(sums["clicks"]) > 0, parent)
    repeating = _repeating_terms(levels[1].codes, parent, longest)
    # per word position, 1 + the code of the gram starting there (0: none); one buffer for
    # every level, whose sums go straight into their rows of the columns
    shifted = np.empty(len(parent), dtype=np.int64)
    start = 0
    for n in sizes:
        level = levels[n]
        np.add(level.codes, 1, out=shifted, dtype=np.int64)
        if len(repeating):
            first = _first_in_term(level.codes[repeating], parent[repeating], longest)
            shifted[repeating[~first]] = 0
        size = level.size
        at = slice(start, start + size)
        start += size
        columns["n"][at] = n
        for metric in METRICS:
            if metric in sparse:
                pos, values = sparse[metric]
                total = np.bincount(shifted[pos], weights=values, minlength=size + 1)
                columns[metric][at] = total[1:]
            elif metric in complete:
                total = np.bincount(shifted, weights=at_word[metric], minlength=size + 1)
                columns[metric][at] = total[1:]
            else:
                keep = shifted > 0
                columns[metric][at] = _sum_by(shifted[keep] - 1, at_word[metric][keep], size)
        columns["terms"][at] = np.bincount(shifted, minlength=size + 1)[1:]
        if clicked_words is None:
            clicked_at_word = (np.nan_to_num(sums["clicks"]) > 0)[parent]
            clicked = np.bincount(shifted[clicked_at_word], minlength=size + 1)
        else:
            clicked = np.bincount(shifted[clicked_words[0]], minlength=size + 1)
        columns["clicked_terms"][at] = clicked[1:]
    return columns


@dataclass(frozen=True)
class _Holders:
    """The n-grams of 2+ words with cost (`positions` in their table) as word codes, one gram
    per row of `words` (-1 past its last word), with a word index over them (CSR: word ->
    ascending holder numbers)."""

    positions: np.ndarray
    words: np.ndarray
    vocab: pa.Array
    offsets: np.ndarray
    holders: np.ndarray

    @classmethod
    def build(cls, positions: np.ndarray, words: np.ndarray, vocab: pa.Array) -> _Holders:
        row = np.repeat(np.arange(len(words), dtype=np.int64), words.shape[1])
        flat = words.ravel().astype(np.int64)
        size = max(len(words), 1)
        keys = np.sort((flat * size + row)[flat >= 0])
        keys = keys[np.r_[True, keys[1:] != keys[:-1]]] if len(keys) else keys
        offsets = np.r_[0, np.cumsum(np.bincount(keys // size, minlength=len(vocab)))]
        return cls(positions, words, vocab, offsets.astype(np.int64), keys % size)

    @cached_property
    def code(self) -> dict[str, int]:
        return {w: i for i, w in enumerate(self.vocab.to_pylist())}

    def holding(self, text: str) -> np.ndarray:
        """Ascending holder numbers whose gram holds `text` as a phrase."""
        norm = normalize_one(text)
        codes = [self.code.get(w, -1) for w in norm.split(" ")] if norm else []
        width = self.words.shape[1]
        if not codes or min(codes) < 0 or len(codes) > width:
            return np.zeros(0, dtype=np.int64)
        lists = [self.holders[self.offsets[c] : self.offsets[c + 1]] for c in set(codes)]
        lists.sort(key=len)
        found = lists[0]
        for other in lists[1:]:
            found = found[in_sorted(found, other)]
        held = self.words[found]
        hit = np.zeros(len(found), dtype=bool)
        for start in range(width - len(codes) + 1):
            same = np.ones(len(found), dtype=bool)
            for j, code in enumerate(codes):
                same &= held[:, start + j] == code
            hit |= same
        return found[hit]


_HOLDERS: dict[int, tuple[weakref.ref, tuple | _Holders]] = {}


def _gram_words(
    levels: dict[int, _Level], n: int, grams: np.ndarray, size: int
) -> list[np.ndarray]:
    """The word codes of the given grams of size `n`, first word first."""
    if n == 1:
        return [grams]
    parts = levels[n].parts[grams]
    return [*_gram_words(levels, n - 1, parts // size, size), parts % size]


def _holder_words(
    levels: dict[int, _Level], sizes: tuple[int, ...], cost: np.ndarray, vocab: pa.Array
) -> tuple[np.ndarray, np.ndarray, pa.Array]:
    """For `costly_ngrams_holding`, the word codes of the n-grams of 2+ words with cost
    (taken from the levels: no text is split again), with their positions in the table."""
    width = max(sizes, default=1)
    positions, words = [], []
    offset = 0
    for n in sizes:
        level_cost = cost[offset : offset + levels[n].size]
        grams = np.flatnonzero(level_cost > 0) if n >= 2 else np.zeros(0, dtype=np.int64)
        block = np.full((len(grams), width), -1, dtype=np.int32)
        for j, column in enumerate(_gram_words(levels, n, grams, len(vocab)) if len(grams) else []):
            block[:, j] = column
        positions.append(grams + offset)
        words.append(block)
        offset += len(level_cost)
    return (
        np.concatenate([np.zeros(0, dtype=np.int64), *positions]),
        np.concatenate([np.zeros((0, width), dtype=np.int32), *words]),
        vocab,
    )


def _holders_of_texts(ngrams: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, pa.Array]:
    """What `_holder_words` gives, for an n-gram table it did not make: its costly texts
    split into words."""
    cost = ngrams["cost"].to_numpy(dtype=np.float64, na_value=np.nan)
    positions = np.flatnonzero((ngrams["n"].to_numpy() >= 2) & (cost > 0))
    texts = pa.chunked_array(ngrams["ngram"].array.__arrow_array__()).take(positions)
    split = split_words(texts.combine_chunks().cast(pa.large_string()))
    parent = split.parent.astype(np.int64)
    start = np.r_[0, np.cumsum(np.bincount(parent, minlength=len(positions)))][parent]
    column = np.arange(len(parent)) - start
    words = np.full((len(positions), int(column.max(initial=-1)) + 1), -1, dtype=np.int32)
    words[parent, column] = split.words
    return positions, words, split.vocab


def _holders(ngrams: pd.DataFrame) -> _Holders:
    """The word index of the table's costly n-grams of 2+ words, built on first use."""
    key = id(ngrams)
    hit = _HOLDERS.get(key)
    if hit is not None and hit[0]() is ngrams and isinstance(hit[1], _Holders):
        return hit[1]
    found = hit[1] if hit is not None and hit[0]() is ngrams else _holders_of_texts(ngrams)
    holders = _Holders.build(*found)
    _HOLDERS[key] = (weakref.ref(ngrams, lambda _: _HOLDERS.pop(key, None)), holders)
    return holders


def costly_ngrams_holding(ngrams: pd.DataFrame, text: str) -> pd.DataFrame:
    """The rows of an n-gram table (`ngram_table`) of two or more words and some cost whose
    n-gram holds `text` as a phrase (its words together, in order), in table order.

    A word index over those n-grams is built once per table (from the word codes
    `ngram_table` keeps, no text split again), so a call reads only the n-grams that hold the
    words of `text`, not the whole table.
    """
    holders = _holders(ngrams)
    return ngrams.iloc[holders.positions[holders.holding(text)]]


def costliest(ngrams: pd.DataFrame, limit: int = KEPT) -> pd.DataFrame:
    """The `limit` costliest rows of an n-gram table, in table order; rows without a cost (NaN)
    come last, after those with one, when fewer than `limit` have one.

    `frame.nlargest(k, "cost")` of the result is that of the whole table for every k up to
    `limit`: both rank the rows by cost, ties in table order, and leave out NaN.
    """
    if len(ngrams) <= limit:
        return ngrams
    return ngrams.iloc[costliest_rows(ngrams["cost"].to_numpy(np.float64, na_value=np.nan), limit)]


def costliest_rows(cost: np.ndarray, limit: int = KEPT) -> np.ndarray:
    """The positions (ascending) of the rows `costliest` keeps, given the cost column."""
    if len(cost) <= limit:
        return np.arange(len(cost), dtype=np.int64)
    cost = np.where(np.isnan(cost), -np.inf, cost)
    edge = np.partition(cost, len(cost) - limit)[len(cost) - limit]
    keep = cost > edge
    keep[np.flatnonzero(cost == edge)[: limit - int(keep.sum())]] = True
    return np.flatnonzero(keep)
