"""Findings tab: a sortable, filterable table with the rule's explanation beside it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import ClassVar

import pandas as pd
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import DataTable, Input, Select, Static

from auditor import format as fmt
from auditor.model import CATEGORIES, SEVERITIES, Finding
from auditor.review.frames import FINDING_SORTS, filter_findings
from auditor.review.rows import ROW_CAP, finding_subject
from auditor.review.state import ReviewState
from auditor.tui.widgets.negate import negate, starting_draft
from auditor.tui.widgets.overview import SEVERITY_STYLE
from auditor.tui.widgets.table_window import Cell, fill, shown_text

FIXED = {"sev": 6, "rule": 8, "cost": 10}
SHARES = {"subject": 0.34, "campaign": 0.22, "ad_group": 0.18}
"""Shares of the width left after the fixed columns; the message takes the rest."""
LABELS = {
    "new": "",
    "sev": "Sev",
    "rule": "Rule",
    "subject": "Subject",
    "campaign": "Campaign",
    "ad_group": "Ad group",
    "cost": "Cost",
    "message": "Message",
}
HEADER_SORT = {
    "sev": "severity",
    "rule": "rule",
    "subject": "subject",
    "campaign": "campaign",
    "cost": "cost",
}
NEW_MARK = 3
"""Width of the `new` column (findings last week's review did not show)."""


def column_widths(width: int) -> dict[str, int]:
    """Column widths for a table `width` cells wide (every column pads 1 cell each side)."""
    rest = max(width - 2 - 2 * len(LABELS) - NEW_MARK - sum(FIXED.values()), 24)
    shares = {k: max(8, int(rest * v)) for k, v in SHARES.items()}
    message = max(rest - sum(shares.values()), 8)
    return {"new": NEW_MARK, **FIXED, **shares, "message": message}


def finding_cells(window: pd.DataFrame, widths: dict[str, int]) -> Iterable[Sequence[Cell]]:
    for new, sev, rule, subject, campaign, ad_group, cost, message in zip(
        window["new"],
        window["severity"],
        window["rule"],
        window["subject"],
        window["campaign"],
        window["ad_group"],
        window["cost"],
        window["message"],
        strict=True,
    ):
        yield (
            Text("new", style="bold cyan") if new else "",
            Text(sev, style=SEVERITY_STYLE.get(sev, "")),
            fmt.cut(rule, widths["rule"]),
            fmt.cut(subject, widths["subject"]),
            fmt.cut(campaign, widths["campaign"]),
            fmt.cut(ad_group, widths["ad_group"]),
            Text(fmt.money(cost), justify="right"),
            fmt.cut(message, widths["message"]),
        )


def finding_figures(f: Finding, currency: str | None) -> Text:
    """The finding's figures and the rule's own, one labelled figure a line."""
    text = Text()
    base = {
        "cost": f.cost,
        "clicks": f.clicks,
        "conversions": f.conversions,
        "conversion_value": f.conversion_value,
    }
    known = {k: v for k, v in base.items() if fmt.known(v)}
    for name, value in fmt.figures(known, currency):
        text.append(f"  {name:<22}", style="bold")
        text.append(f"{value}\n")
    if f.metrics:
        text.append("The rule's figures\n", style="bold")
        for name, value in fmt.figures(f.metrics, currency):
            text.append(f"  {name:<22}", style="dim")
            text.append(f"{value}\n")
    return text


class FindingsPane(Vertical):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "negate", "Negate", tooltip="a negative from this search term / n-gram"),
        Binding("slash", "search", "Search", tooltip="search the findings' text"),
        Binding("s", "sort", "Sort", tooltip="cost, severity, rule, campaign, subject"),
        Binding("c", "clear", "Clear", tooltip="clear the filters"),
        Binding("escape", "to_table", "Table", tooltip="back to the table"),
    ]

    def __init__(self, state: ReviewState, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.state = state
        self.sort = "cost"
        self.shown = pd.DataFrame()
        self._explained: dict[str, str] = {}
        self._widths = column_widths(80)

    def compose(self) -> ComposeResult:
        with Horizontal(classes="filters"):
            yield Input(placeholder="search  /", id="f-text", compact=True)
            yield Select(
                [(s, s) for s in SEVERITIES], prompt="severity", id="f-severity", compact=True
            )
            yield Select(
                [(c, c) for c in CATEGORIES], prompt="category", id="f-category", compact=True
            )
            yield Input(placeholder="campaign", id="f-campaign", compact=True)
        yield DataTable(id="findings-table", cursor_type="row", zebra_stripes=True)
        yield Static(id="findings-status", classes="status")
        with VerticalScroll(id="finding-detail", classes="detail"):
            yield Static(id="finding-text")

    def on_mount(self) -> None:
        self._set_columns()
        self.apply_filters()

    def on_resize(self) -> None:
        if column_widths(self.size.width) != self._widths:
            self._set_columns()
            self.apply_filters()

    def _set_columns(self) -> None:
        """Columns as wide as the terminal allows (the subject and names get the room)."""
        self._widths = column_widths(self.size.width or self.app.size.width)
        table = self.query_one("#findings-table", DataTable)
        table.clear(columns=True)
        for key, label in LABELS.items():
            table.add_column(label, key=key, width=self._widths[key])

    def _filters(self) -> dict[str, str | None]:
        sev = self.query_one("#f-severity", Select).value
        cat = self.query_one("#f-category", Select).value
        return {
            "severity": sev if isinstance(sev, str) else None,
            "category": cat if isinstance(cat, str) else None,
            "campaign": self.query_one("#f-campaign", Input).value,
            "text": self.query_one("#f-text", Input).value,
        }

    def apply_filters(self) -> None:
        """Filter in pandas, then show a capped window of the result."""
        self.shown = filter_findings(self.state.findings, sort=self.sort, **self._filters())  # type: ignore[arg-type]
        table = self.query_one("#findings-table", DataTable)
        keys = self.shown["pos"].head(ROW_CAP).astype(str).tolist()
        n = fill(table, self.shown, lambda w: finding_cells(w, self._widths), keys)
        total = len(self.state.findings)
        self.query_one("#findings-status", Static).update(
            f"{shown_text(n, len(self.shown))} · {total:,} findings in all · by {self.sort}"
        )
        if n:
            self.show_detail(int(self.shown["pos"].iloc[0]))
        else:
            self.query_one("#finding-text", Static).update("No finding matches the filters.")

    @on(Input.Changed, "#f-text, #f-campaign")
    @on(Select.Changed)
    def _filter_changed(self, event: Input.Changed | Select.Changed) -> None:
        event.stop()
        self.apply_filters()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_to_table()

    @on(DataTable.RowHighlighted, "#findings-table")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key is not None and event.row_key.value is not None:
            self.show_detail(int(event.row_key.value))

    @on(DataTable.HeaderSelected, "#findings-table")
    def _header(self, event: DataTable.HeaderSelected) -> None:
        sort = HEADER_SORT.get(str(event.column_key.value))
        if sort:
            self.sort = sort
            self.apply_filters()

    def show_detail(self, pos: int) -> None:
        f = self.state.result.findings[pos]
        if f.rule not in self._explained:
            self._explained[f.rule] = self.state.explain(f.rule)
        text = Text()
        text.append(f"{f.title or f.rule}\n", style="bold")
        text.append(f"{f.message}\n\n")
        text.append(f"Subject: {finding_subject(f)}\n")
        where = " > ".join(x for x in (f.campaign, f.ad_group) if x)
        if where:
            text.append(f"Where: {where}\n")
        text.append_text(finding_figures(f, self.state.result.currency))
        text.append(f"\n{self._explained[f.rule]}\n", style="italic")
        self.query_one("#finding-text", Static).update(text)

    def current_pos(self) -> int | None:
        table = self.query_one("#findings-table", DataTable)
        if not table.row_count:
            return None
        return int(str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value))

    def action_negate(self) -> None:
        """A negative from the highlighted finding's search term (exact) or n-gram (phrase)."""
        pos = self.current_pos()
        if pos is None:
            return
        f = self.state.result.findings[pos]
        text, match = (f.search_term, "exact") if f.search_term else (f.ngram, "phrase")
        if not text:
            self.app.notify(
                "n negates a search term or an n-gram: this finding has neither.",
                severity="warning",
                timeout=3,
            )
            return
        reason = f"Proposed by you from finding {f.rule}: {f.message}"
        negate(self, self.state, starting_draft(text, match, reason), f"finding|{f.rule}|{text}")

    def action_search(self) -> None:
        self.query_one("#f-text", Input).focus()

    def action_to_table(self) -> None:
        self.query_one("#findings-table", DataTable).focus()

    def action_sort(self) -> None:
        order = list(FINDING_SORTS)
        self.sort = order[(order.index(self.sort) + 1) % len(order)]
        self.apply_filters()

    def action_clear(self) -> None:
        with self.prevent(Input.Changed, Select.Changed):
            for input_id in ("#f-text", "#f-campaign"):
                self.query_one(input_id, Input).value = ""
            for select_id in ("#f-severity", "#f-category"):
                self.query_one(select_id, Select).clear()
        self.apply_filters()
