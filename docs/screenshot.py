"""Refresh docs/review.svg: the review screen, taken from the app itself on the bundled sample.

    python docs/screenshot.py

Runs `auditor review` headless on sample_reports/google-ads-search-terms-en.csv with a
throw-away decisions database, accepts two proposals and rejects one on the Negatives tab (so
the marks show), and saves Textual's own SVG screenshot of that screen.
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from auditor.cli import BUNDLED_SAMPLE, sample_dir
from auditor.config import Settings
from auditor.tui.app import ReviewApp
from auditor.tui.screens.review import ReviewScreen

OUT = Path(__file__).resolve().parent / "review.svg"
SIZE = (100, 32)
KEYS = ("3", "a", "a", "r")


async def shoot(db: Path) -> str:
    app = ReviewApp([sample_dir() / BUNDLED_SAMPLE], Settings(), db_path=db)
    async with app.run_test(size=SIZE) as pilot:
        while not isinstance(app.screen, ReviewScreen):
            if app.return_code is not None:
                raise SystemExit(f"the app exited with code {app.return_code}")
            await pilot.pause(0.05)
        await pilot.press(*KEYS)
        await pilot.pause(0.3)
        return app.export_screenshot(title="auditor review")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        svg = asyncio.run(shoot(Path(tmp) / "decisions.sqlite3"))
    OUT.write_text(svg, encoding="utf-8")
    print(f"Wrote {OUT}")


if __name__ == "__main__":
    main()
