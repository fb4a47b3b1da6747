"""Problems a PPC manager's QA pass found in the rules: a finding's figures describe one scope,
cannibalisation counts only ad groups that spent, trivial losses are not high-severity, the
messages name the yardstick truthfully, skip reasons say what is missing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from auditor.config import Settings
from auditor.engine.cases import case_context
from auditor.engine.packs import load_rules
from auditor.engine.run import run_rules
from auditor.inputs import build_context
from auditor.model import Finding

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_reports"
TRUTH = json.loads((SAMPLES / "truth.json").read_text(encoding="utf-8"))
REAL = ROOT.parent / "shared" / "real-reports"
GOOGLE = SAMPLES / "google-ads-search-terms-en.csv"
KEYWORDS = SAMPLES / "google-ads-keywords-en.csv"
needs_real = pytest.mark.skipif(not REAL.is_dir(), reason="real downloads not available")


def rule_findings(paths: list[Path], rule: str, **settings: object) -> list[Finding]:
    ctx = build_context(paths, Settings(**settings))  # type: ignore[arg-type]
    return [f for f in run_rules(ctx).findings if f.rule == rule]


def case_findings(rule_id: str, rows: list[dict], **case: object) -> list[Finding]:
    context = case_context({"rows": rows, **case}, Settings())
    return [f for f in run_rules(context).findings if f.rule == rule_id]


def test_hidden_spend_finding_carries_the_hidden_rows_own_figures():
    hidden = TRUTH["files"][GOOGLE.name]["hidden"]
    (f,) = rule_findings([GOOGLE], "VIS001")
    assert f.cost == pytest.approx(hidden["cost"], abs=0.005)
    assert f.clicks == hidden["clicks"]
    assert f.conversions == pytest.approx(hidden["conversions"])
    assert f.conversion_value == pytest.approx(hidden["conversion_value"])


@needs_real
def test_hidden_spend_cost_is_the_files_figure_to_the_cent():
    (f,) = rule_findings([REAL / "google-ads-search-agency-inr.csv"], "VIS001")
    assert f.cost == pytest.approx(34897.65, abs=0.001)
    assert (f.clicks, f.conversions) == (228, 16)


def test_close_variant_finding_counts_only_the_close_variants():
    (rule,) = [r for r in load_rules(Settings()) if r.id == "STRUCT003"]
    (f,) = case_findings("STRUCT003", rule.cases[0]["rows"])
    assert (f.cost, f.clicks, f.conversions) == (600.0, 300.0, 2.0)
    assert f.conversion_value is None
    assert f"{f.clicks:,.0f} clicks" in f.message


def test_every_scoped_cost_rule_reports_the_scopes_clicks():
    scoped = {r.id: r.cost_metric for r in load_rules(Settings()) if r.cost_metric != "cost"}
    assert set(scoped) == {"VIS001", "STRUCT003", "STRUCT004"}
    ctx = build_context([GOOGLE], Settings())
    found = [f for f in run_rules(ctx).findings if f.rule in scoped]
    assert {f.rule for f in found} >= {"VIS001", "STRUCT003"}
    for f in found:
        scope = scoped[f.rule].removesuffix("_cost")
        assert f.cost == f.metrics[f"{scope}_cost"]
        assert f.clicks == f.metrics[f"{scope}_clicks"]
        assert f.conversions == f.metrics[f"{scope}_conversions"]


def test_cannibalisation_ignores_ad_groups_that_only_showed_the_ad():
    rows = [
        {"ad_group": "Running shoes", "search_term": "trail running shoes", "clicks": 100,
         "cost": 200.0, "conversions": 5, "impressions": 900},
        {"ad_group": "Trail shoes", "search_term": "trail running shoes", "clicks": 60,
         "cost": 150.0, "conversions": 1, "impressions": 500},
        {"ad_group": "Hiking", "search_term": "trail running shoes", "clicks": 0, "cost": 0.0,
         "conversions": 0, "impressions": 40},
        {"ad_group": "Hiking", "search_term": "hiking boots", "clicks": 0, "cost": 0.0,
         "conversions": 0, "impressions": 40},
        {"ad_group": "Running shoes", "search_term": "hiking boots", "clicks": 50, "cost": 90.0,
         "conversions": 2, "impressions": 300},
    ]  # fmt: skip
    (f,) = case_findings("STRUCT001", rows)
    assert f.search_term == "trail running shoes"
    assert f.message.startswith("Served by 2 ad groups in 1 campaign(s)")
    assert "Hiking" not in f.message


@needs_real
def test_a_city_split_account_is_not_cannibalisation_and_lists_only_spending_ad_groups():
    inr = [REAL / "google-ads-search-agency-inr.csv"]
    assert rule_findings(inr, "STRUCT001") == []
    found = rule_findings(inr, "STRUCT005")
    assert len(found) == 6
    for f in found:
        assert "(INR 0.00," not in f.message
        listed = f.message.split(": ", 1)[1].count(" conv.)")
        assert f.message.startswith(f"Served by {listed} ad groups")


def test_a_loss_of_a_few_kronor_below_break_even_is_not_a_finding():
    found = rule_findings([GOOGLE, KEYWORDS], "PROFIT001", margin=0.35, target_cpa=150.0)
    terms = {f.search_term for f in found}
    assert "tent repair kit" not in terms
    assert {"regnjackor", "dunjackor"} <= terms
    assert all(-f.metrics["profit"] >= 0.25 * 150.0 for f in found)


def test_messages_name_the_accounts_cpa_when_no_target_is_set():
    found = rule_findings([GOOGLE], "WASTE001")
    assert found
    for f in found:
        assert "the account's CPA" in f.message
        assert "target" not in f.message


def test_messages_name_your_target_when_one_is_set():
    found = rule_findings([GOOGLE, KEYWORDS], "PROFIT003", target_cpa=150.0)
    assert found
    assert all("or more your target CPA (SEK 150)" in f.message for f in found)
    rows = [
        {"campaign": "Generic", "search_term": "running shoes", "clicks": 500, "cost": 1000.0,
         "conversions": 10, "conversion_value": 1500.0},
        {"campaign": "Brand", "search_term": "acme shoes", "clicks": 300, "cost": 500.0,
         "conversions": 40, "conversion_value": 6000.0},
    ]  # fmt: skip
    (own,) = case_findings("PROFIT004", rows)
    assert "below half the account's ROAS (5.00)" in own.message
    (set_,) = case_findings("PROFIT004", rows, settings={"target_roas": 4.0})
    assert "below half your target ROAS (4.00)" in set_.message


@needs_real
def test_keyword_rules_say_a_keyword_report_does_not_feed_them():
    paths = [
        REAL / "google-ads-towing-cad-utf16.csv",
        REAL / "google-ads-towing-cad-utf16-keywords.csv",
    ]
    ctx = build_context(paths, Settings())
    skipped = {c["rule"]: c["reason"] for c in run_rules(ctx).checks_skipped}
    for rule in ("PROFIT003", "WASTE003"):
        assert "search-terms report's Keyword column" in skipped[rule]
        assert "keyword report (--keywords) does not feed it" in skipped[rule]
