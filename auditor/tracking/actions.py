"""Checks across conversion actions and against clicks: double counting, conversions > clicks.

Double counting is seen two ways:
- in a report segmented by conversion action: two primary actions (with conversions in the
  Conversions column, not only in All conv.) of the same category whose counts agree row by row
  (same search term, campaign, ad group, day). Two measures, both required:
  *agreement* = sum of the smaller count over sum of the larger count per row (1.0 when both
  count every row alike), at least `min_agreement`; and *dispersion* = sum of (b - r*a)^2 over
  sum of (b + r^2*a), r = total b / total a: about 1 for two independent actions that merely
  sell alike (web and phone orders of equal volume), near 0 when one action counts the other's
  conversions (a GA4 import that sees 93% of the tag's sales: (1 - 0.93) / (1 + 0.93) = 0.04);
  at most `max_dispersion`;
- in the conversion-level export: the same transaction ID recorded by two or more actions (IDs
  deduplicate only within one action, so each of those sales counts once per action).
"""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pandas as pd

from auditor import schema
from auditor.engine.checks import check
from auditor.engine.packs import Rule
from auditor.format import money
from auditor.model import Finding
from auditor.tracking.coverage import TRACKING
from auditor.tracking.inputs import ALL_CAMPAIGNS, TrackingInputs
from auditor.tracking.text import finding, iso, listing, number, plural, share

ROW_KEYS = ("search_term", "campaign", "ad_group", "day")
UNKNOWN_CATEGORY = "uncategorised"
EVIDENCE_LIMIT = 20


def _keys(rows: pd.DataFrame) -> list[str]:
    return [k for k in ROW_KEYS if k in rows and rows[k].notna().any()]


def _counts_by_row(rows: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Conversions per row key (index) and action (columns)."""
    keyed = rows.assign(**{k: rows[k].astype("string").fillna("") for k in keys})
    return keyed.pivot_table(
        index=keys,
        columns="conversion_action",
        values="conversions",
        aggfunc="sum",
        fill_value=0.0,
        observed=True,
    )


def _agreement(a: pd.Series, b: pd.Series) -> float:
    top = float(pd.concat([a, b], axis=1).max(axis=1).sum())
    return float(pd.concat([a, b], axis=1).min(axis=1).sum()) / top if top else 0.0


def _dispersion(a: pd.Series, b: pd.Series) -> float:
    """Squared differences from the proportional copy, over what Poisson chance gives."""
    ratio = float(b.sum()) / float(a.sum())
    chance = float((b + ratio**2 * a).sum())
    return float(((b - ratio * a) ** 2).sum()) / chance if chance else 1.0


def _where(keys: list[str], shared_rows: int) -> str:
    names = {"search_term": "search terms", "campaign": "campaigns", "day": "days"}
    unit = next((names[k] for k in keys if k in names), "rows")
    return f"on the same {number(shared_rows)} {unit}"


def _pair_finding(
    rule: Rule, counts: pd.DataFrame, pair: tuple[str, str], category: str, keys: list[str]
) -> Finding | None:
    a, b = counts[pair[0]], counts[pair[1]]
    agreement, dispersion = _agreement(a, b), _dispersion(a, b)
    if agreement < rule.param("min_agreement") or dispersion > rule.param("max_dispersion"):
        return None
    big, small = (a, b) if a.sum() >= b.sum() else (b, a)
    shared = int(((a > 0) & (b > 0)).sum())
    fields = {
        "action_a": big.name,
        "action_b": small.name,
        "category": category.lower(),
        "agreement": share(agreement),
        "where": _where(keys, shared),
        "count_a": number(float(big.sum())),
        "count_b": number(float(small.sum())),
        "inflation": share(float(small.sum()) / float(big.sum())),
    }
    evidence = {
        "actions": [str(big.name), str(small.name)],
        "category": category,
        "agreement": round(agreement, 3),
        "dispersion": round(dispersion, 3),
        "conversions": {str(big.name): float(big.sum()), str(small.name): float(small.sum())},
        "shared_rows": shared,
        "compared_by": keys,
        "examples": _examples(big, small, keys),
    }
    return finding(rule, fields, evidence, conversions=float(small.sum()))


def _examples(
    big: pd.Series, small: pd.Series, keys: list[str], n: int = 10
) -> list[dict[str, object]]:
    """The rows both actions count most, with both counts side by side."""
    both = pd.DataFrame({"a": big, "b": small})
    top = both.loc[(both["a"] > 0) & (both["b"] > 0)].nlargest(n, "a")
    out = []
    for index, row in zip(top.index, top.itertuples(index=False), strict=True):
        where = dict(zip(keys, index if isinstance(index, tuple) else (index,), strict=True))
        out.append({**where, str(big.name): float(row.a), str(small.name): float(row.b)})
    return out


def _double_in_reports(inputs: TrackingInputs, rule: Rule) -> list[Finding]:
    rows = inputs.by_action
    if rows is None:
        return []
    rows = rows.assign(
        conversion_category=rows["conversion_category"].fillna(UNKNOWN_CATEGORY),
        conversions=rows["conversions"].fillna(0.0),
    )
    totals = rows.groupby(["conversion_category", "conversion_action"], sort=True)[
        "conversions"
    ].sum()
    primary = totals.loc[totals >= rule.param("min_conversions")]
    keys = _keys(rows)
    out = []
    for category, actions in primary.groupby(level=0, sort=True):
        names = sorted(actions.index.get_level_values(1))
        if len(names) < 2 or not keys:
            continue
        subset = rows.loc[
            (rows["conversion_category"] == category) & rows["conversion_action"].isin(names)
        ]
        counts = _counts_by_row(subset, keys)
        for pair in combinations(names, 2):
            found = _pair_finding(rule, counts, pair, str(category), keys)
            if found is not None:
                out.append(found)
    return out


def _double_in_export(inputs: TrackingInputs, rule: Rule) -> list[Finding]:
    conv = inputs.conversions
    if conv is None or not len(conv):
        return []
    with_id = conv.loc[conv["transaction_id"].fillna("").str.strip() != ""]
    actions = with_id.groupby("transaction_id", sort=False)["conversion_action"].nunique()
    shared = actions.loc[actions > 1]
    if len(shared) < rule.param("min_shared_ids"):
        return []
    rows = with_id.loc[with_id["transaction_id"].isin(shared.index)]
    names = sorted(rows["conversion_action"].dropna().unique().tolist())
    ids_total = int(with_id["transaction_id"].nunique())
    message = (
        f"{listing(names)} record the same {number(len(shared))} transaction IDs"
        f" ({share(len(shared) / ids_total)} of all IDs): each of those sales counts once per"
        " action, so conversions and value are counted twice for them."
    )
    evidence = {
        "actions": names,
        "shared_ids": len(shared),
        "ids": shared.index[:EVIDENCE_LIMIT].astype(str).tolist(),
        "lines": [int(x) for x in rows["line"].head(EVIDENCE_LIMIT)],
    }
    return [finding(rule, {}, evidence, message=message, conversions=float(len(shared)))]


@check("double_counting", TRACKING)
def double_counting(inputs: TrackingInputs, rule: Rule) -> list[Finding]:
    return [*_double_in_reports(inputs, rule), *_double_in_export(inputs, rule)]


@check("conversions_exceed_clicks", TRACKING)
def conversions_exceed_clicks(inputs: TrackingInputs, rule: Rule) -> list[Finding]:
    rows = inputs.rows
    if rows is None or not rows["conversions"].notna().any() or not rows["clicks"].notna().any():
        return []
    named = bool(rows["campaign"].notna().any())
    rows = _campaigns_over(rows, rule)
    if rows is None:
        return []
    rows = rows.assign(
        campaign=rows["campaign"].fillna(ALL_CAMPAIGNS),
        clicks=rows["clicks"].fillna(0.0),
        conversions=rows["conversions"].fillna(0.0),
    )
    excess = rows["conversions"] - rows["clicks"]
    hit = (rows["conversions"] > rows["clicks"] * rule.param("max_ratio")) & (
        excess >= rule.param("min_excess")
    )
    totals = rows.groupby("campaign", sort=True)["conversions"].sum()
    over = (excess > 0).groupby(rows["campaign"], sort=True).sum()
    bad = rows.assign(excess=excess).loc[hit]
    return [
        _exceed_finding(
            rule, str(campaign), group, (float(totals[campaign]), int(over[campaign])), named
        )
        for campaign, group in bad.groupby("campaign", sort=True)
    ]


def _campaigns_over(rows: pd.DataFrame, rule: Rule) -> pd.DataFrame | None:
    """The rows of the campaigns where some row passes the rule's thresholds (None when no
    row does), found on whole columns first: most reports have none, and taking rows of a
    million-row table of text columns costs more than the check itself."""
    clicks = rows["clicks"].to_numpy(dtype=float, na_value=0.0)
    conversions = rows["conversions"].to_numpy(dtype=float, na_value=0.0)
    excess = conversions - clicks
    hit = (conversions > clicks * rule.param("max_ratio")) & (excess >= rule.param("min_excess"))
    if not hit.any():
        return None
    codes, _ = schema.text_codes(rows["campaign"])
    return rows.loc[np.isin(codes, np.unique(codes[hit]))]


def _scope(campaign: str, named: bool) -> tuple[str, str, str]:
    """(level, subject, whose conversions) of one group of rows: a campaign, the rows without
    one in a report that names campaigns, or the whole account when no row names one."""
    if campaign != ALL_CAMPAIGNS:
        return "campaign", f"Campaign {campaign}", "the campaign's"
    if named:
        return "account", "Rows without a campaign", "those rows'"
    return "account", "The account", "the account's"


def _exceed_finding(
    rule: Rule,
    campaign: str,
    group: pd.DataFrame,
    counts: tuple[float, int],
    named: bool,
) -> Finding:
    """One campaign's rows (or the account's, when the report has no campaign). `counts`: its
    conversions and how many of its rows have more conversions than clicks at all (the
    message states both that and how many pass the rule's threshold). Severity low when the
    excess is below material_share of its conversions: worth a look, but it does not shake the
    figures the waste findings are judged against (and so lowers none of them)."""
    total, over = counts
    group = group.sort_values("conversions", ascending=False, kind="stable")
    excess = float(group["excess"].sum())
    material = total > 0 and excess / total >= rule.param("material_share")
    level, subject, whose = _scope(campaign, named)
    fields = {
        "rows": plural(len(group), "row"),
        "over": plural(over, "row"),
        "far": f"{len(group):,}",
        "campaign": subject,
        "whose": whose,
        "conversions": number(float(group["conversions"].sum())),
        "clicks": number(float(group["clicks"].sum())),
        "excess": number(excess),
        "share": share(excess / total) if total > 0 else "all",
    }
    evidence = {
        "rows_over_clicks": over,
        "rows_over_threshold": len(group),
        "excess_conversions": excess,
        "campaign_conversions": total,
        "excess_share": round(excess / total, 4) if total > 0 else None,
        "rows": [_row_evidence(r) for r in group.head(EVIDENCE_LIMIT).to_dict("records")],
    }
    return finding(
        rule,
        fields,
        evidence,
        severity=None if material else "low",
        level=level,
        campaign=None if campaign == ALL_CAMPAIGNS else campaign,
        clicks=float(group["clicks"].sum()),
        conversions=float(group["conversions"].sum()),
    )


def _row_evidence(row: dict[str, object]) -> dict[str, object]:
    out: dict[str, object] = {"line": int(row["line"])}
    for key in ("search_term", "ad_group"):
        if isinstance(row.get(key), str):
            out[key] = row[key]
    if not pd.isna(row.get("day")):
        out["day"] = iso(row["day"])
    out["clicks"] = float(row["clicks"]) if not pd.isna(row["clicks"]) else 0.0
    out["conversions"] = float(row["conversions"])
    return out


@check("no_conversions", TRACKING)
def no_conversions(inputs: TrackingInputs, rule: Rule) -> list[Finding]:
    """Not one conversion on many clicks: tracking is missing or broken (or nothing sold)."""
    rows = inputs.rows
    if rows is None or not rows["conversions"].notna().any() or not rows["clicks"].notna().any():
        return []
    clicks = float(rows["clicks"].fillna(0.0).sum())
    converted = float(rows["conversions"].fillna(0.0).sum())
    if converted > 0 or clicks < rule.param("min_clicks"):
        return []
    cost = float(rows["cost"].sum()) if rows["cost"].notna().any() else None
    expected = clicks * rule.param("floor_cvr")
    fields = {
        "clicks": f"{clicks:,.0f}",
        "cost": money(cost, inputs.currency) if cost is not None else "cost unknown",
        "expected": f"{expected:,.0f}",
    }
    evidence = {"clicks": clicks, "cost": cost, "expected_at_floor": round(expected, 1)}
    return [finding(rule, fields, evidence, cost=cost, clicks=clicks, conversions=0.0)]
