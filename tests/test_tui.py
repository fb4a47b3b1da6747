"""Pilot tests of the weekly review: the real workflow, driven by keys, in an 80x24 terminal."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Label, Select, Static, TabbedContent

from auditor.cli import BUNDLED_SAMPLE, sample_dir
from auditor.config import Settings
from auditor.model import AuditResult, NegativeProposal
from auditor.output.negatives import default_list_name, write_negatives
from auditor.review import decisions as dec
from auditor.tui.app import ReviewApp
from auditor.tui.screens.confirm import ConfirmScreen
from auditor.tui.screens.edit import EditScreen
from auditor.tui.screens.export import ExportScreen
from auditor.tui.screens.help import HelpScreen
from auditor.tui.screens.review import ReviewScreen
from tests.pilot import cursor_id, loaded

SIZE = (80, 24)
SAMPLE = sample_dir() / BUNDLED_SAMPLE


def table_rows(app: ReviewApp, selector: str) -> list[list[str]]:
    table = app.screen.query_one(selector, DataTable)
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


def converting_term_in_scope(result: AuditResult, p: NegativeProposal) -> str:
    """A converting search term where `p` applies: a negative of that text must be refused."""
    t = result.table
    assert t is not None
    if p.level == "shared_list":
        scope = t["campaign"].isin(p.campaigns) if p.campaigns else t["campaign"].notna()
    else:
        scope = t["campaign"] == p.campaign
        if p.level == "ad_group":
            scope &= t["ad_group"] == p.ad_group
    conv = t[scope.fillna(False) & (t["conversions"] > 0)]
    return str(conv.sort_values("conversions", ascending=False)["search_term"].iloc[0])


def test_weekly_review_workflow(tmp_path: Path, sample_result: AuditResult) -> None:
    """Open, tabs, filter, accept 3, reject 1, unsafe edit refused, export, quit, reopen."""
    db = tmp_path / "decisions.sqlite3"
    out = tmp_path / "negatives.csv"
    assert len(sample_result.negatives) >= 5

    async def first_session() -> tuple[list[str], str, str]:
        app = ReviewApp([SAMPLE], Settings(), db_path=db)
        async with app.run_test(size=SIZE) as pilot:
            screen = await loaded(app, pilot)
            tabs = screen.query_one(TabbedContent)
            for key, tab in (
                ("2", "findings"),
                ("4", "ngrams"),
                ("5", "tracking"),
                ("1", "overview"),
            ):
                await pilot.press(key)
                assert tabs.active == tab
            # Findings: the text filter leaves only matching rows.
            await pilot.press("2", "slash")
            findings = table_rows(app, "#findings-table")
            assert findings, "the sample must have findings"
            word = findings[0][2].split()[0]
            await pilot.press(*word)
            await pilot.pause()
            filtered = app.screen.query_one("#findings-pane").shown
            assert len(filtered) >= 1
            assert filtered["haystack"].str.contains(word.casefold(), regex=False).all()
            app.screen.query_one("#f-severity", Select).value = "high"
            await pilot.pause()
            assert set(app.screen.query_one("#findings-pane").shown["severity"]) <= {"high"}
            # Negatives: accept three, reject one.
            await pilot.press("escape", "c", "3")
            ids = []
            for key in ("a", "a", "a", "r"):
                ids.append(cursor_id(app))
                await pilot.press(key)
            accepted, rejected = ids[:3], ids[3]
            # Edit one into an unsafe form: refused with the reason, nothing stored.
            target = cursor_id(app)
            before = app.state.row(target).current
            await pilot.press("e")
            assert isinstance(app.screen, EditScreen)
            edit = app.screen.query_one("#edit-text", Input)
            edit.value = converting_term_in_scope(sample_result, before)
            await pilot.press("enter")
            assert isinstance(app.screen, EditScreen), "an unsafe edit must not close the dialog"
            reason = str(app.screen.query_one("#edit-error", Label).render())
            assert reason.startswith("Refused:")
            await pilot.press("escape")
            assert app.state.row(target).current == before
            # Export: ask for the path, write the file.
            await pilot.press("x")
            assert isinstance(app.screen, ExportScreen)
            app.screen.query_one("#export-path", Input).value = str(out)
            await pilot.press("enter")
            await pilot.pause()
            assert out.exists()
            await pilot.press("q")
        return accepted, rejected, target

    accepted, rejected, edited = asyncio.run(first_session())

    # The file is what the CLI writes for the same decisions.
    chosen = [p for p in sample_result.negatives if p.id in accepted]
    expected = tmp_path / "expected.csv"
    list_name = default_list_name(Settings(), sample_result.account)
    write_negatives(expected, chosen, "editor", settings=Settings(), list_name=list_name)
    assert out.read_bytes() == expected.read_bytes()

    async def second_session() -> None:
        app = ReviewApp([SAMPLE], Settings(), db_path=db)
        async with app.run_test(size=SIZE) as pilot:
            await loaded(app, pilot)
            assert app.state is not None
            for pid in accepted:
                row = app.state.row(pid)
                assert row.status == dec.STATUS_ACCEPTED and row.exported_at
            assert app.state.row(rejected).status == dec.STATUS_REJECTED
            assert app.state.row(edited).status == dec.STATUS_PENDING
            await pilot.press("3")
            shown = [r.id for r in app.state.visible()]
            assert rejected not in shown, "a rejected proposal does not nag"
            assert shown.index(edited) < shown.index(accepted[0]), "open ones come first"
            await pilot.press("h")
            assert rejected in [r.id for r in app.state.visible()]
            await pilot.press("q")

    asyncio.run(second_session())
    with sqlite3.connect(db) as con:
        statuses = dict(con.execute("SELECT proposal_id, status FROM decisions").fetchall())
    assert statuses == {**dict.fromkeys(accepted, "accepted"), rejected: "rejected"}


def test_help_screen_and_footer_keys(tmp_path: Path, reuse_audit: AuditResult) -> None:
    async def run() -> None:
        app = ReviewApp([SAMPLE], Settings(), db_path=tmp_path / "d.sqlite3")
        async with app.run_test(size=SIZE) as pilot:
            await loaded(app, pilot)
            await pilot.press("3")
            shown = {k for k, b in app.screen.active_bindings.items() if b.binding.show}
            assert {"a", "r", "u", "m", "l", "e", "x", "h", "b", "q", "question_mark"} <= shown
            assert "p" not in shown, "propose acts on the held-back list only"
            await pilot.press("question_mark")
            assert isinstance(app.screen, HelpScreen)
            await pilot.press("escape")
            assert isinstance(app.screen, ReviewScreen)

    asyncio.run(run())


def test_export_asks_before_overwriting(tmp_path: Path, reuse_audit: AuditResult) -> None:
    out = tmp_path / "negatives.csv"
    out.write_text("last week's file\n", encoding="utf-8")

    async def export(pilot: Pilot[None], app: ReviewApp) -> None:
        await pilot.press("x")
        assert isinstance(app.screen, ExportScreen)
        app.screen.query_one("#export-path", Input).value = str(out)
        await pilot.press("enter")
        assert isinstance(app.screen, ConfirmScreen)

    async def run() -> None:
        app = ReviewApp([SAMPLE], Settings(), db_path=tmp_path / "d.sqlite3")
        async with app.run_test(size=SIZE) as pilot:
            await loaded(app, pilot)
            await pilot.press("3", "a")
            await export(pilot, app)
            await pilot.press("n")
            assert out.read_text(encoding="utf-8") == "last week's file\n"
            assert app.state is not None and not app.state.store.exports(app.state.account.key)
            await export(pilot, app)
            await pilot.press("y")
            await pilot.pause()
            assert "last week's file" not in out.read_text(encoding="utf-8")
            assert len(app.state.store.exports(app.state.account.key)) == 1

    asyncio.run(run())


def test_match_type_change_is_checked_and_stored(tmp_path: Path, reuse_audit: AuditResult) -> None:
    async def run() -> None:
        app = ReviewApp([SAMPLE], Settings(), db_path=tmp_path / "d.sqlite3")
        async with app.run_test(size=SIZE) as pilot:
            await loaded(app, pilot)
            assert app.state is not None
            await pilot.press("3")
            pid = cursor_id(app)
            before = app.state.row(pid).current
            await pilot.press("m")
            after = app.state.row(pid).current
            stored = app.state.store.decisions_for(app.state.account.key, pid)
            if after.match_type == before.match_type:  # refused: nothing stored
                assert stored is None
            else:
                assert app.state.check(after).safe
                assert stored is not None and stored.edits["match_type"] == after.match_type

    asyncio.run(run())


def test_unreadable_report_exits_like_the_cli(tmp_path: Path) -> None:
    async def run() -> int | None:
        app = ReviewApp([tmp_path / "missing.csv"], Settings(), db_path=tmp_path / "d.sqlite3")
        async with app.run_test(size=SIZE) as pilot:
            for _ in range(100):
                await pilot.pause(0.05)
                if app.return_code is not None:
                    break
        return app.return_code

    assert asyncio.run(run()) == 2


def detail_text(app: ReviewApp) -> str:
    return str(app.screen.query_one("#blast-text", Static).render())


async def highlight_held(app: ReviewApp, pilot: Pilot[None], text: str, match_type: str) -> str:
    """Move the held-back table's cursor to the item with keys; return its row key."""
    rows = table_rows(app, "#held-table")
    i = next(i for i, r in enumerate(rows) if (r[2], r[3]) == (text, match_type))
    table = app.screen.query_one("#held-table", DataTable)
    while table.cursor_row < i:
        await pilot.press("down")
    return str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)


def test_held_back_items_are_listed_and_proposed(tmp_path: Path, reuse_audit: AuditResult) -> None:
    """`b` lists review / unsafe items; `p` turns 'kängor barn waterproof' into an accepted
    negative that survives a restart and is exported; an unsafe 'free' is refused with the
    reason."""
    db = tmp_path / "d.sqlite3"
    out = tmp_path / "negatives.csv"

    async def first_session() -> str:
        app = ReviewApp([SAMPLE], Settings(), db_path=db)
        async with app.run_test(size=SIZE) as pilot:
            await loaded(app, pilot)
            assert app.state is not None
            await pilot.press("3", "b")
            held = app.screen.query_one("#held-table", DataTable)
            assert held.display and held.has_focus
            assert not app.screen.query_one("#neg-table", DataTable).display
            rows = table_rows(app, "#held-table")
            review = {r[2] for r in rows if r[1] == "review"}
            assert {"kängor barn waterproof", "uppsala", "patagonia"} <= review
            assert {r[2] for r in rows if r[1] == "unsafe"} >= {"free"}
            shown = {k for k, b in app.screen.active_bindings.items() if b.binding.show}
            assert {"b", "p", "x"} <= shown and not {"a", "r", "m", "l", "e"} & shown
            await highlight_held(app, pilot, "kängor barn waterproof", "exact")
            assert "Not proven yet" in detail_text(app)
            await pilot.press("p")
            [row] = [r for r in app.state.rows if r.source == "exact|kängor barn waterproof"]
            assert row.status == dec.STATUS_ACCEPTED
            assert (
                row.current.text == "kängor barn waterproof" and row.current.match_type == "exact"
            )
            assert "kängor barn waterproof" in row.current.blocked_terms
            assert app.state.check(row.current).safe
            assert "proposed by you as [kängor barn waterproof]" in detail_text(app)
            # An unsafe item: refused with the checker's reason, nothing added.
            n = len(app.state.rows)
            await highlight_held(app, pilot, "free", "phrase")
            await pilot.press("p")
            assert detail_text(app).startswith("Refused: it would block")
            assert "converting term" in detail_text(app)
            assert len(app.state.rows) == n
            assert len(app.state.store.user_proposals(app.state.account.key)) == 1
            # Back to the proposals: the new one is listed, accepted.
            await pilot.press("b")
            assert app.screen.query_one("#neg-table", DataTable).has_focus
            listed = table_rows(app, "#neg-table")
            assert any(
                r[3] == "[kängor barn waterproof]" and r[2] == "yours" and r[0].startswith("✓")
                for r in listed
            )
            await pilot.press("x")
            assert isinstance(app.screen, ExportScreen)
            app.screen.query_one("#export-path", Input).value = str(out)
            await pilot.press("enter")
            await pilot.pause()
            assert out.exists()
            await pilot.press("q")
        return row.id

    pid = asyncio.run(first_session())
    text = out.read_text(encoding="utf-8-sig")
    assert "[kängor barn waterproof]" in text and "Campaign Negative Exact" in text

    async def second_session() -> None:
        app = ReviewApp([SAMPLE], Settings(), db_path=db)
        async with app.run_test(size=SIZE) as pilot:
            await loaded(app, pilot)
            assert app.state is not None
            row = app.state.row(pid)
            assert row.status == dec.STATUS_ACCEPTED and row.exported_at
            expected = tmp_path / "expected.csv"
            write_negatives(expected, [row.current], "editor", settings=Settings())
            assert out.read_bytes() == expected.read_bytes()
            await pilot.press("3", "b")
            rows = table_rows(app, "#held-table")
            assert any(r[2] == "kängor barn waterproof" and r[0].startswith("⇪") for r in rows)
            await pilot.press("q")

    asyncio.run(second_session())
