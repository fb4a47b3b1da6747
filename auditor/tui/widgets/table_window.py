"""Fill a DataTable with a capped window of a frame's rows (never a million widgets)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import pandas as pd
from rich.text import Text
from textual.widgets import DataTable

from auditor.review.rows import ROW_CAP

Cell = str | Text


def literal(cells: Sequence[Cell]) -> list[Text]:
    """The cells as `Text`: a DataTable parses a `str` cell as Rich markup, so report text
    such as the search term `[/bold] jacka` would be styled, swallowed or crash the app."""
    return [c if isinstance(c, Text) else Text(c) for c in cells]


def fill(
    table: DataTable[Cell],
    frame: pd.DataFrame,
    cells: Callable[[pd.DataFrame], Iterable[Sequence[Cell]]],
    keys: Sequence[str],
    cap: int = ROW_CAP,
) -> int:
    """Replace the table's rows with the first `cap` rows of `frame`; return how many."""
    window = frame.head(cap)
    table.clear()
    for key, row in zip(keys[: len(window)], cells(window), strict=True):
        table.add_row(*literal(row), key=key)
    return len(window)


def shown_text(shown: int, total: int) -> str:
    more = " (filter for more)" if shown < total else ""
    return f"{shown:,} of {total:,} shown{more}"
