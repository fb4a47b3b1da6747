"""Negatives tab: proposals grouped by family, their blast radius, and the decision keys."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical, VerticalScroll
from textual.widgets import DataTable, Static

from auditor import decisions as dec
from auditor.errors import AuditorError
from auditor.tui import fmt
from auditor.tui.messages import DecisionsChanged
from auditor.tui.screens.confirm import ConfirmScreen
from auditor.tui.screens.edit import EditScreen
from auditor.tui.screens.export import ExportRequest, ExportScreen
from auditor.tui.state import (
    LEVEL_NAMES,
    EditOutcome,
    ProposalRow,
    ReviewState,
    negative_syntax,
    target_text,
)
from auditor.tui.widgets.table_window import Cell

COLUMNS = (
    ("mark", " "),
    ("family", "Family"),
    ("negative", "Negative"),
    ("target", "Level / target"),
    ("terms", "Terms"),
    ("cost", "Blocks"),
)
MARKS = {
    "new": ("●", "bold cyan"),
    dec.STATUS_PENDING: ("·", ""),
    dec.STATUS_ACCEPTED: ("✓", "bold green"),
    "exported": ("⇪", "green"),
    dec.STATUS_REJECTED: ("✗", "red"),
}
DEFAULT_FORMAT = {"google": "editor", "microsoft": "microsoft"}


def mark(row: ProposalRow) -> Text:
    if row.status == dec.STATUS_REJECTED:
        key = dec.STATUS_REJECTED
    elif row.exported_at:
        key = "exported"
    elif row.status == dec.STATUS_ACCEPTED:
        key = dec.STATUS_ACCEPTED
    else:
        key = "new" if row.new else dec.STATUS_PENDING
    symbol, style = MARKS[key]
    return Text(symbol + ("*" if row.edited else " "), style=style)


class NegativesPane(Vertical):
    BINDINGS: ClassVar[list[BindingType]] = [
        ("a", "decide('accepted')", "Accept"),
        ("r", "decide('rejected')", "Reject"),
        ("u", "decide('pending')", "Undo"),
        ("m", "match_type", "Match"),
        ("l", "level", "Level"),
        ("e", "edit", "Edit"),
        ("x", "export", "Export"),
        ("h", "toggle_rejected", "Rejected"),
    ]

    def __init__(self, state: ReviewState, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.state = state
        self._text_width, self._target_width = 22, 20

    def compose(self) -> ComposeResult:
        table: DataTable[Cell] = DataTable(id="neg-table", cursor_type="row")
        for key, label in COLUMNS:
            table.add_column(label, key=key)
        yield table
        yield Static(id="neg-status", classes="status")
        with VerticalScroll(id="blast", classes="detail"):
            yield Static(id="blast-text")

    def on_mount(self) -> None:
        self.reload()

    def on_resize(self) -> None:
        if (self._text_width, self._target_width) != self._widths():
            self.reload()

    def _widths(self) -> tuple[int, int]:
        """Widths of the Negative and Level / target columns for the pane's width."""
        width = self.size.width or 80
        text = max(22, width * 3 // 10)
        return text, max(20, width - text - 38)

    @property
    def table(self) -> DataTable[Cell]:
        return self.query_one("#neg-table", DataTable)

    def reload(self) -> None:
        """Refill the table (proposals are few: hundreds, not millions)."""
        self._text_width, self._target_width = self._widths()
        table = self.table
        table.clear()
        previous = ""
        for row in self.state.visible():
            family = row.current.family
            table.add_row(*self._cells(row, show_family=family != previous), key=row.id)
            previous = family
        self.update_status()
        if table.row_count:
            self.show_blast(self.state.visible()[0].id)
        else:
            self.query_one("#blast-text", Static).update("No negative keyword proposed.")

    def _cells(self, row: ProposalRow, *, show_family: bool = True) -> list[Cell]:
        p = row.current
        return [
            mark(row),
            fmt.cut(p.family, 10) if show_family else "",
            fmt.cut(negative_syntax(p), self._text_width),
            fmt.cut(f"{LEVEL_NAMES.get(p.level, p.level)}: {target_text(p)}", self._target_width),
            Text(str(len(p.blocked_terms)), justify="right"),
            Text(fmt.money(p.blocked_cost), justify="right"),
        ]

    def _refresh_row(self, row: ProposalRow) -> None:
        table = self.table
        cells = self._cells(row)
        for (key, _), value in zip(COLUMNS, cells, strict=True):
            if key == "family":
                continue
            table.update_cell(row.id, key, value)
        self.update_status()
        self.show_blast(row.id)
        self.post_message(DecisionsChanged(row.id))

    def update_status(self) -> None:
        c = self.state.counts()
        saved = self.state.savings((dec.STATUS_ACCEPTED,))
        hidden = sum(r.hidden_at_load for r in self.state.rows)
        extra = "" if self.state.show_rejected or not hidden else f", {hidden} hidden (h)"
        self.query_one("#neg-status", Static).update(
            f"{c['new']} new · {c['pending']} pending · {c['accepted']} accepted"
            f" ({fmt.money(saved, self.state.result.currency)}) · {c['exported']} exported"
            f" · {c['rejected']} rejected{extra}"
        )

    def current_id(self) -> str | None:
        table = self.table
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        return str(key.value)

    @on(DataTable.RowHighlighted, "#neg-table")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key is not None and event.row_key.value is not None:
            self.show_blast(str(event.row_key.value))

    def show_blast(self, proposal_id: str, refusal: list[str] | None = None) -> None:
        """The proposal's reason and the terms it blocks with their spend."""
        row = self.state.row(proposal_id)
        p = row.current
        cur = self.state.result.currency
        text = Text()
        if refusal:
            text.append("Refused: " + "; ".join(refusal) + "\n", style="bold red")
        text.append(f"{negative_syntax(p)}", style="bold")
        text.append(f"  {p.match_type} negative, {p.level.replace('_', ' ')}: {target_text(p)}\n")
        if row.edited:
            o = row.original
            text.append(
                f"edited; proposed as {negative_syntax(o)} ({o.match_type},"
                f" {LEVEL_NAMES.get(o.level, o.level)}: {target_text(o)})\n",
                style="yellow",
            )
        if row.exported_at:
            text.append(f"exported {row.exported_at}\n", style="green")
        if p.reason:
            text.append(p.reason + "\n")
        text.append(
            f"Blocks {len(p.blocked_terms)} term(s): {fmt.money(p.blocked_cost, cur)},"
            f" {fmt.number(p.blocked_clicks)} clicks, {fmt.number(p.blocked_conversions)}"
            " conversions\n",
            style="bold",
        )
        radius = self.state.blast_radius(p)
        for term, cost, clicks in zip(radius.index, radius["cost"], radius["clicks"], strict=True):
            text.append(f"  {fmt.money(cost):>12}  {fmt.number(clicks):>6} cl  {term}\n")
        if len(p.blocked_terms) > len(radius):
            text.append(f"  ... and {len(p.blocked_terms) - len(radius)} more\n", style="dim")
        self.query_one("#blast-text", Static).update(text)

    def action_decide(self, status: str) -> None:
        pid = self.current_id()
        if pid is None:
            return
        row = self.state.set_status(pid, status)
        self._refresh_row(row)
        if status != dec.STATUS_PENDING:
            self.table.action_cursor_down()

    def _edited(self, pid: str, outcome: EditOutcome | None) -> None:
        if outcome is None:
            return
        if outcome.applied:
            self._refresh_row(self.state.row(pid))
            self.app.notify(f"Saved: {negative_syntax(self.state.row(pid).current)}")
        else:
            self.show_blast(pid, outcome.reasons)
            self.app.notify("Refused: " + "; ".join(outcome.reasons), severity="error")

    def action_match_type(self) -> None:
        pid = self.current_id()
        if pid is not None:
            self._edited(pid, self.state.edit(pid, match_type=self.state.next_match_type(pid)))

    def action_level(self) -> None:
        pid = self.current_id()
        if pid is not None:
            self._edited(pid, self.state.edit(pid, **self.state.level_changes(pid)))

    def action_edit(self) -> None:
        pid = self.current_id()
        if pid is None:
            return
        p = self.state.row(pid).current
        screen = EditScreen(
            f"Edit {negative_syntax(p)} ({p.match_type}, {target_text(p)})",
            p.text,
            lambda text: self.state.edit(pid, text=text),
        )
        self.app.push_screen(screen, lambda outcome: self._edited(pid, outcome))

    def action_toggle_rejected(self) -> None:
        self.state.show_rejected = not self.state.show_rejected
        self.reload()

    def action_export(self) -> None:
        pending = self.state.accepted()
        everything = self.state.accepted(include_exported=True)
        if not everything:
            self.app.notify("Nothing accepted yet: accept proposals with a.", severity="warning")
            return
        default = Path.cwd() / f"negatives-{date.today().isoformat()}.csv"
        fmt_name = DEFAULT_FORMAT.get(self.state.settings.platform, "editor")
        screen = ExportScreen(default, fmt_name, len(pending), len(everything) - len(pending))
        self.app.push_screen(screen, self._export_requested)

    def _export_requested(self, request: ExportRequest | None) -> None:
        if request is None:
            return
        if request.path.exists():
            self.app.push_screen(
                ConfirmScreen(f"{request.path} exists. Overwrite it?"),
                lambda yes: self._export(request, force=True) if yes else None,
            )
        else:
            self._export(request, force=False)

    def _export(self, request: ExportRequest, *, force: bool) -> None:
        try:
            n = self.state.export(
                request.path, request.fmt, force=force, include_exported=request.include_exported
            )
        except AuditorError as exc:
            self.app.notify(exc.one_line(), severity="error", timeout=10)
            return
        for row in self.state.visible():
            self.table.update_cell(row.id, "mark", mark(row))
        self.update_status()
        self.post_message(DecisionsChanged(None))
        self.app.notify(f"Wrote {n} negative(s) ({request.fmt}) to {request.path}")
