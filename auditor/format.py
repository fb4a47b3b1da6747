"""How figures read, in the CLI summary and in the review app alike (no UI code here).

Money is `SEK 1,234.56` (the currency first, two decimals; a bare `1,234.56` in table cells
and sentences whose context names the currency), rates are percent (`2.7%`), chances `<1%` /
`12%` / `>99%` (in a proposal's evidence sentence `<0.1%` / `3.6%` / `41%`: `chance_fine`),
multiples `2.0×`, keywords and negatives as the platforms write them (`kw`, `"kw"`, `[kw]`).
`figures` turns a rule's `metrics` or a tracking check's `evidence` into labelled lines, each
value formatted by what its key names (cost, CPA, rate, chance, ...).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from typing import Any

DASH = "-"
LIST_SHOWN = 8
"""Items of a list figure shown before `+N more`."""
WORD_LABELS = {
    "p": "chance",
    "cpa": "CPA",
    "cpas": "CPAs",
    "cvr": "CVR",
    "ctr": "CTR",
    "roas": "ROAS",
    "poas": "POAS",
    "ids": "IDs",
}
MONEY_WORDS = frozenset({"cost", "cpa", "value", "spend", "amount", "revenue", "cpc"})
RATE_WORDS = frozenset({"cvr", "ctr", "share", "rate", "agreement", "dispersion", "margin"})
MULTIPLE_WORDS = frozenset({"multiple", "cpas", "factor", "ratio"})
PLAIN_WORDS = frozenset({"roas", "poas"})


def known(value: object) -> bool:
    """A figure that is there: not None and not NaN."""
    return value is not None and not (isinstance(value, float) and math.isnan(value))


def money(value: float | None, currency: str | None = None, *, missing: str = DASH) -> str:
    """`SEK 1,234.56`; without a currency `1,234.56`; `missing` when unknown."""
    if not known(value):
        return missing
    text = f"{float(value):,.2f}"  # type: ignore[arg-type]
    return f"{currency} {text}" if currency else text


def number(value: float | None, *, missing: str = DASH) -> str:
    """A count: `1,234`, or `12.5` / `0.25` when it has decimals."""
    if not known(value):
        return missing
    v = float(value)  # type: ignore[arg-type]
    if v.is_integer():
        return f"{v:,.0f}"
    return f"{v:,.1f}" if abs(v) >= 10 else f"{v:,.2f}"


def percent(value: float | None, *, missing: str = DASH) -> str:
    """A rate: `2.7%` (one decimal below 10%, none above)."""
    if not known(value):
        return missing
    v = float(value) * 100  # type: ignore[arg-type]
    return f"{v:.1f}%" if abs(v) < 10 else f"{v:.0f}%"


def share(value: float | None, *, missing: str = DASH) -> str:
    """A share of a whole, in whole percent: `36%`."""
    return f"{float(value):.0%}" if known(value) else missing  # type: ignore[arg-type]


def chance(value: float | None, *, missing: str = DASH) -> str:
    """A probability: `<1%`, `12%`, `>99%`."""
    if not known(value):
        return missing
    v = float(value)  # type: ignore[arg-type]
    if v < 0.01:
        return "<1%"
    if v > 0.99:
        return ">99%"
    return f"{v:.0%}"


def chance_fine(p: float) -> str:
    """A small probability in a sentence, one decimal below 10%: `<0.1%`, `3.6%`, `41%`."""
    if p < 0.001:
        return "<0.1%"
    if p < 0.1:
        return f"{p:.1%}"
    return f"{p:.0%}"


def keyword(text: str, match_type: str) -> str:
    """A keyword or negative as the platforms write it: `kw` (broad), `"kw"`, `[kw]`."""
    if match_type == "phrase":
        return f'"{text}"'
    if match_type == "exact":
        return f"[{text}]"
    return text


def multiple(value: float | None, *, missing: str = DASH) -> str:
    """How many times: `2.0×`."""
    return f"{float(value):,.1f}×" if known(value) else missing  # type: ignore[arg-type]


def ratio(num: float | None, den: float | None) -> float | None:
    """`num / den`, None when either is unknown or `den` is zero."""
    if not known(num) or not known(den) or not den:
        return None
    return float(num) / float(den)  # type: ignore[arg-type]


def cut(text: str | None, width: int) -> str:
    """`text` shortened to `width` characters, with an ellipsis where it was cut."""
    text = text or ""
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


def label(key: str) -> str:
    """A figure's key in words: `p_zero` -> `chance zero`, `account_cpa` -> `account CPA`."""
    return " ".join(WORD_LABELS.get(w, w) for w in key.split("_") if w)


def _kind(key: str) -> str:
    parts = set(key.casefold().split("_"))
    if "p" in parts or key.casefold() == "p_value":
        return "chance"
    if parts & MULTIPLE_WORDS:
        return "multiple"
    if parts & PLAIN_WORDS:
        return "plain"
    if parts & RATE_WORDS:
        return "rate"
    if parts & MONEY_WORDS:
        return "money"
    return "number"


def figure(key: str, value: Any, currency: str | None = None) -> str:
    """One figure formatted by what its key names (see the module docstring)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    kind = _kind(key)
    if kind == "money":
        return money(value, currency)
    if kind == "rate":
        return percent(value)
    if kind == "chance":
        return chance(value)
    if kind == "multiple":
        return multiple(value)
    if kind == "plain":
        return f"{value:,.2f}"
    return number(value)


def _listed(key: str, values: list[Any], currency: str | None) -> str:
    shown = [figure(key, v, currency) for v in values[:LIST_SHOWN]]
    more = f" +{len(values) - LIST_SHOWN} more" if len(values) > LIST_SHOWN else ""
    return ", ".join(shown) + more


def _row(item: Mapping[str, Any], currency: str | None) -> str:
    return ", ".join(f"{label(k)} {figure(k, v, currency)}" for k, v in item.items())


def _counts(data: Mapping[str, Any]) -> bool:
    """A long mapping of names to counts (e.g. transaction ID -> times seen): one line."""
    values = list(data.values())
    return len(values) > 4 and all(isinstance(v, int | float) for v in values)


def figures(
    data: Mapping[str, Any], currency: str | None = None, indent: str = ""
) -> Iterator[tuple[str, str]]:
    """(indented label, text) for every figure of `data`; nested tables are indented under
    their label, lists of records give one line each (the first `LIST_SHOWN`)."""
    for key, value in data.items():
        name = indent + label(str(key))
        if isinstance(value, Mapping) and _counts(value):
            items = list(value.items())
            text = ", ".join(f"{k} {number(v)}" for k, v in items[:LIST_SHOWN])
            more = len(items) - LIST_SHOWN
            yield name, text + (f" +{more} more" if more > 0 else "")
        elif isinstance(value, Mapping):
            yield name, ""
            yield from figures(value, currency, indent + "  ")
        elif isinstance(value, list) and value and all(isinstance(v, Mapping) for v in value):
            yield name, f"{len(value)}"
            for item in value[:LIST_SHOWN]:
                yield indent + "  ·", _row(item, currency)
            if len(value) > LIST_SHOWN:
                yield indent + "  ·", f"+{len(value) - LIST_SHOWN} more"
        elif isinstance(value, list):
            yield name, _listed(str(key), value, currency)
        else:
            yield name, figure(str(key), value, currency)
