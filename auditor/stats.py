"""The one probability every part of the audit uses.

`poisson_cdf(k, mean)` is the exact chance of seeing at most `k` conversions when `mean` were
expected (the regularised incomplete gamma function from scipy, exact to double precision for
any mean: no normal approximation). Rules, negative proposals, tracking checks and the review
app all call it, so a finding and a proposal about the same term quote the same chance.

`chance_phrase` is the one wording of it ("2.3 conversions were expected at 2.5%, and zero has a
10% chance"); rule messages say the same with their placeholders.

`shrunk_rate` is the baseline conversion rate of a thin group: its own conversions and clicks
blended with `prior_clicks` clicks at its parent's rate, `(conv + K * parent) / (clicks + K)`.
"""

from __future__ import annotations

from functools import cache
from types import ModuleType

import numpy as np

PRIOR_CLICKS = 100.0
"""K of the shrinkage: how many clicks of the parent's rate a thin group is blended with."""


@cache
def _special() -> ModuleType:
    """`scipy.special`, imported on first use: it takes 0.15 s, and runs that evaluate no
    rule (`auditor --help`, the review app's start) never need it."""
    from scipy import special

    return special


def poisson_cdf(k: np.ndarray | float, mean: np.ndarray | float) -> np.ndarray:
    """P(X <= floor(k)) for X ~ Poisson(mean), element-wise; NaN where mean is not finite.

    A mean of 0 gives 1 (nothing was expected, so nothing is surprising)."""
    k = np.floor(np.nan_to_num(np.asarray(k, dtype=float), nan=0.0))
    mean = np.asarray(mean, dtype=float)
    k, mean = np.broadcast_arrays(k, mean)
    out = np.full(k.shape, np.nan)
    ok = np.isfinite(mean) & (mean >= 0)
    out[ok] = np.where(k[ok] < 0, 0.0, _special().pdtr(np.maximum(k[ok], 0.0), mean[ok]))
    return out


def poisson_cdf_one(k: float, mean: float) -> float:
    """`poisson_cdf` for one pair of numbers (the same value, without building arrays)."""
    k = np.floor(np.nan_to_num(np.float64(k)))
    mean = np.float64(mean)
    if not (np.isfinite(mean) and mean >= 0):
        return float("nan")
    return 0.0 if k < 0 else float(_special().pdtr(k, mean))


def shrunk_rate(
    conversions: np.ndarray | float,
    clicks: np.ndarray | float,
    parent_rate: np.ndarray | float,
    prior_clicks: float = PRIOR_CLICKS,
) -> np.ndarray:
    """A group's conversion rate shrunk toward its parent's (see the module docstring)."""
    conv = np.asarray(conversions, dtype=float)
    clk = np.asarray(clicks, dtype=float)
    return (conv + prior_clicks * np.asarray(parent_rate, dtype=float)) / (clk + prior_clicks)


def format_count(value: float) -> str:
    """A count as findings and proposals write it: `3`, `2.3`."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def format_chance(p: float) -> str:
    """A probability as findings and proposals write it: `<1%`, `10%`."""
    return "<1%" if p < 0.01 else f"{p:.0%}"


def chance_phrase(
    expected: float, rate: float, observed: float = 0.0, p: float | None = None
) -> str:
    """The one wording of "expected conversions and chance" every finding and proposal uses:
    `2.3 conversions were expected at 2.5%, and zero has a 10% chance` (or `1 or fewer`)."""
    p = poisson_cdf_one(observed, expected) if p is None else p
    seen = "zero" if observed == 0 else f"{format_count(observed)} or fewer"
    return (
        f"{format_count(expected)} conversions were expected at {rate:.1%},"
        f" and {seen} has a {format_chance(p)} chance"
    )
