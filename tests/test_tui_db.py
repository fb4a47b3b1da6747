"""The review app over a locked or shared database: no crash, the status line says what is not
saved, and the kept decisions are written once the database is free."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from textual.widgets import Static

from auditor.config import Settings
from auditor.model import AuditResult
from auditor.review import decisions as dec
from auditor.review.state import ReviewState
from auditor.tui.app import ReviewApp
from tests.pilot import cursor_id, loaded
from tests.test_decisions_robust import _holder
from tests.test_tui import SAMPLE, SIZE


def _status(app: ReviewApp) -> str:
    return str(app.screen.query_one("#neg-status", Static).render())


def test_a_locked_database_keeps_the_decision_and_saves_it_later(
    tmp_path: Path, reuse_audit: AuditResult
) -> None:
    db = tmp_path / "d.sqlite3"
    dec.DecisionStore(db).close()

    async def session() -> str:
        app = ReviewApp([SAMPLE], Settings(), db_path=db)
        async with app.run_test(size=SIZE) as pilot:
            await loaded(app, pilot)
            other = sqlite3.connect(db, isolation_level=None)
            other.execute("BEGIN EXCLUSIVE")
            await pilot.press("3")
            pid = cursor_id(app)
            await pilot.press("a")
            await pilot.pause()
            assert "not saved yet" in _status(app)
            other.execute("ROLLBACK")
            other.close()
            for _ in range(100):
                await pilot.pause(0.05)
                if "not saved" not in _status(app):
                    break
            assert "not saved" not in _status(app)
            return pid

    pid = asyncio.run(session())
    account = next(iter(dec.DecisionStore(db)._read("SELECT key FROM accounts", ())))[0]
    assert dec.DecisionStore(db).decisions(account)[pid].status == dec.STATUS_ACCEPTED


def test_a_second_app_on_the_same_account_opens_read_only(
    tmp_path: Path, reuse_audit: AuditResult
) -> None:
    db = tmp_path / "d.sqlite3"
    probe = ReviewState(reuse_audit, Settings(), dec.DecisionStore(db))
    probe.store.close()
    holder = _holder(
        db,
        f"""
        store.claim({probe.account.key!r})
        print("ready", flush=True)
        sys.stdin.readline()
        """,
    )

    async def session() -> None:
        app = ReviewApp([SAMPLE], Settings(), db_path=db)
        async with app.run_test(size=SIZE) as pilot:
            await loaded(app, pilot)
            assert app.sub_title.endswith("(read-only)")
            await pilot.press("3", "a")
            await pilot.pause()
            assert "read-only" in _status(app)

    try:
        asyncio.run(session())
    finally:
        holder.communicate("done\n", timeout=30)
