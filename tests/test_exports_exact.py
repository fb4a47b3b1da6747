"""Import files carry the account's names exactly; spreadsheet outputs stay defused.

A hostile-named copy of the sample account (campaigns named `+ Jackor SE`, `=Kängor, "Skor"`,
`@Fjällgear`, `-Tillbehör`) is audited through the CLI; the Editor file and the Microsoft bulk
file are re-read with the stdlib csv module (an independent parser) and must give back the
exact names, while the findings CSV writes them defused.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from auditor.cli import main
from auditor.config import Settings
from auditor.errors import EXIT_BAD_CONFIG, EXIT_OK, OutputError
from auditor.model import NegativeProposal
from auditor.output.negatives import (
    as_campaign_negatives,
    default_list_name,
    write_negatives,
)

SAMPLE = Path(__file__).parent.parent / "sample_reports" / "google-ads-search-terms-en.csv"
HOSTILE = {
    "Generic - Jackor": "+ Jackor SE",
    "Generic - Kängor, Skor": '=Kängor, "Skor"',
    "Brand - Fjällgear": "@Fjällgear",
    "Generic - Tillbehör": "-Tillbehör",
}
FORMULA_START = ("=", "+", "-", "@")


@pytest.fixture(scope="module")
def hostile_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample report with its campaigns renamed to start like spreadsheet formulas."""
    with SAMPLE.open(encoding="utf-8", newline="") as fh:
        rows = [[HOSTILE.get(cell, cell) for cell in row] for row in csv.reader(fh)]
    path = tmp_path_factory.mktemp("hostile") / "search-terms.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def _audit(report: Path, out: Path, *flags: str) -> dict:
    args = ["audit", str(report), "--json", str(out / "a.json"), "--top", "0", *flags]
    assert main(args) == EXIT_OK
    return json.loads((out / "a.json").read_text(encoding="utf-8"))


def test_editor_file_gives_back_the_exact_names(hostile_report: Path, tmp_path: Path) -> None:
    audit = _audit(
        hostile_report,
        tmp_path,
        "--negatives",
        str(tmp_path / "editor.csv"),
        "--findings",
        str(tmp_path / "findings.csv"),
    )
    rows = _read(tmp_path / "editor.csv")
    names = {r["Campaign"] for r in rows if r["Campaign"]}
    expected = {c for p in audit["negatives"] for c in [p["campaign"], *p["campaigns"]] if c}
    assert names == expected
    assert set(HOSTILE.values()) <= names
    assert not any(n.startswith("'") for n in names)
    findings = _read(tmp_path / "findings.csv")
    campaigns = {r["campaign"] for r in findings if r.get("campaign")}
    assert "'+ Jackor SE" in campaigns and "+ Jackor SE" not in campaigns
    assert not any(c.startswith(FORMULA_START) for c in campaigns)


def test_microsoft_bulk_file_gives_back_the_exact_names(
    hostile_report: Path, tmp_path: Path
) -> None:
    out = tmp_path / "bulk.csv"
    audit = _audit(
        hostile_report, tmp_path, "--negatives", str(out), "--negatives-format", "microsoft"
    )
    rows = _read(out)
    assert rows[0]["Type"] == "Format Version"
    names = {r["Campaign"] for r in rows if r["Campaign"]}
    expected = {c for p in audit["negatives"] for c in [p["campaign"], *p["campaigns"]] if c}
    assert names == expected and set(HOSTILE.values()) <= names
    (nkl,) = [r for r in rows if r["Type"] == "Negative Keyword List"]
    assert nkl["Name"] == f"auditor negatives - {audit['account']}"
    keywords = {r["Keyword"] for r in rows if r["Keyword"]}
    assert keywords == {p["text"] for p in audit["negatives"]}


def test_the_plain_list_starts_no_line_like_a_formula(hostile_report: Path, tmp_path: Path) -> None:
    out = tmp_path / "neg.txt"
    _audit(hostile_report, tmp_path, "--negatives", str(out), "--negatives-format", "list")
    lines = [line for line in out.read_text(encoding="utf-8").splitlines() if line]
    assert lines and not any(line.startswith(FORMULA_START) for line in lines)
    text = "\n".join(lines)
    assert any(f"# campaign: {name}" in text for name in HOSTILE.values())


def test_list_id_adds_to_an_existing_microsoft_list(hostile_report: Path, tmp_path: Path) -> None:
    out = tmp_path / "bulk.csv"
    flags = ["--negatives", str(out), "--negatives-format", "microsoft", "--list-id", "8812"]
    audit = _audit(hostile_report, tmp_path, *flags)
    rows = _read(out)
    assert not [r for r in rows if r["Type"] == "Negative Keyword List"]
    shared = [r for r in rows if r["Type"] == "Shared Negative Keyword"]
    assert shared and {r["Parent Id"] for r in shared} == {"8812"}
    links = [r for r in rows if r["Type"] == "Campaign Negative Keyword List Association"]
    attached = {c for p in audit["negatives"] for c in p["campaigns"]}
    assert {r["Id"] for r in links} == {"8812"} and {r["Campaign"] for r in links} == attached


def test_list_id_is_refused_for_an_editor_file(tmp_path: Path, capsys) -> None:
    flags = ["--negatives", str(tmp_path / "n.csv"), "--negatives-format", "editor"]
    assert main(["audit", str(SAMPLE), *flags, "--list-id", "5"]) == EXIT_BAD_CONFIG
    assert "--list-id" in capsys.readouterr().err
    assert not (tmp_path / "n.csv").exists()


def test_an_overlong_list_name_is_refused(tmp_path: Path) -> None:
    flags = ["--negatives", str(tmp_path / "n.csv"), "--list-name", "x" * 256]
    assert main(["audit", str(SAMPLE), *flags]) == EXIT_BAD_CONFIG
    assert not (tmp_path / "n.csv").exists()


def test_list_name_names_the_shared_set(tmp_path: Path, capsys) -> None:
    out = tmp_path / "editor.csv"
    audit = _audit(SAMPLE, tmp_path, "--negatives", str(out), "--list-name", "Weekly negatives")
    printed = capsys.readouterr().out
    assert "Check in Editor's import preview that the shared set 'Weekly negatives'" in printed
    sets = {r["Shared set name"] for r in _read(out) if r["Shared set name"]}
    assert sets == {"Weekly negatives"}
    shared = [p for p in audit["negatives"] if p["level"] == "shared_list"]
    assert shared and {p["list_name"] for p in shared} == {"Weekly negatives"}


def test_campaign_level_writes_no_list(tmp_path: Path) -> None:
    out = tmp_path / "bulk.csv"
    flags = ["--negatives-format", "microsoft", "--negatives-level", "campaign"]
    audit = _audit(SAMPLE, tmp_path, "--negatives", str(out), *flags)
    rows = _read(out)
    types = {r["Type"] for r in rows}
    assert types == {"Format Version", "Campaign Negative Keyword"}
    got = {(r["Campaign"], r["Keyword"]) for r in rows if r["Keyword"]}
    want = {
        (c, p["text"])
        for p in audit["negatives"]
        for c in (p["campaigns"] if p["level"] == "shared_list" else [p["campaign"]])
    }
    assert got == want


def test_campaign_negatives_are_not_written_twice() -> None:
    shared = NegativeProposal(
        id="a", text="jobb", match_type="phrase", level="shared_list", campaigns=["A", "B"]
    )
    own = NegativeProposal(id="b", text="Jobb", match_type="phrase", level="campaign", campaign="A")
    out = as_campaign_negatives([shared, own])
    assert [(p.level, p.campaign, p.text) for p in out] == [
        ("campaign", "A", "jobb"),
        ("campaign", "B", "jobb"),
    ]


def test_a_list_without_campaigns_cannot_become_campaign_negatives(tmp_path: Path) -> None:
    loose = NegativeProposal(id="a", text="jobb", match_type="phrase", level="shared_list")
    with pytest.raises(OutputError, match="names no campaign"):
        write_negatives(tmp_path / "n.csv", [loose], "editor", level="campaign")
    assert not (tmp_path / "n.csv").exists()


def test_default_list_name_carries_the_account() -> None:
    assert default_list_name(Settings(), "Fjällgear AB") == "auditor negatives - Fjällgear AB"
    named = Settings(shared_list_name="Always negative")
    assert default_list_name(named, "Fjällgear AB") == "Always negative"


def test_config_account_name_names_the_account(tmp_path: Path) -> None:
    config = tmp_path / "acct.toml"
    config.write_text('[account]\nname = "Fjällgear AB"\n', encoding="utf-8")
    out = tmp_path / "editor.csv"
    audit = _audit(SAMPLE, tmp_path, "--config", str(config), "--negatives", str(out))
    assert audit["account"] == "Fjällgear AB"
    sets = {r["Shared set name"] for r in _read(out) if r["Shared set name"]}
    assert sets == {"auditor negatives - Fjällgear AB"}


def test_import_file_holds_only_the_platform_columns(tmp_path: Path) -> None:
    proposal = NegativeProposal(
        id="a", text="kurs", match_type="exact", level="campaign", campaign="+ Brand SE"
    )
    out = tmp_path / "e.csv"
    write_negatives(out, [proposal], "editor")
    assert out.read_text(encoding="utf-8-sig").splitlines() == [
        "Campaign,Ad group,Keyword,Criterion Type,Shared set name",
        "+ Brand SE,,[kurs],Campaign Negative Exact,",
    ]
