"""Dates in report preambles and Day columns, in the styles the platforms write them.

Understood: ISO `2026-05-01`; US month names `January 28, 2026` / `Jan 28, 2026`; day first
`1 May 2026`, `28. Januar 2026`, `1 maj 2026`, old AdWords `05-May-2017` (month names of
`headers.toml`); numeric `5/1/2026` (month first as Microsoft and US English write it; day
first, `13/1/2026`, when the data or the file's language says so: `slash_order`) and
`01.05.2026` (day.month.year, German and Nordic). A range line holds two of them (`A - B`, `A – B`,
`A to B`, `A,B`); a line with one date is a single-day period.
"""

from __future__ import annotations

import re
from datetime import date

import pandas as pd

from auditor.model import Period
from auditor.readers.headers import table
from auditor.readers.tabular import normalise_name

_NOT_PERIOD = ("last completed", "download", "time zone", "generated")
_MONTH = r"([^\W\d_]{3,10})\.?"
_SLASH = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("iso", re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")),
    ("mdy_name", re.compile(_MONTH + r"\s+(\d{1,2}),?\s+(\d{4})")),
    ("dmy_name", re.compile(r"(\d{1,2})\.?\s+" + _MONTH + r",?\s+(\d{4})")),
    ("dmy_dash", re.compile(r"(\d{1,2})-" + _MONTH + r"-(\d{4})")),
    ("mdy_slash", _SLASH),
    ("dmy_dot", re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")),
)


def _month(name: str) -> int | None:
    return table().months.get(normalise_name(name))


def _build(style: str, parts: tuple[str, ...], day_first: bool | None = None) -> date | None:
    if style == "mdy_slash" and day_first is None:
        return _build(style, parts, False) or _build(style, parts, True)
    try:
        if style == "iso":
            return date(int(parts[0]), int(parts[1]), int(parts[2]))
        if style == "mdy_name":
            month = _month(parts[0])
            return date(int(parts[2]), month, int(parts[1])) if month else None
        if style in ("dmy_name", "dmy_dash"):
            month = _month(parts[1])
            return date(int(parts[2]), month, int(parts[0])) if month else None
        if style == "mdy_slash" and not day_first:
            return date(int(parts[2]), int(parts[0]), int(parts[1]))
        return date(int(parts[2]), int(parts[1]), int(parts[0]))
    except ValueError:
        return None


def find_dates(text: str, day_first: bool | None = None) -> list[tuple[int, date, str]]:
    """Every date in `text` as (position, date, style), in text order, not overlapping.

    Slash dates (`5/1/2026`) are month first when `day_first` is False, day first when True;
    None: month first unless that is no date (`13/1/2026` is 13 January)."""
    found: list[tuple[int, int, date, str]] = []
    for style, pattern in _PATTERNS:
        for m in pattern.finditer(text):
            if any(s < m.end() and m.start() < e for s, e, _, _ in found):
                continue
            day = _build(style, m.groups(), day_first)
            if day is not None:
                found.append((m.start(), m.end(), day, style))
    return [(s, d, style) for s, _, d, style in sorted(found, key=lambda f: f[0])]


def parse_period(
    lines: list[str], day_first: bool | None = None
) -> tuple[Period | None, str | None]:
    """(period, date style) from the first preamble line that holds one or two dates.

    The period is returned as written (a reversed one is refused by the reader, not swapped).
    Lines that describe when the file was made (`Report Time:` of a single day in
    Microsoft's API files, `Last Completed Available Day:`, `Downloaded`) are not periods
    unless they hold a range.
    """
    for line in lines:
        dates = find_dates(line, slash_order([line], day_first))
        if not dates:
            continue
        lowered = line.casefold()
        if len(dates) == 1 and any(
            w in lowered for w in ("last completed", "download", "time zone")
        ):
            continue
        start, end = dates[0][1], dates[min(1, len(dates) - 1)][1]
        return Period(start, end), dates[0][2]
    return None, None


def slash_order(texts: list[str], default: bool | None = None) -> bool | None:
    """Whether the slash dates among `texts` are day first, decided by the data: a first part
    above 12 means day first (`13/1/2026`), a second part above 12 month first (`1/13/2026`);
    else `default` (the file's locale: day first outside US English)."""
    firsts, seconds = [], []
    for text in texts:
        for m in _SLASH.finditer(text):
            firsts.append(int(m.group(1)))
            seconds.append(int(m.group(2)))
    if any(f > 12 for f in firsts) and not any(s > 12 for s in seconds):
        return True
    if any(s > 12 for s in seconds) and not any(f > 12 for f in firsts):
        return False
    return default


def parse_days(values: pd.Series, day_first: bool | None = None) -> pd.Series:
    """Day cells -> datetime64[ns] (NaT where not a date), parsed once per distinct value;
    slash dates in the order `slash_order` finds in the column (`day_first` as its default)."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    texts = [str(t) for t in uniques]
    order = slash_order(texts, day_first)
    parsed = []
    for text in texts:
        found = find_dates(text, order)
        parsed.append(pd.Timestamp(found[0][1]) if found else pd.NaT)
    lookup = pd.Series([*parsed, pd.NaT], dtype="datetime64[ns]")
    return pd.Series(lookup.to_numpy()[codes], index=values.index, dtype="datetime64[ns]")
