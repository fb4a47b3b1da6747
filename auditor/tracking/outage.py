"""Outages: days with normal clicks and (almost) no conversions, improbable by chance.

Method, per campaign and for the whole account (clicks and conversions per day from
`TrackingInputs.daily`):
1. The usual conversion rate is the campaign's conversions / clicks over the period, leaving
   out the last `lag_days` days (conversion lag). Outage days stay in: that makes the rate a
   little lower and the test a little more cautious.
2. A day is *low* when its clicks are normal (at least `min_click_ratio` of the campaign's median
   daily clicks: a traffic drop is not a tracking fault) and its conversions are at most
   `low_ratio` of those expected (clicks x rate).
3. Consecutive low days form a run. Its chance is the Poisson probability of seeing at most the
   run's conversions when the run's expected conversions is the mean. A run is an outage when
   that chance is below `alpha` divided by the number of campaign-days looked at (Bonferroni:
   with 4 campaigns x 30 days, one chance in 150,000 per run for alpha = 0.001, so a whole
   audit raises a false alarm about once in a thousand accounts), and it was expected to bring
   at least `min_expected` conversions.
4. A run at account level (all campaigns together) is reported once, at account level, naming
   the campaigns that dropped with it; campaign runs it covers are not repeated.
5. A run that reaches into the last `lag_days` days is most likely conversion lag (purchases
   are credited to the click's date, days later): reported at info severity and said so,
   unless its days before that window are an outage on their own: then it is an outage that
   is still going on, reported as such.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from auditor.engine.checks import check
from auditor.engine.packs import Rule
from auditor.model import Finding
from auditor.stats import poisson_cdf_one
from auditor.tracking.coverage import TRACKING
from auditor.tracking.inputs import ALL_CAMPAIGNS, TrackingInputs
from auditor.tracking.text import day_span, finding, iso, listing, number, probability, share


def _low_days(daily: pd.DataFrame, rule: Rule, lag_start: pd.Timestamp) -> pd.DataFrame:
    """`daily` (one campaign per group) with rate, expected conversions and the low-day flag."""
    settled = daily.loc[daily["day"] < lag_start]
    base = settled if len(settled) else daily
    stats = base.groupby("campaign", sort=False).agg(
        c=("conversions", "sum"), k=("clicks", "sum"), median_clicks=("clicks", "median")
    )
    stats["rate"] = (stats["c"] / stats["k"]).where(stats["k"] > 0, 0.0)
    out = daily.join(stats[["rate", "median_clicks"]], on="campaign")
    out["expected"] = out["clicks"] * out["rate"]
    out["settled"] = out["day"] < lag_start
    out["low"] = (
        (out["clicks"] >= rule.param("min_click_ratio") * out["median_clicks"])
        & (out["conversions"] <= rule.param("low_ratio") * out["expected"])
        & (out["expected"] > 0)
    )
    return out


def _runs(days: pd.DataFrame) -> pd.DataFrame:
    """Consecutive low days per campaign, summed: one row per run."""
    days = days.sort_values(["campaign", "day"], kind="stable").reset_index(drop=True)
    prev_low = days["low"].shift(fill_value=False)
    same = days["campaign"].eq(days["campaign"].shift())
    next_day = days["day"].shift() + pd.Timedelta(days=1) == days["day"]
    start = days["low"] & ~(prev_low & same & next_day)
    days["run"] = np.cumsum(start.to_numpy())
    low = days.loc[days["low"]].assign(
        settled_observed=lambda d: d["conversions"].where(d["settled"], 0.0),
        settled_expected=lambda d: d["expected"].where(d["settled"], 0.0),
    )
    return (
        low.groupby(["campaign", "run"], sort=True)
        .agg(
            first=("day", "min"),
            last=("day", "max"),
            n_days=("day", "size"),
            clicks=("clicks", "sum"),
            observed=("conversions", "sum"),
            expected=("expected", "sum"),
            settled_observed=("settled_observed", "sum"),
            settled_expected=("settled_expected", "sum"),
            rate=("rate", "first"),
            days=("day", list),
        )
        .reset_index()
    )


def _significant(runs: pd.DataFrame, rule: Rule, tests: int) -> pd.DataFrame:
    pairs = zip(runs["observed"], runs["expected"], strict=True)
    runs = runs.assign(p=[poisson_cdf_one(round(o), e) for o, e in pairs], tests=tests)
    settled = zip(runs["settled_observed"], runs["settled_expected"], strict=True)
    runs["p_settled"] = [poisson_cdf_one(round(o), e) for o, e in settled]
    alpha = rule.param("alpha") / max(tests, 1)
    keep = (runs["p"] < alpha) & (runs["expected"] >= rule.param("min_expected"))
    runs["ongoing"] = (runs["p_settled"] < alpha) & (
        runs["settled_expected"] >= rule.param("min_expected")
    )
    return runs.loc[keep]


def _detect(daily: pd.DataFrame, rule: Rule, lag_start: pd.Timestamp, tests: int) -> pd.DataFrame:
    days = _low_days(daily, rule, lag_start)
    if not days["low"].any():
        return pd.DataFrame()
    return _significant(_runs(days), rule, tests)


def _dropped_with(daily: pd.DataFrame, run: pd.Series, rule: Rule) -> list[str]:
    """Campaigns with clicks but at most low_ratio of their own usual conversions in the run."""
    span = daily.loc[(daily["day"] >= run["first"]) & (daily["day"] <= run["last"])]
    sums = span.groupby("campaign", sort=True)[["clicks", "conversions"]].sum()
    totals = daily.groupby("campaign", sort=True)[["clicks", "conversions"]].sum()
    rate = totals["conversions"] / totals["clicks"]
    expected = sums["clicks"] * rate.reindex(sums.index)
    hit = (sums["clicks"] > 0) & (sums["conversions"] <= rule.param("low_ratio") * expected)
    return [str(c) for c in sums.index[hit & (expected > 0)]]


def _run_finding(
    run: pd.Series, rule: Rule, lag_start: pd.Timestamp, campaigns: list[str]
) -> Finding:
    account = run["campaign"] == ALL_CAMPAIGNS
    where = "the whole account" if account else f"campaign {run['campaign']}"
    if account and campaigns:
        where += f" ({listing(campaigns)})"
    recent = run["last"] >= lag_start
    lag = recent and not run["ongoing"]
    fields = {
        "where": where,
        "days": day_span(run["days"]),
        "clicks": number(float(run["clicks"])),
        "rate": share(float(run["rate"])),
        "expected": number(round(float(run["expected"]), 1)),
        "observed": number(round(float(run["observed"]), 1)),
        "p": probability(float(run["p"])),
    }
    evidence = {
        "days": [iso(d) for d in run["days"]],
        "campaigns": campaigns if account else [str(run["campaign"])],
        "clicks": float(run["clicks"]),
        "expected_conversions": round(float(run["expected"]), 2),
        "conversions": float(run["observed"]),
        "conversion_rate": round(float(run["rate"]), 5),
        "p_value": float(run["p"]),
        "days_tested": int(run["tests"]),
        "likely_lag": bool(lag),
        "ongoing": bool(recent and not lag),
    }
    message = None
    if recent and not lag:
        message = rule.message.format_map(fields) + (
            " It runs into the last days of the report and started before them:"
            " the tag may still be broken, check it now."
        )
    elif lag:
        message = (
            f"Conversions in {where} on {fields['days']} (the last days of the report) are"
            f" {fields['observed']} where {fields['expected']} were expected: most likely"
            " conversion lag, not an outage; purchases are credited to the click's date days"
            " later. Re-check this period in a week."
        )
    return finding(
        rule,
        fields,
        evidence,
        message=message,
        severity="info" if lag else None,
        level="account" if account else "campaign",
        campaign=None if account else str(run["campaign"]),
        clicks=float(run["clicks"]),
        conversions=float(run["observed"]),
    )


def _covered(run: pd.Series, account_runs: pd.DataFrame) -> bool:
    return bool(
        ((account_runs["first"] <= run["last"]) & (account_runs["last"] >= run["first"])).any()
    )


@check("outage", TRACKING)
def outage(inputs: TrackingInputs, rule: Rule) -> list[Finding]:
    daily = inputs.daily
    if daily is None or not len(daily) or not daily["conversions"].any():
        return []
    daily = daily.assign(
        clicks=daily["clicks"].fillna(0.0), conversions=daily["conversions"].fillna(0.0)
    )
    lag_start = daily["day"].max() - pd.Timedelta(days=int(rule.param("lag_days")) - 1)
    account_daily = (
        daily.groupby("day", sort=True)[["clicks", "conversions"]].sum().reset_index()
    ).assign(campaign=ALL_CAMPAIGNS)
    several = daily["campaign"].nunique() > 1
    tests = int((daily["clicks"] > 0).sum()) + (len(account_daily) if several else 0)
    per_campaign = _detect(daily, rule, lag_start, tests)
    account = _detect(account_daily, rule, lag_start, tests) if several else pd.DataFrame()
    out = [
        _run_finding(run, rule, lag_start, _dropped_with(daily, run, rule))
        for _, run in account.iterrows()
    ]
    for _, run in per_campaign.iterrows():
        if len(account) and _covered(run, account):
            continue
        out.append(_run_finding(run, rule, lag_start, []))
    return out
