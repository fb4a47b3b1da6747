"""The shop's own orders, the source of truth for tracking QA (`kind = "orders"`).

Two layouts, in English, Swedish, Norwegian, Danish or German:
- **per day**: a date column and an orders (count) column, optionally revenue and currency
  (`Date, Orders, Revenue`; Shopify's analytics `Day, Orders, Total sales`;
  `Datum;Ordrar;Omsättning`). Detected from the header (no report metrics such as clicks).
  Several rows of one day (one per channel or store) are summed by the checks.
- **per order** (given with `--orders` only: its header alone looks like a conversion list):
  an order ID, a date and optionally a total, status and currency (Shopify's order export
  `Name, Financial Status, Created at, Total, Currency`; WooCommerce's `Order Number, Order
  Date, Order Total`). Rows of one order (Shopify writes one per line item, the total on the
  first) become one order; orders whose status says voided or cancelled are left out (never
  paid); refunded orders stay (the platform counted them too).

The table (canonical columns of `auditor.schema`, plus extras):
- `day` (datetime64), `currency` (upper case, from a currency column if any);
- extras `orders` and `revenue` (float64; revenue NaN when the file has none; `orders` is 1
  per row in the per-order layout).
Rows with a count or revenue that is not a number, or a date that is not a date, are skipped
and listed; a row (or an order) without a date is skipped too: it cannot be matched to a day.
"""

from __future__ import annotations

import pandas as pd

from auditor import schema
from auditor.errors import InputError
from auditor.model import Period, Report, SkippedRow
from auditor.readers.conversions import REPORT_COLUMNS, alias_keys, column_map, parse_dates
from auditor.readers.numbers import detect_number_style, parse_numbers
from auditor.readers.tabular import LINE, RawTable, normalise_name

FORMAT = "orders_csv"
FORMAT_PER_ORDER = "orders_per_order_csv"
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
PER_ORDER: dict[str, tuple[str, ...]] = {
    "order_id": (
        "Order ID",
        "Order number",
        "Order no",
        "Order",
        "Name",
        "Ordernummer",
        "Ordrenummer",
        "Bestellnummer",
        "Transaction ID",
    ),
    "day": (
        "Created at",
        "Order date",
        "Date created",
        "Paid at",
        "Date",
        "Datum",
        "Dato",
        "Bestelldatum",
        "Orderdatum",
        "Ordredato",
    ),
    "revenue": (
        "Total",
        "Order total",
        "Order Total Amount",
        "Revenue",
        "Order value",
        "Summa",
        "Totalt",
        "Gesamtsumme",
    ),
    "status": ("Financial Status", "Order status", "Status", "Orderstatus", "Bestellstatus"),
    "currency": ALIASES["currency"],
}
NOT_PAID = r"void|cancel|annul|makul|storn"
"""Statuses of orders that were never paid (voided, cancelled, annullerad, makulerad, storniert)."""
_KEYS = alias_keys(ALIASES)
_ORDER_KEYS = alias_keys(PER_ORDER)


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


def _per_order(raw: RawTable) -> bool:
    found = column_map(raw.header, _ORDER_KEYS)
    return {"order_id", "day"} <= set(found) and not looks_like(raw.header)


def from_raw(raw: RawTable, source: int) -> Report:
    """The orders file as a Report of kind `orders`; InputError if it is not one."""
    if _per_order(raw):
        table, skipped = _orders_table(raw)
        fmt, unknown = FORMAT_PER_ORDER, []
    elif looks_like(raw.header):
        table, skipped = _days_table(raw)
        used = set(column_map(raw.header, _KEYS).values())
        fmt, unknown = FORMAT, [h for i, h in enumerate(raw.header) if i not in used]
    else:
        raise InputError(
            "not a shop orders file: needs a date column and an orders column ('Date, Orders,"
            " Revenue') or one row per order ('Order ID, Date, Total')"
            f" (header: {', '.join(raw.header[:8])})",
            path=raw.path,
            line=raw.header_line,
        )
    table[schema.SOURCE_COLUMN] = source
    skipped = sorted(skipped, key=lambda s: s.line)
    return _report(raw, schema.conform(table), fmt, unknown, skipped)


def _numbers(
    raw: RawTable, names: dict[str, str], cols: tuple[str, ...], bad: pd.Series
) -> tuple[dict[str, pd.Series], list[SkippedRow]]:
    """Parsed number columns (NaN when the file lacks one); garbage cells added to `bad`."""
    rows = raw.rows
    style = detect_number_style([rows[names[c]] for c in cols if c in names])
    out: dict[str, pd.Series] = {}
    skipped: list[SkippedRow] = []
    for col in cols:
        if col not in names:
            out[col] = pd.Series(float("nan"), index=rows.index)
            continue
        out[col], garbage = parse_numbers(rows[names[col]], style)
        skipped += _skip(raw, garbage & ~bad, names[col], "not a number")
        bad |= garbage
    return out, skipped


def _dates(raw: RawTable, column: str, bad: pd.Series) -> tuple[pd.Series, list[SkippedRow]]:
    days, garbage = parse_dates(raw.rows[column])
    skipped = _skip(raw, garbage, column, "not a date")
    bad |= garbage
    return days.dt.normalize(), skipped


def _currency(raw: RawTable, names: dict[str, str]) -> pd.Series:
    if "currency" not in names:
        return pd.Series(pd.NA, index=raw.rows.index, dtype=schema.STRING_DTYPE)
    values = raw.rows[names["currency"]].str.strip().str.upper()
    return values.mask(values == "")


def _days_table(raw: RawTable) -> tuple[pd.DataFrame, list[SkippedRow]]:
    names = {c: raw.columns[i] for c, i in column_map(raw.header, _KEYS).items()}
    bad = pd.Series(False, index=raw.rows.index)
    day, skipped = _dates(raw, names["day"], bad)
    no_date = day.isna() & ~bad
    skipped += _skip(raw, no_date, names["day"], "empty: the row has no date")
    bad |= no_date
    numbers, more = _numbers(raw, names, ("orders", "revenue"), bad)
    table = pd.DataFrame({"day": day, **numbers, "currency": _currency(raw, names)})
    table[schema.LINE_COLUMN] = raw.rows[LINE].astype("int64")
    return table.loc[~bad], [*raw.skipped, *skipped, *more]


def _orders_table(raw: RawTable) -> tuple[pd.DataFrame, list[SkippedRow]]:
    """One row per order: first date, largest total, first status of its rows."""
    names = {c: raw.columns[i] for c, i in column_map(raw.header, _ORDER_KEYS).items()}
    rows = raw.rows
    bad = pd.Series(False, index=rows.index)
    day, skipped = _dates(raw, names["day"], bad)
    numbers, more = _numbers(raw, names, ("revenue",), bad)
    ids = rows[names["order_id"]].str.strip()
    status = rows[names["status"]].str.lower() if "status" in names else ""
    lines = pd.DataFrame(
        {
            "order_id": ids,
            "day": day,
            "revenue": numbers["revenue"],
            "currency": _currency(raw, names),
            "status": status,
            schema.LINE_COLUMN: rows[LINE].astype("int64"),
        }
    ).loc[~bad & (ids != "")]
    orders = lines.groupby("order_id", sort=False).agg(
        day=("day", "first"),
        revenue=("revenue", "max"),
        currency=("currency", "first"),
        status=("status", "first"),
        line=(schema.LINE_COLUMN, "first"),
    )
    orders = orders.loc[~orders["status"].fillna("").str.contains(NOT_PAID, regex=True)]
    undated = orders.loc[orders["day"].isna()]
    skipped += [
        SkippedRow(int(line), f"order {oid!r} has no date in column '{names['day']}'")
        for oid, line in zip(undated.index, undated[schema.LINE_COLUMN], strict=True)
    ]
    kept = orders.loc[orders["day"].notna()].drop(columns="status").reset_index(drop=True)
    return kept.assign(orders=1.0), [*raw.skipped, *skipped, *more]


def _report(
    raw: RawTable, table: pd.DataFrame, fmt: str, unknown: list[str], skipped: list[SkippedRow]
) -> Report:
    days = table["day"].dropna()
    currencies = table["currency"].dropna().unique()
    notes = list(raw.notes)
    if not len(table):
        notes.append("the orders file holds no days")
    return Report(
        path=raw.path,
        kind=schema.KIND_ORDERS,
        format=fmt,
        table=table,
        columns_present=frozenset(),
        skipped=skipped,
        unknown_columns=unknown,
        period=Period(days.min().date(), days.max().date()) if len(days) else None,
        currency=str(currencies[0]) if len(currencies) == 1 else None,
        notes=notes,
    )
