"""Number formatting for table cells and the overview (a dash for unknown)."""

from __future__ import annotations

import math

DASH = "-"


def known(value: float | None) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value))


def money(value: float | None, currency: str | None = None) -> str:
    if not known(value):
        return DASH
    text = f"{value:,.2f}"
    return f"{text} {currency}" if currency else text


def number(value: float | None) -> str:
    if not known(value):
        return DASH
    v = float(value)  # type: ignore[arg-type]
    return f"{v:,.0f}" if v.is_integer() else f"{v:,.1f}"


def ratio(num: float | None, den: float | None) -> float | None:
    if not known(num) or not known(den) or not den:
        return None
    return float(num) / float(den)  # type: ignore[arg-type]


def share(value: float | None) -> str:
    return f"{value:.0%}" if known(value) else DASH


def cut(text: str | None, width: int) -> str:
    """`text` shortened to `width` characters with an ellipsis."""
    text = text or ""
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"
