"""`auditor audit` end to end on the bundled sample: summary, outputs, exit codes, batch mode."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest

from auditor.cli import main
from auditor.errors import EXIT_BAD_CONFIG, EXIT_BAD_INPUT, EXIT_FINDINGS, EXIT_OK, EXIT_OUTPUT

SAMPLES = Path(__file__).resolve().parents[1] / "sample_reports"
REPORT = SAMPLES / "google-ads-search-terms-en.csv"
KEYWORDS = SAMPLES / "google-ads-keywords-en.csv"


def test_audit_prints_summary_and_writes_json(tmp_path: Path, capsys) -> None:
    out = tmp_path / "audit.json"
    code = main(["audit", str(REPORT), "--keywords", str(KEYWORDS), "--json", str(out)])
    printed = capsys.readouterr().out
    assert code == EXIT_OK
    data = json.loads(out.read_text(encoding="utf-8"))
    for key in ("inputs", "period", "currency", "totals", "hidden_cost", "findings", "negatives"):
        assert key in data
    assert data["currency"] == "SEK"
    assert [i["kind"] for i in data["inputs"]] == ["search_terms", "keywords"]
    assert data["inputs"][1]["role"] == "keywords"
    assert data["inputs"][0]["locale"] == "en"
    assert data["period"]["days"] == 30
    cost = data["totals"]["cost"]
    assert f"{cost:,.2f}" in printed
    assert 0 < data["hidden_cost"] < 1
    assert data["findings"], "the sample account has planted problems"
    for f in data["findings"]:
        assert f["message"] and f["rule"] and f["severity"] in {"high", "medium", "low", "info"}


def test_second_run_refuses_to_overwrite_without_force(tmp_path: Path, capsys) -> None:
    out = tmp_path / "audit.json"
    out.write_text("{}", encoding="utf-8")
    code = main(["audit", str(REPORT), "--json", str(out)])
    err = capsys.readouterr().err
    assert code == EXIT_OUTPUT
    assert "--force" in err and str(out) in err
    assert out.read_text(encoding="utf-8") == "{}"
    assert main(["audit", str(REPORT), "--json", str(out), "--force"]) == EXIT_OK
    assert json.loads(out.read_text(encoding="utf-8"))["findings"]


def test_missing_input_is_one_line_exit_2(tmp_path: Path, capsys) -> None:
    code = main(["audit", str(tmp_path / "nope.csv")])
    err = capsys.readouterr().err
    assert code == EXIT_BAD_INPUT
    assert err.strip().count("\n") == 0
    assert "nope.csv" in err and "Traceback" not in err


def test_agency_folder_audits_each_account(tmp_path: Path, capsys) -> None:
    accounts = tmp_path / "accounts"
    (accounts / "fjallgear").mkdir(parents=True)
    (accounts / "fjallgear-bing").mkdir()
    (accounts / "broken").mkdir()
    shutil.copy(REPORT, accounts / "fjallgear" / "terms.csv")
    shutil.copy(KEYWORDS, accounts / "fjallgear" / "keywords.csv")
    shutil.copy(SAMPLES / "microsoft-ads-search-terms.csv", accounts / "fjallgear-bing")
    (accounts / "broken" / "terms.csv").write_bytes(b"\x00\x01\x02 not a report")
    out = tmp_path / "results"
    code = main(["audit", str(accounts), "--out-dir", str(out)])
    assert code == EXIT_BAD_INPUT, "the broken account is reported in the exit code"
    index = json.loads((out / "accounts.json").read_text(encoding="utf-8"))
    by_name = {row["account"]: row for row in index}
    assert set(by_name) == {"fjallgear", "fjallgear-bing", "broken"}
    assert "error" in by_name["broken"]
    for name in ("fjallgear", "fjallgear-bing"):
        audit = json.loads((out / name / "audit.json").read_text(encoding="utf-8"))
        assert audit["totals"]["cost"] == pytest.approx(by_name[name]["totals"]["cost"])
        assert (out / name / "findings.csv").exists()
        assert (out / name / "negatives.csv").exists()
    fjallgear = json.loads((out / "fjallgear" / "audit.json").read_text(encoding="utf-8"))
    assert sorted(i["kind"] for i in fjallgear["inputs"]) == ["keywords", "search_terms"]


def test_role_flags_refused_for_several_accounts(tmp_path: Path, capsys) -> None:
    accounts = tmp_path / "accounts"
    for name in ("a", "b"):
        (accounts / name).mkdir(parents=True)
        shutil.copy(REPORT, accounts / name / "terms.csv")
    code = main(
        ["audit", str(accounts), "--out-dir", str(tmp_path / "o"), "--keywords", str(KEYWORDS)]
    )
    assert code == EXIT_BAD_CONFIG
    assert "account's folder" in capsys.readouterr().err


def test_the_same_report_in_two_formats_is_counted_once(tmp_path: Path, capsys) -> None:
    out = tmp_path / "audit.json"
    utf16 = SAMPLES / "google-ads-search-terms-en-utf16.csv"
    assert main(["audit", str(REPORT), "--json", str(out)]) == EXIT_OK
    single = json.loads(out.read_text(encoding="utf-8"))
    assert main(["audit", str(REPORT), str(utf16), "--json", str(out), "--force"]) == EXIT_OK
    both = json.loads(out.read_text(encoding="utf-8"))
    assert both["totals"] == single["totals"]
    assert [i["role"] for i in both["inputs"]] == ["report", "duplicate"]
    assert "not counted again" in both["inputs"][1]["notes"][-1]
    assert "not counted again" in capsys.readouterr().out


def test_fail_on_gives_scripts_an_exit_code(tmp_path: Path, capsys) -> None:
    out = tmp_path / "a.json"
    assert main(["audit", str(REPORT), "--json", str(out), "--fail-on", "high"]) == EXIT_FINDINGS
    assert "--fail-on high" in capsys.readouterr().out
    assert out.exists(), "outputs are written before the exit code is decided"
    towing = Path(__file__).resolve().parents[2] / "shared" / "real-reports"
    quiet = towing / "google-ads-towing-cad-utf16.csv"
    if quiet.exists():
        assert main(["audit", str(quiet), "--fail-on", "info"]) == EXIT_OK


def test_the_api_dump_of_the_same_report_is_counted_once(tmp_path: Path) -> None:
    out = tmp_path / "a.json"
    api = SAMPLES / "google-ads-api-search-terms.csv"
    assert main(["audit", str(REPORT), str(api), "--json", str(out)]) == EXIT_OK
    data = json.loads(out.read_text(encoding="utf-8"))
    assert [i["role"] for i in data["inputs"]] == ["report", "duplicate"]
    truth = json.loads((SAMPLES / "truth.json").read_text(encoding="utf-8"))
    listed = sum(t["cost"] for t in truth["accounts"]["google"]["terms"])
    assert data["totals"]["cost"] == pytest.approx(listed, abs=0.05)


def test_two_downloads_with_different_conversions_are_refused(tmp_path: Path, capsys) -> None:
    lines = REPORT.read_text(encoding="utf-8").splitlines(keepends=True)
    header = lines[2].rstrip("\r\n").split(",")
    conv = header.index("Conversions")
    row = next(i for i, ln in enumerate(lines[3:], start=3) if ln.count('"') == 0)
    cells = lines[row].rstrip("\r\n").split(",")
    cells[conv] = f"{float(cells[conv]) + 1:.2f}"
    lines[row] = ",".join(cells) + "\n"
    later = tmp_path / "later.csv"
    later.write_text("".join(lines), encoding="utf-8")
    code = main(["audit", str(REPORT), str(later)])
    err = capsys.readouterr().err
    assert code == EXIT_BAD_INPUT
    assert "two downloads of the same report" in err and "give only the newer one" in err


def test_reports_in_two_currencies_are_never_added_up(tmp_path: Path, capsys) -> None:
    text = REPORT.read_text(encoding="utf-8").replace(",SEK,", ",NOK,")
    other = tmp_path / "other.csv"
    other.write_text(text.replace("Fjällgear", "Fjellutstyr"), encoding="utf-8")
    code = main(["audit", str(REPORT), str(other)])
    err = capsys.readouterr().err
    assert code == EXIT_BAD_INPUT
    assert "different currencies" in err and "NOK" in err and "SEK" in err


def test_a_folder_of_account_folders_needs_out_dir(tmp_path: Path, capsys) -> None:
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        shutil.copy(REPORT, tmp_path / name / "terms.csv")
    code = main(["audit", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == EXIT_BAD_INPUT
    assert "--out-dir" in err


def test_microsoft_reports_get_the_microsoft_bulk_file_by_default(tmp_path: Path) -> None:
    out = tmp_path / "negatives.csv"
    ms = SAMPLES / "microsoft-ads-search-terms.csv"
    assert main(["audit", str(ms), "--negatives", str(out)]) == EXIT_OK
    assert "Format Version" in out.read_text(encoding="utf-8-sig")


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (["--json", "same.out", "--findings", "same.out"], EXIT_BAD_INPUT),
        (["--out-dir", "results", "--json", "a.json"], EXIT_BAD_CONFIG),
    ],
)
def test_outputs_that_cannot_all_be_honoured_are_refused(
    tmp_path: Path, capsys, monkeypatch, extra: list[str], expected: int
) -> None:
    monkeypatch.chdir(tmp_path)
    code = main(["audit", str(REPORT), *extra])
    assert code == expected
    assert not any(tmp_path.iterdir()), "nothing is written"


def test_a_broken_account_wins_over_fail_on(tmp_path: Path) -> None:
    accounts = tmp_path / "accounts"
    (accounts / "good").mkdir(parents=True)
    (accounts / "empty").mkdir()
    shutil.copy(REPORT, accounts / "good" / "terms.csv")
    (accounts / "empty" / "terms.csv").write_bytes(b"")
    code = main(["audit", str(accounts), "--out-dir", str(tmp_path / "o"), "--fail-on", "high"])
    assert code == EXIT_BAD_INPUT


def test_a_download_cut_short_is_noted(tmp_path: Path, capsys) -> None:
    lines = REPORT.read_text(encoding="utf-8").splitlines(keepends=True)
    cut = tmp_path / "cut.csv"
    cut.write_text("".join(lines[:500]), encoding="utf-8")
    assert main(["audit", str(cut)]) == EXIT_OK
    assert "may be cut short" in capsys.readouterr().out
    assert main(["audit", str(REPORT)]) == EXIT_OK
    assert "cut short" not in capsys.readouterr().out


def test_the_same_report_segmented_by_day_is_counted_once(tmp_path: Path) -> None:
    """Same Total rows, twice the rows: the day-segmented download of the same report."""
    with REPORT.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    header = rows[2]
    data = [r for r in rows[3:] if r and not r[0].startswith("Total:")]
    totals = [r for r in rows[3:] if r and r[0].startswith("Total:")]
    idle = {header.index(c): "0" for c in ("Clicks", "Impr.", "Cost", "Conversions")}
    idle[header.index("Conv. value")] = "0.00"
    by_day = [rows[0], rows[1], ["Day", *header]]
    for r in data:
        by_day.append(["2026-10-01", *r])
        by_day.append(["2026-10-02", *[idle.get(i, v) for i, v in enumerate(r)]])
    by_day += [["", *t] for t in totals]
    day_file = tmp_path / "by-day.csv"
    with day_file.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(by_day)
    out = tmp_path / "a.json"
    assert main(["audit", str(REPORT), str(day_file), "--json", str(out)]) == EXIT_OK
    both = json.loads(out.read_text(encoding="utf-8"))
    assert [i["role"] for i in both["inputs"]] == ["report", "duplicate"]
    assert main(["audit", str(REPORT), "--json", str(out), "--force"]) == EXIT_OK
    assert json.loads(out.read_text(encoding="utf-8"))["totals"] == both["totals"]


def test_a_formula_like_campaign_name_is_imported_exactly(tmp_path: Path, capsys) -> None:
    report = Path(__file__).parent / "data" / "formula-campaign.csv"
    out = tmp_path / "negatives.csv"
    findings = tmp_path / "findings.csv"
    args = ["audit", str(report), "--negatives", str(out), "--findings", str(findings)]
    assert main(args) == EXIT_OK
    assert "apostrophe" not in capsys.readouterr().out
    text = out.read_text(encoding="utf-8-sig")
    assert "\n=Camp," in text and "'=Camp" not in text
    assert "'=Camp" in findings.read_text(encoding="utf-8-sig")
