"""The real Google Ads downloads in ../shared/real-reports/ read right, totals and all."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor import schema
from auditor.audit import audit
from auditor.readers import read_report
from auditor.readers.figures import allowance

REAL = Path(__file__).resolve().parents[1].parent / "shared" / "real-reports"
SEARCH_TERMS = [
    "google-ads-pmax-phone-cases-usd.csv",
    "google-ads-search-agency-inr.csv",
    "google-ads-towing-cad-utf16.csv",
]
KEYWORDS = "google-ads-towing-cad-utf16-keywords.csv"

pytestmark = pytest.mark.skipif(not REAL.is_dir(), reason="../shared/real-reports is absent")


def _total_lines(path: Path) -> list[int]:
    """1-based line numbers of lines that hold a `Total:` cell, read independently."""
    raw = path.read_bytes()
    text = raw.decode("utf-16") if raw.startswith(b"\xff\xfe") else raw.decode("utf-8")
    return [n for n, line in enumerate(text.splitlines(), start=1) if "Total:" in line]


@pytest.mark.parametrize("name", SEARCH_TERMS)
def test_rows_sum_to_the_files_search_terms_total(name: str) -> None:
    report = read_report(REAL / name)
    total = report.file_totals["search_terms"]
    table = report.table
    assert report.kind == schema.KIND_SEARCH_TERMS
    for metric in ("cost", "clicks", "impressions", "conversions"):
        assert abs(table[metric].sum() - total[metric]) <= allowance(len(table)) + 1e-6, metric
    assert not [n for n in report.notes if "disagree" in n]


@pytest.mark.parametrize("name", [*SEARCH_TERMS, KEYWORDS])
def test_no_total_row_became_data(name: str) -> None:
    path = REAL / name
    report = read_report(path)
    total_lines = _total_lines(path)
    assert total_lines
    assert not set(report.table["line"]) & set(total_lines)
    for col in ("search_term", "keyword", "campaign", "match_type"):
        assert not report.table[col].fillna("").str.contains("Total:").any()
    assert len(report.file_totals) == len(total_lines)


def test_pmax_report_has_no_campaign_or_ad_group_and_keeps_a_short_row() -> None:
    report = read_report(REAL / "google-ads-pmax-phone-cases-usd.csv")
    table = report.table
    assert len(table) == 18_948
    assert table["campaign"].isna().all() and table["ad_group"].isna().all()
    assert set(table["match_type"]) == {schema.MATCH_PMAX}
    assert report.currency == "USD"
    assert (report.period.start.isoformat(), report.period.end.isoformat()) == (
        "2026-01-28",
        "2026-02-24",
    )
    assert report.file_totals["other_search_terms"]["cost"] == pytest.approx(474.27)
    assert report.skipped == []


def test_inr_agency_report_quoted_campaigns_and_dash_ratios() -> None:
    report = read_report(REAL / "google-ads-search-agency-inr.csv")
    table = report.table
    assert "Doctor SEO campaign - Delhi, New Delhi" in set(table["campaign"])
    assert report.currency == "INR"
    assert report.format == "google_ads_csv"
    assert report.locale == "en"
    assert report.unknown_columns == []
    assert {"phrase_close_variant", "exact_close_variant", "broad"} <= set(table["match_type"])
    other = report.file_totals["other_search_terms"]
    assert other["impressions"] == 0 and other["cost"] == pytest.approx(34_897.65)


def test_utf16_tab_report_statuses_and_campaign_types() -> None:
    report = read_report(REAL / "google-ads-towing-cad-utf16.csv")
    table = report.table
    assert report.format == "google_ads_tsv_utf16"
    assert report.currency == "CAD"
    assert report.period.days == 8
    assert set(table["status"]) == {"none", "added", "excluded"}
    excluded = table.loc[table["status"] == "excluded", "search_term"].tolist()
    assert excluded == ["tire repair cloverdale"]
    assert set(table["match_type"]) >= {"ai_max", "exact_close_variant", "phrase_close_variant"}
    assert report.file_totals["smart"]["impressions"] == 10_679


def test_keyword_report_reads_as_bought_keywords() -> None:
    report = read_report(REAL / KEYWORDS)
    table = report.table
    assert report.kind == schema.KIND_KEYWORDS
    assert len(table) == 17
    assert table["search_term"].isna().all()
    assert set(table["keyword_match_type"]) == {"broad"}
    assert set(table["status"]) == {"enabled"}
    assert "towing near me" in set(table["keyword"])
    assert report.file_totals["your_keywords"]["impressions"] == 19
    assert report.file_totals["all_but_removed_keywords"]["clicks"] == 1


def test_audit_end_to_end_on_the_inr_report_shows_the_hidden_share() -> None:
    result = audit([REAL / "google-ads-search-agency-inr.csv"])
    assert result.hidden_cost == pytest.approx(34_897.65 / (34_897.65 + 18_859.19))
    assert round(result.hidden_cost, 2) == 0.65
    assert result.totals["cost"] == pytest.approx(18_859.19, abs=0.02)
    assert result.totals["conversion_value"] is None
    assert result.currency == "INR"
    assert result.inputs[0].rows == 554
