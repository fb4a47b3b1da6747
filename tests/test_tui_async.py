"""Pilot tests of the review's work off the UI thread (issue 13, keys < 100 ms on a 1M-row
report): a match-type change and the negative editor replay in a worker while keys answer,
and the result arrives and is applied; the per-audit spend index and the remembered replays
give the same answers as a pass over the report."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import DataTable, Input, OptionList, Static

from auditor.cli import BUNDLED_SAMPLE, sample_dir
from auditor.config import Settings
from auditor.model import AuditResult, NegativeProposal
from auditor.review import decisions as dec
from auditor.review import state as state_module
from auditor.review.frames import REPLAYS_KEPT
from auditor.review.state import ReviewState
from auditor.tui.app import ReviewApp
from auditor.tui.screens.edit import EditScreen
from auditor.tui.screens.review import ReviewScreen
from tests.pilot import cursor_id
from tests.pilot import loaded as pilot_loaded

SAMPLE = sample_dir() / BUNDLED_SAMPLE
SMALL = (80, 24)


class Gate:
    """Holds every replay made off the UI thread until `release` (a slow report, at will)."""

    def __init__(self, state: ReviewState) -> None:
        self.check: Callable[[NegativeProposal], Any] = state.check
        self.entered = threading.Event()
        self.opened = threading.Event()
        state.check = self  # type: ignore[method-assign]

    def __call__(self, p: NegativeProposal) -> Any:
        if threading.current_thread() is not threading.main_thread():
            self.entered.set()
            self.opened.wait(10)
        return self.check(p)

    def release(self) -> None:
        self.opened.set()


async def loaded(app: ReviewApp, pilot: Pilot[None]) -> ReviewState:
    """The app's review state, once its audit has loaded."""
    await pilot_loaded(app, pilot)
    assert app.state is not None
    return app.state


async def until(pilot: Pilot[None], done: Callable[[], bool], what: str) -> None:
    for _ in range(200):
        if done():
            return
        await pilot.pause(0.02)
    raise AssertionError(f"never happened: {what}")


def text_of(app: ReviewApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).content)


def test_match_type_replays_in_a_worker_while_keys_answer(
    tmp_path: Path, reuse_audit: AuditResult
) -> None:
    async def run() -> None:
        app = ReviewApp([SAMPLE], Settings(), db_path=tmp_path / "d.sqlite3")
        async with app.run_test(size=SMALL) as pilot:
            state = await loaded(app, pilot)
            await pilot.press("3")
            pid = cursor_id(app)
            before = state.row(pid).current
            gate = Gate(state)
            await pilot.press("m")
            await until(pilot, gate.entered.is_set, "the replay started in a worker")
            assert text_of(app, "#neg-status").startswith("checking ")
            assert state.row(pid).current is before, "nothing applied before the check"
            await pilot.press("down")
            moved = cursor_id(app)
            assert moved != pid, "keys answer while the replay runs"
            gate.release()
            await until(pilot, lambda: state.row(pid).current is not before, "the result")
            after = state.row(pid).current
            assert after.match_type == state.match_after(before.match_type)
            stored = state.store.decisions_for(state.account.key, pid)
            assert stored is not None and stored.edits["match_type"] == after.match_type
            assert not text_of(app, "#neg-status").startswith("checking")
            blast = text_of(app, "#blast-text")
            assert blast.startswith(dec_syntax(state.row(moved).current)), (
                "the detail pane stays on the highlighted row"
            )
            assert state.replayed(after), "the replay is remembered: `m` back answers at once"

    asyncio.run(run())


def dec_syntax(p: NegativeProposal) -> str:
    return state_module.negative_syntax(p)


def test_a_replay_of_a_changed_proposal_is_dropped(
    tmp_path: Path, reuse_audit: AuditResult
) -> None:
    """Undone while its match-type change was being checked: the late result changes
    nothing (the proposal is not the one the key was pressed on)."""

    async def run() -> None:
        app = ReviewApp([SAMPLE], Settings(), db_path=tmp_path / "d.sqlite3")
        async with app.run_test(size=SMALL) as pilot:
            state = await loaded(app, pilot)
            await pilot.press("3")
            pid = cursor_id(app)
            original = state.row(pid).current
            await pilot.press("m")
            await until(pilot, lambda: state.row(pid).current is not original, "first m")
            gate = Gate(state)
            await pilot.press("m")
            await until(pilot, gate.entered.is_set, "the second replay started")
            await pilot.press("u")
            restored = state.row(pid).current
            assert restored.match_type == original.match_type
            gate.release()
            await until(
                pilot, lambda: "changed meanwhile" in text_of(app, "#neg-status"), "the drop"
            )
            assert state.row(pid).current is restored
            assert state.store.decisions_for(state.account.key, pid) is None, "nothing stored"

    asyncio.run(run())


def test_editor_answers_while_its_targets_are_computed(
    tmp_path: Path, reuse_audit: AuditResult
) -> None:
    async def run() -> None:
        app = ReviewApp([SAMPLE], Settings(), db_path=tmp_path / "d.sqlite3")
        async with app.run_test(size=SMALL) as pilot:
            state = await loaded(app, pilot)
            await pilot.press("3")
            gate = Gate(state)
            await pilot.press("l")
            assert isinstance(app.screen, EditScreen)
            screen = app.screen
            await until(pilot, gate.entered.is_set, "the target list started in a worker")
            assert str(screen.query_one("#edit-blast", Static).content).startswith("Checking")
            assert screen.query_one("#edit-targets", OptionList).option_count == 0
            await pilot.press("tab")
            assert screen.focused is not None and screen.focused.id != "edit-targets", (
                "the dialog answers keys while the list is computed"
            )
            gate.release()
            options = screen.query_one("#edit-targets", OptionList)
            await until(pilot, lambda: options.option_count > 0, "the target list arrives")
            await until(
                pilot,
                lambda: str(screen.query_one("#edit-blast", Static).content).startswith(
                    ("Safe", "Unsafe")
                ),
                "the check arrives",
            )
            assert len(screen.targets) == options.option_count
            await pilot.press("escape")
            assert isinstance(app.screen, ReviewScreen)

    asyncio.run(run())


def test_enter_right_after_typing_saves_once_the_targets_are_back(
    tmp_path: Path, reuse_audit: AuditResult
) -> None:
    """Enter before the typed text's targets are recomputed: the dialog stays, answering,
    and saves the typed negative when they arrive (nothing heavy on the UI thread)."""

    async def run() -> None:
        app = ReviewApp([SAMPLE], Settings(), db_path=tmp_path / "d.sqlite3")
        async with app.run_test(size=SMALL) as pilot:
            state = await loaded(app, pilot)
            await pilot.press("3")
            table = app.screen.query_one("#neg-table", DataTable)
            visible = state.visible()
            row = next(i for i, r in enumerate(visible) if r.current.match_type != "exact")
            table.move_cursor(row=row)
            await pilot.pause()
            pid = cursor_id(app)
            p = state.row(pid).current
            await pilot.press("e")
            screen = app.screen
            assert isinstance(screen, EditScreen)
            options = screen.query_one("#edit-targets", OptionList)
            await until(pilot, lambda: options.option_count > 0, "the first target list")
            gate = Gate(state)
            screen.query_one("#edit-text", Input).value = f"[{p.text}]"
            await pilot.press("enter")
            assert app.screen is screen, "not saved before the typed text is placed"
            gate.release()
            await until(pilot, lambda: app.screen is not screen, "saved once placed")
            saved = state.row(pid).current
            assert (saved.text, saved.match_type) == (p.text, "exact")
            assert (saved.level, saved.campaign, saved.ad_group) == (
                p.level,
                p.campaign,
                p.ad_group,
            ), "the target chosen before typing is kept"

    asyncio.run(run())


def test_spend_index_reads_the_rows_a_pass_over_the_report_finds(
    tmp_path: Path, sample_result: AuditResult
) -> None:
    state = ReviewState(sample_result, Settings(), dec.DecisionStore(tmp_path / "d.sqlite3"))
    table = sample_result.table
    assert table is not None
    terms = [*table["search_term"].dropna().unique()[::7].tolist(), "no such search term"]
    rows = state.spend.rows(terms)
    expected = table.index[table["search_term"].isin(set(terms))]
    assert table.index[rows].equals(expected)
    assert len(state.spend.rows([])) == 0


def test_replays_are_remembered_and_bounded(tmp_path: Path, sample_result: AuditResult) -> None:
    state = ReviewState(sample_result, Settings(), dec.DecisionStore(tmp_path / "d.sqlite3"))
    p = state.rows[0].current
    assert state.check(p) is state.check(p)
    assert state.replayed(p)
    moved = replace(p, level="campaign", campaign="elsewhere", ad_group=None)
    assert not state.replayed(moved)
    words = [f"word{i}" for i in range(REPLAYS_KEPT + 1)]
    for w in words:
        state.check(replace(p, text=w))
    assert not state.replayed(p), "the oldest replay is forgotten"
    assert state.replayed(replace(p, text=words[-1]))
