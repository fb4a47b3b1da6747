"""Reading the negatives already in the account: Editor table, Microsoft bulk, plain list."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from auditor import schema
from auditor.errors import InputError
from auditor.readers import read_report
from auditor.readers.negatives_list import looks_like, read_path


def _pairs(path: Path) -> list[tuple]:
    t = read_report(path, role="existing_negatives").table
    cols = ["keyword", "keyword_match_type", "campaign", "ad_group", "list_name"]
    return [
        tuple(None if pd.isna(v) else v for v in row)
        for row in t[cols].astype(object).itertuples(index=False)
    ]


def test_plain_list_in_keyword_syntax(tmp_path: Path) -> None:
    path = tmp_path / "negatives.txt"
    path.write_text('# universal\nfree\n"free download"\n[hiking boots jobs]\n\n[broken\n', "utf-8")
    report = read_report(path, role="existing_negatives")
    assert report.kind == schema.KIND_NEGATIVES
    assert _pairs(path) == [
        ("free", "broad", None, None, None),
        ("free download", "phrase", None, None, None),
        ("hiking boots jobs", "exact", None, None, None),
    ]
    assert [(s.line, s.reason[:25]) for s in report.skipped] == [(6, "keyword syntax not unders")]


def test_editor_export_with_levels_and_lists(tmp_path: Path) -> None:
    path = tmp_path / "editor.csv"
    path.write_text(
        "Campaign,Ad group,Keyword,Criterion Type,Shared set name\n"
        'Jackor,,"""gratis""",Campaign Negative Phrase,\n'
        "Jackor,Regnjackor,[kurs],Negative Exact,\n"
        ",,jobb,Negative Broad,Universal\n"
        "Jackor,Regnjackor,regnjacka,Broad,\n",
        "utf-8",
    )
    assert _pairs(path) == [
        ("gratis", "phrase", "Jackor", None, None),
        ("kurs", "exact", "Jackor", "Regnjackor", None),
        ("jobb", "broad", None, None, "Universal"),
    ]
    skipped = read_report(path, role="existing_negatives").skipped
    assert [(s.line, s.reason) for s in skipped] == [(5, "not a negative keyword (Broad)")]


def test_microsoft_bulk_rows(tmp_path: Path) -> None:
    path = tmp_path / "bulk.csv"
    path.write_text(
        "Type,Status,Id,Parent Id,Campaign,Ad Group,Client Id,Modified Time,Keyword,"
        "Match Type,Name\n"
        "Format Version,,,,,,,,,,6.0\n"
        "Negative Keyword List,Active,-1,,,,,,,,Universal\n"
        "Campaign Negative Keyword,Active,,,Jackor,,,,kurs,Exact,\n"
        "Ad Group Negative Keyword,Active,,,Jackor,Regnjackor,,,gratis,Phrase,\n",
        "utf-8",
    )
    assert _pairs(path) == [
        ("kurs", "exact", "Jackor", None, None),
        ("gratis", "phrase", "Jackor", "Regnjackor", None),
    ]


def test_header_detection_does_not_claim_search_term_reports() -> None:
    assert looks_like(["Campaign", "Ad group", "Keyword", "Criterion Type"])
    assert looks_like(["Negative keyword", "Campaign"])
    assert not looks_like(["Search term", "Match type", "Campaign", "Keyword", "Clicks"])
    assert not looks_like(["Keyword status", "Keyword", "Match type", "Campaign"])


def test_binary_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "negatives.txt"
    path.write_bytes(b"PK\x03\x04\x00\x00binary")
    with pytest.raises(InputError, match="binary"):
        read_path(path, 0)
