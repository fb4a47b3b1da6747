"""Negative-keyword exports: Google Ads Editor CSV, Microsoft Advertising bulk, plain list."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from auditor.config import Settings
from auditor.errors import OutputError
from auditor.model import NegativeProposal
from auditor.output.negatives import write_negatives
from auditor.readers.negatives_list import read_path

PROPOSALS = [
    NegativeProposal(
        id="a",
        text="jobb",
        match_type="phrase",
        level="shared_list",
        list_name="auditor negatives",
        campaigns=["Generic - Jackor", "Generic - Kängor, Skor"],
    ),
    NegativeProposal(
        id="b", text="kurs", match_type="exact", level="campaign", campaign="Generic - Jackor"
    ),
    NegativeProposal(
        id="c",
        text="gratis",
        match_type="broad",
        level="ad_group",
        campaign="Generic - Jackor",
        ad_group="Regnjackor",
    ),
    NegativeProposal(
        id="d", text="-40 sovsäck", match_type="phrase", level="campaign", campaign="=HYPERLINK()"
    ),
]


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def test_editor_file_has_every_level_in_editor_form(tmp_path: Path) -> None:
    path = tmp_path / "neg.csv"
    write_negatives(path, PROPOSALS[:3], "editor")
    rows = _rows(path)
    assert list(rows[0]) == ["Campaign", "Ad group", "Keyword", "Criterion Type", "Shared set name"]
    shared = [r for r in rows if r["Keyword"] == '"jobb"']
    assert shared[0]["Criterion Type"] == "Negative Phrase"
    assert shared[0]["Shared set name"] == "auditor negatives" and not shared[0]["Campaign"]
    attached = {r["Campaign"] for r in rows if not r["Keyword"]}
    assert attached == {"Generic - Jackor", "Generic - Kängor, Skor"}
    campaign = next(r for r in rows if r["Keyword"] == "[kurs]")
    assert campaign["Criterion Type"] == "Campaign Negative Exact"
    assert campaign["Campaign"] == "Generic - Jackor" and not campaign["Ad group"]
    group = next(r for r in rows if r["Keyword"] == "gratis")
    assert group["Criterion Type"] == "Negative Broad"
    assert group["Ad group"] == "Regnjackor"


def test_microsoft_bulk_file(tmp_path: Path) -> None:
    path = tmp_path / "bulk.csv"
    write_negatives(path, PROPOSALS[:3], "microsoft")
    rows = _rows(path)
    assert rows[0]["Type"] == "Format Version" and rows[0]["Name"] == "6.0"
    by_type: dict[str, list[dict[str, str]]] = {}
    for r in rows:
        by_type.setdefault(r["Type"], []).append(r)
    (nkl,) = by_type["Negative Keyword List"]
    assert nkl["Name"] == "auditor negatives" and nkl["Id"] == "-1"
    assert [r["Parent Id"] for r in by_type["Shared Negative Keyword"]] == ["-1"]
    links = by_type["Campaign Negative Keyword List Association"]
    assert {r["Campaign"] for r in links} == {"Generic - Jackor", "Generic - Kängor, Skor"}
    assert {r["Id"] for r in links} == {"-1"}
    (camp,) = by_type["Campaign Negative Keyword"]
    assert (camp["Keyword"], camp["Match Type"]) == ("kurs", "Exact")
    (group,) = by_type["Ad Group Negative Keyword"]
    assert (group["Keyword"], group["Match Type"], group["Ad Group"]) == (
        "gratis",
        "Phrase",
        "Regnjackor",
    )


def test_import_cells_carry_names_exactly(tmp_path: Path) -> None:
    path = tmp_path / "neg.csv"
    write_negatives(path, PROPOSALS, "editor")
    text = path.read_text(encoding="utf-8-sig")
    assert "\n=HYPERLINK(),," in text and "'=HYPERLINK()" not in text
    assert '"""-40 sovsäck"""' in text


def test_existing_file_needs_force(tmp_path: Path) -> None:
    path = tmp_path / "neg.csv"
    path.write_text("keep me", encoding="utf-8")
    with pytest.raises(OutputError, match="--force"):
        write_negatives(path, PROPOSALS[:1], "editor")
    assert path.read_text(encoding="utf-8") == "keep me"
    write_negatives(path, PROPOSALS[:1], "editor", force=True)
    assert "jobb" in path.read_text(encoding="utf-8-sig")


def test_a_negative_without_its_target_is_refused(tmp_path: Path) -> None:
    bad = NegativeProposal(id="x", text="jobb", match_type="phrase", level="campaign")
    with pytest.raises(OutputError, match="no campaign"):
        write_negatives(tmp_path / "neg.csv", [bad], "editor")
    assert not (tmp_path / "neg.csv").exists()


@pytest.mark.parametrize("fmt", ["editor", "list"])
def test_exports_read_back_as_existing_negatives(tmp_path: Path, fmt: str) -> None:
    path = tmp_path / f"neg.{fmt}"
    write_negatives(path, PROPOSALS[:3], fmt, settings=Settings())
    table = read_path(path, 0).table
    got = set(zip(table["keyword"], table["keyword_match_type"], strict=True))
    assert got == {("jobb", "phrase"), ("kurs", "exact"), ("gratis", "broad")}
