"""Small builders shared by several test modules."""

from __future__ import annotations

import pandas as pd

from auditor import schema
from auditor.config import Settings
from auditor.engine.context import AuditContext


def negatives_context(rows: list[tuple], settings: Settings | None = None) -> AuditContext:
    """A context of (term, campaign, clicks, cost, conversions, value) rows, one ad group."""
    t = schema.empty_table(len(rows))
    t["search_term"] = pd.array([r[0] for r in rows], dtype="string[pyarrow]")
    t["campaign"] = pd.array([r[1] for r in rows], dtype="string[pyarrow]")
    t["ad_group"] = pd.array(["Main"] * len(rows), dtype="string[pyarrow]")
    for i, col in enumerate(["clicks", "cost", "conversions", "conversion_value"], start=2):
        t[col] = [float(r[i]) for r in rows]
    return AuditContext(
        table=t,
        columns_present=frozenset(schema.METRIC_COLUMNS),
        keywords=pd.DataFrame(
            {c: pd.array([], dtype="string[pyarrow]") for c in ("keyword", "campaign")}
        ),
        settings=settings or Settings(),
    )
