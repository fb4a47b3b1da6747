"""The shop's own orders per day, the source of truth for tracking QA (`kind = "orders"`).

Accepted files: a header with a date column and an orders (count) column, optionally revenue
and currency, in English, Swedish, Norwegian, Danish or German (`Date, Orders, Revenue`;
Shopify's `Day, Orders, Total sales`; `Datum;Ordrar;Omsättning`), no report metrics (clicks,
impressions). Several rows of one day (e.g. one per channel or store) are summed by the checks.

The table (canonical columns of `auditor.schema`, plus extras):
- `day` (datetime64), `currency` (upper case, from a currency column if any);
- extras `orders` and `revenue` (float64; revenue NaN when the file has none).
Rows with a count or revenue that is not a number, or a date that is not a date, are skipped
and listed; a row without a date is skipped too (it cannot be matched to the platform's day).
"""

from __future__ import annotations

import pandas as pd

from auditor import schema
from auditor.errors import InputError
from auditor.model import Period, Report, SkippedRow
from auditor.readers.conversions import REPORT_COLUMNS, column_map, parse_dates
from auditor.readers.tabular import (
    LINE,
    RawTable,
    detect_number_style,
    normalise_name,
    parse_numbers,
)

FORMAT = "orders_csv"
ALIASES: dict[str, tuple[str, ...]] = {
    "day": ("Date", "Day", "Order date", "Datum", "Dato", "Dag", "Tag", "Bestelldatum"),
    "orders": (
        "Orders",
        "Order count",
        "Number of orders",
        "Total orders",
        "Transactions",
        "Purchases",
        "Ordrar",
        "Antal ordrar",
        "Ordrer",
        "Antall ordrer",
        "Antal ordrer",
        "Bestellungen",
        "Anzahl Bestellungen",
    ),
    "revenue": (
        "Revenue",
        "Total sales",
        "Sales",
        "Gross sales",
        "Net sales",
        "Order value",
        "Total revenue",
        "Purchase revenue",
        "Omsättning",
        "Intäkter",
        "Försäljning",
        "Omsetning",
        "Salg",
        "Omsætning",
        "Umsatz",
        "Erlös",
    ),
    "currency": ("Currency", "Currency code", "Valuta", "Valutakod", "Währung"),
}
_KEYS = {col: frozenset(normalise_name(n) for n in names) for col, names in ALIASES.items()}


def looks_like(header: list[str]) -> bool:
    """A date and an orders column, and no report metrics."""
    found = column_map(header, _KEYS)
    report = any(normalise_name(h) in REPORT_COLUMNS for h in header)
    return {"day", "orders"} <= set(found) and not report


def _skip(raw: RawTable, mask: pd.Series, column: str, kind: str) -> list[SkippedRow]:
    bad = raw.rows.loc[mask, [LINE, column]]
    return [
        SkippedRow(int(line), f"column '{column}': {value!r} is {kind}")
        for line, value in zip(bad[LINE], bad[column], strict=True)
    ]


def from_raw(raw: RawTable, source: int) -> Report:
    """The orders file as a Report of kind `orders`; InputError if it is not one."""
    if not looks_like(raw.header):
        raise InputError(
            "not a shop orders file: needs a date column and an orders column, e.g."
            f" 'Date, Orders, Revenue' (header: {', '.join(raw.header[:8])})",
            path=raw.path,
            line=raw.header_line,
        )
    found = column_map(raw.header, _KEYS)
    rows = raw.rows
    names = {c: raw.columns[i] for c, i in found.items()}
    style = detect_number_style([rows[names[c]] for c in ("orders", "revenue") if c in names])
    table = pd.DataFrame(index=rows.index)
    skipped = list(raw.skipped)
    bad = pd.Series(False, index=rows.index)
    table["day"], garbage = parse_dates(rows[names["day"]])
    skipped += _skip(raw, garbage, names["day"], "not a date")
    no_date = table["day"].isna() & ~garbage
    skipped += _skip(raw, no_date, names["day"], "empty: the row has no date")
    bad |= garbage | no_date
    for col in ("orders", "revenue"):
        if col not in names:
            table[col] = float("nan")
            continue
        table[col], garbage = parse_numbers(rows[names[col]], style)
        skipped += _skip(raw, garbage & ~bad, names[col], "not a number")
        bad |= garbage
    currency = rows[names["currency"]].str.strip().str.upper() if "currency" in names else None
    table["currency"] = currency.mask(currency == "") if currency is not None else pd.NA
    table[schema.LINE_COLUMN] = rows[LINE].astype("int64")
    table[schema.SOURCE_COLUMN] = source
    table = schema.conform(table.loc[~bad])
    return _report(raw, table, set(found.values()), sorted(skipped, key=lambda s: s.line))


def _report(
    raw: RawTable, table: pd.DataFrame, used: set[int], skipped: list[SkippedRow]
) -> Report:
    days = table["day"].dropna()
    currencies = table["currency"].dropna().unique()
    notes = list(raw.notes)
    if not len(table):
        notes.append("the orders file holds no days")
    return Report(
        path=raw.path,
        kind=schema.KIND_ORDERS,
        format=FORMAT,
        table=table,
        columns_present=frozenset(),
        skipped=skipped,
        unknown_columns=[h for i, h in enumerate(raw.header) if i not in used],
        period=Period(days.min().date(), days.max().date()) if len(days) else None,
        currency=str(currencies[0]) if len(currencies) == 1 else None,
        notes=notes,
    )
