"""Messages the review app posts (dataclasses, as Textual allows)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual.message import Message

from auditor.model import NegativeProposal
from auditor.review.rows import Target
from auditor.review.state import ReviewState


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


@dataclass
class Replayed(Message):
    """A change to a proposal was replayed against every search term in a worker
    (`ReviewState.check` remembers the verdict): `base` is the proposal as it stood when
    the key was pressed, `candidate` the change to apply if `base` is still current."""

    proposal_id: str
    base: NegativeProposal
    candidate: NegativeProposal


@dataclass
class TargetsFound(Message):
    """The editor's worker placed a typed negative: the target list for `typed` (text,
    match type), the one to highlight, and the check of the draft there (None: no text)."""

    typed: tuple[str, str]
    targets: list[Target]
    index: int
    verdict: Any


@dataclass
class DraftChecked(Message):
    """The editor's worker checked `draft` (another target was highlighted)."""

    draft: NegativeProposal
    verdict: Any
