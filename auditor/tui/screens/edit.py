"""The negative editor: text, match type and target, with the live blast radius and safety check.

Opened by `n` on a Findings or N-grams row (a new negative of the user's) and by `e` / `l` on
the Negatives tab (the highlighted proposal). The target list holds the shared list and every
campaign and ad group where the terms the negative blocks spend, each with its terms and spend;
the pane below replays the draft against every search term (`ReviewState.check`, i.e.
`auditor.negatives.safety.check_proposal`) as it changes. Typing recomputes after a short pause;
the target list and the replay run in a worker thread (`Checking ...` shows meanwhile) and come
back as messages (`TargetsFound`, `DraftChecked`), so the dialog answers keys at once on a large
report; saving always checks the final version first (the worker's replay is remembered, so
that check is usually instant), and Enter pressed before the typed text's targets are back
saves when they arrive.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widgets import Input, Label, OptionList, Select, Static
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from auditor import format as fmt
from auditor.model import NegativeProposal
from auditor.review.rows import MATCH_CYCLE, EditOutcome, Target, describe_target, typed_edit
from auditor.review.state import ReviewState
from auditor.tui.messages import DraftChecked, TargetsFound

RETHINK_AFTER = 0.25
"""Seconds of no typing before the targets and the check are recomputed."""
HINT = "Enter save · Tab next field · Esc cancel"
TERMS_SHOWN = 3


def target_prompt(t: Target, list_name: str, width: int = 70) -> Text:
    """One option of the target list: where, the terms it blocks there, their spend."""
    figures = f"{t.terms:>4} terms {fmt.money(t.cost):>11}"
    where = fmt.cut(describe_target(t, list_name), width - len(figures) - 1)
    return Text(f"{where:<{width - len(figures) - 1}} {figures}")


class EditScreen(ModalScreen[EditOutcome | None]):
    """Edit or create a negative; `save` stores the checked draft (refused when unsafe)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+s", "save", "Save", show=False),
    ]

    def __init__(
        self,
        state: ReviewState,
        title: str,
        draft: NegativeProposal,
        save: Callable[[NegativeProposal], EditOutcome],
        *,
        focus: str = "text",
    ) -> None:
        super().__init__()
        self.state = state
        self.title_text = title
        self.start = draft
        self.save = save
        self.focus_on = focus
        self.targets: list[Target] = []
        self._timer: Timer | None = None
        self._stale = True
        self._save_when_placed = False
        """Enter was pressed before the targets of the typed text were back: save then."""

    def compose(self) -> ComposeResult:
        cycle = MATCH_CYCLE.get(self.state.settings.platform, MATCH_CYCLE["google"])
        with Vertical(classes="dialog", id="edit-dialog"):
            yield Label(Text(self.title_text), classes="dialog-text")
            with Horizontal(id="edit-row"):
                yield Input(self.start.text, id="edit-text", compact=True)
                match = self.start.match_type if self.start.match_type in cycle else cycle[0]
                yield Select(
                    [(m, m) for m in cycle],
                    value=match,
                    allow_blank=False,
                    id="edit-match",
                    compact=True,
                )
            yield Label(
                "Target: where it goes, terms it blocks there, their spend", classes="caption"
            )
            yield OptionList(id="edit-targets", compact=True)
            yield Static(id="edit-blast")
            yield Label(HINT, id="edit-error")

    def on_mount(self) -> None:
        self._rethink(keep=self._start_key())
        widget = "#edit-targets" if self.focus_on == "target" else "#edit-text"
        self.query_one(widget).focus()

    def _start_key(self) -> str:
        """The target of the proposal being edited (a new negative starts at the suggested)."""
        p = self.start
        if not p.id:
            return ""
        if p.level == "shared_list":
            return Target("shared_list").key
        return Target(p.level, p.campaign, p.ad_group if p.level == "ad_group" else None).key

    def _typed(self) -> tuple[str, str]:
        """The text and match type as typed (`[x]` exact, `"x"` phrase, as in Editor)."""
        typed = typed_edit(self.query_one("#edit-text", Input).value)
        match = typed.get("match_type") or str(self.query_one("#edit-match", Select).value)
        return " ".join(typed["text"].split()), match

    def _rethink(self, keep: str = "") -> None:
        """Recompute the target list for the current text and match type, then the check,
        in a worker thread: on a large report that replays the negative against a million
        rows, and the dialog must keep answering keys meanwhile."""
        self._stale = False
        text, match = self._typed()
        chosen = keep or self._chosen_key()
        self.query_one("#edit-blast", Static).update(Text("Checking ...", style="dim"))
        self._compute(text, match, chosen)

    @work(thread=True, exclusive=True, group="edit-targets")
    def _compute(self, text: str, match: str, chosen: str) -> None:
        hint = self.start if self.start.id else None
        targets = self.state.targets(text, match, hint=hint)
        keys = [t.key for t in targets]
        index = keys.index(chosen) if chosen in keys else self.state.suggested(targets)
        reason = self.start.reason
        draft = self.state.draft(text, match, targets[index], reason) if text else None
        verdict = self.state.check(draft) if draft is not None else None
        if not get_current_worker().is_cancelled:
            self.post_message(TargetsFound((text, match), targets, index, verdict))

    @on(TargetsFound)
    def _targets_found(self, event: TargetsFound) -> None:
        self._show_targets(event.typed, event.targets, event.index, event.verdict)

    def _show_targets(
        self, typed: tuple[str, str], targets: list[Target], index: int, verdict: Any
    ) -> None:
        """Fill the target list (unless the text changed meanwhile or the dialog closed) and
        show the check."""
        if not self.is_attached or typed != self._typed():
            return
        self.targets = targets
        options = self.query_one("#edit-targets", OptionList)
        width = max(options.size.width, 60) - 2
        name = self.state.settings.shared_list_name
        with self.prevent(OptionList.OptionHighlighted):
            options.clear_options()
            options.add_options([Option(target_prompt(t, name, width), id=t.key) for t in targets])
            options.highlighted = index
        if verdict is not None or not typed[0]:
            self._show_verdict(verdict)
        if self._save_when_placed:
            self._save_when_placed = False
            self.action_save()

    def _chosen_key(self) -> str:
        options = self.query_one("#edit-targets", OptionList)
        i = options.highlighted
        return self.targets[i].key if i is not None and i < len(self.targets) else ""

    def draft(self) -> NegativeProposal | None:
        """The negative as it stands in the dialog (None while the text is empty)."""
        text, match = self._typed()
        if not text or not self.targets:
            return None
        i = self.query_one("#edit-targets", OptionList).highlighted or 0
        return self.state.draft(text, match, self.targets[i], self.start.reason)

    @work(thread=True, exclusive=True, group="edit-check")
    def _check(self, p: NegativeProposal) -> None:
        """Replay the draft against every search term (in a worker thread)."""
        verdict = self.state.check(p)
        if not get_current_worker().is_cancelled:
            self.post_message(DraftChecked(p, verdict))

    @on(DraftChecked)
    def _draft_checked(self, event: DraftChecked) -> None:
        """Show the check, unless the draft changed meanwhile (its own check follows)."""
        if self.draft() == event.draft:
            self._show_verdict(event.verdict)

    def _show_verdict(self, verdict: Any) -> None:
        """What the draft blocks, and whether it is safe (and why not)."""
        if not self.is_attached:
            return
        out = self.query_one("#edit-blast", Static)
        if verdict is None:
            out.update(Text("Type the negative's text.", style="yellow"))
            return
        cur = self.state.result.currency
        text = Text()
        if verdict.safe:
            text.append("Safe", style="bold green")
        else:
            text.append("Unsafe: " + "; ".join(verdict.reasons), style="bold red")
        cost = fmt.money(verdict.blocked_cost, cur)
        text.append(
            f"\nBlocks {len(verdict.blocked_terms)} term(s), {cost},"
            f" {fmt.number(verdict.blocked_clicks)} clicks: "
        )
        shown = verdict.blocked_terms[:TERMS_SHOWN]
        more = len(verdict.blocked_terms) - len(shown)
        text.append(", ".join(shown) + (f" +{more} more" if more > 0 else ""), style="dim")
        out.update(text)

    @on(Input.Changed, "#edit-text")
    @on(Select.Changed, "#edit-match")
    def _changed(self, event: Input.Changed | Select.Changed) -> None:
        event.stop()
        self._stale = True
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(RETHINK_AFTER, self._rethink)

    @on(OptionList.OptionHighlighted, "#edit-targets")
    def _target_moved(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        p = self.draft()
        if not self._stale and p is not None:
            self.query_one("#edit-blast", Static).update(Text("Checking ...", style="dim"))
            self._check(p)

    @on(Input.Submitted, "#edit-text")
    @on(OptionList.OptionSelected, "#edit-targets")
    def _submitted(self, event: Input.Submitted | OptionList.OptionSelected) -> None:
        event.stop()
        self.action_save()

    def action_save(self) -> None:
        """Save the draft (checked by `save`). When the targets of what is typed are not back
        yet, they are computed first (in the worker) and the save follows their arrival."""
        if self._stale or not self.targets:
            if self._timer is not None:
                self._timer.stop()
            self._save_when_placed = True
            self._rethink()
            return
        p = self.draft()
        if p is None:
            self._refuse(["the text is empty"])
            return
        outcome = self.save(p)
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
