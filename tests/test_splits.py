"""Split detection (auditor/splits.py): families of campaign names that differ only by a
location, device, language or audience word, on names from real and sample accounts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from auditor.config import Settings
from auditor.engine.run import run_rules
from auditor.inputs import build_context
from auditor.splits import describe, split_signatures

REAL = Path(__file__).resolve().parent.parent.parent / "shared" / "real-reports"
SAMPLES = Path(__file__).resolve().parent.parent / "sample_reports"
INR = REAL / "google-ads-search-agency-inr.csv"


def test_the_agency_accounts_city_campaigns_are_one_family():
    names = [
        "Doctor SEO Campaign Mumbai",
        "Doctor SEO Campaign Hyderabad",
        "Doctor SEO campaign - Delhi, New Delhi",
        "Doctor SEO Campaign - Bangalore",
    ]
    sigs = split_signatures(names)
    assert set(sigs) == set(names)
    assert sigs[names[2]].dims == {"market": frozenset({"delhi", "new delhi"})}
    assert all(a.apart_from(b) for a in sigs.values() for b in sigs.values() if a is not b)
    assert describe([sigs[n] for n in names[:2]]) == "location (Mumbai, Hyderabad)"


def test_state_codes_count_only_in_capitals_and_only_inside_a_family():
    sigs = split_signatures(["Solar - CA", "Solar - TX", "Solar - FL", "Towing Near Me", "Solar"])
    assert {n: sorted(s.dims["market"]) for n, s in sigs.items()} == {
        "Solar - CA": ["ca"],
        "Solar - TX": ["tx"],
        "Solar - FL": ["fl"],
    }
    assert split_signatures(["Shoes in store", "Shoes or boots"]) == {}
    # a lone place name is not a split: nothing else shares its base
    assert split_signatures(["Canada Goose jackets", "Moncler jackets"]) == {}


def test_device_language_and_audience_splits_and_what_still_overlaps():
    sigs = split_signatures(
        ["Shoes - Mobile", "Shoes - Desktop", "Boots EN", "Boots SV", "Generic", "Generic - RLSA"]
    )
    assert sigs["Shoes - Mobile"].apart_from(sigs["Shoes - Desktop"])
    assert sigs["Boots EN"].apart_from(sigs["Boots SV"])
    assert "Generic" not in sigs and sigs["Generic - RLSA"].dims == {"audience": {"rlsa"}}
    both = split_signatures(["Solar - CA", "Solar - TX", "Solar - CA - Mobile"])
    assert not both["Solar - CA"].apart_from(both["Solar - CA - Mobile"])
    assert both["Solar - TX"].apart_from(both["Solar - CA - Mobile"])


def test_an_unknown_word_where_the_family_splits_is_taken_for_a_place():
    sigs = split_signatures(["Solar - Fresno", "Solar - Sacramento", "Solar - Tulare"])
    assert sigs["Solar - Tulare"].dims == {"market": frozenset({"tulare"})}
    # product campaigns of the sample account differ by unknown words only: no split
    assert split_signatures(["Generic - Jackor", "Generic - Kängor, Skor", "Generic - Tält"]) == {}


def test_the_sample_accounts_product_campaigns_are_not_a_split():
    truth = json.loads((SAMPLES / "truth.json").read_text(encoding="utf-8"))
    camps = {t["campaign"] for t in truth["accounts"]["google"]["terms"]}
    groups = {t["ad_group"] for t in truth["accounts"]["google"]["terms"]}
    assert split_signatures(camps) == {}
    assert split_signatures(groups) == {}


@pytest.mark.skipif(not INR.exists(), reason="real downloads not available")
def test_the_city_split_account_keeps_only_the_overlap_inside_one_city():
    """Before splits were known: 6 STRUCT001 findings, all across cities. Now none of them is
    cannibalisation; the two terms served by two ad groups of one city campaign compete."""
    ctx = build_context([INR], Settings())
    findings = run_rules(ctx).findings
    by_rule = {r: [f for f in findings if f.rule == r] for r in ("STRUCT001", "STRUCT005")}
    assert by_rule["STRUCT001"] == []
    assert len(by_rule["STRUCT005"]) == 6
    for f in by_rule["STRUCT005"]:
        assert f.severity == "info"
        assert "split by location (" in f.message and "negative" in f.message
    from auditor.engine.workspace import Workspace

    lv = Workspace(ctx).level("term_account")
    competing = lv.get("competing_ad_groups")
    terms = set(lv.keys.at("search_term", (competing >= 2).nonzero()[0]))
    assert terms == {"healthcare marketing agency in india", "healthcare digital marketing company"}
