"""The review app's export never loses work: a Pilot test that exports twice, and the plan."""

from __future__ import annotations

import asyncio
import shutil
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from textual.widgets import DataTable, Input, Label

from auditor.account import slug
from auditor.cli import BUNDLED_SAMPLE, sample_dir
from auditor.config import Settings
from auditor.errors import OutputError
from auditor.model import AuditResult
from auditor.readers.negatives_list import read_path
from auditor.review import decisions as dec
from auditor.review import state as state_module
from auditor.review.export import free_name, negatives_in
from auditor.review.state import ReviewState
from auditor.tui.app import ReviewApp
from auditor.tui.screens.export import ExportScreen
from auditor.tui.screens.review import ReviewScreen

SIZE = (80, 24)
SAMPLE = sample_dir() / BUNDLED_SAMPLE


@pytest.fixture
def moved(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sample_result: AuditResult) -> Path:
    """The sample report in a folder of its own, and the app reusing the module's audit."""
    folder = tmp_path / "Fjällgear [reports]"
    folder.mkdir()
    report = folder / "search-terms.csv"
    shutil.copyfile(SAMPLE, report)
    result = replace(sample_result, inputs=[replace(i, path=report) for i in sample_result.inputs])
    monkeypatch.setattr(state_module, "audit", lambda paths, settings, progress=None: result)
    return report


async def _loaded(app: ReviewApp, pilot) -> None:
    for _ in range(600):
        if isinstance(app.screen, ReviewScreen):
            await pilot.pause()
            return
        await pilot.pause(0.05)
    raise AssertionError("the review screen never opened")


def _text(app: ReviewApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Label).render())


def _texts(path: Path) -> set[str]:
    return set(read_path(path, 0).table["keyword"])


async def _to_pending(app: ReviewApp, pilot) -> None:
    """Move the cursor to the first proposal still waiting for a decision."""
    assert app.state is not None
    table = app.screen.query_one("#neg-table", DataTable)
    for _ in range(table.row_count):
        key = str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)
        if app.state.row(key).status == dec.STATUS_PENDING:
            return
        await pilot.press("down")
    raise AssertionError("no pending proposal left")


def test_exporting_twice_loses_nothing(tmp_path: Path, moved: Path) -> None:
    async def run() -> tuple[Path, set[str]]:
        app = ReviewApp([moved], Settings(), db_path=tmp_path / "d.sqlite3")
        async with app.run_test(size=SIZE) as pilot:
            await _loaded(app, pilot)
            assert app.state is not None
            await pilot.press("3", "a", "a", "a", "a")
            # First export: the default file is in the report's folder, named for the account
            # and the day, and the dialog shows it before anything is written.
            await pilot.press("x")
            assert isinstance(app.screen, ExportScreen)
            default = Path(app.screen.query_one("#export-path", Input).value)
            account = slug(app.state.result.account or "")
            assert default.parent == moved.parent
            assert default.name == f"negatives-{account}-{date.today().isoformat()}.csv"
            assert _text(app, "#export-target") == f"Writes 4 negative(s) to {default}"
            assert not default.exists()
            await pilot.press("enter")
            await pilot.pause()
            assert negatives_in(default) == 4
            first = _texts(default)
            # Second export with nothing new: refused in the dialog, the file keeps its 4.
            await pilot.press("x")
            assert _text(app, "#export-target").startswith("Nothing to export")
            await pilot.press("enter")
            assert isinstance(app.screen, ExportScreen)
            assert _text(app, "#export-error").startswith("Nothing to export.")
            await pilot.press("escape")
            assert negatives_in(default) == 4
            # One more accepted: the export goes to a new name, the first file stays whole.
            await _to_pending(app, pilot)
            await pilot.press("a", "x")
            second = default.with_name(f"{default.stem}-2.csv")
            assert str(second) in _text(app, "#export-target")
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, ReviewScreen)
            accepted = [r for r in app.state.rows if r.status == dec.STATUS_ACCEPTED]
            assert len(accepted) == 5 and all(r.exported_at for r in accepted)
            assert negatives_in(default) == 4 and _texts(default) == first
            assert negatives_in(second) == 1
            return default, {r.current.text for r in accepted}

    default, accepted = asyncio.run(run())
    second = default.with_name(f"{default.stem}-2.csv")
    assert _texts(default) | _texts(second) == accepted


def test_state_refuses_an_empty_export(tmp_path: Path, sample_result: AuditResult) -> None:
    store = dec.DecisionStore(tmp_path / "d.sqlite3")
    state = ReviewState(sample_result, Settings(), store)
    out = tmp_path / "n.csv"
    with pytest.raises(OutputError, match="nothing to export"):
        state.export(out, "editor", force=True)
    assert not out.exists()
    plan = state.plan_export(out)
    assert plan.count == 0 and plan.describe().startswith("Nothing to export")


def test_a_bigger_file_is_kept_and_a_free_name_taken(
    tmp_path: Path, sample_result: AuditResult
) -> None:
    store = dec.DecisionStore(tmp_path / "d.sqlite3")
    state = ReviewState(sample_result, Settings(), store)
    out = tmp_path / "n.txt"
    out.write_text("jobb\nkurs\n", encoding="utf-8")
    (tmp_path / "n-2.txt").write_text("taken\n", encoding="utf-8")
    state.set_status(state.rows[0].id, dec.STATUS_ACCEPTED)
    plan = state.plan_export(out)
    assert (plan.count, plan.existing, plan.path) == (1, 2, tmp_path / "n-3.txt")
    assert "kept" in plan.describe()
    assert free_name(tmp_path / "new.csv") == tmp_path / "new.csv"
    assert state.plan_export(tmp_path / "new.csv").path == tmp_path / "new.csv"


def test_default_folder_is_never_the_bundled_sample(
    tmp_path: Path, sample_result: AuditResult
) -> None:
    state = ReviewState(sample_result, Settings(), dec.DecisionStore(tmp_path / "d.sqlite3"))
    assert state.default_export_path().parent == Path.home()
