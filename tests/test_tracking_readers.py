"""Conversion exports and shop orders: detected from their header, read, or refused clearly."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from auditor import schema
from auditor.audit import audit
from auditor.cli import main
from auditor.config import Settings
from auditor.errors import EXIT_BAD_INPUT
from auditor.readers import read_report

SAMPLE = Path(__file__).resolve().parents[1] / "sample_reports" / "tracking" / "clean"
REPORT = SAMPLE / "search-terms-by-day.csv"

OFFLINE_IMPORT = (
    "Parameters:TimeZone=+0100\r\n"
    "Google Click ID,Conversion Name,Conversion Time,Conversion Value,Conversion Currency,"
    "Order ID\r\n"
    'Cj0KCQiA1,Purchase,2026-10-13 14:22:05+01:00,"1,299.00",SEK,A-1001\r\n'
    "Cj0KCQiA2,Purchase,2026-10-13 15:02:11+01:00,,SEK,A-1002\r\n"
    "Cj0KCQiA3,Purchase,2026-10-14 09:12:00+01:00,abc,SEK,A-1003\r\n"
    "Cj0KCQiA4,Purchase,2026-10-15 18:40:00+01:00,-349,eur,A-1004\r\n"
)


def _write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_offline_import_layout_is_detected_as_a_conversion_export(tmp_path: Path) -> None:
    report = read_report(_write(tmp_path, "export.csv", OFFLINE_IMPORT), source=3)
    assert report.kind == schema.KIND_CONVERSIONS
    table = report.table
    assert table["transaction_id"].tolist() == ["A-1001", "A-1002", "A-1004"]
    assert table["conversion_value"].iloc[0] == 1299.0
    assert math.isnan(table["conversion_value"].iloc[1]), "an empty value is missing, not 0"
    assert table["conversion_value"].iloc[2] == -349.0
    assert table["currency"].tolist() == ["SEK", "SEK", "EUR"]
    assert table["day"].dt.strftime("%Y-%m-%d").tolist() == [
        "2026-10-13",
        "2026-10-13",
        "2026-10-15",
    ]
    assert (table["source"] == 3).all() and table["line"].tolist() == [3, 4, 6]
    assert [(s.line, "'abc' is not a number" in s.reason) for s in report.skipped] == [(5, True)]


def test_ga4_transactions_with_compact_dates(tmp_path: Path) -> None:
    text = (
        "Transaction ID,Date,Purchase revenue,Currency\n"
        "T1,20261001,899.00,SEK\nT2,20261002,1299.50,SEK\nT2,20261002,1299.50,SEK\n"
    )
    report = read_report(_write(tmp_path, "ga4.csv", text), role="conversions")
    assert report.kind == schema.KIND_CONVERSIONS
    assert report.table["conversions"].tolist() == [1.0, 1.0, 1.0]
    assert str(report.period.start) == "2026-10-01" and str(report.period.end) == "2026-10-02"


def test_swedish_orders_file_with_decimal_comma(tmp_path: Path) -> None:
    text = (
        "Datum;Ordrar;Omsättning;Valuta\r\n"
        "2026-10-01;31;118\u00a0450,50;SEK\r\n"
        "2026-10-02;28;97\u00a0120,00;SEK\r\n"
    )
    report = read_report(_write(tmp_path, "ordrar.csv", text, "cp1252"))
    assert report.kind == schema.KIND_ORDERS
    assert report.table["orders"].tolist() == [31.0, 28.0]
    assert report.table["revenue"].tolist() == [118450.5, 97120.0]
    assert report.currency == "SEK"


def test_orders_rows_without_a_date_or_count_are_skipped_and_listed(tmp_path: Path) -> None:
    text = "Date,Orders,Revenue\n2026-10-01,31,1000\n,4,100\n2026-10-03,many,100\n"
    report = read_report(_write(tmp_path, "orders.csv", text), role="orders")
    assert report.table["orders"].tolist() == [31.0]
    assert [s.line for s in report.skipped] == [3, 4]
    assert "no date" in report.skipped[0].reason and "'many'" in report.skipped[1].reason


def test_sample_files_are_detected_without_flags() -> None:
    kinds = {p.name: read_report(p).kind for p in SAMPLE.glob("*.csv")}
    assert kinds["conversions.csv"] == schema.KIND_CONVERSIONS
    assert kinds["orders.csv"] == schema.KIND_ORDERS
    assert kinds["search-terms-by-day.csv"] == schema.KIND_SEARCH_TERMS


@pytest.mark.parametrize(
    ("flag", "text", "expected"),
    [
        ("--conversions", "Campaign,Clicks\nBrand,12\n", "not a conversion export"),
        ("--conversions", "", "empty"),
        ("--orders", "Date,Visitors\n2026-10-01,300\n", "not a shop orders file"),
        ("--orders", 'Date,Orders,Revenue\n2026-10-01,3,"100\n2026-10-02,4,200\n', "quote"),
    ],
    ids=["no-id-column", "empty", "no-orders-column", "truncated-quote"],
)
def test_malformed_tracking_files_exit_2_with_one_clear_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], flag: str, text: str, expected: str
) -> None:
    bad = _write(tmp_path, "bad.csv", text)
    code = main(["audit", str(REPORT), flag, str(bad)])
    err = capsys.readouterr().err.strip()
    assert code == EXIT_BAD_INPUT
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    assert str(bad) in err and expected in err


def test_shopify_order_export_counts_each_paid_order_once(tmp_path: Path) -> None:
    text = (
        "Name,Email,Financial Status,Paid at,Currency,Total,Lineitem name,Created at\n"
        "#1001,a@x.se,paid,2026-10-01 10:00:00 +0200,SEK,948.00,Rain jacket,"
        "2026-10-01 09:58:00 +0200\n"
        "#1001,a@x.se,,,,,Socks,2026-10-01 09:58:00 +0200\n"
        "#1002,b@x.se,voided,,SEK,299.00,Cap,2026-10-01 11:00:00 +0200\n"
        '#1003,c@x.se,refunded,2026-10-02 10:00:00 +0200,SEK,"1,299.00",Boots,'
        "2026-10-02 09:00:00 +0200\n"
    )
    report = read_report(_write(tmp_path, "orders_export.csv", text), role="orders")
    assert report.kind == schema.KIND_ORDERS
    table = report.table
    assert table["orders"].sum() == 2, "line items of #1001 are one order; #1002 was voided"
    assert table["revenue"].tolist() == [948.0, 1299.0]
    assert table["day"].dt.strftime("%Y-%m-%d").tolist() == ["2026-10-01", "2026-10-02"]
    assert report.skipped == []


def test_a_click_list_without_values_is_not_missing_values(tmp_path: Path) -> None:
    rows = "".join(f"Cj0KCQiA{i},Purchase,2026-10-0{1 + i % 9} 12:00:00\n" for i in range(40))
    export = _write(
        tmp_path, "gclids.csv", "Google Click ID,Conversion Name,Conversion Time\n" + rows
    )
    result = audit([REPORT], Settings(conversions=(export,)))
    checks = {f.check for f in result.findings if f.category == "tracking"}
    assert "missing_value" not in checks and "default_value" not in checks


def test_swedish_conversion_export_with_decimal_comma(tmp_path: Path) -> None:
    text = (
        "Order-ID;Konverteringsåtgärd;Tidpunkt;Värde;Valuta\r\n"
        "S-1;Köp;13.10.2026 14:22;1\u00a0299,00;SEK\r\n"
        "S-2;Köp;14.10.2026 09:05;449,50;SEK\r\n"
    )
    report = read_report(_write(tmp_path, "konverteringar.csv", text, "cp1252"))
    assert report.kind == schema.KIND_CONVERSIONS
    assert report.table["conversion_value"].tolist() == [1299.0, 449.5]
    assert report.table["conversion_action"].tolist() == ["Köp", "Köp"]
    assert report.table["day"].dt.strftime("%Y-%m-%d").tolist() == ["2026-10-13", "2026-10-14"]


def test_orders_of_other_days_are_said_not_compared(tmp_path: Path) -> None:
    orders = _write(tmp_path, "orders.csv", "Date,Orders,Revenue\n2026-09-01,30,30000\n")
    result = audit([REPORT], Settings(orders=(orders,)))
    assert not [f for f in result.findings if f.check == "backend_mismatch"]
    skipped = {c["check"]: c["reason"] for c in result.checks_skipped if "check" in c}
    assert skipped["backend_mismatch"].startswith("needs an orders file covering the report's days")
