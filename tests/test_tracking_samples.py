"""Done-when of issue 5 on the repo's own tracking samples (truth from the generator).

The faulty account has every fault planted; each must be found with the right check and the
right evidence. The clean twin must get no tracking finding of severity medium or above, and
neither twin may call the conversion lag of the last days an outage.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from auditor.audit import audit
from auditor.config import Settings
from auditor.model import AuditResult, Finding
from tools.samplegen.tracking import write_samples

SAMPLES = Path(__file__).resolve().parents[1] / "sample_reports" / "tracking"
TRUTH = json.loads((SAMPLES / "truth.json").read_text(encoding="utf-8"))
SERIOUS = ("high", "medium")
ONE_LOWER = {"high": "medium", "medium": "low", "low": "info", "info": "info"}


def _audit(name: str) -> AuditResult:
    folder = SAMPLES / name
    settings = Settings(
        by_action=(folder / "by-action.csv",),
        conversions=(folder / "conversions.csv",),
        orders=(folder / "orders.csv",),
    )
    return audit([folder / "search-terms-by-day.csv"], settings)


@pytest.fixture(scope="module")
def faulty() -> list[Finding]:
    return [f for f in _audit("faulty").findings if f.category == "tracking"]


@pytest.fixture(scope="module")
def clean() -> list[Finding]:
    return [f for f in _audit("clean").findings if f.category == "tracking"]


def _serious(findings: list[Finding], check: str) -> list[Finding]:
    return [f for f in findings if f.check == check and f.severity in SERIOUS]


def test_every_planted_fault_is_found_with_its_check(faulty: list[Finding]) -> None:
    missing = [check for check in TRUTH["faulty"] if not _serious(faulty, check)]
    assert not missing, f"planted faults not found: {missing}"
    assert not [f for f in faulty if f.rule == "internal-error"]


def test_outage_names_the_campaign_and_the_days(faulty: list[Finding]) -> None:
    planted = TRUTH["faulty"]["outage"]
    (found,) = _serious(faulty, "outage")
    assert found.campaign == planted["campaign"]
    assert found.evidence["days"] == planted["days"]
    assert found.evidence["p_value"] < 1e-6 and found.evidence["conversions"] == 0
    assert "2026-10-13 to 2026-10-15" in found.message


def test_conversion_lag_is_never_called_an_outage(
    faulty: list[Finding], clean: list[Finding]
) -> None:
    lag = set(TRUTH["lag_days"])
    for f in [*faulty, *clean]:
        if f.check == "outage" and lag & set(f.evidence["days"]):
            assert f.severity == "info" and f.evidence["likely_lag"]
            assert "lag" in f.message


def test_duplicates_list_the_repeated_ids(faulty: list[Finding]) -> None:
    planted = TRUTH["faulty"]["duplicate_transactions"]
    (found,) = _serious(faulty, "duplicate_transactions")
    assert set(found.evidence["ids"]) == set(planted["ids"])
    assert found.evidence["action"] == planted["action"]


def test_double_counting_names_both_purchase_actions(faulty: list[Finding]) -> None:
    planted = TRUTH["faulty"]["double_counting"]
    found = _serious(faulty, "double_counting")
    assert any(set(f.evidence["actions"]) == set(planted["actions"]) for f in found)


def test_value_faults_point_at_the_planted_conversions(faulty: list[Finding]) -> None:
    for check in ("missing_value", "default_value", "negative_value", "currency_mismatch"):
        planted = set(TRUTH["faulty"][check]["ids"])
        (found,) = _serious(faulty, check)
        listed = set(found.evidence["transaction_ids"])
        assert listed and listed <= planted, check
    (default,) = _serious(faulty, "default_value")
    assert default.evidence["value"] == TRUTH["faulty"]["default_value"]["value"]
    assert default.evidence["count"] == len(TRUTH["faulty"]["default_value"]["ids"])
    (currency,) = _serious(faulty, "currency_mismatch")
    assert currency.evidence["currencies"] == [TRUTH["faulty"]["currency_mismatch"]["currency"]]


def test_conversions_exceed_clicks_finds_the_reloading_rows(faulty: list[Finding]) -> None:
    planted = TRUTH["faulty"]["conversions_exceed_clicks"]
    (found,) = _serious(faulty, "conversions_exceed_clicks")
    assert found.campaign == planted["campaign"]
    rows = {(r["day"], r["search_term"]) for r in found.evidence["rows"]}
    assert rows == {(r["day"], r["search_term"]) for r in planted["rows"]}


def test_values_in_cents_and_the_shop_mismatch(faulty: list[Finding]) -> None:
    (unit,) = _serious(faulty, "implausible_roas")
    assert unit.evidence["action"].lower() == TRUTH["faulty"]["implausible_roas"]["action"].lower()
    assert 50 <= unit.evidence["factor"] <= 200
    (backend,) = _serious(faulty, "backend_mismatch")
    assert set(backend.evidence["measures"]) == set(TRUTH["faulty"]["backend_mismatch"]["measures"])
    assert backend.evidence["measures"]["conversions"]["ratio"] > 1.1


def test_the_clean_twin_gets_no_serious_tracking_finding(clean: list[Finding]) -> None:
    assert [f.message for f in clean if f.severity in SERIOUS] == []


def test_the_generator_is_deterministic(tmp_path: Path) -> None:
    write_samples(tmp_path)
    for path in sorted(SAMPLES.rglob("*")):
        if path.is_file():
            again = tmp_path / path.relative_to(SAMPLES)
            assert again.read_bytes() == path.read_bytes(), path.name


def test_a_folder_of_the_four_files_gives_each_its_role(faulty: list[Finding]) -> None:
    result = audit([SAMPLES / "faulty"], Settings())
    roles = {i.path.name: i.role for i in result.inputs}
    assert roles["by-action.csv"] == "by_action", "by-action rows must not join the term table"
    flagged = _audit("faulty")
    assert result.totals["conversions"] == flagged.totals["conversions"]
    serious = {(f.check, f.campaign) for f in result.findings if f.severity in SERIOUS}
    assert serious >= {(f.check, f.campaign) for f in faulty if f.severity in SERIOUS}


def test_the_notes_say_which_tracking_checks_could_not_run() -> None:
    result = audit([SAMPLES / "clean" / "search-terms-by-day.csv"], Settings())
    skipped = {c["check"]: c["reason"] for c in result.checks_skipped if "check" in c}
    assert skipped["backend_mismatch"] == "needs the shop's orders per day (--orders FILE)"
    assert "outage" not in skipped, "the report's Day column feeds the outage check"
    full = _audit("clean")
    assert not [c for c in full.checks_skipped if "check" in c]


def _campaign_by_day(path: Path, campaigns: list[str], down: str) -> Path:
    """A campaign report by day where `down` records no conversions on 2026-10-10..12."""
    rng = np.random.default_rng(7)
    lines = ["Campaign report", '"October 1, 2026 - October 30, 2026"']
    lines.append("Day,Campaign,Clicks,Impr.,Cost,Conversions,Conv. value")
    for day in pd.date_range("2026-10-01", periods=30, freq="D"):
        for campaign in campaigns:
            conv = 0 if campaign == down and 10 <= day.day <= 12 else rng.poisson(8)
            cells = [f"{day:%Y-%m-%d}", f'"{campaign}"', "200", "3100", "1240.00", f"{conv}.00"]
            lines.append(",".join([*cells, f"{conv * 1150}.00"]))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_waste_in_a_campaign_with_an_outage_carries_a_caveat(tmp_path: Path) -> None:
    main = SAMPLES.parent / "google-ads-search-terms-en.csv"
    before = audit([main], Settings())
    waste = [f for f in before.findings if f.category == "waste" and f.campaign]
    down = pd.Series([f.campaign for f in waste]).value_counts().index[0]
    campaigns = sorted(before.table["campaign"].dropna().unique())
    by_day = _campaign_by_day(tmp_path / "campaigns-by-day.csv", campaigns, down)
    after = audit([main], Settings(by_day=(by_day,)))
    (outage,) = _serious([f for f in after.findings if f.category == "tracking"], "outage")
    assert outage.campaign == down
    key = {(f.rule, f.campaign, f.search_term, f.ngram, f.cost): f for f in before.findings}
    affected = [f for f in after.findings if f.category == "waste" and f.campaign == down]
    assert affected, "the campaign had waste findings before; they must still be there"
    for f in after.findings:
        if f.category not in ("waste", "profit"):
            continue
        was = key[(f.rule, f.campaign, f.search_term, f.ngram, f.cost)]
        if f.campaign == down:
            assert f.metrics["tracking_caveat"] == [outage.rule]
            assert "Tracking caveat" in f.message and "missing data" in f.message
            assert f.severity == ONE_LOWER[was.severity]
        else:
            assert f.severity == was.severity and "tracking_caveat" not in f.metrics
