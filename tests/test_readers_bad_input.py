"""Unusable files: one line naming file, line and column, exit 2; bad rows: skipped, listed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from auditor.cli import main
from auditor.errors import EXIT_BAD_INPUT, EXIT_OK

HEADER = "Search term,Match type,Campaign,Ad group,Clicks,Impr.,Cost,Conversions"
GOOD = "hiking boots,Exact match,Boots,Hiking,12,140,38.40,1.00"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["audit", *args])
    out, err = capsys.readouterr()
    return code, out, err


def error_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    assert lines[0].startswith("auditor: error: ")
    return lines[0]


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("empty.csv", b"", "empty.csv: file is empty"),
        ("blank.csv", b"\xef\xbb\xbf\r\n\r\n  \n", "blank.csv: file is empty"),
        ("xlsx.csv", b"PK\x03\x04\x14\x00\x06\x00" + bytes(200), "Excel workbook (.xlsx)"),
        ("png.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64), "png.csv: binary file"),
        ("nul.csv", b"Search term,Clicks\nboots,1\nbo\x00\x01\x02ts,2\n", "nul.csv:3: binary file"),
        (
            "login.csv",
            b"<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body></body></html>\n",
            "login.csv:1: an HTML/XML page",
        ),
    ],
)
def test_unusable_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, data: bytes, expected: str
) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    code, _, err = run(capsys, str(path))
    assert code == EXIT_BAD_INPUT
    assert expected in error_line(err)


def test_missing_required_column(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "terms-only.csv"
    path.write_text("Search term,Match type,Campaign\nhiking boots,Exact match,Boots\n")
    code, _, err = run(capsys, str(path))
    assert code == EXIT_BAD_INPUT
    line = error_line(err)
    assert "terms-only.csv:1: missing required column" in line
    assert "'Clicks', 'Cost' or 'Impr.'" in line


def test_not_a_report_at_all(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "contacts.csv"
    path.write_text("Name,Email,Phone\nAda,ada@example.com,123\n")
    code, _, err = run(capsys, str(path))
    assert code == EXIT_BAD_INPUT
    assert "contacts.csv:1: not a search-terms, keyword or campaign report" in error_line(err)


def test_truncated_quote_names_the_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "cut.csv"
    lines = ["Search terms report", HEADER, GOOD, '"boots waterproof,Broad match,Boots,Hiking,3']
    path.write_text("\n".join(lines) + "\n" + "\n".join([GOOD] * 3) + "\n")
    code, _, err = run(capsys, str(path))
    assert code == EXIT_BAD_INPUT
    assert "cut.csv:4: a quote opens here and is never closed" in error_line(err)


def test_five_megabyte_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "huge.csv"
    huge = "x" * (5 * 2**20) + ",Broad match,Boots,Hiking,1,1,0.10,0.00"
    path.write_text("\n".join([HEADER, GOOD, huge, GOOD]) + "\n")
    code, out, _ = run(capsys, str(path))
    assert code == 0
    assert "2 search-term rows, 1 rows skipped" in out
    assert "skipped line 3: a cell over the 1 MiB a report cell can have: not a report row" in out
    assert "nothing was bought" not in out


def test_five_megabyte_first_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "blob.csv"
    path.write_bytes(b"A" * (5 * 2**20))
    code, _, err = run(capsys, str(path))
    assert code == EXIT_BAD_INPUT
    assert "blob.csv:1: line 1 is longer than" in error_line(err)


def test_header_only_file_is_a_no_data_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "quiet-week.csv"
    path.write_text(f'Search terms report\n"May 1, 2026 - May 7, 2026"\n{HEADER}\n')
    out_json = tmp_path / "audit.json"
    code, out, _ = run(capsys, str(path), "--json", str(out_json))
    assert code == EXIT_OK
    assert "0 rows" in out
    assert "header but no data rows" in out
    data = json.loads(out_json.read_text())
    assert data["inputs"][0]["rows"] == 0
    assert data["period"]["days"] == 7


def test_garbage_numbers_skip_rows_and_say_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "dirty.csv"
    lines = [
        HEADER,
        GOOD,
        "hiking boots sale,Broad match,Boots,Hiking,abc,140,12.00,0.00",
        "boot repair,Broad match,Boots,Hiking,3,90,n/a,0.00",
        "boots,Broad match,Boots,Hiking,4,50,1.2.3,0.00",
        "winter boots,Phrase match,Boots,Hiking,5,60,4.00,0.00",
    ]
    path.write_text("\n".join(lines) + "\n")
    out_json = tmp_path / "audit.json"
    code, out, _ = run(capsys, str(path), "--json", str(out_json))
    assert code == EXIT_OK
    assert "3 search-term rows, 2 rows skipped" in out
    assert "skipped line 3: column 'Clicks': 'abc' is not a number" in out
    skipped = json.loads(out_json.read_text())["inputs"][0]["skipped"]
    assert skipped == [
        {"line": 3, "reason": "column 'Clicks': 'abc' is not a number"},
        {"line": 5, "reason": "column 'Cost': '1.2.3' is not a number"},
    ]
    assert json.loads(out_json.read_text())["totals"]["cost"] == pytest.approx(38.40 + 4.00)


def test_a_column_of_garbage_is_an_error_not_skipped_rows(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "shifted.csv"
    rows = [f"term {i},Broad match,Boots,Hiking,{i},10,Boots,0.00" for i in range(12)]
    path.write_text("\n".join([HEADER, *rows]) + "\n")
    code, _, err = run(capsys, str(path))
    assert code == EXIT_BAD_INPUT
    line = error_line(err)
    assert "shifted.csv:2: column 'Cost': holds no numbers (12 of 12 rows" in line


def test_rows_without_a_search_term_are_listed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "holes.csv"
    path.write_text("\n".join([HEADER, GOOD, ",Broad match,Boots,Hiking,3,9,1.00,0.00"]) + "\n")
    out_json = tmp_path / "audit.json"
    code, _, _ = run(capsys, str(path), "--json", str(out_json))
    assert code == EXIT_OK
    skipped = json.loads(out_json.read_text())["inputs"][0]["skipped"]
    assert skipped == [{"line": 3, "reason": "no search term (column 'Search term' is empty)"}]


def test_broken_json_dump_names_the_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "dump.jsonl"
    good = '{"searchTermView": {"searchTerm": "boots"}, "metrics": {"clicks": "1"}}'
    path.write_text(f'{good}\n{good}\n{{"searchTermView": \n')
    code, _, err = run(capsys, str(path))
    assert code == EXIT_BAD_INPUT
    assert "dump.jsonl:3: not valid JSON" in error_line(err)
