"""Safety of a negative keyword: replay it against every search term in its scope.

A proposal is unsafe when, at its level and target, it would
- block a search term with conversions or conversion value (in this report);
- block the text of a bought keyword of that scope (keyword report or Keyword column);
- contain a protected term (`Settings.brand`, `Settings.protect`, and the buying-intent
  phrases of the lexicons: price, quote, hire, near me, ...) or block one typed alone;
- break a platform limit: Google Ads 10 words and 80 characters, Microsoft Advertising
  100 characters, and the characters both reject in keywords (`! @ % ^ * ( ) = { } ; ~ ` < > ?
  \\ | ,`).

`check_proposal` is fast enough to call on every edit (0.2-2 ms on a 1M-row long-tail report,
after a first call of a few seconds): the table's normalised queries, its bought keywords and
its figures are indexed once per table object (`auditor.terms.matching.term_index`, `keyword_index`,
`table_figures`), and a replay reads only the queries holding the negative's words. Its profile
stage (`safety`, entered hundreds of times inside the proposals) keeps freed memory for the
next check (`give_back=False`): the proposals' end gives it back.
"""

from __future__ import annotations

import re
import weakref
from dataclasses import dataclass, field, replace
from functools import lru_cache

import numpy as np
import pandas as pd
import pyarrow as pa

from auditor import schema
from auditor.config import Settings
from auditor.model import NegativeProposal
from auditor.negatives.lexicons import buying_phrases
from auditor.profile import stage
from auditor.terms.matching import (
    LEVEL_AD_GROUP,
    LEVEL_CAMPAIGN,
    LEVEL_SHARED,
    LEVELS,
    MATCH_TYPES,
    TermIndex,
    column_index,
    in_scope,
    label_column,
    normalize_one,
    pad_words,
    padded_block_hits,
    term_index,
    text_index,
    words,
)
from auditor.terms.matching import (
    normalize as normalize_texts,
)

MAX_WORDS = {"google": 10, "microsoft": None}
MAX_CHARS = {"google": 80, "microsoft": 100}
INVALID_CHARS = "!@%^*()={};~`<>?\\|,"
_INVALID = re.compile("[" + re.escape(INVALID_CHARS) + "]")
_SHOWN = 5


@dataclass
class SafetyVerdict:
    """Whether a negative is safe, why not, and its blast radius in the report."""

    safe: bool
    reasons: list[str] = field(default_factory=list)
    blocked_terms: list[str] = field(default_factory=list)
    """Distinct search terms it blocks in its scope, costliest first."""
    blocked_cost: float = 0.0
    blocked_clicks: float = 0.0
    blocked_conversions: float = 0.0

    def blast_radius_of(self, p: NegativeProposal) -> NegativeProposal:
        """`p` with this verdict's blast radius (terms, cost, clicks, conversions)."""
        return replace(
            p,
            blocked_terms=list(self.blocked_terms),
            blocked_cost=float(self.blocked_cost),
            blocked_clicks=float(self.blocked_clicks),
            blocked_conversions=float(self.blocked_conversions),
        )


@dataclass(frozen=True)
class KeywordIndex:
    """The bought keywords prepared for replays, built once per keywords table: a word index
    over their normalised texts (`TermIndex`: only keywords holding a negative's words are
    read) and integer codes of their campaigns and ad groups ("" = unknown)."""

    index: TermIndex
    text: pd.Series
    """The keywords as given, one per keyword row."""

    def __len__(self) -> int:
        return len(self.text)

    def blocked(self, negative: str, match_type: str, platform: str) -> np.ndarray:
        """Keyword rows (ascending) whose text the negative blocks, at any level."""
        return np.sort(self.index.blocked_rows(negative, match_type, platform))

    def scopes(self, rows: np.ndarray) -> list[tuple[str, str]]:
        """Distinct (campaign, ad group) of the keyword `rows`, sorted."""
        campaigns, groups = self.index.campaign[rows], self.index.ad_group[rows]
        return sorted(set(zip(campaigns.tolist(), groups.tolist(), strict=True)))

    def in_scope(self, rows: np.ndarray, proposal: NegativeProposal) -> np.ndarray:
        """The keyword `rows` a proposal's level reaches; a keyword of unknown campaign or ad
        group ("") counts as reached."""
        if proposal.level == LEVEL_SHARED:
            if not proposal.campaigns:
                return rows
            return rows[self._is(rows, "campaign", [*proposal.campaigns, ""])]
        if proposal.campaign is None:
            return rows
        keep = self._is(rows, "campaign", [proposal.campaign, ""])
        if proposal.level == LEVEL_AD_GROUP and proposal.ad_group is not None:
            keep &= self._is(rows, "ad_group", [proposal.ad_group, ""])
        return rows[keep]

    def _is(self, rows: np.ndarray, name: str, values: list[str]) -> np.ndarray:
        codes, lookup = self.index.label_codes(name)
        wanted = np.array([lookup[v] for v in values if v in lookup], dtype=codes.dtype)
        return np.isin(codes[rows], wanted)


_KW_CACHE: dict[int, tuple[weakref.ref, KeywordIndex]] = {}


def keyword_index(keywords: pd.DataFrame) -> KeywordIndex:
    """The (cached) KeywordIndex of a keywords table; rebuilt if the table object changes."""
    key = id(keywords)
    hit = _KW_CACHE.get(key)
    if hit is not None and hit[0]() is keywords:
        return hit[1]
    has = "keyword" in keywords
    codes = schema.text_codes(keywords["keyword"])[0] if has else np.zeros(0, dtype=np.int64)
    rows = np.flatnonzero(codes >= 0)
    texts = keywords["keyword"].iloc[rows] if len(rows) else pd.Series([], dtype=object)
    campaign = label_column(keywords, "campaign", rows)
    ad_group = label_column(keywords, "ad_group", rows)
    if len(rows):
        index = column_index(keywords["keyword"], campaign[0], ad_group[0], drop_missing=True)
    else:
        index = text_index(texts, campaign[0], ad_group[0])
    index._codes["campaign"], index._codes["ad_group"] = campaign[1:], ad_group[1:]
    out = KeywordIndex(index=index, text=texts.astype(schema.STRING_DTYPE).reset_index(drop=True))
    _KW_CACHE[key] = (weakref.ref(keywords, lambda _: _KW_CACHE.pop(key, None)), out)
    return out


def limit_problems(text: str, platform: str) -> list[str]:
    """Why the platform would reject this negative text (empty list: it would not)."""
    problems = []
    bad = sorted(set(_INVALID.findall(text)))
    if bad:
        problems.append(f"contains characters the ad platforms reject in keywords: {' '.join(bad)}")
    syntax = sorted(set(re.findall(r'[\[\]"]', text)))
    if syntax:
        problems.append(
            f"holds match-type syntax ({' '.join(syntax)}) inside the text: give the bare words"
            " and choose the match type"
        )
    n_words = len(words(text))
    if n_words == 0:
        problems.append("has no words")
    max_words = MAX_WORDS.get(platform)
    if max_words is not None and n_words > max_words:
        problems.append(f"has {n_words} words; {platform} allows at most {max_words}")
    max_chars = MAX_CHARS.get(platform, 80)
    if len(text.strip()) > max_chars:
        problems.append(f"has {len(text.strip())} characters; {platform} allows {max_chars}")
    return problems


def protected_hits(text: str, match_type: str, settings: Settings) -> list[str]:
    """Protected terms (brand, protect, buying intent) the negative contains or would block
    typed alone; the buying phrases the user marked irrelevant are theirs to negate."""
    terms = _protected_terms(
        settings.brand, settings.protect, settings.irrelevant, buying_phrases(settings)
    )
    return protected_among(text, match_type, terms, settings.platform)


@lru_cache(maxsize=64)
def _protected_terms(
    brand: tuple[str, ...],
    protect: tuple[str, ...],
    irrelevant: tuple[str, ...],
    buying: tuple[str, ...],
) -> tuple[str, ...]:
    chosen = {normalize_one(w) for w in irrelevant}
    return (*brand, *protect, *(b for b in buying if b not in chosen))


def protected_among(text: str, match_type: str, terms: tuple[str, ...], platform: str) -> list[str]:
    """Which of `terms` the negative contains or would block typed alone: one replay over all
    of them (their normalised texts are cached), not one per term. A term it contains is one
    of its runs of whole words, looked up by text."""
    norms, padded, at = _protected_texts(terms)
    if not norms:
        return []
    found = {i for i in padded_block_hits(padded, text, match_type, platform) if norms[i]}
    neg = normalize_one(text).split(" ")
    for start in range(len(neg)):
        for end in range(start + 1, len(neg) + 1):
            found.update(at.get(" ".join(neg[start:end]), ()))
    return [terms[i] for i in sorted(found)]


@lru_cache(maxsize=256)
def _protected_texts(terms: tuple[str, ...]) -> tuple[list[str], list[str], dict[str, list[int]]]:
    """The terms normalised, padded for `padded_block_hits`, and their positions by text."""
    norms = [normalize_one(t) for t in terms]
    at: dict[str, list[int]] = {}
    for i, norm in enumerate(norms):
        if norm:
            at.setdefault(norm, []).append(i)
    return norms, pad_words(normalize_texts(norms)).to_pylist(), at


def _scope_rows(proposal: NegativeProposal, index: TermIndex, rows: np.ndarray) -> np.ndarray:
    return in_scope(
        index, rows, proposal.level, proposal.campaign, proposal.ad_group, proposal.campaigns
    )


@stage("safety", give_back=False)
def keyword_scopes(
    text: str, match_type: str, keywords: pd.DataFrame, platform: str
) -> list[tuple[str, str]]:
    """(campaign, ad group) of every bought keyword the negative would block; "" = unknown."""
    kws = keyword_index(keywords)
    if not len(kws):
        return []
    return kws.scopes(kws.blocked(text, match_type, platform))


def _keywords_blocked(proposal: NegativeProposal, keywords: pd.DataFrame, platform: str) -> list:
    kws = keyword_index(keywords)
    if not len(kws):
        return []
    rows = kws.in_scope(kws.blocked(proposal.text, proposal.match_type, platform), proposal)
    return list(dict.fromkeys(kws.text.iloc[rows].tolist()))


_FIG_CACHE: dict[int, tuple[weakref.ref, dict[str, np.ndarray | pa.Array]]] = {}
FIGURES = ("cost", "clicks", "conversions", "conversion_value")


def table_figures(table: pd.DataFrame) -> dict[str, np.ndarray | pa.Array]:
    """The table's figures as read-only float arrays (NaN as 0), and its search terms as
    `term_codes` per row (-1: missing) into the distinct `term_texts` (no Python string per
    row; `schema.text_codes`, shared with the metrics), cached per table object."""
    key = id(table)
    hit = _FIG_CACHE.get(key)
    if hit is not None and hit[0]() is table and len(hit[1]["cost"]) == len(table):
        return hit[1]
    out: dict[str, np.ndarray | pa.Array] = {}
    for col in FIGURES:
        values = table[col].to_numpy(dtype=np.float64, na_value=np.nan)
        if not np.isfinite(values).all():
            values = np.nan_to_num(values)
        values.flags.writeable = False  # the table's own array when all its values are finite
        out[col] = values
    out["term_codes"], out["term_texts"] = schema.text_codes(table["search_term"])
    _FIG_CACHE[key] = (weakref.ref(table, lambda _: _FIG_CACHE.pop(key, None)), out)
    return out


def _quoted(items: list[str]) -> str:
    shown = ", ".join(f"'{t}'" for t in items[:_SHOWN])
    return shown + (f" and {len(items) - _SHOWN} more" if len(items) > _SHOWN else "")


def _per_term(
    proposal: NegativeProposal, table: pd.DataFrame, platform: str
) -> tuple[list[str], dict[str, np.ndarray]]:
    """The distinct terms a proposal blocks in its scope, costliest first (a tie in the
    index's order), as the first of their rows spells them, and their summed figures."""
    index = term_index(table)
    fig = table_figures(table)
    rows = _scope_rows(
        proposal, index, index.blocked_rows(proposal.text, proposal.match_type, platform)
    )
    codes = index.codes[rows]
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]]) if len(rows) else rows
    sums = {
        name: np.add.reduceat(fig[col][rows], starts) if len(rows) else np.zeros(0)
        for name, col in (
            ("cost", "cost"),
            ("clicks", "clicks"),
            ("conversions", "conversions"),
            ("value", "conversion_value"),
        )
    }
    order = np.argsort(-sums["cost"], kind="stable")
    first = fig["term_codes"][rows[starts[order]]]
    texts = fig["term_texts"].take(pa.array(np.maximum(first, 0))).to_pylist()
    terms = [t if c >= 0 else "" for t, c in zip(texts, first.tolist(), strict=True)]
    return terms, {name: values[order] for name, values in sums.items()}


def _converting(terms: list[str], sums: dict[str, np.ndarray]) -> list[str]:
    hit = np.flatnonzero((sums["conversions"] > 0) | (sums["value"] > 0)).tolist()
    return [f"{terms[i]} ({sums['conversions'][i]:g} conv.)" for i in hit]


def blast_radius(
    proposal: NegativeProposal, table: pd.DataFrame, platform: str
) -> tuple[pd.DataFrame, list[str]]:
    """Per blocked term in scope (costliest first): cost, clicks, conversions, value; and the
    converting ones as `term (n conv.)`."""
    terms, sums = _per_term(proposal, table, platform)
    per_term = pd.DataFrame({"term": np.asarray(terms, dtype=object), **sums})
    return per_term, _converting(terms, sums)


@stage("safety", give_back=False)
def check_proposal(
    proposal: NegativeProposal,
    table: pd.DataFrame,
    keywords: pd.DataFrame,
    settings: Settings,
) -> SafetyVerdict:
    """Replay a negative against every search term of its scope and say if it is safe."""
    platform = settings.platform
    if "search_term" not in table.columns:
        table = schema.empty_table()
    if proposal.match_type not in MATCH_TYPES:
        return SafetyVerdict(False, [f"unknown match type {proposal.match_type!r}"])
    if proposal.level not in LEVELS:
        return SafetyVerdict(False, [f"unknown level {proposal.level!r}"])
    reasons = [f"the negative {p}" for p in limit_problems(proposal.text, platform)]
    if proposal.level == LEVEL_AD_GROUP and not (proposal.campaign and proposal.ad_group):
        reasons.append("an ad-group negative needs its campaign and ad group")
    elif proposal.level == LEVEL_CAMPAIGN and not proposal.campaign:
        reasons.append("a campaign negative needs its campaign")
    for term in protected_hits(proposal.text, proposal.match_type, settings):
        reasons.append(f"it contains or blocks the protected term '{term}'")
    terms, sums = _per_term(proposal, table, platform)
    converting = _converting(terms, sums)
    if converting:
        reasons.append(
            f"it would block {len(converting)} converting term(s): {_quoted(converting)}"
        )
    bought = _keywords_blocked(proposal, keywords, platform)
    if bought:
        reasons.append(f"it would block {len(bought)} bought keyword(s): {_quoted(bought)}")
    return SafetyVerdict(
        safe=not reasons,
        reasons=reasons,
        blocked_terms=terms,
        blocked_cost=round(float(np.nansum(sums["cost"])), 2),
        blocked_clicks=round(float(np.nansum(sums["clicks"])), 2),
        blocked_conversions=round(float(np.nansum(sums["conversions"])), 2),
    )
