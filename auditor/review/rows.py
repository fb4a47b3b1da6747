"""What the review lists and how it says it: proposal rows (the engine's version, the user's,
the decision), held-back rows, the targets a negative can go to, the session's actions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from auditor.model import (
    HELD_REVIEW,
    HELD_UNSAFE,
    Finding,
    HeldBack,
    NegativeProposal,
)
from auditor.negatives import proposal_id
from auditor.review import decisions as dec

ROW_CAP = 100
"""Most rows a table widget shows at once (the first of the sorted, filtered set); filters
narrow the rest and the status line says how many match. Rendering grows with the rows held,
so the cap keeps every key press fast."""


TARGETS_PER_LEVEL = 25
"""Campaigns and ad groups the negative editor offers (the costliest): a long-tail account's
n-gram can spend in thousands of ad groups, and a list that long helps no one."""


NGRAM_CAP = 200_000
"""The n-gram explorer searches the costliest n-grams only (the tail is cents each)."""


MATCH_CYCLE: dict[str, tuple[str, ...]] = {
    "google": ("exact", "phrase", "broad"),
    "microsoft": ("exact", "phrase"),
}


LEVEL_CYCLE: tuple[str, ...] = ("ad_group", "campaign", "shared_list")


KIND_REVIEW, KIND_UNSAFE = HELD_REVIEW, HELD_UNSAFE


USER_FAMILY = "added"
"""The family of the negatives the user proposed from the held-back list."""


@dataclass
class ProposalRow:
    """One proposal as the review shows it: the engine's version, the user's, the decision."""

    original: NegativeProposal
    current: NegativeProposal
    status: str
    new: bool
    hidden_at_load: bool
    exported_at: str | None = None
    source: str | None = None
    """For the user's own proposals: the held-back item it came from (`HeldRow.source`)."""

    @property
    def id(self) -> str:
        return self.original.id

    @property
    def edited(self) -> bool:
        return bool(dec.edits_between(self.original, self.current))


def current_reason(row: ProposalRow) -> str:
    """Why the row is proposed, as the review shows it. The engine's reason ends with the
    blast radius of the form it proposed (`Blocks N term(s) costing ...`); after an edit
    that sentence is stale (the pane gives the edit's own), so it is left out."""
    o = row.original
    if not row.edited:
        return row.current.reason
    return o.why or o.reason


@dataclass(frozen=True)
class HeldRow:
    """A negative the engine considered and did not propose (`AuditResult.held_back`)."""

    pos: int
    """Index in `AuditResult.held_back` (the table's row key)."""
    held: HeldBack

    @property
    def key(self) -> str:
        return f"held-{self.pos}"

    @property
    def kind(self) -> str:
        """`review` (wasteful, not proven) or `unsafe` (held back): `HeldBack.kind`."""
        return self.held.kind

    @property
    def reason(self) -> str:
        """The engine's reason (`kind` says whether it is a review item)."""
        return self.held.reason

    @property
    def source(self) -> str:
        """What a user proposal stores as its origin: `match type|text`."""
        return f"{self.held.match_type}|{self.held.text}"


def held_rows(held: Sequence[HeldBack]) -> list[HeldRow]:
    """The held-back items as listed: review items first (the engine ranks them by cost),
    then the ones held back as unsafe, each group in the engine's order."""
    rows = [HeldRow(i, h) for i, h in enumerate(held)]
    return sorted(rows, key=lambda r: r.kind != KIND_REVIEW)


@dataclass
class EditOutcome:
    """The answer to an edit: applied, or refused with the safety checker's reasons."""

    applied: bool
    reasons: list[str] = field(default_factory=list)
    proposal: NegativeProposal | None = None


@dataclass(frozen=True)
class Snapshot:
    """One proposal as it stood at a moment, in the app and in the store (undo / redo)."""

    row: ProposalRow | None
    """A copy of the row; None when the proposal did not exist (a new negative undone)."""
    decision: dec.Decision | None


@dataclass(frozen=True)
class Action:
    """One decision in the session's history: what it was, and the proposal before / after."""

    what: str
    proposal_id: str
    before: Snapshot
    after: Snapshot


@dataclass(frozen=True)
class Target:
    """Where a negative can go (an ad group, a campaign or the shared list) and what it
    would block there in this report."""

    level: str
    campaign: str | None = None
    ad_group: str | None = None
    campaigns: tuple[str, ...] = ()
    """For the shared list: the campaigns it is attached to."""
    terms: int = 0
    cost: float = 0.0

    @property
    def key(self) -> str:
        return f"{self.level}|{self.campaign or ''}|{self.ad_group or ''}"

    def fields(self, list_name: str) -> dict[str, Any]:
        """The proposal fields that place a negative here."""
        if self.level == "shared_list":
            return {
                "level": self.level,
                "list_name": list_name,
                "campaigns": list(self.campaigns),
                "campaign": None,
                "ad_group": None,
            }
        return {
            "level": self.level,
            "campaign": self.campaign,
            "ad_group": self.ad_group if self.level == "ad_group" else None,
            "list_name": None,
            "campaigns": [],
        }


def describe_target(t: Target, list_name: str) -> str:
    """`campaign: Generic - Jackets`, `ad group: Jackets > Rain`, `list: auditor negatives (3
    campaigns)`."""
    if t.level == "shared_list":
        n = len(t.campaigns)
        return f"list: {list_name} ({n} campaign{'s' * (n != 1)})"
    if t.level == "ad_group":
        return f"ad group: {t.campaign} > {t.ad_group}"
    return f"campaign: {t.campaign}"


def user_proposal_id(p: NegativeProposal) -> str:
    """The id a user's negative gets: made like the engine's (text, match type, level,
    target), so the engine proposing the same negative later takes it over."""
    target = p.list_name or f"{p.campaign}|{p.ad_group or ''}"
    return proposal_id(p.text, p.match_type, p.level, target)


@dataclass(frozen=True)
class SinceLastReview:
    """What changed since the account's last review (the Overview's panel)."""

    previous: str | None
    new_proposals: int
    new_findings: int
    exported: list[tuple[NegativeProposal, str]]
    """Negatives exported in earlier reviews, with their blast radius in this report (a
    negative added in the platform blocks nothing here), costliest first, and when."""

    @property
    def still_spending(self) -> list[tuple[NegativeProposal, str]]:
        return [(p, at) for p, at in self.exported if p.blocked_cost > 0]


def finding_key(f: Finding) -> str:
    """What makes a finding the same one next week: rule, place and subject."""
    parts = (f.rule, f.level, f.campaign or "", f.ad_group or "", finding_subject(f))
    return "finding:" + "|".join(parts)


def negative_from_signature(pid: str, sig: str) -> NegativeProposal | None:
    """An exported negative back from its stored signature (`decisions.signature`): match
    type, level, target and text (None when it cannot be read back)."""
    parts = sig.split("|")
    if len(parts) < 4:
        return None
    match, level, text = parts[0], parts[1], parts[-1]
    target = parts[2:-1]
    if level == "shared_list":
        return NegativeProposal(pid, text, match, level, list_name="|".join(target))
    campaign, ad_group = target[0], (target[1] if len(target) > 1 else "None")
    return NegativeProposal(
        pid,
        text,
        match,
        level,
        campaign=campaign,
        ad_group=None if ad_group == "None" else ad_group,
    )


def edit_words(old: NegativeProposal, new: NegativeProposal) -> str:
    """An edit in words for the status line: `match type of [x]: phrase`, ..."""
    if old.text != new.text:
        return f"edit {negative_syntax(old)} to {negative_syntax(new)}"
    if old.match_type != new.match_type:
        return f"match type of {negative_syntax(old)}: {new.match_type}"
    return f"level of {negative_syntax(old)}: {LEVEL_NAMES.get(new.level, new.level)}"


def syntax(text: str, match_type: str) -> str:
    """A negative as the platforms write it: `kw`, `"kw"` or `[kw]`."""
    return {"phrase": f'"{text}"', "exact": f"[{text}]"}.get(match_type, text)


def negative_syntax(p: NegativeProposal) -> str:
    """The proposal as the platforms write it: `kw`, `"kw"` or `[kw]`."""
    return syntax(p.text, p.match_type)


LEVEL_NAMES = {"ad_group": "ad group", "campaign": "campaign", "shared_list": "list"}


def target_text(p: NegativeProposal) -> str:
    """Where the negative applies: `Campaign > Ad group`, `Campaign` or the list's name."""
    if p.level == "shared_list":
        n = len(p.campaigns)
        return f"{p.list_name or '?'}" + (f" ({n} campaign{'s' * (n != 1)})" if n else "")
    if p.level == "ad_group":
        return f"{p.campaign or '?'} > {p.ad_group or '?'}"
    return p.campaign or "?"


def finding_subject(f: Finding) -> str:
    return f.search_term or f.keyword or f.ngram or f.ad_group or f.campaign or f.check or "account"


def typed_edit(text: str) -> dict[str, str]:
    """An edited negative as typed: `[x]` means exact, `"x"` phrase (as in Editor); bare words
    keep the current match type."""
    t = text.strip()
    for opening, closing, match_type in (("[", "]", "exact"), ('"', '"', "phrase")):
        if len(t) > 1 and t[0] == opening and t[-1] == closing:
            return {"text": t[1:-1].strip(), "match_type": match_type}
    return {"text": t}
