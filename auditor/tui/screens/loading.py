"""The first screen: the audit running in a worker, with its current step and progress."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Center, Middle
from textual.screen import Screen
from textual.widgets import Footer, Label, ProgressBar


class LoadingScreen(Screen[None]):
    """Shown while the audit runs; `advance` moves the bar and names the step."""

    BINDINGS: ClassVar[list[BindingType]] = [("q", "app.quit", "Quit")]

    def __init__(self, what: str) -> None:
        super().__init__()
        self.what = what

    def compose(self) -> ComposeResult:
        with Middle(), Center():
            yield Label(Text(f"Auditing {self.what}"), id="loading-title")
            yield ProgressBar(total=1.0, show_eta=False, id="loading-bar")
            yield Label("starting", id="loading-step")
        yield Footer()

    def advance(self, step: str, done: float) -> None:
        self.query_one(ProgressBar).update(progress=done)
        self.query_one("#loading-step", Label).update(Text(step))
