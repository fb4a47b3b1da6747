"""What the review app shows and changes, without any widget: the testable core of the TUI.

`load_review` runs the audit (in the app's worker thread), recognises the account, applies the
decisions stored for it and precomputes the frames the tabs filter, so a key press in the app
only filters small pandas frames and redraws a capped window of rows.

Decisions in words:
- Every decision of the session (accept, reject, match type, level, edit, a negative added)
  is kept as an `Action` with the proposal before and after (`Snapshot`: the row and its
  stored decision); `undo` / `redo` put either back, in the app and in the store.
- A negative can be made from anything seen (`targets`, `draft`, `propose`): the targets are
  the shared list and every campaign and ad group where the terms it blocks spend.
- Proposals are listed new first (first shown by this week's report), then the other pending
  ones, then accepted, then exported; rejected ones from earlier reviews are hidden (`h` shows
  them at the bottom). Within each group, families are ordered by their blocked spend and the
  proposals of a family stay together.
- An edit (text, match type, level) is replayed against every search term by
  `auditor.negatives.safety.check_proposal`; an unsafe edit is refused with the checker's
  reasons and nothing is stored. A safe edit updates the blast radius shown and is stored at once.
- Export writes the accepted proposals with `auditor.output.negatives.write_negatives`, the
  same function as `auditor audit --negatives` (the same list name, `auditor negatives -
  <account>`), in the engine's proposal order; ones already exported in the same form are left
  out unless asked for. Every export is stored. Nothing is lost: an export with nothing in it
  is never written, and a file that holds more negatives than the new export would is never
  replaced (the export gets the next free name, `name-2.csv`). The default file is
  `negatives-<account>-<date>.csv` in the report's folder (the home folder for the bundled
  sample or a folder that cannot be written).
- Held-back items (`AuditResult.held_back`) are listed too: `review:` items (wasteful, but no
  word marks them irrelevant) first, costliest first, then the negatives held back as unsafe.
  `propose_held` turns one into the user's own proposal: the item's text and match type (the
  engine holds an n-gram family as phrase and a single query as exact), at the campaign where
  the terms it blocks spend, or on the shared list attached to those campaigns when they spend
  in several (the editor's suggestion, `suggested`). It is checked like an edit, refused with
  the reasons when unsafe, and otherwise stored as accepted with an id made the way the engine
  makes its ids (text, match type, level, target), so it shows again in later reviews and is
  exported with the other accepted ones; the engine proposing the same negative later takes
  it over with its decision.
- Savings are the spend of the search terms the negatives block in this report (each term
  counted once), i.e. what the same queries would cost again next period.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from auditor import decisions as dec
from auditor.account import slug
from auditor.audit import audit
from auditor.config import Settings
from auditor.errors import AuditorError, ConfigError, OutputError
from auditor.model import (
    HELD_REVIEW,
    HELD_UNSAFE,
    SEVERITIES,
    AuditResult,
    Finding,
    HeldBack,
    NegativeProposal,
)
from auditor.negatives import proposal_id
from auditor.output.csvio import check_output_paths
from auditor.readers.negatives_list import read_path
from auditor.resources import bundled
from auditor.terms.matching import words

ProgressFn = Callable[[str, float], None]

ROW_CAP = 100
"""Most rows a table widget shows at once (the first of the sorted, filtered set); filters
narrow the rest and the status line says how many match. Rendering grows with the rows held,
so the cap keeps every key press fast."""
TARGETS_PER_LEVEL = 25
"""Campaigns and ad groups the negative editor offers (the costliest): a long-tail account's
n-gram can spend in thousands of ad groups, and a list that long helps no one."""
NGRAM_CAP = 200_000
"""The n-gram explorer searches the costliest n-grams only (the tail is cents each)."""
REPLAYS_KEPT = 128
"""Safety replays remembered per review (`ReviewState.check`): a match type cycled back, a
target list opened again or a save after the editor's check replays nothing."""
MATCH_CYCLE: dict[str, tuple[str, ...]] = {
    "google": ("exact", "phrase", "broad"),
    "microsoft": ("exact", "phrase"),
}
LEVEL_CYCLE: tuple[str, ...] = ("ad_group", "campaign", "shared_list")
REVIEW_PREFIX = "review:"
KIND_REVIEW, KIND_UNSAFE = HELD_REVIEW, HELD_UNSAFE
USER_FAMILY = "added"
"""The family of the negatives the user proposed from the held-back list."""
SEVERITY_RANK = {s: i for i, s in enumerate(SEVERITIES)}
FINDING_SORTS: dict[str, tuple[list[str], list[bool]]] = {
    "cost": (["cost", "sev_rank"], [False, True]),
    "severity": (["sev_rank", "cost"], [True, False]),
    "rule": (["rule", "cost"], [True, False]),
    "campaign": (["campaign", "cost"], [True, False]),
    "subject": (["subject", "cost"], [True, False]),
}
NGRAM_SORTS: dict[str, str] = {
    "cost": "cost",
    "clicks": "clicks",
    "conversions": "conversions",
    "terms": "terms",
}


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
    why, found, _ = o.reason.partition(f" Blocks {len(o.blocked_terms)} term(s)")
    return why if found else o.reason


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
        """The engine's reason without the `review:` marker (the kind says it)."""
        text = self.held.reason
        return text.removeprefix(REVIEW_PREFIX).strip() if self.kind == KIND_REVIEW else text

    @property
    def source(self) -> str:
        """What a user proposal stores as its origin: `match type|text`."""
        return f"{self.held.match_type}|{self.held.text}"


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


def replay_key(p: NegativeProposal) -> tuple[Any, ...]:
    """What a safety replay depends on: the text, match type and where the negative goes."""
    return (p.text, p.match_type, p.level, p.campaign, p.ad_group, tuple(p.campaigns))


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


def findings_frame(findings: Sequence[Finding]) -> pd.DataFrame:
    """One row per finding (`pos` = index in the audit's list), for filtering and sorting."""
    frame = pd.DataFrame(
        {
            "pos": range(len(findings)),
            "severity": [f.severity for f in findings],
            "category": [f.category for f in findings],
            "rule": [f.rule for f in findings],
            "subject": [finding_subject(f) for f in findings],
            "campaign": [f.campaign or "" for f in findings],
            "ad_group": [f.ad_group or "" for f in findings],
            "cost": [f.cost if f.cost is not None else float("nan") for f in findings],
            "clicks": [f.clicks if f.clicks is not None else float("nan") for f in findings],
            "conversions": [
                f.conversions if f.conversions is not None else float("nan") for f in findings
            ],
            "message": [f.message for f in findings],
            "level": [f.level for f in findings],
        }
    )
    text = ["rule", "subject", "campaign", "ad_group", "message", "severity", "category", "level"]
    frame[text] = frame[text].astype("string[pyarrow]")  # an empty list must stay text too
    frame["sev_rank"] = frame["severity"].map(SEVERITY_RANK).fillna(len(SEVERITIES)).astype(float)
    frame["haystack"] = (
        frame["rule"] + " " + frame["subject"] + " " + frame["campaign"] + " " + frame["message"]
    ).str.casefold()
    return frame


def filter_findings(
    frame: pd.DataFrame,
    *,
    severity: str | None = None,
    category: str | None = None,
    campaign: str = "",
    text: str = "",
    sort: str = "cost",
) -> pd.DataFrame:
    """The findings that pass every filter, sorted (all of them; the widget caps the rows)."""
    mask = pd.Series(True, index=frame.index)
    if severity:
        mask &= frame["severity"] == severity
    if category:
        mask &= frame["category"] == category
    if campaign.strip():
        mask &= (
            frame["campaign"].str.casefold().str.contains(campaign.strip().casefold(), regex=False)
        )
    for word in text.casefold().split():
        mask &= frame["haystack"].str.contains(word, regex=False)
    by, ascending = FINDING_SORTS[sort]
    return frame[mask].sort_values(by, ascending=ascending, na_position="last", kind="stable")


def prepare_ngrams(ngrams: pd.DataFrame | None) -> pd.DataFrame:
    """The costliest n-grams with a casefolded key, sorted by cost; `terms` counts the terms
    with a click, as the n-gram findings do."""
    cols = ["ngram", "n", "cost", "clicks", "conversions", "conversion_value", "clicked_terms"]
    if ngrams is None or ngrams.empty:
        empty = pd.DataFrame({c: pd.Series(dtype="float64") for c in cols})
        return empty.rename(columns={"clicked_terms": "terms"}).assign(key="")
    top = ngrams.nlargest(NGRAM_CAP, "cost").reset_index(drop=True)
    out = top.reindex(columns=cols).rename(columns={"clicked_terms": "terms"})
    out["key"] = out["ngram"].astype(str).str.casefold()
    return out


def filter_ngrams(
    frame: pd.DataFrame,
    *,
    text: str = "",
    n: int | None = None,
    non_converting: bool = False,
) -> pd.DataFrame:
    """The n-grams that pass the filters, in `frame`'s order (see `ReviewState.ngrams_by`)."""
    mask = pd.Series(True, index=frame.index)
    if n:
        mask &= frame["n"] == n
    if non_converting:
        mask &= frame["conversions"].fillna(0) <= 0
    needle = text.strip().casefold()
    if needle:
        mask &= frame["key"].str.contains(needle, regex=False)
    return frame[mask]


def term_stats(table: pd.DataFrame | None) -> pd.DataFrame:
    """Cost, clicks and conversions per search term (all rows of the report)."""
    cols = ["cost", "clicks", "conversions", "conversion_value"]
    if table is None or table.empty:
        return pd.DataFrame({c: pd.Series(dtype="float64") for c in cols})
    return table.groupby("search_term", sort=False, observed=True)[cols].sum(min_count=1)


def daily_cost(table: pd.DataFrame | None) -> pd.Series:
    """Spend per day when the report is segmented by day; empty otherwise."""
    if table is None or "day" not in table or table["day"].notna().sum() == 0:
        return pd.Series(dtype="float64")
    return table.groupby("day", sort=True)["cost"].sum()


def non_converting_cost(terms: pd.DataFrame, result: AuditResult) -> float | None:
    """Spend on search terms without a conversion (None when conversions are unknown)."""
    if terms.empty or result.totals.get("conversions") is None:
        return None
    return float(terms.loc[terms["conversions"].fillna(0) <= 0, "cost"].sum())


def all_spend(result: AuditResult) -> float:
    """Spend on the listed search terms plus the spend the platform hides (`Total: Other
    search terms`): the base of the overview's chart and of its `of all spend` shares."""
    return float(result.totals.get("cost") or 0.0) + float(result.hidden_cost_amount or 0.0)


@dataclass(frozen=True)
class ExportPlan:
    """Where an export goes and what it holds, known before anything is written."""

    asked: Path
    """The file the user named."""
    path: Path
    """The file that will be written: `asked`, or the next free name when `asked` holds more
    negatives than this export (a previous export is never replaced by a smaller one)."""
    count: int
    existing: int | None
    """Negatives in the file at `asked` when it exists and reads as a negatives file."""

    @property
    def overwrites(self) -> bool:
        return self.path.exists()

    def describe(self) -> str:
        """The plan in one sentence, for the export dialog."""
        if self.count == 0:
            return "Nothing to export: no accepted negative is waiting for export."
        what = f"{self.count} negative(s)"
        if self.path != self.asked:
            return (
                f"{self.asked.name} holds {self.existing} negatives, more than this export:"
                f" it is kept, and {what} go to {self.path}"
            )
        if self.overwrites:
            return f"Replaces {self.path} with {what} (you will be asked)"
        return f"Writes {what} to {self.path}"


def free_name(path: Path) -> Path:
    """`path`, or `stem-2.suffix`, `stem-3.suffix`, ... : the first name not taken."""
    n = 2
    candidate = path
    while candidate.exists():
        candidate = path.with_name(f"{path.stem}-{n}{path.suffix}")
        n += 1
    return candidate


NEGATIVES_FILE_MAX = 20 * 1024 * 1024
"""Larger files are not read to count their negatives (the dialog plans at every key press);
overwriting one is asked like any other file's."""


def negatives_in(path: Path) -> int | None:
    """How many negatives a file holds, read the way `--existing-negatives` reads it; None
    when it does not exist, is not a negatives file, or is over `NEGATIVES_FILE_MAX`."""
    if not path.is_file() or path.stat().st_size > NEGATIVES_FILE_MAX:
        return None
    try:
        return len(read_path(path, 0).table)
    except AuditorError:
        return None


def tracking_skipped(result: AuditResult) -> list[dict[str, str]]:
    """The tracking checks the audit could not run (`checks_skipped` also lists other rules,
    e.g. the profit rules without a margin)."""
    return [
        c
        for c in result.checks_skipped
        if "check" in c or str(c.get("rule", "")).startswith("TRACK")
    ]


@dataclass(frozen=True)
class SpendIndex:
    """Where each search term of the report spends, indexed once per audit (in the load
    worker): the rows of a list of terms are read by position, without a pass over the
    report, so a target list or a level change costs what the terms cost, not a million rows.
    """

    terms: pd.Index
    """The distinct search terms as written in the report (a hash lookup per term)."""
    order: np.ndarray
    """Row numbers grouped by term; term i's rows are `order[offsets[i]:offsets[i + 1]]`."""
    offsets: np.ndarray

    @classmethod
    def build(cls, table: pd.DataFrame | None) -> SpendIndex:
        if table is None or table.empty or "search_term" not in table:
            return cls(pd.Index([], dtype=object), np.zeros(0, np.int64), np.zeros(1, np.int64))
        codes, uniques = pd.factorize(table["search_term"])
        order = np.argsort(codes, kind="stable")[np.count_nonzero(codes < 0) :]
        counts = np.bincount(codes[codes >= 0], minlength=len(uniques))
        terms = pd.Index(uniques)
        terms.get_indexer(terms[:1])  # the hash table is built here, not at the first key
        return cls(terms, order, np.r_[0, np.cumsum(counts)].astype(np.int64))

    def rows(self, terms: Sequence[str]) -> np.ndarray:
        """Row numbers of `terms` in the report, in the report's order (unknown terms have
        none)."""
        if not len(terms) or not len(self.terms):
            return np.zeros(0, np.int64)
        ids = self.terms.get_indexer(pd.Index(list(dict.fromkeys(terms))))
        ids = ids[ids >= 0]
        starts, sizes = self.offsets[ids], self.offsets[ids + 1] - self.offsets[ids]
        total = int(sizes.sum())
        if not total:
            return np.zeros(0, np.int64)
        shift = np.repeat(starts - np.r_[0, np.cumsum(sizes)[:-1]], sizes)
        return np.sort(self.order[shift + np.arange(total)])

    def frame(
        self, table: pd.DataFrame | None, terms: Sequence[str], cols: list[str]
    ) -> pd.DataFrame:
        """`cols` of the report's rows of `terms`, in the report's order."""
        if table is None or table.empty:
            return pd.DataFrame({c: pd.Series(dtype="object") for c in cols})
        positions = [table.columns.get_loc(c) for c in cols]
        return table.iloc[self.rows(terms), positions]


class ReviewState:
    """The loaded audit, the account's decisions and the derived frames the tabs show."""

    def __init__(
        self,
        result: AuditResult,
        settings: Settings,
        store: dec.DecisionStore,
        *,
        progress: ProgressFn | None = None,
    ) -> None:
        step = progress or (lambda _text, _done: None)
        self.result = result
        self.settings = settings
        self.store = store
        self.show_rejected = False
        self._replays: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
        self._replays_lock = threading.Lock()
        step("remembering decisions", 0.9)
        table = result.table if result.table is not None else pd.DataFrame()
        self.account = store.resolve_account(table, result.currency)
        if settings.account_name:
            self.account = store.rename_account(self.account, settings.account_name)
        store.claim(self.account.key)
        self.period = dec.period_label(result.period)
        step("preparing the tables", 0.95)
        self.terms = term_stats(result.table)
        self.findings = findings_frame(result.findings)
        self.previous = store.previous_period(self.account.key, self.period)
        """The period of the account's last review before this report's (None: first)."""
        self.findings["new"] = self._new_findings(result.findings)
        self.ngrams = prepare_ngrams(result.ngrams)
        self._ngram_orders: dict[str, pd.DataFrame] = {"cost": self.ngrams}
        self.daily = daily_cost(result.table)
        self.non_converting = non_converting_cost(self.terms, result)
        self.rows = self._load_rows()
        self.since = self._since_last_review()
        self.held = held_rows(result.held_back)
        self.done: list[Action] = []
        """The session's decisions, oldest first (`u` undoes the last)."""
        self.undone: list[Action] = []
        """Undone decisions, the latest last (`U` redoes it); a new decision clears them."""
        self._term_cost: dict[str, float] = {}
        self._remember_costs([t for r in self.rows for t in r.original.blocked_terms])
        step("indexing the search terms", 0.98)
        self.spend = SpendIndex.build(result.table)
        self._warm_replay()

    def _new_findings(self, findings: Sequence[Finding]) -> list[bool]:
        """Which findings no earlier review of the account showed (none on a first review).
        They are remembered in the store's `seen` list under a `finding:` key."""
        keys = [finding_key(f) for f in findings]
        first = self.store.mark_seen(self.account.key, keys, self.period)
        return [self.previous is not None and k in first for k in keys]

    def _since_last_review(self) -> SinceLastReview:
        """This week against the last review: new proposals and findings, and the negatives
        exported before (in earlier reviews: this one has not exported yet) with what their
        terms spent in this report."""
        exported = self.store.exported(self.account.key)
        listed = {r.id: r.current for r in self.rows}
        earlier: list[tuple[NegativeProposal, str]] = []
        for pid, (sig, at) in exported.items():
            p = listed.get(pid)
            if p is not None and dec.signature(p) == sig:
                earlier.append((p, at))  # listed as exported: its blast radius is this week's
                continue
            parsed = negative_from_signature(pid, sig)
            if parsed is not None:
                earlier.append((self._refresh_blast(parsed), at))
        return SinceLastReview(
            previous=self.previous,
            new_proposals=sum(r.new for r in self.rows),
            new_findings=int(self.findings["new"].sum()),
            exported=sorted(earlier, key=lambda e: -e[0].blocked_cost),
        )

    def _load_rows(self) -> list[ProposalRow]:
        key = self.account.key
        new_ids = self.store.mark_seen(key, (p.id for p in self.result.negatives), self.period)
        stored = self.store.decisions(key)
        exported = self.store.exported(key)
        rows: list[ProposalRow] = []
        for p in self.result.negatives:
            d = stored.get(p.id)
            current = dec.apply_edits(p, d.edits) if d and d.edits else p
            if current is not p:
                current = self._refresh_blast(current)
            status = d.status if d else dec.STATUS_PENDING
            row = ProposalRow(p, current, status, p.id in new_ids, status == dec.STATUS_REJECTED)
            row.exported_at = self._export_time(row, exported)
            rows.append(row)
        engine_ids = {r.id for r in rows}
        self._user_ids: list[str] = []
        for p, source in self.store.user_proposals(key):
            if p.id in engine_ids or p.id in self._user_ids:
                continue  # the engine proposes it now: its row carries the decision
            rows.append(self._user_row(p, source, stored.get(p.id), exported))
        return self._ordered(rows)

    def _user_row(
        self,
        p: NegativeProposal,
        source: str,
        d: dec.Decision | None,
        exported: dict[str, tuple[str, str]],
    ) -> ProposalRow:
        """The row of a user's own proposal, its blast radius replayed on this report."""
        original = self._refresh_blast(p)
        current = self._refresh_blast(dec.apply_edits(p, d.edits)) if d and d.edits else original
        status = d.status if d else dec.STATUS_ACCEPTED
        row = ProposalRow(original, current, status, False, status == dec.STATUS_REJECTED)
        row.source = source
        row.exported_at = self._export_time(row, exported)
        self._user_ids.append(p.id)
        return row

    @staticmethod
    def _export_time(row: ProposalRow, exported: dict[str, tuple[str, str]]) -> str | None:
        sig_at = exported.get(row.id)
        return sig_at[1] if sig_at and sig_at[0] == dec.signature(row.current) else None

    @staticmethod
    def _ordered(rows: list[ProposalRow]) -> list[ProposalRow]:
        family_cost: dict[str, float] = {}
        for r in rows:
            family_cost[r.current.family] = (
                family_cost.get(r.current.family, 0.0) + r.current.blocked_cost
            )

        def bucket(r: ProposalRow) -> int:
            if r.status == dec.STATUS_REJECTED:
                return 4
            if r.exported_at:
                return 3
            if r.status == dec.STATUS_ACCEPTED:
                return 2
            return 0 if r.new else 1

        return sorted(
            rows,
            key=lambda r: (
                bucket(r),
                -family_cost[r.current.family],
                r.current.family,
                -r.current.blocked_cost,
            ),
        )

    def _refresh_blast(self, p: NegativeProposal) -> NegativeProposal:
        verdict = self.check(p)
        return replace(
            p,
            blocked_terms=list(verdict.blocked_terms),
            blocked_cost=float(verdict.blocked_cost),
            blocked_clicks=float(verdict.blocked_clicks),
            blocked_conversions=float(verdict.blocked_conversions),
        )

    def check(self, p: NegativeProposal) -> Any:
        """Replay `p` against every search term: `auditor.negatives.safety.SafetyVerdict`.
        The last `REPLAYS_KEPT` replays are remembered (by what places the negative), so the
        app replays in a worker and the edit that follows reads the answer. Safe to call from
        a worker thread; treat the verdict as read-only."""
        from auditor.negatives.safety import check_proposal

        key = replay_key(p)
        with self._replays_lock:
            if key in self._replays:
                self._replays.move_to_end(key)
                return self._replays[key]
        table = self.result.table if self.result.table is not None else pd.DataFrame()
        keywords = self.result.keywords if self.result.keywords is not None else pd.DataFrame()
        verdict = check_proposal(p, table, keywords, self.settings)
        with self._replays_lock:
            self._replays[key] = verdict
            while len(self._replays) > REPLAYS_KEPT:
                self._replays.popitem(last=False)
        return verdict

    def replayed(self, p: NegativeProposal) -> bool:
        """Whether `check(p)` is remembered (answers at once)."""
        with self._replays_lock:
            return replay_key(p) in self._replays

    def _warm_replay(self) -> None:
        """Replay one negative at an ad group, so the safety check's indexes of this report
        (terms, words, campaigns, ad groups, bought keywords) are built in the load worker,
        not at the first key that checks a negative; the replay is not remembered."""
        table = self.result.table
        if table is None or table.empty:
            return
        first = table.iloc[0]
        probe = NegativeProposal(
            id="",
            text=str(first["search_term"]),
            match_type="broad",
            level="ad_group",
            campaign=str(first["campaign"]),
            ad_group=str(first["ad_group"]),
        )
        self.check(probe)
        with self._replays_lock:
            self._replays.pop(replay_key(probe), None)

    def visible(self) -> list[ProposalRow]:
        """The rows the Negatives tab lists, in order."""
        if self.show_rejected:
            return self.rows
        return [r for r in self.rows if not r.hidden_at_load]

    def row(self, proposal_id: str) -> ProposalRow:
        return next(r for r in self.rows if r.id == proposal_id)

    def set_status(self, proposal_id: str, status: str) -> ProposalRow:
        """Accept / reject / reset one proposal; stored (committed) before this returns."""
        row = self.row(proposal_id)
        before = self.snapshot(proposal_id)
        self.store.set_status(self.account.key, proposal_id, status)
        row.status = status
        verb = {dec.STATUS_ACCEPTED: "accept", dec.STATUS_REJECTED: "reject"}.get(status, "reset")
        self._record(f"{verb} {negative_syntax(row.current)}", proposal_id, before)
        return row

    def snapshot(self, proposal_id: str) -> Snapshot:
        """The proposal as it stands now (a copy), with its stored decision."""
        row = next((r for r in self.rows if r.id == proposal_id), None)
        copy = replace(row) if row is not None else None
        return Snapshot(copy, self.store.decisions_for(self.account.key, proposal_id))

    def _record(self, what: str, proposal_id: str, before: Snapshot) -> None:
        self.done.append(Action(what, proposal_id, before, self.snapshot(proposal_id)))
        self.undone.clear()

    def undo(self) -> Action | None:
        """Undo the session's last decision, in the app and in the store; None when none."""
        if not self.done:
            return None
        action = self.done.pop()
        self._restore(action.proposal_id, action.before, "undo")
        self.undone.append(action)
        return action

    def redo(self) -> Action | None:
        """Redo the last undone decision; None when nothing was undone."""
        if not self.undone:
            return None
        action = self.undone.pop()
        self._restore(action.proposal_id, action.after, "redo")
        self.done.append(action)
        return action

    def _restore(self, proposal_id: str, snap: Snapshot, how: str) -> None:
        """Make the proposal (row and stored decision) what `snap` says."""
        key = self.account.key
        row = next((r for r in self.rows if r.id == proposal_id), None)
        if snap.row is None:
            self.store.remove_user_proposal(key, proposal_id)
            self.rows = [r for r in self.rows if r.id != proposal_id]
            self._user_ids = [i for i in self._user_ids if i != proposal_id]
            return
        if row is None:
            assert snap.row.source is not None
            self.store.add_user_proposal(key, snap.row.original, snap.row.source)
            self._user_ids.append(proposal_id)
            self.rows = self._ordered([*self.rows, replace(snap.row)])
        else:
            row.status, row.current = snap.row.status, snap.row.current
            row.exported_at = snap.row.exported_at
        self.store.restore_decision(key, proposal_id, snap.decision, how)

    def _checked(self, candidate: NegativeProposal) -> tuple[NegativeProposal, EditOutcome | None]:
        """The candidate with its blast radius from the safety check, or the refusal."""
        verdict = self.check(candidate)
        if not verdict.safe:
            return candidate, EditOutcome(False, reasons=list(verdict.reasons) or ["unsafe"])
        checked = replace(
            candidate,
            blocked_terms=list(verdict.blocked_terms),
            blocked_cost=float(verdict.blocked_cost),
            blocked_clicks=float(verdict.blocked_clicks),
            blocked_conversions=float(verdict.blocked_conversions),
        )
        return checked, None

    def edit(self, proposal_id: str, **changes: Any) -> EditOutcome:
        """Apply a change to the user's version if the safety check passes, and store it."""
        row = self.row(proposal_id)
        candidate = replace(row.current, **changes)
        if dec.signature(candidate) == dec.signature(row.current) and (
            candidate.campaigns == row.current.campaigns
        ):
            return EditOutcome(True, proposal=row.current)
        candidate, refused = self._checked(candidate)
        if refused is not None:
            return refused
        before = self.snapshot(proposal_id)
        edits = dec.edits_between(row.original, candidate)
        self.store.set_edits(self.account.key, proposal_id, edits)
        what = edit_words(row.current, candidate)
        row.current = candidate
        row.exported_at = None
        self._record(what, proposal_id, before)
        return EditOutcome(True, proposal=candidate)

    def next_match_type(self, proposal_id: str) -> str:
        return self.match_after(self.row(proposal_id).current.match_type)

    def match_after(self, match_type: str) -> str:
        """The match type after `match_type` in the platform's cycle."""
        cycle = MATCH_CYCLE.get(self.settings.platform, MATCH_CYCLE["google"])
        i = cycle.index(match_type) if match_type in cycle else -1
        return cycle[(i + 1) % len(cycle)]

    def level_changes(self, proposal_id: str) -> dict[str, Any]:
        """The fields of the next level in the cycle, with its target taken from the terms
        the proposal blocks (the campaign / ad group where they cost the most)."""
        row = self.row(proposal_id)
        p = row.current
        i = LEVEL_CYCLE.index(p.level) if p.level in LEVEL_CYCLE else -1
        level = LEVEL_CYCLE[(i + 1) % len(LEVEL_CYCLE)]
        spend = self._spend_by_target([*row.original.blocked_terms, *p.blocked_terms])
        return self._level_fields(level, spend, p, row.original.campaigns)

    def _level_fields(
        self, level: str, spend: pd.DataFrame, p: NegativeProposal, campaigns: list[str]
    ) -> dict[str, Any]:
        """The fields that put `p` at `level`, targeted where `spend` (`_spend_by_target`)
        is: the costliest ad group / campaign, or a shared list attached to every campaign
        of `spend` and of `campaigns`."""
        if level == "shared_list":
            found = set(spend["campaign"].dropna().tolist()) | set(campaigns)
            return {
                "level": level,
                "list_name": p.list_name or self.settings.shared_list_name,
                "campaigns": sorted(found) or list(p.campaigns),
                "campaign": None,
                "ad_group": None,
            }
        top = spend.iloc[0] if not spend.empty else None
        campaign = top["campaign"] if top is not None else p.campaign
        ad_group = top["ad_group"] if top is not None else p.ad_group
        if level == "ad_group" and (pd.isna(ad_group) or pd.isna(campaign)):
            level, ad_group = "campaign", None
        return {
            "level": level,
            "campaign": None if pd.isna(campaign) else str(campaign),
            "ad_group": None if level == "campaign" or pd.isna(ad_group) else str(ad_group),
            "list_name": None,
            "campaigns": [],
        }

    def proposed_from(self) -> dict[str, ProposalRow]:
        """The user's proposals by the held-back item they came from (`HeldRow.source`)."""
        return {r.source: r for r in self.rows if r.source}

    def held_row(self, key: str) -> HeldRow:
        return next(h for h in self.held if h.key == key)

    def held_proposal(self, item: HeldRow) -> NegativeProposal:
        """The negative `item` becomes when proposed: its text and match type, on the
        campaign where the terms it blocks spend, or on a shared list attached to those
        campaigns when they spend in several (checked by `propose_held`, not here)."""
        h = item.held
        text = " ".join(words(h.text))
        kind = "review item" if item.kind == KIND_REVIEW else "negative held back as unsafe"
        draft = NegativeProposal(
            id="",
            text=text,
            match_type=h.match_type,
            level="shared_list",
            family=USER_FAMILY,
            reason=f"Proposed by you from a {kind}: {item.reason}",
        )
        spend = self._spend_by_target(self.check(draft).blocked_terms)
        paying = spend.loc[spend["cost"] > 0, "campaign"].dropna()
        spans = paying.nunique() >= 2 or spend["campaign"].dropna().empty
        fields = self._level_fields("shared_list" if spans else "campaign", spend, draft, [])
        placed = replace(draft, **fields)
        return replace(placed, id=user_proposal_id(placed))

    def propose_held(self, key: str) -> EditOutcome:
        """Turn a held-back / review item into an accepted proposal of the user's, if safe.

        Refused with the safety checker's reasons when unsafe (nothing stored). When the same
        negative is already listed (the engine's or an earlier one of the user's), that row
        is accepted instead of adding a second one.
        """
        item = self.held_row(key)
        return self.propose(self.held_proposal(item), item.source)

    def propose(self, candidate: NegativeProposal, source: str) -> EditOutcome:
        """Add the user's own negative (from `source`: a held-back item, a finding, an
        n-gram) as accepted, if the safety check passes; refused with its reasons otherwise.
        When the same negative is already listed, that row is accepted instead."""
        existing = next((r for r in self.rows if r.id == candidate.id), None)
        if existing is not None:
            self.set_status(existing.id, dec.STATUS_ACCEPTED)
            return EditOutcome(True, proposal=existing.current)
        candidate, refused = self._checked(candidate)
        if refused is not None:
            return refused
        before = self.snapshot(candidate.id)
        self.store.add_user_proposal(self.account.key, candidate, source)
        row = ProposalRow(candidate, candidate, dec.STATUS_ACCEPTED, False, False)
        row.source = source
        self._user_ids.append(candidate.id)
        self.rows = self._ordered([*self.rows, row])
        self._record(f"new negative {negative_syntax(candidate)}", candidate.id, before)
        return EditOutcome(True, proposal=candidate)

    def targets(
        self, text: str, match_type: str, hint: NegativeProposal | None = None
    ) -> list[Target]:
        """Where a negative of `text` can go: the shared list attached to every campaign
        where the terms it blocks spend, then those campaigns and ad groups (the costliest
        `TARGETS_PER_LEVEL` of each), each with the terms it would block there and their
        spend. `hint` (the proposal being edited) is listed even when it blocks nothing."""
        draft = NegativeProposal(
            id="", text=text, match_type=match_type, level="shared_list", family=USER_FAMILY
        )
        blocked = self.check(draft).blocked_terms if text.strip() else []
        cols = ["campaign", "ad_group", "search_term", "cost"]
        rows = self.spend.frame(self.result.table, blocked, cols)
        attached = hint.campaigns if hint is not None and hint.level == "shared_list" else []
        out = [self._list_target(rows, attached)]
        by_campaign = _spend(rows, ["campaign"])[:TARGETS_PER_LEVEL]
        out += [Target("campaign", c, None, (), t, v) for c, t, v in by_campaign]
        by_group = _spend(rows, ["campaign", "ad_group"])[:TARGETS_PER_LEVEL]
        out += [Target("ad_group", c, g, (), t, v) for (c, g), t, v in by_group]
        if hint is not None and hint.level != "shared_list" and hint.campaign:
            place = Target(hint.level, hint.campaign, hint.ad_group)
            if place.key not in {t.key for t in out}:
                out.append(place)
        return out

    def _list_target(self, rows: pd.DataFrame, attached: list[str]) -> Target:
        """The shared list, attached to every campaign of `rows` and of `attached`."""
        found = rows["campaign"].dropna().astype(str).unique().tolist()
        campaigns = tuple(sorted({*found, *attached}))
        terms = int(rows["search_term"].nunique())
        return Target("shared_list", None, None, campaigns, terms, float(rows["cost"].sum()))

    @staticmethod
    def suggested(targets: list[Target]) -> int:
        """The target to start from: the shared list when the terms spend in several
        campaigns, the costliest campaign when in one (the held-back item's rule)."""
        campaigns = [t for t in targets if t.level == "campaign" and t.cost > 0]
        if len(campaigns) == 1:
            return targets.index(campaigns[0])
        if not campaigns:
            placed = [i for i, t in enumerate(targets) if t.level != "shared_list"]
            return placed[0] if placed else 0
        return 0

    def draft(self, text: str, match_type: str, target: Target, reason: str) -> NegativeProposal:
        """A user's negative of `text` at `target` (not checked yet), with its id."""
        p = NegativeProposal(
            id="",
            text=" ".join(words(text)),
            match_type=match_type,
            level=target.level,
            family=USER_FAMILY,
            reason=reason,
        )
        placed = replace(p, **target.fields(self.settings.shared_list_name))
        return replace(placed, id=user_proposal_id(placed))

    def term_costs(self, terms: list[str]) -> pd.DataFrame:
        """Cost and clicks of `terms` in this report, in the given order."""
        return self.terms.reindex(pd.Index(terms, dtype=self.terms.index.dtype))

    def _spend_by_target(self, terms: list[str]) -> pd.DataFrame:
        """Spend of `terms` per campaign and ad group, costliest first."""
        table = self.result.table
        if table is None or table.empty or not terms:
            return pd.DataFrame(columns=["campaign", "ad_group", "cost"])
        rows = self.spend.frame(table, terms, ["campaign", "ad_group", "cost"])
        grouped = rows.groupby(["campaign", "ad_group"], dropna=False, sort=False)["cost"].sum()
        return grouped.sort_values(ascending=False).reset_index()

    def blast_radius(self, p: NegativeProposal, limit: int = 50) -> pd.DataFrame:
        """The terms `p` blocks with their figures in this report, costliest first."""
        found = self.terms.reindex(pd.Index(p.blocked_terms, dtype=self.terms.index.dtype))
        return found.sort_values("cost", ascending=False, na_position="last").head(limit)

    def ngrams_by(self, sort: str) -> pd.DataFrame:
        """The n-grams sorted by `sort`, descending (sorted once per key, then cached)."""
        if sort not in self._ngram_orders:
            self._ngram_orders[sort] = self.ngrams.sort_values(
                NGRAM_SORTS[sort], ascending=False, kind="stable"
            )
        return self._ngram_orders[sort]

    def _remember_costs(self, terms: list[str]) -> None:
        """Cache the cost of blocked terms, so savings are recounted at each key in ~1 ms."""
        missing = sorted({t for t in terms if t not in self._term_cost})
        if missing:
            idx = pd.Index(missing, dtype=self.terms.index.dtype)
            costs = self.terms["cost"].reindex(idx).fillna(0.0)
            self._term_cost.update(zip(missing, costs.tolist(), strict=True))

    def savings(self, statuses: tuple[str, ...]) -> float:
        """Spend of the distinct terms blocked by the proposals with one of `statuses`."""
        terms = {t for r in self.rows if r.status in statuses for t in r.current.blocked_terms}
        self._remember_costs(list(terms))
        return float(sum(self._term_cost[t] for t in terms))

    def accepted(self, *, include_exported: bool = False) -> list[NegativeProposal]:
        """The accepted proposals in the engine's order (as `auditor audit` writes them)."""
        engine = [p.id for p in self.result.negatives]
        order = {pid: i for i, pid in enumerate([*engine, *self._user_ids])}
        rows = [
            r
            for r in self.rows
            if r.status == dec.STATUS_ACCEPTED and (include_exported or not r.exported_at)
        ]
        return [r.current for r in sorted(rows, key=lambda r: order[r.id])]

    def default_export_path(self) -> Path:
        """`negatives-<account>-<date>.csv` in the report's folder: where the manager keeps
        that account's files (the home folder for the bundled sample or a read-only folder)."""
        reports = [i.path for i in self.result.inputs if i.role == "report"]
        folder = Path(reports[0]).resolve().parent if reports else Path.home()
        sample = bundled("sample_reports").resolve()
        if folder.is_relative_to(sample) or not os.access(folder, os.W_OK):
            folder = Path.home()
        name = slug(self.result.account or self.account.label)
        return folder / f"negatives-{name}-{date.today().isoformat()}.csv"

    def plan_export(self, asked: Path, *, include_exported: bool = False) -> ExportPlan:
        """Where an export to `asked` goes (see `ExportPlan.path`) and how much it holds."""
        count = len(self.accepted(include_exported=include_exported))
        existing = negatives_in(asked)
        path = free_name(asked) if existing is not None and existing > count else asked
        return ExportPlan(asked, path, count, existing)

    def export(self, path: Path, fmt: str, *, force: bool, include_exported: bool = False) -> int:
        """Write the accepted proposals and store the export; return how many were written.
        An export with nothing in it is refused: it would only wipe a file."""
        from auditor.output.negatives import default_list_name, write_negatives

        if self.store.read_only:
            raise ConfigError(f"export refused: {self.store.read_only}; export from that review")
        check_output_paths([path], [i.path for i in self.result.inputs], force=True)
        proposals = self.accepted(include_exported=include_exported)
        if not proposals:
            raise OutputError("nothing to export: no accepted negative is waiting", path=path)
        list_name = default_list_name(self.settings, self.result.account)
        write_negatives(
            path, proposals, fmt, force=force, settings=self.settings, list_name=list_name
        )
        self.store.record_export(self.account.key, path, fmt, proposals)
        exported = self.store.exported(self.account.key)
        for r in self.rows:
            r.exported_at = self._export_time(r, exported)
        return len(proposals)

    def counts(self) -> dict[str, int]:
        out = {s: 0 for s in dec.STATUSES}
        for r in self.rows:
            out[r.status] += 1
        out["new"] = sum(r.new and r.status == dec.STATUS_PENDING for r in self.rows)
        out[dec.STATUS_PENDING] -= out["new"]
        out["exported"] = sum(bool(r.exported_at) for r in self.rows)
        return out

    def explain(self, rule_id: str) -> str:
        from auditor.engine import explain

        try:
            return explain(rule_id, self.settings)
        except AuditorError:
            return f"No documentation is registered for {rule_id}."

    def tracking(self) -> list[Finding]:
        return [f for f in self.result.findings if f.category == "tracking"]


def _spend(rows: pd.DataFrame, by: list[str]) -> list[tuple[Any, int, float]]:
    """(group, distinct terms, cost) of `rows` grouped `by`, costliest first."""
    if rows.empty:
        return []
    grouped = rows.groupby(by, dropna=True, observed=True, sort=False).agg(
        terms=("search_term", "nunique"), cost=("cost", "sum")
    )
    grouped = grouped.sort_values("cost", ascending=False, kind="stable")
    return [
        (g, int(t), float(c))
        for g, t, c in zip(grouped.index, grouped["terms"], grouped["cost"], strict=True)
    ]


def held_rows(held: Sequence[HeldBack]) -> list[HeldRow]:
    """The held-back items as listed: `review:` items first (the engine ranks them by cost),
    then the ones held back as unsafe, each group in the engine's order."""
    rows = [HeldRow(i, h) for i, h in enumerate(held)]
    return sorted(rows, key=lambda r: r.kind != KIND_REVIEW)


def load_review(
    paths: Sequence[Path],
    settings: Settings,
    db_path: Path | None,
    progress: ProgressFn | None = None,
) -> ReviewState:
    """Run the audit and load the account's decisions (blocking; the app runs it in a worker)."""
    step = progress or (lambda _text, _done: None)
    result = audit(list(paths), settings, progress=lambda text, done: step(text, 0.85 * done))
    store = dec.DecisionStore(db_path or dec.default_db_path())
    return ReviewState(result, settings, store, progress=progress)
