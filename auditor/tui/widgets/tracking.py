"""Tracking tab: the conversion-tracking checks' findings and their evidence."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widgets import DataTable, Static

from auditor import format as fmt
from auditor.review.frames import tracking_skipped
from auditor.review.state import ReviewState
from auditor.tui.widgets.overview import SEVERITY_STYLE
from auditor.tui.widgets.table_window import Cell, literal

COLUMNS = (("sev", "Sev"), ("check", "Check"), ("message", "Message"))


class TrackingPane(Vertical):
    def __init__(self, state: ReviewState, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.state = state
        self.findings = state.tracking()

    def compose(self) -> ComposeResult:
        table: DataTable[Cell] = DataTable(id="tracking-table", cursor_type="row")
        for key, label in COLUMNS:
            table.add_column(label, key=key)
        yield table
        with VerticalScroll(id="evidence", classes="detail"):
            yield Static(id="evidence-text")

    def on_mount(self) -> None:
        table = self.query_one("#tracking-table", DataTable)
        for i, f in enumerate(self.findings):
            cells = (
                Text(f.severity, style=SEVERITY_STYLE.get(f.severity, "")),
                f.check or f.rule,
                fmt.cut(f.message, 200),
            )
            table.add_row(*literal(cells), key=str(i))
        if self.findings:
            self.show_evidence(0)
        else:
            self.query_one("#evidence-text", Static).update(self._clean_text())

    def _clean_text(self) -> Text:
        text = Text("No tracking problem found in the data given.\n", style="green")
        skipped = tracking_skipped(self.state.result)
        if skipped:
            text.append("\nChecks the audit could not run:\n", style="bold")
            for c in skipped:
                text.append(f"  {c.get('rule', '?')}: {c.get('reason', '')}\n")
        text.append(
            "\nGive --conversions, --by-action, --by-day or --orders files for the full checks."
        )
        return text

    @on(DataTable.RowHighlighted, "#tracking-table")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key is not None and event.row_key.value is not None:
            self.show_evidence(int(event.row_key.value))

    def show_evidence(self, i: int) -> None:
        f = self.findings[i]
        text = Text()
        text.append(f"{f.check or f.rule}: {f.title or ''}\n", style="bold")
        text.append(f"{f.message}\n\n")
        if f.evidence:
            text.append("Evidence\n", style="bold")
            width = max(len(name) for name, _ in fmt.figures(f.evidence)) + 2
            for name, value in fmt.figures(f.evidence, self.state.result.currency):
                text.append(f"  {name:<{width}}", style="bold")
                text.append(f"{value}\n")
        self.query_one("#evidence-text", Static).update(text)
