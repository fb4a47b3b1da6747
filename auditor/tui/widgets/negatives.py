"""Negatives tab: proposals grouped by family, their blast radius, and the decision keys.

`b` switches the table to the negatives the engine held back (review items and unsafe ones),
`p` there proposes the highlighted one as the user's own negative (see `ReviewState.propose_held`).

`m` replays the next match type against every search term in a worker thread (the status line
says `checking ...` meanwhile; keys keep answering) and applies it when the replay is back and
the proposal has not changed since; a replay done before (`ReviewState.check` remembers them)
applies at once. Decisions redraw only the row they change (`DataTable.update_cell`).

Over 500 lines: one pane, two tables (proposals, held back) sharing one detail pane, status
line and key bindings; what it shows and changes is `auditor.review`, not here.
"""

from __future__ import annotations

from dataclasses import replace
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.widgets import DataTable, Static
from textual.worker import get_current_worker

from auditor import format as fmt
from auditor.errors import AuditorError
from auditor.model import NegativeProposal
from auditor.review import decisions as dec
from auditor.review.rows import (
    KIND_REVIEW,
    KIND_UNSAFE,
    LEVEL_NAMES,
    ROW_CAP,
    Action,
    EditOutcome,
    HeldRow,
    ProposalRow,
    current_reason,
    negative_syntax,
    syntax,
    target_text,
)
from auditor.review.state import ReviewState
from auditor.tui.messages import DecisionsChanged, Replayed
from auditor.tui.screens.confirm import ConfirmScreen
from auditor.tui.screens.edit import EditScreen
from auditor.tui.screens.export import ExportRequest, ExportScreen
from auditor.tui.widgets.table_window import Cell, literal, shown_text

COLUMNS = (
    ("mark", " "),
    ("family", "Family"),
    ("tier", "Tier"),
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
HELD_COLUMNS = (
    ("mark", " "),
    ("kind", "Kind"),
    ("negative", "Negative"),
    ("match", "Match"),
    ("reason", "Reason"),
)
KIND_STYLE = {KIND_REVIEW: "yellow", KIND_UNSAFE: "red"}
TIER_STYLE = {"proven": "green", "intent": "blue"}
"""Tier column: `proven` by the data, `intent` by meaning, `yours` (added in the app)."""
NOTHING_BLOCKED = (
    "Blocks no search term in this report: it saves nothing here (allowed; check the text)"
)
DEFAULT_FORMAT = {"google": "editor", "microsoft": "microsoft"}
PROPOSAL_ACTIONS = frozenset({"decide", "match_type", "level", "edit", "toggle_rejected"})
HISTORY_WORDS = {"undo": "Undone", "redo": "Redone"}
"""Keys that act on a proposal row: hidden while the held-back list is shown."""


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


def blocks_style(p: NegativeProposal) -> str:
    """The Terms cell of a negative that blocks nothing in this report stands out."""
    return "" if p.blocked_terms else "bold yellow"


def where(p: NegativeProposal) -> str:
    """`level: target`, e.g. `campaign: Generic - Jackor`."""
    return f"{LEVEL_NAMES.get(p.level, p.level)}: {target_text(p)}"


class NegativesPane(Vertical):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "decide('accepted')", "Accept", tooltip="accept the negative"),
        Binding("r", "decide('rejected')", "Reject", tooltip="reject the negative"),
        Binding("m", "match_type", "Match", tooltip="next match type (checked first)"),
        Binding("l", "level", "Level", tooltip="choose the target: ad group, campaign, list"),
        Binding("e", "edit", "Edit", tooltip="edit text, match type and target"),
        Binding("p", "propose", "Propose", tooltip="propose the held-back item (checked)"),
        Binding("x", "export", "Export", tooltip="export the accepted negatives"),
        Binding("b", "toggle_held", "Held", tooltip="held back / to review, and back"),
        Binding("h", "toggle_rejected", "Rejected", tooltip="show / hide rejected ones"),
    ]

    def __init__(self, state: ReviewState, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.state = state
        self._text_width, self._target_width = 22, 20
        self.held_view = False
        """True while the table lists the held-back / review items (`b`)."""
        self._proposals_stale = False
        self._replaying: dict[str, Replayed] = {}
        """The match-type changes waiting for their replay (`m`), by proposal."""

    def compose(self) -> ComposeResult:
        table: DataTable[Cell] = DataTable(id="neg-table", cursor_type="row")
        for key, label in COLUMNS:
            table.add_column(label, key=key)
        yield table
        held: DataTable[Cell] = DataTable(id="held-table", cursor_type="row")
        for key, label in HELD_COLUMNS:
            held.add_column(label, key=key)
        held.display = False
        yield held
        yield Static(id="neg-status", classes="status")
        with VerticalScroll(id="blast", classes="detail"):
            yield Static(id="blast-text")

    def on_mount(self) -> None:
        self.reload()

    def on_resize(self) -> None:
        if (self._text_width, self._target_width) != self._widths():
            self.reload()
            if self.held_view:
                self.reload_held()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Proposal keys in the proposals list, `p` in the held-back list (others hidden)."""
        if action in PROPOSAL_ACTIONS:
            return not self.held_view
        if action == "propose":
            return self.held_view
        return True

    def _widths(self) -> tuple[int, int]:
        """Widths of the Negative and Level / target columns for the pane's width."""
        width = self.size.width or 80
        text = max(22, width * 3 // 10)
        return text, max(20, width - text - 45)

    @property
    def table(self) -> DataTable[Cell]:
        return self.query_one("#neg-table", DataTable)

    @property
    def held_table(self) -> DataTable[Cell]:
        return self.query_one("#held-table", DataTable)

    def focus_table(self) -> None:
        """Focus the table on show (the held-back one while it is shown)."""
        (self.held_table if self.held_view else self.table).focus()

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
        if self.held_view:
            return
        self.update_status()
        if table.row_count:
            self.show_blast(self.state.visible()[0].id)
        else:
            self.query_one("#blast-text", Static).update("No negative keyword proposed.")

    def _cells(self, row: ProposalRow, *, show_family: bool = True) -> list[Text]:
        p = row.current
        return literal(
            [
                mark(row),
                fmt.cut(p.family, 10) if show_family else "",
                Text(p.tier or "yours", style=TIER_STYLE.get(p.tier, "cyan")),
                fmt.cut(negative_syntax(p), self._text_width),
                fmt.cut(where(p), self._target_width),
                Text(str(len(p.blocked_terms)), justify="right", style=blocks_style(p)),
                Text(fmt.money(p.blocked_cost), justify="right"),
            ]
        )

    def _refresh_row(self, row: ProposalRow) -> None:
        """Redraw the one row a decision changed (its cells, the counts, the detail of the
        highlighted row), not the table."""
        table = self.table
        cells = self._cells(row)
        if row.id in table.rows:
            for (key, _), value in zip(COLUMNS, cells, strict=True):
                if key == "family":
                    continue
                table.update_cell(row.id, key, value)
        self.update_status()
        shown = self.current_id()
        if shown is not None and not self.held_view:
            self.show_blast(shown)
        self.post_message(DecisionsChanged(row.id))

    def update_status(self, note: str = "") -> None:
        """The counts (or the held-back list's), after `note` (e.g. what was undone)."""
        said = Text(f"{note} · " if note else "", style="bold")
        if self.held_view:
            self._held_status(said)
            return
        c = self.state.counts()
        saved = self.state.savings((dec.STATUS_ACCEPTED,))
        hidden = sum(r.hidden_at_load for r in self.state.rows)
        extra = "" if self.state.show_rejected or not hidden else f", {hidden} hidden (h)"
        line = said + Text(
            f"{c['new']} new · {c['pending']} pending · {c['accepted']} accepted"
            f" ({fmt.money(saved, self.state.result.currency)}) · {c['exported']} exported"
            f" · {c['rejected']} rejected{extra}"
        )
        saving = self.state.store.status()
        if saving:
            line.append(f" · {saving}", style="bold red")
        self.query_one("#neg-status", Static).update(line)

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

    @on(DataTable.RowHighlighted, "#held-table")
    def _held_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key is not None and event.row_key.value is not None:
            self.show_held(str(event.row_key.value))

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
        if row.source:
            text.append("proposed by you from the held-back list (b)\n", style="cyan")
        if row.exported_at:
            text.append(f"exported {row.exported_at}\n", style="green")
        reason = current_reason(row)
        if reason:
            text.append(reason + "\n")
        if not p.blocked_terms:
            text.append(NOTHING_BLOCKED + "\n", style="bold yellow")
        else:
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
            row = self.state.row(pid)
            self._refresh_row(row)
            self._notify_saved(row.current)
        else:
            if pid == self.current_id() and not self.held_view:
                self.show_blast(pid, outcome.reasons)
            self.app.notify(
                "Refused: " + "; ".join(outcome.reasons), severity="error", markup=False
            )

    def _notify_saved(self, p: NegativeProposal) -> None:
        """Say what the saved version blocks; one that blocks nothing is saved, but flagged."""
        if not p.blocked_terms:
            self.app.notify(
                f"Saved {negative_syntax(p)}. {NOTHING_BLOCKED}", severity="warning", markup=False
            )
            return
        money = fmt.money(p.blocked_cost, self.state.result.currency)
        self.app.notify(
            f"Saved {negative_syntax(p)}: blocks {len(p.blocked_terms)} term(s), {money}",
            markup=False,
        )

    def action_match_type(self) -> None:
        """The next match type (after the one still being checked, if `m` was pressed
        again), checked first: at once when replayed before, else in a worker."""
        pid = self.current_id()
        if pid is None:
            return
        base = self.state.row(pid).current
        waiting = self._replaying.pop(pid, None)
        start = waiting.candidate if waiting is not None else base
        candidate = replace(start, match_type=self.state.match_after(start.match_type))
        if candidate.match_type == base.match_type or self.state.replayed(candidate):
            self._edited(pid, self.state.edit(pid, match_type=candidate.match_type))
            return
        change = self._replaying[pid] = Replayed(pid, base, candidate)
        self.update_status(
            note=f"checking {negative_syntax(candidate)} against every search term ..."
        )
        self._replay(change)

    @work(thread=True, group="replay")
    def _replay(self, change: Replayed) -> None:
        """Replay the change (remembered by `ReviewState.check`) and post it back."""
        self.state.check(change.candidate)
        if not get_current_worker().is_cancelled:
            self.post_message(Replayed(change.proposal_id, change.base, change.candidate))

    @on(Replayed)
    def _replayed(self, event: Replayed) -> None:
        """Apply a replayed match-type change, unless the proposal changed meanwhile."""
        event.stop()
        waiting = self._replaying.get(event.proposal_id)
        if waiting is None or waiting.candidate is not event.candidate:
            return  # a later `m` on the same row replaces this one
        del self._replaying[event.proposal_id]
        row = next((r for r in self.state.rows if r.id == event.proposal_id), None)
        if row is None or row.current is not event.base:
            self.update_status(note="match type not changed: the negative changed meanwhile")
            return
        self._edited(row.id, self.state.edit(row.id, match_type=event.candidate.match_type))

    def action_level(self) -> None:
        self._open_editor(focus="target")

    def action_edit(self) -> None:
        self._open_editor(focus="text")

    def _open_editor(self, focus: str) -> None:
        """The editor on the highlighted proposal: text, match type and target from a list."""
        pid = self.current_id()
        if pid is None:
            return
        p = self.state.row(pid).current

        def save(draft: NegativeProposal) -> EditOutcome:
            fields = {f: getattr(draft, f) for f in dec.EDIT_FIELDS}
            return self.state.edit(pid, **fields)

        screen = EditScreen(
            self.state,
            f"Edit {negative_syntax(p)} ({p.match_type}, {target_text(p)})",
            p,
            save,
            focus=focus,
        )
        self.app.push_screen(screen, lambda outcome: self._edited(pid, outcome))

    def after_history(self, action: Action, how: str) -> None:
        """Show an undone / redone decision: the row (redrawn in place, or the table again
        when a negative of the user's came or went), the cursor on it, the status line."""
        pid = action.proposal_id
        table = self.table
        if self.held_view:
            self._proposals_stale = True
            self._refresh_held_marks()
        elif (action.before.row is None) != (action.after.row is None):
            self.reload()
        else:
            for (key, _), value in zip(COLUMNS, self._cells(self.state.row(pid)), strict=True):
                if key != "family":
                    table.update_cell(pid, key, value)
        if not self.held_view and pid in table.rows:
            table.move_cursor(row=table.get_row_index(pid))
            self.show_blast(pid)
        self.update_status(note=f"{HISTORY_WORDS[how]}: {action.what}")

    def proposals_added(self) -> None:
        """A negative was proposed from another tab: list the proposals again."""
        if self.held_view:
            self._proposals_stale = True
            self._refresh_held_marks()
        else:
            self.reload()

    def action_toggle_rejected(self) -> None:
        """Show / hide the proposals rejected in earlier reviews, and say what changed (the
        ones rejected in this review stay listed, marked `✗`, until the next one)."""
        self.state.show_rejected = not self.state.show_rejected
        self.reload()
        earlier = sum(r.hidden_at_load for r in self.state.rows)
        now = sum(r.status == dec.STATUS_REJECTED and not r.hidden_at_load for r in self.state.rows)
        verb = "showing" if self.state.show_rejected else "hiding"
        self.update_status(
            note=f"{verb} {earlier} rejected before; {now} rejected in this review stay listed"
        )

    def action_toggle_held(self) -> None:
        """Switch between the proposals and the held-back / review items."""
        self.held_view = not self.held_view
        if self.held_view:
            self.reload_held()
        elif self._proposals_stale:
            self._proposals_stale = False
            self.reload()
        else:
            self.update_status()
            pid = self.current_id()
            if pid is not None:
                self.show_blast(pid)
        self.held_table.display = self.held_view
        self.table.display = not self.held_view
        self.focus_table()
        self.refresh_bindings()

    def reload_held(self) -> None:
        """Fill the held-back table: the first `ROW_CAP` items (review first, then unsafe)."""
        self._text_width, self._target_width = self._widths()
        table = self.held_table
        table.clear()
        added = self.state.proposed_from()
        for item in self.state.held[:ROW_CAP]:
            table.add_row(*self._held_cells(item, added.get(item.source)), key=item.key)
        self._held_status()
        if table.row_count:
            self.show_held(self.state.held[0].key)
        else:
            self.query_one("#blast-text", Static).update("Nothing was held back.")

    def _held_cells(self, item: HeldRow, added: ProposalRow | None) -> list[Text]:
        h = item.held
        reason_width = max(16, self._text_width + self._target_width - 14)
        return literal(
            [
                mark(added) if added else Text("  "),
                Text(item.kind, style=KIND_STYLE.get(item.kind, "")),
                fmt.cut(h.text, self._text_width),
                h.match_type,
                fmt.cut(item.reason, reason_width),
            ]
        )

    def _refresh_held_marks(self) -> None:
        added = self.state.proposed_from()
        for item in self.state.held[:ROW_CAP]:
            row = added.get(item.source)
            self.held_table.update_cell(item.key, "mark", mark(row) if row else Text("  "))

    def _held_status(self, said: Text | None = None) -> None:
        held = self.state.held
        review = sum(h.kind == KIND_REVIEW for h in held)
        added = self.state.proposed_from()
        done = sum(h.source in added for h in held)
        self.query_one("#neg-status", Static).update(
            (said or Text())
            + Text(
                f"{review} to review · {len(held) - review} unsafe · {done} proposed"
                f" by you · {shown_text(min(len(held), ROW_CAP), len(held))}"
            )
        )

    def current_held(self) -> str | None:
        table = self.held_table
        if not table.row_count:
            return None
        return str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)

    def show_held(self, key: str, refusal: list[str] | None = None) -> None:
        """The item's full reason and the terms the engine says it would block."""
        item = self.state.held_row(key)
        h = item.held
        cur = self.state.result.currency
        text = Text()
        if refusal:
            text.append("Refused: " + "; ".join(refusal) + "\n", style="bold red")
        what = "to review" if item.kind == KIND_REVIEW else "held back as unsafe"
        text.append(syntax(h.text, h.match_type), style="bold")
        text.append(f"  {h.match_type}, {what}\n", style=KIND_STYLE.get(item.kind, ""))
        added = self.state.proposed_from().get(item.source)
        if added is not None:
            text.append(
                f"proposed by you as {negative_syntax(added.current)}"
                f" ({where(added.current)}), {added.status}\n",
                style="green",
            )
        text.append(item.reason + "\n")
        costs = self.state.term_costs(h.would_block)
        total = float(costs["cost"].sum()) if len(costs) else 0.0
        text.append(
            f"Would block {len(h.would_block)} term(s) listed: {fmt.money(total, cur)}\n",
            style="bold",
        )
        for term, cost, clicks in zip(costs.index, costs["cost"], costs["clicks"], strict=True):
            text.append(f"  {fmt.money(cost):>12}  {fmt.number(clicks):>6} cl  {term}\n")
        if added is None:
            text.append("p: propose it as a negative (checked first)\n", style="dim")
        self.query_one("#blast-text", Static).update(text)

    def action_propose(self) -> None:
        """Propose the highlighted held-back item as an accepted negative, if it is safe."""
        key = self.current_held()
        if key is None:
            return
        outcome = self.state.propose_held(key)
        if not outcome.applied:
            self.show_held(key, outcome.reasons)
            self.app.notify(
                "Refused: " + "; ".join(outcome.reasons), severity="error", markup=False
            )
            return
        assert outcome.proposal is not None
        item = self.state.held_row(key)
        row = self.state.row(outcome.proposal.id)
        self.held_table.update_cell(key, "mark", mark(row))
        self._proposals_stale = True
        self._held_status()
        self.show_held(key)
        self.post_message(DecisionsChanged(row.id))
        p = row.current
        self.app.notify(
            f"Accepted {negative_syntax(p)} ({where(p)}) from '{item.held.text}'", markup=False
        )

    def action_export(self) -> None:
        pending = self.state.accepted()
        everything = self.state.accepted(include_exported=True)
        if not everything:
            self.app.notify("Nothing to export: accept proposals with a first.", severity="warning")
            return
        default = self.state.default_export_path()
        fmt_name = DEFAULT_FORMAT.get(self.state.settings.platform, "editor")
        screen = ExportScreen(
            default,
            fmt_name,
            len(pending),
            len(everything) - len(pending),
            lambda path, again: self.state.plan_export(path, include_exported=again),
        )
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
            self.app.notify(exc.one_line(), severity="error", timeout=10, markup=False)
            return
        if self.held_view:
            self._proposals_stale = True
            self._refresh_held_marks()
        else:
            for row in self.state.visible():
                self.table.update_cell(row.id, "mark", mark(row))
        self.update_status()
        self.post_message(DecisionsChanged(None))
        kept = (
            f"; {request.plan.asked.name} kept as it was"
            if request.plan.asked != request.path
            else ""
        )
        self.app.notify(
            f"Wrote {n} negative(s) ({request.fmt}) to {request.path}{kept}", markup=False
        )
