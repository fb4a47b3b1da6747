"""The platform against the shop: backend_mismatch, and values in the wrong unit (implausible_roas).

backend_mismatch compares, over the days both cover, the platform's conversions and value per
day (`TrackingInputs.daily`: the by-day reports or the main report's Day column; else the
conversion-level export counted by day) with the shop's orders and revenue. The shop's orders
hold every channel, so the ads alone may not exceed them beyond `tolerance`. The value is
compared only when the orders file and the account are in the same currency (or either does not
say). Platform conversions are those of the Conversions column (every primary action).
"""

from __future__ import annotations

import math

import pandas as pd

from auditor.engine.checks import check
from auditor.engine.packs import Rule
from auditor.format import money
from auditor.model import Finding
from auditor.tracking.coverage import TRACKING
from auditor.tracking.inputs import TrackingInputs
from auditor.tracking.text import day_span, finding, iso, number, share

UNITS: tuple[tuple[float, str], ...] = (
    (2.0, "cents (100 times too high)"),
    (3.0, "thousandths (1,000 times too high)"),
    (-2.0, "hundreds (100 times too low)"),
)
"""log10 of the factor to the reference, and what a value that far off looks like."""


def _platform_by_day(inputs: TrackingInputs) -> tuple[pd.DataFrame | None, str]:
    if inputs.daily is not None and len(inputs.daily):
        daily = inputs.daily.groupby("day", sort=True)[["conversions", "conversion_value"]].sum()
        return daily, "report"
    conv = inputs.conversions
    if conv is not None and conv["day"].notna().any():
        keyed = conv.assign(day=conv["day"].dt.normalize()).dropna(subset=["day"])
        daily = keyed.groupby("day", sort=True).agg(
            conversions=("conversions", "sum"), conversion_value=("conversion_value", "sum")
        )
        return daily, "conversions export"
    return None, ""


def _shop_by_day(orders: pd.DataFrame) -> pd.DataFrame:
    keyed = orders.assign(day=orders["day"].dt.normalize()).dropna(subset=["day"])
    return keyed.groupby("day", sort=True)[["orders", "revenue"]].sum()


def _same_currency(inputs: TrackingInputs) -> bool:
    if inputs.orders is None or inputs.currency is None:
        return True
    found = inputs.orders["currency"].dropna().unique()
    return all(str(c) == inputs.currency for c in found)


MEASURES: tuple[tuple[str, str, str, str], ...] = (
    ("conversions", "orders", "conversions", "orders"),
    ("conversion_value", "revenue", "of conversion value", "of revenue"),
)
"""(platform column, shop column, platform words, shop words)."""


@check("backend_mismatch", TRACKING)
def backend_mismatch(inputs: TrackingInputs, rule: Rule) -> list[Finding]:
    if inputs.orders is None or not len(inputs.orders):
        return []
    platform, source = _platform_by_day(inputs)
    if platform is None:
        return []
    both = platform.join(_shop_by_day(inputs.orders), how="inner")
    if not len(both) or both["orders"].sum() < rule.param("min_orders"):
        return []
    measures = MEASURES if _same_currency(inputs) and both["revenue"].sum() > 0 else MEASURES[:1]
    tolerance = inputs.backend_tolerance
    tolerance = rule.param("tolerance") if tolerance is None else tolerance
    over = [m for m in measures if both[m[0]].sum() > both[m[1]].sum() * (1 + tolerance)]
    if not over:
        return []

    def show(column: str, words: str) -> str:
        value = float(both[column].sum())
        text = number(round(value, 1)) if column in ("conversions", "orders") else None
        return f"{text or money(value, inputs.currency)} {words}"

    excess = [
        _excess(both[ours].sum() / both[theirs].sum(), words) for ours, theirs, words, _ in over
    ]
    fields = {
        "span": f"{day_span(both.index)} ({len(both)} days both files cover)",
        "platform": " and ".join(show(ours, words) for ours, _, words, _ in measures),
        "shop": " and ".join(show(theirs, words) for _, theirs, _, words in measures),
        "excess": " and ".join(excess),
        "tolerance": share(tolerance),
    }
    evidence = {
        "measures": {ours: _figures(both, ours, theirs, tolerance) for ours, theirs, _, _ in over},
        "tolerance": tolerance,
        "days_compared": len(both),
        "platform_source": source,
    }
    return [
        finding(
            rule,
            fields,
            evidence,
            conversions=float(both["conversions"].sum()),
            conversion_value=float(both["conversion_value"].sum()),
        )
    ]


def _excess(ratio: float, words: str) -> str:
    """`38% more conversions`; `59 times the shop's figure in conversion value` when far off."""
    what = words.removeprefix("of ")
    if ratio > 3:
        return f"{ratio:,.0f} times the shop's figure in {what}"
    return f"{share(ratio - 1)} more {what}"


def _figures(both: pd.DataFrame, ours: str, theirs: str, tolerance: float) -> dict[str, object]:
    platform, shop = float(both[ours].sum()), float(both[theirs].sum())
    over_days = both.index[both[ours] > both[theirs] * (1 + tolerance)]
    return {
        "platform": round(platform, 2),
        "shop": round(shop, 2),
        "excess": round(platform - shop, 2),
        "ratio": round(platform / shop, 3),
        "days_over": [iso(d) for d in over_days],
    }


def _unit(ratio: float, tolerance: float, *, low_too: bool) -> str | None:
    """The wrong unit a factor of `ratio` suggests; too low only against the shop (the
    reference among actions is the lowest, so no action is below it)."""
    if ratio <= 0 or not math.isfinite(ratio):
        return None
    exponent = math.log10(ratio)
    units = [(e, name) for e, name in UNITS if low_too or e > 0]
    return next((name for e, name in units if abs(exponent - e) <= tolerance), None)


def _action_values(inputs: TrackingInputs) -> pd.DataFrame:
    """Average value per conversion by action (and category), from the by-action report or
    else the export; only actions with valued conversions."""
    if inputs.by_action is not None:
        rows = inputs.by_action.loc[inputs.by_action["conversions"].fillna(0.0) > 0]
        source = "by-action report"
    elif inputs.conversions is not None:
        rows = inputs.conversions.loc[inputs.conversions["conversion_value"] > 0]
        source = "conversions export"
    else:
        return pd.DataFrame()
    rows = rows.assign(conversion_category=rows["conversion_category"].fillna(""))
    per = rows.groupby(["conversion_category", "conversion_action"], sort=True)[
        ["conversions", "conversion_value"]
    ].sum()
    per = per.loc[per["conversion_value"] > 0]
    per["aov"] = per["conversion_value"] / per["conversions"]
    return per.reset_index().assign(source=source)


def _shop_aov(inputs: TrackingInputs) -> float | None:
    orders = inputs.orders
    if orders is None or not _same_currency(inputs):
        return None
    n, revenue = float(orders["orders"].sum()), float(orders["revenue"].sum())
    return revenue / n if n > 0 and revenue > 0 else None


def _references(values: pd.DataFrame, shop: float | None) -> pd.Series:
    """Per action: the shop's average order, or else the lowest average of the other actions
    of its category (a unit error makes values too high far more often than too low)."""
    if shop is not None:
        return pd.Series(shop, index=values.index)
    refs = []
    for row in values.itertuples():
        others = values.loc[
            (values["conversion_category"] == row.conversion_category) & (values.index != row.Index)
        ]
        refs.append(float(others["aov"].min()) if len(others) else float("nan"))
    return pd.Series(refs, index=values.index)


@check("implausible_roas", TRACKING)
def implausible_roas(inputs: TrackingInputs, rule: Rule) -> list[Finding]:
    values = _action_values(inputs)
    shop = _shop_aov(inputs)
    out = []
    if len(values):
        refs = _references(values, shop)
        for (_, row), ref in zip(values.iterrows(), refs, strict=True):
            ratio = row["aov"] / ref if ref == ref else float("nan")
            unit = _unit(ratio, rule.param("unit_tolerance"), low_too=shop is not None)
            if unit is not None:
                out.append(_unit_finding(row, ref, unit, shop is not None, rule, inputs))
    if out or inputs.cost is None or not inputs.cost or inputs.conversion_value is None:
        return out
    roas = inputs.conversion_value / inputs.cost
    if roas <= rule.param("max_roas"):
        return out
    reason = (
        f"the account's ROAS is {roas:,.1f} ({money(inputs.conversion_value, inputs.currency)}"
        f" of value from {money(inputs.cost, inputs.currency)} of cost), above the plausible"
        f" {number(rule.param('max_roas'))}"
    )
    fields = {"subject": "the account", "unit": "a wrong unit (cents?)", "reason": reason}
    evidence = {"roas": round(roas, 2), "max_roas": rule.param("max_roas")}
    return [
        finding(rule, fields, evidence, cost=inputs.cost, conversion_value=inputs.conversion_value)
    ]


def _factor(ratio: float) -> str:
    return f"{ratio:,.0f} times" if ratio >= 1 else f"1/{1 / ratio:,.0f} of"


def _unit_finding(
    row: pd.Series, ref: float, unit: str, vs_shop: bool, rule: Rule, inputs: TrackingInputs
) -> Finding:
    action, aov = str(row["conversion_action"]), float(row["aov"])
    against = "the shop's average order" if vs_shop else "the other actions of its category"
    reason = (
        f"its average value per conversion is {money(aov, inputs.currency)}, {_factor(aov / ref)}"
        f" {against} ({money(ref, inputs.currency)})"
    )
    evidence = {
        "action": action,
        "average_value": round(aov, 2),
        "reference_value": round(ref, 2),
        "reference": "shop orders" if vs_shop else "other actions",
        "factor": round(aov / ref, 1),
        "source": str(row["source"]),
    }
    fields = {"subject": action, "unit": unit, "reason": reason}
    return finding(rule, fields, evidence, conversion_value=float(row["conversion_value"]))
