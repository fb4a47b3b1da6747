"""What the review app's pilot tests share: waiting for the review screen, the highlighted row."""

from __future__ import annotations

from textual.pilot import Pilot
from textual.widgets import DataTable

from auditor.tui.app import ReviewApp
from auditor.tui.screens.review import ReviewScreen


async def loaded(app: ReviewApp, pilot: Pilot[None]) -> ReviewScreen:
    """The review screen, once the app's audit has loaded (30 s at most)."""
    for _ in range(600):
        if isinstance(app.screen, ReviewScreen) and app.state is not None:
            await pilot.pause()
            return app.screen
        await pilot.pause(0.05)
    raise AssertionError("the review screen never opened")


def cursor_id(app: ReviewApp) -> str:
    """The row key of the highlighted row in the Negatives table."""
    table = app.screen.query_one("#neg-table", DataTable)
    return str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)
