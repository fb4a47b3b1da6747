"""The review opens on an account with nothing to find (a real, tiny download)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from auditor.config import Settings
from auditor.tui.app import ReviewApp
from auditor.tui.screens.review import ReviewScreen

REAL = Path(__file__).resolve().parents[2] / "shared" / "real-reports"
REPORT = REAL / "google-ads-towing-cad-utf16.csv"


@pytest.mark.skipif(not REPORT.exists(), reason="needs ../shared/real-reports")
def test_review_opens_with_no_findings_and_every_tab_works(tmp_path: Path) -> None:
    app = ReviewApp([REPORT], Settings(), db_path=tmp_path / "d.db")

    async def run() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            for _ in range(600):
                if isinstance(app.screen, ReviewScreen):
                    break
                await pilot.pause(0.05)
            assert isinstance(app.screen, ReviewScreen), "the review screen never opened"
            for key in ("2", "3", "b", "4", "5", "1"):
                await pilot.press(key)
                await pilot.pause()
            assert isinstance(app.screen, ReviewScreen)
            await pilot.press("q")

    asyncio.run(run())
