"""Conversion-level exports: one row per recorded conversion (`kind = "conversions"`).

Accepted files: the Google Ads offline-conversion / conversion-adjustment layout (`Google Click
ID, Conversion Name, Conversion Time, Conversion Value, Conversion Currency, Order ID`, with or
without its `Parameters:TimeZone=...` line), GA4 or shop transaction lists (`Transaction ID`,
`Date`, `Purchase revenue`), Microsoft's `Microsoft Click ID`, and the same in Swedish,
Norwegian, Danish or German. A file is taken for a conversion export when its header has a
transaction / order ID or a click ID, plus a conversion action, value or time, and no report
metrics (clicks, impressions).

The table (canonical columns of `auditor.schema`, plus the extras below):
- `conversion_action`, `conversion_category`, `campaign`, `currency` (upper case) as given;
  `conversion_action` is empty when the file names none.
- `conversions`: the file's count column if it has one (fractional attribution), else 1.0.
- `conversion_value`: NaN where the file leaves it empty (a *missing* value, not zero).
- `day`: the date of the conversion time.
- extras: `transaction_id` and `gclid` (strings, <NA> when empty), `conversion_time`
  (datetime64, time-zone suffixes dropped: the time as the account sees it).
Rows with a value that is not a number or a time that is not a date are skipped and listed.
"""

from __future__ import annotations

import re

import pandas as pd

from auditor import schema
from auditor.errors import InputError
from auditor.model import Period, Report, SkippedRow
from auditor.readers.numbers import detect_number_style, parse_numbers
from auditor.readers.tabular import LINE, RawTable, normalise_name

FORMAT = "conversions_csv"
ALIASES: dict[str, tuple[str, ...]] = {
    "transaction_id": (
        "Transaction ID",
        "Order ID",
        "Order number",
        "Order no",
        "Order",
        "Ordernummer",
        "Order-ID",
        "Transaktions-ID",
        "Ordre-ID",
        "Ordrenummer",
        "Bestellnummer",
        "Transaktionsnummer",
        "Conversion ID",
    ),
    "gclid": (
        "Google Click ID",
        "GCLID",
        "Click ID",
        "Microsoft Click ID",
        "MSCLKID",
        "GBRAID",
        "WBRAID",
    ),
    "conversion_action": (
        "Conversion action",
        "Conversion name",
        "Conversion action name",
        "Action",
        "Event name",
        "Konverteringsåtgärd",
        "Konverteringshandling",
        "Conversion-Aktion",
        "Goal",
        "segments.conversion_action_name",
    ),
    "conversion_category": (
        "Conversion category",
        "Conversion action category",
        "Category",
        "Konverteringskategori",
        "Conversion-Kategorie",
        "segments.conversion_action_category",
    ),
    "conversion_time": (
        "Conversion time",
        "Conversion date time",
        "Time",
        "Timestamp",
        "Date time",
        "Date",
        "Day",
        "Konverteringstid",
        "Tidpunkt",
        "Tidspunkt",
        "Datum",
        "Dato",
        "Conversion-Zeit",
        "Zeitpunkt",
    ),
    "conversion_value": (
        "Conversion value",
        "Value",
        "Conv. value",
        "Revenue",
        "Purchase revenue",
        "Order value",
        "Konverteringsvärde",
        "Konv.värde",
        "Värde",
        "Verdi",
        "Værdi",
        "Konverteringsverdi",
        "Konverteringsværdi",
        "Conversion-Wert",
        "Wert",
    ),
    "currency": (
        "Conversion currency",
        "Currency",
        "Currency code",
        "Valuta",
        "Valutakod",
        "Valutakode",
        "Währung",
        "Währungscode",
    ),
    "campaign": ("Campaign", "Campaign name", "Kampanj", "Kampanje", "Kampagne"),
    "conversions": ("Conversions", "Conversion count", "Konverteringar", "Konverteringer"),
}
REPORT_COLUMNS = frozenset(
    normalise_name(n)
    for n in ("Clicks", "Impressions", "Impr.", "Klick", "Klikk", "Klik", "Klicks", "Search term")
)
_TZ_SUFFIX = re.compile(r"(?:\s*(?:[+-]\d{2}:?\d{2}|Z|UTC|GMT)|\s+[A-Za-z]+/[A-Za-z_]+)$")


def alias_keys(aliases: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    """The aliases as header-matching keys (`normalise_name`), in order of preference."""
    return {col: tuple(normalise_name(n) for n in names) for col, names in aliases.items()}


def column_map(header: list[str], aliases: dict[str, tuple[str, ...]]) -> dict[str, int]:
    """Canonical name -> index of the header cell of its most preferred alias present."""
    keys = {normalise_name(h): i for i, h in reversed(list(enumerate(header)))}
    found: dict[str, int] = {}
    for col, names in aliases.items():
        index = next((keys[n] for n in names if n in keys), None)
        if index is not None:
            found[col] = index
    return found


_KEYS = alias_keys(ALIASES)


def _is_report(header: list[str]) -> bool:
    return any(normalise_name(h) in REPORT_COLUMNS for h in header)


def looks_like(header: list[str]) -> bool:
    """A transaction or click ID, plus an action, value or time; no report metrics."""
    found = column_map(header, _KEYS)
    ids = "transaction_id" in found or "gclid" in found
    facts = {"conversion_action", "conversion_value", "conversion_time"} & set(found)
    return ids and bool(facts) and not _is_report(header)


def parse_dates(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(datetime64 values, bool mask of cells present but not a date), vectorised.

    ISO (`2026-10-13`, `2026-10-13 14:22:05+02:00`, `2026-10-13T14:22:05Z`), compact
    `20261013` (GA4), `13.10.2026`, and `10/13/2026` or `13/10/2026` (day first when any first
    part is above 12, or the dots say so). A time-zone suffix is dropped.
    """
    text = values.astype(schema.STRING_DTYPE).str.strip().fillna("")
    text = text.str.replace(_TZ_SUFFIX, "", regex=True).str.replace("T", " ", regex=False)
    present = text != ""
    parsed = pd.to_datetime(text.where(present), errors="coerce", format="ISO8601")
    for fmt in _fallback_formats(text.loc[present & parsed.isna()]):
        retry = present & parsed.isna()
        if not retry.any():
            break
        parsed = parsed.fillna(pd.to_datetime(text.where(retry), errors="coerce", format=fmt))
    bad = present & parsed.isna()
    return parsed.astype("datetime64[ns]"), bad


def _fallback_formats(text: pd.Series) -> list[str]:
    if not len(text):
        return []
    first = pd.to_numeric(text.str.extract(r"^(\d{1,2})[/.]", expand=False), errors="coerce")
    day_first = bool((first > 12).any()) or bool(text.str.contains(r"^\d{1,2}\.", regex=True).any())
    slash = (
        ["%d/%m/%Y", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M"]
        if day_first
        else ["%m/%d/%Y", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %H:%M"]
    )
    dots = ["%d.%m.%Y", "%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M"]
    return ["%Y%m%d", *dots, *slash, "mixed"]


def _text(raw: RawTable, found: dict[str, int], col: str) -> pd.Series:
    if col not in found:
        return pd.Series(pd.NA, index=raw.rows.index, dtype=schema.STRING_DTYPE)
    values = raw.rows[raw.columns[found[col]]].astype(schema.STRING_DTYPE).str.strip()
    return values.mask(values == "")


def _skip(raw: RawTable, mask: pd.Series, column: str, kind: str) -> list[SkippedRow]:
    """One SkippedRow per bad cell (vectorised selection; the list is only of bad rows)."""
    bad = raw.rows.loc[mask, [LINE, column]]
    return [
        SkippedRow(int(line), f"column '{column}': {value!r} is not {kind}")
        for line, value in zip(bad[LINE], bad[column], strict=True)
    ]


def from_raw(raw: RawTable, source: int) -> Report:
    """The export as a Report of kind `conversions`; InputError if it is not one."""
    found = column_map(raw.header, _KEYS)
    if not looks_like(raw.header):
        raise InputError(
            "not a conversion export: needs a transaction/order ID or click ID column and a"
            " conversion action, value or time column (header: "
            f"{', '.join(raw.header[:8])})",
            path=raw.path,
            line=raw.header_line,
        )
    rows = raw.rows
    style = detect_number_style(
        [rows[raw.columns[found[c]]] for c in ("conversion_value", "conversions") if c in found]
    )
    table = pd.DataFrame(
        {
            c: _text(raw, found, c)
            for c in (
                "conversion_action",
                "conversion_category",
                "campaign",
                "transaction_id",
                "gclid",
            )
        }
    )
    table["currency"] = _text(raw, found, "currency").str.upper()
    skipped = list(raw.skipped)
    bad = pd.Series(False, index=rows.index)
    for col in ("conversion_value", "conversions"):
        if col in found:
            name = raw.columns[found[col]]
            table[col], garbage = parse_numbers(rows[name], style)
            skipped += _skip(raw, garbage, name, "a number")
            bad |= garbage
    if "conversions" not in found:
        table["conversions"] = 1.0
    if "conversion_value" not in found:
        table["conversion_value"] = float("nan")
    if "conversion_time" in found:
        name = raw.columns[found["conversion_time"]]
        table["conversion_time"], garbage = parse_dates(rows[name])
        skipped += _skip(raw, garbage & ~bad, name, "a date")
        bad |= garbage
    else:
        table["conversion_time"] = pd.Series(pd.NaT, index=rows.index, dtype="datetime64[ns]")
    table["day"] = table["conversion_time"].dt.normalize()
    table[schema.LINE_COLUMN] = rows[LINE].astype("int64")
    table[schema.SOURCE_COLUMN] = source
    table = schema.conform(table.loc[~bad])
    return _report(raw, table, found, sorted(skipped, key=lambda s: s.line))


def _report(
    raw: RawTable, table: pd.DataFrame, found: dict[str, int], skipped: list[SkippedRow]
) -> Report:
    days = table["day"].dropna()
    period = Period(days.min().date(), days.max().date()) if len(days) else None
    currencies = table["currency"].dropna().unique()
    used = set(found.values())
    notes = list(raw.notes)
    if not len(table):
        notes.append("the conversion export holds no conversions")
    present = {"conversions"} | ({"conversion_value"} if "conversion_value" in found else set())
    return Report(
        path=raw.path,
        kind=schema.KIND_CONVERSIONS,
        format=FORMAT,
        table=table,
        columns_present=frozenset(present),
        skipped=skipped,
        unknown_columns=[h for i, h in enumerate(raw.header) if i not in used],
        period=period,
        currency=str(currencies[0]) if len(currencies) == 1 else None,
        notes=notes,
    )
