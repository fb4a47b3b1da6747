"""The text columns of a report -> canonical values, vectorised with pyarrow: cells trimmed,
blanks and `Total:` labels found from the bytes, keyword cells split into text and match type
(`[x]` exact, `"x"` phrase, else broad), statuses, match types and campaign types mapped from
any language once per distinct value.
"""

from __future__ import annotations

import mmap
import re
from collections.abc import Callable
from functools import cache

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from auditor import schema
from auditor.readers import headers
from auditor.readers.columns import HeaderMap

TEXT_COLUMNS = (
    "search_term",
    "campaign",
    "ad_group",
    "account",
    "currency",
    "conversion_action",
)


Arrow = pa.Array | pa.ChunkedArray


def _byte_set(values: bytes) -> np.ndarray:
    """A 256-entry lookup table: `table[byte_array]` tests membership in one gather."""
    table = np.zeros(256, dtype=bool)
    table[list(values)] = True
    return table


_SPACE_FIRST = _byte_set(b"\t\n\r \xc2\xe2")
"""First bytes of a possibly blank start: tab, newline, space, no-break spaces (UTF-8 lead)."""


_SPACE_LAST = _byte_set(b"\t\n\r \xa0\xaf")


_DASH_OR_SPACE = _byte_set(b"- ")


_DASH = 45


Edges = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


@cache
def _total_starts() -> np.ndarray:
    """Lookup table over the first two bytes (lower-cased, as uint16) of a cell: True for
    those every `Total:` prefix in headers.toml starts with."""
    table = np.zeros(1 << 16, dtype=bool)
    for prefix in headers.total_prefixes():
        raw = prefix.encode("utf-8")
        table[(raw[0] | 0x20) << 8 | (raw[1] | 0x20)] = True
    return table


def _edges(arr: Arrow) -> Edges:
    """(first byte, second byte, last byte, byte length) of every string, read from the arrow
    buffers directly (0 for empty and null cells): screens a column without a string pass."""
    chunks = arr.chunks if isinstance(arr, pa.ChunkedArray) else [arr]
    parts = [_chunk_edges(pc.cast(c, pa.large_string())) for c in chunks]
    if not parts:
        empty = np.zeros(0, dtype=np.uint8)
        return empty, empty, empty, np.zeros(0, dtype=np.int64)
    first, second, last, length = (np.concatenate(p) for p in zip(*parts, strict=True))
    return first, second, last, length


def _chunk_edges(chunk: pa.Array) -> Edges:
    n = len(chunk)
    _, offsets_buf, data_buf = chunk.buffers()
    zeros = np.zeros(n, dtype=np.uint8)
    if offsets_buf is None or n == 0:
        return zeros, zeros, zeros, np.zeros(n, dtype=np.int64)
    offsets = np.frombuffer(offsets_buf, dtype=np.int64, count=n + 1, offset=chunk.offset * 8)
    data = np.frombuffer(data_buf, dtype=np.uint8) if data_buf is not None else np.zeros(0)
    length = np.diff(offsets)
    if chunk.null_count:
        length = np.where(chunk.is_null().to_numpy(zero_copy_only=False), 0, length)
    if not len(data):
        return zeros, zeros, zeros, length
    starts = offsets[:-1]
    first = np.take(data, starts, mode="clip")
    second = np.take(data[1:], starts, mode="clip") if len(data) > 1 else zeros.copy()
    last = np.take(data, offsets[1:] - 1, mode="clip")
    empty = length == 0
    first[empty] = 0
    second[length <= 1] = 0
    last[empty] = 0
    return first, second, last, length


def _blank(first: np.ndarray, last: np.ndarray, length: np.ndarray) -> np.ndarray:
    """Empty, `-`, `--` or ` --` cells (Google's empty value)."""
    dashes = (length <= 3) & (last == _DASH) & _DASH_OR_SPACE[first]
    return (length == 0) | dashes


def nulls(n: int) -> pa.Array:
    """`n` missing strings (a column the file lacks) on fresh zero pages of the system, never
    written, so never resident (`pa.nulls` writes 8 bytes a row, and `np.zeros` does too when
    the heap has room). One zeroed buffer serves as offsets and validity, as in `pa.nulls`."""
    zeros = pa.py_buffer(mmap.mmap(-1, 8 * (n + 1)))
    return pa.LargeStringArray.from_buffers(n, zeros, pa.py_buffer(b""), zeros, null_count=n)


def _text(rows: pd.DataFrame, name: str | None) -> Arrow:
    """Stripped text as arrow strings; empty cells (and `--`) -> null.

    Trimming and nulling are only done when a cell needs them (Google's cells never have
    surrounding spaces), which saves two passes over a million search terms.
    """
    if name is None:
        return nulls(len(rows))
    arr = _decoded(rows[name].array.__arrow_array__())
    first, _, last, length = _edges(arr)
    if _SPACE_FIRST[first].any() or _SPACE_LAST[last].any():
        arr = pc.utf8_trim_whitespace(arr)
        first, _, last, length = _edges(arr)
    blank = _blank(first, last, length)
    if not blank.any():
        return arr
    return pc.if_else(pa.array(blank), pa.scalar(None, arr.type), arr)


def _decoded(arr: Arrow) -> Arrow:
    """Plain strings (a dictionary-encoded column decoded)."""
    return pc.cast(arr, pa.large_string()) if pa.types.is_dictionary(arr.type) else arr


def _distinct(arr: Arrow) -> tuple[Arrow, list[str | None]]:
    """(index of each row into the distinct values (null for null), the distinct values).

    `unique` + `index_in` work chunk by chunk; `dictionary_encode` would need the column
    joined into one piece first (a copy of every string).
    """
    if pa.types.is_dictionary(arr.type):
        return _dictionary_parts(arr)
    uniques = pc.unique(arr)
    return pc.index_in(arr, value_set=uniques), uniques.to_pylist()


def _dictionary_parts(arr: Arrow) -> tuple[Arrow, list[str | None]]:
    """(indices, values) of a dictionary-encoded column, one dictionary for all chunks."""
    if isinstance(arr, pa.Array):
        arr = pa.chunked_array([arr])
    unified = arr.unify_dictionaries()
    if not unified.num_chunks:
        return pa.array([], pa.int32()), []
    indices = pa.chunked_array([c.indices for c in unified.chunks], pa.int32())
    return indices, unified.chunk(0).dictionary.to_pylist()


def _take(indices: Arrow, mapped: list[str | None]) -> Arrow:
    return pc.take(pa.array(mapped, pa.large_string()), indices)


def _map_values(arr: Arrow, fn: Callable[[str], str | None]) -> Arrow:
    """Apply `fn` to each distinct stripped value (not each row); empty cells become null."""
    if arr.null_count == len(arr):
        return arr
    indices, uniques = _distinct(arr)
    return _take(indices, [fn(u.strip()) if _filled(u) else None for u in uniques])


def _filled(value: str | None) -> bool:
    return value is not None and value.strip() not in ("", "--", "-")


def _raw(rows: pd.DataFrame, name: str | None) -> Arrow:
    """A file column as arrow strings, untouched; all null when the file lacks it."""
    if name is None:
        return nulls(len(rows))
    return rows[name].array.__arrow_array__()


def _slug(value: str) -> str:
    return re.sub(r"[^0-9a-z]+", "_", value.casefold()).strip("_")


def keyword_syntax(cell: str) -> tuple[str, str]:
    """`[x]` -> (x, exact), `"x"` -> (x, phrase), `+x +y` -> (x y, broad), `x` -> (x, broad)."""
    text = cell.strip()
    if len(text) > 1 and text[0] == "[" and text[-1] == "]":
        return text[1:-1].strip(), schema.MATCH_EXACT
    if len(text) > 1 and text[0] == '"' and text[-1] == '"':
        return text[1:-1].strip(), schema.MATCH_PHRASE
    return re.sub(r"(^|\s)\+(?=\S)", r"\1", text), schema.MATCH_BROAD


_SPACES = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
"""What Python's `str.strip()` and `\\s` count as whitespace, for the arrow versions below
(every character whose `isspace()` is true; written out, since finding them takes 0.2 s)."""


_SPACE_CLASS = "[" + re.escape(_SPACES) + "]"


def _strip(arr: pa.Array) -> pa.Array:
    """`str.strip()` on every value."""
    return pc.utf8_trim(arr, _SPACES)


def _keyword_syntax(cells: pa.Array) -> tuple[pa.Array, pa.Array]:
    """`keyword_syntax` of every value at once: (texts, match types as their number in
    `_KINDS`); empty cells give nulls. Brackets, quotes and dashes are told from each cell's
    first and last bytes (`_chunk_edges`); only bracketed or quoted cells are sliced, and only
    cells holding a `+` go through a regex."""
    text = _strip(cells.cast(pa.large_string()))
    first, _, last, length = _chunk_edges(text)
    longer = length > 1
    exact = longer & (first == ord("[")) & (last == ord("]"))
    phrase = longer & (first == ord('"')) & (last == ord('"'))
    dashes = (first == _DASH) & ((length == 1) | ((length == 2) & (last == _DASH)))
    empty = (length == 0) | dashes
    out = _without_plus_marks(text)
    bracketed = exact | phrase
    if bracketed.any():
        mask = pa.array(bracketed)
        inner = _strip(pc.utf8_slice_codeunits(pc.filter(text, mask), 1, -1))
        out = pc.replace_with_mask(out, mask, inner)
    if empty.any():
        out = pc.if_else(pa.array(~empty), out, pa.scalar(None, pa.large_string()))
    kind = np.full(len(text), 2, dtype=np.int8)
    kind[phrase] = 1
    kind[exact] = 0
    return out, pa.array(kind, mask=empty)


_KINDS = pa.array([schema.MATCH_EXACT, schema.MATCH_PHRASE, schema.MATCH_BROAD], pa.large_string())
"""Keyword match types by the number `_keyword_syntax` gives them."""


def _without_plus_marks(text: pa.Array) -> pa.Array:
    """`+` marks of old modified-broad keywords dropped (`+a +b` -> `a b`); the regex runs only
    on the cells holding a `+` (found from the bytes: few keywords have one)."""
    plus = f"(^|{_SPACE_CLASS})\\+([^{re.escape(_SPACES)}])"
    holding = _holds_byte(text, ord("+"))
    if not holding.any():
        return text
    mask = pa.array(holding)
    fixed = pc.replace_substring_regex(pc.filter(text, mask), plus, "\\1\\2")
    return pc.replace_with_mask(text, mask, fixed)


def _holds_byte(arr: pa.Array, byte: int) -> np.ndarray:
    """Whether each string of a large-string array holds `byte`, from its buffers."""
    n = len(arr)
    _, offsets_buf, data_buf = arr.buffers()
    out = np.zeros(n, dtype=bool)
    if not n or offsets_buf is None or data_buf is None:
        return out
    offsets = np.frombuffer(offsets_buf, dtype=np.int64, count=n + 1, offset=arr.offset * 8)
    data = np.frombuffer(data_buf, dtype=np.uint8)[offsets[0] : offsets[-1]]
    hits = np.flatnonzero(data == byte) + offsets[0]
    out[np.searchsorted(offsets, hits, side="right") - 1] = True
    return out & arr.is_valid().to_numpy(zero_copy_only=False)


def _keywords(arr: Arrow) -> tuple[Arrow, Arrow]:
    """Keyword cells -> (text without match syntax, keyword match type), per distinct cell.

    Both come dictionary-encoded, one dictionary for every chunk: `_canonical_frame` decodes
    them with their codes (`schema.from_codes`)."""
    if arr.null_count == len(arr):
        plain = _decoded(arr)
        return plain, plain
    if pa.types.is_dictionary(arr.type):
        chunks = arr.unify_dictionaries() if isinstance(arr, pa.ChunkedArray) else arr
        one = chunks.chunk(0) if isinstance(chunks, pa.ChunkedArray) else chunks
        indices = _dictionary_parts_indices(chunks)
        uniques = one.dictionary
    else:
        uniques = pc.unique(arr)
        indices = pc.index_in(arr, value_set=uniques)
    if isinstance(uniques, pa.ChunkedArray):
        uniques = uniques.combine_chunks()
    texts, kinds = _keyword_syntax(uniques)
    distinct = pc.dictionary_encode(texts)
    return _encoded(pc.take(distinct.indices, indices), distinct.dictionary), _encoded(
        pc.take(kinds, indices), _KINDS
    )


def _encoded(indices: Arrow, dictionary: pa.Array) -> Arrow:
    """`indices` into `dictionary` as a dictionary-encoded array (chunk by chunk)."""
    if isinstance(indices, pa.Array):
        return pa.DictionaryArray.from_arrays(indices, dictionary)
    parts = [pa.DictionaryArray.from_arrays(c, dictionary) for c in indices.chunks]
    return pa.chunked_array(parts, pa.dictionary(indices.type, dictionary.type))


def _indices_and_dictionary(arr: Arrow) -> tuple[Arrow, pa.Array]:
    """(indices, dictionary) of an array `_keywords` encoded (one dictionary for all chunks)."""
    if isinstance(arr, pa.Array):
        return arr.indices, arr.dictionary
    return _dictionary_parts_indices(arr), arr.chunk(0).dictionary


def _dictionary_parts_indices(arr: Arrow) -> Arrow:
    if isinstance(arr, pa.Array):
        return arr.indices
    return pa.chunked_array([c.indices for c in arr.chunks], arr.type.index_type)


def _status(kind: str) -> Callable[[str], str | None]:
    if kind == schema.KIND_KEYWORDS:
        return lambda v: headers.keyword_status(v) or _slug(v)
    return lambda v: headers.status(v) or _slug(v)


def _canonical_text(
    rows: pd.DataFrame, hmap: HeaderMap, kind: str, known: dict[str, Arrow]
) -> dict[str, Arrow]:
    """The canonical text columns of `rows`; those in `known` (`_text` of the same rows,
    made for an earlier check) are not made again."""
    cols = hmap.columns
    out = {
        c: known[c] if c in known else _text(rows, cols.get(c))
        for c in TEXT_COLUMNS
        if c != "currency"
    }
    out["currency"] = _map_values(_raw(rows, cols.get("currency")), str.upper)
    delivered = cols.get("delivered_match_type")
    kw_type_col = cols.get("keyword_match_type")
    search_type_col = cols.get("match_type")
    if kind == schema.KIND_KEYWORDS or delivered is not None:
        kw_type_col = kw_type_col or search_type_col
        search_type_col = delivered
    if search_type_col is not None:
        out["match_type"] = _map_values(_raw(rows, search_type_col), headers.match_type)
    out["keyword"], syntax_type = _keywords(_raw(rows, cols.get("keyword")))
    out["keyword_match_type"] = syntax_type
    if kw_type_col is not None:
        explicit = _map_values(_raw(rows, kw_type_col), headers.keyword_match_type)
        out["keyword_match_type"] = pc.coalesce(explicit, _decoded(syntax_type))
    status_col = cols.get("keyword_status" if kind == schema.KIND_KEYWORDS else "status")
    out["status"] = _map_values(_raw(rows, status_col), _status(kind))
    out["campaign_type"] = _map_values(_raw(rows, cols.get("campaign_type")), headers.campaign_type)
    out["conversion_category"] = _map_values(_raw(rows, cols.get("conversion_category")), _slug)
    return out


def _canonical_frame(
    text: dict[str, Arrow], numbers: dict[str, np.ndarray], index: pd.Index
) -> pd.DataFrame:
    """The canonical table (as `schema.conform` would make it), built in one go."""
    n = len(index)
    data: dict[str, object] = {}
    for col in schema.TEXT_COLUMNS:
        arr = text.get(col)
        arr = nulls(n) if arr is None else arr
        if pa.types.is_dictionary(arr.type):
            data[col] = schema.from_codes(*_indices_and_dictionary(arr))
        else:
            data[col] = pd.arrays.ArrowStringArray(pc.cast(arr, pa.large_string()))
    for col in schema.METRIC_COLUMNS:
        data[col] = numbers.get(col, np.full(n, np.nan))
    data["day"] = numbers.get("day", np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]"))
    data[schema.LINE_COLUMN] = numbers[schema.LINE_COLUMN]
    data[schema.SOURCE_COLUMN] = numbers[schema.SOURCE_COLUMN]
    frame = pd.DataFrame(data, copy=False)
    return frame.astype(dict.fromkeys(schema.TEXT_COLUMNS, schema.STRING_DTYPE))
