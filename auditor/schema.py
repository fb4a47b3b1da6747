"""The canonical search-terms table every reader produces.

One row per search term x campaign x ad group x keyword x match type as the file has it.
Text columns are pandas strings (missing: <NA>), metric columns float64 (missing: NaN).
A metric column the file does not have is present but all-NaN, and its name is absent from
`Report.columns_present`: unknown, not zero.
"""

from __future__ import annotations

import weakref

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

TEXT_COLUMNS: tuple[str, ...] = (
    "search_term",
    "match_type",
    "status",
    "campaign",
    "ad_group",
    "keyword",
    "keyword_match_type",
    "currency",
    "campaign_type",
    "account",
    "conversion_action",
    "conversion_category",
)
METRIC_COLUMNS: tuple[str, ...] = (
    "impressions",
    "clicks",
    "cost",
    "conversions",
    "conversion_value",
    "all_conversions",
)
DATE_COLUMNS: tuple[str, ...] = ("day",)
LINE_COLUMN = "line"
"""1-based line number in the source file (for explanations and error messages)."""
SOURCE_COLUMN = "source"
"""Index into `AuditResult.inputs` of the file the row came from."""

CANONICAL_COLUMNS: tuple[str, ...] = (
    *TEXT_COLUMNS,
    *METRIC_COLUMNS,
    *DATE_COLUMNS,
    LINE_COLUMN,
    SOURCE_COLUMN,
)

# Canonical match types of a search-term match (the `match_type` column).
MATCH_EXACT = "exact"
MATCH_EXACT_CV = "exact_close_variant"
MATCH_PHRASE = "phrase"
MATCH_PHRASE_CV = "phrase_close_variant"
MATCH_BROAD = "broad"
MATCH_PMAX = "performance_max"
MATCH_AI_MAX = "ai_max"
MATCH_OTHER = "other"
MATCH_TYPES: tuple[str, ...] = (
    MATCH_EXACT,
    MATCH_EXACT_CV,
    MATCH_PHRASE,
    MATCH_PHRASE_CV,
    MATCH_BROAD,
    MATCH_PMAX,
    MATCH_AI_MAX,
    MATCH_OTHER,
)
# Keyword match types (the `keyword_match_type` column): exact, phrase, broad.
KEYWORD_MATCH_TYPES: tuple[str, ...] = (MATCH_EXACT, MATCH_PHRASE, MATCH_BROAD)

# Added/Excluded status of a search term.
STATUS_NONE = "none"
STATUS_ADDED = "added"
STATUS_EXCLUDED = "excluded"
STATUS_ADDED_EXCLUDED = "added_excluded"

# Report kinds.
KIND_SEARCH_TERMS = "search_terms"
KIND_KEYWORDS = "keywords"
KIND_CAMPAIGNS = "campaigns"
KIND_CONVERSIONS = "conversions"
KIND_ORDERS = "orders"
KIND_NEGATIVES = "negatives"

STRING_DTYPE = pd.StringDtype("pyarrow")


def empty_table(n: int = 0) -> pd.DataFrame:
    """A canonical table of `n` rows with every column unknown (NA / NaN)."""
    data: dict[str, pd.Series] = {}
    for col in TEXT_COLUMNS:
        data[col] = pd.Series(pd.NA, index=range(n), dtype=STRING_DTYPE)
    for col in METRIC_COLUMNS:
        data[col] = pd.Series(float("nan"), index=range(n), dtype="float64")
    data["day"] = pd.Series(pd.NaT, index=range(n), dtype="datetime64[ns]")
    data[LINE_COLUMN] = pd.Series(0, index=range(n), dtype="int64")
    data[SOURCE_COLUMN] = pd.Series(0, index=range(n), dtype="int64")
    return pd.DataFrame(data)


def conform(table: pd.DataFrame) -> pd.DataFrame:
    """Return `table` with every canonical column, in canonical order and dtypes.

    Missing columns are added as unknown; extra columns are kept after the canonical ones.
    """
    n = len(table)
    out = table.reset_index(drop=True)
    base = empty_table(n)
    for col in CANONICAL_COLUMNS:
        if col not in out.columns:
            out[col] = base[col]
        elif col in TEXT_COLUMNS:
            out[col] = out[col].astype(STRING_DTYPE)
        elif col in METRIC_COLUMNS:
            out[col] = out[col].astype("float64")
    extra = [c for c in out.columns if c not in CANONICAL_COLUMNS]
    return out[[*CANONICAL_COLUMNS, *extra]]


_ENCODED: dict[int, tuple[weakref.ref, np.ndarray, pa.Array]] = {}


def text_codes(column: pd.Series) -> tuple[np.ndarray, pa.Array]:
    """A text column dictionary-encoded: per row the int64 index of its text among the
    distinct texts (-1 where missing), and the distinct texts (large strings, in order of
    first appearance).

    Computed once per column of a table and cached on the column's arrow data (dropped with
    it): the metrics, the n-grams, the rules and the proposals of one audit all group by the
    same million search terms, campaigns and ad groups, and encode each column once. A column
    made by `from_codes` has them from the start.
    """
    data = column.astype(STRING_DTYPE).array.__arrow_array__()
    hit = _ENCODED.get(id(data))
    if hit is not None and hit[0]() is data:
        return hit[1], hit[2]
    encoded = pc.dictionary_encode(data)
    if isinstance(encoded, pa.ChunkedArray):
        encoded = encoded.combine_chunks()
    texts = encoded.dictionary.cast(pa.large_string())
    codes = _codes(encoded.indices)
    _remember(data, codes, texts)
    return codes, texts


def forget_codes(column: pd.Series) -> None:
    """Drop what `text_codes` keeps for `column` (asked again, it encodes the column again):
    for the columns whose codes one step needs and no later one."""
    data = column.astype(STRING_DTYPE).array.__arrow_array__()
    hit = _ENCODED.get(id(data))
    if hit is not None and hit[0]() is data:
        del _ENCODED[id(data)]


def from_codes(indices: pa.Array | pa.ChunkedArray, texts: pa.Array) -> pd.arrays.ArrowStringArray:
    """The string column `texts[indices]` (null indices: missing), its `text_codes` known at
    once. `texts` must be distinct and without nulls. Indices already numbered in order of
    first appearance are the codes; others are renumbered (a third of the cost of encoding
    a million strings)."""
    if isinstance(indices, pa.ChunkedArray):
        indices = indices.combine_chunks()
    codes = _codes(indices)
    if not (numbered_in_order(codes) and codes.max(initial=-1) == len(texts) - 1):
        order = pc.dictionary_encode(indices)
        indices, texts = order.indices, pc.take(texts, order.dictionary)
        codes = _codes(indices)
    texts = texts.cast(pa.large_string())
    data = pa.chunked_array([pc.take(texts, indices)])
    _remember(data, codes, texts)
    return pd.arrays.ArrowStringArray(data)


def _codes(indices: pa.Array) -> np.ndarray:
    """Integer indices as read-only int64 codes, -1 where null."""
    codes = np.asarray(indices.fill_null(-1), dtype=np.int64)
    codes.flags.writeable = False
    return codes


def numbered_in_order(codes: np.ndarray) -> bool:
    """Whether the codes (-1: missing) number their values 0, 1, 2, ... in order of first
    appearance, as `pd.factorize` would: their running maximum starts at 0 (or at -1, before
    the first value) and never grows by more than one (a column's dictionary codes usually
    do, and need no hashing then). Missing codes, below all others, need no filtering out."""
    if not len(codes):
        return True
    top = np.maximum.accumulate(codes)
    return bool(top[0] <= 0 and (np.diff(top) <= 1).all())


def _remember(data: pa.Array | pa.ChunkedArray, codes: np.ndarray, texts: pa.Array) -> None:
    """Cache `codes` and `texts` on `data` for `text_codes` (a chunked array: the entry goes
    when it does)."""
    if isinstance(data, pa.ChunkedArray):
        key = id(data)
        ref = weakref.ref(data, lambda _: _ENCODED.pop(key, None))
        _ENCODED[key] = (ref, codes, texts)
