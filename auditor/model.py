"""Typed results of the engine: reports read, findings, negative proposals, the audit.

These are plain dataclasses; `auditor.output.jsonform` is the one place that turns them into the
public audit JSON. The closed vocabularies (severity, category, level, match type, negative
level, input role, held-back kind, tier) are `Literal` types, so the engine and the review app
share them as types rather than as strings parsed out of sentences.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal, NotRequired, TypedDict, get_args

import pandas as pd

Severity = Literal["high", "medium", "low", "info"]
Category = Literal["waste", "profit", "structure", "visibility", "tracking"]
Level = Literal["search_term", "keyword", "ngram", "ad_group", "campaign", "account"]
"""What a finding is about."""
MatchType = Literal["broad", "phrase", "exact"]
NegativeLevel = Literal["ad_group", "campaign", "shared_list"]
"""Where a negative goes."""
Role = Literal[
    "report", "keywords", "conversions", "by_action", "by_day", "orders",
    "existing_negatives", "duplicate",
]  # fmt: skip
"""How an input was given, or what it turned out to be (`InputSummary.role`)."""
HeldKind = Literal["review", "unsafe"]
Tier = Literal["proven", "intent"]

SEVERITIES: tuple[Severity, ...] = get_args(Severity)
"""Most severe first: the one severity order (sorting, `--fail-on`, the app)."""
CATEGORIES: tuple[Category, ...] = get_args(Category)
LEVELS: tuple[Level, ...] = get_args(Level)
MATCH_TYPES: tuple[MatchType, ...] = get_args(MatchType)


@dataclass(frozen=True)
class SkippedRow:
    """A data row a reader could not use, with its 1-based line number in the file."""

    line: int
    reason: str


class SkippedCheck(TypedDict):
    """A rule or tracking check that could not run on these inputs (`checks_skipped`)."""

    rule: str
    reason: str
    check: NotRequired[str]
    """Tracking checks only: the check's name (`outage`, `duplicate_transactions`, ...)."""


@dataclass(frozen=True)
class Period:
    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


@dataclass
class Report:
    """One input file read into the canonical table (see `auditor.schema`)."""

    path: Path
    kind: str
    format: str
    table: pd.DataFrame
    columns_present: frozenset[str]
    skipped: list[SkippedRow] = field(default_factory=list)
    unknown_columns: list[str] = field(default_factory=list)
    period: Period | None = None
    currency: str | None = None
    file_totals: dict[str, dict[str, float]] = field(default_factory=dict)
    """The file's own `Total:` rows: normalised label (`search_terms`, `other_search_terms`,
    `account`, `campaign`, ...) -> canonical metric -> value."""
    locale: str | None = None
    notes: list[str] = field(default_factory=list)
    """Facts about the read a user should know (e.g. totals disagree, columns unknown)."""


@dataclass
class Finding:
    """One thing the audit found, explained in numbers."""

    rule: str
    category: Category
    severity: Severity
    level: Level
    message: str
    title: str = ""
    campaign: str | None = None
    ad_group: str | None = None
    search_term: str | None = None
    keyword: str | None = None
    ngram: str | None = None
    cost: float | None = None
    clicks: float | None = None
    conversions: float | None = None
    conversion_value: float | None = None
    metrics: dict[str, Any] = field(default_factory=dict)
    check: str | None = None
    """Tracking findings: the check name (`duplicate_transactions`, `outage`, ...)."""
    evidence: dict[str, Any] = field(default_factory=dict)
    """Tracking findings: IDs, days, actions and figures behind the finding."""


@dataclass
class NegativeProposal:
    """A proposed negative keyword, with its blast radius in this report."""

    id: str
    """Stable across runs: derived from text, match type, level and target."""
    text: str
    match_type: MatchType
    level: NegativeLevel
    campaign: str | None = None
    ad_group: str | None = None
    list_name: str | None = None
    campaigns: list[str] = field(default_factory=list)
    """For a shared list: the campaigns it is attached to."""
    family: str = ""
    """The cluster / family the proposal belongs to (e.g. `jobs`)."""
    intent: str | None = None
    """Lexicon intent when a lexicon word is behind it (jobs, free, diy, ...)."""
    blocked_terms: list[str] = field(default_factory=list)
    blocked_cost: float = 0.0
    blocked_clicks: float = 0.0
    blocked_conversions: float = 0.0
    reason: str = ""
    """Why, then the blast radius in words (`Blocks N term(s) costing ...`)."""
    tier: Tier | Literal[""] = ""
    """Why it is proposed: `proven` (the account's data prove the waste) or `intent` (an
    unambiguous irrelevant word, a competitor or the user's own word, on thin evidence)."""
    evidence: dict[str, Any] = field(default_factory=dict)
    """The figures behind the tier (`auditor.negatives.evidence.Evidence.as_dict`), with
    `scope`: what they were summed over (the family, the n-gram, the term)."""
    why: str = ""
    """`reason` without its closing blast-radius sentence: why the negative is proposed (the
    review app shows it after an edit, when the engine's blast radius no longer holds)."""
    blocked_by_existing: int = 0
    """Terms it reaches that existing negatives or exclusions already block (not counted in
    `blocked_terms`)."""


HELD_REVIEW: HeldKind = "review"
HELD_UNSAFE: HeldKind = "unsafe"


@dataclass
class HeldBack:
    """A negative that was considered and not proposed, and why."""

    text: str
    match_type: MatchType
    reason: str
    """Why it was held back. Review items carry no marker here: the JSON writes them as
    `review: ...` (`auditor.output.jsonform.held_back_to_dict`), as it always has."""
    would_block: list[str] = field(default_factory=list)
    kind: HeldKind = HELD_UNSAFE
    """`review`: wasteful but not proven (a manager decides); `unsafe`: the account converts
    on it, it blocks bought keywords or protected terms, or it could not go wider."""
    family: str = ""
    evidence: dict[str, Any] = field(default_factory=dict)
    """For `review` items: the figures and how close they are to proof (`closeness`, 0-1)."""
    would_block_terms: int = 0
    """How many distinct terms it would block (`would_block` lists the costliest 20 at most)."""
    would_block_cost: float = 0.0
    """What the terms it would block cost in this report."""


@dataclass
class InputSummary:
    path: Path
    kind: str
    format: str
    rows: int
    skipped: list[SkippedRow]
    role: Role = "report"
    unknown_columns: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    locale: str | None = None
    """Language of the file's headers and numbers (`en`, `en-GB`, `sv`, `nb`, `da`, `de`)."""


@dataclass
class AuditResult:
    """Everything one audit produced; `auditor.output.jsonform.audit_to_dict` serialises it."""

    inputs: list[InputSummary]
    period: Period | None
    currency: str | None
    totals: dict[str, float | None]
    hidden_cost: float | None
    """Share (0..1) of cost in `Total: Other search terms` (queries the platform hides)."""
    hidden_cost_amount: float | None
    findings: list[Finding] = field(default_factory=list)
    negatives: list[NegativeProposal] = field(default_factory=list)
    held_back: list[HeldBack] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    """Sentences for the summary: baselines used, checks that could not run, and why."""
    checks_skipped: list[SkippedCheck] = field(default_factory=list)
    baseline: dict[str, float | None] = field(default_factory=dict)
    """Account figures the rules judged against: cpa, roas, cvr, target_cpa, ..."""
    table: pd.DataFrame | None = None
    """The canonical search-terms table (not serialised)."""
    keywords: pd.DataFrame | None = None
    """Bought keywords (from a keyword report and the Keyword column), not serialised."""
    ngrams: pd.DataFrame | None = None
    """N-gram table (not serialised)."""
    negatives_covered_cost: float | None = None
    """Cost the proposed negatives block together, each search-term row counted once."""
    account: str | None = None
    """The account's name (`auditor.account.account_name`)."""
    coverage: dict[str, object] | None = None
    """Share of the account's spend (its Total rows) in the audited rows, by campaign type
    (`auditor.spend_coverage`)."""


@dataclass
class RulesOutcome:
    """What the rule engine returns."""

    findings: list[Finding] = field(default_factory=list)
    baseline: dict[str, float | None] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    checks_skipped: list[SkippedCheck] = field(default_factory=list)
    """`{"rule": id, "reason": "needs conversions; the report has no Conversions column"}`."""


@dataclass
class NegativesOutcome:
    """What negative-keyword analysis returns."""

    proposals: list[NegativeProposal] = field(default_factory=list)
    held_back: list[HeldBack] = field(default_factory=list)
    ngrams: pd.DataFrame | None = None
    notes: list[str] = field(default_factory=list)
    covered_cost: float | None = None
    """Cost of the search-term rows the proposals block together, each row counted once."""
