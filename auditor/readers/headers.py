"""The header alias table (`headers.toml`) loaded once into lookup dictionaries.

Everything language-specific the readers know (column names, `Total:` labels, match-type and
status words, month names) lives in `headers.toml`; this module only indexes it by
`normalise_name`.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from auditor import schema
from auditor.readers.tabular import normalise_name

TABLE_PATH = Path(__file__).with_name("headers.toml")
LANGUAGES = ("en", "sv", "nb", "da", "de")
"""Sections of `[columns]` that are human languages (they decide Report.locale)."""
API_SECTIONS = ("google_api", "microsoft_api")


@dataclass(frozen=True)
class HeaderTable:
    """The alias table indexed by normalised name."""

    canonical: dict[str, str]
    """normalised header -> canonical column name."""
    sections: dict[str, frozenset[str]]
    """normalised header -> the `[columns.*]` sections that list it."""
    ignored: frozenset[str]
    total_prefix: re.Pattern[str]
    total_labels: dict[str, str]
    match_words: dict[str, tuple[str, ...]]
    statuses: dict[str, str]
    keyword_statuses: dict[str, str]
    campaign_types: dict[str, str]
    months: dict[str, int]


def _index(groups: dict[str, list[str]]) -> dict[str, str]:
    return {normalise_name(name): key for key, names in groups.items() for name in names}


@cache
def table() -> HeaderTable:
    """The parsed alias table; a conflicting alias (one name, two meanings) is a bug."""
    data = tomllib.loads(TABLE_PATH.read_text(encoding="utf-8"))
    canonical: dict[str, str] = {}
    sections: dict[str, set[str]] = {}
    for section, columns in data["columns"].items():
        for column, names in columns.items():
            for name in names:
                key = normalise_name(name)
                if canonical.setdefault(key, column) != column:
                    raise ValueError(
                        f"headers.toml: {name!r} maps to {canonical[key]} and {column}"
                    )
                sections.setdefault(key, set()).add(section)
    return HeaderTable(
        canonical=canonical,
        sections={k: frozenset(v) for k, v in sections.items()},
        ignored=frozenset(normalise_name(n) for n in data["ignored"]["names"]),
        total_prefix=re.compile(_total_start(data["totals"]["prefixes"]) + r"\s*(.*)$"),
        total_labels=_index(data["totals"]["labels"]),
        match_words={k: tuple(v) for k, v in data["match_types"].items()},
        statuses=_index(data["statuses"]),
        keyword_statuses=_index(data["keyword_statuses"]),
        campaign_types=_index(data["campaign_types"]),
        months={normalise_name(n): int(m) for m, names in data["months"].items() for n in names},
    )


def _total_start(prefixes: list[str]) -> str:
    """Pattern of the start of a total cell: `Total:` in any case (the current UI), or
    `Total - ` capitalised as listed (the old AdWords downloads: `Total - all but deleted
    campaigns`); a lower-case search term such as `total - gym` is never a total."""
    words = "|".join(re.escape(p) for p in prefixes)
    return rf"^\s*(?:(?i:{words})\s*:|(?:{words})\s+-\s)"


@cache
def total_prefixes() -> tuple[str, ...]:
    """The words before the colon of a total row (`Total`, `Totalt`, `I alt`, ...)."""
    data = tomllib.loads(TABLE_PATH.read_text(encoding="utf-8"))
    return tuple(data["totals"]["prefixes"])


@cache
def total_prefix_pattern() -> str:
    """RE2-compatible pattern of the start of a total cell (for pyarrow.compute)."""
    return _total_start(list(total_prefixes()))


def total_label(label: str) -> str:
    """Canonical label of a `Total: <label>` row: `search_terms`, `other_search_terms`, ..."""
    key = normalise_name(label)
    known = table().total_labels.get(key)
    if known:
        return known
    return re.sub(r"[^0-9a-z]+", "_", label.strip().casefold()).strip("_") or "total"


def match_type(value: str) -> str:
    """Canonical search-term match type (`schema.MATCH_*`) of a cell in any language."""
    words = table().match_words
    text = " ".join(re.sub(r"[^\w]+", " ", value.casefold()).split())
    flat = text.replace(" ", "")
    if not text:
        return schema.MATCH_OTHER
    for kind, const in (("performance_max", schema.MATCH_PMAX), ("ai_max", schema.MATCH_AI_MAX)):
        if any(w.replace("_", " ") in text or w in flat for w in words[kind]):
            return const
    variant = any(w.replace("_", " ") in text for w in words["close_variant"])
    for kind, base, cv in (
        ("exact", schema.MATCH_EXACT, schema.MATCH_EXACT_CV),
        ("phrase", schema.MATCH_PHRASE, schema.MATCH_PHRASE_CV),
        ("broad", schema.MATCH_BROAD, schema.MATCH_BROAD),
    ):
        if any(flat.startswith(w.replace(" ", "")) or w in text for w in words[kind]):
            near = variant or flat.startswith("near")
            return cv if near else base
    return schema.MATCH_OTHER


def keyword_match_type(value: str) -> str | None:
    """`exact`, `phrase` or `broad` for a keyword match-type cell; None when not one."""
    kind = match_type(value)
    return {
        schema.MATCH_EXACT: schema.MATCH_EXACT,
        schema.MATCH_EXACT_CV: schema.MATCH_EXACT,
        schema.MATCH_PHRASE: schema.MATCH_PHRASE,
        schema.MATCH_PHRASE_CV: schema.MATCH_PHRASE,
        schema.MATCH_BROAD: schema.MATCH_BROAD,
    }.get(kind)


def status(value: str) -> str | None:
    """Canonical Added/Excluded status (`schema.STATUS_*`), None when not understood."""
    return table().statuses.get(normalise_name(value))


def campaign_type(value: str) -> str:
    """`search`, `performance_max`, `smart`, ... (localized and API names); else a slug."""
    known = table().campaign_types.get(normalise_name(value))
    return known or re.sub(r"[^0-9a-z]+", "_", value.casefold()).strip("_")


def keyword_status(value: str) -> str | None:
    """`enabled`, `paused` or `removed`, None when not understood."""
    return table().keyword_statuses.get(normalise_name(value))
