"""One account's search terms prepared once for the many replays of a proposal run.

Rows keep their order in the canonical table; every per-candidate question (which rows does
this text block, which of them convert, hold a keep-phrase or a buying question, are already
blocked) is answered with integer arrays and the word index of `auditor.terms.matching`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd
import pyarrow as pa

from auditor import schema
from auditor.engine.context import AuditContext
from auditor.negatives.evidence import Evidence, Rates
from auditor.negatives.existing import ExistingNegative, existing_blocked
from auditor.negatives.lexicons import Lexicon
from auditor.negatives.safety import table_figures
from auditor.terms.matching import PHRASE, TermIndex, in_sorted, term_index, words


@dataclass
class Account:
    """The report prepared for many fast replays (rows grouped per term, campaign, ad group)."""

    index: TermIndex
    code: np.ndarray
    campaign: np.ndarray
    ad_group: np.ndarray
    cost: np.ndarray
    clicks: np.ndarray
    value: np.ndarray
    converting: np.ndarray
    """Rows with conversions or conversion value."""
    keep: list[tuple[frozenset[str], np.ndarray]]
    """Per keep-phrase (lexicon and learned from converting terms): its words and rows."""
    buying: np.ndarray
    """Rows whose query holds a buying-intent phrase (price, quote, hire, near me, ...)."""
    done: np.ndarray
    """Rows already blocked: by existing negatives, an accepted proposal, or `Excluded`."""
    pre_blocked: np.ndarray
    """Rows blocked before this audit (existing negatives, `Excluded`): a proposal's figures
    leave them out, since it saves nothing there."""
    spelling: np.ndarray
    """Per unique term, the index of its display text (as the report first spells it) in
    `spellings`; -1: missing, shown as ""."""
    spellings: pa.Array
    """The report's distinct search terms."""
    campaigns: list[str]
    rates: Rates
    cvr: float | None
    cpa: float | None
    target_cpa: float | None
    """The settings' target CPA, else the account's own CPA: the spend a proof must reach."""
    has_conversions: bool
    _keep_rows: dict[int, np.ndarray] = field(default_factory=dict, repr=False)

    def bad_rows(self, text: str, rows: np.ndarray, guard_buying: bool) -> np.ndarray:
        """Which of `rows` the negative `text` must not block: converting rows, rows holding a
        keep-phrase that shares a word with it (`fri frakt` stops `fri`, not `patagonia`), and
        for a business-dependent negative (`guard_buying`) rows holding a buying question."""
        own = set(words(text))
        bad = self.converting[rows]
        if guard_buying:
            bad = bad | self.buying[rows]
        for i in sorted({i for word in own for i in self._keep_by_word.get(word, ())}):
            bad = bad | in_sorted(rows, self._sorted_keep_rows(i))
        return bad

    @cached_property
    def _keep_by_word(self) -> dict[str, list[int]]:
        """The keep-phrases holding each word (by position in `keep`)."""
        found: dict[str, list[int]] = {}
        for i, (keep_words, _) in enumerate(self.keep):
            for word in keep_words:
                found.setdefault(word, []).append(i)
        return found

    def _sorted_keep_rows(self, i: int) -> np.ndarray:
        """The rows holding keep-phrase `i`, ascending (sorted on first use; no mask over the
        whole table per phrase)."""
        if i not in self._keep_rows:
            self._keep_rows[i] = np.sort(self.keep[i][1])
        return self._keep_rows[i]

    def open_rows(self, rows: np.ndarray) -> np.ndarray:
        """`rows` not blocked yet that had spend or clicks."""
        return rows[~self.done[rows] & ((self.cost[rows] > 0) | (self.clicks[rows] > 0))]

    def evidence(self, rows: np.ndarray) -> Evidence:
        return self.rates.evidence(rows, self.code, self.cost, self.value)

    def texts(self, codes: np.ndarray | list[int]) -> list[str]:
        """The display texts of unique terms (given by code)."""
        at = self.spelling[np.asarray(codes, dtype=np.int64)]
        texts = self.spellings.take(pa.array(np.maximum(at, 0), type=pa.int64())).to_pylist()
        return [t if a >= 0 else "" for t, a in zip(texts, at.tolist(), strict=True)]

    def terms(self, rows: np.ndarray) -> list[str]:
        """Distinct terms of `rows` in row order."""
        return self.texts(list(dict.fromkeys(self.code[rows].tolist())))

    def costliest(self, rows: np.ndarray) -> list[str]:
        """Distinct terms of `rows`, costliest first (as a safety verdict lists them)."""
        unique, inverse = np.unique(self.code[rows], return_inverse=True)
        cost = np.bincount(inverse, weights=self.cost[rows], minlength=len(unique))
        return self.texts(unique[np.argsort(-cost, kind="stable")])


def _label_codes(values: np.ndarray) -> np.ndarray:
    codes, _ = pd.factorize(values)
    return codes.astype(np.int64, copy=False)


def _phrase_rows(index: TermIndex, phrases: list[str]) -> np.ndarray:
    """Mask of rows whose query holds any of `phrases` (whole words, contiguous)."""
    mask = np.zeros(len(index.codes), dtype=bool)
    for phrase in dict.fromkeys(phrases):
        mask[index.blocked_rows(phrase, PHRASE)] = True
    return mask


def prepare(
    ctx: AuditContext,
    lexicon: Lexicon,
    existing: list[ExistingNegative],
    learned_keep: list[str],
) -> Account:
    """The account of `ctx` ready for replays; `learned_keep` adds the account's own
    keep-phrases (phrases its converting terms hold) to the lexicon's."""
    table = ctx.table
    index = term_index(table)
    fig = table_figures(table)
    conv, value = fig["conversions"], fig["conversion_value"]
    keep = []
    for phrase in dict.fromkeys([*lexicon.keep, *learned_keep]):
        keep.append((frozenset(words(phrase)), index.blocked_rows(phrase, PHRASE)))
    done = table["status"].isin([schema.STATUS_EXCLUDED, schema.STATUS_ADDED_EXCLUDED])
    done = np.array(done.fillna(False).to_numpy(dtype=bool), copy=True)
    done |= existing_blocked(existing, index, ctx.settings.platform)
    first = np.full(len(index.texts), -1, dtype=np.int64)
    first[index.codes[::-1]] = np.arange(len(table))[::-1]
    clicks, cost = fig["clicks"], fig["cost"]
    has_conv = "conversions" in ctx.columns_present
    total_clicks, total_conv = float(clicks.sum()), float(conv.sum())
    cvr = total_conv / total_clicks if has_conv and total_clicks > 0 and total_conv > 0 else None
    cpa = float(cost.sum()) / total_conv if has_conv and total_conv > 0 else None
    camp_codes = index.label_codes("campaign")[0].astype(np.int64, copy=False)
    group_codes = index.label_codes("ad_group")[0].astype(np.int64, copy=False)
    groups = _label_codes(camp_codes * (int(group_codes.max(initial=0)) + 1) + group_codes)
    rates = Rates(groups, camp_codes, clicks, conv, has_conv)
    target = ctx.settings.target_cpa if ctx.settings.target_cpa is not None else cpa
    return Account(
        index=index,
        code=index.codes,
        campaign=index.campaign,
        ad_group=index.ad_group,
        cost=cost,
        clicks=clicks,
        value=value,
        converting=(conv > 0) | (value > 0),
        keep=keep,
        buying=_phrase_rows(index, lexicon.buying),
        done=done,
        pre_blocked=done.copy(),
        spelling=fig["term_codes"][np.maximum(first, 0)],
        spellings=fig["term_texts"],
        campaigns=sorted(set(index.campaign.tolist())),
        rates=rates,
        cvr=cvr,
        cpa=cpa,
        target_cpa=target,
        has_conversions=has_conv,
    )
