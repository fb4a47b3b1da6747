"""The evidence behind a negative: what it blocks, what was expected there, and how unlikely
the shortfall is. One model for every candidate, whatever produced it.

For the rows a candidate blocks (in its scope, leaving out rows already blocked), the
evidence is the clicks, cost, conversions and value they had, and the conversions expected at
each row's baseline rate: the rate of the rest of its ad group, shrunk toward its campaign's
rate, itself shrunk toward the account's (`auditor.stats.shrunk_rate`, `PRIOR_CLICKS` clicks).
For a single term in one ad group this is exactly the baseline the rules use
(`auditor.engine.figures`), so a finding and a proposal about the same term quote the
same expected conversions and the same chance. The chance is the exact Poisson tail
(`auditor.stats.poisson_cdf`): the probability of seeing at most the conversions observed.

Tiers (`tier_of`):
- `proven`: no conversion, the chance of that is at most `p_max` (0.05) and the blocked spend
  is at least one target CPA; or, for one search term as an exact negative, spend of at least
  `EXACT_CPA_MULTIPLE` target CPAs with no conversion (even a sale on the next click would leave
  it above target);
- otherwise None: a candidate may still be proposed on intent (an unambiguous lexicon word) or
  listed for review.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from auditor import format as fmt
from auditor.stats import PRIOR_CLICKS, poisson_cdf_one, shrunk_rate

P_MAX = 0.05
"""Default: a shortfall is proven when its chance is at most this."""
EXACT_CPA_MULTIPLE = 2.0
"""A single term with no conversion and this many target CPAs of spend is proven."""
TIER_PROVEN = "proven"
TIER_INTENT = "intent"


@dataclass(frozen=True)
class Evidence:
    """The figures of the rows a candidate blocks."""

    terms: int
    clicks: float
    cost: float
    conversions: float
    value: float
    expected: float | None
    """Conversions expected at the rows' shrunk baseline rates (None without conversion data)."""
    p_value: float | None
    """Chance of at most `conversions` when `expected` were due (exact Poisson)."""

    @property
    def rate(self) -> float | None:
        """The blended baseline rate: expected conversions per click."""
        if self.expected is None or self.clicks <= 0:
            return None
        return self.expected / self.clicks

    @property
    def converts(self) -> bool:
        return self.conversions > 0 or self.value > 0

    def as_dict(self) -> dict[str, float | int | None]:
        rate = self.rate
        return {
            "terms": self.terms,
            "clicks": round(self.clicks, 2),
            "cost": round(self.cost, 2),
            "conversions": round(self.conversions, 2),
            "expected_conversions": None if self.expected is None else round(self.expected, 3),
            "baseline_cvr": None if rate is None else round(rate, 5),
            "p_value": None if self.p_value is None else float(f"{self.p_value:.4g}"),
        }

    def sentence(self, money: str) -> str:
        """The figures in words: `6 terms, 86 clicks, cost SEK 764.13, no conversion; 3.3 were
        expected at 3.9% (chance of none: 3.6%)`."""
        conv = "no conversion" if not self.conversions else f"{self.conversions:g} conversions"
        text = f"{self.terms} term(s), {self.clicks:g} clicks, cost {money}, {conv}"
        rate = self.rate
        if self.expected is not None and rate is not None and self.p_value is not None:
            few = "none" if not self.conversions else f"at most {self.conversions:g}"
            text += (
                f"; {self.expected:.1f} were expected at {rate:.1%}"
                f" (chance of {few}: {fmt.chance_fine(self.p_value)})"
            )
        return text


class Rates:
    """Per-row baseline figures of one report, prepared once for many candidates."""

    def __init__(
        self,
        group: np.ndarray,
        campaign: np.ndarray,
        clicks: np.ndarray,
        conversions: np.ndarray,
        has_conversions: bool,
    ) -> None:
        """`group` and `campaign` are integer codes per row (an ad group code is unique
        across campaigns); figures are float arrays with NaN as 0."""
        self.group = group
        self.clicks = clicks
        self.conversions = conversions
        self.has_conversions = has_conversions
        n_groups = int(group.max()) + 1 if len(group) else 0
        n_camps = int(campaign.max()) + 1 if len(campaign) else 0
        total_clicks, total_conv = float(clicks.sum()), float(conversions.sum())
        self.account = total_conv / total_clicks if total_clicks > 0 else 0.0
        camp_clicks = np.bincount(campaign, weights=clicks, minlength=n_camps)
        camp_conv = np.bincount(campaign, weights=conversions, minlength=n_camps)
        camp_rate = shrunk_rate(camp_conv, camp_clicks, self.account)
        self.group_clicks = np.bincount(group, weights=clicks, minlength=n_groups)
        self.group_conv = np.bincount(group, weights=conversions, minlength=n_groups)
        first = np.full(n_groups, 0, dtype=np.int64)
        first[group[::-1]] = np.arange(len(group))[::-1]
        self.group_prior = camp_rate[campaign[first]] if n_groups else np.zeros(0)

    def expected(self, rows: np.ndarray) -> float:
        """Conversions expected on `rows`, each ad group judged without the rows themselves."""
        groups, inverse = np.unique(self.group[rows], return_inverse=True)
        clicks = np.bincount(inverse, weights=self.clicks[rows], minlength=len(groups))
        conv = np.bincount(inverse, weights=self.conversions[rows], minlength=len(groups))
        rest_conv = np.maximum(self.group_conv[groups] - conv, 0.0)
        rest_clicks = np.maximum(self.group_clicks[groups] - clicks, 0.0)
        rate = (rest_conv + PRIOR_CLICKS * self.group_prior[groups]) / (rest_clicks + PRIOR_CLICKS)
        return float((clicks * rate).sum())

    def evidence(
        self, rows: np.ndarray, codes: np.ndarray, cost: np.ndarray, value: np.ndarray
    ) -> Evidence:
        """The evidence of `rows` (`codes` numbers the distinct terms per row)."""
        conv = float(self.conversions[rows].sum())
        expected = p = None
        if self.has_conversions and self.account > 0 and len(rows):
            expected = self.expected(rows)
            p = poisson_cdf_one(conv, expected)
        return Evidence(
            terms=len(np.unique(codes[rows])),
            clicks=float(self.clicks[rows].sum()),
            cost=float(cost[rows].sum()),
            conversions=conv,
            value=float(value[rows].sum()),
            expected=expected,
            p_value=p,
        )


def tier_of(
    ev: Evidence,
    target_cpa: float | None,
    *,
    single_exact: bool = False,
    p_max: float = P_MAX,
) -> str | None:
    """`proven` when the evidence proves waste (see the module docstring), else None."""
    if ev.converts or target_cpa is None or target_cpa <= 0 or ev.cost <= 0:
        return None
    if ev.p_value is not None and ev.p_value <= p_max and ev.cost >= target_cpa:
        return TIER_PROVEN
    if single_exact and ev.cost >= EXACT_CPA_MULTIPLE * target_cpa:
        return TIER_PROVEN
    return None


def closeness(ev: Evidence, target_cpa: float | None) -> float:
    """How near a not-yet-proven candidate is to proof, 0..1 (1 = proven): the lesser of its
    spend against one target CPA and its chance against `P_MAX` (log scale)."""
    spend = min(ev.cost / target_cpa, 1.0) if target_cpa else 0.0
    if ev.p_value is None or ev.p_value <= 0:
        return spend
    odds = min(np.log(ev.p_value) / np.log(P_MAX), 1.0) if ev.p_value < 1 else 0.0
    return float(min(spend, odds))
