"""Readers on variants of the real downloads a specialist meets: `Interactions` instead of
`Clicks`, an `All time` period line, localized impressions and match types, day-first slash
dates, a Performance Max search-term view from the API, cent rounding over many rows, unknown
metric columns. Each variant is the real file with one thing changed, written to tmp_path."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from auditor.readers import read_report
from auditor.readers.dates import find_dates, parse_period, slash_order
from auditor.readers.figures import allowance
from auditor.readers.headers import match_type

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT.parent / "shared" / "real-reports"
INR = REAL / "google-ads-search-agency-inr.csv"
PMAX = REAL / "google-ads-pmax-phone-cases-usd.csv"
SV = ROOT / "sample_reports" / "google-ads-search-terms-sv.csv"
needs_real = pytest.mark.skipif(not INR.exists(), reason="real downloads not available")


def variant(tmp_path: Path, source: Path, edit, name: str = "report.csv") -> Path:
    text = source.read_text(encoding="utf-8")
    out = tmp_path / name
    out.write_text(edit(text), encoding="utf-8")
    return out


def header_swap(*pairs: tuple[str, str]):
    def edit(text: str) -> str:
        lines = text.split("\n")
        for old, new in pairs:
            lines[2] = lines[2].replace(old, new, 1)
        return "\n".join(lines)

    return edit


@needs_real
def test_interactions_are_read_as_clicks_of_search_campaigns(tmp_path):
    path = variant(
        tmp_path,
        INR,
        header_swap(
            ("Clicks", "Interactions"), ("CTR", "Interaction rate"), ("Avg. CPC", "Avg. cost")
        ),
    )
    report = read_report(path)
    assert "clicks" in report.columns_present
    assert report.table["clicks"].sum() == 237
    assert any("'Interactions' read as clicks" in n for n in report.notes)
    assert not report.unknown_columns
    assert not any("disagree" in n for n in report.notes)


@needs_real
def test_an_all_time_period_line_leaves_the_period_unknown_with_a_note(tmp_path):
    path = variant(
        tmp_path, INR, lambda t: t.replace('"December 16, 2024 - December 22, 2024"', "All time")
    )
    report = read_report(path)
    assert report.period is None
    assert any("'All time'" in n and "period is unknown" in n for n in report.notes)
    assert len(report.table) == 554


@pytest.mark.parametrize("name", ["Exponeringar", "Exp.", "Eksp."])
def test_nordic_impression_headers(tmp_path, name):
    plain = read_report(SV)
    report = read_report(variant(tmp_path, SV, header_swap(("Visn.", name))))
    assert "impressions" in report.columns_present
    assert report.table["impressions"].sum() == plain.table["impressions"].sum()


def test_german_and_norwegian_match_type_words():
    assert match_type("Breit") == "broad"
    assert match_type("Breite Übereinstimmung") == "broad"
    assert match_type("Weitgehend passend") == "broad"
    assert match_type("Passende Wortgruppe") == "phrase"
    assert match_type("Genau passend") == "exact"
    assert match_type("Frasesamsvar") == "phrase"
    assert match_type("Bredt samsvar") == "broad"


@needs_real
def test_an_unknown_column_of_numbers_is_named_in_a_note(tmp_path):
    report = read_report(variant(tmp_path, INR, header_swap(("Impr.", "Impr. shown"))))
    assert "impressions" not in report.columns_present
    assert report.unknown_columns == ["Impr. shown"]
    assert any("'Impr. shown' holds numbers" in n for n in report.notes)


def test_slash_dates_day_first_when_the_data_or_the_language_says_so():
    assert slash_order(["13/1/2026", "2/1/2026"]) is True
    assert slash_order(["1/13/2026", "1/2/2026"]) is False
    assert slash_order(["1/2/2026"], default=True) is True
    assert find_dates("13/1/2026")[0][1] == date(2026, 1, 13)
    assert find_dates("5/1/2026")[0][1] == date(2026, 5, 1)
    period, _ = parse_period(["Search terms report", "13/1/2026 - 19/1/2026"])
    assert (period.start, period.end) == (date(2026, 1, 13), date(2026, 1, 19))
    period, _ = parse_period(["Search terms report", "5/1/2026 - 7/1/2026"], day_first=True)
    assert (period.start, period.end) == (date(2026, 1, 5), date(2026, 1, 7))


@needs_real
def test_a_day_column_of_day_first_slash_dates(tmp_path):
    def edit(text: str) -> str:
        lines = text.split("\n")
        lines[2] = "Day," + lines[2]
        for i in range(3, len(lines)):
            if lines[i] and not lines[i].startswith("Total"):
                lines[i] = f"{13 + i % 7}/1/2026," + lines[i]
            elif lines[i]:
                lines[i] = "," + lines[i]
        return "\n".join(lines)

    report = read_report(variant(tmp_path, INR, edit))
    days = report.table["day"].dropna()
    assert len(days) == 554
    assert days.min().date() == date(2026, 1, 13) and days.max().date() == date(2026, 1, 19)


@needs_real
def test_a_performance_max_search_term_view_from_the_api_is_a_search_terms_report(tmp_path):
    pmax = read_report(PMAX).table.head(300)
    lines = [
        "campaign_search_term_view.search_term,campaign.name,metrics.clicks,"
        "metrics.impressions,metrics.cost_micros,metrics.conversions"
    ]
    for r in pmax.itertuples():
        term = r.search_term.replace('"', "")
        lines.append(
            f'"{term}",PMax - Cases,{r.clicks:.0f},{r.impressions:.0f},'
            f"{round(r.cost * 1_000_000)},{r.conversions}"
        )
    path = tmp_path / "pmax-api.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = read_report(path)
    assert report.kind == "search_terms" and report.format == "google_ads_api"
    assert len(report.table) == 300
    assert report.table["cost"].sum() == pytest.approx(pmax["cost"].sum())


@needs_real
def test_cent_rounding_over_many_rows_is_within_the_totals_tolerance(tmp_path):
    """0.06 over 1,756 rows is noise (sd of the rounding ~0.12); a whole unit is not."""
    assert allowance(1756) > 0.3 and allowance(1) == 0.01
    assert allowance(554) == pytest.approx(3 * 0.01 / 12**0.5 * 554**0.5)
    off = variant(tmp_path, INR, lambda t: t.replace(",18859.19,", ",18859.34,"), "off.csv")
    assert not any("disagree" in n for n in read_report(off).notes)
    far = variant(tmp_path, INR, lambda t: t.replace(",18859.19,", ",18869.19,"), "far.csv")
    assert any("disagree by 9.99" in n for n in read_report(far).notes)


@needs_real
def test_a_download_cut_mid_row_lists_the_broken_row_and_says_it_was_cut(tmp_path):
    text = INR.read_text(encoding="utf-8")
    for cut_at, rows in ((60000, 351), (60060, 351)):  # inside a plain cell; inside a quote
        path = tmp_path / f"cut{cut_at}.csv"
        path.write_text(text[:cut_at], encoding="utf-8")
        report = read_report(path)
        assert len(report.table) == rows
        assert [s.line for s in report.skipped] == [355]
        assert "cut short" in report.skipped[0].reason
        assert any(n.startswith("the file was cut short") for n in report.notes)
        assert not any("not read" in n or "nothing was bought" in n for n in report.notes)
        assert report.currency == "INR"


@needs_real
def test_a_five_megabyte_line_is_skipped_never_read_as_the_end_of_the_data(tmp_path):
    lines = INR.read_text(encoding="utf-8").split("\n")
    blob = "x" * (5 << 20)
    for name, body in (
        ("middle", [*lines[:100], blob, *lines[100:]]),
        ("only", [*lines[:3], blob]),
    ):
        path = tmp_path / f"{name}.csv"
        path.write_text("\n".join(body), encoding="utf-8")
        report = read_report(path)
        assert [s.line for s in report.skipped] == [101 if name == "middle" else 4]
        assert "1 MiB" in report.skipped[0].reason
        assert not any("not read" in n or "nothing was bought" in n for n in report.notes)
    assert len(read_report(tmp_path / "middle.csv").table) == 554


def test_a_performance_max_search_term_view_as_api_json(tmp_path):
    """The REST `searchStream` answer for `FROM campaign_search_term_view` (camelCase fields)."""
    rows = [
        ("airpods pro 2 case", "10", "627", "5370000", 4.0),
        ("airpod pro 2 case", "8", "477", "3910000", 0.0),
    ]
    results = [
        {
            "campaign": {"name": "PMax - Cases"},
            "campaignSearchTermView": {
                "searchTerm": term,
                "resourceName": f"customers/1/campaignSearchTermViews/2~{i}",
            },
            "metrics": {"clicks": c, "impressions": n, "costMicros": m, "conversions": v},
        }
        for i, (term, c, n, m, v) in enumerate(rows)
    ]
    path = tmp_path / "pmax.json"
    path.write_text(json.dumps([{"results": results}]), encoding="utf-8")
    report = read_report(path)
    assert (report.kind, report.format) == ("search_terms", "google_ads_api_json")
    assert report.table["cost"].tolist() == [5.37, 3.91]
    assert report.unknown_columns == []
