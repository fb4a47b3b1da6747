"""Numbers as the downloads write them: the file's number style (decimal point or comma, group
separators), figures parsed vectorised with pyarrow, and the reason a cell is not a number.

`detect_number_style` looks at every figure column at once (`2,33 %` is Swedish, `1,234.56`
English); `parse_numbers` turns a column of cells into floats and a mask of the cells that are
not numbers; `metric_problems` finds the figures no report can hold (negative cost, fractional
clicks, sizes past `MAX_FIGURE`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from auditor.schema import STRING_DTYPE

MISSING_TOKENS = ("", "--", "-", "\u2013", "\u2014", "n/a", "N/A")
"""Cells that mean 'no value' (Google writes `--` and ` --`), read as NaN, not as bad."""


@dataclass(frozen=True)
class NumberStyle:
    """How a file writes numbers: decimal mark and (main) thousands mark."""

    decimal: str = "."
    thousands: str = ","

    @property
    def strip_chars(self) -> str:
        """Every character removed as a thousands separator under this style."""
        marks = {",", ".", " ", "\u00a0", "\u202f", "'"} - {self.decimal}
        return "".join(sorted(marks))


ENGLISH = NumberStyle(".", ",")


_DOT_DECIMAL = r"\d\.\d{1,2}%?$|\d\.\d{4,}%?$|\d,\d{3}\.\d"


_COMMA_DECIMAL = r"\d,\d{1,2}\s?%?$|\d,\d{4,}\s?%?$|\d[.\s" + "\u00a0\u202f" + r"]\d{3},\d"


def detect_number_style(columns: Iterable[pd.Series]) -> NumberStyle:
    """The number style of a file, from its numeric-looking cells (money, ratios, counts).

    Evidence for a decimal comma: `12,50`, `4,76 %`, `1.234,5`, `1 234,56`; for a decimal dot:
    `12.50`, `4.76%`, `1,234.5`. Three digits after the only mark (`1,234`) prove nothing.
    The thousands mark reported is the one seen most (comma, dot, space or no-break space).
    """
    dot = comma = 0
    thousands_seen: dict[str, int] = {}
    for col in columns:
        arr = _arrow(col)
        dot += int(pc.sum(pc.match_substring_regex(arr, _DOT_DECIMAL)).as_py() or 0)
        comma += int(pc.sum(pc.match_substring_regex(arr, _COMMA_DECIMAL)).as_py() or 0)
        for mark in (",", ".", " ", "\u00a0", "\u202f"):
            pattern = r"\d[" + mark + r"]\d{3}(\D|$)"
            hits = int(pc.sum(pc.match_substring_regex(arr, pattern)).as_py() or 0)
            thousands_seen[mark] = thousands_seen.get(mark, 0) + hits
    decimal = "," if comma > dot else "."
    candidates = {m: n for m, n in thousands_seen.items() if m != decimal and n > 0}
    default = "," if decimal == "." else "\u00a0"
    thousands = max(candidates, key=lambda m: candidates[m]) if candidates else default
    return NumberStyle(decimal, thousands)


def _arrow(values: pd.Series) -> pa.Array | pa.ChunkedArray:
    """The column as an arrow string array (zero-copy for arrow-backed strings)."""
    arr = values.array
    if hasattr(arr, "__arrow_array__"):
        out = arr.__arrow_array__()
    else:
        out = pa.array(values.astype(STRING_DTYPE).array)
    if not pa.types.is_string(out.type) and not pa.types.is_large_string(out.type):
        out = pc.cast(out, pa.large_string())
    return out


_CURRENCY = r"^(?:[$€£¥₹]|kr\.?|[A-Z]{3})\s*|\s*(?:[$€£¥₹]|kr\.?|:-|[A-Z]{3})$"


_GROUP = "[ \u00a0\u202f]"
"""Spaces a thousands group may be separated by in any style."""


_EXPONENT = r"([eE][+-]?\d+)?"


_FITS = {
    ".": rf"^[+-]?(\d+\.?\d*|\.\d+){_EXPONENT}$"
    rf"|^[+-]?\d{{1,3}}((,\d{{3}})+|({_GROUP}\d{{3}})+)(\.\d+)?$",
    ",": rf"^[+-]?(\d+(,\d*)?|,\d+){_EXPONENT}$"
    rf"|^[+-]?\d{{1,3}}((\.\d{{3}})+|({_GROUP}\d{{3}})+|('\d{{3}})+)(,\d+)?$",
}
"""A number written in the style of its file: digits, the decimal mark, thousands groups of
three. `1 234,56` or `1.234,56` in a decimal-dot file (or `1,234.56` in a decimal-comma file)
does not fit: its value would be a guess (123456? 1.23456?), so the cell is refused."""


_PLAIN = {".": r"^-?\d+(\.\d+)?$", ",": r"^-?\d+(,\d+)?$"}
"""The common case, checked first (twice as fast as `_FITS`): digits and a decimal mark."""


MAX_FIGURE = 1e15
"""Larger cells are not report figures (and would overflow sums to infinity)."""


MONEY = ("cost", "conversion_value", "cost_micros", "cost_converted", "conversion_value_converted")


WHOLE = ("clicks", "impressions")


NON_NEGATIVE = ("cost", "clicks", "impressions", "cost_micros", "cost_converted")


def parse_numbers(values: pd.Series, style: NumberStyle) -> tuple[pd.Series, pd.Series]:
    """(float64 values, bool mask of cells present but not a number), vectorised.

    Missing (NaN, not bad): empty, `--`, ` --`, `-`, `n/a`. Understood: thousands marks of the
    style (groups of three, or spaces and no-break spaces), the decimal mark, a trailing `%`
    (value / 100), a currency symbol or code before or after, the Unicode minus sign. Bad: text,
    a number that does not fit the style (`_FITS`), NaN, infinity and magnitudes over
    `MAX_FIGURE`; `bad_number_reason` says which.
    """
    raw = _arrow(values)
    # Google's money and count columns hold plain numbers and no blanks: one cast does it.
    out = _try_cast(raw) if style.decimal == "." else None
    if out is None and style.decimal == ".":
        out = _comma_grouped(raw)
    if out is None:
        out = _fitting_numbers(raw, style)
    if out is not None:
        bad = pc.fill_null(pc.invert(_finite(out)), False)
    else:
        arr = pc.utf8_trim_whitespace(raw)
        missing = pc.fill_null(pc.is_in(arr, value_set=pa.array(MISSING_TOKENS)), True)
        present = pc.if_else(missing, pa.scalar(None, arr.type), arr)
        out = _fitting_numbers(present, style)
        if out is not None:
            bad = pc.fill_null(pc.invert(_finite(out)), False)
        else:
            out, bad = _clean_numbers(present, style)
    index = values.index
    floats = pd.Series(_np(out, np.nan, np.float64), index=index, dtype="float64", copy=False)
    garbage = pd.Series(_np(bad, False, np.bool_), index=index, dtype="bool", copy=False)
    floats[garbage.to_numpy()] = np.nan
    return floats, garbage


def _finite(arr: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """Whether each value is a finite number within `MAX_FIGURE` (null stays null)."""
    return pc.less_equal(pc.abs(arr), MAX_FIGURE)


def _try_cast(arr: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray | None:
    """float64 when every present cell is a plain number, else None."""
    try:
        return pc.cast(arr, pa.float64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None


def _comma_grouped(arr: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray | None:
    """float64 of a decimal-dot column whose cells are plain numbers but for commas grouping
    thousands (Google's `Clicks` and `Impr.`: `2,632`), else None: the commas go with a literal
    replace, and only the cells holding one are checked against `_FITS` (a regex pass over
    every cell costs ten times as much). A cell that casts without a comma is one `_FITS`
    accepts, or not finite (then bad either way)."""
    grouped = pc.match_substring(arr, ",")
    if not pc.any(grouped).as_py():
        return None
    if not pc.all(pc.match_substring_regex(pc.filter(arr, grouped), _FITS["."])).as_py():
        return None
    return _try_cast(pc.replace_substring(arr, ",", ""))


def _fitting_numbers(
    arr: pa.Array | pa.ChunkedArray, style: NumberStyle
) -> pa.Array | pa.ChunkedArray | None:
    """float64 when every present cell is a bare number in the style (no %, no currency)."""
    if pc.all(pc.match_substring_regex(arr, _PLAIN[style.decimal])).as_py():
        text = arr
    elif pc.all(pc.match_substring_regex(arr, _FITS[style.decimal])).as_py():
        text = pc.replace_substring_regex(arr, "[" + style.strip_chars + "]", "")
    else:
        return None
    if style.decimal != ".":
        text = pc.replace_substring(text, style.decimal, ".")
    return _try_cast(text)


def _np(arr: pa.Array | pa.ChunkedArray, fill: object, dtype: type) -> np.ndarray:
    """The values with nulls filled, as a writeable numpy array of their own (the Series made
    of it take it without a copy, and may be written to)."""
    filled = pc.fill_null(arr, fill)
    out = np.asarray(filled.to_numpy(zero_copy_only=False), dtype=dtype)
    return out if out.flags.writeable else out.copy()


def _core(arr: pa.Array | pa.ChunkedArray) -> tuple[pa.Array | pa.ChunkedArray, pa.Array]:
    """(the number part of each cell: Unicode minus as `-`, no currency, no `%`; `%` mask)."""
    text = pc.replace_substring(arr, "\u2212", "-")
    text = pc.utf8_trim_whitespace(pc.replace_substring_regex(text, _CURRENCY, ""))
    percent = pc.fill_null(pc.ends_with(text, "%"), False)
    text = pc.utf8_trim_whitespace(pc.replace_substring_regex(text, r"\s*%$", ""))
    return text, percent


def _clean_numbers(
    arr: pa.Array | pa.ChunkedArray, style: NumberStyle
) -> tuple[pa.Array | pa.ChunkedArray, pa.Array | pa.ChunkedArray]:
    """The slow path: cells that fit the style lose their marks, % and currency; the rest,
    and non-finite values, are reported bad."""
    text, percent = _core(arr)
    ok = pc.fill_null(pc.match_substring_regex(text, _FITS[style.decimal]), False)
    text = pc.replace_substring_regex(text, "[" + style.strip_chars + "]", "")
    if style.decimal != ".":
        text = pc.replace_substring(text, style.decimal, ".")
    numbers = pc.cast(pc.if_else(ok, text, pa.scalar(None, text.type)), pa.float64())
    numbers = pc.if_else(percent, pc.divide(numbers, 100.0), numbers)
    finite = pc.fill_null(_finite(numbers), False)
    bad = pc.and_(pc.invert(pc.and_(ok, finite)), pc.is_valid(arr))
    return numbers, bad


def bad_number_reason(text: str, style: NumberStyle, metric: str | None = None) -> str:
    """Why one cell was refused, in words (for the skipped-row list)."""
    cell = text.strip()
    core = pd.Series([cell], dtype=STRING_DTYPE)
    number, percent = _core(_arrow(core))
    part = str(number[0])
    if re.fullmatch(r"[+-]?(inf(inity)?|nan)", part, flags=re.IGNORECASE):
        return f"{cell!r} is not a finite number"
    other = "," if style.decimal == "." else "."
    if not re.fullmatch(_FITS[style.decimal], part) and re.fullmatch(_FITS[other], part):
        mark = "dot" if style.decimal == "." else "comma"
        return f"{cell!r} does not fit this file's numbers (decimal {mark}): its value is unclear"
    if not re.fullmatch(_FITS[style.decimal], part):
        return f"{cell!r} is not a number"
    value = parse_numbers(core, style)[0].iloc[0]
    if not np.isfinite(value) or abs(value) > MAX_FIGURE:
        return f"{cell!r} is too large to be a report figure"
    if metric in MONEY and bool(percent[0].as_py()):
        return f"{cell!r} is a percentage, not an amount of money"
    if metric in NON_NEGATIVE and value < 0:
        return f"{cell!r}: {metric.replace('_', ' ')} cannot be negative"
    if metric in WHOLE and value != int(value):
        return f"{cell!r}: {metric} are whole numbers"
    return f"{cell!r} is not a number"


def metric_problems(metric: str, values: pd.Series, cells: pd.Series) -> np.ndarray:
    """Cells that parse but no report writes in this metric column: negative cost, clicks or
    impressions, fractional clicks or impressions, a percentage of money."""
    v = values.to_numpy(dtype=np.float64)
    bad = np.zeros(len(v), dtype=bool)
    with np.errstate(invalid="ignore"):
        if metric in NON_NEGATIVE:
            bad |= v < 0
        if metric in WHOLE:
            bad |= np.isfinite(v) & (v != np.floor(v))
    if metric in MONEY:
        percent = pc.match_substring(_arrow(cells), "%")
        bad |= _np(percent, False, np.bool_)
    return bad
