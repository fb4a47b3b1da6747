"""Figures as a PPC manager reads them, and findings built from a rule's message template."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from auditor.engine.packs import Rule
from auditor.model import SEVERITIES, Finding


def number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def plural(count: float, word: str) -> str:
    """`1 conversion`, `3 conversions`."""
    return f"{number(count)} {word if count == 1 else word + 's'}"


def share(value: float) -> str:
    return f"{value:.0%}" if abs(value) >= 0.1 else f"{value:.1%}"


def probability(p: float) -> str:
    """`1 in 2,300` style for small chances, percent otherwise."""
    if p <= 0:
        return "below 1 in a billion"
    if p < 0.01:
        one_in = 1 / p
        return "below 1 in a billion" if one_in > 1e9 else f"about 1 in {one_in:,.0f}"
    return f"{p:.0%}"


def iso(day: Any) -> str:
    return pd.Timestamp(day).date().isoformat()


def day_span(days: Sequence[Any]) -> str:
    """`2026-10-13 to 2026-10-15` for a run, a single date for one day."""
    ordered = sorted(pd.Timestamp(d).date() for d in days)
    if not ordered:
        return ""
    first, last = ordered[0], ordered[-1]
    return first.isoformat() if first == last else f"{first.isoformat()} to {last.isoformat()}"


def listing(items: Sequence[str], limit: int = 3) -> str:
    """`a, b and c` / `a, b, c and 4 more`."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    if len(items) > limit:
        return f"{', '.join(items[:limit])} and {len(items) - limit} more"
    return f"{', '.join(items[:-1])} and {items[-1]}"


def lower(severity: str, steps: int = 1) -> str:
    """The severity `steps` levels lower (never below info)."""
    index = SEVERITIES.index(severity) if severity in SEVERITIES else 0
    return SEVERITIES[min(index + steps, len(SEVERITIES) - 1)]


def finding(
    rule: Rule,
    fields: dict[str, Any],
    evidence: dict[str, Any],
    *,
    severity: str | None = None,
    message: str | None = None,
    **where: Any,
) -> Finding:
    """A tracking finding whose message is the rule's template filled with `fields`."""
    return Finding(
        rule=rule.id,
        category="tracking",
        severity=severity or rule.severity,
        level=where.pop("level", rule.level),
        title=rule.title,
        message=message if message is not None else rule.message.format_map(fields),
        check=rule.check,
        evidence=evidence,
        **where,
    )
