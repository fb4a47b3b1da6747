"""QA regressions of the review app: report text that looks like Rich markup, the overview's
spend shares, the tracking checks listed as skipped, and an edit that blocks nothing."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

import pytest
from rich.console import Console
from rich.text import Text
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import Button, DataTable, Input, Label, Static
from textual.widgets._toast import Toast

from auditor.cli import BUNDLED_SAMPLE, sample_dir
from auditor.config import Settings
from auditor.model import AuditResult, Finding
from auditor.review import state as state_module
from auditor.review.frames import all_spend, tracking_skipped
from auditor.review.rows import current_reason
from auditor.tui.app import ReviewApp
from auditor.tui.screens.confirm import ConfirmScreen
from auditor.tui.screens.edit import EditScreen
from auditor.tui.screens.export import ExportScreen
from auditor.tui.screens.loading import LoadingScreen
from auditor.tui.screens.review import ReviewScreen
from auditor.tui.widgets.overview import OverviewPane
from tests.pilot import loaded

SIZE = (80, 24)
SAMPLE = sample_dir() / BUNDLED_SAMPLE
TERM = "[/bold] skidjacka"
"""A search term that is invalid Rich markup (a closing tag that closes nothing)."""
CAMPAIGN = "Generic - Jackor [/i]"
AD_GROUP = "[b]Skaljackor"


@pytest.fixture(scope="module")
def markup_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled sample with markup-like text in a search term, a campaign and an ad group,
    in a folder whose name is markup too (the export dialog shows it)."""
    text = SAMPLE.read_text(encoding="utf-8")
    text = text.replace("skidjacka", TERM).replace("Generic - Jackor", CAMPAIGN)
    text = text.replace(",Skaljackor,", f",{AD_GROUP},")
    path = tmp_path_factory.mktemp("markup") / "report.csv"
    path.write_text(text, encoding="utf-8")
    return path


def rendered(widget: Static) -> str:
    return str(widget.render())


async def toasts(app: ReviewApp, pilot: Pilot[None]) -> list[str]:
    """The notifications on screen, as rendered (the toast rack mounts them a moment later)."""
    await pilot.pause()
    await pilot.pause()
    return [rendered(t) for t in app.screen.query(Toast)]


def assert_cells_are_text(app: ReviewApp) -> None:
    """No DataTable holds a `str` cell: it would be parsed as markup."""
    for table in app.screen.query(DataTable):
        for i in range(table.row_count):
            cells = table.get_row_at(i)
            assert all(isinstance(c, Text) for c in cells), (table.id, cells)


def test_markup_in_report_text_is_shown_literally(markup_report: Path, tmp_path: Path) -> None:
    """Every tab, the detail panes, the dialogs and the notifications show `[/bold] ...`
    as written instead of crashing (MarkupError) or swallowing the brackets."""
    out = tmp_path / "[bold]week" / "negatives.csv"
    out.parent.mkdir()
    out.write_text("last week\n", encoding="utf-8")

    async def run() -> None:
        app = ReviewApp([markup_report], Settings(), db_path=tmp_path / "d.sqlite3")
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await loaded(app, pilot)
            assert app.state is not None
            for key in ("2", "3", "4", "5", "1"):
                await pilot.press(key)
                await pilot.pause()
            assert_cells_are_text(app)
            # Findings: the term's finding, its row and its detail.
            await pilot.press("2", "slash", *"skidjacka", "enter")
            await pilot.pause()
            findings = app.screen.query_one("#findings-table", DataTable)
            assert findings.row_count
            cells = [str(c) for c in findings.get_row_at(0)]
            assert any(TERM in c or (c.endswith("…") and TERM.startswith(c[:-1])) for c in cells)
            detail = rendered(app.screen.query_one("#finding-text", Static))
            assert f"Subject: {TERM}\nWhere: {CAMPAIGN} > {AD_GROUP}\n" in detail
            # N-grams: filtered to the term's words.
            await pilot.press("4", "slash", *"skidjacka", "enter")
            await pilot.pause()
            assert app.screen.query_one("#ngram-table", DataTable).row_count
            # Negatives: the engine's exact negative on the term (it spent two CPAs without a
            # conversion); the table and the edit dialog keep every bracket.
            await pilot.press("3")
            [row] = [r for r in app.state.rows if TERM.split()[-1] in r.current.text.split()]
            shown = f"[{row.current.text}]"
            # The table, the edit dialog's title and its refusal.
            assert_cells_are_text(app)
            table = app.screen.query_one("#neg-table", DataTable)
            while str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value) != (
                row.id
            ):
                await pilot.press("down")
            assert any(shown == str(c) for c in table.get_row_at(table.cursor_row))
            await pilot.press("e")
            assert isinstance(app.screen, EditScreen)
            title = rendered(app.screen.query_one(".dialog-text", Label))
            assert title == f"Edit {shown} (exact, {CAMPAIGN})"
            await pilot.press("escape")
            await pilot.press("a")
            await pilot.pause()
            assert app.state.row(row.id).status == "accepted"
            # Export over an existing file whose name is markup: the question and the toast.
            await pilot.press("x")
            assert isinstance(app.screen, ExportScreen)
            app.screen.query_one("#export-path", Input).value = str(out)
            await pilot.press("enter")
            assert isinstance(app.screen, ConfirmScreen)
            question = rendered(app.screen.query_one(".dialog-text", Label))
            assert question == f"{out} exists. Overwrite it?"
            buttons = [str(b.label) for b in app.screen.query(Button)]
            assert buttons == ["Yes (y)", "No (n)"]
            await pilot.press("y")
            await pilot.pause()
            shown_toasts = await toasts(app, pilot)
            assert any(str(out) in t for t in shown_toasts), shown_toasts
            await pilot.press("1")
            await pilot.pause()
        assert app.return_code in (None, 0)

    asyncio.run(run())


def test_loading_screen_shows_file_names_and_steps_literally() -> None:
    """A file name is shown as written (markup would make `[red]` a colour)."""

    class Loading(App[None]):
        def on_mount(self) -> None:
            self.push_screen(LoadingScreen("[red]week 44.csv"))

    async def run() -> None:
        app = Loading()
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            assert isinstance(app.screen, LoadingScreen)
            app.screen.advance("reading [/b] reports", 0.5)
            await pilot.pause()
            title = rendered(app.screen.query_one("#loading-title", Label))
            assert title == "Auditing [red]week 44.csv"
            assert rendered(app.screen.query_one("#loading-step", Label)) == "reading [/b] reports"

    asyncio.run(run())


def test_tracking_findings_show_markup_literally(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sample_result: AuditResult
) -> None:
    """A tracking finding's message and evidence (IDs, action names from the exports)."""
    finding = Finding(
        rule="TRACK001",
        category="tracking",
        severity="high",
        level="account",
        message="Transaction [/bold] T-1 counted twice",
        title="Duplicate transactions",
        check="duplicate_transactions",
        evidence={"transaction_ids": ["[/bold] T-1"], "action": "[b]Purchase"},
    )
    result = replace(sample_result, findings=[finding, *sample_result.findings])
    monkeypatch.setattr(state_module, "audit", lambda paths, settings, progress=None: result)

    async def run() -> None:
        app = ReviewApp([SAMPLE], Settings(), db_path=tmp_path / "d.sqlite3")
        async with app.run_test(size=SIZE) as pilot:
            await loaded(app, pilot)
            await pilot.press("5")
            await pilot.pause()
            assert_cells_are_text(app)
            table = app.screen.query_one("#tracking-table", DataTable)
            assert str(table.get_row_at(0)[2]) == finding.message
            evidence = rendered(app.screen.query_one("#evidence-text", Static))
            assert finding.message in evidence
            assert "transaction IDs  [/bold] T-1\n" in evidence
            assert "action           [b]Purchase" in evidence

    asyncio.run(run())


def render_text(renderable: object) -> str:
    console = Console(width=200, record=True, color_system=None)
    console.print(renderable)
    return console.export_text()


def test_overview_says_which_spend_each_share_is_of(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sample_result: AuditResult
) -> None:
    """The non-converting spend is given as a share of the listed spend and of all spend;
    the chart's bar (of all spend, hidden terms included) shows the same share."""
    monkeypatch.setattr(state_module, "audit", lambda paths, settings, progress=None: sample_result)
    r = sample_result
    assert r.hidden_cost_amount, "the sample hides part of its spend"

    async def run() -> tuple[str, str]:
        app = ReviewApp([SAMPLE], Settings(), db_path=tmp_path / "d.sqlite3")
        async with app.run_test(size=SIZE) as pilot:
            await loaded(app, pilot)
            pane = app.screen.query_one(OverviewPane)
            return render_text(pane._figures()), render_text(pane._chart())

    figures, chart = asyncio.run(run())
    wasted = state_module.non_converting_cost(state_module.term_stats(r.table), r)
    assert wasted is not None
    of_listed = f"{wasted / r.totals['cost']:.0%}"
    of_all = f"{wasted / all_spend(r):.0%}"
    assert of_listed != of_all, "the sample tells the two bases apart"
    assert f"({of_listed} of listed spend, {of_all} of all spend)" in figures
    [bar_line] = [line for line in chart.splitlines() if line.startswith("No conversion")]
    assert bar_line.rstrip().endswith(f" {of_all}")
    [total_line] = [line for line in chart.splitlines() if line.startswith("All spend")]
    assert f"{all_spend(r):,.2f} 100%" in total_line


def test_tracking_lists_only_tracking_checks_as_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sample_result: AuditResult
) -> None:
    """The profit rules (skipped without a margin) are not tracking checks."""
    monkeypatch.setattr(state_module, "audit", lambda paths, settings, progress=None: sample_result)
    rules = {c["rule"] for c in sample_result.checks_skipped}
    assert {"PROFIT001", "TRACK001"} <= rules
    skipped = tracking_skipped(sample_result)
    assert {c["rule"] for c in skipped} == {r for r in rules if r.startswith("TRACK")}

    async def run() -> tuple[str, str]:
        app = ReviewApp([SAMPLE], Settings(), db_path=tmp_path / "d.sqlite3")
        async with app.run_test(size=SIZE) as pilot:
            await loaded(app, pilot)
            overview = rendered(app.screen.query_one("#ov-tracking", Static))
            await pilot.press("5")
            return overview, rendered(app.screen.query_one("#evidence-text", Static))

    overview, tab = asyncio.run(run())
    assert f"{len(skipped)} check(s) could not run" in overview
    assert "TRACK001" in tab and "PROFIT" not in tab


def test_edit_that_blocks_nothing_is_saved_and_flagged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sample_result: AuditResult
) -> None:
    """`zzzz qqqq` is saved; the pane and the toast say it blocks nothing, and the engine's
    blast-radius sentence about the proposed form is no longer shown."""
    monkeypatch.setattr(state_module, "audit", lambda paths, settings, progress=None: sample_result)

    async def run() -> None:
        app = ReviewApp([SAMPLE], Settings(), db_path=tmp_path / "d.sqlite3")
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await loaded(app, pilot)
            assert app.state is not None
            await pilot.press("3")
            table = app.screen.query_one("#neg-table", DataTable)
            pid = str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)
            original = app.state.row(pid).original
            stale = f"Blocks {len(original.blocked_terms)} term(s) costing"
            blast = app.screen.query_one("#blast-text", Static)
            assert stale in rendered(blast)
            await pilot.press("e")
            assert isinstance(app.screen, EditScreen)
            app.screen.query_one("#edit-text", Input).value = "zzzz qqqq"
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, ReviewScreen), "allowed: it blocks nothing unsafe"
            row = app.state.row(pid)
            assert row.current.text == "zzzz qqqq" and not row.current.blocked_terms
            text = rendered(blast)
            assert "Blocks no search term in this report" in text
            assert stale not in text
            assert current_reason(row) in text and current_reason(row)
            shown_toasts = await toasts(app, pilot)
            assert any("Blocks no search term" in t for t in shown_toasts), shown_toasts
            terms_cell = table.get_row_at(table.get_row_index(pid))[5]
            assert str(terms_cell) == "0" and "yellow" in str(terms_cell.style)

    asyncio.run(run())
