"""The audit as one Excel workbook managers share: Summary, Findings, Negatives, Held back,
N-grams and Tracking sheets.

Every figure comes from the audit JSON form (`jsonform.audit_to_dict`, the only builder
of the JSON), so a cell equals the JSON's value; the N-grams sheet, which the JSON does not
carry, comes from the audit's n-gram table (the costliest `NGRAM_ROWS`). Figures are numbers
with number formats (money, counts, shares), never text; every sheet has a frozen header row,
an autofilter and column widths that fit its content. Text is written as text and a text that
starts like a formula (`=`, `+`, `-`, `@`) gets Excel's quote prefix, the apostrophe Excel
itself adds to such a cell, so neither opening nor editing the cell runs anything. The
workbook says what it is: its document properties (title, subject, author, comments and the
custom properties Tool, Version, Account, Period) and the Summary sheet's first rows.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import xlsxwriter
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from auditor import __version__
from auditor.model import SEVERITIES, AuditResult
from auditor.output.csvio import defused, write_atomic
from auditor.output.jsonform import audit_to_dict

TOOL = "auditor"
NGRAM_ROWS = 10_000
"""The costliest n-grams the N-grams sheet holds: the tail is cents each, and every 10,000
rows add about a second to the writing (the N-gram explorer of `auditor review` has them all)."""
CELL_MAX = 32_767
"""Excel's limit on the characters in one cell."""
WIDTH_MIN, WIDTH_MAX = 8, 60

FORMATS: dict[str, dict[str, Any]] = {
    "text": {},
    "money": {"num_format": "#,##0.00"},
    "count": {"num_format": "#,##0"},
    "number": {"num_format": "#,##0.00"},
    "share": {"num_format": "0.0%"},
    "ratio": {"num_format": "0.00"},
    "date": {"num_format": "yyyy-mm-dd"},
}


@dataclass(frozen=True)
class Column:
    header: str
    value: Callable[[dict[str, Any]], Any]
    kind: str = "text"


def _key(name: str) -> Callable[[dict[str, Any]], Any]:
    return lambda row: row.get(name)


def _joined(name: str) -> Callable[[dict[str, Any]], Any]:
    return lambda row: "; ".join(str(v) for v in row.get(name) or [])


def _count(name: str) -> Callable[[dict[str, Any]], Any]:
    return lambda row: len(row.get(name) or [])


def _compact(name: str) -> Callable[[dict[str, Any]], Any]:
    def value(row: dict[str, Any]) -> str:
        data = row.get(name)
        return json.dumps(data, ensure_ascii=False, sort_keys=True) if data else ""

    return value


FINDING_COLUMNS = (
    Column("Rule", _key("rule")),
    Column("Title", _key("title")),
    Column("Category", _key("category")),
    Column("Severity", _key("severity")),
    Column("Level", _key("level")),
    Column("Campaign", _key("campaign")),
    Column("Ad group", _key("ad_group")),
    Column("Search term", _key("search_term")),
    Column("Keyword", _key("keyword")),
    Column("N-gram", _key("ngram")),
    Column("Cost", _key("cost"), "money"),
    Column("Clicks", _key("clicks"), "count"),
    Column("Conversions", _key("conversions"), "number"),
    Column("Conv. value", _key("conversion_value"), "money"),
    Column("Message", _key("message")),
    Column("Metrics", _compact("metrics")),
)
TRACKING_COLUMNS = (
    Column("Check", _key("check")),
    Column("Rule", _key("rule")),
    Column("Severity", _key("severity")),
    Column("Level", _key("level")),
    Column("Campaign", _key("campaign")),
    Column("Message", _key("message")),
    Column("Evidence", _compact("evidence")),
)
HELD_COLUMNS = (
    Column("Negative", _key("text")),
    Column("Match type", _key("match_type")),
    Column("Reason", _key("reason")),
    Column("Would block (terms)", _count("would_block"), "count"),
    Column("Would block", _joined("would_block")),
)
NGRAM_COLUMNS = (
    Column("N-gram", _key("ngram")),
    Column("Words", _key("n"), "count"),
    Column("Terms", _key("terms"), "count"),
    Column("Cost", _key("cost"), "money"),
    Column("Clicks", _key("clicks"), "count"),
    Column("Impressions", _key("impressions"), "count"),
    Column("Conversions", _key("conversions"), "number"),
    Column("Conv. value", _key("conversion_value"), "money"),
    Column("CPA", _key("cpa"), "money"),
)


def negative_columns(negatives: Sequence[dict[str, Any]]) -> tuple[Column, ...]:
    """The Negatives sheet's columns; `Tier` when the proposals carry one."""
    tier = (Column("Tier", _key("tier")),) if any("tier" in n for n in negatives) else ()
    return (
        Column("Negative", _key("text")),
        Column("Match type", _key("match_type")),
        *tier,
        Column("Level", _key("level")),
        Column("Campaign", _key("campaign")),
        Column("Ad group", _key("ad_group")),
        Column("List", _key("list_name")),
        Column("List campaigns", _joined("campaigns")),
        Column("Family", _key("family")),
        Column("Intent", _key("intent")),
        Column("Blocks (terms)", _count("blocked_terms"), "count"),
        Column("Blocked cost", _key("blocked_cost"), "money"),
        Column("Blocked clicks", _key("blocked_clicks"), "count"),
        Column("Blocked conversions", _key("blocked_conversions"), "number"),
        Column("Blast radius (terms blocked)", _joined("blocked_terms")),
        Column("Reason", _key("reason")),
        Column("Id", _key("id")),
    )


def _period_text(data: dict[str, Any]) -> str:
    period = data.get("period")
    return f"{period['start']} to {period['end']}" if period else "unknown"


def summary_rows(data: dict[str, Any]) -> list[tuple[str, Any, str]]:
    """(label, value, kind) rows of the Summary sheet, every figure taken from the JSON."""
    period = data.get("period") or {}
    totals = data.get("totals") or {}
    baseline = data.get("baseline") or {}
    findings = data.get("findings") or []
    by_severity = [
        (f"Findings: {s}", sum(f.get("severity") == s for f in findings), "count")
        for s in SEVERITIES
    ]
    return [
        ("Tool", data["tool"]["name"], "text"),
        ("Version", data["tool"]["version"], "text"),
        ("Account", data.get("account"), "text"),
        ("Period start", _date(period.get("start")), "date"),
        ("Period end", _date(period.get("end")), "date"),
        ("Days", period.get("days"), "count"),
        ("Currency", data.get("currency"), "text"),
        ("Cost", totals.get("cost"), "money"),
        ("Clicks", totals.get("clicks"), "count"),
        ("Impressions", totals.get("impressions"), "count"),
        ("Conversions", totals.get("conversions"), "number"),
        ("Conv. value", totals.get("conversion_value"), "money"),
        ("CPA", baseline.get("cpa"), "money"),
        ("ROAS", baseline.get("roas"), "ratio"),
        ("Conversion rate", baseline.get("cvr"), "share"),
        ("Hidden cost share", data.get("hidden_cost"), "share"),
        ("Hidden cost", data.get("hidden_cost_amount"), "money"),
        ("Findings", len(findings), "count"),
        *by_severity,
        ("Negatives proposed", len(data.get("negatives") or []), "count"),
        ("Negatives cover", data.get("negatives_covered_cost"), "money"),
        ("Held back", len(data.get("held_back") or []), "count"),
        *(("Note", note, "text") for note in data.get("notes") or []),
    ]


def _date(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def ngram_rows(ngrams: pd.DataFrame | None) -> list[dict[str, Any]]:
    """The costliest n-grams with their CPA (cost per conversion; none without one)."""
    if ngrams is None or ngrams.empty:
        return []
    top = ngrams.nlargest(NGRAM_ROWS, "cost").copy()
    conv = top["conversions"].where(top["conversions"] > 0)
    top["cpa"] = top["cost"] / conv
    top = top.astype(object).where(top.notna(), None)
    return top.to_dict("records")


class _Book:
    """One workbook with its cell formats (plain and quote-prefixed text, number formats)."""

    def __init__(self, buffer: io.BytesIO) -> None:
        self.wb: Workbook = xlsxwriter.Workbook(
            buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
        )
        self.bold = self.wb.add_format({"bold": True, "bottom": 1})
        self.formats = {kind: self.wb.add_format(spec) for kind, spec in FORMATS.items()}
        self.quoted = self.wb.add_format({"quote_prefix": True})

    def cell(self, ws: Worksheet, row: int, col: int, value: Any, kind: str) -> int:
        """Write one cell; return its display width."""
        if value is None or (isinstance(value, float) and value != value):
            ws.write_blank(row, col, None, self.formats[kind])
            return 0
        if kind == "date":
            ws.write_datetime(row, col, value, self.formats[kind])
            return 10
        if isinstance(value, bool) or not isinstance(value, int | float):
            text = str(value)[:CELL_MAX]
            ws.write_string(row, col, text, self.quoted if defused(text) else None)
            return len(text)
        ws.write_number(row, col, value, self.formats[kind])
        digits = len(str(int(abs(value))))
        return digits + digits // 3 + 3

    def table(
        self, name: str, columns: Sequence[Column], rows: Sequence[dict[str, Any]]
    ) -> Worksheet:
        """A sheet of one row per item: frozen header, autofilter, fitted column widths."""
        ws = self.wb.add_worksheet(name)
        widths = [len(c.header) for c in columns]
        for col, column in enumerate(columns):
            ws.write_string(0, col, column.header, self.bold)
        for r, item in enumerate(rows, start=1):
            for col, column in enumerate(columns):
                width = self.cell(ws, r, col, column.value(item), column.kind)
                widths[col] = max(widths[col], width)
        self._frame(ws, widths, len(rows))
        return ws

    def summary(self, rows: Sequence[tuple[str, Any, str]]) -> None:
        ws = self.wb.add_worksheet("Summary")
        ws.write_string(0, 0, "Item", self.bold)
        ws.write_string(0, 1, "Value", self.bold)
        widths = [4, 5]
        for r, (label, value, kind) in enumerate(rows, start=1):
            ws.write_string(r, 0, label)
            widths[0] = max(widths[0], len(label))
            widths[1] = max(widths[1], self.cell(ws, r, 1, value, kind))
        self._frame(ws, widths, len(rows))

    @staticmethod
    def _frame(ws: Worksheet, widths: Sequence[int], rows: int) -> None:
        ws.freeze_panes(1, 0)
        ws.autofilter(0, 0, max(rows, 1), len(widths) - 1)
        for col, width in enumerate(widths):
            ws.set_column(col, col, min(max(width + 2, WIDTH_MIN), WIDTH_MAX))


def workbook_bytes(result: AuditResult) -> bytes:
    """The workbook of one audit, as the bytes of an .xlsx file."""
    data = audit_to_dict(result)
    findings = data["findings"]
    buffer = io.BytesIO()
    book = _Book(buffer)
    account = data.get("account") or "unnamed account"
    book.wb.set_properties(
        {
            "title": f"{TOOL} audit: {account}",
            "subject": f"Search-campaign audit, {_period_text(data)}",
            "author": TOOL,
            "comments": f"Written by {TOOL} {__version__} for {account},"
            f" period {_period_text(data)}",
        }
    )
    for name, value in (
        ("Tool", TOOL),
        ("Version", __version__),
        ("Account", account),
        ("Period", _period_text(data)),
    ):
        book.wb.set_custom_property(name, value)
    book.summary(summary_rows(data))
    book.table("Findings", FINDING_COLUMNS, [f for f in findings if f["category"] != "tracking"])
    book.table("Negatives", negative_columns(data["negatives"]), data["negatives"])
    book.table("Held back", HELD_COLUMNS, data["held_back"])
    book.table("N-grams", NGRAM_COLUMNS, ngram_rows(result.ngrams))
    book.table("Tracking", TRACKING_COLUMNS, [f for f in findings if f["category"] == "tracking"])
    book.wb.close()
    return buffer.getvalue()


def write_xlsx(result: AuditResult, path: Path, *, force: bool = False) -> None:
    """Write the workbook atomically; refuse to overwrite without `force`."""
    write_atomic(path, workbook_bytes(result), force=force)
