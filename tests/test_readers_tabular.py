"""The low-level layer: encodings, delimiters, header, line numbers, numbers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from auditor.readers import headers
from auditor.readers.numbers import NumberStyle, detect_number_style, parse_numbers
from auditor.readers.tabular import load_raw, normalise_name

S = pd.StringDtype("pyarrow")


def cells(*values: str) -> pd.Series:
    return pd.Series(list(values), dtype=S)


@pytest.mark.parametrize(
    ("encoding", "prefix"),
    [
        ("utf-8", b""),
        ("utf-8", b"\xef\xbb\xbf"),
        ("utf-16-le", b"\xff\xfe"),
        ("utf-16-be", b"\xfe\xff"),
        ("utf-16-le", b""),
        ("cp1252", b""),
    ],
)
def test_encodings_keep_nordic_letters(tmp_path: Path, encoding: str, prefix: bytes) -> None:
    text = (
        "Rapport över söktermer\r\nSökterm;Klick;Kostnad\r\nfjällräven jacka;3;12,50\r\nøl;1;2\r\n"
    )
    path = tmp_path / "r.csv"
    path.write_bytes(prefix + text.encode(encoding))
    raw = load_raw(path)
    assert raw.header == ["Sökterm", "Klick", "Kostnad"]
    assert raw.delimiter == ";"
    assert raw.preamble == ["Rapport över söktermer"]
    assert raw.rows["Sökterm"].tolist() == ["fjällräven jacka", "øl"]
    assert raw.rows["line"].tolist() == [3, 4]
    assert raw.encoding.replace("-sig", "") in (encoding, "utf-8")


def test_line_numbers_survive_blank_lines_multiline_cells_and_short_rows(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text(
        "Search terms report\n"  # 1
        "Search term,Clicks,Cost\n"  # 2
        "boots,1,2.00\n"  # 3
        "\n"  # 4 blank
        '"two\nline term",3,4.00\n'  # 5-6
        "short,5\n"  # 7: one cell missing
        "long,6,7.00,,\n"  # 8: empty extra cells
        "shifted,6,7.00,oops\n"  # 9: extra cell with data
        "last,8,9.00\n"  # 10
    )
    raw = load_raw(path)
    got = dict(zip(raw.rows["Search term"], raw.rows["line"], strict=True))
    assert got == {"boots": 3, "two\nline term": 5, "short": 7, "long": 8, "last": 10}
    assert raw.rows.set_index("Search term").loc["short", "Cost"] == ""
    assert [(s.line, s.reason) for s in raw.skipped] == [
        (9, "row has 4 cells, the header 3: columns would shift")
    ]
    assert raw.notes and "line 7, 8" in raw.notes[0]


def test_microsoft_preamble_and_copyright_footer(tmp_path: Path) -> None:
    path = tmp_path / "ms.csv"
    path.write_bytes(
        b'"Report Name: Search term report"\r\n"Report Time: 5/1/2026,5/7/2026"\r\n\r\n'
        b'"Search term","Spend"\r\n"boots","1.00"\r\n\r\n'
        b'"\xc2\xa92026 Microsoft Corporation. All rights reserved."\r\n'
    )
    raw = load_raw(path)
    assert raw.preamble == ["Report Name: Search term report", "Report Time: 5/1/2026,5/7/2026"]
    assert raw.header_line == 4
    assert raw.rows["Search term"].tolist() == ["boots"]
    assert raw.trailer == [(7, "©2026 Microsoft Corporation. All rights reserved.")]


def test_header_is_found_by_the_callers_rule(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text("Account: Acme, Inc.\nFilter: none, all\nSearch term,Clicks\nboots,1\n")
    raw = load_raw(path, is_header=lambda c: "Search term" in c)
    assert raw.header_line == 3
    assert raw.preamble == ["Account: Acme, Inc.", "Filter: none, all"]


def test_header_only_file_has_no_rows(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text("Search term,Clicks,Cost\n")
    raw = load_raw(path)
    assert raw.header == ["Search term", "Clicks", "Cost"]
    assert len(raw.rows) == 0 and list(raw.rows.columns) == [
        "Search term",
        "Clicks",
        "Cost",
        "line",
    ]


def test_duplicate_and_empty_header_names_are_made_unique(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text("Cost,Cost,\n1,2,3\n")
    assert load_raw(path).columns == ["Cost", "Cost (2)", "column 3"]


def test_normalise_name_ignores_case_spaces_punctuation_and_accents() -> None:
    assert normalise_name(" Conv. value ") == normalise_name("conv value") == "convvalue"
    assert normalise_name("Konv.värde") == "konvvarde"
    assert normalise_name("Søgeord") == "sogeord"
    assert normalise_name("metrics.cost_micros") == normalise_name("metrics.costMicros")
    assert normalise_name("Übereinstimmungstyp") == "ubereinstimmungstyp"


@pytest.mark.parametrize(
    ("values", "decimal"),
    [
        (["0.00", "1023.40", '"1,204"', "7.58%"], "."),
        (["1,204", "15,880", "0.85"], "."),
        (["1 023,40", "7,58 %", "42,00"], ","),
        (["1.023,40", "7,58 %", "1.204"], ","),
        (["1\u00a0204", "12,5"], ","),
    ],
)
def test_detect_number_style(values: list[str], decimal: str) -> None:
    assert detect_number_style([cells(*values)]).decimal == decimal


def test_parse_english_numbers() -> None:
    values, bad = parse_numbers(
        cells("1,204", "0.85", "--", " --", "", "7.58%", "$1,234.50", "abc", "-3.5"),
        NumberStyle(".", ","),
    )
    assert values.tolist()[:2] == [1204.0, 0.85]
    assert np.isnan(values.tolist()[2:5]).all()
    assert values.tolist()[5] == pytest.approx(0.0758)
    assert values.tolist()[6] == 1234.5
    assert np.isnan(values.tolist()[7]) and values.tolist()[8] == -3.5
    assert bad.tolist() == [False] * 7 + [True, False]


def test_parse_nordic_and_german_numbers() -> None:
    nordic = NumberStyle(",", "\u00a0")
    values, bad = parse_numbers(
        cells("1\u00a0023,40", "1\u202f204", "1 204", "7,58 %", "12,50 kr", "\u22125,00"), nordic
    )
    assert values.tolist() == pytest.approx([1023.40, 1204.0, 1204.0, 0.0758, 12.5, -5.0])
    assert not bad.any()
    german, bad = parse_numbers(cells("1.023,40", "1.204", "0,85"), NumberStyle(",", "."))
    assert german.tolist() == [1023.40, 1204.0, 0.85]
    assert not bad.any()


def test_parse_numbers_plain_fast_path_keeps_the_index() -> None:
    series = pd.Series(["1", "2.5"], index=[10, 11], dtype=S)
    values, bad = parse_numbers(series, NumberStyle())
    assert values.index.tolist() == [10, 11] and values.tolist() == [1.0, 2.5]
    assert bad.dtype == bool and not bad.any()


@pytest.mark.parametrize(
    "column",
    [
        ["2,632", "1,234,567.5", "12", "0.5", "-1,000", "+.5", "1e5"],
        ["2,632", "nan", "inf", "12"],
        ["2,632", "1,2345", "12,34", ",123", "1,234e5", "1 234", "5"],
    ],
)
def test_comma_grouped_column_reads_as_its_cells_do_alone(column: list[str]) -> None:
    """The commas-only fast path gives what the careful path gives each cell (beside `--`,
    which keeps a column off every fast path)."""
    values, bad = parse_numbers(cells(*column), NumberStyle())
    for i, cell in enumerate(column):
        alone, alone_bad = parse_numbers(cells(cell, "--"), NumberStyle())
        assert np.array_equal(values.iloc[[i]], alone.iloc[[0]], equal_nan=True), cell
        assert bad.iloc[i] == alone_bad.iloc[0], cell


@pytest.mark.parametrize(
    ("label", "canonical"),
    [
        ("Search terms", "search_terms"),
        ("Other search terms", "other_search_terms"),
        ("Andra söktermer", "other_search_terms"),
        ("Sonstige Suchbegriffe", "other_search_terms"),
        ("Andre søgetermer", "other_search_terms"),
        ("Performance Max", "performance_max"),
        ("AI Max expanded matches", "ai_max_expanded_matches"),
    ],
)
def test_total_labels(label: str, canonical: str) -> None:
    assert headers.total_label(label) == canonical


def test_alias_table_has_no_conflicts_and_knows_every_language() -> None:
    table = headers.table()
    for name, canonical in [
        ("Sökterm", "search_term"),
        ("Søketerm", "search_term"),
        ("Søgeterm", "search_term"),
        ("Suchbegriff", "search_term"),
        ("metrics.cost_micros", "cost_micros"),
        ("DeliveredMatchType", "delivered_match_type"),
        ("Spend", "cost"),
        ("Konv.värde", "conversion_value"),
        ("Conv.-Wert", "conversion_value"),
    ]:
        assert table.canonical[normalise_name(name)] == canonical, name


@pytest.mark.parametrize("prefix", ["Total", "TOTAL", "Totalt", "I alt", "Gesamt", "Summe"])
def test_every_total_prefix_is_found_in_a_large_column(tmp_path: Path, prefix: str) -> None:
    from auditor.readers import read_report

    terms = [f"{w} boots {i}" for i in range(3000) for w in ("total", "summer", "in", "gear")]
    lines = ["Search term,Clicks,Cost", *(f"{t},1,0.10" for t in terms)]
    lines.append(f"{prefix}: Search terms,{len(terms)},{len(terms) * 0.1:.2f}")
    path = tmp_path / "r.csv"
    path.write_text("\n".join(lines) + "\n")
    report = read_report(path)
    assert len(report.table) == len(terms)
    assert report.file_totals["search_terms"]["clicks"] == len(terms)


def test_multiline_cell_across_a_parse_block_boundary_stays_whole(tmp_path: Path) -> None:
    header = "Search term,Clicks,Cost\n"
    tail = '"multi\nline term",7,0.70\n'
    filler: list[str] = []
    size = 0
    while size + len(tail) < 2**20 + 3:
        line = f"term {len(filler)},1,0.10\n"
        filler.append(line)
        size += len(line)
    body = "".join(filler[:-1])
    pad = 2**20 - len(body) - len('"multi') - 4
    body += f"{'x' * pad},1,0.10\n"
    path = tmp_path / "r.csv"
    path.write_text(header + body + tail + "last,1,0.10\n")
    raw = load_raw(path)
    rows = raw.rows.set_index("Search term")
    assert rows.loc["multi\nline term", "Cost"] == "0.70"
    assert rows.loc["last", "line"] == len(filler) + 4
    assert raw.skipped == [] and raw.notes == []


def test_utf8_file_with_a_stray_byte_keeps_its_letters_and_says_so(tmp_path: Path) -> None:
    head = "Sökterm;Klick\n" + "".join(f"fjällräven {i};1\n" for i in range(20000))
    path = tmp_path / "r.csv"
    path.write_bytes(head.encode("utf-8") + b"sko\xff;2\n")
    raw = load_raw(path)
    assert raw.encoding == "utf-8"
    assert raw.rows["Sökterm"].iloc[0] == "fjällräven 0"
    assert raw.rows["Sökterm"].iloc[-1] == "sko\ufffd"
    assert "first at line 20002" in raw.notes[0]


def test_ascii_head_with_cp1252_later_is_an_excel_resave(tmp_path: Path) -> None:
    head = "Search term;Clicks\n" + "".join(f"boots {i};1\n" for i in range(20000))
    path = tmp_path / "r.csv"
    path.write_bytes(head.encode("ascii") + "skor för barn;2\n".encode("cp1252"))
    raw = load_raw(path)
    assert raw.encoding == "cp1252"
    assert raw.rows["Search term"].iloc[-1] == "skor för barn"


def test_old_mac_line_ends(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_bytes(b"Search term,Clicks\rboots,1\rshoes,2\r")
    raw = load_raw(path)
    assert raw.rows["Search term"].tolist() == ["boots", "shoes"]
    assert raw.rows["line"].tolist() == [2, 3]
