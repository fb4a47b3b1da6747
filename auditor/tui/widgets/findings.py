"""Findings tab: a sortable, filterable table with the rule's explanation beside it."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import ClassVar

import pandas as pd
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import DataTable, Input, Select, Static

from auditor import format as fmt
from auditor.model import CATEGORIES, SEVERITIES
from auditor.tui.state import (
    FINDING_SORTS,
    ROW_CAP,
    ReviewState,
    filter_findings,
    finding_subject,
)
from auditor.tui.widgets.overview import SEVERITY_STYLE
from auditor.tui.widgets.table_window import Cell, fill, shown_text

COLUMNS = (
    ("sev", "Sev"),
    ("rule", "Rule"),
    ("subject", "Subject"),
    ("cost", "Cost"),
    ("message", "Message"),
)
HEADER_SORT = {"sev": "severity", "rule": "rule", "subject": "subject", "cost": "cost"}


def finding_cells(window: pd.DataFrame) -> Iterable[Sequence[Cell]]:
    for sev, rule, subject, cost, message in zip(
        window["severity"],
        window["rule"],
        window["subject"],
        window["cost"],
        window["message"],
        strict=True,
    ):
        yield (
            Text(sev, style=SEVERITY_STYLE.get(sev, "")),
            rule,
            fmt.cut(subject, 24),
            Text(fmt.money(cost), justify="right"),
            fmt.cut(message, 120),
        )


class FindingsPane(Vertical):
    BINDINGS: ClassVar[list[BindingType]] = [
        ("slash", "search", "Search"),
        ("s", "sort", "Sort"),
        ("c", "clear", "Clear filters"),
        ("escape", "to_table", "Table"),
    ]

    def __init__(self, state: ReviewState, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.state = state
        self.sort = "cost"
        self.shown = pd.DataFrame()
        self._explained: dict[str, str] = {}

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
        table: DataTable[Cell] = DataTable(
            id="findings-table", cursor_type="row", zebra_stripes=True
        )
        for key, label in COLUMNS:
            table.add_column(label, key=key)
        yield table
        yield Static(id="findings-status", classes="status")
        with VerticalScroll(id="finding-detail", classes="detail"):
            yield Static(id="finding-text")

    def on_mount(self) -> None:
        self.apply_filters()

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
        n = fill(table, self.shown, finding_cells, keys)
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
        figures = {
            "cost": f.cost,
            "clicks": f.clicks,
            "conversions": f.conversions,
            "conversion value": f.conversion_value,
        }
        text.append(
            "Figures: "
            + ", ".join(f"{k} {fmt.number(v)}" for k, v in figures.items() if fmt.known(v))
            + "\n"
        )
        if f.metrics:
            text.append(
                "Rule's figures: " + json.dumps(f.metrics, ensure_ascii=False, default=str) + "\n"
            )
        text.append(f"\n{self._explained[f.rule]}\n", style="italic")
        self.query_one("#finding-text", Static).update(text)

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
