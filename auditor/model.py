"""Typed results of the engine: reports read, findings, negative proposals, the audit.

These are plain dataclasses; `auditor.output.jsonform` is the one place that turns them into the
public audit JSON.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

SEVERITIES: tuple[str, ...] = ("high", "medium", "low", "info")
CATEGORIES: tuple[str, ...] = ("waste", "profit", "structure", "visibility", "tracking")
LEVELS: tuple[str, ...] = ("search_term", "keyword", "ngram", "ad_group", "campaign", "account")


@dataclass(frozen=True)
class SkippedRow:
    """A data row a reader could not use, with its 1-based line number in the file."""

    line: int
    reason: str


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
    category: str
    severity: str
    level: str
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
    match_type: str
    """`broad`, `phrase` or `exact`."""
    level: str
    """`ad_group`, `campaign` or `shared_list`."""
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
    tier: str = ""
    """Why it is proposed: `proven` (the account's data prove the waste) or `intent` (an
    unambiguous irrelevant word, a competitor or the user's own word, on thin evidence)."""
    evidence: dict[str, Any] = field(default_factory=dict)
    """The figures behind the tier (`auditor.negatives.evidence.Evidence.as_dict`), with
    `scope`: what they were summed over (the family, the n-gram, the term)."""


HELD_REVIEW = "review"
HELD_UNSAFE = "unsafe"


@dataclass
class HeldBack:
    """A negative that was considered and not proposed, and why."""

    text: str
    match_type: str
    reason: str
    would_block: list[str] = field(default_factory=list)
    kind: str = HELD_UNSAFE
    """`review`: wasteful but not proven (a manager decides); `unsafe`: the account converts
    on it, it blocks bought keywords or protected terms, or it could not go wider."""
    family: str = ""
    evidence: dict[str, Any] = field(default_factory=dict)
    """For `review` items: the figures and how close they are to proof (`closeness`, 0-1)."""


@dataclass
class InputSummary:
    path: Path
    kind: str
    format: str
    rows: int
    skipped: list[SkippedRow]
    role: str = "report"
    """How the file was given: `report`, `conversions`, `by_action`, `by_day`, `orders`,
    `existing_negatives`, `keywords`."""
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
    checks_skipped: list[dict[str, str]] = field(default_factory=list)
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
    checks_skipped: list[dict[str, str]] = field(default_factory=list)
    """`{"rule": id, "reason": "needs conversions; the report has no Conversions column"}`."""


@dataclass
class NegativesOutcome:
    """What negative-keyword analysis returns."""

    proposals: list[NegativeProposal] = field(default_factory=list)
    held_back: list[HeldBack] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    """Findings about existing negatives (blocking converting terms, redundant)."""
    ngrams: pd.DataFrame | None = None
    notes: list[str] = field(default_factory=list)
    covered_cost: float | None = None
    """Cost of the search-term rows the proposals block together, each row counted once."""
