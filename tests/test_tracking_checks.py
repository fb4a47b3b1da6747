"""Tracking checks on small realistic tables, and the reliability policy on other findings."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import auditor.tracking  # noqa: F401  (registers the checks)
from auditor import schema
from auditor.config import Settings
from auditor.engine.checks import CHECKS
from auditor.engine.packs import Rule, load_rules
from auditor.model import Finding
from auditor.stats import poisson_cdf_one as poisson_cdf
from auditor.tracking import apply_reliability
from auditor.tracking.inputs import TrackingInputs, daily_table


@pytest.fixture(scope="module")
def rules() -> dict[str, Rule]:
    return {r.check: r for r in load_rules(Settings()) if r.check}


def _daily(conversions: dict[str, list[float]], clicks: dict[str, list[float]]) -> pd.DataFrame:
    """Per-campaign daily rows from lists of equal length, starting 2026-10-01."""
    frames = []
    for campaign, conv in conversions.items():
        frames.append(
            pd.DataFrame(
                {
                    "campaign": campaign,
                    "day": pd.date_range("2026-10-01", periods=len(conv), freq="D"),
                    "clicks": clicks[campaign],
                    "conversions": conv,
                }
            )
        )
    table = pd.concat(frames, ignore_index=True)
    table["line"] = range(2, len(table) + 2)
    return daily_table(schema.conform(table))


def _steady(days: int, per_day: float, seed: int) -> list[float]:
    return np.random.default_rng(seed).poisson(per_day, days).astype(float).tolist()


def _check(rules: dict[str, Rule], name: str, inputs: TrackingInputs) -> list[Finding]:
    return CHECKS[name].run(inputs, rules[name])


def test_poisson_cdf_matches_the_formula() -> None:
    assert poisson_cdf(0, 3.0) == pytest.approx(math.exp(-3.0))
    assert poisson_cdf(2, 2.0) == pytest.approx(5 * math.exp(-2.0))
    assert poisson_cdf(0, 800.0) == pytest.approx(0.0, abs=1e-300)
    assert poisson_cdf(5, 0.0) == 1.0


def test_a_drop_in_the_last_days_is_called_lag_not_an_outage(
    rules: dict[str, Rule],
) -> None:
    conv = _steady(30, 10.0, 1)
    conv[-2:] = [1.0, 0.0]
    daily = _daily({"Jackets": conv}, {"Jackets": [250.0] * 30})
    (found,) = _check(rules, "outage", TrackingInputs(daily=daily))
    assert found.severity == "info" and found.evidence["likely_lag"]
    assert "lag" in found.message and "2026-10-29 to 2026-10-30" in found.message


def test_a_site_wide_outage_is_one_account_finding_naming_the_campaigns(
    rules: dict[str, Rule],
) -> None:
    conv = {c: _steady(30, 8.0, i) for i, c in enumerate(("Boots", "Jackets", "Tents"))}
    for series in conv.values():
        series[9:11] = [0.0, 0.0]
    daily = _daily(conv, {c: [200.0] * 30 for c in conv})
    found = _check(rules, "outage", TrackingInputs(daily=daily))
    assert len(found) == 1
    assert found[0].level == "account" and found[0].severity == "high"
    assert found[0].evidence["campaigns"] == ["Boots", "Jackets", "Tents"]
    assert found[0].evidence["days"] == ["2026-10-10", "2026-10-11"]


def test_no_outage_when_the_clicks_fell_too(rules: dict[str, Rule]) -> None:
    conv = _steady(30, 10.0, 2)
    clicks = [250.0] * 30
    conv[12:15] = [0.0, 0.0, 0.0]
    clicks[12:15] = [8.0, 5.0, 9.0]
    daily = _daily({"Jackets": conv}, {"Jackets": clicks})
    assert _check(rules, "outage", TrackingInputs(daily=daily)) == []


def test_the_same_order_id_under_two_actions_is_double_counting(
    rules: dict[str, Rule],
) -> None:
    ids = [f"O-{i}" for i in range(8)]
    conv = schema.conform(
        pd.DataFrame(
            {
                "transaction_id": pd.array([*ids, *ids[:6]], dtype=schema.STRING_DTYPE),
                "conversion_action": ["Purchase"] * 8 + ["GA4 purchase"] * 6,
                "conversion_value": 500.0,
                "conversions": 1.0,
                "line": range(2, 16),
            }
        )
    )
    (found,) = _check(rules, "double_counting", TrackingInputs(conversions=conv))
    assert found.evidence["actions"] == ["GA4 purchase", "Purchase"]
    assert found.evidence["shared_ids"] == 6
    assert _check(rules, "duplicate_transactions", TrackingInputs(conversions=conv)) == []


def test_account_roas_above_the_plausible_says_wrong_unit(rules: dict[str, Rule]) -> None:
    inputs = TrackingInputs(cost=12_000.0, conversion_value=4_800_000.0, currency="SEK")
    (found,) = _check(rules, "implausible_roas", inputs)
    assert found.evidence["roas"] == 400.0 and "cents" in found.message
    ok = TrackingInputs(cost=12_000.0, conversion_value=48_000.0)
    assert _check(rules, "implausible_roas", ok) == []


def test_orders_file_in_another_currency_is_flagged(rules: dict[str, Rule]) -> None:
    inputs = TrackingInputs(currency="SEK", file_currencies={"report.csv": "SEK", "o.csv": "EUR"})
    (found,) = _check(rules, "currency_mismatch", inputs)
    assert found.evidence["files"] == {"o.csv": "EUR"} and "o.csv is in EUR" in found.message


def _waste(campaign: str, category: str = "waste", severity: str = "high") -> Finding:
    return Finding(
        rule="WASTE001",
        category=category,
        severity=severity,
        level="search_term",
        message="143 clicks at your 2.1% rate should have brought 3.0 conversions.",
        campaign=campaign,
        search_term="rain jacket sale",
        cost=1840.0,
    )


def _tracking(check: str, severity: str = "high", **evidence: object) -> Finding:
    return Finding(
        rule="TRACK0xx",
        category="tracking",
        severity=severity,
        level="campaign" if "campaigns" in evidence else "account",
        message="...",
        check=check,
        evidence=dict(evidence),
    )


def test_waste_in_an_outage_campaign_drops_a_level_and_says_why() -> None:
    outage = _tracking("outage", campaigns=["Jackets"], days=["2026-10-13", "2026-10-15"])
    hit, other = apply_reliability([_waste("Jackets"), _waste("Boots")], [outage])
    assert hit.severity == "medium" and "Tracking caveat" in hit.message
    assert "2026-10-13 to 2026-10-15" in hit.message
    assert hit.metrics["tracking_caveat"] == ["TRACK0xx"]
    assert other == _waste("Boots")


def test_value_faults_touch_profit_findings_only() -> None:
    fault = _tracking("default_value")
    waste, profit = apply_reliability(
        [_waste("Boots"), _waste("Boots", category="profit", severity="low")], [fault]
    )
    assert waste == _waste("Boots")
    assert profit.severity == "info" and "default value" in profit.message


def test_info_tracking_findings_and_structure_findings_are_left_alone() -> None:
    lag = _tracking("outage", severity="info", campaigns=["Jackets"], days=["2026-10-30"])
    assert apply_reliability([_waste("Jackets")], [lag]) == [_waste("Jackets")]
    structure = _waste("Jackets", category="structure")
    account_wide = _tracking("double_counting")
    assert apply_reliability([structure], [account_wide]) == [structure]
    (info,) = apply_reliability([_waste("Jackets", severity="info")], [account_wide])
    assert info.severity == "info" and "double counting" in info.message


def test_an_outage_still_going_on_at_the_end_is_not_excused_as_lag(
    rules: dict[str, Rule],
) -> None:
    conv = _steady(30, 10.0, 3)
    conv[23:] = [0.0] * 7
    daily = _daily({"Jackets": conv}, {"Jackets": [250.0] * 30})
    (found,) = _check(rules, "outage", TrackingInputs(daily=daily))
    assert found.severity == "high" and not found.evidence["likely_lag"]
    assert found.evidence["ongoing"] and "still be broken" in found.message
    assert found.evidence["days"][0] == "2026-10-24" and found.evidence["days"][-1] == "2026-10-30"
