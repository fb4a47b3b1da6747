"""N-grams explorer: which words and word pairs carry the spend, converting or not."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import ClassVar

import pandas as pd
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Input, Static

from auditor import format as fmt
from auditor.review.frames import NGRAM_SORTS, filter_ngrams
from auditor.review.rows import NGRAM_CAP, ROW_CAP
from auditor.review.state import ReviewState
from auditor.tui.widgets.negate import negate, starting_draft
from auditor.tui.widgets.table_window import Cell, fill, shown_text

COLUMNS = (
    ("ngram", "N-gram"),
    ("n", "n"),
    ("cost", "Cost"),
    ("clicks", "Clicks"),
    ("conversions", "Conv."),
    ("cpa", "CPA"),
    ("terms", "Terms"),
)
"""`Terms` counts the terms with a click holding the n-gram, as the n-gram findings do."""


def ngram_cells(window: pd.DataFrame) -> Iterable[Sequence[Cell]]:
    for gram, n, cost, clicks, conv, terms in zip(
        window["ngram"],
        window["n"],
        window["cost"],
        window["clicks"],
        window["conversions"],
        window["terms"],
        strict=True,
    ):
        style = "red" if fmt.known(conv) and conv <= 0 else ""
        yield (
            Text(fmt.cut(str(gram), 30), style=style),
            str(int(n)),
            Text(fmt.money(cost), justify="right"),
            Text(fmt.number(clicks), justify="right"),
            Text(fmt.number(conv), justify="right"),
            Text(fmt.money(fmt.ratio(cost, conv)), justify="right"),
            Text(fmt.number(terms), justify="right"),
        )


class NgramsPane(Vertical):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "negate", "Negate", tooltip="a negative from this n-gram (phrase)"),
        Binding("slash", "search", "Filter", tooltip="filter the n-grams"),
        Binding("g", "size", "Size", tooltip="1-, 2-, 3-word n-grams or all"),
        Binding("s", "sort", "Sort", tooltip="cost, clicks, conversions, terms"),
        Binding("z", "zero", "No conv.", tooltip="only the n-grams without a conversion"),
        Binding("escape", "to_table", "Table", tooltip="back to the table"),
    ]

    def __init__(self, state: ReviewState, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.state = state
        self.gram_size: int | None = None
        self.sort = "cost"
        self.zero = False

    def compose(self) -> ComposeResult:
        with Horizontal(classes="filters"):
            yield Input(placeholder="filter n-grams  /", id="ng-text", compact=True)
        table: DataTable[Cell] = DataTable(id="ngram-table", cursor_type="row", zebra_stripes=True)
        for key, label in COLUMNS:
            table.add_column(label, key=key)
        yield table
        yield Static(id="ngram-status", classes="status")

    def on_mount(self) -> None:
        self.apply_filters()

    def apply_filters(self) -> None:
        text = self.query_one("#ng-text", Input).value
        shown = filter_ngrams(
            self.state.ngrams_by(self.sort), text=text, n=self.gram_size, non_converting=self.zero
        )
        keys = [str(i) for i in shown.index[:ROW_CAP]]
        n = fill(self.query_one("#ngram-table", DataTable), shown, ngram_cells, keys)
        size = f"{self.gram_size}-grams" if self.gram_size else "1-3-grams"
        zero = ", no conversions only" if self.zero else ""
        capped = f" (the {NGRAM_CAP:,} costliest)" if len(self.state.ngrams) >= NGRAM_CAP else ""
        self.query_one("#ngram-status", Static).update(
            f"{shown_text(n, len(shown))} · {size}{zero}{capped} · by {self.sort}"
        )

    @on(Input.Changed, "#ng-text")
    def _changed(self, event: Input.Changed) -> None:
        event.stop()
        self.apply_filters()

    @on(Input.Submitted, "#ng-text")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_to_table()

    def action_negate(self) -> None:
        """A phrase negative of the highlighted n-gram, in the editor."""
        table = self.query_one("#ngram-table", DataTable)
        if not table.row_count:
            return
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        row = self.state.ngrams.loc[int(str(key))]
        cur = self.state.result.currency
        reason = (
            f"Proposed by you from the n-gram explorer: '{row['ngram']}' in"
            f" {fmt.number(row['terms'])} term(s) with clicks, {fmt.money(row['cost'], cur)},"
            f" {fmt.number(row['conversions'])} conversions."
        )
        text = str(row["ngram"])
        negate(self, self.state, starting_draft(text, "phrase", reason), f"ngram|{text}")

    def action_search(self) -> None:
        self.query_one("#ng-text", Input).focus()

    def action_to_table(self) -> None:
        self.query_one("#ngram-table", DataTable).focus()

    def action_size(self) -> None:
        self.gram_size = {None: 1, 1: 2, 2: 3, 3: None}[self.gram_size]
        self.apply_filters()

    def action_sort(self) -> None:
        order = list(NGRAM_SORTS)
        self.sort = order[(order.index(self.sort) + 1) % len(order)]
        self.apply_filters()

    def action_zero(self) -> None:
        self.zero = not self.zero
        self.apply_filters()
