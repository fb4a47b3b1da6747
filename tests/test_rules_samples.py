"""The default rule pack on the bundled sample accounts, checked against the generator's truth.

Every planted expensive non-converting term is flagged, no converting term is flagged as
waste, and no term that cost less than a quarter of the account CPA is flagged as a leak on its
own. Asserted for every format of the same account (the figures are the same in each file).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest

from auditor.config import Settings
from auditor.engine.packs import load_rules
from auditor.engine.run import evaluate_rule, run_rules
from auditor.engine.skips import skip_reason
from auditor.engine.workspace import OWN_LEVELS, Workspace
from auditor.inputs import build_context
from auditor.model import Finding

SAMPLES = Path(__file__).resolve().parent.parent / "sample_reports"
TRUTH = json.loads((SAMPLES / "truth.json").read_text(encoding="utf-8"))
FILES = [
    name
    for name, info in TRUTH["files"].items()
    if info["kind"] == "search_terms" and (SAMPLES / name).exists()
]
LEAK_CATEGORIES = ("waste", "profit")


def account(name: str) -> dict:
    return TRUTH["accounts"][TRUTH["files"][name]["account"]]


@cache
def findings(name: str) -> tuple[Finding, ...]:
    truth = account(name)
    keywords = tuple(
        SAMPLES / n
        for n, info in TRUTH["files"].items()
        if info["kind"] == "keywords" and info["account"] == TRUTH["files"][name]["account"]
    )
    settings = Settings(brand=tuple(truth["brand"]), keywords=keywords)
    ctx = build_context([SAMPLES / name], settings)
    return tuple(run_rules(ctx).findings)


def key(campaign: str | None, ad_group: str | None, term: str | None) -> tuple:
    return (campaign, ad_group, term)


def truth_terms(name: str) -> dict[tuple, dict]:
    return {key(t["campaign"], t["ad_group"], t["search_term"]): t for t in account(name)["terms"]}


def term_findings(name: str, categories: tuple[str, ...] = LEAK_CATEGORIES) -> list[Finding]:
    return [
        f
        for f in findings(name)
        if f.level == "search_term" and f.category in categories and f.rule != "internal-error"
    ]


@pytest.mark.parametrize("name", FILES)
def test_every_planted_expensive_non_converting_term_is_flagged(name):
    terms = truth_terms(name)
    planted = {k for k, t in terms.items() if "planted_waste" in t["labels"]}
    assert planted
    flagged = {key(f.campaign, f.ad_group, f.search_term) for f in term_findings(name, ("waste",))}
    assert planted <= flagged, sorted(planted - flagged)


@pytest.mark.parametrize("name", FILES)
def test_no_converting_term_is_flagged_as_waste(name):
    terms = truth_terms(name)
    for f in findings(name):
        if f.category != "waste" or f.rule == "internal-error":
            continue
        assert not f.conversions, (f.rule, f.search_term or f.keyword or f.ngram)
        if f.level == "search_term":
            assert terms[key(f.campaign, f.ad_group, f.search_term)]["conversions"] == 0


@pytest.mark.parametrize("name", FILES)
def test_no_term_below_a_quarter_of_the_account_cpa_is_flagged_on_its_own(name):
    terms = truth_terms(name)
    floor = 0.25 * account(name)["cpa"]
    cheap = [
        (f.rule, f.search_term)
        for f in term_findings(name)
        if terms[key(f.campaign, f.ad_group, f.search_term)]["cost"] < floor
    ]
    assert not cheap
    assert all(f.cost is not None and f.cost >= floor for f in term_findings(name))


@pytest.mark.parametrize("name", FILES)
def test_brand_terms_are_only_judged_by_the_brand_rule(name):
    terms = truth_terms(name)
    brand_rules = {
        f.rule
        for f in term_findings(name, ("waste",))
        if "brand" in terms[key(f.campaign, f.ad_group, f.search_term)]["labels"]
    }
    assert brand_rules <= {"WASTE005"}


@pytest.mark.parametrize("name", FILES)
def test_converting_terms_that_are_not_keywords_are_harvested(name):
    terms = truth_terms(name)
    wanted = {k for k, t in terms.items() if "harvest" in t["labels"]}
    harvested = {
        key(f.campaign, f.ad_group, f.search_term) for f in findings(name) if f.rule == "STRUCT002"
    }
    assert wanted and wanted <= harvested, sorted(wanted - harvested)
    assert all(terms[k]["conversions"] >= 2 for k in harvested)


@pytest.mark.parametrize("name", FILES)
def test_cannibalised_terms_worth_routing_are_found(name):
    cpa = account(name)["cpa"]
    cost: dict[str, float] = {}
    for t in account(name)["terms"]:
        if "cannibalised" in t["labels"]:
            cost[t["search_term"]] = cost.get(t["search_term"], 0.0) + t["cost"]
    found = {f.search_term for f in findings(name) if f.rule == "STRUCT001"}
    assert found <= set(cost)
    assert {t for t, c in cost.items() if c >= 0.25 * cpa} <= found


def test_close_variants_below_exact_are_found_per_ad_group():
    name = "google-ads-search-terms-en.csv"
    wanted = {
        (t["campaign"], t["ad_group"])
        for t in account(name)["terms"]
        if "close_variant_worse" in t["labels"]
    }
    found = {(f.campaign, f.ad_group) for f in findings(name) if f.rule == "STRUCT003"}
    assert wanted and found == wanted


REAL = Path(__file__).resolve().parent.parent.parent / "shared" / "real-reports"
REAL_TERMS = (
    sorted(p for p in REAL.glob("*.csv") if "keywords" not in p.name) if REAL.is_dir() else []
)


@pytest.mark.parametrize("path", REAL_TERMS, ids=[p.name for p in REAL_TERMS])
def test_real_downloads_run_every_rule_or_say_why_not(path):
    ctx = build_context([path], Settings())
    outcome = run_rules(ctx)
    assert not [f for f in outcome.findings if f.rule == "internal-error"]
    skipped = {c["rule"]: c["reason"] for c in outcome.checks_skipped}
    cpa = outcome.baseline["cpa"]
    for f in outcome.findings:
        assert f.message and "{" not in f.message
        if f.level == "search_term" and f.category == "waste":
            assert cpa is not None and f.cost >= 0.25 * cpa
    if "pmax" in path.name:  # no Campaign / Ad group / Keyword columns
        assert "Ad group" in skipped["STRUCT003"] and "Keyword" in skipped["WASTE003"]
    if not ctx.table["conversions"].sum():  # an account with no conversion at all
        assert "no target CPA" in skipped["WASTE001"]


@pytest.mark.parametrize("name", FILES)
def test_the_levels_the_rules_drop_early_are_read_by_their_own_rules_only(name):
    """`OWN_LEVELS` are dropped after their last rule: no metric of another level may read
    them (it would build them again), on any sample."""
    keywords = tuple(
        SAMPLES / n
        for n, info in TRUTH["files"].items()
        if info["kind"] == "keywords" and info["account"] == TRUTH["files"][name]["account"]
    )
    ctx = build_context([SAMPLES / name], Settings(keywords=keywords))
    ws = Workspace(ctx)
    rules = [r for r in load_rules(ctx.settings) if r.check is None and r.enabled]
    for rule in rules:
        if skip_reason(rule, ws) is None:
            evaluate_rule(rule, ws, ctx.currency)
    assert {r.frame for r in rules} >= OWN_LEVELS, "every dropped level has rules"
    assert not ws.read_inside & OWN_LEVELS, ws.read_inside
    assert ws.read_inside, "metrics of one level read others (what the test watches)"
