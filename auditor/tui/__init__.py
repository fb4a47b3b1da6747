"""The Textual weekly-review app: a thin layer over `auditor.audit.audit`."""

from __future__ import annotations

from pathlib import Path

from auditor.config import Settings


def run_review(reports: list[Path], settings: Settings, db_path: Path | None = None) -> int:
    """Open the review app on `reports`; return the exit code."""
    from auditor.tui.app import ReviewApp

    app = ReviewApp(reports, settings, db_path=db_path)
    app.run()
    return app.return_code or 0
