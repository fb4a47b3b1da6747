"""QA pass on TRACK003 (conversions exceed clicks) and the tracking coverage notes.

A few rows of 4 purchases from one click are no sign of broken tracking: the finding is low,
set at account level when the report has no Campaign column, and lowers no waste finding.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import auditor.tracking  # noqa: F401  (registers the checks)
from auditor import schema
from auditor.audit import audit
from auditor.config import Settings
from auditor.engine.checks import CHECKS
from auditor.engine.packs import Rule, load_rules
from auditor.model import Finding
from auditor.tracking.inputs import TrackingInputs

REAL = Path(__file__).resolve().parents[1].parent / "shared" / "real-reports"
PMAX = REAL / "google-ads-pmax-phone-cases-usd.csv"


@pytest.fixture(scope="module")
def rules() -> dict[str, Rule]:
    return {r.check: r for r in load_rules(Settings()) if r.check}


def _rows(records: list[dict[str, object]]) -> pd.DataFrame:
    table = pd.DataFrame(records)
    table["line"] = range(2, len(table) + 2)
    return schema.conform(table)


def _exceed(rules: dict[str, Rule], records: list[dict[str, object]]) -> list[Finding]:
    inputs = TrackingInputs(rows=_rows(records))
    return CHECKS["conversions_exceed_clicks"].run(inputs, rules["conversions_exceed_clicks"])


def _terms(n: int, clicks: float, conversions: float, **extra: object) -> list[dict[str, object]]:
    return [
        {"search_term": f"case {i}", "clicks": clicks, "conversions": conversions, **extra}
        for i in range(n)
    ]


def test_a_few_rows_of_four_from_one_click_are_low_at_account_level(
    rules: dict[str, Rule],
) -> None:
    # 5 rows of 4 conversions from 1 click: 15 extra of 275 conversions (5.5%), no campaign.
    records = _terms(5, 1.0, 4.0) + _terms(50, 20.0, 5.1)
    (found,) = _exceed(rules, records)
    assert found.severity == "low"
    assert found.level == "account" and found.campaign is None
    assert found.message.startswith("The account: 5 rows")
    assert "of the account's" in found.message and "campaign" not in found.message.lower()


def test_material_excess_without_a_campaign_column_is_medium_for_the_account(
    rules: dict[str, Rule],
) -> None:
    # 15 extra of 50 conversions (30%): the account's figures are shaken.
    (found,) = _exceed(rules, _terms(5, 1.0, 4.0) + _terms(6, 20.0, 5.0))
    assert found.severity == "medium" and found.level == "account" and found.campaign is None
    assert "30% of the account's" in found.message


def test_a_campaign_is_judged_against_its_own_conversions(
    rules: dict[str, Rule],
) -> None:
    tents = _terms(2, 3.0, 10.0, campaign="Tents") + _terms(10, 40.0, 8.0, campaign="Tents")
    boots = _terms(3, 1.0, 4.0, campaign="Boots") + _terms(20, 40.0, 10.0, campaign="Boots")
    found = {f.campaign: f for f in _exceed(rules, tents + boots)}
    assert found["Tents"].severity == "medium" and found["Tents"].level == "campaign"
    assert "Campaign Tents:" in found["Tents"].message
    assert "of the campaign's" in found["Tents"].message
    assert found["Boots"].severity == "low"  # 9 extra of 212 conversions (4.2%)


@pytest.mark.skipif(not PMAX.is_file(), reason="../shared/real-reports is absent")
def test_the_pmax_download_gets_a_low_account_finding_and_no_caveat() -> None:
    result = audit([PMAX], Settings())
    (found,) = [f for f in result.findings if f.check == "conversions_exceed_clicks"]
    assert found.severity == "low" and found.level == "account" and found.campaign is None
    assert "The account: 22 rows with more conversions than clicks, 5 of them far more" in (
        found.message
    )
    assert "of the account's" in found.message
    assert (found.evidence["rows_over_clicks"], found.evidence["rows_over_threshold"]) == (22, 5)
    assert found.evidence["excess_conversions"] == 15.0
    judged = [f for f in result.findings if f.category in ("waste", "profit")]
    assert judged, "the download has waste findings"
    assert not [f for f in judged if "tracking_caveat" in f.metrics]
    assert not [f for f in judged if "Tracking caveat" in f.message]


def test_a_report_without_rows_says_so_instead_of_asking_for_columns(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_text(
        'Search terms report\n"October 1, 2026 - October 30, 2026"\n'
        "Search term,Campaign,Clicks,Impr.,Cost,Conversions\n",
        encoding="utf-8",
    )
    result = audit([path], Settings())
    skipped = {c["check"]: c["reason"] for c in result.checks_skipped if "check" in c}
    assert skipped["conversions_exceed_clicks"] == "the report has no rows"


def test_a_report_without_a_conversions_column_is_said_to_need_one(tmp_path: Path) -> None:
    path = tmp_path / "no-conversions.csv"
    path.write_text(
        'Search terms report\n"October 1, 2026 - October 30, 2026"\n'
        "Search term,Campaign,Clicks,Impr.,Cost\n"
        "tent,Tents,12,300,14.50\n",
        encoding="utf-8",
    )
    result = audit([path], Settings())
    skipped = {c["check"]: c["reason"] for c in result.checks_skipped if "check" in c}
    expected = "needs a report with Clicks and Conversions columns"
    assert skipped["conversions_exceed_clicks"] == expected
