"""The Textual weekly-review app: screens and widgets only, a thin layer over `auditor.review`
(the state it shows and changes, and the decision store), which runs `auditor.audit.audit`."""

from __future__ import annotations

from pathlib import Path

from auditor.batch import AccountInput
from auditor.config import Settings


def run_review(
    reports: list[Path],
    settings: Settings,
    db_path: Path | None = None,
    accounts: list[AccountInput] | None = None,
) -> int:
    """Open the review app on `reports`; with no reports and several `accounts` (a folder
    of account folders), the app first asks which account to open. Return the exit code."""
    from auditor.tui.app import ReviewApp

    app = ReviewApp(reports, settings, db_path=db_path, accounts=accounts)
    app.run()
    return app.return_code or 0
