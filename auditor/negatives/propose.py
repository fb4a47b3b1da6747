"""Negative-keyword proposals: evidence first, account-aware, placed once.

Over 500 lines: `_Proposer` is the one pass over the families, and its steps (judge, consider,
place, accept, narrow, hold, list for review) share the rows already covered and the replays
remembered; cut apart, each step would take that state as arguments.

How proposals are chosen (the README's "Negative keywords" says the same for users):
1. Candidates come in families (`candidates`): lexicon words with their misspellings (one
   family per intent and tier), the account's own non-converting n-grams that share no word
   with what it sells, single wasteful terms with their near-duplicates, competitors.
2. Each family is judged on one evidence (`evidence`): the rows its texts would block (open,
   and not rows it must leave alone), their cost, clicks, and the conversions expected there at
   the shrunk ad-group rate, with the exact chance of seeing none.
   - tier `intent` (unambiguous words such as `jobs` or `torrent`, the user's own words,
     named competitors): proposed on thin evidence, never where the account uses the word;
   - tier `proven`: proposed when the shortfall is improbable (p <= 0.05) and the spend is at
     least one target CPA, or, for one term as an exact negative, when it spent two target
     CPAs without a conversion;
   - anything else wasteful is listed for review (held back, kind `review`), ranked by spend
     and closeness to proof, at most `Settings.review_limit` items.
3. Safety (`safety.check_proposal`) for every proposal: no converting term and no bought
   keyword in its scope, no protected or buying-intent phrase (price, quote, hire, near me,
   ...) in its text, the platform limits. A business-dependent negative (tier `proven` words
   such as `free` or `how`) must also leave every buying question alone; keep-phrases
   (`free shipping`, and the phrases the account's converting terms hold) stop a negative
   sharing a word with them. A lexicon word the account converts on is never proposed; only a
   narrower phrase that is itself proven may be.
4. Placement (`placement`): the broadest safe level where the spend is (shared list >
   campaign > ad group), each text once; spend it cannot reach safely falls back to longer
   n-grams holding the word, then to exact negatives of the queries. A proposal another
   proposal subsumes in the same scope is dropped.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from auditor import format as fmt
from auditor.config import Settings
from auditor.engine.context import AuditContext
from auditor.model import HELD_REVIEW, HeldBack, NegativeProposal, NegativesOutcome
from auditor.negatives.account import Account, prepare
from auditor.negatives.candidates import (
    Candidate,
    Family,
    brand_like_tokens,
    competitor_families,
    compound_families,
    converting_mask,
    lexicon_families,
    ngram_families,
    own_words,
    term_families,
)
from auditor.negatives.evidence import (
    TIER_INTENT,
    TIER_PROVEN,
    Evidence,
    closeness,
    tier_of,
)
from auditor.negatives.existing import read_existing
from auditor.negatives.lexicons import ACCOUNT_INTENT, Lexicon, load_lexicons
from auditor.negatives.placement import Split, Target, consolidate, targets, where
from auditor.negatives.safety import check_proposal, keyword_scopes, limit_problems, protected_hits
from auditor.terms.matching import EXACT, LEVEL_AD_GROUP, LEVEL_SHARED, PHRASE, words
from auditor.terms.ngrams import (
    KEPT,
    Keep,
    costliest,
    costliest_rows,
    costly_ngrams_holding,
    ngram_table,
)

MAX_NARROWER = 10
"""At most this many longer n-grams are tried for the spend a negative could not reach."""
REVIEW_FLOOR_CPA = 0.1
"""A wasteful candidate is listed for review when its spend reaches this share of a CPA."""
MAX_MODIFIER_TERMS = 500
"""At most this many terms of a proven n-gram are checked for converting remainders."""
REVIEW_COVERED = 0.8
"""A review item whose spend is this much covered by proposals or better items is left out."""
ROWS_REMEMBERED = 4_000_000
"""At most this many row numbers (32 MB) are remembered per kind of row set."""
_LANGUAGES = ("en", "sv", "nb", "da", "de")


@dataclass
class _Review:
    family: Family
    text: str
    match_type: str
    evidence: Evidence
    rows: np.ndarray
    why: str


@dataclass
class _Plan:
    proposals: list[NegativeProposal] = field(default_factory=list)
    held_back: list[HeldBack] = field(default_factory=list)
    seen: set[tuple[str, str, str, str | None, str | None]] = field(default_factory=set)
    review: list[_Review] = field(default_factory=list)


def _would_block(terms: list[str], cost: float, limit: int | None = 20) -> dict[str, Any]:
    """A held-back item's blast radius: the terms listed (the first `limit`), how many there
    are and what they cost."""
    return {
        "would_block": terms[:limit],
        "would_block_terms": len(terms),
        "would_block_cost": round(cost, 2),
    }


def proposal_id(text: str, match_type: str, level: str, target: str) -> str:
    """Stable across runs and weeks: the same negative at the same place keeps its id (the
    review app's decisions are keyed on it)."""
    digest = hashlib.sha1(f"{text}|{match_type}|{level}|{target}".encode()).hexdigest()
    return f"neg-{digest[:12]}"


def _new_proposal(
    cand: Candidate, place: Target, settings: Settings, campaigns: list[str]
) -> NegativeProposal:
    text = " ".join(words(cand.text))
    shared = place.level == LEVEL_SHARED
    list_name = settings.shared_list_name if shared else None
    target = list_name or f"{place.campaign}|{place.ad_group or ''}"
    return NegativeProposal(
        id=proposal_id(text, cand.match_type, place.level, target),
        text=text,
        match_type=cand.match_type,
        level=place.level,
        campaign=place.campaign,
        ad_group=place.ad_group,
        list_name=list_name,
        campaigns=list(campaigns) if shared else [],
        family=cand.family,
        intent=cand.intent,
        reason=cand.why,
    )


class _Remembered(dict):
    """Row arrays by key, read-only, at most `ROWS_REMEMBERED` row numbers in all (the oldest
    are forgotten first)."""

    held = 0

    def put(self, key: tuple, rows: np.ndarray) -> np.ndarray:
        rows.flags.writeable = False
        self[key] = rows
        self.held += len(rows)
        while self.held > ROWS_REMEMBERED and len(self) > 1:
            self.held -= len(self.pop(next(iter(self))))
        return rows

    def clear(self) -> None:
        super().clear()
        self.held = 0


def _reach(p: NegativeProposal, acc: Account, rows: np.ndarray) -> np.ndarray:
    """The subset of `rows` a proposal's level reaches."""
    camp = acc.campaign[rows]
    if p.level == LEVEL_SHARED:
        return rows[np.isin(camp, p.campaigns)] if p.campaigns else rows
    hit = camp == (p.campaign or "")
    if p.level == LEVEL_AD_GROUP:
        hit &= acc.ad_group[rows] == (p.ad_group or "")
    return rows[hit]


class _Proposer:
    """Judges families, places their safe proposals and collects what is left for review."""

    def __init__(
        self, ctx: AuditContext, acc: Account, ngrams: pd.DataFrame, lexicon: Lexicon
    ) -> None:
        self.ctx = ctx
        self.acc = acc
        self.ngrams = ngrams
        self.lexicon = lexicon
        self.plan = _Plan()
        self.platform = ctx.settings.platform
        self.covered = np.zeros(len(acc.code), dtype=bool)
        """Rows some accepted proposal blocks at its level (each row once)."""
        self._rows = _Remembered()
        """Rows per (text, match type), before the level is applied."""
        self._open = _Remembered()
        """Open rows per candidate (see `member_rows`), emptied when rows close."""

    def rows_of(self, text: str, match_type: str) -> np.ndarray:
        """The rows `text` blocks (before its level), remembered: a text is asked for by its
        family's judgement, its review item and its placement. The memory is bounded by
        `ROWS_REMEMBERED` row numbers, the oldest forgotten first."""
        key = (text, match_type)
        rows = self._rows.get(key)
        if rows is None:
            rows = self._rows.put(key, self.acc.index.blocked_rows(text, match_type, self.platform))
        return rows

    def hold(self, cand: Candidate, reason: str, rows: np.ndarray | None = None) -> None:
        blocked: list[str] = []
        cost = 0.0
        if rows is not None:
            bad = rows[self.acc.bad_rows(cand.text, rows, cand.guard_buying)]
            blocked, cost = self.acc.terms(bad), float(self.acc.cost[bad].sum())
        self.plan.held_back.append(
            HeldBack(
                text=cand.text,
                match_type=cand.match_type,
                reason=reason,
                family=cand.family,
                **_would_block(blocked, cost, limit=None),
            )
        )

    def text_problems(self, cand: Candidate) -> list[str]:
        settings = self.ctx.settings
        problems = limit_problems(cand.text, settings.platform)
        hits = protected_hits(cand.text, cand.match_type, settings)
        problems.extend(f"contains or blocks the protected term '{h}'" for h in hits)
        return problems

    def member_rows(self, cand: Candidate) -> np.ndarray:
        """The open rows `cand` would block, without the rows it must leave alone; remembered
        until a proposal is accepted (which closes rows)."""
        key = (cand.text, cand.match_type, cand.guard_buying)
        rows = self._open.get(key)
        if rows is None:
            rows = self.acc.open_rows(self.rows_of(cand.text, cand.match_type))
            rows = self._open.put(key, rows[~self.acc.bad_rows(cand.text, rows, cand.guard_buying)])
        return rows

    def family_rows(self, family: Family) -> np.ndarray:
        """The open rows the family's texts would block, without rows each must leave alone."""
        parts = [self.member_rows(cand) for cand in family.members]
        return np.unique(np.concatenate(parts)) if parts else np.zeros(0, dtype=np.int64)

    def judge(self, family: Family) -> None:
        """Propose the family where its evidence allows, else list it for review."""
        members = []
        for cand in family.members:
            problems = self.text_problems(cand)
            if problems and family.source in ("term", "cluster"):
                continue
            if problems:
                self.hold(cand, "; ".join(problems))
            elif cand.converts:
                self.hold(
                    cand,
                    f"the account converts on '{cand.text}'; a word it converts on is never"
                    " proposed (only narrower phrases that are proven themselves)",
                    self.rows_of(cand.text, cand.match_type),
                )
                self.narrower(cand, family, None)
            else:
                members.append(cand)
        if not members:
            return
        family = replace(family, members=members)
        rows = self.family_rows(family)
        if not len(rows):
            return
        evidence = self.acc.evidence(rows)
        tier = TIER_INTENT if family.tier == TIER_INTENT else None
        if tier is None and not family.note:
            tier = tier_of(evidence, self.acc.target_cpa, single_exact=family.single_exact)
        if tier == TIER_PROVEN and family.source == "ngram":
            modifier = self.modifies_converting(family, rows)
            if modifier:
                family = replace(family, note=modifier)
                tier = None
        if tier is None:
            self.to_review(family, evidence)
            return
        campaigns = set(self.acc.campaign[rows].tolist())
        members.sort(key=lambda c: (len(words(c.text)), -self.cost_of(c)))
        for cand in members:
            self.consider(cand, family, tier, evidence, campaigns)

    @cached_property
    def converting_terms(self) -> set[str]:
        """The normalised texts of the converting search terms."""
        codes = np.unique(self.acc.code[self.acc.converting])
        return {t.strip() for t in self.acc.index.texts.take(pa.array(codes)).to_pylist()}

    def modifies_converting(self, family: Family, rows: np.ndarray) -> str:
        """Why an n-gram is a modifier on queries that sell (its terms without it convert:
        `apple airpods case` beside a converting `airpods case`), or ''."""
        codes = np.unique(self.acc.code[rows])[:MAX_MODIFIER_TERMS]
        terms = [f" {t} " for t in self.acc.index.texts.take(pa.array(codes)).to_pylist()]
        for gram in (f" {' '.join(words(m.text))} " for m in family.members):
            for term in terms:
                rest = " ".join(term.replace(gram, " ").split())
                if gram in term and rest in self.converting_terms:
                    return (
                        f"'{term.strip()}' is the converting '{rest}' with '{gram.strip()}'"
                        " added: a modifier on searches that sell, for a manager to judge"
                    )
        return ""

    def cost_of(self, cand: Candidate) -> float:
        return float(
            self.acc.cost[self.acc.open_rows(self.rows_of(cand.text, cand.match_type))].sum()
        )

    def to_review(self, family: Family, evidence: Evidence) -> None:
        """List a not-proven family for review: each text of a word family (each is a negative
        of its own), the costliest term of a near-duplicate cluster."""
        floor = REVIEW_FLOOR_CPA * (self.acc.target_cpa or 0.0)
        if evidence.cost < floor or evidence.cost <= 0:
            return
        why = family.note or _not_proven(evidence, self.acc, family)
        if family.source == "cluster":
            lead = max(family.members, key=self.cost_of)
            rows = self.family_rows(family)
            self.plan.review.append(
                _Review(family, lead.text, lead.match_type, evidence, rows, why)
            )
            return
        for cand in family.members:
            rows = self.family_rows(replace(family, members=[cand]))
            if len(rows):
                self.plan.review.append(
                    _Review(family, cand.text, cand.match_type, evidence, rows, why)
                )

    def consider(
        self,
        cand: Candidate,
        family: Family,
        tier: str,
        evidence: Evidence,
        family_campaigns: set[str],
        depth: int = 0,
    ) -> None:
        """Propose `cand` where it is safe; fall back to narrower negatives elsewhere."""
        acc = self.acc
        rows = self.rows_of(cand.text, cand.match_type)
        if depth and self.text_problems(cand):
            return
        if not len(acc.open_rows(rows)):
            return
        placed, left, split = self.placements(cand, rows, family_campaigns)
        if split is not None and depth == 0:
            self.explain_split(cand, split)
        for proposal in placed:
            left = self.accept(proposal, left, tier, evidence, family)
        left = left[~acc.done[left]]
        if len(left) and depth < 2:
            self.narrower(cand, family, (tier, evidence, family_campaigns, depth, left))

    def placements(
        self, cand: Candidate, rows: np.ndarray, family_campaigns: set[str]
    ) -> tuple[list[NegativeProposal], np.ndarray, Split | None]:
        """Proposals that reach the candidate's open spend safely, the rows left uncovered, and
        why it could not go wider (None when nothing narrowed it)."""
        acc, settings = self.acc, self.ctx.settings
        open_rows = acc.open_rows(rows)
        bad_rows = rows[acc.bad_rows(cand.text, rows, cand.guard_buying)]
        bad_campaigns = set(acc.campaign[bad_rows].tolist())
        bad_groups = set(
            zip(acc.campaign[bad_rows].tolist(), acc.ad_group[bad_rows].tolist(), strict=True)
        )
        bought = keyword_scopes(cand.text, cand.match_type, self.ctx.keywords, settings.platform)
        for camp, group in bought:
            if not camp:
                return [], open_rows, Split("anywhere", rows, bad_rows, bought)
            bad_campaigns.add(camp)
            bad_groups.update(
                {(camp, group)}
                if group
                else {(camp, g) for g in acc.ad_group[acc.campaign == camp].tolist()}
            )
        spend_campaigns = set(acc.campaign[open_rows].tolist())
        spans = len(family_campaigns | spend_campaigns) >= 2 or acc.campaigns == [""]
        split = None
        if spans and bad_campaigns:
            split = Split(
                f"on the shared list '{settings.shared_list_name}'", rows, bad_rows, bought
            )
        elif spend_campaigns & bad_campaigns:
            names = ", ".join(f"'{c}'" for c in sorted(spend_campaigns & bad_campaigns))
            split = Split(f"at campaign level in {names}", rows, bad_rows, bought)
        groups: dict[str, set[str]] = {}
        for camp, group in zip(
            acc.campaign[open_rows].tolist(), acc.ad_group[open_rows].tolist(), strict=True
        ):
            groups.setdefault(camp, set()).add(group)
        attached = [c for c in acc.campaigns if c]
        places = targets(spend_campaigns, groups, bad_campaigns, bad_groups, spans)
        return [_new_proposal(cand, t, settings, attached) for t in places], open_rows, split

    def explain_split(self, cand: Candidate, split: Split) -> None:
        """A held-back item saying why `cand` is not proposed wider than it is."""
        acc = self.acc
        parts = []
        terms = acc.terms(split.bad_rows)
        if terms:
            camps = sorted(set(acc.campaign[split.bad_rows].tolist()) - {""})
            where_ = f" (campaign(s) {', '.join(repr(c) for c in camps)})" if camps else ""
            parts.append(
                f"it would block {len(terms)} converting, kept or buying-question term(s)"
                f"{where_}: {', '.join(repr(t) for t in terms[:5])}"
            )
        if split.keywords:
            camps = sorted({c or "unknown campaign" for c, _ in split.keywords})
            parts.append(f"it would block bought keywords in {', '.join(repr(c) for c in camps)}")
        self.plan.held_back.append(
            HeldBack(
                text=" ".join(words(cand.text)),
                match_type=cand.match_type,
                reason=f"not proposed {split.wider}: {'; '.join(parts)}; narrower negatives"
                " cover its spend where they are safe",
                family=cand.family,
                **_would_block(acc.costliest(split.rows), float(acc.cost[split.rows].sum())),
            )
        )

    def accept(
        self,
        proposal: NegativeProposal,
        left: np.ndarray,
        tier: str,
        evidence: Evidence,
        family: Family,
    ) -> np.ndarray:
        """Check and keep a proposal; return the rows of `left` it does not reach."""
        key = (
            proposal.text,
            proposal.match_type,
            proposal.level,
            proposal.campaign,
            proposal.ad_group,
        )
        if key in self.plan.seen:
            return left
        verdict = check_proposal(proposal, self.ctx.table, self.ctx.keywords, self.ctx.settings)
        if not verdict.safe:
            self.plan.held_back.append(
                HeldBack(
                    text=proposal.text,
                    match_type=proposal.match_type,
                    reason=f"{where(proposal)}: " + "; ".join(verdict.reasons),
                    family=proposal.family,
                    **_would_block(list(verdict.blocked_terms), float(verdict.blocked_cost)),
                )
            )
            return left
        self.plan.seen.add(key)
        acc = self.acc
        reached = _reach(proposal, acc, self.rows_of(proposal.text, proposal.match_type))
        fresh = reached[~acc.pre_blocked[reached]]
        proposal.blocked_terms = (
            acc.costliest(fresh) if len(fresh) < len(reached) else (verdict.blocked_terms)
        )
        proposal.blocked_cost = round(float(acc.cost[fresh].sum()), 2)
        proposal.blocked_clicks = round(float(acc.clicks[fresh].sum()), 2)
        proposal.blocked_conversions = verdict.blocked_conversions
        proposal.tier = tier
        proposal.evidence = {"scope": _scope(family), **evidence.as_dict()}
        already = ""
        if len(fresh) < len(reached):
            gone = len(np.setdiff1d(acc.code[reached], acc.code[fresh]))
            proposal.blocked_by_existing = gone
            already = f" (not counting {gone} term(s) existing negatives or exclusions block)"
        proposal.why = f"{proposal.reason} {_tier_sentence(tier, evidence, family, acc)}"
        proposal.reason = (
            f"{proposal.why} Blocks"
            f" {len(proposal.blocked_terms)} term(s) costing {fmt.money(proposal.blocked_cost)}"
            f" ({proposal.blocked_clicks:g} clicks, no conversions) {where(proposal)}{already}."
        )
        self.plan.proposals.append(proposal)
        acc.done[reached] = True
        self._open.clear()
        self.covered[fresh] = True
        return left[~acc.done[left]]

    def narrower(
        self,
        cand: Candidate,
        family: Family,
        proven: tuple[str, Evidence, set[str], int, np.ndarray] | None,
    ) -> None:
        """Longer n-grams holding the candidate for the spend it could not reach; then exact
        negatives of the queries. With `proven` None (the account converts on the word) each
        longer n-gram must be proven on its own rows."""
        acc = self.acc
        size = len(words(cand.text))
        ng = costly_ngrams_holding(self.ngrams, cand.text)
        longer = ng[(ng["n"] > size) & (ng["n"] <= size + 2) & (ng["conversions"].fillna(0) <= 0)]
        longer = longer[longer["cost"] > 0].sort_values("cost", ascending=False)
        left = proven[4] if proven else acc.open_rows(self.rows_of(cand.text, cand.match_type))
        left_codes = set(acc.code[left].tolist())
        depth = proven[3] if proven else 0
        for gram in longer["ngram"].astype(str).head(MAX_NARROWER):
            rows = self.rows_of(gram, PHRASE)
            if not left_codes & set(acc.code[rows].tolist()):
                continue
            sub = Candidate(
                gram, PHRASE, cand.family, cand.intent, cand.why, False, cand.guard_buying
            )
            if proven is not None:
                self.consider(sub, family, proven[0], proven[1], proven[2], depth + 1)
                continue
            own = Family(family.name, [sub], TIER_PROVEN, family.source)
            sub_rows = self.family_rows(own)
            evidence = acc.evidence(sub_rows)
            if not len(sub_rows):
                continue
            if tier_of(evidence, acc.target_cpa) == TIER_PROVEN:
                camps = set(acc.campaign[sub_rows].tolist())
                self.consider(sub, own, TIER_PROVEN, evidence, camps, depth + 1)
            else:
                self.to_review(own, evidence)
        if proven is None or depth > 0:
            return
        codes = list(dict.fromkeys(acc.code[left[~acc.done[left]]].tolist()))
        for text in acc.texts(codes):
            sub = Candidate(text, EXACT, cand.family, cand.intent, cand.why)
            self.consider(sub, family, proven[0], proven[1], proven[2], depth + 2)


def _scope(family: Family) -> str:
    """What the evidence was summed over: `words: jobs`, `ngram: outdoor`, `query: skidjacka`."""
    if family.source == "lexicon":
        return f"words: {family.name}"
    if family.source == "competitor":
        return f"competitor: {family.name}"
    return family.name


def _tier_sentence(tier: str, evidence: Evidence, family: Family, acc: Account) -> str:
    figures_ = evidence.sentence(fmt.money(evidence.cost))
    if tier == TIER_INTENT:
        return f"Tier intent (irrelevant by meaning; {family.name}: {figures_})."
    target = acc.target_cpa or 0.0
    if family.single_exact and (evidence.p_value is None or evidence.p_value > 0.05):
        return (
            f"Tier proven: {figures_}, at least twice the target CPA of {fmt.money(target)} without"
            " a conversion."
        )
    return f"Tier proven ({family.name}): {figures_}; target CPA {fmt.money(target)}."


def _not_proven(evidence: Evidence, acc: Account, family: Family) -> str:
    """One sentence of why a wasteful family is only for review."""
    figures_ = evidence.sentence(fmt.money(evidence.cost))
    target = fmt.money(acc.target_cpa or 0.0)
    unsold = family.source in ("ngram", "competitor", "compound") or (
        family.source in ("term", "cluster") and not family.related
    )
    what = " It shares no word with what the account sells." if unsold else ""
    texts = [c.text for c in family.members]
    whose = f"family '{family.name}' ({', '.join(texts)})" if len(texts) > 1 else "it"
    return (
        f"Not proven yet, {whose}: {figures_}; proof needs a target CPA ({target}) of spend"
        f" and a chance of 5% or less.{what}"
    )


def _review_items(proposer: _Proposer, limit: int) -> list[HeldBack]:
    """The not-proven wasteful families, ranked by spend and closeness to proof, without
    those mostly covered by proposals or better-ranked items."""
    acc = proposer.acc
    ranked = sorted(
        proposer.plan.review,
        key=lambda r: -r.evidence.cost * (0.5 + 0.5 * closeness(r.evidence, acc.target_cpa)),
    )
    taken = acc.done.copy()
    seen = {" ".join(words(h.text)) for h in proposer.plan.held_back}
    out: list[HeldBack] = []
    for item in ranked:
        text = " ".join(words(item.text))
        cost = acc.cost[item.rows]
        total = float(cost.sum())
        if (
            text in seen
            or total <= 0
            or float(cost[taken[item.rows]].sum()) >= REVIEW_COVERED * total
        ):
            continue
        if len(out) >= limit:
            break
        seen.add(text)
        taken[item.rows] = True
        own = acc.open_rows(proposer.rows_of(item.text, item.match_type))
        blocked = acc.costliest(own)
        shown = set(blocked)
        others = [t for t in acc.costliest(item.rows) if t not in shown]
        variants = (
            f" With it: {', '.join(repr(t) for t in others[:10])}"
            + (f" and {len(others) - 10} more." if len(others) > 10 else ".")
            if others
            else ""
        )
        evidence = {
            "scope": _scope(item.family),
            **item.evidence.as_dict(),
            "closeness": round(closeness(item.evidence, acc.target_cpa), 3),
        }
        out.append(
            HeldBack(
                text=text,
                match_type=item.match_type,
                reason=f"{item.why}{variants} If it is irrelevant for this account,"
                " propose it (or add it to [negatives] irrelevant).",
                kind=HELD_REVIEW,
                family=item.family.name,
                evidence=evidence,
                **_would_block(blocked, float(acc.cost[own].sum())),
            )
        )
    return out


def _learned_keep(ngrams: pd.DataFrame, lexicon: Lexicon) -> list[str]:
    """Bigrams of converting terms that hold a lexicon word (`free quote` where `free quote
    solar` converts): the account's own keep-phrases."""
    singles = {t for t in lexicon.entries if " " not in t}
    bigram = ngrams["n"].to_numpy() == 2
    texts = ngrams["ngram"][bigram & converting_mask(ngrams)].astype(str)
    return [t for t in texts if set(t.split(" ")) & singles]


def read_rows(lexicon: Lexicon) -> Keep:
    """The n-grams the proposals read (every one they filter for) and the result keeps: single
    words, n-grams with cost or conversions, lexicon texts, and the costliest `KEPT`. The rest
    (1.37M of 1.85M n-grams on a 1M-row long tail, those of terms without a click) is never
    built."""
    phrases = [text for text in lexicon.entries if " " in text]

    def keep(columns: dict[str, np.ndarray], find: Callable[[list[str]], np.ndarray]) -> np.ndarray:
        cost = columns["cost"]
        wanted = (columns["n"] == 1) | (cost > 0)
        wanted |= (columns["conversions"] > 0) | (columns["conversion_value"] > 0)
        wanted[find(phrases)] = True
        wanted[costliest_rows(cost, KEPT)] = True
        return np.flatnonzero(wanted)

    return keep


def _account_families(settings: Settings) -> list[Family]:
    """The user's own irrelevant words (tier intent: the user's decision)."""
    cands = [
        Candidate(
            " ".join(words(w)),
            PHRASE,
            ACCOUNT_INTENT,
            ACCOUNT_INTENT,
            f"'{w}' is irrelevant for this account (config).",
        )
        for w in settings.irrelevant
    ]
    return [Family(ACCOUNT_INTENT, cands, TIER_INTENT, "lexicon")] if cands else []


def proposal_ngrams(table: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """The n-gram table the proposals read (`propose_negatives`): of the whole report when
    it is empty, else the rows the proposals filter for (`read_rows`)."""
    if table.empty:
        return ngram_table(table)
    return ngram_table(table, keep=read_rows(load_lexicons(settings)))


def propose_negatives(ctx: AuditContext, ngrams: pd.DataFrame | None = None) -> NegativesOutcome:
    """Propose the negatives the account's data and meaning justify; list the rest for review.

    The outcome keeps the costliest `auditor.terms.ngrams.KEPT` n-grams of the report (what
    the review app and the workbook show), not the whole n-gram table the proposals read."""
    table = ctx.table
    if ngrams is None:
        ngrams = proposal_ngrams(table, ctx.settings)
    if table.empty:
        return NegativesOutcome(ngrams=ngrams)
    lexicon = load_lexicons(ctx.settings)
    outcome = NegativesOutcome(ngrams=costliest(ngrams, KEPT))
    existing = read_existing(ctx)
    acc = prepare(ctx, lexicon, existing, _learned_keep(ngrams, lexicon))
    if not acc.has_conversions:
        outcome.notes.append(
            "Negatives: the report has no Conversions column, so no negative can be proven"
            " safe; none proposed."
        )
        return outcome
    proposer = _Proposer(ctx, acc, ngrams, lexicon)
    own = own_words(ctx, ngrams)
    lex = lexicon_families(lexicon, ngrams, own)
    skip = {c.text for f in lex for c in f.members} | set(lexicon.entries)
    floor = REVIEW_FLOOR_CPA * (acc.target_cpa or 0.0)
    compounds = compound_families(ngrams, own, skip, floor)
    skip |= {c.text for f in compounds for c in f.members}
    families = [
        *_account_families(ctx.settings),
        *competitor_families(ctx.settings.competitors, own),
        *lex,
        *compounds,
        *ngram_families(ngrams, own, skip, lexicon.stopwords, floor),
        *term_families(acc, own, floor),
    ]
    brands, note = brand_like_tokens(
        ngrams, own, skip | set(ctx.settings.competitors), _LANGUAGES, floor
    )
    for family in families:
        proposer.judge(family)
    for family in brands:
        rows = proposer.family_rows(family)
        if len(rows):
            proposer.to_review(family, acc.evidence(rows))
    outcome.proposals = consolidate(proposer.plan.proposals, proposer.platform)
    outcome.covered_cost = round(float(acc.cost[proposer.covered].sum()), 2)
    outcome.held_back = [
        *proposer.plan.held_back,
        *_review_items(proposer, ctx.settings.review_limit),
    ]
    if note:
        outcome.notes.append(note)
    if existing:
        outcome.notes.append(
            f"Negatives: {len(existing)} existing negative(s) read; terms they already block"
            " were not proposed again."
        )
    return outcome
