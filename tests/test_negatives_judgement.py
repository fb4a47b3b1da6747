"""Judgement of negative proposals (issue 9): evidence tiers, buying intent, account words,
competitors, placement, and the labelled real accounts in `tests/data/labels/`."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from helpers import negatives_context

from auditor.audit import audit
from auditor.config import Settings, load_config
from auditor.model import NegativeProposal
from auditor.negatives import propose_negatives
from auditor.negatives.lexicons import buying_phrases
from auditor.negatives.placement import consolidate, subsumes
from auditor.output.jsonform import audit_to_dict
from auditor.stats import poisson_cdf_one
from auditor.terms.matching import EXACT, PHRASE, blocks, in_scope, normalize_one, term_index

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_reports"
REAL = ROOT.parent / "shared" / "real-reports"
LABELS = ROOT / "tests" / "data" / "labels"

HOROSCOPE = [
    # an astrology app: free readings, careers by sign and "what is my" are what it sells
    ("free horoscope", "App", 400, 600.0, 14, 0),
    ("free birth chart", "App", 300, 450.0, 9, 0),
    ("what is my sun sign", "App", 250, 400.0, 8, 0),
    ("what is my rising sign", "App", 120, 200.0, 3, 0),
    ("pisces career horoscope", "App", 90, 160.0, 2, 0),
    ("career horoscope today", "App", 60, 110.0, 0, 0),
    ("free birth chart pdf", "App", 12, 25.0, 0, 0),
    ("astrology jobs", "App", 6, 14.0, 0, 0),
    ("horoscope app jobs remote", "App", 5, 11.0, 0, 0),
    ("how to read a birth chart", "App", 30, 50.0, 0, 0),
    ("what is the meaning of a horoscope", "App", 8, 12.0, 0, 0),
]


def test_an_astrology_app_keeps_its_free_career_and_what_is_my_queries() -> None:
    out = propose_negatives(negatives_context(HOROSCOPE))
    texts = {p.text for p in out.proposals}
    assert not texts & {"free", "career", "what is", "what is my", "how", "how to", "meaning"}
    converting = pd.Series([r[0] for r in HOROSCOPE if r[4] > 0])
    for p in out.proposals:
        assert not blocks(p.text, p.match_type, converting).any(), p.text
    assert "jobs" in texts, "job seekers are irrelevant for an app (tier intent)"
    jobs = next(p for p in out.proposals if p.text == "jobs")
    assert jobs.tier == "intent" and jobs.evidence["scope"] == "words: jobs"


LEADS = [
    ("solar panel installation", "Solar", 500, 5000.0, 40, 0),
    ("free solar quote", "Solar", 200, 1800.0, 18, 0),
    ("solar panels cost", "Solar", 150, 1500.0, 0, 0),
    ("how much do solar panels cost", "Solar", 120, 1300.0, 0, 0),
    ("how do solar panels work", "Solar", 180, 1600.0, 0, 0),
    ("how do solar panels work diagram", "Solar", 90, 800.0, 0, 0),
    ("free solar panels government", "Solar", 160, 1500.0, 0, 0),
    ("free solar panels for low income", "Solar", 140, 1300.0, 0, 0),
]


def test_no_proposal_blocks_or_is_made_of_a_buying_question() -> None:
    out = propose_negatives(negatives_context(LEADS))
    buying = pd.Series(["solar panels cost", "how much do solar panels cost", "free solar quote"])
    for p in out.proposals:
        assert not blocks(p.text, p.match_type, buying).any(), p.text
        assert not set(p.text.split()) & {"cost", "price", "quote"}, p.text
    texts = {p.text for p in out.proposals}
    assert "how much" not in texts and "free" not in texts
    assert any("protected term 'how much'" in h.reason for h in out.held_back if h.text == "how")


def test_proven_waste_of_a_business_dependent_word_is_proposed_around_buying_questions() -> None:
    """`how do` (solar panels work) and the free-panel seekers never convert on 590 clicks:
    proven. Their negatives never reach the price questions."""
    out = propose_negatives(negatives_context(LEADS))
    proven = {p.text: p for p in out.proposals if p.tier == "proven"}
    assert proven, [h.reason for h in out.held_back]
    for p in proven.values():
        assert p.evidence["p_value"] <= 0.05 and p.evidence["conversions"] == 0
        assert p.evidence["cost"] >= 1300.0


def test_the_one_probability_matches_the_exact_poisson_tail() -> None:
    out = propose_negatives(negatives_context(LEADS))
    for p in out.proposals:
        ev = p.evidence
        assert ev["p_value"] == pytest.approx(
            poisson_cdf_one(0, ev["expected_conversions"]), rel=1e-3
        )


def test_a_word_the_account_bids_on_needs_proof_even_when_unambiguous() -> None:
    """A recruiting agency bids on `jobs`: its job queries are never negated on intent."""
    ctx = negatives_context(
        [
            ("nurse jobs", "Recruiting", 300, 900.0, 20, 0),
            ("care jobs near me", "Recruiting", 8, 20.0, 0, 0),
            ("warehouse jobs", "Recruiting", 6, 18.0, 0, 0),
        ]
    )
    ctx.keywords = pd.DataFrame({"keyword": ["nurse jobs"], "campaign": ["Recruiting"]})
    out = propose_negatives(ctx)
    assert not [p for p in out.proposals if "jobs" in p.text.split()]


def test_named_competitors_are_proposed_where_the_account_does_not_bid_on_them() -> None:
    rows = [
        ("hiking boots", "Boots", 300, 900.0, 12, 1200.0),
        ("haglofs boots", "Boots", 8, 30.0, 0, 0),
        ("haglofs jacket", "Boots", 5, 20.0, 0, 0),
        ("lundhags boots", "Boots", 20, 60.0, 1, 80.0),
    ]
    out = propose_negatives(negatives_context(rows, Settings(competitors=("Haglofs", "Lundhags"))))
    texts = {p.text: p for p in out.proposals}
    assert texts["haglofs"].intent == "competitor" and texts["haglofs"].tier == "intent"
    assert "lundhags" not in texts, "it converts here"


def test_competitors_come_from_the_config_and_the_command_line(tmp_path: Path) -> None:
    cfg = tmp_path / "account.toml"
    cfg.write_text('[account]\ncompetitors = ["globex"]\n[negatives]\nreview_limit = 5\n')
    settings = load_config(cfg)
    assert settings.competitors == ("globex",) and settings.review_limit == 5


def test_review_lists_the_wasteful_rest_ranked_and_capped() -> None:
    result = audit(
        [SAMPLES / "google-ads-search-terms-en.csv"],
        Settings(review_limit=10, keywords=(SAMPLES / "google-ads-keywords-en.csv",)),
    )
    review = [h for h in result.held_back if h.kind == "review"]
    assert 0 < len(review) <= 10
    for h in review:
        assert not h.reason.startswith("review") and h.would_block
        assert h.would_block_terms >= len(h.would_block) and h.would_block_cost > 0
        assert h.evidence["conversions"] == 0 and 0 <= h.evidence["closeness"] < 1
    data = audit_to_dict(result)
    listed = [h for h in data["held_back"] if h["kind"] == "review"]
    assert [h["reason"] for h in listed] == [f"review: {h.reason}" for h in review]
    assert {"tier", "evidence"} <= set(data["negatives"][0])
    assert {h["kind"] for h in data["held_back"]} == {"review", "unsafe"}
    json.dumps(data)


def _neg(text: str, match: str, level: str, campaign: str | None = None) -> NegativeProposal:
    return NegativeProposal(f"{text}|{match}|{level}|{campaign}", text, match, level, campaign)


def test_a_negative_subsumed_in_the_same_scope_is_dropped() -> None:
    free = _neg("free", PHRASE, "campaign", "Boots")
    download = _neg("free download", PHRASE, "campaign", "Boots")
    other = _neg("free download", PHRASE, "campaign", "Tents")
    exact = _neg("free boots pdf", EXACT, "campaign", "Boots")
    assert subsumes(free, download, "google") and subsumes(free, exact, "google")
    assert not subsumes(free, other, "google")
    assert consolidate([download, free, other, exact], "google") == [free, other]


def test_buying_phrases_cover_every_bundled_language() -> None:
    phrases = set(buying_phrases(Settings()))
    assert {"price", "how much", "near me", "pris", "offert", "tilbud", "angebot"} <= phrases


def _labelled(name: str) -> tuple[pd.DataFrame, np.ndarray, np.ndarray, object]:
    """The audit of a real download, its labels per row and what proposals / review cover."""
    result = audit([REAL / f"{name}.csv"], Settings())
    labels = pd.read_csv(LABELS / f"{name}.csv", keep_default_na=False)
    table = result.table
    label = (
        table["search_term"]
        .map(normalize_one)
        .map(dict(zip(labels["search_term"].map(normalize_one), labels["label"], strict=True)))
    )
    index = term_index(table)
    proposed = np.zeros(len(table), dtype=bool)
    for p in result.negatives:
        rows = index.blocked_rows(p.text, p.match_type)
        proposed[in_scope(index, rows, p.level, p.campaign, p.ad_group, p.campaigns)] = True
    reviewed = np.zeros(len(table), dtype=bool)
    for h in result.held_back:
        if h.kind == "review":
            reviewed[index.blocked_rows(h.text, h.match_type)] = True
    table = table.assign(label=label.fillna("unlabelled"))
    return table, proposed, reviewed, result


@pytest.mark.parametrize(
    "name", ["google-ads-search-agency-inr", "google-ads-pmax-phone-cases-usd"]
)
def test_labelled_real_account(name: str) -> None:
    """Issue 9's done-when on real downloads labelled by a specialist (tests/data/labels):
    proposed spend on relevant terms <= 5% and no proposal made of a buying word on both; at
    least 40% of the irrelevant spend proposed or listed for review on the agency account (the
    phone-case shop's irrelevant spend is competitor names at cents each: see the README)."""
    if not (REAL / f"{name}.csv").exists():
        pytest.skip("needs ../shared/real-reports")
    table, proposed, reviewed, result = _labelled(name)
    cost = table["cost"].fillna(0).to_numpy()
    relevant = (table["label"] == "relevant").to_numpy()
    irrelevant = (table["label"] == "irrelevant").to_numpy()
    if cost[proposed].sum() > 0:
        assert cost[proposed & relevant].sum() <= 0.05 * cost[proposed].sum()
    buying = set(buying_phrases(Settings()))
    for p in result.negatives:
        assert not any(f" {b} " in f" {p.text} " for b in buying), p.text
    if name == "google-ads-search-agency-inr":
        assert cost[irrelevant & (proposed | reviewed)].sum() >= 0.40 * cost[irrelevant].sum()


def test_compounds_of_an_unknown_modifier_are_one_family_each_its_own_entry() -> None:
    """A tyre shop selling summer tyres: `vinter...` compounds never match a phrase negative
    `vinter`, so each compound is an entry of its own, judged together."""
    rows = [
        ("sommardäck", "Däck", 900, 2700.0, 40, 30000.0),
        ("sommardäck 16 tum", "Däck", 300, 900.0, 12, 9000.0),
        ("fälgar", "Däck", 300, 900.0, 10, 9000.0),
        ("vinterdäck", "Däck", 120, 420.0, 0, 0),
        ("vinterdäck 16 tum", "Däck", 60, 200.0, 0, 0),
        ("vinterfälgar", "Däck", 70, 240.0, 0, 0),
        ("billiga vinterdäck", "Däck", 40, 130.0, 0, 0),
    ]
    out = propose_negatives(negatives_context(rows))
    proposed = {p.text: p for p in out.proposals}
    assert {"vinterdäck", "vinterfälgar"} <= set(proposed)
    assert proposed["vinterdäck"].family == "compound: vinter"
    assert proposed["vinterdäck"].tier == "proven"
    assert "sommardäck" not in proposed


LEADGEN = SAMPLES / "leadgen"


def test_a_lead_generation_account_never_loses_a_buying_question() -> None:
    """The solar installer sample (`python -m tools.samplegen.leadgen`): free quotes, cost
    and financing questions convert or are relevant; job seekers, DIY, free-panel seekers,
    courses, wrong meanings, competitors and used panels are planted irrelevant families."""
    truth = json.loads((LEADGEN / "truth.json").read_text(encoding="utf-8"))["accounts"]["leadgen"]
    terms = pd.DataFrame(truth["terms"])
    result = audit(
        [LEADGEN / "google-ads-search-terms-en.csv"],
        Settings(brand=tuple(truth["brand"]), keywords=(LEADGEN / "google-ads-keywords-en.csv",)),
    )
    blocked = np.zeros(len(terms), dtype=bool)
    for p in result.negatives:
        hit = blocks(p.text, p.match_type, terms["search_term"]).to_numpy().copy()
        if p.level != "shared_list":
            hit &= (terms["campaign"] == p.campaign).to_numpy()
        if p.level == "ad_group":
            hit &= (terms["ad_group"] == p.ad_group).to_numpy()
        blocked |= hit
    assert result.negatives
    assert not terms.loc[blocked & terms["buying_question"], "search_term"].tolist()
    assert not (blocked & (terms["conversions"] > 0)).any()
    reviewed = np.zeros(len(terms), dtype=bool)
    for h in result.held_back:
        if h.kind == "review":
            reviewed |= blocks(h.text, h.match_type, terms["search_term"]).to_numpy()
    family = terms["family"].notna()
    cost = terms["cost"]
    assert cost[family & (blocked | reviewed)].sum() >= 0.8 * cost[family].sum()
