"""`audit(...)`: the one entry point the CLI, the TUI and the tests call.

readers -> canonical table -> tracking checks -> rules -> negatives -> AuditResult.
The negatives are proposed beside the tracking checks and the rules, in a second thread
(`auditor.side`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd

from auditor import schema
from auditor.account import account_name
from auditor.config import Settings
from auditor.engine.checks import EVALUATED
from auditor.engine.context import AuditContext
from auditor.engine.packs import load_rules
from auditor.engine.run import run_rules
from auditor.inputs import build_context, hidden_cost, search_terms_reports
from auditor.memory import use_system_allocator
from auditor.model import AuditResult, Finding, InputSummary, NegativesOutcome
from auditor.negatives import propose_negatives
from auditor.negatives.existing import EXISTING, negated_rows
from auditor.negatives.propose import proposal_ngrams
from auditor.profile import stage
from auditor.side import Beside, import_early
from auditor.spend_coverage import coverage_note, spend_coverage
from auditor.terms.matching import blocks
from auditor.tracking import apply_reliability
from auditor.tracking.coverage import TRACKING

ProgressFn = Callable[[str, float], None]
"""Called with a short step description and the share of work done (0..1)."""

TOTAL_METRICS = ("cost", "clicks", "impressions", "conversions", "conversion_value")


def _totals(table: pd.DataFrame, present: frozenset[str]) -> dict[str, float | None]:
    return {m: (float(table[m].sum()) if m in present else None) for m in TOTAL_METRICS}


_NEGATABLE = ("waste", "profit")
ALREADY_NEGATED = (
    " Your existing negatives already block it: this spend is from before they were added, so"
    " nothing is left to do here."
)


def _fully_negated(ctx: AuditContext, negated: np.ndarray) -> pd.Series:
    """(search term, campaign, ad group) -> whether the existing negatives block all its rows."""
    t = ctx.table
    keys = [t[c].astype(str).to_numpy() for c in ("search_term", "campaign", "ad_group")]
    return pd.Series(negated).groupby(keys).all()


def mark_already_negated(findings: list[Finding], ctx: AuditContext) -> list[Finding]:
    """Waste and profit findings about terms the account's existing negatives (given with
    --existing-negatives) already block drop to info and say so: the money was spent before the
    negative existed. N-gram findings count when every term holding the n-gram is blocked."""
    if not ctx.settings.existing_negatives or ctx.table.empty:
        return findings
    negated = negated_rows(ctx)
    if not negated.any():
        return findings
    by_row = _fully_negated(ctx, negated)
    by_term = by_row.groupby(level=0).all()
    terms = pd.Series(by_term.index.astype(str))
    for f in findings:
        if f.category not in _NEGATABLE or f.severity == "info":
            continue
        if f.level == "search_term" and f.search_term is not None:
            key = (f.search_term, str(f.campaign), str(f.ad_group))
            done = bool(by_row.get(key, by_term.get(f.search_term, False)))
        elif f.level == "ngram" and f.ngram:
            holding = blocks(f.ngram, "phrase", terms, ctx.settings.platform).to_numpy()
            done = bool(holding.any() and by_term.to_numpy()[holding].all())
        else:
            continue
        if done:
            f.severity = "info"
            f.message += ALREADY_NEGATED
            f.metrics["already_negated"] = True
    return findings


def _summaries(ctx: AuditContext) -> list[InputSummary]:
    return [
        InputSummary(
            path=r.path,
            kind=r.kind,
            format=r.format,
            rows=len(r.table),
            skipped=r.skipped,
            role=role,
            unknown_columns=r.unknown_columns,
            notes=r.notes,
            locale=r.locale,
        )
        for r, role in zip(ctx.reports, ctx.roles, strict=True)
    ]


@dataclass
class _EarlyNgrams:
    """The proposals' n-gram table (`proposal_ngrams`), started in a second thread as soon as
    the search-terms table is read: it needs no keyword report, and is built while those are
    read."""

    settings: Settings
    pending: Beside[pd.DataFrame] | None = None

    def start(self, table: pd.DataFrame) -> None:
        self.pending = Beside.start(partial(proposal_ngrams, table, self.settings))

    def result(self) -> pd.DataFrame | None:
        return None if self.pending is None else self.pending.result()


def _proposals(ctx: AuditContext, early: _EarlyNgrams) -> NegativesOutcome:
    with stage("proposals"):
        return propose_negatives(ctx, early.result())


def audit(
    paths: Sequence[Path], settings: Settings | None = None, *, progress: ProgressFn | None = None
) -> AuditResult:
    """Run the whole audit on report files; raise an AuditorError subclass on bad input."""
    settings = settings or Settings()
    use_system_allocator()
    import_early()

    def step(text: str, done: float) -> None:
        if progress is not None:
            progress(text, done)

    step("reading reports", 0.0)
    early = _EarlyNgrams(settings)
    with stage("read"):
        ctx = build_context(paths, settings, on_terms=early.start)
        packs = load_rules(settings)
    st_reports = search_terms_reports(ctx.reports, ctx.roles)
    proposing = Beside.start(partial(_proposals, ctx, early))
    step("checking conversion tracking", 0.3)
    with stage("tracking"):
        tracking = run_rules(ctx, packs, stage=TRACKING.stage)
    step("running rules", 0.45)
    with stage("rules"):
        rules = run_rules(ctx, packs, stage=EVALUATED)
        existing = run_rules(ctx, packs, stage=EXISTING.stage)
    step("finding negative keywords", 0.7)
    negatives = proposing.result()
    with stage("tracking"):
        findings = apply_reliability([*rules.findings, *existing.findings], tracking.findings)
    with stage("rules"):
        findings = mark_already_negated(findings, ctx)
    notes = [*ctx.input_notes, *rules.notes, *negatives.notes]
    if ctx.table.empty and any(r.kind == schema.KIND_KEYWORDS for r in ctx.reports):
        notes.append(
            "Only a keyword report was given: it tells the auditor which keywords you bought;"
            " add the search-terms report of the same period to audit where the money goes."
        )
    if negatives.proposals and any(f.check == "no_conversions" for f in tracking.findings):
        notes.append(
            "Negatives: nothing converts in this report, so their safety check cannot protect"
            " converting traffic; judge each by its intent before you add it."
        )
    share, amount = hidden_cost(st_reports)
    coverage = spend_coverage(ctx.reports, ctx.roles)
    outside = coverage_note(coverage, ctx.currency) if coverage else None
    notes += [outside] if outside else []
    step("done", 1.0)
    return AuditResult(
        inputs=_summaries(ctx),
        period=ctx.period,
        currency=ctx.currency,
        totals=_totals(ctx.table, ctx.columns_present),
        hidden_cost=share,
        hidden_cost_amount=amount,
        findings=[*tracking.findings, *findings],
        negatives=negatives.proposals,
        held_back=negatives.held_back,
        notes=notes,
        checks_skipped=[
            *tracking.checks_skipped,
            *rules.checks_skipped,
            *existing.checks_skipped,
        ],
        baseline=rules.baseline,
        table=ctx.table,
        keywords=ctx.keywords,
        ngrams=negatives.ngrams,
        negatives_covered_cost=negatives.covered_cost,
        account=account_name(ctx.table, settings),
        coverage=coverage,
    )
