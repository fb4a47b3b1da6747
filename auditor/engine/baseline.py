"""The account's baseline: its totals, the targets in force (the user's, else the account's
own) and the data floor below which no term is judged on its own."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from auditor.config import Settings
from auditor.stats import PRIOR_CLICKS

SUMS = ("cost", "clicks", "impressions", "conversions", "conversion_value")


@dataclass
class Baseline:
    """The account figures rules judge against, and where targets came from."""

    cost: float
    clicks: float
    impressions: float
    conversions: float
    value: float
    cvr: float
    cpa: float
    roas: float
    target_cpa: float
    target_cpa_source: str
    target_roas: float
    target_roas_source: str
    margin: float | None
    break_even_roas: float | None
    hidden_share: float | None

    def as_dict(self) -> dict[str, float | str | None]:
        return {
            "cpa": _finite(self.cpa),
            "roas": _finite(self.roas),
            "cvr": _finite(self.cvr),
            "target_cpa": _finite(self.target_cpa),
            "target_cpa_source": self.target_cpa_source,
            "target_roas": _finite(self.target_roas),
            "target_roas_source": self.target_roas_source,
            "margin": self.margin,
            "break_even_roas": self.break_even_roas,
            "hidden_share": self.hidden_share,
            "prior_clicks": PRIOR_CLICKS,
        }


def _finite(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None


def _ratio(num: float, den: float) -> float:
    return num / den if den > 0 and math.isfinite(num) else math.nan


def _column_sum(table: pd.DataFrame, col: str, present: frozenset[str]) -> float:
    return float(table[col].sum()) if col in present else math.nan


def account_baseline(
    table: pd.DataFrame, present: frozenset[str], settings: Settings, hidden: float | None
) -> Baseline:
    """Account totals and the targets in force (settings first, else the account's own)."""
    s = {c: _column_sum(table, c, present) for c in SUMS}
    cpa = _ratio(s["cost"], s["conversions"])
    roas = _ratio(s["conversion_value"], s["cost"])
    margin = settings.margin
    return Baseline(
        cost=s["cost"],
        clicks=s["clicks"],
        impressions=s["impressions"],
        conversions=s["conversions"],
        value=s["conversion_value"],
        cvr=_ratio(s["conversions"], s["clicks"]),
        cpa=cpa,
        roas=roas,
        target_cpa=settings.target_cpa if settings.target_cpa is not None else cpa,
        target_cpa_source="settings" if settings.target_cpa is not None else "account",
        target_roas=settings.target_roas if settings.target_roas is not None else roas,
        target_roas_source="settings" if settings.target_roas is not None else "account",
        margin=margin,
        break_even_roas=1.0 / margin if margin else None,
        hidden_share=hidden,
    )


DATA_FLOOR = 0.25
"""No rule judges a term alone below this share of the CPA (account's or target, the higher)."""


def data_floor(b: Baseline) -> float:
    """The cost below which a term is never judged on its own (0 without any CPA)."""
    cpa = np.nanmax([b.cpa, b.target_cpa, 0.0])
    return float(DATA_FLOOR * cpa) if math.isfinite(cpa) else 0.0
