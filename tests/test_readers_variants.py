"""Real-world variants of the exports, each built byte for byte as the platform writes it.

Where each layout comes from (public material, not invented):
- segmented search-terms downloads: `Day` (ISO dates), `Device` (`Computers`, ...),
  `Network (with search partners)` (`Google search`, `Search partners`), the current column
  name `Search terms match type` and `Search keyword`, all seen in public parsers of UI
  downloads; `Total: Filtered search terms` is the total row a filtered table gets (a public
  script skips it next to `Total: Account`, `Total: Search`, `Total: Performance Max`).
- the old AdWords download (2016-2017, from a public importer's test suite): UTF-16 tab, a
  quoted title `"... (Mar 7, 2016-Mar 13, 2016)"` between blank lines, `Search keyword match
  type`, `Keyword max CPC`, money as `€2.70`, days as `05-May-2017`, keywords with a leading
  space (` +victoria +online`) and the total row `Total - all but deleted campaigns` with
  ` --` in its text cells.
- Microsoft Advertising API: the reporting-service docs (SearchQueryPerformanceReportColumn)
  say `Conversions` / `AllConversions` are deprecated since 2022 and report 0, replaced by
  `ConversionsQualified` / `AllConversionsQualified`; DeliveredMatchType values include
  `Exact (close variant)` and `Unknown`; CampaignType values include `Search & content`.
  The reporting guide ("Report File Schema", "Time Period Column") shows the quoted preamble,
  `Report Time: 2/1/2020, 2/7/2020`, the `@2020 Microsoft Corporation...` footer, and TimePeriod
  as a day only for Daily / Hourly (`3/15/2020 12:00:00 AM|7`, FormatVersion 2.0
  `2020-03-15|7`); Weekly holds the week's Sunday, Monthly the month's first day.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from auditor import schema
from auditor.readers import read_report

SEGMENTED_HEADER = (
    "Day,Search term,Search terms match type,Added/Excluded,Campaign,Ad group,Search keyword,"
    "Device,Network (with search partners),Clicks,Impr.,CTR,Currency code,Avg. CPC,Cost,"
    "Conversions,All conv.,Conv. value,All conv. value,Conv. value / cost,Cost / conv.,"
    "View-through conv.,Campaign type,Customer ID,Account"
)
SEGMENTED_ROWS = [
    "2026-04-01,trail shoes,Exact match,None,Shoes,Trail,[trail shoes],Computers,Google search,"
    "12,140,8.57%,USD,0.85,10.20,1.00,1.00,89.00,89.00,8.73,10.20,0,Search,123-456-7890,Fjäll",
    "2026-04-01,trail shoes,Exact match,None,Shoes,Trail,[trail shoes],Mobile phones,"
    'Search partners,3,"1,020",0.29%,USD,0.60,1.80,0.00,0.00,0.00,0.00,0.00,0.00,0,Search,'
    "123-456-7890,Fjäll",
    "2026-04-02,trail shoes,Exact match,None,Shoes,Trail,[trail shoes],Computers,Google search,"
    "7,95,7.37%,USD,0.90,6.30,0.00,0.50,0.00,40.00,0.00,0.00,1,Search,123-456-7890,Fjäll",
    "2026-04-02,trail shoes women,Phrase match (close variant),None,Shoes,Trail,"
    '"""trail shoes""",Tablets,Google search,2,30,6.67%,USD,0.75,1.50,0.00,0.00,0.00,0.00,'
    "0.00,0.00,0,Search,123-456-7890,Fjäll",
]
SEGMENTED_TOTALS = [
    'Total: Filtered search terms,,,,,,,,,24,"1,285",1.87%,USD,0.83,19.80,1.00,1.50,89.00,'
    "129.00,4.49,19.80,1,,,",
    'Total: Account,,,,,,,,,31,"1,900",1.63%,USD,0.81,25.00,2.00,2.50,140.00,180.00,5.60,'
    "12.50,1,,,",
]


def _segmented(path: Path, rows: list[str]) -> Path:
    """A filtered search-terms download segmented by day, device and network: UTF-8 with
    BOM, CRLF, blank lines after the totals."""
    lines = ["Search terms report", '"April 1, 2026 - April 2, 2026"', SEGMENTED_HEADER]
    text = "\r\n".join([*lines, *rows, *SEGMENTED_TOTALS, "", ""]) + "\r\n"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    return path


def test_search_terms_segmented_by_day_device_and_network(tmp_path: Path) -> None:
    report = read_report(_segmented(tmp_path / "st.csv", SEGMENTED_ROWS))
    table = report.table
    assert (report.kind, report.format, report.currency) == (
        "search_terms",
        "google_ads_csv",
        "USD",
    )
    assert report.period.start == date(2026, 4, 1) and report.period.end == date(2026, 4, 2)
    assert len(table) == 4
    assert not table["search_term"].str.contains("Total", case=False).any()
    assert (table["search_term"] == "trail shoes").sum() == 3
    assert (
        table["day"].tolist() == [pd.Timestamp("2026-04-01")] * 2 + [pd.Timestamp("2026-04-02")] * 2
    )
    total = report.file_totals["filtered_search_terms"]
    for metric in ("clicks", "impressions", "cost", "conversions", "conversion_value"):
        assert table[metric].sum() == pytest.approx(total[metric]), metric
    assert table["all_conversions"].sum() == pytest.approx(1.5)
    assert report.file_totals["account"]["cost"] == 25.0
    first = table.iloc[0]
    assert (first["keyword"], first["keyword_match_type"], first["match_type"]) == (
        "trail shoes",
        "exact",
        "exact",
    )
    assert (first["campaign_type"], first["account"]) == ("search", "Fjäll")
    assert table.iloc[3]["match_type"] == schema.MATCH_PHRASE_CV
    assert report.unknown_columns == ["Device", "Network (with search partners)"]
    assert report.notes == []
    assert [r["line"] for r in table.to_dict("records")] == [4, 5, 6, 7]


def test_filtered_total_that_disagrees_with_the_rows_is_noted(tmp_path: Path) -> None:
    rows = [*SEGMENTED_ROWS[:3], SEGMENTED_ROWS[3].replace(",1.50,", ",4.50,")]
    report = read_report(_segmented(tmp_path / "st.csv", rows))
    [note] = report.notes
    assert "'Total: Filtered search terms' says 19.80" in note
    assert "disagree by 3.00" in note


def test_week_segment_keeps_the_totals_and_leaves_day_unknown(tmp_path: Path) -> None:
    lines = [
        "Search terms report",
        "30 March 2026 - 12 April 2026",
        "Search term,Match type,Added/Excluded,Campaign,Ad group,Week,Clicks,Impr.,Cost,"
        "Conversions",
        "trail shoes,Exact match,None,Shoes,Trail,2026-03-30,12,140,10.20,1.00",
        "trail shoes,Exact match,None,Shoes,Trail,2026-04-06,7,95,6.30,0.00",
        "Total: Search terms,,,,,,19,235,16.50,1.00",
        "Total: Other search terms,,,,,,4,60,3.50,0.00",
    ]
    path = tmp_path / "st.csv"
    path.write_bytes(("\n".join(lines) + "\n").encode("utf-8"))
    report = read_report(path)
    assert report.table["cost"].tolist() == [10.2, 6.3]
    assert report.table["day"].isna().all()
    assert report.unknown_columns == ["Week"]
    assert report.locale == "en-GB"
    assert [n for n in report.notes if "disagree" in n] == []
    assert report.file_totals["other_search_terms"]["cost"] == 3.5


def test_old_adwords_keyword_download(tmp_path: Path) -> None:
    cells = [
        [
            "Campaign",
            "Ad group",
            "Search keyword",
            "Search keyword match type",
            "Keyword max CPC",
            "Day",
            "Clicks",
            "CTR",
            "Avg. CPC",
            "Avg. position",
            "Cost",
        ],
        [
            "SEA-DE-Competitor--Vendors-BMM",
            "Vendor online -BMM",
            " +victoria +online",
            "Broad",
            "€0.64",
            "07-Mar-2016",
            "1",
            "25.00%",
            "€2.70",
            "1.00",
            "€2.70",
        ],
        [
            "SEA-DE-Generic-Calculate-Exact",
            "Versicherungsrechner-Exact",
            "versicherungsrechner",
            "Exact",
            "€10.90",
            "13-Mar-2016",
            "2",
            "3.70%",
            "€10.84",
            "3.78",
            "€21.68",
        ],
        ["Total - all but deleted campaigns", *[" --"] * 5, "3", " --", "€8.13", " --", "€24.38"],
    ]
    title = ["", '"Keyword report (Mar 7, 2016-Mar 13, 2016)"', ""]
    text = "\n".join([*title, *("\t".join(row) for row in cells)]) + "\n"
    path = tmp_path / "Keyword report.csv"
    path.write_bytes(b"\xff\xfe" + text.encode("utf-16-le"))
    report = read_report(path)
    assert (report.kind, report.format) == ("keywords", "google_ads_tsv_utf16")
    assert report.period.start == date(2016, 3, 7) and report.period.end == date(2016, 3, 13)
    table = report.table
    assert table["keyword"].tolist() == ["victoria online", "versicherungsrechner"]
    assert table["keyword_match_type"].tolist() == ["broad", "exact"]
    assert table["cost"].tolist() == [2.7, 21.68]
    assert table["day"].tolist() == [pd.Timestamp("2016-03-07"), pd.Timestamp("2016-03-13")]
    assert report.file_totals == {"all_but_deleted_campaigns": {"clicks": 3.0, "cost": 24.38}}
    assert not table["campaign"].str.startswith("Total").any()
    assert report.unknown_columns == []
    assert report.skipped == []


def test_a_lower_case_search_term_with_a_dash_is_data_not_a_total(tmp_path: Path) -> None:
    lines = [
        "Search term,Match type,Clicks,Cost",
        "total - gym membership,Broad match,2,3.10",
        "Total: Search terms,,2,3.10",
    ]
    path = tmp_path / "st.csv"
    path.write_bytes(("\n".join(lines) + "\n").encode("utf-8"))
    report = read_report(path)
    assert report.table["search_term"].tolist() == ["total - gym membership"]
    assert report.file_totals == {"search_terms": {"clicks": 2.0, "cost": 3.1}}


def test_an_empty_trailing_header_cell_is_not_an_unknown_column(tmp_path: Path) -> None:
    lines = [
        "Search terms report,,,,",
        '"May 1, 2026 - May 7, 2026",,,,',
        "Search term,Match type,Clicks,Cost,",
        "trail shoes,Exact match,4,3.20,",
        "Total: Search terms,,4,3.20,",
    ]
    path = tmp_path / "st.csv"
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8"))
    report = read_report(path)
    assert report.unknown_columns == []
    assert report.table["cost"].tolist() == [3.2]
    assert report.file_totals["search_terms"]["cost"] == 3.2


MS_API_PREAMBLE = [
    '"Report Name: Search query daily"',
    '"Report Time: 4/1/2026,4/2/2026"',
    '"Time Zone: (GMT-08:00) Pacific Time (US & Canada); Tijuana"',
    '"Last Completed Available Day: 4/3/2026 11:20:00 AM (GMT)"',
    '"Last Completed Available Hour: 4/3/2026 11:20:00 AM (GMT)"',
    '"Report Aggregation: Daily"',
    '"Report Filter: "',
    '"Potential Incomplete Data: false"',
    '"Rows: 3"',
    "",
]


def test_microsoft_api_qualified_conversions_replace_the_deprecated_columns(
    tmp_path: Path,
) -> None:
    header = (
        '"TimePeriod","AccountName","CampaignName","CampaignType","AdGroupName","SearchQuery",'
        '"Keyword","BidMatchType","DeliveredMatchType","DeviceOS","Impressions","Clicks",'
        '"Spend","Conversions","ConversionsQualified","AllConversions","AllConversionsQualified",'
        '"Revenue","AllRevenue","AbsoluteTopImpressionRatePercent","CurrencyCode"'
    )
    rows = [
        '"2026-04-01","Acme","Boots","Search & content","Hiking","hiking boots","hiking boots",'
        '"Exact","Exact","Windows","800","30","41.10","0","3","0","4","290.00","310.00",'
        '"41.20","USD"',
        '"2026-04-01","Acme","Boots","Search & content","Hiking","hiking boot","hiking boots",'
        '"Exact","Exact (close variant)","iOS","120","5","6.05","0","0.5","0","0.5","40.00",'
        '"40.00","","USD"',
        '"2026-04-02","Acme","Boots","Search & content","Hiking","boots near me","hiking boots",'
        '"Unknown","Unknown","Android","60","2","2.10","0","0","0","0","0.00","0.00","12.50",'
        '"USD"',
    ]
    lines = [
        *MS_API_PREAMBLE,
        header,
        *rows,
        "",
        '"©2026 Microsoft Corporation. All rights reserved. "',
    ]
    path = tmp_path / "sq.csv"
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8-sig"))
    report = read_report(path)
    table = report.table
    assert (report.format, report.currency) == ("microsoft_ads_api", "USD")
    assert report.period.start == date(2026, 4, 1) and report.period.end == date(2026, 4, 2)
    assert table["conversions"].tolist() == [3.0, 0.5, 0.0]
    assert table["all_conversions"].tolist() == [4.0, 0.5, 0.0]
    assert table["conversion_value"].tolist() == [290.0, 40.0, 0.0]
    assert table["match_type"].tolist() == ["exact", "exact_close_variant", "other"]
    assert table["keyword_match_type"].tolist()[:2] == ["exact", "exact"]
    assert table["campaign_type"].unique().tolist() == ["search"]
    assert table["day"].dt.day.tolist() == [1, 1, 2]
    assert report.unknown_columns == []
    assert report.notes == []


def _microsoft_api(path: Path, aggregation: str, report_time: str, periods: list[str]) -> Path:
    """A Microsoft API download as the reporting-service docs show it: quoted preamble, blank
    line, quoted header, blank line, `@2020 Microsoft Corporation...` footer."""
    preamble = [
        line.replace("Daily", aggregation).replace("4/1/2026,4/2/2026", report_time)
        for line in MS_API_PREAMBLE
    ]
    preamble[-2] = f'"Rows: {len(periods)}"'
    header = (
        '"TimePeriod","AccountNumber","AccountName","SearchQuery","DeliveredMatchType",'
        '"Clicks","Spend"'
    )
    rows = [
        f'"{p}","F1234567","Acme","red shoes","Exact","{n}","{n}.50"' for n, p in enumerate(periods)
    ]
    footer = ["", '"@2020 Microsoft Corporation. All rights reserved. "']
    path.write_bytes(("\r\n".join([*preamble, header, *rows, *footer]) + "\r\n").encode("utf-8"))
    return path


def test_microsoft_weekly_time_periods_are_not_days(tmp_path: Path) -> None:
    path = _microsoft_api(
        tmp_path / "w.csv", "Weekly", "2/2/2020, 2/15/2020", ["2020-02-02", "2020-02-09"]
    )
    report = read_report(path)
    assert report.table["day"].isna().all()
    assert report.period.start == date(2020, 2, 2) and report.period.end == date(2020, 2, 15)
    assert report.table["account"].unique().tolist() == ["Acme"]
    assert report.table["cost"].tolist() == [0.5, 1.5]
    assert any("'TimePeriod' holds weekly periods" in n for n in report.notes)


def test_microsoft_hourly_time_periods_in_both_format_versions_are_days(tmp_path: Path) -> None:
    periods = ["3/15/2020 12:00:00 AM|7", "2020-03-15|8"]
    report = read_report(_microsoft_api(tmp_path / "h.csv", "Hourly", "3/15/2020", periods))
    assert report.table["day"].tolist() == [pd.Timestamp("2020-03-15")] * 2
    assert report.period.start == report.period.end == date(2020, 3, 15)
    assert not any("periods" in n or "Rows:" in n for n in report.notes)


DAY_FIRST = [
    "Search terms report",
    "April 1, 2026 - April 2, 2026",
    "Day,Search term,Match type,Campaign,Clicks,Impr.,Cost,Conversions",
    "2026-04-01,red shoes,Exact match,Shoes,3,40,2.50,1.00",
    "2026-04-02,red shoes,Exact match,Shoes,2,30,1.50,0.00",
]


@pytest.mark.parametrize(
    "totals",
    [
        # the label in the first column, which is the Day segment
        ["Total: Search terms,,,,5,70,4.00,1.00", "Total: Account,--,--,--,6,90,5.00,1.00"],
        # a total row per day (a guard: not seen in a public download yet), the Day cell
        # filled and the label in the search-term column: summed, never data
        [
            "2026-04-01,Total: Search terms,--,--,3,40,2.50,1.00",
            "2026-04-02,Total: Search terms,--,--,2,30,1.50,0.00",
        ],
    ],
)
def test_day_first_report_never_reads_a_total_row_as_data(
    tmp_path: Path, totals: list[str]
) -> None:
    path = tmp_path / "st.csv"
    path.write_bytes(("\n".join([*DAY_FIRST, *totals]) + "\n").encode("utf-8"))
    report = read_report(path)
    assert report.table["search_term"].tolist() == ["red shoes", "red shoes"]
    assert report.table["day"].notna().all()
    assert report.file_totals["search_terms"] == {
        "clicks": 5.0,
        "impressions": 70.0,
        "cost": 4.0,
        "conversions": 1.0,
    }
    assert [n for n in report.notes if "disagree" in n] == []
