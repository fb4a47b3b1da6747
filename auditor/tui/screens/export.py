"""Ask where and in which format to export the accepted negatives."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, Select

FORMAT_LABELS = (
    ("Google Ads Editor CSV", "editor"),
    ("Microsoft Advertising bulk file", "microsoft"),
    ("Plain list", "list"),
)


@dataclass(frozen=True)
class ExportRequest:
    path: Path
    fmt: str
    include_exported: bool


class ExportScreen(ModalScreen[ExportRequest | None]):
    BINDINGS: ClassVar[list[BindingType]] = [("escape", "cancel", "Cancel")]

    def __init__(self, path: Path, fmt: str, pending: int, exported: int) -> None:
        super().__init__()
        self.path = path
        self.fmt = fmt
        self.pending = pending
        self.exported = exported

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(
                f"Export {self.pending} accepted negative(s) not exported yet.",
                classes="dialog-text",
            )
            yield Input(str(self.path), id="export-path", compact=True)
            yield Select(
                FORMAT_LABELS, value=self.fmt, allow_blank=False, id="export-format", compact=True
            )
            yield Checkbox(
                f"Also the {self.exported} accepted one(s) exported before",
                value=False,
                id="export-again",
            )
            yield Label("", id="export-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Export", id="export-ok", variant="primary", compact=True)
                yield Button("Cancel", id="export-cancel", compact=True)

    def _request(self) -> None:
        text = self.query_one("#export-path", Input).value.strip()
        if not text:
            self.query_one("#export-error", Label).update("Give a file name.")
            return
        fmt = self.query_one("#export-format", Select).value
        again = self.query_one("#export-again", Checkbox).value
        self.dismiss(ExportRequest(Path(text).expanduser(), str(fmt), again))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._request()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "export-ok":
            self._request()
        else:
            self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)
