"""The figures behind the metrics: sums, rates, statistics, flags, counts, close variants
(`auditor.engine.catalogue` names them; `auditor.engine.workspace` computes them on
demand).

Statistics, in words:

- `baseline_cvr`: the conversion rate this row is judged against. For a search term or a
  keyword it is the rate of the REST of its ad group (leave-one-out, so a big failing term does
  not drag its own benchmark down), shrunk toward the campaign's rate, which is itself shrunk
  toward the account's: `(conversions + K * parent_rate) / (clicks + K)` with `K =
  PRIOR_CLICKS` (100 clicks). An ad group with 100 clicks of its own counts half, one with
  1,000 clicks 91%. Ad groups are judged against the rest of their campaign, campaigns against
  the rest of the account, n-grams and the account against the account rate.
- `expected_conversions` = clicks x baseline_cvr.
- `p_zero`: the chance of seeing zero conversions when `expected_conversions` were due, and
  `p_low` the chance of seeing at most the conversions observed: both from the one exact
  Poisson tail `auditor.stats.poisson_cdf` (p_zero = exp(-expected); slightly above the binomial
  `(1 - p) ** clicks`, so it errs toward not flagging).

For proposals, the review app and the summary (the same figures as the findings):

- `term_baseline_cvr(ws)`: per row of the canonical table, the baseline rate of its search-term
  row (campaign, ad group, term): what WASTE001/002 judge that row's clicks against.
- `expectation(ws, rows)`: clicks, conversions, expected conversions (the sum of each row's
  clicks x its term baseline rate), the rate that implies, `p_zero` and `p_low` for any set of
  table rows (a term across ad groups, a negative's blocked rows). For one search-term row it
  is the finding's figures exactly. `expectation(ws, rows, account_rate=True)` judges the rows at
  the account rate, as the n-gram level (WASTE004) does for a word shared by many terms.
- `Expectation.phrase()`: the one wording (`auditor.stats.chance_phrase`).

Close variants (`auditor.terms.variants`): `close_variant_conversions` / `close_variant_cpa` judge a
zero-conversion term with its converting close variants (same words reordered, singular /
plural, fuzzy >= 90 with as many words and the same numbers). Splits (`auditor.splits`):
`competing_ad_groups` counts the serving ad groups that reach the same searches.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from auditor import schema, splits
from auditor.engine.baseline import DATA_FLOOR, Baseline, data_floor
from auditor.engine.levels import COUNTERPART, LEVEL_KEYS, SUBJECT, Value
from auditor.stats import PRIOR_CLICKS, chance_phrase, poisson_cdf
from auditor.terms import variants

if TYPE_CHECKING:
    from auditor.engine.workspace import Level, Workspace


def divide(num: Value, den: Value) -> Value:
    with np.errstate(all="ignore"):
        return np.where(np.asarray(den) > 0, np.true_divide(num, den), np.nan)


def summed(column: str) -> Callable[[Level], Value]:
    return lambda lv: lv.sum(column)


def scalar(get: Callable[[Baseline], float | None]) -> Callable[[Level], Value]:
    def compute(lv: Level) -> Value:
        value = get(lv.ws.baseline)
        return math.nan if value is None else float(value)

    return compute


def margin(lv: Level) -> float:
    return lv.ws.baseline.margin or math.nan


def hidden_figure(column: str) -> Callable[[Level], Value]:
    """A figure of the search-terms reports' own `Total: Other search terms` rows (summed).

    The cost falls back to what the hidden share implies when no file gives the row (a rule
    test case); the other figures are NaN then, as they are when the row lacks the column.
    """

    def compute(lv: Level) -> Value:
        found = [
            r.file_totals["other_search_terms"].get(column)
            for r, role in zip(lv.ws.ctx.reports, lv.ws.ctx.roles, strict=True)
            if role == "report"
            and r.kind == schema.KIND_SEARCH_TERMS
            and "other_search_terms" in r.file_totals
        ]
        if found:
            return math.nan if None in found else float(sum(found))
        b = lv.ws.baseline
        if column != "cost" or b.hidden_share is None or b.hidden_share >= 1:
            return math.nan
        return b.cost * b.hidden_share / (1.0 - b.hidden_share)

    return compute


def baseline_cvr(lv: Level) -> Value:
    """See the module docstring: leave-one-out parent rate, shrunk toward the grandparent."""
    ws, k = lv.ws, PRIOR_CLICKS
    account = ws.baseline.cvr
    if lv.groups is None or lv.name in ("account", "term_account"):
        return np.full(lv.size, account)
    conv, clicks = lv.sum("conversions"), lv.sum("clicks")
    first = lv.groups.first
    if lv.name == "campaign":
        parent_conv, parent_clicks, prior = ws.baseline.conversions, ws.baseline.clicks, account
    else:
        camp = ws.level("campaign")
        assert camp.groups is not None
        camp_conv, camp_clicks = camp.sum("conversions"), camp.sum("clicks")
        if lv.name == "ad_group":
            g = camp.groups.ids[first]
            parent_conv, parent_clicks, prior = camp_conv[g], camp_clicks[g], account
        else:
            camp_rate = (camp_conv + k * account) / (camp_clicks + k)
            ag = ws.level("ad_group")
            assert ag.groups is not None
            g = ag.groups.ids[first]
            parent_conv = ag.sum("conversions")[g]
            parent_clicks = ag.sum("clicks")[g]
            prior = camp_rate[camp.groups.ids[first]]
    rest_conv = np.maximum(parent_conv - conv, 0.0)
    rest_clicks = np.maximum(parent_clicks - clicks, 0.0)
    return (rest_conv + k * prior) / (rest_clicks + k)


def expected_conversions(lv: Level) -> Value:
    return lv.sum("clicks") * lv.get("baseline_cvr")


def p_zero(lv: Level) -> Value:
    return poisson_cdf(0.0, np.asarray(lv.get("expected_conversions")))


def p_low(lv: Level) -> Value:
    return poisson_cdf(lv.sum("conversions"), np.asarray(lv.get("expected_conversions")))


def term_baseline_cvr(ws: Workspace) -> np.ndarray:
    """Per table row: the baseline rate of its search-term row (see the module docstring)."""
    lv = ws.level("search_term")
    assert lv.groups is not None
    return np.asarray(lv.get("baseline_cvr"), dtype=float)[lv.groups.ids]


@dataclass(frozen=True)
class Expectation:
    """Expected conversions of some table rows, and the chance of what was seen."""

    clicks: float
    conversions: float
    expected: float
    rate: float
    p_zero: float
    p_low: float

    def phrase(self) -> str:
        return chance_phrase(self.expected, self.rate, self.conversions, self.p_low)


def expectation(ws: Workspace, rows: np.ndarray, *, account_rate: bool = False) -> Expectation:
    """See the module docstring: the rows' figures at their terms' baseline rates (or at the
    account rate)."""
    clicks = ws.column("clicks")[rows]
    conv = float(ws.column("conversions")[rows].sum())
    if account_rate:
        expected = float(clicks.sum()) * ws.baseline.cvr
    else:
        expected = float((clicks * term_baseline_cvr(ws)[rows]).sum())
    total = float(clicks.sum())
    rate = expected / total if total > 0 else math.nan
    return Expectation(
        clicks=total,
        conversions=conv,
        expected=expected,
        rate=rate,
        p_zero=float(poisson_cdf(0.0, expected)),
        p_low=float(poisson_cdf(conv, expected)),
    )


def _brand_pattern(brand: tuple[str, ...]) -> str | None:
    words = [r"\s+".join(_re2_escape(w) for w in b.lower().split()) for b in brand if b.strip()]
    if not words:
        return None
    return r"(?:^|[^\pL\pN])(?:" + "|".join(words) + r")(?:$|[^\pL\pN])"


def _re2_escape(text: str) -> str:
    return "".join("\\" + c if not c.isalnum() else c for c in text)


def is_brand_at(lv: Level, rows: np.ndarray) -> np.ndarray:
    """The row's text holds a brand term (`Settings.brand`) as whole words."""
    pattern = _brand_pattern(lv.ws.settings.brand)
    if pattern is None or lv.name == "account":
        return np.zeros(len(rows), dtype=bool)

    def judge(texts: pa.Array) -> np.ndarray:
        hits = pc.match_substring_regex(texts, pattern, ignore_case=True)
        return np.asarray(hits.fill_null(False), dtype=bool)

    return _text_flag_at(lv, rows, "is_brand", judge)


def is_keyword_at(lv: Level, rows: np.ndarray) -> np.ndarray:
    """The row's text, normalised, is the text of a bought keyword (any match type)."""
    return _text_flag_at(lv, rows, "is_keyword", lambda texts: _bought(lv.ws, texts))


def _text_flag_at(
    lv: Level, rows: np.ndarray, name: str, judge: Callable[[pa.Array], np.ndarray]
) -> np.ndarray:
    """A flag of the text naming each of the level rows `rows`, `judge` telling it for some
    texts: judged once per distinct text of the table's column (a level row takes its text's
    answer; n-grams once per n-gram), for the texts not judged before."""
    key = SUBJECT[lv.name]
    if lv.groups is None or key is None:
        memo = lv.memo(name, lv.size)
        items = rows
        texts = lv.subject()
    else:
        codes, distinct = schema.text_codes(lv.ws.table[key])
        texts = pa.concat_arrays([distinct, pa.array([None], pa.large_string())])
        memo = lv.memo(name, len(texts))
        items = codes[lv.groups.first[rows]]
        items = np.where(items < 0, len(distinct), items)
    return memo.at(items, lambda todo: judge(texts.take(pa.array(todo))))[:, 0] > 0


def _bought(ws: Workspace, texts: pa.Array) -> np.ndarray:
    """Whether each text (missing: empty), normalised, is a bought keyword's text."""
    from auditor.terms.matching import normalize

    if ws._bought is None:
        _, kw = schema.text_codes(ws.ctx.keywords["keyword"])
        ws._bought = pc.replace_substring(normalize(kw.drop_null()), "+", "").cast(
            pa.large_string()
        )
    hits = pc.is_in(normalize(texts).cast(pa.large_string()), value_set=ws._bought)
    return np.asarray(hits.fill_null(False), dtype=bool)


def is_added(lv: Level) -> Value:
    assert lv.groups is not None
    status = lv.ws.table["status"]
    known = status.isin([schema.STATUS_ADDED, schema.STATUS_EXCLUDED, schema.STATUS_ADDED_EXCLUDED])
    return lv.groups.sum(known.to_numpy(dtype=float, na_value=0.0)) > 0


def distinct(extra: tuple[str, ...], *, active: bool = False) -> Callable[[Level], Value]:
    """How many distinct `extra` key combinations each level row spans.

    `active`: only combinations with clicks or cost (impressions alone do not count).
    """

    def compute(lv: Level) -> Value:
        if lv.name == "ngram" and extra == ("search_term",):
            return lv.sums["terms"]
        assert lv.groups is not None
        keys = (*_level_keys(lv), *extra)
        combos = lv.ws.groups(keys)
        owner = lv.groups.ids[combos.first]
        if active:
            owner = owner[combos.sum(lv.ws.active_rows().astype(float)) > 0]
        return np.bincount(owner, minlength=lv.size).astype(float)

    return compute


def distinct_at(
    extra: tuple[str, ...], *, active: bool = False
) -> Callable[[Level, np.ndarray], Value]:
    """`distinct` at some level rows: from their table rows only, without grouping the
    whole table by the level's keys and `extra`."""

    def at(lv: Level, rows: np.ndarray) -> Value:
        if lv.groups is None:  # n-grams: `terms` only, counted by the n-gram table
            return lv.sums["terms"][rows]
        asked = np.zeros(lv.size, dtype=bool)
        asked[rows] = True
        members = np.flatnonzero(asked[lv.groups.ids])
        if active:
            members = members[lv.ws.active_rows()[members]]
        owner = lv.groups.ids[members]
        key = owner
        for column in extra:
            codes = lv.ws.codes(column)[members]
            key = pd.factorize(key * np.int64(codes.max(initial=0) + 1) + codes)[0]
        _, first = np.unique(key, return_index=True)
        return np.bincount(owner[first], minlength=lv.size)[rows].astype(float)

    return at


def _level_keys(lv: Level) -> tuple[str, ...]:
    return ("search_term",) if lv.name == "term_account" else LEVEL_KEYS[lv.name]


def _match_mask(lv: Level, kind: str) -> np.ndarray:
    return lv.ws.match_mask(kind)


def match_sum(kind: str, column: str) -> Callable[[Level], Value]:
    return lambda lv: lv.sum(column, _match_mask(lv, kind))


def match_ratio(kind: str, num: str, den: str) -> Callable[[Level], Value]:
    return lambda lv: divide(lv.get(f"{kind}_{num}"), lv.get(f"{kind}_{den}"))


def match_expected(kind: str) -> Callable[[Level], Value]:
    base = COUNTERPART[kind]
    return lambda lv: lv.get(f"{kind}_clicks") * np.asarray(lv.get(f"{base}_cvr"))


def match_p_low(kind: str) -> Callable[[Level], Value]:
    return lambda lv: poisson_cdf(lv.get(f"{kind}_conversions"), lv.get(f"{kind}_expected"))


@dataclass
class PairSplits:
    """Per table row, the id of its (campaign, ad group) pair's split signature (0: none),
    the distinct signatures, and which of them reach the same searches."""

    row_ids: np.ndarray
    signatures: list[splits.Signature | None]
    overlap: np.ndarray
    campaigns: dict[str, splits.Signature]
    """The campaigns' own signatures (a split between campaigns is named by these)."""


def pair_splits(ws: Workspace) -> PairSplits:
    pairs = ws.groups(("campaign", "ad_group"))
    first = pairs.first
    camps, groups = (_texts_at(ws, column, first) for column in ("campaign", "ad_group"))
    ids, distinct = splits.signature_ids(splits.pair_signatures(camps, groups))
    by_campaign = splits.split_signatures(c for c in camps if c)
    return PairSplits(ids[pairs.ids], distinct, splits.overlap_matrix(distinct), by_campaign)


def _texts_at(ws: Workspace, column: str, rows: np.ndarray) -> list[str | None]:
    """The texts of a column at some table rows (None where missing), from its codes."""
    codes, texts = schema.text_codes(ws.table[column])
    picked = codes[rows]
    return texts.take(pa.array(picked, type=pa.int64(), mask=picked < 0)).to_pylist()


def competing(lv: Level) -> Value:
    """Serving ad groups that reach the same searches as another serving ad group.

    Equal to `ad_groups` unless campaigns or ad groups are split by location, device,
    language or audience (`auditor.splits`): ad groups set apart by a split do not compete.
    """
    served = np.asarray(lv.get("ad_groups"), dtype=float)
    sp = lv.ws.splits()
    if len(sp.signatures) <= 1:
        return served
    assert lv.groups is not None
    combos = lv.ws.groups((*_level_keys(lv), "campaign", "ad_group"))
    active = combos.sum(lv.ws.active_rows().astype(float)) > 0
    owner = lv.groups.ids[combos.first][active]
    sig = sp.row_ids[combos.first][active]
    many = served[owner] >= 2
    owner, sig = owner[many], sig[many]
    n_sig = len(sp.signatures)
    counts = np.bincount(owner * n_sig + sig, minlength=lv.size * n_sig)
    pairs = np.flatnonzero(counts)
    t, s = pairs // n_sig, pairs % n_sig
    frame = pd.DataFrame({"t": t, "s": s, "n": counts[pairs]})
    both = frame.merge(frame, on="t", suffixes=("", "_other"))
    both = both[sp.overlap[both["s"].to_numpy(), both["s_other"].to_numpy()]]
    reach = both.groupby(["t", "s"], sort=False)["n_other"].sum()
    keep = reach[reach >= 2].reset_index()
    keep = keep.merge(frame, on=["t", "s"])
    out = np.where(served >= 2, 0.0, served)
    np.add.at(out, keep["t"].to_numpy(), keep["n"].to_numpy(dtype=float))
    return out


def variant_figures_at(lv: Level, rows: np.ndarray) -> np.ndarray:
    """Conversions and cost of the term's close variants (`auditor.terms.variants`) that
    converted, account-wide, at the level rows `rows` (two columns); for an n-gram, of the
    n-grams that are its close variants (`airpods pro case` and `airpod pro case`).

    Computed (once) for terms without conversions that cost at least the data floor (the only
    ones a waste rule can flag), n-grams from a whole CPA (WASTE004's bar); 0 for the others."""
    ws = lv.ws
    if lv.name in ("term_account", "ngram"):
        terms, items = lv, rows
    else:
        assert lv.groups is not None
        terms = ws.level("term_account")
        items = ws.groups(("search_term",)).ids[lv.groups.first[rows]]
    memo = terms.memo("close_variants", terms.size, 2)
    return memo.at(items, lambda todo: _close_variants(terms, todo))


def _close_variants(terms: Level, todo: np.ndarray) -> np.ndarray:
    """`variant_figures_at` of the term (or n-gram) level rows `todo`."""
    key = "ngram" if terms.name == "ngram" else "search_term"
    conv, cost, clicks = (terms.sum(c) for c in ("conversions", "cost", "clicks"))
    floor = data_floor(terms.ws.baseline)
    if terms.name == "ngram":
        floor = floor / DATA_FLOOR
    judged = (conv[todo] == 0) & (cost[todo] >= floor) & (clicks[todo] > 0)
    out = np.zeros((len(todo), 2))
    if judged.any():
        found = terms.once("converting", lambda: _converting(terms, key))
        out[judged] = found.sums([str(t) for t in terms.keys.at(key, todo[judged])])
    return out


def _converting(terms: Level, key: str) -> variants.Converting:
    """The level's converting terms (or n-grams) with their conversions and cost, keyed for
    the close-variant comparison."""
    conv, cost = terms.sum("conversions"), terms.sum("cost")
    rows = np.flatnonzero(conv > 0)
    texts = [str(t) for t in terms.keys.at(key, rows)]
    return variants.Converting(texts, np.column_stack([conv[rows], cost[rows]]))


def close_variant_cpa_at(lv: Level, rows: np.ndarray) -> Value:
    """(cost + the converting close variants' cost) / their conversions: the family's CPA."""
    fig = variant_figures_at(lv, rows)
    return divide(lv.sum("cost")[rows] + fig[:, 1], fig[:, 0])
