"""Metrics at every level, the shrunk baseline rate, and the chance of zero conversions."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from auditor import schema
from auditor.config import Settings
from auditor.engine.context import AuditContext
from auditor.engine.workspace import Workspace
from auditor.stats import PRIOR_CLICKS, poisson_cdf


def context(rows: list[dict], settings: Settings | None = None, **kw) -> AuditContext:
    base = {"campaign": "Generic", "ad_group": "Shoes", "status": "none"}
    table = schema.conform(pd.DataFrame([base | r for r in rows]))
    kw.setdefault("keywords", table.loc[table["keyword"].notna(), ["keyword"]])
    return AuditContext(
        table=table,
        columns_present=frozenset(kw.pop("present", ("cost", "clicks", "conversions"))),
        settings=settings or Settings(),
        **kw,
    )


ROWS = [
    {
        "ad_group": "Shoes",
        "search_term": "running shoes",
        "clicks": 900,
        "cost": 900,
        "conversions": 45,
    },
    {
        "ad_group": "Shoes",
        "search_term": "shoes jobs",
        "clicks": 100,
        "cost": 100,
        "conversions": 0,
    },
    {"ad_group": "Socks", "search_term": "wool socks", "clicks": 10, "cost": 10, "conversions": 2},
    {"ad_group": "Socks", "search_term": "socks", "clicks": 10, "cost": 10, "conversions": 0},
    {
        "campaign": "Brand",
        "ad_group": "Brand",
        "search_term": "acme",
        "clicks": 980,
        "cost": 480,
        "conversions": 53,
    },
]


def level_row(level, **keys) -> int:
    match = np.ones(level.size, dtype=bool)
    for k, v in keys.items():
        match &= level.keys[k] == v
    (idx,) = np.flatnonzero(match)
    return int(idx)


def test_account_figures_and_targets_come_from_the_account_without_settings():
    ws = Workspace(context(ROWS))
    b = ws.baseline
    assert b.cost == 1500 and b.clicks == 2000 and b.conversions == 100
    assert b.cpa == pytest.approx(15.0) and b.cvr == pytest.approx(0.05)
    assert b.target_cpa == pytest.approx(15.0) and b.target_cpa_source == "account"
    ws = Workspace(context(ROWS, Settings(target_cpa=20.0, margin=0.4)))
    assert ws.baseline.target_cpa == 20.0 and ws.baseline.target_cpa_source == "settings"
    assert ws.baseline.break_even_roas == pytest.approx(2.5)


def test_search_term_sums_and_ratios():
    lv = Workspace(context(ROWS)).level("search_term")
    i = level_row(lv, search_term="running shoes")
    assert lv.get("cost")[i] == 900 and lv.get("cvr")[i] == pytest.approx(0.05)
    assert lv.get("cpa")[i] == pytest.approx(20.0)
    j = level_row(lv, search_term="shoes jobs")
    assert math.isnan(lv.get("cpa")[j])


def test_baseline_is_the_rest_of_the_ad_group_shrunk_toward_the_campaign():
    ws = Workspace(context(ROWS))
    lv = ws.level("search_term")
    k = PRIOR_CLICKS
    account = 100 / 2000
    campaign = (45 + 2 + k * account) / (1020 + k)
    i = level_row(lv, search_term="shoes jobs")
    # leave-one-out: the other 900 clicks of the ad group, not the term itself
    expected = (45 + k * campaign) / (900 + k)
    assert lv.get("baseline_cvr")[i] == pytest.approx(expected)
    assert lv.get("expected_conversions")[i] == pytest.approx(100 * expected)
    assert lv.get("p_zero")[i] == pytest.approx(math.exp(-100 * expected))
    # a thin ad group leans on its campaign: 10 other clicks barely move it
    j = level_row(lv, search_term="socks")
    thin = (2 + k * campaign) / (10 + k)
    assert lv.get("baseline_cvr")[j] == pytest.approx(thin)
    assert abs(thin - campaign) < abs(0.2 - campaign)


def test_levels_group_without_dropping_missing_keys():
    rows = [
        *ROWS,
        {
            "campaign": None,
            "ad_group": None,
            "search_term": "pmax term",
            "clicks": 5,
            "cost": 7,
            "conversions": 0,
        },
    ]
    ws = Workspace(context(rows))
    for name in ("search_term", "ad_group", "campaign", "account"):
        assert ws.level(name).get("cost").sum() == pytest.approx(1507)
    camp = ws.level("campaign")
    assert sorted(camp.keys["campaign"], key=str) == sorted(["Generic", "Brand", None], key=str)


def test_unknown_columns_stay_unknown():
    ws = Workspace(context(ROWS))
    assert np.isnan(ws.level("search_term").get("value")).all()
    assert math.isnan(ws.baseline.roas)


def test_brand_is_matched_as_whole_words():
    rows = [
        {"search_term": t, "clicks": 1, "cost": 1, "conversions": 0}
        for t in ("acme shoes", "Acme", "acmeshoes", "macme socks", "shoes by acme")
    ]
    lv = Workspace(context(rows, Settings(brand=("acme",)))).level("search_term")
    flagged = {t for t, b in zip(lv.keys["search_term"], lv.get("is_brand"), strict=True) if b}
    assert flagged == {"acme shoes", "Acme", "shoes by acme"}


def test_is_keyword_compares_normalised_text():
    kw = pd.DataFrame({"keyword": ["running shoes", "+wool +socks"]}).astype(schema.STRING_DTYPE)
    rows = [
        {"search_term": t, "clicks": 1, "cost": 1, "conversions": 1}
        for t in ("Running  Shoes", "wool socks", "running shoes women")
    ]
    lv = Workspace(context(rows, keywords=kw)).level("search_term")
    got = dict(zip(lv.keys["search_term"], lv.get("is_keyword"), strict=True))
    assert got == {"Running  Shoes": True, "wool socks": True, "running shoes women": False}


def test_distinct_ad_groups_serving_a_term():
    rows = [
        {"ad_group": g, "search_term": "trail shoes", "clicks": 1, "cost": 1, "conversions": 0}
        for g in ("A", "B", "B", "C")
    ]
    lv = Workspace(context(rows)).level("term_account")
    assert lv.get("ad_groups").tolist() == [3.0]
    assert lv.get("campaigns").tolist() == [1.0]


@pytest.mark.parametrize(("k", "lam"), [(0, 3.0), (2, 3.0), (5, 2.5), (30, 40.0), (80, 100.0)])
def test_poisson_lower_tail(k, lam):
    exact = sum(math.exp(-lam + i * math.log(lam) - math.lgamma(i + 1)) for i in range(k + 1))
    got = poisson_cdf(np.array([k]), np.array([lam]))[0]
    assert got == pytest.approx(exact, rel=1e-9)


def test_ngram_level_uses_clicked_terms_or_every_row_without_a_clicks_column():
    rows = [
        {"search_term": "boot jobs", "clicks": 3, "cost": 5, "conversions": 0},
        {"search_term": "sock jobs", "clicks": 0, "cost": 0, "conversions": 0},
    ]
    lv = Workspace(context(rows)).level("ngram")
    got = dict(zip(lv.keys["ngram"], lv.get("terms"), strict=True))
    assert got["jobs"] == 1 and "sock" not in got
    no_clicks = [{k: v for k, v in r.items() if k != "clicks"} for r in rows]
    lv = Workspace(context(no_clicks, present=("cost",))).level("ngram")
    got = dict(zip(lv.keys["ngram"], lv.get("terms"), strict=True))
    assert got["jobs"] == 2
