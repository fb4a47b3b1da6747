"""The tracking checks' inputs (`TRACKING`): which of them the inputs cannot feed, and what each
needs."""

from __future__ import annotations

import pandas as pd

from auditor.engine.checks import Inputs
from auditor.tracking.inputs import TrackingInputs, gather

EXPORT = "a conversion export (--conversions FILE)"
BY_ACTION = "a report segmented by conversion action (--by-action FILE)"
BY_DAY = "a report segmented by day (--by-day FILE, or a Day column)"
ORDERS = "the shop's orders per day (--orders FILE)"
ROWS = "a report with Clicks and Conversions columns"
NO_ROWS = "the report has no rows"
VALUES = "a report with Cost and Conv. value columns"


def _has(table: pd.DataFrame | None) -> bool:
    return table is not None and len(table) > 0


def _needs(check: str, inputs: TrackingInputs) -> str | None:
    """What `check` lacks in `inputs`, or None when it can run."""
    export, by_action = _has(inputs.conversions), _has(inputs.by_action)
    daily, rows = _has(inputs.daily), _has(inputs.rows)
    lacking: dict[str, str | None] = {
        "duplicate_transactions": None if export else EXPORT,
        "double_counting": None if export or by_action else f"{BY_ACTION} or {EXPORT}",
        "missing_value": None if export or by_action else f"{BY_ACTION} or {EXPORT}",
        "default_value": None if export or by_action else f"{BY_ACTION} or {EXPORT}",
        "currency_mismatch": None if export or len(inputs.file_currencies) > 1 else EXPORT,
        "outage": None if daily else BY_DAY,
        "backend_mismatch": _backend_needs(inputs),
        "conversions_exceed_clicks": _rows_needs(inputs),
        "no_conversions": _rows_needs(inputs),
        "negative_value": None if export or rows or by_action else EXPORT,
        "implausible_roas": (
            None if export or by_action or inputs.cost is not None else f"{EXPORT} or {VALUES}"
        ),
    }
    return lacking.get(check)


def _rows_needs(inputs: TrackingInputs) -> str | None:
    rows = inputs.rows
    if rows is None or not len(rows):
        return NO_ROWS if inputs.empty_report else ROWS
    if rows["clicks"].notna().any() and rows["conversions"].notna().any():
        return None
    return ROWS


def _days(table: pd.DataFrame | None) -> set[pd.Timestamp]:
    if table is None or not len(table):
        return set()
    return set(table["day"].dropna().dt.normalize().unique())


def _backend_needs(inputs: TrackingInputs) -> str | None:
    if not _has(inputs.orders):
        return ORDERS
    platform = _days(inputs.daily) or _days(inputs.conversions)
    if not platform:
        return f"{BY_DAY} beside the orders"
    if not platform & _days(inputs.orders):
        return "an orders file covering the report's days (the two share no day)"
    return None


def lacks(check: str, inputs: TrackingInputs) -> str | None:
    """Why `check` cannot run on `inputs` (what it needs), or None when it can."""
    need = _needs(check, inputs)
    if need is None:
        return None
    return need if need == NO_ROWS else f"needs {need}"


TRACKING = Inputs("tracking", gather, lacks)
"""What every tracking check reads: the tables gathered from the audit's inputs."""
