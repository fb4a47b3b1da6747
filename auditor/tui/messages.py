"""Messages the review app posts (dataclasses, as Textual allows)."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from auditor.tui.state import ReviewState


@dataclass
class AuditProgress(Message):
    """The audit worker reached a step (`done` is the share of work done, 0..1)."""

    step: str
    done: float


@dataclass
class AuditLoaded(Message):
    """The audit ran and the account's decisions are loaded."""

    state: ReviewState


@dataclass
class AuditFailed(Message):
    """The audit could not run: a one-line reason and the exit code to leave with."""

    message: str
    exit_code: int


@dataclass
class DecisionsChanged(Message):
    """A proposal was accepted, rejected, edited or exported (the overview recounts);
    `added` when the user proposed a new negative (the Negatives table lists it again)."""

    proposal_id: str | None = None
    added: bool = False
