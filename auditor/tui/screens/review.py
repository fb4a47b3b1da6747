"""The review itself: five tabs over one loaded audit."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Header, TabbedContent, TabPane

from auditor.review.state import ReviewState
from auditor.tui.messages import DecisionsChanged
from auditor.tui.widgets.findings import FindingsPane
from auditor.tui.widgets.keybar import KeyBar
from auditor.tui.widgets.negatives import HISTORY_WORDS, NegativesPane
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
        Binding("u", "undo", "Undo", tooltip="undo the last decision (also in the store)"),
        Binding("U", "redo", "Redo", show=False, tooltip="redo the last undone decision"),
        Binding("1", "tab('overview')", "Overview", show=False, tooltip="the Overview tab"),
        Binding("2", "tab('findings')", "Findings", show=False, tooltip="the Findings tab"),
        Binding("3", "tab('negatives')", "Negatives", show=False, tooltip="the Negatives tab"),
        Binding("4", "tab('ngrams')", "N-grams", show=False, tooltip="the N-grams tab"),
        Binding("5", "tab('tracking')", "Tracking", show=False, tooltip="the Tracking tab"),
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
        if event.added:
            self.query_one(NegativesPane).proposals_added()
        self.query_one(OverviewPane).refresh_figures()

    def tab_title(self) -> str:
        """The active tab's name (`Negatives`), for the help screen."""
        active = self.query_one(TabbedContent).active
        return next((label.split(" ", 1)[1] for key, label in TABS if key == active), "Review")

    def action_undo(self) -> None:
        self._history("undo")

    def action_redo(self) -> None:
        self._history("redo")

    def _history(self, how: str) -> None:
        """Undo / redo one decision; say what, in the Negatives status line and a toast
        when another tab is shown."""
        action = self.state.undo() if how == "undo" else self.state.redo()
        if action is None:
            self.notify(f"Nothing to {how}.", severity="warning", timeout=2)
            return
        self.query_one(NegativesPane).after_history(action, how)
        self.query_one(OverviewPane).refresh_figures()
        if self.query_one(TabbedContent).active != "negatives":
            self.notify(f"{HISTORY_WORDS[how]}: {action.what}", timeout=3, markup=False)
