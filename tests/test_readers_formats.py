"""Each export format, written byte for byte as the platforms (or Excel) write it."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from auditor import schema
from auditor.readers import read_report

NBSP = "\u00a0"
NNBSP = "\u202f"


def write(path: Path, lines: list[str], encoding: str = "utf-8", newline: str = "\n") -> Path:
    """Write `lines` exactly (a UTF-16 BOM comes with encoding 'utf-16' on little-endian)."""
    text = newline.join(lines) + newline
    data = b"\xff\xfe" + text.encode("utf-16-le") if encoding == "utf-16" else text.encode(encoding)
    path.write_bytes(data)
    return path


def by_term(report_table: pd.DataFrame) -> dict[str, dict[str, object]]:
    return {r["search_term"]: r for r in report_table.to_dict("records")}


# ----------------------------------------------------------------- Google Ads UI, English

EN_HEADER = (
    "Search term,Match type,Added/Excluded,Campaign,Ad group,Keyword,Clicks,Impr.,CTR,"
    "Currency code,Avg. CPC,Cost,Conv. rate,Conversions,Conv. value,Cost / conv."
)
EN_ROWS = [
    'trail running shoes,Exact match,Added,"Shoes, Trail",Trail Shoes,[trail running shoes],'
    '"1,204","15,880",7.58%,USD,0.85,1023.40,3.49%,42.00,5880.00,24.37',
    'trail shoes women,Phrase match (close variant),None,"Shoes, Trail",Trail Shoes,'
    '"""trail shoes""",88,"2,310",3.81%,USD,0.92,80.96,2.27%,2.00,260.00,40.48',
    'running shoe repair,Broad match,Excluded,"Shoes, Trail",Trail Shoes,running shoes,'
    "14,410,3.41%,USD,0.77,10.78,0.00%,0.00,0.00,0.00",
    'free running shoes,Broad match,None,"Shoes, Trail",Trail Shoes,+running +shoes,'
    "0,35,0.00%,USD,0,0.00, --,0.00,0.00,0.00",
]
EN_TOTALS = [
    'Total: Search terms,,,,,,"1,306","18,635",7.01%,USD,0.85,1115.14,3.37%,44.00,6140.00,25.34',
    'Total: Other search terms,,,,,,310,"6,400",4.84%,USD,0.90,279.00,1.94%,6.00,780.00,46.50',
    'Total: Account,,,,,,"1,616","25,035",6.45%,USD,0.86,1394.14,3.09%,50.00,6920.00,27.88',
]


def test_google_english_csv(tmp_path: Path) -> None:
    path = write(
        tmp_path / "st.csv",
        ["Search terms report", '"May 1, 2026 - May 7, 2026"', EN_HEADER, *EN_ROWS, *EN_TOTALS],
    )
    report = read_report(path, source=3)
    rows = by_term(report.table)
    assert (report.kind, report.format, report.locale) == ("search_terms", "google_ads_csv", "en")
    assert report.period.start == date(2026, 5, 1) and report.period.end == date(2026, 5, 7)
    assert report.currency == "USD"
    top = rows["trail running shoes"]
    assert (top["clicks"], top["impressions"], top["cost"]) == (1204, 15880, 1023.40)
    assert (top["keyword"], top["keyword_match_type"], top["match_type"]) == (
        "trail running shoes",
        "exact",
        "exact",
    )
    assert (top["status"], top["campaign"], top["line"], top["source"]) == (
        "added",
        "Shoes, Trail",
        4,
        3,
    )
    phrase = rows["trail shoes women"]
    assert (phrase["keyword"], phrase["keyword_match_type"]) == ("trail shoes", "phrase")
    assert phrase["match_type"] == schema.MATCH_PHRASE_CV
    assert rows["running shoe repair"]["status"] == "excluded"
    assert rows["free running shoes"]["keyword"] == "running shoes"
    assert rows["free running shoes"]["keyword_match_type"] == "broad"
    assert report.file_totals["search_terms"]["cost"] == pytest.approx(1115.14)
    assert report.file_totals["other_search_terms"]["impressions"] == 6400
    assert report.file_totals["account"]["conversion_value"] == pytest.approx(6920.0)
    assert report.columns_present == {
        "impressions",
        "clicks",
        "cost",
        "conversions",
        "conversion_value",
    }
    assert report.table["all_conversions"].isna().all()
    assert report.notes == []
    assert report.skipped == []
    assert report.unknown_columns == []


def _tab(line: str) -> str:
    """A comma line of EN_ROWS as Google's tab export writes it (thousands still quoted)."""
    import csv

    cells = next(csv.reader([line]))
    quoted = [f'"{c}"' if "," in c or '"' in c else c for c in cells]
    return "\t".join(q.replace('"""', '"') if q.startswith('"""') else q for q in quoted)


def test_google_utf16_tab_with_day_first_date(tmp_path: Path) -> None:
    lines = [_tab(line) for line in (EN_HEADER, *EN_ROWS, *EN_TOTALS)]
    path = write(
        tmp_path / "st.csv", ["Search terms report", "1 May 2026 - 7 May 2026", *lines], "utf-16"
    )
    report = read_report(path)
    assert (report.format, report.locale) == ("google_ads_tsv_utf16", "en-GB")
    assert report.period.days == 7
    assert report.table["cost"].sum() == pytest.approx(1115.14)
    assert report.table["clicks"].sum() == 1306
    assert set(report.file_totals) == {"search_terms", "other_search_terms", "account"}


def test_report_without_conversions_column_is_read_as_unknown(tmp_path: Path) -> None:
    path = write(
        tmp_path / "st.csv",
        [
            "Search terms report",
            '"May 1, 2026 - May 7, 2026"',
            "Search term,Match type,Campaign,Ad group,Clicks,Impr.,Cost",
            "tow truck near me,Exact match,Towing,Ad group 1,12,140,38.40",
            "car lockout,Broad match,Towing,Ad group 1,3,90,7.10",
        ],
    )
    report = read_report(path)
    assert report.table["conversions"].isna().all()
    assert "conversions" not in report.columns_present
    assert any(n.startswith("no Conversions column: conversion-based checks") for n in report.notes)


def test_totals_that_disagree_with_the_rows_are_noted(tmp_path: Path) -> None:
    path = write(
        tmp_path / "st.csv",
        [
            "Search term,Match type,Clicks,Impr.,Cost,Conversions",
            "tow truck near me,Exact match,12,140,38.40,1.00",
            "car lockout,Broad match,3,90,7.10,0.00",
            "Total: Search terms,,15,230,52.50,1.00",
        ],
    )
    report = read_report(path)
    [note] = [n for n in report.notes if "disagree" in n]
    assert "45.50" in note and "52.50" in note and "7.00" in note


# ----------------------------------------------------------------- localized Google Ads UI

SV_LINES = [
    "Rapport över söktermer",
    "1 maj 2026 - 7 maj 2026",
    "Sökterm,Matchningstyp,Tillagd/utesluten,Kampanj,Annonsgrupp,Sökord,Klick,Visn.,CTR,"
    "Valutakod,Genomsn. CPC,Kostnad,Konv.grad,Konverteringar,Konv.värde,Kostnad/konv.",
    f'vandringskängor dam,Exakt matchning,Tillagd,Skor,Kängor,[vandringskängor dam],"1{NBSP}204",'
    f'"15{NBSP}880","7,58 %",SEK,"8,50","10{NBSP}234,00","3,49 %","42,00","58{NBSP}800,00",'
    '"243,67"',
    'gummistövlar barn,Frasmatchning (närliggande variant),Ingen,Skor,Stövlar,"""gummistövlar""",'
    '88,"2 310","3,81 %",SEK,"9,20","809,60","2,27 %","2,00","2 600,00","404,80"',
    'jobb skobutik,Bred matchning,Utesluten,Skor,Kängor,skor,14,410,"3,41 %",SEK,"7,70","107,80",'
    '"0,00 %","0,00","0,00","0,00"',
    f'Totalt: Söktermer,,,,,,"1{NBSP}306","18{NBSP}600","7,02 %",SEK,"8,50","11{NBSP}151,40",'
    '"3,37 %","44,00","61 400,00","253,44"',
    'Totalt: Andra söktermer,,,,,,310,"6 400","4,84 %",SEK,"9,00","2 790,00","1,94 %","6,00",'
    '"7 800,00","465,00"',
]


def test_swedish_csv_decimal_comma_and_nbsp_thousands(tmp_path: Path) -> None:
    report = read_report(write(tmp_path / "sv.csv", SV_LINES))
    rows = by_term(report.table)
    assert (report.locale, report.currency) == ("sv", "SEK")
    assert report.period.start == date(2026, 5, 1)
    boots = rows["vandringskängor dam"]
    assert (boots["clicks"], boots["impressions"], boots["cost"]) == (1204, 15880, 10234.0)
    assert boots["conversion_value"] == 58800.0
    assert (boots["match_type"], boots["status"], boots["keyword_match_type"]) == (
        "exact",
        "added",
        "exact",
    )
    assert rows["gummistövlar barn"]["match_type"] == schema.MATCH_PHRASE_CV
    assert rows["gummistövlar barn"]["keyword"] == "gummistövlar"
    assert rows["jobb skobutik"]["status"] == "excluded"
    assert report.file_totals["search_terms"]["cost"] == pytest.approx(11151.40)
    assert report.file_totals["other_search_terms"]["conversion_value"] == 7800.0
    assert report.unknown_columns == []
    assert not [n for n in report.notes if "disagree" in n]


def test_excel_resaved_swedish_cp1252_semicolon(tmp_path: Path) -> None:
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    width = 16
    for line in SV_LINES:
        cells = next(csv.reader([line]))
        writer.writerow(cells + [""] * (width - len(cells)))
    path = tmp_path / "sv-excel.csv"
    path.write_bytes(out.getvalue().encode("cp1252"))
    report = read_report(path)
    assert report.format == "google_ads_excel_resave"
    assert report.locale == "sv"
    assert "vandringskängor dam" in set(report.table["search_term"])
    assert "gummistövlar" in set(report.table["keyword"])
    assert report.table["cost"].sum() == pytest.approx(11151.40)
    assert report.period is not None and report.period.end == date(2026, 5, 7)


def test_german_dot_thousands_and_gesamt_totals(tmp_path: Path) -> None:
    lines = [
        "Bericht zu Suchbegriffen",
        "1. Mai 2026 - 7. Mai 2026",
        "Suchbegriff;Übereinstimmungstyp;Hinzugefügt/Ausgeschlossen;Kampagne;Anzeigengruppe;"
        "Keyword;Klicks;Impr.;CTR;Währungscode;Durchschn. CPC;Kosten;Conv.-Rate;Conversions;"
        "Conv.-Wert;Kosten/Conv.",
        "wanderschuhe herren;Genau passend;Hinzugefügt;Schuhe;Wanderschuhe;[wanderschuhe herren];"
        "1.204;15.880;7,58 %;EUR;0,85;1.023,40;3,49 %;42,00;5.880,00;24,37",
        "wanderschuhe reparatur;Passende Wortgruppe (ähnliche Variante);Keine;Schuhe;Wanderschuhe;"
        '"""wanderschuhe""";14;410;3,41 %;EUR;0,77;10,78;0,00 %;0,00;0,00;0,00',
        "Gesamt: Suchbegriffe;;;;;;1.218;16.290;7,48 %;EUR;0,85;1.034,18;3,45 %;42,00;"
        "5.880,00;24,62",
        "Gesamt: Sonstige Suchbegriffe;;;;;;300;5.000;6,00 %;EUR;0,80;240,00;2,00 %;6,00;"
        "700,00;40,00",
    ]
    report = read_report(write(tmp_path / "de.csv", lines, encoding="utf-8-sig", newline="\r\n"))
    rows = by_term(report.table)
    assert (report.locale, report.currency) == ("de", "EUR")
    assert report.period.start == date(2026, 5, 1)
    top = rows["wanderschuhe herren"]
    assert (top["clicks"], top["impressions"], top["cost"], top["conversion_value"]) == (
        1204,
        15880,
        1023.40,
        5880.0,
    )
    assert rows["wanderschuhe reparatur"]["match_type"] == schema.MATCH_PHRASE_CV
    assert rows["wanderschuhe reparatur"]["status"] == "none"
    assert report.file_totals["search_terms"]["cost"] == pytest.approx(1034.18)
    assert report.file_totals["other_search_terms"]["clicks"] == 300
    assert not [n for n in report.notes if "disagree" in n]


def test_danish_i_alt_totals(tmp_path: Path) -> None:
    lines = [
        "Rapport over søgetermer",
        "1. maj 2026 - 7. maj 2026",
        "Søgeterm,Matchtype,Kampagne,Annoncegruppe,Klik,Visninger,Omkostninger,Konverteringer",
        'vandrestøvler,Eksakt match,Sko,Støvler,"1.204","15.880","1.023,40","42,00"',
        'gratis støvler,Bredt match,Sko,Støvler,4,"1.100","3,10","0,00"',
        'I alt: Søgetermer,,,,"1.208","16.980","1.026,50","42,00"',
        'I alt: Andre søgetermer,,,,50,900,"40,00","1,00"',
    ]
    report = read_report(write(tmp_path / "da.csv", lines))
    assert report.locale == "da"
    assert report.table["cost"].sum() == pytest.approx(1026.50)
    assert report.file_totals["other_search_terms"]["cost"] == 40.0
    assert set(report.table["match_type"]) == {"exact", "broad"}


def test_norwegian_narrow_nbsp_thousands(tmp_path: Path) -> None:
    lines = [
        "Søketermrapport",
        "1. mai 2026–7. mai 2026",
        "Søketerm,Samsvarstype,Kampanje,Annonsegruppe,Klikk,Visninger,Kostnad,Konverteringer",
        f'fjellsko dame,Eksakt samsvar,Sko,Fjellsko,"1{NNBSP}204","15{NNBSP}880",'
        f'"10{NNBSP}234,50","42,00"',
        'Totalt: Søketermer,,,,"1 204","15 880","10 234,50","42,00"',
    ]
    report = read_report(write(tmp_path / "nb.csv", lines))
    assert report.locale == "nb"
    assert report.period.end == date(2026, 5, 7)
    [term] = report.table.to_dict("records")
    assert (term["clicks"], term["impressions"], term["cost"]) == (1204, 15880, 10234.5)
    assert report.file_totals["search_terms"]["cost"] == 10234.5


# ----------------------------------------------------------------- manager accounts, kinds


def test_manager_account_export_uses_converted_currency_when_mixed(tmp_path: Path) -> None:
    lines = [
        "Search terms report",
        '"May 1, 2026 - May 7, 2026"',
        "Account,Search term,Match type,Campaign,Ad group,Clicks,Impr.,Currency code,Cost,"
        "Cost (converted currency),Conversions,Conv. value,Conv. value (converted currency)",
        "Acme US,hiking boots,Exact match,Boots,Hiking,40,900,USD,80.00,80.00,2.00,300.00,300.00",
        "Acme DE,wanderschuhe,Exact match,Boots,Wandern,30,700,EUR,60.00,65.40,1.00,120.00,130.80",
        'Total: Manager account,,,,,70,"1,600",USD,,145.40,3.00,,430.80',
    ]
    report = read_report(write(tmp_path / "mcc.csv", lines))
    assert set(report.table["account"]) == {"Acme US", "Acme DE"}
    assert report.table["cost"].tolist() == [80.0, 65.40]
    assert report.table["conversion_value"].tolist() == [300.0, 130.80]
    assert report.currency is None
    assert any("converted currency" in n for n in report.notes)
    assert report.file_totals["manager_account"]["cost"] == pytest.approx(145.40)


def test_manager_account_export_with_one_currency_uses_account_columns(tmp_path: Path) -> None:
    lines = [
        "Account,Search term,Clicks,Currency code,Cost,Cost (converted currency)",
        "Acme US,hiking boots,40,USD,80.00,72.00",
        "Acme Outlet,trail shoes,10,USD,20.00,18.00",
    ]
    report = read_report(write(tmp_path / "mcc.csv", lines))
    assert report.table["cost"].tolist() == [80.0, 20.0]
    assert report.currency == "USD"


def test_campaign_report_by_day_gives_kind_and_period(tmp_path: Path) -> None:
    lines = [
        "Campaign report",
        "Day,Campaign,Campaign type,Clicks,Impr.,Cost,Conversions",
        '2026-05-01,Search - Boots,Search,120,"3,400",96.00,4.00',
        '2026-05-02,Search - Boots,Search,110,"3,100",90.50,0.00',
        '2026-05-02,PMax - All,Performance Max,80,"9,000",50.00,3.00',
    ]
    report = read_report(write(tmp_path / "camp.csv", lines))
    assert report.kind == schema.KIND_CAMPAIGNS
    assert report.period.start == date(2026, 5, 1) and report.period.end == date(2026, 5, 2)
    assert report.table["day"].dt.day.tolist() == [1, 2, 2]
    assert set(report.table["campaign_type"]) == {"search", "performance_max"}


def test_search_terms_by_conversion_action(tmp_path: Path) -> None:
    lines = [
        "Search term,Campaign,Conversion action,Conversion category,Conversions,Conv. value",
        "hiking boots,Boots,Website purchase,Purchase,3.00,450.00",
        "hiking boots,Boots,GA4 purchase (imported),Purchase,3.00,450.00",
    ]
    report = read_report(write(tmp_path / "by-action.csv", lines), role="by_action")
    assert report.kind == schema.KIND_SEARCH_TERMS
    assert report.table["conversion_action"].tolist() == [
        "Website purchase",
        "GA4 purchase (imported)",
    ]
    assert set(report.table["conversion_category"]) == {"purchase"}


# ----------------------------------------------------------------- APIs and Microsoft

API_HEADER = (
    "customer.descriptive_name,customer.currency_code,campaign.name,ad_group.name,"
    "search_term_view.search_term,search_term_view.status,segments.search_term_match_type,"
    "segments.keyword.info.text,segments.keyword.info.match_type,segments.date,"
    "metrics.impressions,metrics.clicks,metrics.cost_micros,metrics.conversions,"
    "metrics.conversions_value"
)


def test_google_ads_api_csv_dump(tmp_path: Path) -> None:
    lines = [
        API_HEADER,
        "Acme,SEK,Sök - Kängor,Kängor,vandringskängor dam,ADDED,NEAR_EXACT,vandringskängor,"
        "EXACT,2026-05-01,120,9,48500000,1.0,1299.0",
        "Acme,SEK,Sök - Kängor,Kängor,kängor jobb,NONE,NEAR_PHRASE,kängor,PHRASE,2026-05-03,"
        "300,12,31250000,0.0,0.0",
        "Acme,SEK,Sök - Kängor,Kängor,billiga kängor,EXCLUDED,BROAD,kängor,BROAD,2026-05-07,"
        "80,2,4000000,0.0,0.0",
    ]
    report = read_report(write(tmp_path / "api.csv", lines))
    rows = by_term(report.table)
    assert (report.format, report.currency) == ("google_ads_api", "SEK")
    assert rows["vandringskängor dam"]["cost"] == 48.5
    assert rows["vandringskängor dam"]["match_type"] == schema.MATCH_EXACT_CV
    assert rows["kängor jobb"]["match_type"] == schema.MATCH_PHRASE_CV
    assert rows["kängor jobb"]["keyword_match_type"] == "phrase"
    assert rows["billiga kängor"]["status"] == "excluded"
    assert report.period.start == date(2026, 5, 1) and report.period.end == date(2026, 5, 7)
    assert "cost" in report.columns_present


def test_google_ads_api_search_stream_json(tmp_path: Path) -> None:
    def api_row(term: str, match: str, cost_micros: str, conv: float) -> dict[str, object]:
        return {
            "customer": {"currencyCode": "USD", "descriptiveName": "Acme"},
            "campaign": {"name": "Search - Boots"},
            "adGroup": {"name": "Hiking Boots"},
            "searchTermView": {"searchTerm": term, "status": "NONE"},
            "segments": {"searchTermMatchType": match},
            "metrics": {"clicks": "7", "impressions": "90", "costMicros": cost_micros,
                        "conversions": conv},
        }  # fmt: skip

    batches = [
        {"results": [api_row("hiking boots", "EXACT", "12340000", 1.0)], "fieldMask": "x"},
        {"results": [api_row("free boots", "BROAD", "5000000", 0.0)], "requestId": "abc"},
    ]
    path = tmp_path / "stream.json"
    path.write_text(json.dumps(batches), encoding="utf-8")
    report = read_report(path)
    assert report.format == "google_ads_api_json"
    assert report.table["search_term"].tolist() == ["hiking boots", "free boots"]
    assert report.table["cost"].tolist() == [12.34, 5.0]
    assert report.table["campaign"].tolist() == ["Search - Boots"] * 2
    assert report.currency == "USD"
    jsonl = tmp_path / "rows.jsonl"
    jsonl.write_text("\n".join(json.dumps(b) for b in batches) + "\n", encoding="utf-8")
    assert read_report(jsonl).table["line"].tolist() == [1, 2]


MS_PREAMBLE = [
    '"Report Name: Search term report"',
    '"Report Time: 5/1/2026,5/7/2026"',
    '"Time Zone: (GMT+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna"',
    '"Last Completed Available Day: 5/8/2026 4:10:00 AM (GMT)"',
    '"Last Completed Available Hour: 5/8/2026 4:10:00 AM (GMT)"',
    '"Report Aggregation: Summary"',
    '"Report Filter: "',
    '"Potential Incomplete Data: false"',
    '"Rows: 3"',
    "",
]


def test_microsoft_advertising_ui_export(tmp_path: Path) -> None:
    lines = [
        *MS_PREAMBLE,
        '"Account name","Campaign name","Ad group","Search term","Keyword","Bid match type",'
        '"Delivered match type","Impressions","Clicks","Spend","Conv.","Revenue","Currency code"',
        '"Acme","Boots","Hiking","hiking boots sale","hiking boots","Broad","Phrase","1,200",'
        '"40","52.30","2","180.00","USD"',
        '"Acme","Boots","Hiking","hiking boots","[hiking boots]","Exact","Exact","800","30",'
        '"41.10","3","290.00","USD"',
        '"Acme","Boots","Hiking","boot repair","hiking boots","Broad","Broad","90","4","3.96",'
        '"0","0.00","USD"',
        "",
        '"©2026 Microsoft Corporation. All rights reserved. "',
    ]
    report = read_report(write(tmp_path / "ms.csv", lines, newline="\r\n"))
    rows = by_term(report.table)
    assert (report.format, report.locale, report.currency) == ("microsoft_ads", "en", "USD")
    assert report.period.start == date(2026, 5, 1) and report.period.end == date(2026, 5, 7)
    assert len(report.table) == 3
    sale = rows["hiking boots sale"]
    assert (sale["match_type"], sale["keyword_match_type"], sale["impressions"]) == (
        "phrase",
        "broad",
        1200,
    )
    assert rows["hiking boots"]["keyword"] == "hiking boots"
    assert (rows["hiking boots"]["cost"], rows["hiking boots"]["conversion_value"]) == (41.1, 290.0)
    assert rows["boot repair"]["line"] == 14
    assert report.notes == []


def test_microsoft_row_count_and_incomplete_flag_are_noted(tmp_path: Path) -> None:
    preamble = [line.replace("Rows: 3", "Rows: 5").replace("false", "true") for line in MS_PREAMBLE]
    lines = [
        *preamble,
        '"Search term","Delivered match type","Clicks","Spend"',
        '"hiking boots","Exact","30","41.10"',
        '"boot repair","Broad","4","3.96"',
    ]
    report = read_report(write(tmp_path / "ms.csv", lines, newline="\r\n"))
    assert any("'Rows: 5' but 2 data rows" in n for n in report.notes)
    assert any("potentially incomplete" in n for n in report.notes)


def test_microsoft_api_column_names(tmp_path: Path) -> None:
    lines = [
        *MS_PREAMBLE[:2],
        "",
        '"AccountName","CampaignName","AdGroupName","SearchQuery","DeliveredMatchType",'
        '"BidMatchType","Impressions","Clicks","Spend","Conversions","Revenue","CurrencyCode"',
        '"Acme","Boots","Hiking","hiking boots","Exact","Exact","800","30","41.10","3","290.00",'
        '"SEK"',
    ]
    report = read_report(write(tmp_path / "ms-api.csv", lines, newline="\r\n"))
    assert report.format == "microsoft_ads_api"
    [term] = report.table.to_dict("records")
    assert (term["search_term"], term["match_type"], term["cost"]) == (
        "hiking boots",
        "exact",
        41.1,
    )
    assert report.currency == "SEK"


def test_unknown_columns_are_reported_not_fatal(tmp_path: Path) -> None:
    lines = [
        "Search term,Clicks,Cost,Device,My label",
        "hiking boots,4,3.20,Mobile,x",
    ]
    report = read_report(write(tmp_path / "extra.csv", lines))
    assert report.unknown_columns == ["Device", "My label"]
    assert report.table["cost"].tolist() == [3.2]


def test_short_row_is_read_with_empty_cells_and_noted(tmp_path: Path) -> None:
    lines = [
        "Search term,Match type,Added/Excluded,Clicks,Impr.,Cost,Conversions",
        "hiking boots,Exact match,Added,12,140,38.40,1.00",
        "boot laces,Broad match,None,1,9,0.40",
        "trail shoes,Phrase match,None,3,50,2.10,0.00",
    ]
    report = read_report(write(tmp_path / "short.csv", lines))
    rows = by_term(report.table)
    assert rows["boot laces"]["cost"] == 0.40
    assert pd.isna(rows["boot laces"]["conversions"])
    assert rows["boot laces"]["match_type"] == "broad"
    assert rows["hiking boots"]["status"] == "added"
    assert [r["line"] for r in report.table.to_dict("records")] == [2, 3, 4]
    assert any("line 3" in n and "missing cells were read as empty" in n for n in report.notes)
