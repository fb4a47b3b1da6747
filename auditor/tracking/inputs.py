"""The tables the tracking checks read, gathered from the audit's inputs.

Which file feeds which table (each file's role is how it was given; plain REPORT files are
classified by their content):
- `conversions`: every conversion-level export (kind `conversions`, see
  `auditor.readers.conversions`), one row per recorded conversion.
- `by_action`: rows with a `conversion_action` (reports segmented by conversion action).
- `daily`: clicks, cost, conversions and value per campaign and day, summed from the
  `--by-day` reports, or else from any report with a `day` column (the main report may be
  segmented by day). Reports segmented by conversion action never feed it (their rows repeat
  clicks per action).
- `rows`: the report rows judged row by row (`conversions_exceed_clicks`): the `--by-day`
  reports when given (a day's row shows what a period total hides), else the main
  search-terms table, else any report with a day column.
- `orders`: the shop's orders per day (kind `orders`, see `auditor.readers.orders`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from auditor import schema
from auditor.config import Settings
from auditor.engine.context import AuditContext
from auditor.errors import ConfigError
from auditor.model import Report

ALL_CAMPAIGNS = "(all campaigns)"
"""Campaign label for rows of files without a Campaign column (Performance Max, exports)."""


@dataclass
class TrackingInputs:
    """What the tracking checks can look at; a table is None when no input has it."""

    conversions: pd.DataFrame | None = None
    by_action: pd.DataFrame | None = None
    daily: pd.DataFrame | None = None
    rows: pd.DataFrame | None = None
    orders: pd.DataFrame | None = None
    currency: str | None = None
    """The account's currency (from the reports)."""
    file_currencies: dict[str, str] = field(default_factory=dict)
    """File name -> the one currency the file is in, for every input that says."""
    export_values: bool = True
    """Whether every conversion export has a value column (else values are unknown, not
    missing)."""
    cost: float | None = None
    conversion_value: float | None = None
    """Totals of the main report (for the account ROAS), when it has both columns."""
    empty_report: bool = False
    """Whether the reports that would feed `rows` were given but hold no data rows."""
    backend_tolerance: float | None = None
    """The config's `[tracking] backend_tolerance`: replaces TRACK008's `tolerance` param."""


TRACKING_KEYS = frozenset({"backend_tolerance"})
"""Keys of the config's [tracking] section."""


def tracking_config(settings: Settings) -> dict[str, float]:
    """The [tracking] section, checked: known keys, numbers (0 or more)."""
    section = settings.tracking
    unknown = sorted(set(section) - TRACKING_KEYS)
    if unknown:
        raise ConfigError(f"[tracking] unknown key(s): {', '.join(unknown)}")
    out: dict[str, float] = {}
    for key, value in section.items():
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise ConfigError(f"[tracking] {key} must be a number of 0 or more, not {value!r}")
        out[key] = float(value)
    return out


def _concat(tables: list[pd.DataFrame]) -> pd.DataFrame | None:
    tables = [t for t in tables if len(t)]
    return pd.concat(tables, ignore_index=True) if tables else None


def _has_action(table: pd.DataFrame) -> bool:
    return bool(table["conversion_action"].notna().any())


def _has_day(table: pd.DataFrame) -> bool:
    return bool(table["day"].notna().any())


def daily_table(rows: pd.DataFrame) -> pd.DataFrame:
    """Clicks, cost, conversions and value per campaign and day (NaN metrics count as 0)."""
    keyed = rows.assign(
        campaign=rows["campaign"].fillna(ALL_CAMPAIGNS),
        day=rows["day"].dt.normalize(),
    ).dropna(subset=["day"])
    metrics = ["clicks", "cost", "conversions", "conversion_value"]
    return (
        keyed.groupby(["campaign", "day"], sort=True, observed=True)[metrics]
        .sum(min_count=0)
        .reset_index()
    )


def _reports(ctx: AuditContext, role: str | None = None, kind: str | None = None) -> list[Report]:
    return [
        r
        for r, ro in zip(ctx.reports, ctx.roles, strict=True)
        if (role is None or ro == role) and (kind is None or r.kind == kind)
    ]


def _metric_reports(ctx: AuditContext) -> list[tuple[Report, str]]:
    other = (schema.KIND_CONVERSIONS, schema.KIND_ORDERS, schema.KIND_NEGATIVES)
    return [
        (r, ro)
        for r, ro in zip(ctx.reports, ctx.roles, strict=True)
        if r.kind not in other and ro not in ("conversions", "orders", "existing_negatives")
    ]


def _daily_sources(ctx: AuditContext) -> tuple[list[pd.DataFrame], bool]:
    """The tables with a day column, and whether they came from `--by-day`."""
    metric = [(r, ro) for r, ro in _metric_reports(ctx) if not _has_action(r.table)]
    by_day = [r.table for r, ro in metric if ro == "by_day" and _has_day(r.table)]
    if by_day:
        return by_day, True
    return [r.table for r, ro in metric if ro != "keywords" and _has_day(r.table)], False


def _file_currencies(ctx: AuditContext) -> dict[str, str]:
    out: dict[str, str] = {}
    for r in ctx.reports:
        found = r.table["currency"].dropna().unique() if len(r.table) else []
        if r.currency:
            out[r.path.name] = r.currency
        elif len(found) == 1:
            out[r.path.name] = str(found[0])
    return out


def gather(ctx: AuditContext) -> TrackingInputs:
    """Collect the tracking tables from every input of the audit (and check the config's
    [tracking] section)."""
    config = tracking_config(ctx.settings)
    metric = _metric_reports(ctx)
    exports = _reports(ctx, kind=schema.KIND_CONVERSIONS)
    actions = [r.table for r, _ in metric if _has_action(r.table)]
    sources, flagged = _daily_sources(ctx)
    daily = _concat(sources)
    main = ctx.table if len(ctx.table) and not _has_action(ctx.table) else None
    rows = daily if flagged or main is None else main
    has_value = {"cost", "conversion_value"} <= ctx.columns_present
    return TrackingInputs(
        conversions=_concat([r.table for r in exports]),
        export_values=all("conversion_value" in r.columns_present for r in exports),
        by_action=_concat(actions),
        daily=daily_table(daily) if daily is not None else None,
        rows=rows,
        orders=_concat([r.table for r in _reports(ctx, kind=schema.KIND_ORDERS)]),
        currency=ctx.currency,
        file_currencies=_file_currencies(ctx),
        cost=float(ctx.table["cost"].sum()) if main is not None and has_value else None,
        conversion_value=(
            float(ctx.table["conversion_value"].sum()) if main is not None and has_value else None
        ),
        empty_report=rows is None and any(not len(r.table) for r, _ in metric),
        backend_tolerance=config.get("backend_tolerance"),
    )
