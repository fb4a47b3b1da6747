"""The review itself: five tabs over one loaded audit."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Header, TabbedContent, TabPane

from auditor.tui.messages import DecisionsChanged
from auditor.tui.state import ReviewState
from auditor.tui.widgets.findings import FindingsPane
from auditor.tui.widgets.keybar import KeyBar
from auditor.tui.widgets.negatives import NegativesPane
from auditor.tui.widgets.ngrams import NgramsPane
from auditor.tui.widgets.overview import OverviewPane
from auditor.tui.widgets.tracking import TrackingPane

TABS: tuple[tuple[str, str], ...] = (
    ("overview", "1 Overview"),
    ("findings", "2 Findings"),
    ("negatives", "3 Negatives"),
    ("ngrams", "4 N-grams"),
    ("tracking", "5 Tracking"),
)
FOCUS_ON_SHOW = {
    "overview": "#overview-pane",
    "findings": "#findings-table",
    "ngrams": "#ngram-table",
    "tracking": "#tracking-table",
}


class ReviewScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("1", "tab('overview')", "Overview", show=False),
        Binding("2", "tab('findings')", "Findings", show=False),
        Binding("3", "tab('negatives')", "Negatives", show=False),
        Binding("4", "tab('ngrams')", "N-grams", show=False),
        Binding("5", "tab('tracking')", "Tracking", show=False),
    ]

    def __init__(self, state: ReviewState) -> None:
        super().__init__()
        self.state = state

    def compose(self) -> ComposeResult:
        yield Header()
        s = self.state
        with TabbedContent(initial="overview"):
            with TabPane(TABS[0][1], id="overview"):
                yield OverviewPane(s, id="overview-pane")
            with TabPane(TABS[1][1], id="findings"):
                yield FindingsPane(s, id="findings-pane")
            with TabPane(TABS[2][1], id="negatives"):
                yield NegativesPane(s, id="negatives-pane")
            with TabPane(TABS[3][1], id="ngrams"):
                yield NgramsPane(s, id="ngrams-pane")
            with TabPane(TABS[4][1], id="tracking"):
                yield TrackingPane(s, id="tracking-pane")
        yield KeyBar()

    def action_tab(self, tab: str) -> None:
        self.query_one(TabbedContent).active = tab

    @on(TabbedContent.TabActivated)
    def _activated(self, event: TabbedContent.TabActivated) -> None:
        target = FOCUS_ON_SHOW.get(event.pane.id or "")
        if event.pane.id == "negatives":
            self.query_one(NegativesPane).focus_table()
        elif target:
            self.query_one(target).focus()

    @on(DecisionsChanged)
    def _decisions_changed(self, event: DecisionsChanged) -> None:
        self.query_one(OverviewPane).refresh_figures()
