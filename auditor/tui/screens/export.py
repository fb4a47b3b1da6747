"""Ask where and in which format to export the accepted negatives, showing the file first.

The dialog says, before anything is written, which file the export goes to and how many
negatives it holds (`ReviewState.plan_export`): an export with nothing in it cannot be
confirmed, and a file holding more negatives than this export is kept (the export takes the
next free name, and the dialog shows it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, Select

from auditor.review.export import ExportPlan

FORMAT_LABELS = (
    ("Google Ads Editor CSV", "editor"),
    ("Microsoft Advertising bulk file", "microsoft"),
    ("Plain list", "list"),
)

Planner = Callable[[Path, bool], ExportPlan]
"""(file asked for, also the ones exported before) -> the plan (`ReviewState.plan_export`)."""


@dataclass(frozen=True)
class ExportRequest:
    path: Path
    fmt: str
    include_exported: bool
    plan: ExportPlan


class ExportScreen(ModalScreen[ExportRequest | None]):
    BINDINGS: ClassVar[list[BindingType]] = [("escape", "cancel", "Cancel")]

    def __init__(self, path: Path, fmt: str, pending: int, exported: int, plan: Planner) -> None:
        super().__init__()
        self.path = path
        self.fmt = fmt
        self.pending = pending
        self.exported = exported
        self.planner = plan

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
            yield Label("", id="export-target", classes="dialog-text", markup=False)
            yield Label("", id="export-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Export", id="export-ok", variant="primary", compact=True)
                yield Button("Cancel", id="export-cancel", compact=True)

    def on_mount(self) -> None:
        self._show_plan()

    def _plan(self) -> ExportPlan | None:
        text = self.query_one("#export-path", Input).value.strip()
        if not text:
            return None
        again = self.query_one("#export-again", Checkbox).value
        return self.planner(Path(text).expanduser().absolute(), again)

    def _show_plan(self) -> ExportPlan | None:
        """Show the file the export will write and what it holds; return the plan."""
        plan = self._plan()
        text = plan.describe() if plan is not None else "Give a file name."
        self.query_one("#export-target", Label).update(text)
        return plan

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._show_plan()

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        event.stop()
        self._show_plan()

    def _request(self) -> None:
        plan = self._show_plan()
        error = self.query_one("#export-error", Label)
        if plan is None:
            error.update("Give a file name.")
            return
        if plan.count == 0:
            hint = " Tick the box to write them again." if self.exported else ""
            error.update(f"Nothing to export.{hint}")
            return
        fmt = self.query_one("#export-format", Select).value
        again = self.query_one("#export-again", Checkbox).value
        self.dismiss(ExportRequest(plan.path, str(fmt), again, plan))

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
