"""Negative-keyword proposals: families of irrelevant queries, each negative proven safe.

How proposals are chosen (the README's "Negative keywords" says the same for users):
1. Evidence of irrelevant intent comes from words: the lexicon entries (`lexicons`:
   bundled, user files, account words from the config) that occur in the account's search
   terms, and every misspelling of a lexicon word among the account's own words (`jbos`,
   `begagand`). Each misspelling is a negative of its own: negatives never match variants.
   One intent (jobs, free, ...) is one family; the family's summed clicks, cost and the
   zero-conversion test on the whole family go into every proposal's reason.
2. Order inside a family: single words first, costlier first; a candidate that adds no spend
   beyond what earlier proposals, existing negatives and `Excluded` terms already block is
   dropped (`free download` is not proposed beside `free`).
3. Match type: phrase (for one word the same as broad; Microsoft has no broad negatives);
   exact only for single queries in a fallback.
4. Level: a shared list (`Settings.shared_list_name`) attached to every campaign when the
   family spends in two or more campaigns and the negative is safe in all of them; else a
   campaign negative in each campaign where it is safe; else ad-group negatives where it is
   safe. Spend it cannot reach safely falls back to narrower negatives: longer n-grams holding
   the word (at most `MAX_NARROWER`), then exact negatives of the wasteful queries. Such a
   split is listed in held_back: why the negative could not go wider.
5. Safety (`auditor.negatives.safety.check_proposal`) for every proposal: no converting term and no
   bought keyword in its scope, no protected term, the platform limits. Lexicon `keep` phrases
   (`free shipping`) count as converting for a negative sharing a word with them (`free`),
   not for others (`patagonia`). A lexicon word the account converts on is never
   proposed itself (held back with the reason; narrower phrases may cover its waste).
6. Zero conversions alone prove waste, not irrelevance. Account n-grams (1-2 words) whose
   family (with misspellings) fails the zero-conversion test (`p <= NGRAM_P`, cost >= one
   CPA), and single wasteful queries with their near-duplicates (`auditor.negatives.clustering`,
   `p <= QUERY_P`), are listed as held back `review:` items, never proposed: a relevant term
   that does not convert needs a bid, ad or landing-page fix. Adding the word to
   `[negatives] irrelevant` turns it into a proposal.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from auditor import schema
from auditor.config import Settings
from auditor.context import AuditContext
from auditor.matching import (
    EXACT,
    LEVEL_AD_GROUP,
    LEVEL_CAMPAIGN,
    LEVEL_SHARED,
    PHRASE,
    TermIndex,
    term_index,
    word_set,
    words,
)
from auditor.model import HeldBack, NegativeProposal, NegativesOutcome
from auditor.negatives.clustering import cluster_queries
from auditor.negatives.existing import (
    ExistingNegative,
    existing_blocked,
    existing_findings,
    read_existing,
)
from auditor.negatives.lexicons import Lexicon, fuzzy_variants, load_lexicons
from auditor.negatives.safety import check_proposal, keyword_scopes, limit_problems, protected_hits
from auditor.ngrams import costly_ngrams_holding, ngram_table

NGRAM_P = 0.10
"""Zero-conversion test for account n-gram families: propose when p <= this."""
QUERY_P = 0.05
"""Zero-conversion test for single wasteful queries (with their near-duplicates)."""
MAX_NARROWER = 10
"""At most this many longer n-grams are tried for the spend a negative could not reach."""
MAX_CLUSTERED = 20_000
"""Single-query review: only the costliest non-converting terms are clustered."""
MAX_REVIEW = 20
"""At most this many wasteful families without irrelevant-intent evidence are listed."""
MIN_TERMS_CONVERTING_WORD = 2
"""A narrower phrase holding a lexicon word the account converts on must occur in this many
distinct search terms to be proposed (`how to increase` in one query of a clinic-marketing
agency that converts on `how to` is not a pattern)."""
MIN_FAMILY_COST_CPA = 1.0
"""A data-driven family must have cost at least this many account CPAs."""


@dataclass
class _Account:
    """The report prepared for many fast replays (rows grouped per term, campaign, ad group)."""

    index: TermIndex
    code: np.ndarray
    campaign: np.ndarray
    ad_group: np.ndarray
    cost: np.ndarray
    clicks: np.ndarray
    bad: np.ndarray
    """Rows no negative may block: converting, or holding a lexicon keep-phrase."""
    converting: np.ndarray
    """Rows with conversions or conversion value."""
    keep: list[tuple[frozenset[str], np.ndarray]]
    """Per lexicon keep-phrase: its words and the rows holding it."""
    done: np.ndarray
    """Rows already blocked: by existing negatives, an accepted proposal, or `Excluded`."""
    pre_blocked: np.ndarray
    """Rows blocked before this audit (existing negatives, `Excluded`): a proposal's figures
    leave them out, since it saves nothing there."""
    text: np.ndarray
    """A display text per unique term (as the report first spells it)."""
    campaigns: list[str]
    cvr: float | None
    cpa: float | None
    has_conversions: bool


@dataclass
class _Candidate:
    text: str
    match_type: str
    family: str
    intent: str | None
    why: str
    converts: bool = False


@dataclass
class _Plan:
    proposals: list[NegativeProposal] = field(default_factory=list)
    held_back: list[HeldBack] = field(default_factory=list)
    seen: set[tuple[str, str, str, str | None, str | None]] = field(default_factory=set)


def _money(value: float) -> str:
    return f"{value:,.2f}"


def p_zero(clicks: float, cvr: float | None) -> float | None:
    """Probability of zero conversions in `clicks` clicks at conversion rate `cvr`."""
    if cvr is None or cvr <= 0:
        return None
    return float((1.0 - min(cvr, 1.0)) ** max(clicks, 0.0))


def _figures(table: pd.DataFrame, col: str) -> np.ndarray:
    return np.nan_to_num(table[col].to_numpy(dtype=np.float64, na_value=np.nan))


def _prepare(ctx: AuditContext, lexicon: Lexicon, existing: list[ExistingNegative]) -> _Account:
    table = ctx.table
    index = term_index(table)
    conv = _figures(table, "conversions")
    value = _figures(table, "conversion_value")
    converting = (conv > 0) | (value > 0)
    bad = converting.copy()
    keep = []
    for phrase in lexicon.keep:
        held = index.blocked_rows(phrase, PHRASE)
        bad[held] = True
        keep.append((frozenset(words(phrase)), held))
    done = table["status"].isin([schema.STATUS_EXCLUDED, schema.STATUS_ADDED_EXCLUDED])
    done = np.array(done.fillna(False).to_numpy(dtype=bool), copy=True)
    done |= existing_blocked(existing, index, ctx.settings.platform)
    first = np.full(len(index.padded), -1, dtype=np.int64)
    first[index.codes[::-1]] = np.arange(len(table))[::-1]
    texts = table["search_term"].astype("string").fillna("").to_numpy(dtype=object)
    display = texts[np.maximum(first, 0)]
    clicks = _figures(table, "clicks")
    has_conv = "conversions" in ctx.columns_present
    total_clicks, total_conv = float(clicks.sum()), float(conv.sum())
    cvr = total_conv / total_clicks if has_conv and total_clicks > 0 and total_conv > 0 else None
    cost = _figures(table, "cost")
    cpa = float(cost.sum()) / total_conv if has_conv and total_conv > 0 else None
    return _Account(
        index=index,
        code=index.codes,
        campaign=index.campaign,
        ad_group=index.ad_group,
        cost=cost,
        clicks=clicks,
        bad=bad,
        converting=converting,
        keep=keep,
        done=done,
        pre_blocked=done.copy(),
        text=display,
        campaigns=sorted(set(index.campaign.tolist())),
        cvr=cvr,
        cpa=cpa,
        has_conversions=has_conv,
    )


def _bad_rows(acc: _Account, text: str, rows: np.ndarray) -> np.ndarray:
    """Which of `rows` the negative `text` must not block: converting rows, and rows holding a
    lexicon keep-phrase that shares a word with it (`fri frakt` stops `fri`, not `patagonia`)."""
    own = set(words(text))
    bad = acc.converting[rows]
    for keep_words, held in acc.keep:
        if keep_words & own:
            bad = bad | np.isin(rows, held)
    return bad


def proposal_id(text: str, match_type: str, level: str, target: str) -> str:
    """Stable across runs and weeks: the same negative at the same place keeps its id (the
    review app's decisions are keyed on it)."""
    digest = hashlib.sha1(f"{text}|{match_type}|{level}|{target}".encode()).hexdigest()
    return f"neg-{digest[:12]}"


def _new_proposal(
    cand: _Candidate,
    level: str,
    settings: Settings,
    campaign: str | None = None,
    ad_group: str | None = None,
    campaigns: list[str] | None = None,
) -> NegativeProposal:
    text = " ".join(words(cand.text))
    list_name = settings.shared_list_name if level == LEVEL_SHARED else None
    target = list_name or f"{campaign}|{ad_group or ''}"
    return NegativeProposal(
        id=proposal_id(text, cand.match_type, level, target),
        text=text,
        match_type=cand.match_type,
        level=level,
        campaign=campaign,
        ad_group=ad_group,
        list_name=list_name,
        campaigns=list(campaigns or []),
        family=cand.family,
        intent=cand.intent,
        reason=cand.why,
    )


@dataclass
class _Split:
    """Why a negative was placed only at narrower levels than its spend asked for."""

    wider: str
    rows: np.ndarray
    """Every row the negative blocks (before its level is applied)."""
    bad_rows: np.ndarray
    keywords: list[tuple[str, str]]


def _placements(
    cand: _Candidate,
    rows: np.ndarray,
    acc: _Account,
    ctx: AuditContext,
    family_campaigns: set[str],
) -> tuple[list[NegativeProposal], np.ndarray, _Split | None]:
    """Proposals that reach the candidate's open spend safely, the rows left uncovered, and
    why it could not go wider (None when nothing narrowed it)."""
    settings = ctx.settings
    open_rows = rows[~acc.done[rows] & ((acc.cost[rows] > 0) | (acc.clicks[rows] > 0))]
    bad_rows = rows[_bad_rows(acc, cand.text, rows)]
    bad_campaigns = set(acc.campaign[bad_rows].tolist())
    bad_groups = set(
        zip(acc.campaign[bad_rows].tolist(), acc.ad_group[bad_rows].tolist(), strict=True)
    )
    bought = keyword_scopes(cand.text, cand.match_type, ctx.keywords, settings.platform)
    for camp, group in bought:
        if not camp:
            return [], open_rows, _Split("anywhere", rows, bad_rows, bought)
        bad_campaigns.add(camp)
        bad_groups.update(
            {(camp, group)}
            if group
            else {(camp, g) for g in acc.ad_group[acc.campaign == camp].tolist()}
        )
    spend_campaigns = set(acc.campaign[open_rows].tolist())
    out: list[NegativeProposal] = []
    spans = len(family_campaigns | spend_campaigns) >= 2 or acc.campaigns == [""]
    split = None
    if spans and bad_campaigns:
        split = _Split(f"on the shared list '{settings.shared_list_name}'", rows, bad_rows, bought)
    elif spend_campaigns & bad_campaigns:
        names = ", ".join(f"'{c}'" for c in sorted(spend_campaigns & bad_campaigns))
        split = _Split(f"at campaign level in {names}", rows, bad_rows, bought)
    if spans and not bad_campaigns:
        attached = [c for c in acc.campaigns if c]
        out.append(_new_proposal(cand, LEVEL_SHARED, settings, campaigns=attached))
    else:
        for camp in sorted(spend_campaigns - bad_campaigns - {""}):
            out.append(_new_proposal(cand, LEVEL_CAMPAIGN, settings, campaign=camp))
        for camp in sorted(spend_campaigns & bad_campaigns):
            in_camp = open_rows[acc.campaign[open_rows] == camp]
            for group in sorted(set(acc.ad_group[in_camp].tolist())):
                if (camp, group) not in bad_groups and group:
                    out.append(
                        _new_proposal(cand, LEVEL_AD_GROUP, settings, campaign=camp, ad_group=group)
                    )
    return out, open_rows, split


def _reach(p: NegativeProposal, acc: _Account, rows: np.ndarray) -> np.ndarray:
    """The subset of `rows` a proposal's level reaches."""
    camp = acc.campaign[rows]
    if p.level == LEVEL_SHARED:
        return rows[np.isin(camp, p.campaigns)] if p.campaigns else rows
    hit = camp == (p.campaign or "")
    if p.level == LEVEL_AD_GROUP:
        hit &= acc.ad_group[rows] == (p.ad_group or "")
    return rows[hit]


class _Proposer:
    """Turns candidates into safe proposals, with fallbacks, in one pass over the account."""

    def __init__(self, ctx: AuditContext, acc: _Account, ngrams: pd.DataFrame) -> None:
        self.ctx = ctx
        self.acc = acc
        self.ngrams = ngrams
        self.plan = _Plan()
        self.platform = ctx.settings.platform
        self.covered = np.zeros(len(acc.code), dtype=bool)
        """Rows some accepted proposal blocks at its level (each row once)."""

    def rows_of(self, text: str, match_type: str) -> np.ndarray:
        return self.acc.index.blocked_rows(text, match_type, self.platform)

    def hold(self, cand: _Candidate, reason: str, rows: np.ndarray | None = None) -> None:
        blocked = [] if rows is None else self._terms(rows[_bad_rows(self.acc, cand.text, rows)])
        self.plan.held_back.append(
            HeldBack(text=cand.text, match_type=cand.match_type, reason=reason, would_block=blocked)
        )

    def _costliest(self, rows: np.ndarray) -> list[str]:
        """Distinct terms of `rows`, costliest first (as a safety verdict lists them)."""
        codes = self.acc.code[rows]
        cost = np.bincount(codes, weights=self.acc.cost[rows], minlength=len(self.acc.text))
        unique = np.unique(codes)
        order = unique[np.argsort(-cost[unique], kind="stable")]
        return [self.acc.text[c] for c in order.tolist()]

    def _terms(self, rows: np.ndarray) -> list[str]:
        codes = list(dict.fromkeys(self.acc.code[rows].tolist()))
        return [self.acc.text[c] for c in codes]

    def explain_split(self, cand: _Candidate, split: _Split) -> None:
        """A held-back item saying why `cand` is not proposed wider than it is."""
        acc = self.acc
        parts = []
        terms = self._terms(split.bad_rows)
        if terms:
            camps = sorted(set(acc.campaign[split.bad_rows].tolist()) - {""})
            where = f" (campaign(s) {', '.join(repr(c) for c in camps)})" if camps else ""
            parts.append(
                f"it would block {len(terms)} converting or kept term(s){where}:"
                f" {', '.join(repr(t) for t in terms[:5])}"
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
                would_block=self._costliest(split.rows)[:20],
            )
        )

    def text_problems(self, cand: _Candidate) -> list[str]:
        settings = self.ctx.settings
        problems = limit_problems(cand.text, settings.platform)
        hits = protected_hits(cand.text, cand.match_type, settings)
        problems.extend(f"contains or blocks the protected term '{h}'" for h in hits)
        return problems

    def consider(self, cand: _Candidate, family_campaigns: set[str], depth: int = 0) -> None:
        """Propose `cand` where it is safe; fall back to narrower negatives elsewhere."""
        acc = self.acc
        rows = self.rows_of(cand.text, cand.match_type)
        problems = self.text_problems(cand)
        if problems:
            self.hold(cand, "; ".join(problems))
            return
        open_now = rows[~acc.done[rows] & ((acc.cost[rows] > 0) | (acc.clicks[rows] > 0))]
        if len(open_now) == 0:
            return
        if cand.converts:
            placed: list[NegativeProposal] = []
            left = open_now
        else:
            placed, left, split = _placements(cand, rows, acc, self.ctx, family_campaigns)
            if split is not None and depth == 0:
                self.explain_split(cand, split)
        for proposal in placed:
            left = self.accept(proposal, left)
        left = left[~acc.done[left]]
        if len(left) and depth < 2:
            self.narrower(cand, left, family_campaigns, depth)

    def accept(self, proposal: NegativeProposal, left: np.ndarray) -> np.ndarray:
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
                    reason=f"{_where(proposal)}: " + "; ".join(verdict.reasons),
                    would_block=verdict.blocked_terms[:20],
                )
            )
            return left
        self.plan.seen.add(key)
        proposal.blocked_terms = verdict.blocked_terms
        proposal.blocked_cost = verdict.blocked_cost
        proposal.blocked_clicks = verdict.blocked_clicks
        proposal.blocked_conversions = verdict.blocked_conversions
        reached = _reach(proposal, self.acc, self.rows_of(proposal.text, proposal.match_type))
        fresh = reached[~self.acc.pre_blocked[reached]]
        already = ""
        if len(fresh) < len(reached):
            proposal.blocked_terms = self._terms(fresh)
            proposal.blocked_cost = round(float(self.acc.cost[fresh].sum()), 2)
            proposal.blocked_clicks = round(float(self.acc.clicks[fresh].sum()), 2)
            gone = len(np.setdiff1d(self.acc.code[reached], self.acc.code[fresh]))
            already = f" (not counting {gone} term(s) existing negatives or exclusions block)"
        proposal.reason = (
            f"{proposal.reason} Blocks {len(proposal.blocked_terms)} term(s) costing"
            f" {_money(proposal.blocked_cost)} ({proposal.blocked_clicks:g} clicks, no"
            f" conversions) {_where(proposal)}{already}."
        )
        self.plan.proposals.append(proposal)
        self.acc.done[reached] = True
        self.covered[fresh] = True
        return left[~self.acc.done[left]]

    def narrower(
        self, cand: _Candidate, left: np.ndarray, family_campaigns: set[str], depth: int
    ) -> None:
        """Longer n-grams holding the candidate for the spend it could not reach; then exact."""
        acc = self.acc
        size = len(words(cand.text))
        ng = costly_ngrams_holding(self.ngrams, cand.text)
        longer = ng[(ng["n"] > size) & (ng["n"] <= size + 2) & (ng["conversions"].fillna(0) <= 0)]
        if cand.converts:
            # The account converts on the word, so its intent is not irrelevant as such: only a
            # phrase that recurs across queries (a pattern, not one query) is evidence enough.
            longer = longer[longer["terms"] >= MIN_TERMS_CONVERTING_WORD]
        left_codes = set(acc.code[left].tolist())
        longer = longer[longer["cost"] > 0].sort_values("cost", ascending=False)
        for gram in longer["ngram"].astype(str).head(MAX_NARROWER):
            rows = self.rows_of(gram, PHRASE)
            if not left_codes & set(acc.code[rows].tolist()):
                continue
            sub = _Candidate(gram, PHRASE, cand.family, cand.intent, cand.why, False)
            self.consider(sub, family_campaigns, depth + 1)
        if cand.converts or depth > 0:
            return
        for code in dict.fromkeys(acc.code[left[~acc.done[left]]].tolist()):
            term = acc.text[code]
            sub = _Candidate(term, EXACT, cand.family, cand.intent, cand.why, False)
            self.consider(sub, family_campaigns, depth + 2)


def _where(p: NegativeProposal) -> str:
    if p.level == LEVEL_SHARED:
        return f"in the shared list '{p.list_name}'"
    if p.level == LEVEL_CAMPAIGN:
        return f"in campaign '{p.campaign}'"
    return f"in ad group '{p.ad_group}' of campaign '{p.campaign}'"


def _family_rows(proposer: _Proposer, cands: list[_Candidate]) -> np.ndarray:
    rows = [proposer.rows_of(c.text, c.match_type) for c in cands]
    return np.unique(np.concatenate(rows)) if rows else np.zeros(0, dtype=np.int64)


def _family_evidence(acc: _Account, ctx: AuditContext, rows: np.ndarray) -> str:
    table = ctx.table
    clicks = float(acc.clicks[rows].sum())
    cost = float(acc.cost[rows].sum())
    conv = float(_figures(table, "conversions")[rows].sum())
    terms = len(set(acc.code[rows].tolist()))
    text = f"{terms} term(s), {clicks:g} clicks, cost {_money(cost)}, {conv:g} conversions"
    p = p_zero(clicks, acc.cvr)
    if p is not None and conv == 0 and acc.cvr is not None:
        text += (
            f"; at the account's {acc.cvr:.1%} conversion rate {clicks * acc.cvr:.1f} were"
            f" expected (chance of none: p = {p:.2f})"
        )
    return text


def _lexicon_candidates(
    lexicon: Lexicon, ngrams: pd.DataFrame, ctx: AuditContext, real_words: set[str]
) -> dict[str, list[_Candidate]]:
    """Lexicon entries and misspellings present in the account, per intent."""
    present = ngrams.set_index(ngrams["ngram"].astype(str))
    unigrams = ngrams[ngrams["n"] == 1]
    tokens = unigrams["ngram"].astype(str).tolist()
    counts = dict(zip(tokens, unigrams["terms"].tolist(), strict=True))
    variants = fuzzy_variants(tokens, lexicon.single_words(), counts, real_words)
    found: dict[str, list[_Candidate]] = {}
    items = [(t, e.intent, None) for t, e in lexicon.entries.items() if t in present.index]
    items += [(tok, lexicon.entries[w].intent, w) for tok, w in variants.items()]
    for text, intent, misspells in items:
        row = present.loc[text]
        if isinstance(row, pd.DataFrame):
            row = row.iloc[0]
        converts = bool((row["conversions"] or 0) > 0 or (row["conversion_value"] or 0) > 0)
        entry = lexicon.entries.get(misspells or text)
        why = f"'{text}' is a {intent} word" + (f" ({entry.source})" if entry else "")
        if misspells:
            why = f"'{text}' misspells the {intent} word '{misspells}'"
        found.setdefault(intent, []).append(
            _Candidate(text, PHRASE, intent, intent, why + ".", converts)
        )
    return found


def _ngram_candidates(
    ngrams: pd.DataFrame, acc: _Account, real_words: set[str], skip: set[str]
) -> list[tuple[str, list[_Candidate]]]:
    """Account n-gram families (n-gram + misspellings) that fail the zero-conversion test."""
    if acc.cvr is None or acc.cpa is None:
        return []
    ng = ngrams[(ngrams["n"] <= 2) & (ngrams["terms"] >= 2)]
    ng = ng[(ng["conversions"].fillna(0) <= 0) & (ng["conversion_value"].fillna(0) <= 0)]
    ng = ng[ng["cost"] > 0]
    texts = ng["ngram"].astype(str)
    clean = texts.map(lambda t: not (set(t.split(" ")) & real_words) and t not in skip)
    ng = ng[clean.to_numpy(dtype=bool)]
    unigrams = ngrams[ngrams["n"] == 1]
    tokens = unigrams["ngram"].astype(str).tolist()
    counts = dict(zip(tokens, unigrams["terms"].tolist(), strict=True))
    singles = ng.loc[ng["n"] == 1, "ngram"].astype(str).tolist()
    variants = fuzzy_variants(tokens, singles, counts, real_words)
    members: dict[str, list[str]] = {}
    for token, word in variants.items():
        members.setdefault(word, []).append(token)
    pairs = pd.DataFrame(
        {"family": list(variants.values()), "member": list(variants.keys())}, dtype=object
    )
    own = ng["ngram"].astype(str).to_numpy(dtype=object)
    pairs = pd.concat([pd.DataFrame({"family": own, "member": own}), pairs], ignore_index=True)
    stats = ngrams.assign(member=ngrams["ngram"].astype(str).to_numpy(dtype=object))
    stats = stats[["member", "clicks", "cost", "conversions"]]
    fam = pairs.merge(stats, on="member").groupby("family", sort=False)
    sums = fam[["clicks", "cost", "conversions"]].sum()
    sums["p"] = (1.0 - acc.cvr) ** sums["clicks"]
    keep = (sums["conversions"] <= 0) & (sums["p"] <= NGRAM_P)
    sums = sums[keep & (sums["cost"] >= MIN_FAMILY_COST_CPA * acc.cpa)]
    members: dict[str, list[str]] = {}
    for token, word in variants.items():
        members.setdefault(word, []).append(token)
    out = []
    for gram, row in sums.sort_values("cost", ascending=False).iterrows():
        clicks, cost, p = float(row["clicks"]), float(row["cost"]), float(row["p"])
        why = (
            f"'{gram}' and its variants never converted: {clicks:g} clicks, cost"
            f" {_money(cost)}; at the account's {acc.cvr:.1%} rate"
            f" {clicks * acc.cvr:.1f} conversions were expected (p = {p:.2f})."
        )
        family = [str(gram), *members.get(str(gram), [])]
        cands = [_Candidate(t, PHRASE, f"ngram: {gram}", None, why) for t in family]
        out.append((str(gram), cands))
    return out


def _query_candidates(
    acc: _Account, ctx: AuditContext, real_words: set[str]
) -> tuple[list[tuple[str, list[_Candidate]]], list[tuple[str, list[_Candidate]]]]:
    """Wasteful single queries (with near-duplicates) still open after everything else.

    Returned as (off-catalog, on-catalog): an off-catalog query shares no word with the
    bought keywords, protected terms or converting terms (`real_words`) - likely the wrong
    product; an on-catalog one is likely relevant but poor. Both are only listed for review
    (`_to_review`): the data cannot tell the wrong product from a poor landing page.
    """
    if acc.cvr is None or acc.cpa is None:
        return [], []
    frame = pd.DataFrame(
        {
            "code": acc.code,
            "cost": acc.cost,
            "clicks": acc.clicks,
            "bad": acc.bad,
            "done": acc.done,
        }
    )
    terms = frame.groupby("code").agg(
        cost=("cost", "sum"), clicks=("clicks", "sum"), bad=("bad", "any"), done=("done", "all")
    )
    terms = terms[~terms["bad"] & ~terms["done"] & (terms["clicks"] > 0)]
    terms = terms.nlargest(MAX_CLUSTERED, "cost")
    if terms.empty:
        return [], []
    texts = [acc.text[c] for c in terms.index]
    labels = cluster_queries(texts, terms["cost"].to_numpy())
    terms = terms.assign(label=labels, text=texts)
    off: list[tuple[str, list[_Candidate]]] = []
    on: list[tuple[str, list[_Candidate]]] = []
    sums = terms.groupby("label", sort=False)[["clicks", "cost"]].sum()
    sums["p"] = (1.0 - acc.cvr) ** sums["clicks"]
    wasteful = sums[(sums["p"] <= QUERY_P) & (sums["cost"] >= MIN_FAMILY_COST_CPA * acc.cpa)]
    terms = terms[terms["label"].isin(wasteful.index)]
    for label, group in terms.groupby("label", sort=False):
        clicks, cost = float(wasteful.at[label, "clicks"]), float(wasteful.at[label, "cost"])
        p = float(wasteful.at[label, "p"])
        lead = str(group.sort_values("cost", ascending=False)["text"].iloc[0])
        related = set(words(lead)) & real_words
        why = (
            f"'{lead}' never converted: {clicks:g} clicks, cost {_money(cost)}"
            f" with its variants; {clicks * acc.cvr:.1f} conversions were expected at the"
            f" account's {acc.cvr:.1%} rate (p = {p:.2f})."
            + (
                ""
                if related
                else " It shares no word with the bought keywords or converting terms:"
                " likely the wrong product."
            )
        )
        cands = [_Candidate(str(t), EXACT, f"query: {lead}", None, why) for t in group["text"]]
        (on if related else off).append((lead, cands))
    return off, on


def _to_review(found: list[tuple[str, list[_Candidate]]], proposer: _Proposer) -> list[HeldBack]:
    """Wasteful n-gram and query families without irrelevant-intent evidence, for review.

    Zero conversions prove waste, not irrelevance: a relevant term that does not convert
    needs a bid, ad or landing-page fix, not a negative. These are listed as held back, the
    costliest first; adding the word to `[negatives] irrelevant` makes it a proposal.
    """
    acc = proposer.acc
    ranked = []
    for _, cands in found:
        rows = _family_rows(proposer, cands)
        rows = rows[~acc.done[rows]]
        own = proposer.rows_of(cands[0].text, cands[0].match_type)
        own = own[~acc.done[own]]
        if len(own):
            ranked.append((float(acc.cost[rows].sum()), cands, rows, own))
    ranked.sort(key=lambda item: -item[0])
    out: list[HeldBack] = []
    seen = {" ".join(words(h.text)) for h in proposer.plan.held_back}
    for _, cands, rows, own in ranked:
        text = " ".join(words(cands[0].text))
        if text in seen:
            continue
        seen.add(text)
        blocked = proposer._terms(own)
        shown = set(blocked)
        others = [t for t in proposer._terms(rows) if t not in shown]
        variants = (
            f" Its variants, which this {cands[0].match_type} negative would not block:"
            f" {', '.join(repr(t) for t in others[:10])}"
            + (f" and {len(others) - 10} more." if len(others) > 10 else ".")
            if others
            else ""
        )
        out.append(
            HeldBack(
                text=cands[0].text,
                match_type=cands[0].match_type,
                reason=(
                    f"review: {cands[0].why}{variants} No lexicon or account word marks it"
                    " irrelevant, so it is not proposed; if it is irrelevant, add it to"
                    " [negatives] irrelevant."
                ),
                would_block=blocked[:20],
            )
        )
    return out[:MAX_REVIEW]


def _converting_words(ngrams: pd.DataFrame) -> set[str]:
    """Words of converting search terms."""
    uni = ngrams[ngrams["n"] == 1]
    hit = (uni["conversions"].fillna(0) > 0) | (uni["conversion_value"].fillna(0) > 0)
    return set(uni.loc[hit, "ngram"].astype(str))


def _keyword_words(ctx: AuditContext) -> set[str]:
    found: set[str] = set()
    kws = ctx.keywords
    if "keyword" in kws.columns:
        found.update(word_set(kws["keyword"].dropna()))
    for term in (*ctx.settings.brand, *ctx.settings.protect):
        found.update(words(term))
    return found


def _run_family(
    proposer: _Proposer, name: str, cands: list[_Candidate], acc: _Account, ctx: AuditContext
) -> None:
    rows = _family_rows(proposer, cands)
    open_rows = rows[~acc.done[rows]]
    if not len(open_rows):
        return
    family_campaigns = set(acc.campaign[open_rows].tolist())
    evidence = _family_evidence(acc, ctx, rows)
    cands.sort(
        key=lambda c: (
            len(words(c.text)),
            -float(acc.cost[proposer.rows_of(c.text, c.match_type)].sum()),
        )
    )
    for cand in cands:
        cand.why = f"{cand.why} Family '{name}': {evidence}."
        if cand.converts:
            proposer.hold(
                cand,
                f"the account converts on '{cand.text}'; a lexicon word it converts on is"
                " never proposed (narrower negatives may cover its wasteful terms)",
                proposer.rows_of(cand.text, cand.match_type),
            )
        proposer.consider(cand, family_campaigns)


def propose_negatives(ctx: AuditContext) -> NegativesOutcome:
    """Propose the few negatives that cover each irrelevant family's spend."""
    table = ctx.table
    ngrams = ngram_table(table)
    if table.empty:
        return NegativesOutcome(ngrams=ngrams)
    lexicon = load_lexicons(ctx.settings)
    existing = read_existing(ctx)
    acc = _prepare(ctx, lexicon, existing)
    outcome = NegativesOutcome(ngrams=ngrams)
    outcome.findings = existing_findings(existing, ctx, acc.index)
    if not acc.has_conversions:
        outcome.notes.append(
            "Negatives: the report has no Conversions column, so no negative can be proven"
            " safe; none proposed."
        )
        return outcome
    proposer = _Proposer(ctx, acc, ngrams)
    real = _keyword_words(ctx)
    lex = _lexicon_candidates(lexicon, ngrams, ctx, real | _converting_words(ngrams))
    for intent, cands in sorted(lex.items(), key=lambda kv: kv[0]):
        _run_family(proposer, intent, cands, acc, ctx)
    skip = {c.text for cands in lex.values() for c in cands}
    off_catalog, on_catalog = _query_candidates(acc, ctx, real | _converting_words(ngrams))
    review = [*off_catalog, *_ngram_candidates(ngrams, acc, real, skip), *on_catalog]
    outcome.proposals = proposer.plan.proposals
    outcome.covered_cost = round(float(acc.cost[proposer.covered].sum()), 2)
    proposer.plan.held_back.extend(_to_review(review, proposer))
    outcome.held_back = proposer.plan.held_back
    if existing:
        outcome.notes.append(
            f"Negatives: {len(existing)} existing negative(s) read; terms they already block"
            " were not proposed again."
        )
    return outcome
