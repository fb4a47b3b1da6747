"""Performance reports -> canonical table: search terms, keywords, campaigns.

One reader for every layout the alias table (`headers.toml`) knows: Google Ads UI downloads
(English, Swedish, Norwegian, Danish, German; CSV, UTF-16 tab, Excel re-saves), Google Ads API /
GAQL dumps, Microsoft Advertising UI and API exports. The header decides the kind:
a search-term column -> search terms; else a keyword column -> keywords; else a campaign
column -> campaigns.

Decisions (README, "Reading reports"):
- `Total: ...` rows (any language, any column) are the file's own totals, kept in
  `Report.file_totals`, never data. The rows are checked against `Total: Search terms`.
- A metric column the file lacks stays unknown (NaN, not in `columns_present`) and a note says
  which checks it rules out.
- A row with a cell that is present but not a number in a metric column is skipped and listed;
  a row without a search term (or keyword) is skipped and listed.
- search_term: stripped, case kept (Google writes lower case; matching lower-cases).
- Keyword cells `[x]` -> exact, `"x"` -> phrase, `+x` (old modified broad) and bare -> broad,
  unless the file has a keyword match-type column, which wins.
- campaign_type: `search`, `performance_max`, `smart`, `shopping`, ... whatever the language
  (`Sökning` -> `search`, API `PERFORMANCE_MAX` -> `performance_max`); conversion_category:
  a lower-case slug (`purchase`), so UI and API values compare equal.
- Manager-account exports with several currencies: the `(converted currency)` columns are used
  when present (sums in one currency) and `currency` is left unknown; with one currency the
  account's own columns are used.
- Segment columns the auditor does not use (`Device`, `Network (with search partners)`, `Week`)
  are listed as unknown; the rows (several per term) still sum to the file's totals. A filtered
  table's `Total: Filtered search terms` is checked like `Total: Search terms`.
- Microsoft: `ConversionsQualified` wins over the deprecated `Conversions` (0 since 2022); a
  TimePeriod of weeks, months or years (`Report Aggregation: Weekly`, ...) is not a day.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TypeVar

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from auditor import schema
from auditor.errors import InputError
from auditor.model import Period, Report, SkippedRow
from auditor.readers import headers, workbook
from auditor.readers.dates import parse_days, parse_period
from auditor.readers.numbers import (
    NumberStyle,
    bad_number_reason,
    detect_number_style,
    metric_problems,
    parse_numbers,
)
from auditor.readers.tabular import LINE, MAX_CELL, RawTable, normalise_name, unique_names

NUMBER_COLUMNS = (
    *schema.METRIC_COLUMNS,
    "cost_micros",
    "cost_converted",
    "conversion_value_converted",
)
TEXT_COLUMNS = (
    "search_term",
    "campaign",
    "ad_group",
    "account",
    "currency",
    "conversion_action",
)
ACTIVITY = ("clicks", "cost", "impressions")
"""A search-terms report needs at least one of these to be audited."""
STYLE_SAMPLE = 5000
Frame = TypeVar("Frame", pd.DataFrame, pd.Series)
MS_MARKERS = frozenset({"spend", "deliveredmatchtype", "bidmatchtype", "searchquery"})
PREFERRED = frozenset({"conversionsqualified", "allconversionsqualified"})
"""Microsoft API columns that replace another alias of theirs in the same file: `Conversions`
and `AllConversions` are deprecated since 2022 and report 0 (reporting-service docs)."""
FALLBACK = frozenset({"accountnumber"})
"""Aliases that give way to a later alias of the same column (Microsoft's `Account number` is
an id like `F1234567`; `Account name` / `Account` is the name)."""
METRIC_WORDS = {
    "impressions": "Impressions",
    "clicks": "Clicks",
    "cost": "Cost",
    "conversions": "Conversions",
    "conversion_value": "Conv. value",
}
MISSING_METRIC_EFFECT = {
    "conversions": "conversion-based checks (CPA, zero-conversion spend, harvesting) cannot run",
    "conversion_value": "value-based checks (ROAS, POAS) cannot run",
    "cost": "spend-based checks cannot run",
    "clicks": "click-based checks (CVR, expected conversions) cannot run",
    "impressions": "impression-based checks (CTR) cannot run",
}


@dataclass
class HeaderMap:
    """Which file column stands for which canonical column, and what the header says."""

    columns: dict[str, str] = field(default_factory=dict)
    """canonical -> unique column name in RawTable.rows."""
    unknown: list[str] = field(default_factory=list)
    language: str = "en"
    google_api: bool = False
    microsoft: bool = False
    camel_case: bool = False
    competing: dict[str, list[str]] = field(default_factory=dict)
    """canonical -> the further columns that name it too (`Cost` twice, `Cost` + `Spend`)."""


def map_header(raw: RawTable) -> HeaderMap:
    """Match every header cell against the alias table."""
    table = headers.table()
    out = HeaderMap()
    votes: Counter[str] = Counter()
    originals = dict(zip(unique_names(raw.header), raw.header, strict=True))
    blank = {u for u, h in originals.items() if not h}
    for name in raw.columns:
        key = normalise_name(originals.get(name) or name)
        canonical = table.canonical.get(key)
        if canonical in out.columns and _replaces(key, out.columns[canonical]):
            del out.columns[canonical]
        if canonical is None or canonical in out.columns:
            if key not in table.ignored and name not in blank:
                out.unknown.append(name)
            if canonical is not None and canonical in NUMBER_COLUMNS:
                out.competing.setdefault(canonical, []).append(name)
            continue
        out.columns[canonical] = name
        sections = table.sections[key]
        votes.update(s for s in sections if s in headers.LANGUAGES)
        out.google_api |= "google_api" in sections and "." in name
        out.microsoft |= key in MS_MARKERS
    out.camel_case = bool(out.columns) and all(
        re.fullmatch(r"[A-Z][A-Za-z]+", n) for n in out.columns.values()
    )
    if votes:
        best = max(votes.values())
        out.language = next(lang for lang in headers.LANGUAGES if votes[lang] == best)
    text = " ".join(raw.preamble) + " " + " ".join(t for _, t in raw.trailer)
    out.microsoft |= "Report Name:" in text or "Microsoft" in text or out.camel_case
    return out


def _replaces(key: str, current: str) -> bool:
    """Whether header `key` wins over the column `current` already mapped to its name."""
    return key in PREFERRED or normalise_name(current) in FALLBACK


ENCODED = frozenset(
    {
        "match_type",
        "delivered_match_type",
        "status",
        "keyword_status",
        "currency",
        "campaign_type",
        "keyword",
        "keyword_match_type",
        "conversion_category",
    }
)
"""Canonical columns parsed dictionary-encoded: few distinct values, each mapped once."""


def encode_columns(names: list[str]) -> list[str]:
    """The columns to parse dictionary-encoded (see `load_raw(encode=...)`)."""
    canonical = headers.table().canonical
    return [n for n in names if canonical.get(normalise_name(n)) in ENCODED]


def select_columns(names: list[str]) -> list[str]:
    """The columns worth converting: all but the derived ones the alias table ignores."""
    ignored = headers.table().ignored
    return [n for n in names if normalise_name(n) not in ignored]


def looks_like_header(cells: list[str]) -> bool:
    """Two or more cells the alias table knows, one of them a search term, keyword or campaign."""
    known = {headers.table().canonical.get(normalise_name(c)) for c in cells}
    return len(known - {None}) >= 2 and bool(known & {"search_term", "keyword", "campaign"})


# --------------------------------------------------------------------------- totals


def _total_mask(
    rows: pd.DataFrame, columns: list[str], see_through: frozenset[str] = frozenset()
) -> tuple[np.ndarray, list[str]]:
    """(bool mask of `Total:` rows, the label cell of each total row, in row order).

    A total row is one whose first non-empty cell (`--` counts as empty) among `columns`
    reads `Total: ...` in any language: Google puts the label in the first column of a
    search-terms report and in the third of a keyword report. Each further column is only
    looked at on the rows still empty so far, so the check costs one pass over one column.
    A `see_through` column (the Day segment) may hold the label but never hides one: a total
    row of one day (`2026-04-01,Total: Search terms,...`) is still a total row.
    """
    n = len(rows)
    mask = np.zeros(n, dtype=bool)
    labels: dict[int, str] = {}
    pattern = headers.total_prefix_pattern()
    candidates = np.arange(n)
    for name in columns:
        if not len(candidates):
            break
        arr = rows[name].array.__arrow_array__()
        if len(candidates) < n:
            still = np.zeros(n, dtype=bool)
            still[candidates] = True
            arr = pc.filter(arr, pa.array(still))
        arr = _decoded(arr)
        first, second, last, length = _edges(arr)
        starts = (first | 0x20).astype(np.uint16) << 8 | (second | 0x20)
        maybe = _total_starts()[starts] | _SPACE_FIRST[first]
        if maybe.any():
            sub = pc.filter(arr, pa.array(maybe))
            hit = pc.fill_null(pc.match_substring_regex(sub, pattern), False)
            local = np.flatnonzero(maybe)[hit.to_numpy(zero_copy_only=False)]
            where = candidates[local]
            mask[where] = True
            labels.update(zip(where.tolist(), pc.filter(sub, hit).to_pylist(), strict=True))
        if name in see_through:
            candidates = candidates[~mask[candidates]]
        else:
            candidates = candidates[_blank(first, last, length)]
    return mask, [labels[i] for i in sorted(labels)]


def _file_totals(
    rows: pd.DataFrame, labels: list[str], hmap: HeaderMap, style: NumberStyle, converted: bool
) -> dict[str, dict[str, float]]:
    """{canonical label: {metric: value}} of the `Total:` rows (a repeated label gets `_2`).

    Total rows that carry a day (one per day of a segmented download) are parts of their
    label's total: summed, unless the file also has the label's total without a day."""
    metrics = _converted(_metrics(rows, hmap, style)[0], converted)
    day = hmap.columns.get("day")
    days = pd.Series(pd.arrays.ArrowStringArray(pc.cast(_text(rows, day), pa.large_string())))
    dated = parse_days(days).notna().to_numpy()
    pattern = headers.table().total_prefix
    groups: dict[str, list[int]] = {}
    for pos, cell in enumerate(labels):
        match = pattern.match(str(cell))
        base = headers.total_label(match.group(1) if match else str(cell))
        groups.setdefault(base, []).append(pos)
    out: dict[str, dict[str, float]] = {}
    for base, positions in groups.items():
        whole = [p for p in positions if not dated[p]]
        if not whole:
            parts = {m: v.iloc[positions] for m, v in metrics.items()}
            out[base] = {m: float(v.sum()) for m, v in parts.items() if v.notna().any()}
            continue
        for n, pos in enumerate(whole, start=1):
            key = base if n == 1 else f"{base}_{n}"
            out[key] = {m: float(v.iloc[pos]) for m, v in metrics.items() if pd.notna(v.iloc[pos])}
    return out


# --------------------------------------------------------------------------- numbers


def _metrics(
    rows: pd.DataFrame, hmap: HeaderMap, style: NumberStyle
) -> tuple[dict[str, pd.Series], dict[str, pd.Series]]:
    """(canonical metric -> float values, file column -> bad-cell mask)."""
    values: dict[str, pd.Series] = {}
    bad: dict[str, pd.Series] = {}
    for col in NUMBER_COLUMNS:
        name = hmap.columns.get(col)
        if name is None:
            continue
        values[col], bad[name] = parse_numbers(rows[name], style)
        bad[name] |= metric_problems(col, values[col], rows[name])
    if "cost_micros" in values:
        micros = values.pop("cost_micros") / 1_000_000
        values.setdefault("cost", micros)
    return values, bad


def competing_columns(
    rows: pd.DataFrame, hmap: HeaderMap, style: NumberStyle, path: Path
) -> list[str]:
    """Notes on metric columns named twice (`Cost` twice, `Cost` + `Spend`): the first is
    used when they agree on every row; when they disagree the choice would change the figures,
    so the file is refused (InputError naming both and the first row that differs)."""
    notes = []
    for metric, others in hmap.competing.items():
        used = hmap.columns[metric]
        first = parse_numbers(rows[used], style)[0].to_numpy()
        for other in others:
            second = parse_numbers(rows[other], style)[0].to_numpy()
            same = (first == second) | (np.isnan(first) & np.isnan(second))
            if not same.all():
                at = int(np.argmin(same))
                raise InputError(
                    f"columns '{used}' and '{other}' both hold {metric.replace('_', ' ')} and"
                    f" disagree ({rows[used].iloc[at]!r} vs {rows[other].iloc[at]!r}): which is"
                    " right cannot be told; remove one of them",
                    path=path,
                    line=int(rows[LINE].iloc[at]),
                )
            notes.append(
                f"columns '{used}' and '{other}' both hold {metric.replace('_', ' ')}; they"
                f" agree on every row, so '{used}' was used"
            )
    return notes


def _converted(values: dict[str, pd.Series], converted: bool) -> dict[str, pd.Series]:
    """Canonical metrics only; cost and value from the converted columns when `converted`."""
    out = {m: v for m, v in values.items() if m in schema.METRIC_COLUMNS}
    if converted:
        for col in ("cost", "conversion_value"):
            if f"{col}_converted" in values:
                out[col] = values[f"{col}_converted"]
    return out


def _style(rows: pd.DataFrame, raw: RawTable, hmap: HeaderMap) -> NumberStyle:
    """Number style from a sample of every column (money and ratios carry the decimals)."""
    sample = rows.head(STYLE_SAMPLE)
    text_cols = {hmap.columns.get(c) for c in ("search_term", "campaign", "ad_group", "keyword")}
    style = detect_number_style(sample[c] for c in raw.columns if c not in text_cols)
    if style.decimal == "." and hmap.language != "en" and not _has_decimal_dot(sample, hmap):
        return NumberStyle(",", "\u00a0")
    return style


def _has_decimal_dot(sample: pd.DataFrame, hmap: HeaderMap) -> bool:
    for col in ("cost", "conversions", "conversion_value"):
        name = hmap.columns.get(col)
        if name is not None and sample[name].str.contains(r"\d\.\d{1,2}$", regex=True).any():
            return True
    return False


def _skip_bad_numbers(
    rows: pd.DataFrame,
    bad: dict[str, pd.Series],
    exclude: np.ndarray,
    path: Path,
    how: tuple[HeaderMap, NumberStyle],
) -> tuple[np.ndarray, list[SkippedRow]]:
    """Rows with a garbage number: mask and one SkippedRow each (first bad column named).

    A column where most rows are garbage is not a few bad rows but a wrong file or column:
    InputError.
    """
    any_bad = np.zeros(len(rows), dtype=bool)
    skipped: list[SkippedRow] = []
    hmap, style = how
    metric_of = {name: col for col, name in hmap.columns.items()}
    for name, mask in bad.items():
        arr = mask.to_numpy() & ~exclude
        count = int(arr.sum())
        if count >= 10 and count > 0.5 * len(rows):
            first = _rows_where(rows, arr).iloc[0]
            raise InputError(
                f"holds no numbers ({count:,} of {len(rows):,} rows; first: {first[name]!r});"
                " is this the right file, or a mislabelled column?",
                path=path,
                line=int(first[LINE]),
                column=name,
            )
        new = arr & ~any_bad
        if new.any():
            hits = _rows_where(rows[[LINE, name]], new)
            skipped += [
                SkippedRow(
                    int(line),
                    f"column '{name}': {bad_number_reason(value, style, metric_of.get(name))}",
                )
                for line, value in zip(hits[LINE], hits[name], strict=True)
            ]
        any_bad |= arr
    return any_bad, skipped


# --------------------------------------------------------------------------- text columns


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
    top = len(data) - 1
    first = np.where(length > 0, data[np.minimum(offsets[:-1], top)], 0).astype(np.uint8)
    second = np.where(length > 1, data[np.minimum(offsets[:-1] + 1, top)], 0).astype(np.uint8)
    last = np.where(length > 0, data[np.clip(offsets[1:] - 1, 0, top)], 0).astype(np.uint8)
    return first, second, last, length


def _blank(first: np.ndarray, last: np.ndarray, length: np.ndarray) -> np.ndarray:
    """Empty, `-`, `--` or ` --` cells (Google's empty value)."""
    dashes = (length <= 3) & (last == _DASH) & _DASH_OR_SPACE[first]
    return (length == 0) | dashes


def _text(rows: pd.DataFrame, name: str | None) -> Arrow:
    """Stripped text as arrow strings; empty cells (and `--`) -> null.

    Trimming and nulling are only done when a cell needs them (Google's cells never have
    surrounding spaces), which saves two passes over a million search terms.
    """
    if name is None:
        return pa.nulls(len(rows), pa.large_string())
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
        return pa.nulls(len(rows), pa.large_string())
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


_SPACES = "".join(c for c in map(chr, range(0x110000)) if c.isspace())
"""What Python's `str.strip()` and `\\s` count as whitespace, for the arrow versions below."""
_SPACE_CLASS = "[" + re.escape(_SPACES) + "]"


def _strip(arr: pa.Array) -> pa.Array:
    """`str.strip()` on every value."""
    return pc.utf8_trim(arr, _SPACES)


def _keyword_syntax(cells: pa.Array) -> tuple[pa.Array, pa.Array]:
    """`keyword_syntax` of every value at once (arrow compute); empty cells give nulls."""
    text = _strip(cells.cast(pa.large_string()))
    filled = pc.invert(pc.is_in(text, pa.array(["", "--", "-"], pa.large_string())))
    longer = pc.greater(pc.utf8_length(text), 1)
    inner = _strip(pc.utf8_slice_codeunits(text, 1, -1))
    exact = pc.and_(longer, pc.and_(pc.starts_with(text, "["), pc.ends_with(text, "]")))
    phrase = pc.and_(longer, pc.and_(pc.starts_with(text, '"'), pc.ends_with(text, '"')))
    plus = f"(^|{_SPACE_CLASS})\\+([^{re.escape(_SPACES)}])"
    broad = pc.replace_substring_regex(text, plus, "\\1\\2")
    out = pc.if_else(exact, inner, pc.if_else(phrase, inner, broad))
    kinds = pc.if_else(
        exact,
        pa.scalar(schema.MATCH_EXACT, pa.large_string()),
        pc.if_else(phrase, schema.MATCH_PHRASE, schema.MATCH_BROAD).cast(pa.large_string()),
    )
    nothing = pa.scalar(None, pa.large_string())
    return pc.if_else(filled, out, nothing), pc.if_else(filled, kinds, nothing)


def _keywords(arr: Arrow) -> tuple[Arrow, Arrow]:
    """Keyword cells -> (text without match syntax, keyword match type), per distinct cell."""
    if arr.null_count == len(arr):
        return arr, arr
    if pa.types.is_dictionary(arr.type):
        chunks = arr.unify_dictionaries() if isinstance(arr, pa.ChunkedArray) else arr
        if isinstance(chunks, pa.ChunkedArray) and not chunks.num_chunks:
            return arr, arr
        one = chunks.chunk(0) if isinstance(chunks, pa.ChunkedArray) else chunks
        indices = _dictionary_parts_indices(chunks)
        uniques = one.dictionary
    else:
        uniques = pc.unique(arr)
        indices = pc.index_in(arr, value_set=uniques)
    if isinstance(uniques, pa.ChunkedArray):
        uniques = uniques.combine_chunks()
    texts, kinds = _keyword_syntax(uniques)
    return pc.take(texts, indices), pc.take(kinds, indices)


def _dictionary_parts_indices(arr: Arrow) -> Arrow:
    if isinstance(arr, pa.Array):
        return arr.indices
    return pa.chunked_array([c.indices for c in arr.chunks], pa.int32())


def _status(kind: str) -> Callable[[str], str | None]:
    if kind == schema.KIND_KEYWORDS:
        return lambda v: headers.keyword_status(v) or _slug(v)
    return lambda v: headers.status(v) or _slug(v)


def _canonical_text(rows: pd.DataFrame, hmap: HeaderMap, kind: str) -> dict[str, Arrow]:
    cols = hmap.columns
    out = {c: _text(rows, cols.get(c)) for c in TEXT_COLUMNS if c != "currency"}
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
        out["keyword_match_type"] = pc.coalesce(explicit, syntax_type)
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
        arr = pa.nulls(n, pa.large_string()) if arr is None else arr
        data[col] = pd.arrays.ArrowStringArray(pc.cast(arr, pa.large_string()))
    for col in schema.METRIC_COLUMNS:
        data[col] = numbers.get(col, np.full(n, np.nan))
    data["day"] = numbers.get("day", np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]"))
    data[schema.LINE_COLUMN] = numbers[schema.LINE_COLUMN]
    data[schema.SOURCE_COLUMN] = numbers[schema.SOURCE_COLUMN]
    frame = pd.DataFrame(data, copy=False)
    return frame.astype(dict.fromkeys(schema.TEXT_COLUMNS, schema.STRING_DTYPE))


# --------------------------------------------------------------------------- the report


def _kind(hmap: HeaderMap, raw: RawTable) -> str:
    cols = hmap.columns
    if "search_term" in cols:
        return schema.KIND_SEARCH_TERMS
    if "keyword" in cols:
        return schema.KIND_KEYWORDS
    if "campaign" in cols and any(m in cols for m in (*ACTIVITY, "cost_micros")):
        return schema.KIND_CAMPAIGNS
    raise InputError(
        "not a search-terms, keyword or campaign report: no 'Search term', 'Keyword' or"
        f" 'Campaign' column (header: {', '.join(raw.header[:10])})",
        path=raw.path,
        line=raw.header_line,
    )


def _check_required(hmap: HeaderMap, raw: RawTable, kind: str) -> None:
    """Search terms / campaigns need clicks, cost or impressions; a report segmented by
    conversion action (which Google shows without them) needs conversions or value."""
    if kind == schema.KIND_KEYWORDS:
        return
    by_action = "conversion_action" in hmap.columns and any(
        c in hmap.columns for c in ("conversions", "conversion_value", "all_conversions")
    )
    if not by_action and not any(c in hmap.columns for c in (*ACTIVITY, "cost_micros")):
        raise InputError(
            "missing required column: a search-terms report needs at least one of 'Clicks',"
            " 'Cost' or 'Impr.' (header: " + ", ".join(raw.header[:10]) + ")",
            path=raw.path,
            line=raw.header_line,
        )


def _format_id(raw: RawTable, hmap: HeaderMap) -> str:
    if hmap.google_api:
        return "google_ads_api"
    if hmap.microsoft:
        return "microsoft_ads_api" if hmap.camel_case else "microsoft_ads"
    if raw.encoding == workbook.ENCODING:
        return "google_ads_xlsx"
    if raw.encoding.startswith("utf-16"):
        return "google_ads_tsv_utf16"
    if raw.encoding in ("cp1252", "latin-1"):
        return "google_ads_excel_resave"
    return "google_ads_tsv" if raw.delimiter == "\t" else "google_ads_csv"


def _locale(hmap: HeaderMap, date_style: str | None) -> str | None:
    if hmap.google_api or (hmap.microsoft and hmap.camel_case):
        return None
    if hmap.language == "en" and date_style in ("dmy_name", "dmy_dot"):
        return "en-GB"
    return hmap.language


def _empty_rows(rows: pd.DataFrame, columns: list[str], candidates: np.ndarray) -> np.ndarray:
    """Rows whose every cell is empty, checked only among `candidates` (no key cell)."""
    empty = candidates.copy()
    if not empty.any():
        return empty
    sub = _rows_where(rows, empty)
    found = np.ones(len(sub), dtype=bool)
    for name in columns:
        arr = pc.utf8_trim_whitespace(sub[name].array.__arrow_array__())
        found &= pc.equal(arr, "").to_numpy(zero_copy_only=False)
    empty[np.flatnonzero(empty)] = found
    return empty


def _listed(rows: pd.DataFrame, mask: np.ndarray, reason: str) -> list[SkippedRow]:
    return [SkippedRow(int(line), reason) for line in rows.loc[mask, LINE]]


def _rows_where(rows: pd.DataFrame, mask: np.ndarray) -> pd.DataFrame:
    """The masked rows (few), filtered column by column in arrow: pandas would first join a
    chunked string column into one piece, copying all of it."""
    keep = pa.array(mask)
    data = {
        c: pd.arrays.ArrowStringArray(_decoded(pc.filter(rows[c].array.__arrow_array__(), keep)))
        if c != LINE
        else rows[c].to_numpy()[mask]
        for c in rows.columns
    }
    return pd.DataFrame(data, index=rows.index[mask])


def _without(rows: Frame, mask: np.ndarray) -> Frame:
    """`rows` without the masked ones; a cheap slice when they are all at the end."""
    if not mask.any():
        return rows
    first = int(np.argmax(mask))
    if mask[first:].all():
        return rows.iloc[:first]
    return rows.loc[~mask]


def _key_column(hmap: HeaderMap, kind: str) -> str:
    key = {
        schema.KIND_SEARCH_TERMS: "search_term",
        schema.KIND_KEYWORDS: "keyword",
        schema.KIND_CAMPAIGNS: "campaign",
    }[kind]
    return hmap.columns[key]


def from_raw(raw: RawTable, source: int = 0) -> Report:
    """A performance report as a canonical Report; InputError if it is none."""
    hmap = map_header(raw)
    interactions = _interactions_as_clicks(raw, hmap)
    kind = _kind(hmap, raw)
    _check_required(hmap, raw, kind)
    rows = raw.rows
    label_cols = _label_columns(raw, hmap)
    day_col = frozenset({hmap.columns["day"]} if "day" in hmap.columns else ())
    total, labels = _total_mask(rows, label_cols, see_through=day_col)
    data = _without(rows, total)
    style = _style(data, raw, hmap)
    converted = _mixed_currencies(data, hmap)
    file_totals = (
        _file_totals(_rows_where(rows, total), labels, hmap, style, converted)
        if total.any()
        else {}
    )
    key_col = _key_column(hmap, kind)
    no_key = pc.is_null(_text(data, key_col)).to_numpy(zero_copy_only=False).copy()
    empty = _empty_rows(data, raw.columns, no_key)
    no_key &= ~empty
    values, bad = _metrics(data, hmap, style)
    if interactions:
        _clicks_of_click_campaigns(data, hmap, values, raw.notes)
    raw.notes.extend(_metric_like_unknowns(data, hmap))
    raw.notes.extend(competing_columns(data, hmap, style, raw.path))
    bad_rows, skipped = _skip_bad_numbers(data, bad, empty | no_key, raw.path, (hmap, style))
    key_word = kind.rstrip("s").replace("_", " ")
    skipped += _listed(data, empty, "empty row")
    skipped += _listed(data, no_key, f"no {key_word} (column '{key_col}' is empty)")
    cut = _cut_last_row(data, raw, kind, total.any()) & ~(empty | no_key | bad_rows)
    skipped += _listed(data, cut, CUT_REASON)
    skipped += _cut_trailer(raw, total.any())
    keep = ~(empty | no_key | bad_rows | cut)
    _drop_coarse_days(raw, hmap)
    table = _build_table(data, hmap, kind, values, keep, source, converted)
    return _report(raw, hmap, kind, table, file_totals, [*raw.skipped, *skipped])


CLICK_CAMPAIGN_TYPES = frozenset({"search", "performance_max", "smart", "shopping"})
"""Campaign types whose interactions are clicks (Google Ads: "the main user action associated
with an ad format: clicks for text and Shopping ads, views for video ads")."""


def _interactions_as_clicks(raw: RawTable, hmap: HeaderMap) -> bool:
    """A report with `Interactions` and no `Clicks` (the Google Ads UI shows Interactions when
    the view mixes campaign types): the interactions are read as clicks."""
    if "clicks" in hmap.columns or "interactions" not in hmap.columns:
        hmap.columns.pop("interactions", None)
        return False
    name = hmap.columns.pop("interactions")
    hmap.columns["clicks"] = name
    raw.notes.append(
        f"column '{name}' read as clicks: for Search campaigns an interaction is a click (the"
        " Google Ads view mixed campaign types, so it showed Interactions instead of Clicks)"
    )
    return True


def _clicks_of_click_campaigns(
    data: pd.DataFrame, hmap: HeaderMap, values: dict[str, pd.Series], notes: list[str]
) -> None:
    """Interactions of campaign types whose interactions are not clicks (video views,
    engagements) are not clicks: unknown for those rows, and noted."""
    if "campaign_type" not in hmap.columns or "clicks" not in values:
        return
    types = _map_values(_raw(data, hmap.columns["campaign_type"]), headers.campaign_type)
    other = pc.invert(pc.fill_null(pc.is_in(types, pa.array(sorted(CLICK_CAMPAIGN_TYPES))), True))
    mask = np.asarray(other.to_numpy(zero_copy_only=False), dtype=bool)
    if mask.any():
        values["clicks"] = values["clicks"].mask(mask)
        kinds = ", ".join(sorted(set(pc.filter(types, other).to_pylist()) - {None}))
        notes.append(
            f"{int(mask.sum()):,} row(s) of other campaign types ({kinds}): their"
            " interactions are views or engagements, not clicks, and count as no clicks"
        )


_NUMBER_CELL = re.compile(r"^\s*[-+−]?[\d.,\s\u00a0\u202f]*\d[\d.,\s\u00a0\u202f]*\s*%?\s*$")


def _metric_like_unknowns(data: pd.DataFrame, hmap: HeaderMap) -> list[str]:
    """A note naming each unknown column whose cells are numbers: a metric the alias table
    does not know (say a localized `Impressions`), which the audit then lacks."""
    notes = []
    sample = data.head(200)
    for name in hmap.unknown:
        if name not in sample.columns:
            continue
        cells = [str(c) for c in sample[name].dropna().tolist() if str(c).strip() not in ("", "--")]
        if cells and sum(bool(_NUMBER_CELL.match(c)) for c in cells) >= 0.9 * len(cells):
            notes.append(
                f"column '{name}' holds numbers but is not a column the auditor knows: it was"
                " not used (if it is impressions, clicks, cost or conversions under another"
                " name, the checks that need that metric did not run)"
            )
    return notes


CUT_REASON = "the last line stops mid-row (the file was cut short): its cells would shift"
TOO_LONG = f"a line over the {MAX_CELL >> 20} MiB a report row can have: not a report row"


def _cut_last_row(data: pd.DataFrame, raw: RawTable, kind: str, totals: bool) -> np.ndarray:
    """The last data row of a Google Ads download without its Total rows, when it has more
    empty cells than any other row: the download ended inside it."""
    out = np.zeros(len(data), dtype=bool)
    if totals or len(data) < 2 or not _google_ui(raw) or kind == schema.KIND_CAMPAIGNS:
        return out
    cols = [c for c in raw.columns if c in data.columns]
    empties = np.zeros(len(data), dtype=np.int64)
    for name in cols:
        empties += np.asarray(pc.is_null(_text(data, name)).to_numpy(zero_copy_only=False))
    last = int(np.argmax(data[LINE].to_numpy()))
    others = np.delete(empties, last)
    out[last] = empties[last] > others.max()
    return out


def _cut_trailer(raw: RawTable, totals: bool) -> list[SkippedRow]:
    """Lines after the data of a Google Ads download without Total rows: the cut-short last
    row (one cell, `medtech startu`), never a footer. Listed as skipped, taken off the trailer."""
    if totals or not _google_ui(raw) or not raw.trailer:
        return []
    cut = [
        SkippedRow(line, CUT_REASON if len(text) <= MAX_CELL else TOO_LONG)
        for line, text in raw.trailer
    ]
    raw.trailer = []
    return cut


DAY_AGGREGATIONS = frozenset({"daily", "hourly", "summary"})
"""Microsoft `Report Aggregation:` values whose TimePeriod cells name a day (`2026-04-01`,
hourly `2026-04-01|7`); Weekly / Monthly hold the first day of a week or month, Yearly a year,
DayOfWeek and HourOfDay a number (reporting-service docs, "Time Period Column")."""


def _coarse_periods(preamble: list[str]) -> str | None:
    """Microsoft's `Report Aggregation:` when its rows are not days (`Weekly`, ...), else None."""
    for line in preamble:
        found = re.match(r"(?i)report aggregation:\s*(\w+)", line.strip())
        if found and found.group(1).casefold() not in DAY_AGGREGATIONS:
            return found.group(1)
    return None


def _drop_coarse_days(raw: RawTable, hmap: HeaderMap) -> None:
    """A Microsoft time-period column of weeks, months, ... is not a day column: unmapped,
    and noted."""
    coarse = _coarse_periods(raw.preamble) if "day" in hmap.columns else None
    if coarse:
        name = hmap.columns.pop("day")
        raw.notes.append(
            f"column '{name}' holds {coarse.casefold()} periods (Report Aggregation: {coarse}),"
            " not days: the rows have no day"
        )


def _label_columns(raw: RawTable, hmap: HeaderMap) -> list[str]:
    """Where a `Total:` label can stand: every column but the metrics, in file order."""
    metrics = {hmap.columns[c] for c in NUMBER_COLUMNS if c in hmap.columns}
    return [c for c in raw.columns if c not in metrics]


def _build_table(
    data: pd.DataFrame,
    hmap: HeaderMap,
    kind: str,
    values: dict[str, pd.Series],
    keep: np.ndarray,
    source: int,
    converted: bool,
) -> pd.DataFrame:
    kept = _without(data, ~keep)
    text = _canonical_text(kept, hmap, kind)
    numbers = {
        col: _without(v, ~keep).to_numpy(dtype=np.float64)
        for col, v in _converted(values, converted).items()
    }
    if converted:
        text["currency"] = pa.nulls(len(kept), pa.large_string())
    if "day" in hmap.columns:
        day = _text(kept, hmap.columns["day"])
        days = pd.Series(pd.arrays.ArrowStringArray(day))
        numbers["day"] = parse_days(days, _day_first(hmap)).to_numpy()
    numbers[schema.LINE_COLUMN] = kept[LINE].to_numpy(dtype=np.int64)
    numbers[schema.SOURCE_COLUMN] = np.full(len(kept), source, dtype=np.int64)
    table = _canonical_frame(text, numbers, pd.RangeIndex(len(kept)))
    table.attrs["converted_currency"] = converted
    return table


def _mixed_currencies(data: pd.DataFrame, hmap: HeaderMap) -> bool:
    """Manager-account export with several currencies and converted-currency columns."""
    if "cost_converted" not in hmap.columns or "currency" not in hmap.columns:
        return False
    currencies = _map_values(_raw(data, hmap.columns["currency"]), str.upper)
    return len(pc.unique(pc.drop_null(currencies))) > 1


def _currency(table: pd.DataFrame, notes: list[str]) -> str | None:
    found = sorted(table["currency"].dropna().unique().tolist())
    if table.attrs.get("converted_currency"):
        notes.append(
            "several account currencies: cost and conversion value are taken from the"
            " '(converted currency)' columns (the manager account's currency)"
        )
        return None
    if len(found) > 1:
        notes.append(f"several currencies in one file ({', '.join(found)}): totals mix them")
        return None
    return found[0] if found else None


def _present(hmap: HeaderMap) -> frozenset[str]:
    cols = set(hmap.columns)
    if "cost_micros" in cols:
        cols.add("cost")
    return frozenset(c for c in schema.METRIC_COLUMNS if c in cols)


def _report(
    raw: RawTable,
    hmap: HeaderMap,
    kind: str,
    table: pd.DataFrame,
    file_totals: dict[str, dict[str, float]],
    skipped: list[SkippedRow],
) -> Report:
    present = _present(hmap)
    period, date_style = parse_period(raw.preamble, _day_first(hmap))
    notes = list(raw.notes)
    if period is None and table["day"].notna().any():
        days = table["day"].dropna()
        period = Period(days.min().date(), days.max().date())
    elif period is None:
        notes += _period_label_note(raw)
    check_period(period, raw.path)
    currency = _currency(table, notes)
    notes += _notes(raw, kind, table, present, file_totals, skipped)
    return Report(
        path=raw.path,
        kind=kind,
        format=_format_id(raw, hmap),
        table=table,
        columns_present=present,
        skipped=sorted(skipped, key=lambda s: s.line),
        unknown_columns=hmap.unknown,
        period=period,
        currency=currency,
        file_totals=file_totals,
        locale=_locale(hmap, date_style),
        notes=notes,
    )


def _day_first(hmap: HeaderMap) -> bool | None:
    """Slash dates' default order by the header's language: day first outside English (the
    data decides first: `auditor.readers.dates.slash_order`)."""
    return True if hmap.language != "en" else None


def _period_label_note(raw: RawTable) -> list[str]:
    """A Google Ads download whose period line names no dates (`All time`, `Last 30 days`)."""
    lines = [line.strip().strip('"') for line in raw.preamble if line.strip()]
    if not _google_ui(raw) or len(lines) < 2:
        return []
    return [
        f"the period line says {lines[1][:40]!r}, not dates: the period is unknown (download"
        " the report with a custom date range, or with a Day column, to know it)"
    ]


FIRST_YEAR, LAST_YEAR = 2000, 2100
"""Report dates outside these years are not real (Google's ad platform opened in 2000)."""
MAX_PERIOD_DAYS = 25 * 366


def check_period(period: Period | None, path: Path) -> None:
    """InputError for a period no report can cover: reversed, over 25 years, or outside
    2000-2100 (a typo'd year would turn every daily figure into noise)."""
    if period is None:
        return
    span = f"{period.start.isoformat()} to {period.end.isoformat()}"
    if period.end < period.start:
        raise InputError(f"the report period {span} ends before it starts", path=path)
    if period.days > MAX_PERIOD_DAYS or not (
        period.start.year >= FIRST_YEAR and period.end.year <= LAST_YEAR
    ):
        raise InputError(
            f"the report period {span} ({period.days:,} days) is not a real report period",
            path=path,
        )


def allowance(rows: int) -> float:
    """How far summed rows may differ from a file total: rows are rounded to the cent and the
    total is not, so each row adds up to half a cent of error, uniformly: the sum of `rows`
    roundings has a standard deviation of 0.01 / sqrt(12) x sqrt(rows) (0.12 for 1,756 rows).
    Allowed: three of those, at least one cent."""
    return max(0.01, 3 * 0.01 / math.sqrt(12) * math.sqrt(rows))


def _notes(
    raw: RawTable,
    kind: str,
    table: pd.DataFrame,
    present: frozenset[str],
    file_totals: dict[str, dict[str, float]],
    skipped: list[SkippedRow],
) -> list[str]:
    notes: list[str] = []
    if not len(table) and not skipped:
        notes.append(
            "the report has a header but no data rows: nothing was bought in this period"
            " (or the download was filtered to nothing)"
        )
    if kind == schema.KIND_SEARCH_TERMS:
        for col, effect in MISSING_METRIC_EFFECT.items():
            if col not in present:
                notes.append(f"no {METRIC_WORDS[col]} column: {effect}")
        label = "search_terms" if "search_terms" in file_totals else "filtered_search_terms"
        notes += _check_totals(table, present, file_totals.get(label, {}), skipped, label)
        cut = [s.line for s in skipped if "cut short" in s.reason or s.reason == TOO_LONG]
        if cut and not file_totals:
            notes.append(
                "the file was cut short: it ends inside a row (line"
                f" {', '.join(map(str, cut))}, listed as skipped) and without the Total rows"
                " Google Ads downloads end with; its totals could not be checked"
            )
        elif len(table) and not file_totals and _google_ui(raw):
            notes.append(
                "no Total rows at the end: Google Ads downloads always end with them, so this"
                " file may be cut short (or was edited); its totals could not be checked"
            )
    notes += _preamble_notes(raw.preamble, len(table) + len(skipped))
    other = [t for _, t in raw.trailer if "microsoft" not in t.casefold()]
    if other:
        lines = ", ".join(str(n) for n, t in raw.trailer if t in other)
        notes.append(f"lines after the data were not read (line {lines}): {other[0][:60]!r}")
    return notes


def _google_ui(raw: RawTable) -> bool:
    """A Google Ads interface download: a title (and date) line above the header; Microsoft's
    preamble lines are `Key: value` pairs."""
    lines = [line.strip() for line in raw.preamble if line.strip()]
    return bool(lines) and not re.match(r"(?i)report name\s*:", lines[0])


def _preamble_notes(preamble: list[str], rows: int) -> list[str]:
    """Microsoft's `Rows: N` (a cut-short download) and `Potential Incomplete Data: true`."""
    notes = []
    for line in preamble:
        found = re.match(r"(?i)rows:\s*([\d,.\s]+)$", line.strip())
        if found:
            said = int(re.sub(r"\D", "", found.group(1)) or 0)
            if said != rows:
                notes.append(
                    f"the file says 'Rows: {said:,}' but {rows:,} data rows were found:"
                    " the download may be cut short"
                )
        if re.match(r"(?i)potential incomplete data:\s*true", line.strip()):
            notes.append(
                "Microsoft marks this data as potentially incomplete: the last days may still"
                " change"
            )
    return notes


def _check_totals(
    table: pd.DataFrame,
    present: frozenset[str],
    total: dict[str, float],
    skipped: list[SkippedRow],
    label: str = "search_terms",
) -> list[str]:
    """A note per metric whose rows disagree with the file's `Total: Search terms` (or
    `Total: Filtered search terms`, which a filtered table shows instead)."""
    notes = []
    limit = allowance(len(table))
    for metric in ("cost", "clicks", "impressions", "conversions", "conversion_value"):
        if metric not in present or metric not in total:
            continue
        summed = float(table[metric].sum())
        if abs(summed - total[metric]) <= limit + 1e-6:
            continue
        why = f"; {len(skipped)} skipped row(s) may explain it" if skipped else ""
        notes.append(
            f"rows sum to {METRIC_WORDS[metric].lower()} {summed:,.2f}, the file's"
            f" 'Total: {label.replace('_', ' ').capitalize()}' says {total[metric]:,.2f}:"
            " they disagree by"
            f" {abs(summed - total[metric]):,.2f} (allowed {limit:,.2f}){why}"
        )
    return notes
