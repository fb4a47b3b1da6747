"""The XLSX workbook: its figures equal the audit JSON's, it says what it is, its text is
defused; and .xlsx reports (a download saved in Excel) are read like the CSV."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import openpyxl
import pytest

from auditor.audit import audit
from auditor.cli import main
from auditor.config import Settings
from auditor.errors import EXIT_OK, InputError
from auditor.output.xlsx import negative_columns
from auditor.readers import read_report

DATA = Path(__file__).parent / "data"
SAMPLE = Path(__file__).parent.parent / "sample_reports" / "google-ads-search-terms-en.csv"
SHEETS = ["Summary", "Findings", "Negatives", "Held back", "N-grams", "Tracking"]
TRACKING = Path(__file__).parent.parent / "sample_reports" / "tracking" / "faulty"


def _write(out: Path, *inputs: str) -> tuple[dict, openpyxl.Workbook]:
    args = ["audit", *inputs, "--json", str(out / "a.json"), "--xlsx", str(out / "a.xlsx")]
    assert main([*args, "--top", "0"]) == EXIT_OK
    data = json.loads((out / "a.json").read_text(encoding="utf-8"))
    return data, openpyxl.load_workbook(out / "a.xlsx")


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, openpyxl.Workbook]:
    """The bundled sample: 60-odd findings, 30-odd negatives, held-back items, n-grams."""
    return _write(tmp_path_factory.mktemp("xlsx"), str(SAMPLE))


@pytest.fixture(scope="module")
def tracked(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, openpyxl.Workbook]:
    """The faulty tracking sample: tracking findings with evidence."""
    return _write(
        tmp_path_factory.mktemp("xlsx"),
        str(TRACKING / "search-terms-by-day.csv"),
        "--by-action",
        str(TRACKING / "by-action.csv"),
        "--conversions",
        str(TRACKING / "conversions.csv"),
        "--orders",
        str(TRACKING / "orders.csv"),
    )


def same(values: list[tuple], expected: list[tuple]) -> bool:
    """Equal, figures to the 15-16 significant digits an .xlsx cell stores."""
    flat = [v for row in values for v in row]
    return len(values) == len(expected) and flat == pytest.approx(
        [v for row in expected for v in row], rel=1e-12
    )


def _records(ws) -> list[dict[str, object]]:
    rows = list(ws.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def test_sheets_and_their_frames(written) -> None:
    _, wb = written
    assert wb.sheetnames == SHEETS
    for ws in wb.worksheets:
        assert ws.freeze_panes == "A2"
        assert ws.auto_filter.ref and ws.auto_filter.ref.startswith("A1:")
        assert all(ws.column_dimensions[c].width >= 8 for c in "AB")


def test_summary_figures_equal_the_json(written) -> None:
    data, wb = written
    summary = {row[0]: row[1] for row in wb["Summary"].iter_rows(min_row=2, values_only=True)}
    assert summary["Tool"] == "auditor" and summary["Version"] == data["tool"]["version"]
    assert summary["Account"] == data["account"]
    assert summary["Period start"].date().isoformat() == data["period"]["start"]
    assert summary["Days"] == data["period"]["days"]
    for label, key in (("Cost", "cost"), ("Clicks", "clicks"), ("Conversions", "conversions")):
        assert summary[label] == pytest.approx(data["totals"][key], rel=1e-12)
        assert isinstance(summary[label], int | float)
    assert summary["CPA"] == pytest.approx(data["baseline"]["cpa"], rel=1e-12)
    assert summary["Hidden cost"] == pytest.approx(data["hidden_cost_amount"], rel=1e-12)
    assert summary["Findings"] == len(data["findings"])
    assert summary["Negatives proposed"] == len(data["negatives"])


def test_findings_and_negatives_equal_the_json(written) -> None:
    data, wb = written
    rules = [f for f in data["findings"] if f["category"] != "tracking"]
    rows = _records(wb["Findings"])
    assert len(rows) >= 30 and len(data["negatives"]) >= 20
    assert [r["Rule"] for r in rows] == [f["rule"] for f in rules]
    figures = ("Cost", "Clicks", "Conversions", "Conv. value")
    keys = ("cost", "clicks", "conversions", "conversion_value")
    got = [tuple(r[k] or 0 for k in figures) for r in rows]
    assert same(got, [tuple(f[k] or 0 for k in keys) for f in rules])
    negatives = _records(wb["Negatives"])
    negatives_json = data["negatives"]
    assert [r["Negative"] for r in negatives] == [n["text"] for n in negatives_json]
    assert same(
        [(r["Blocked cost"], r["Blocked clicks"], r["Blocks (terms)"]) for r in negatives],
        [
            (n["blocked_cost"], n["blocked_clicks"], len(n["blocked_terms"]))
            for n in data["negatives"]
        ],
    )
    assert [r["Blast radius (terms blocked)"] for r in negatives] == [
        "; ".join(n["blocked_terms"]) for n in data["negatives"]
    ]
    assert len(_records(wb["Held back"])) == len(data["held_back"]) > 0


def test_tracking_sheet_equals_the_json(tracked) -> None:
    data, wb = tracked
    tracking = [f for f in data["findings"] if f["category"] == "tracking"]
    assert tracking, "the faulty tracking sample has tracking findings"
    rows = _records(wb["Tracking"])
    assert [r["Check"] for r in rows] == [f["check"] for f in tracking]
    assert [json.loads(r["Evidence"]) for r in rows] == [f["evidence"] for f in tracking]


def test_figures_are_numbers_with_formats(written) -> None:
    _, wb = written
    ws = wb["Negatives"]
    header = [c.value for c in ws[1]]
    cost = ws.cell(row=2, column=header.index("Blocked cost") + 1)
    clicks = ws.cell(row=2, column=header.index("Blocked clicks") + 1)
    assert cost.data_type == "n" and cost.number_format == "#,##0.00"
    assert clicks.data_type == "n" and clicks.number_format == "#,##0"
    share = next(r for r in wb["Summary"].iter_rows(min_row=2) if r[0].value == "Hidden cost share")
    assert share[1].number_format == "0.0%"
    ngrams = _records(wb["N-grams"])
    assert ngrams and all(isinstance(r["Cost"], int | float) for r in ngrams)
    assert [r["Cost"] for r in ngrams] == sorted((r["Cost"] for r in ngrams), reverse=True)


def test_workbook_says_what_it_is(written) -> None:
    data, wb = written
    props = {p.name: p.value for p in wb.custom_doc_props.props}
    period = f"{data['period']['start']} to {data['period']['end']}"
    assert props == {
        "Tool": "auditor",
        "Version": data["tool"]["version"],
        "Account": data["account"],
        "Period": period,
    }
    assert wb.properties.creator == "auditor"
    assert data["account"] in wb.properties.title and period in wb.properties.subject


def test_text_that_starts_like_a_formula_stays_text(tmp_path: Path) -> None:
    out = tmp_path / "a.xlsx"
    report = DATA / "formula-campaign.csv"
    assert main(["audit", str(report), "--xlsx", str(out), "--top", "0"]) == EXIT_OK
    ws = openpyxl.load_workbook(out)["Findings"]
    header = [c.value for c in ws[1]]
    cells = [row[header.index("Campaign")] for row in ws.iter_rows(min_row=2)]
    camp = [c for c in cells if c.value == "=Camp"]
    assert camp and all(c.data_type == "s" and c.quotePrefix for c in camp)
    assert not any(c.data_type == "f" for row in ws.iter_rows() for c in row)


def test_tier_is_a_column_when_proposals_carry_it() -> None:
    assert "Tier" not in [c.header for c in negative_columns([{"text": "jobb"}])]
    columns = negative_columns([{"text": "jobb", "tier": "core"}])
    tier = next(c for c in columns if c.header == "Tier")
    assert tier.value({"tier": "core"}) == "core"


def _excel_copy(csv_path: Path, out: Path, *, title: str = "Search terms report") -> Path:
    """The report as Excel saves it: numbers as numbers, a sheet before the report's."""
    with csv_path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    wb = openpyxl.Workbook()
    wb.active.title = "Notes"
    wb.active.append(["Downloaded for the weekly review"])
    ws = wb.create_sheet(title)

    def number(cell: str) -> object:
        try:
            return float(cell.replace(",", ""))
        except ValueError:
            return cell

    for i, row in enumerate(rows):
        ws.append([number(c) if i > 2 else c for c in row])
    wb.save(out)
    return out


def test_an_excel_saved_report_reads_like_the_csv(tmp_path: Path) -> None:
    xlsx = _excel_copy(SAMPLE, tmp_path / "report.xlsx")
    report = read_report(xlsx)
    assert report.format == "google_ads_xlsx" and report.kind == "search_terms"
    from_csv = audit([SAMPLE], Settings())
    from_xlsx = audit([xlsx], Settings())
    assert from_xlsx.totals == from_csv.totals
    assert from_xlsx.period == from_csv.period
    assert [p.text for p in from_xlsx.negatives] == [p.text for p in from_csv.negatives]


def test_a_workbook_without_a_report_sheet_is_refused(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.active.title = "Budget"
    wb.active.append(["Month", "Budget"])
    wb.active.append(["October", 1000])
    wb.save(tmp_path / "budget.xlsx")
    with pytest.raises(InputError, match=r"holds no report sheet.*'Budget'"):
        read_report(tmp_path / "budget.xlsx")


def test_an_auditor_workbook_is_not_read_as_a_report(tmp_path: Path, capsys) -> None:
    out = tmp_path / "a.xlsx"
    assert main(["audit", str(SAMPLE), "--xlsx", str(out), "--top", "0"]) == EXIT_OK
    assert main(["audit", str(out)]) == 2
    assert "an audit's result, not a report" in capsys.readouterr().err
