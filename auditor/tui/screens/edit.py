"""Edit a negative's text; the safety check runs before the dialog closes."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from auditor.tui.state import EditOutcome


class EditScreen(ModalScreen[EditOutcome | None]):
    """Type the new text and press Enter; an unsafe text is refused with the reasons."""

    BINDINGS: ClassVar[list[BindingType]] = [("escape", "cancel", "Cancel")]

    def __init__(self, title: str, text: str, apply: Callable[[str], EditOutcome]) -> None:
        super().__init__()
        self.title_text = title
        self.text = text
        self.apply = apply

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Text(self.title_text), classes="dialog-text")
            yield Input(self.text, id="edit-text", compact=True)
            yield Label("Enter: check and save   Esc: cancel", id="edit-error")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        text = " ".join(event.value.split())
        if not text:
            self._refuse(["the text is empty"])
            return
        outcome = self.apply(text)
        if outcome.applied:
            self.dismiss(outcome)
        else:
            self._refuse(outcome.reasons)

    def _refuse(self, reasons: list[str]) -> None:
        label = self.query_one("#edit-error", Label)
        label.update(Text("Refused: " + "; ".join(reasons)))
        label.add_class("error")

    def action_cancel(self) -> None:
        self.dismiss(None)
