"""Negative-keyword match semantics: the single source of truth for what a negative blocks.

Google Ads (negatives never match close variants, plurals or misspellings):
- broad: every word of the negative is a word of the query, in any order;
- phrase: the words of the negative appear in the query together and in the same order;
- exact: the query is exactly the words of the negative.

Microsoft Advertising has phrase and exact negatives only; a broad negative acts as phrase.

Words are compared whole and case-insensitively after `normalize`: lower case; the
punctuation `, ; : ! ? " ( ) [ ] { } < > |` and runs of whitespace become one space; full stops
and hyphens too, because Google Ads ignores them in keywords (`t-shirt` = `t shirt`,
`shoes.` = `shoes`). Every other character is part of its word: `kid's` is not `kids`,
`b&b` is not `b and b`, accents count (`über` is not `uber`). Compound words are single words:
`car` does not block `carwash` or `green card`, and `tshirt` does not block `t shirt`.

Levels: an ad-group negative applies to that ad group's queries, a campaign negative to the
campaign's, a shared list to every campaign it is attached to (`scope_mask`).
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from auditor import schema

BROAD = "broad"
PHRASE = "phrase"
EXACT = "exact"
MATCH_TYPES: tuple[str, ...] = (BROAD, PHRASE, EXACT)
PLATFORMS: tuple[str, ...] = ("google", "microsoft")

LEVEL_AD_GROUP = "ad_group"
LEVEL_CAMPAIGN = "campaign"
LEVEL_SHARED = "shared_list"
LEVELS: tuple[str, ...] = (LEVEL_AD_GROUP, LEVEL_CAMPAIGN, LEVEL_SHARED)

_SEPARATORS = r"[\s,;:!?\"()\[\]{}<>|.\-]+"
_DIRTY = r"[^\S ]|[,;:!?\"()\[\]{}<>|.\-]|^ | $|  "
"""Values that need the (slow) regex clean-up: anything but single inner spaces."""


def _as_arrow(values: pd.Series | pa.Array | pa.ChunkedArray | list[str]) -> pa.Array:
    """Values as one large_string arrow array."""
    if isinstance(values, pd.Series):
        values = pa.array(values.astype("string[pyarrow]").array)
    elif isinstance(values, list):
        values = pa.array(values, type=pa.large_string())
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    return values.cast(pa.large_string())


def normalize(values: pd.Series | pa.Array | pa.ChunkedArray | list[str]) -> pa.Array:
    """Queries or negatives as the words the platforms compare, joined by single spaces.

    Missing values become empty strings (an empty query is blocked by nothing).
    """
    arr = pc.utf8_lower(pc.fill_null(_as_arrow(values), ""))
    dirty = pc.match_substring_regex(arr, _DIRTY)
    if not pc.any(dirty).as_py():
        return arr
    fixed = arr.filter(dirty)
    fixed = pc.replace_substring_regex(fixed, _SEPARATORS, " ")
    fixed = pc.utf8_trim(fixed, " ")
    return pc.replace_with_mask(arr, dirty, fixed)


_PRINTABLE_SEPARATORS = re.compile(r"[ ,;:!?\"()\[\]{}<>|.\-]+")
"""`_SEPARATORS` for printable ASCII text, where the only whitespace is the space."""


@lru_cache(maxsize=1 << 16)
def normalize_one(text: str) -> str:
    """One query or negative normalised (see `normalize`); `+` word prefixes are dropped.

    Printable ASCII text (most of it) is normalised in Python, with the same result as the
    arrow path and without its per-call cost."""
    if text.isascii() and text.isprintable():
        norm = _PRINTABLE_SEPARATORS.sub(" ", text.lower()).strip(" ")
    else:
        norm = normalize([text])[0].as_py()
    words = norm.split(" ")
    return " ".join(w.lstrip("+") for w in words if w.lstrip("+"))


def words(text: str) -> list[str]:
    """The words of a query or negative as the platforms compare them."""
    norm = normalize_one(text)
    return norm.split(" ") if norm else []


def word_set(texts: pd.Series | pa.Array | list[str]) -> set[str]:
    """Every word of the texts (as `words` gives them), computed on the distinct texts."""
    arr = pc.unique(normalize(texts))
    flat = pc.unique(pc.list_flatten(pc.split_pattern(arr, " ")))
    found = {w.lstrip("+") for w in flat.to_pylist()}
    found.discard("")
    return found


def effective_match_type(match_type: str, platform: str = "google") -> str:
    """The match type a negative really has on `platform` (Microsoft: broad acts as phrase)."""
    if match_type not in MATCH_TYPES:
        raise ValueError(f"unknown match type {match_type!r}; use broad, phrase or exact")
    if platform not in PLATFORMS:
        raise ValueError(f"unknown platform {platform!r}; use google or microsoft")
    if platform == "microsoft" and match_type == BROAD:
        return PHRASE
    return match_type


def pad_words(norm: pa.Array) -> pa.Array:
    """Normalised texts as ` text ` so that whole words are plain substrings ` word `."""
    empty = pa.scalar("", pa.large_string())
    return pc.binary_join_element_wise(empty, norm, empty, pa.scalar(" ", pa.large_string()))


def padded_block_mask(
    padded: pa.Array, negative: str, match_type: str, platform: str = "google"
) -> np.ndarray:
    """Boolean mask over padded normalised queries (see `pad_words`) blocked by a negative."""
    kind = effective_match_type(match_type, platform)
    neg = normalize_one(negative)
    if not neg:
        return np.zeros(len(padded), dtype=bool)
    if kind == EXACT:
        hit = pc.equal(padded, f" {neg} ")
    elif kind == PHRASE:
        hit = pc.match_substring(padded, f" {neg} ")
    else:
        hit = None
        for word in dict.fromkeys(neg.split(" ")):
            one = pc.match_substring(padded, f" {word} ")
            hit = one if hit is None else pc.and_(hit, one)
    return np.asarray(pc.fill_null(hit, False), dtype=bool)


def padded_block_hits(
    padded: Sequence[str], negative: str, match_type: str, platform: str = "google"
) -> list[int]:
    """Positions of padded normalised texts (as `pad_words` gives them, as Python strings)
    the negative blocks: `padded_block_mask` for a few texts, without its arrow calls."""
    kind = effective_match_type(match_type, platform)
    neg = normalize_one(negative)
    if not neg:
        return []
    if kind == EXACT:
        return [i for i, text in enumerate(padded) if text == f" {neg} "]
    if kind == PHRASE:
        return [i for i, text in enumerate(padded) if f" {neg} " in text]
    parts = [f" {word} " for word in dict.fromkeys(neg.split(" "))]
    return [i for i, text in enumerate(padded) if all(p in text for p in parts)]


def blocks(
    negative: str, match_type: str, queries: pd.Series, platform: str = "google"
) -> pd.Series:
    """Which of `queries` the negative keyword blocks (bool Series aligned with `queries`)."""
    mask = padded_block_mask(pad_words(normalize(queries)), negative, match_type, platform)
    return pd.Series(mask, index=queries.index, dtype=bool)


def blocks_query(negative: str, match_type: str, query: str, platform: str = "google") -> bool:
    """Whether the negative blocks one query."""
    return bool(blocks(negative, match_type, pd.Series([query]), platform).iloc[0])


_FEW = 16
"""Up to this many queries are compared with a negative in Python (arrow's calls cost more)."""


def stable_order(keys: np.ndarray) -> np.ndarray:
    """`np.argsort(keys, kind="stable")` of non-negative integer keys, by sorting each key
    with its position in one int64 (numpy's vectorised sort: several times faster)."""
    n = len(keys)
    if n == 0 or int(keys.min()) < 0 or int(keys.max()) >= (2**62) // n:
        return np.argsort(keys, kind="stable")
    return np.sort(keys.astype(np.int64) * np.int64(n) + np.arange(n, dtype=np.int64)) % n


def in_sorted(ids: np.ndarray, sorted_ids: np.ndarray) -> np.ndarray:
    """Which of `ids` are in `sorted_ids` (ascending): a binary search per id, so the cost
    follows the shorter list, not the longer."""
    if not len(sorted_ids):
        return np.zeros(len(ids), dtype=bool)
    pos = np.searchsorted(sorted_ids, ids)
    pos[pos == len(sorted_ids)] = 0
    return sorted_ids[pos] == ids


@dataclass(frozen=True)
class SplitTexts:
    """Distinct texts normalised and split into words (`split_texts`): what the n-grams and
    the word indexes of one column share."""

    terms: pa.Array
    """The distinct normalised texts."""
    key: np.ndarray
    """Per raw distinct text, the index of its normalised text in `terms`."""
    words: np.ndarray
    """The word code (into `vocab`) of every word position, term after term, as int32; the
    empty text has no word."""
    parent: np.ndarray
    """The index in `terms` of every word position (int32)."""
    vocab: pa.Array
    """The distinct words ("" too when a text is empty, though no position holds it)."""


def split_words(terms: pa.Array, key: np.ndarray | None = None) -> SplitTexts:
    """Normalised texts split into words (`key`: see `SplitTexts`; default: each its own)."""
    if key is None:
        key = np.arange(len(terms), dtype=np.int64)
    lists = pc.split_pattern(terms, " ")
    parent = np.asarray(pc.list_parent_indices(lists), dtype=np.int32)
    encoded = pc.dictionary_encode(pc.list_flatten(lists))
    codes = np.asarray(encoded.indices, dtype=np.int32)
    empty = np.asarray(pc.equal(encoded.dictionary, ""), dtype=bool)
    if empty.any():
        keep = ~empty[codes]
        codes, parent = codes[keep], parent[keep]
    return SplitTexts(terms, key, codes, parent, encoded.dictionary)


_SPLIT: dict[int, tuple[weakref.ref, SplitTexts]] = {}


def split_texts(texts: pa.Array) -> SplitTexts:
    """Distinct raw texts (e.g. `schema.text_codes`'s) normalised, their normalised texts made
    distinct, and those split into words; cached per texts object (the n-grams of a column and
    its word index both read it)."""
    key_id = id(texts)
    hit = _SPLIT.get(key_id)
    if hit is not None and hit[0]() is texts:
        return hit[1]
    raw = texts.cast(pa.large_string())
    terms = normalize(raw)
    if pc.all(pc.equal(terms, raw)).as_py() is not False:
        key, terms = np.arange(len(terms), dtype=np.int64), raw
    else:
        merged = pc.dictionary_encode(terms)
        key = np.asarray(merged.indices, dtype=np.int64)
        terms = merged.dictionary
    out = split_words(terms, key)
    _SPLIT[key_id] = (weakref.ref(texts, lambda _: _SPLIT.pop(key_id, None)), out)
    return out


@dataclass(frozen=True)
class _Postings:
    """Which unique queries hold each word (CSR: word -> sorted query ids)."""

    vocab: dict[str, int]
    offsets: np.ndarray
    ids: np.ndarray
    lengths: np.ndarray
    """The number of words (repeats included) of each query."""

    @classmethod
    def build(cls, texts: pa.Array) -> _Postings:
        split = split_words(texts)
        return cls.of_split(split, np.arange(len(texts), dtype=np.int64))

    @classmethod
    def of_split(cls, split: SplitTexts, rank: np.ndarray) -> _Postings:
        """The postings of `split`'s words, term `i` of the split being query `rank[i]`."""
        size = max(len(rank), 1)
        parent = rank[split.parent]
        lengths = np.bincount(parent, minlength=len(rank)).astype(np.int64, copy=False)
        keys = split.words.astype(np.int64)
        keys *= size
        keys += parent
        del parent
        keys.sort()
        if len(keys):
            keys = keys[np.r_[True, keys[1:] != keys[:-1]]]
        words = split.vocab.to_pylist()
        counts = np.bincount(keys // size, minlength=len(words))
        offsets = np.r_[0, np.cumsum(counts)].astype(np.int64)
        np.remainder(keys, size, out=keys)
        return cls({w: i for i, w in enumerate(words)}, offsets, keys, lengths)

    def holding(self, word: str) -> np.ndarray:
        code = self.vocab.get(word)
        if code is None:
            return np.zeros(0, dtype=np.int64)
        return self.ids[self.offsets[code] : self.offsets[code + 1]]


@dataclass
class TermIndex:
    """A search-terms table prepared for fast replays of negatives against every row.

    `codes[i]` is the index of row i's normalised query in `texts` (unique queries). A word
    index (postings) is built on first use, so a replay reads only the queries holding the
    negative's words.
    """

    texts: pa.Array
    codes: np.ndarray
    campaign: np.ndarray
    ad_group: np.ndarray
    _postings: _Postings | None = field(default=None, repr=False)
    _split: tuple[SplitTexts, np.ndarray] | None = field(default=None, repr=False)
    """The words of the queries when already split (`split_texts`), and the query of each of
    its terms: the postings are built from them."""
    _codes: dict[str, tuple[np.ndarray, dict]] = field(default_factory=dict, repr=False)

    def label_codes(self, name: str) -> tuple[np.ndarray, dict[str, int]]:
        """Integer codes of the `campaign` or `ad_group` labels (cached), and code by label."""
        if name not in self._codes:
            codes, labels = pd.factorize(getattr(self, name))
            self._codes[name] = (codes, {str(v): i for i, v in enumerate(labels.tolist())})
        return self._codes[name]

    def label_mask(self, name: str, values: list[str] | tuple[str, ...]) -> np.ndarray:
        """Rows whose `campaign` / `ad_group` is one of `values`."""
        codes, lookup = self.label_codes(name)
        wanted = [lookup[v] for v in values if v in lookup]
        if len(wanted) == 1:
            return codes == wanted[0]
        return np.isin(codes, np.array(wanted, dtype=codes.dtype))

    @property
    def postings(self) -> _Postings:
        if self._postings is None and self._split is not None:
            self._postings = _Postings.of_split(*self._split)
        elif self._postings is None:
            self._postings = _Postings.build(self.texts)
        return self._postings

    def term_ids(self, negative: str, match_type: str, platform: str = "google") -> np.ndarray:
        """Sorted ids of the unique queries the negative blocks."""
        kind = effective_match_type(match_type, platform)
        neg = normalize_one(negative)
        if not neg:
            return np.zeros(0, dtype=np.int64)
        parts = neg.split(" ")
        postings = sorted((self.postings.holding(w) for w in set(parts)), key=len)
        ids = postings[0]
        if kind == EXACT:
            ids = ids[self.postings.lengths[ids] == len(parts)]
        for other in postings[1:]:
            if len(ids) == 0:
                break
            ids = ids[in_sorted(ids, other)]
        if kind == BROAD or len(ids) == 0 or (kind == PHRASE and len(parts) == 1):
            return ids
        if len(ids) <= _FEW:
            held = [self.texts[i].as_py() for i in ids.tolist()]
            hit = np.array(
                [t == neg if kind == EXACT else f" {neg} " in f" {t} " for t in held], dtype=bool
            )
        elif kind == EXACT:
            hit = np.asarray(pc.equal(self.texts.take(pa.array(ids)), neg), dtype=bool)
        else:
            held = pad_words(self.texts.take(pa.array(ids)))
            hit = np.asarray(pc.match_substring(held, f" {neg} "), dtype=bool)
        return ids[hit]

    def term_mask(self, negative: str, match_type: str, platform: str = "google") -> np.ndarray:
        """Boolean mask over the unique queries the negative blocks."""
        mask = np.zeros(len(self.texts), dtype=bool)
        mask[self.term_ids(negative, match_type, platform)] = True
        return mask

    def row_mask(self, negative: str, match_type: str, platform: str = "google") -> np.ndarray:
        """Rows whose query the negative blocks (before its level is applied)."""
        return self.term_mask(negative, match_type, platform)[self.codes]

    @property
    def _by_term(self) -> tuple[np.ndarray, np.ndarray]:
        """Row numbers grouped by unique query (CSR: order, offsets), built on first use."""
        if "_by_term" not in self._codes:
            order = stable_order(self.codes)
            counts = np.bincount(self.codes, minlength=len(self.texts))
            offsets = np.r_[0, np.cumsum(counts)]
            self._codes["_by_term"] = (order, {"offsets": offsets})
        order, extra = self._codes["_by_term"]
        return order, extra["offsets"]

    def rows_of_terms(self, ids: np.ndarray) -> np.ndarray:
        """Row numbers of the given unique queries, grouped by query in `ids` order."""
        order, offsets = self._by_term
        if len(ids) == 1:
            return order[offsets[ids[0]] : offsets[ids[0] + 1]].copy()
        starts, ends = offsets[ids], offsets[ids + 1]
        sizes = ends - starts
        total = int(sizes.sum())
        if total == 0:
            return np.zeros(0, dtype=np.int64)
        shift = np.repeat(starts - np.r_[0, np.cumsum(sizes)[:-1]], sizes)
        return order[shift + np.arange(total)]

    def blocked_rows(self, negative: str, match_type: str, platform: str = "google") -> np.ndarray:
        """Row numbers whose query the negative blocks (before its level is applied)."""
        return self.rows_of_terms(self.term_ids(negative, match_type, platform))


_CACHE: dict[int, tuple[weakref.ref, TermIndex]] = {}


def _with_missing(
    codes: np.ndarray, key: np.ndarray, keys: pa.Array
) -> tuple[np.ndarray, np.ndarray, pa.Array]:
    """Missing rows (code -1) as one more text whose key is the empty text's (appended to
    `keys` when no text has it)."""
    if not (codes < 0).any():
        return codes, key, keys
    empty = pc.index(keys, pa.scalar("", keys.type)).as_py()
    if empty < 0:
        keys = pa.concat_arrays([keys, pa.array([""], type=keys.type)])
        empty = len(keys) - 1
    key = np.r_[key, empty]
    return np.where(codes < 0, len(key) - 1, codes), key, keys


def _first_seen(codes: np.ndarray, key: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows given as codes into distinct texts, each text with its `key` among `size` keys:
    per row the rank of its key in order of first appearance, and the keys in that order (as
    `dictionary_encode` of every row's key would number them), with the work done on the
    distinct texts only."""
    first = np.full(len(key), len(codes), dtype=np.int64)
    first[codes[::-1]] = np.arange(len(codes) - 1, -1, -1)
    first_key = np.full(size, len(codes), dtype=np.int64)
    np.minimum.at(first_key, key, first)
    order = stable_order(first_key)
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    return rank[key][codes], order


def label_column(
    table: pd.DataFrame, col: str, rows: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, dict[str, int]]:
    """A label column ("" for missing) as an object array whose rows share one string object
    per distinct label (8 bytes a row, not a string each), its integer codes and code by label;
    of the given `rows` only (the lookup may then name labels no row of them has).
    """
    size = len(table) if rows is None else len(rows)
    if col not in table.columns:
        return np.full(size, "", dtype=object), np.zeros(size, np.int64), {"": 0}
    codes, texts = schema.text_codes(table[col])
    if rows is not None:
        codes = codes[rows]
    codes, key, texts = _with_missing(codes, np.arange(len(texts), dtype=np.int64), texts)
    codes, order = _first_seen(codes, key, len(texts))
    labels = np.asarray(texts.take(pa.array(order)).to_pylist(), dtype=object)
    return labels[codes], codes, {v: i for i, v in enumerate(labels.tolist())}


def text_index(texts: pd.Series, campaign: np.ndarray, ad_group: np.ndarray) -> TermIndex:
    """A TermIndex over any texts (search terms, bought keywords) with their campaign and ad
    group per row."""
    encoded = pc.dictionary_encode(normalize(texts))
    return TermIndex(
        texts=encoded.dictionary,
        codes=np.asarray(encoded.indices, dtype=np.int64),
        campaign=campaign,
        ad_group=ad_group,
    )


def column_index(
    column: pd.Series, campaign: np.ndarray, ad_group: np.ndarray, *, drop_missing: bool = False
) -> TermIndex:
    """`text_index` of a table's text column (missing: "", or left out with `drop_missing`),
    from the codes the metrics share (`schema.text_codes`): only the distinct texts are
    normalised."""
    codes, texts = schema.text_codes(column)
    if drop_missing:
        codes = codes[codes >= 0]
    split = split_texts(texts)
    codes, key, terms = _with_missing(codes, split.key, split.terms)
    codes, order = _first_seen(codes, key, len(terms))
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    in_order = np.array_equal(order, np.arange(len(order)))
    index = TermIndex(terms if in_order else terms.take(pa.array(order)), codes, campaign, ad_group)
    index._split = (split, rank)
    return index


def term_index(table: pd.DataFrame) -> TermIndex:
    """The (cached) TermIndex of a canonical table; rebuilt if the table object changes."""
    key = id(table)
    hit = _CACHE.get(key)
    if hit is not None and hit[0]() is table and len(hit[1].codes) == len(table):
        return hit[1]
    campaign, ad_group = label_column(table, "campaign"), label_column(table, "ad_group")
    index = column_index(table["search_term"], campaign[0], ad_group[0])
    index._codes["campaign"] = campaign[1:]
    index._codes["ad_group"] = ad_group[1:]
    _CACHE[key] = (weakref.ref(table, lambda _: _CACHE.pop(key, None)), index)
    return index


def in_scope(
    index: TermIndex,
    rows: np.ndarray,
    level: str,
    campaign: str | None = None,
    ad_group: str | None = None,
    campaigns: list[str] | tuple[str, ...] = (),
) -> np.ndarray:
    """The subset of `rows` a negative at `level` reaches (see `scope_mask`)."""
    if level not in LEVELS:
        raise ValueError(f"unknown level {level!r}; use ad_group, campaign or shared_list")
    if (level == LEVEL_SHARED and not campaigns) or (level != LEVEL_SHARED and campaign is None):
        return rows
    codes, lookup = index.label_codes("campaign")
    names = list(campaigns) if level == LEVEL_SHARED else [campaign]
    wanted = np.array([lookup[v] for v in names if v in lookup], dtype=codes.dtype)
    keep = np.isin(codes[rows], wanted)
    if level == LEVEL_AD_GROUP and ad_group is not None:
        group_codes, group_lookup = index.label_codes("ad_group")
        keep &= group_codes[rows] == group_lookup.get(ad_group, -1)
    return rows[keep]


def scope_mask(
    index: TermIndex,
    level: str,
    campaign: str | None = None,
    ad_group: str | None = None,
    campaigns: list[str] | tuple[str, ...] = (),
) -> np.ndarray:
    """Rows a negative at `level` applies to.

    Ad group: that campaign's ad group; campaign: that campaign; shared list: the campaigns it
    is attached to. A level without a target (no campaign named) applies to every row.
    """
    n = len(index.codes)
    if level == LEVEL_SHARED:
        return index.label_mask("campaign", list(campaigns)) if campaigns else np.ones(n, bool)
    if level not in LEVELS:
        raise ValueError(f"unknown level {level!r}; use ad_group, campaign or shared_list")
    everywhere = campaign is None
    mask = np.ones(n, dtype=bool) if everywhere else index.label_mask("campaign", [campaign])
    if level == LEVEL_AD_GROUP and ad_group is not None:
        mask &= index.label_mask("ad_group", [ad_group])
    return mask
