"""Coverage: the share of the account's spend (the file's own Total rows) in the audited rows,
by campaign type, on the real downloads."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from auditor.audit import audit
from auditor.cli import main
from auditor.config import Settings

REAL = Path(__file__).resolve().parent.parent.parent / "shared" / "real-reports"
TOWING = REAL / "google-ads-towing-cad-utf16.csv"
INR = REAL / "google-ads-search-agency-inr.csv"
PMAX = REAL / "google-ads-pmax-phone-cases-usd.csv"
pytestmark = pytest.mark.skipif(not TOWING.exists(), reason="real downloads not available")


def test_a_smart_campaign_holding_the_spend_is_named(tmp_path, capsys):
    out = tmp_path / "audit.json"
    assert main(["audit", str(TOWING), "--json", str(out)]) == 0
    printed = capsys.readouterr().out
    cov = json.loads(out.read_text(encoding="utf-8"))["coverage"]
    assert (cov["account_cost"], cov["audited_cost"], cov["outside_cost"]) == (164.11, 0.12, 163.99)
    assert cov["share"] == pytest.approx(0.12 / 164.11)
    assert cov["by_campaign_type"] == [
        {"campaign_type": "smart", "cost": 163.99, "audited_cost": 0.0, "share": 0.0},
        {"campaign_type": "search", "cost": 0.12, "audited_cost": 0.12, "share": 1.0},
    ]
    assert "Coverage:    0.1% of the account's spend (CAD 164.11" in printed
    assert "Smart 0% of CAD 163.99, Search 100% of CAD 0.12" in printed
    assert "99.9% of the account's spend (CAD 163.99) is in neither" in printed


def test_hidden_terms_are_not_outside_spend():
    cov = audit([INR], Settings()).coverage
    assert cov is not None and cov["outside_cost"] == pytest.approx(361.01, abs=0.02)
    assert cov["hidden_cost"] == 34897.65
    result = audit([INR], Settings())
    assert not any("is in neither" in n for n in result.notes)


def test_performance_max_spend_without_search_terms_is_noted():
    result = audit([PMAX], Settings())
    cov = result.coverage
    assert cov is not None and cov["source"] == "campaign" and cov["by_campaign_type"] == []
    assert cov["outside_cost"] == pytest.approx(1468.19 - 573.10 - 474.27, abs=0.02)
    assert any(n.startswith("28.7% of the campaign's spend") for n in result.notes)
