"""`n` on a Findings or N-grams row: open the negative editor pre-filled from what is seen."""

from __future__ import annotations

from textual.widget import Widget

from auditor.model import NegativeProposal
from auditor.review.rows import EditOutcome, negative_syntax, target_text
from auditor.review.state import ReviewState
from auditor.tui.messages import DecisionsChanged
from auditor.tui.screens.edit import EditScreen


def negate(
    widget: Widget,
    state: ReviewState,
    start: NegativeProposal,
    source: str,
) -> None:
    """Open the editor on `start` (text, match type, reason; id empty: a new negative), and
    add the saved negative as the user's accepted proposal, checked first."""

    def save(draft: NegativeProposal) -> EditOutcome:
        return state.propose(draft, source)

    def done(outcome: EditOutcome | None) -> None:
        if outcome is None or outcome.proposal is None:
            return
        p = outcome.proposal
        widget.post_message(DecisionsChanged(p.id, added=True))
        widget.app.notify(
            f"Accepted {negative_syntax(p)} ({target_text(p)}): {len(p.blocked_terms)} term(s)",
            markup=False,
        )

    title = f"New negative from {source.split('|', 1)[0]}: undo with u"
    widget.app.push_screen(EditScreen(state, title, start, save), done)


def starting_draft(text: str, match_type: str, reason: str) -> NegativeProposal:
    """The editor's starting point for a new negative (placed by the editor's target list)."""
    return NegativeProposal(id="", text=text, match_type=match_type, level="", reason=reason)
