"""Which file column is which canonical column: every header cell matched against the alias
table (`headers.toml`), the file's language, platform and API style read from its header, and the
columns worth parsing (dictionary-encoded where few values repeat).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from auditor import schema
from auditor.readers import headers
from auditor.readers.tabular import RawTable, normalise_name, unique_names

NUMBER_COLUMNS = (
    *schema.METRIC_COLUMNS,
    "cost_micros",
    "cost_converted",
    "conversion_value_converted",
)


MS_MARKERS = frozenset({"spend", "deliveredmatchtype", "bidmatchtype", "searchquery"})


PREFERRED = frozenset({"conversionsqualified", "allconversionsqualified"})
"""Microsoft API columns that replace another alias of theirs in the same file: `Conversions`
and `AllConversions` are deprecated since 2022 and report 0 (reporting-service docs)."""


FALLBACK = frozenset({"accountnumber"})
"""Aliases that give way to a later alias of the same column (Microsoft's `Account number` is
an id like `F1234567`; `Account name` / `Account` is the name)."""


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
