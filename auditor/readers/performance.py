"""Performance reports -> canonical table: search terms, keywords, campaigns.

The steps: `columns` (which file column is which canonical one), `text` (text cells -> canonical
values), `figures` (metric cells -> numbers, the file's Total rows), then this module: the kind
of report, the rows kept and skipped, the canonical table and the notes. Over 500 lines: the
checks of a whole report (cut short, coarse periods, Smart campaigns' interactions, currencies)
read together with `from_raw`, which runs them in order.

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

import re
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
from auditor.readers.columns import NUMBER_COLUMNS, HeaderMap, map_header
from auditor.readers.dates import parse_days, parse_period
from auditor.readers.figures import (
    METRIC_WORDS,
    _check_totals,
    _converted,
    _file_totals,
    _metrics,
    _rows_where,
    _skip_bad_numbers,
    _style,
    _total_mask,
    competing_columns,
)
from auditor.readers.tabular import LINE, MAX_CELL, RawTable
from auditor.readers.text import (
    _canonical_frame,
    _canonical_text,
    _map_values,
    _raw,
    _text,
    nulls,
)

ACTIVITY = ("clicks", "cost", "impressions")
"""A search-terms report needs at least one of these to be audited."""
Frame = TypeVar("Frame", pd.DataFrame, pd.Series)
MISSING_METRIC_EFFECT = {
    "conversions": "conversion-based checks (CPA, zero-conversion spend, harvesting) cannot run",
    "conversion_value": "value-based checks (ROAS, POAS) cannot run",
    "cost": "spend-based checks cannot run",
    "clicks": "click-based checks (CVR, expected conversions) cannot run",
    "impressions": "impression-based checks (CTR) cannot run",
}


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


def _without(rows: Frame, mask: np.ndarray) -> Frame:
    """`rows` without the masked ones; a cheap slice when they are all at the end."""
    if not mask.any():
        return rows
    first = int(np.argmax(mask))
    if mask[first:].all():
        return rows.iloc[:first]
    return rows.loc[~mask]


_KEYS = {
    schema.KIND_SEARCH_TERMS: "search_term",
    schema.KIND_KEYWORDS: "keyword",
    schema.KIND_CAMPAIGNS: "campaign",
}
"""The column a row of each kind of report cannot be without."""


def _key_column(hmap: HeaderMap, kind: str) -> str:
    return hmap.columns[_KEYS[kind]]


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
    key_text = _text(data, key_col)
    no_key = pc.is_null(key_text).to_numpy(zero_copy_only=False).copy()
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
    known = {_KEYS[kind]: key_text if keep.all() else pc.filter(key_text, pa.array(keep))}
    table = _build_table(data, hmap, kind, values, keep, source, converted, known)
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
    known: dict[str, pa.Array | pa.ChunkedArray],
) -> pd.DataFrame:
    """The canonical table of the kept rows; `known`: text columns already made for them."""
    kept = _without(data, ~keep)
    text = _canonical_text(kept, hmap, kind, known)
    numbers = {
        col: _without(v, ~keep).to_numpy(dtype=np.float64)
        for col, v in _converted(values, converted).items()
    }
    if converted:
        text["currency"] = nulls(len(kept))
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
