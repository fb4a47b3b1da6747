"""A report's figures: the metric columns parsed in the file's number style (bad cells listed,
competing columns such as `Cost` twice resolved, converted currency preferred in a manager
account's mixed-currency export), its own `Total:` rows (any language, any column: the file's
totals, never data) and the rows checked against them within a rounding allowance.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from auditor import schema
from auditor.errors import InputError
from auditor.model import SkippedRow
from auditor.readers import headers
from auditor.readers.columns import NUMBER_COLUMNS, HeaderMap
from auditor.readers.dates import parse_days
from auditor.readers.numbers import (
    NumberStyle,
    bad_number_reason,
    detect_number_style,
    metric_problems,
    parse_numbers,
)
from auditor.readers.tabular import LINE, RawTable
from auditor.readers.text import (
    _SPACE_FIRST,
    _blank,
    _decoded,
    _edges,
    _text,
    _total_starts,
)

STYLE_SAMPLE = 5000


METRIC_WORDS = {
    "impressions": "Impressions",
    "clicks": "Clicks",
    "cost": "Cost",
    "conversions": "Conversions",
    "conversion_value": "Conv. value",
}


def _rows_where(rows: pd.DataFrame, mask: np.ndarray) -> pd.DataFrame:
    """The masked rows (few), filtered column by column in arrow: pandas would first join a
    chunked string column into one piece, copying all of it."""
    keep = pa.array(mask)
    data = {
        c: pd.arrays.ArrowStringArray(_decoded(pc.filter(rows[c].array.__arrow_array__(), keep)))
        if c != LINE
        else rows[c].to_numpy()[mask]
        for c in rows.columns
    }
    return pd.DataFrame(data, index=rows.index[mask])


def _total_mask(
    rows: pd.DataFrame, columns: list[str], see_through: frozenset[str] = frozenset()
) -> tuple[np.ndarray, list[str]]:
    """(bool mask of `Total:` rows, the label cell of each total row, in row order).

    A total row is one whose first non-empty cell (`--` counts as empty) among `columns`
    reads `Total: ...` in any language: Google puts the label in the first column of a
    search-terms report and in the third of a keyword report. Each further column is only
    looked at on the rows still empty so far, so the check costs one pass over one column.
    A `see_through` column (the Day segment) may hold the label but never hides one: a total
    row of one day (`2026-04-01,Total: Search terms,...`) is still a total row.
    """
    n = len(rows)
    mask = np.zeros(n, dtype=bool)
    labels: dict[int, str] = {}
    pattern = headers.total_prefix_pattern()
    candidates = np.arange(n)
    for name in columns:
        if not len(candidates):
            break
        arr = rows[name].array.__arrow_array__()
        if len(candidates) < n:
            still = np.zeros(n, dtype=bool)
            still[candidates] = True
            arr = pc.filter(arr, pa.array(still))
        arr = _decoded(arr)
        first, second, last, length = _edges(arr)
        starts = (first | 0x20).astype(np.uint16) << 8 | (second | 0x20)
        maybe = _total_starts()[starts] | _SPACE_FIRST[first]
        if maybe.any():
            sub = pc.filter(arr, pa.array(maybe))
            hit = pc.fill_null(pc.match_substring_regex(sub, pattern), False)
            local = np.flatnonzero(maybe)[hit.to_numpy(zero_copy_only=False)]
            where = candidates[local]
            mask[where] = True
            labels.update(zip(where.tolist(), pc.filter(sub, hit).to_pylist(), strict=True))
        if name in see_through:
            candidates = candidates[~mask[candidates]]
        else:
            candidates = candidates[_blank(first, last, length)]
    return mask, [labels[i] for i in sorted(labels)]


def _file_totals(
    rows: pd.DataFrame, labels: list[str], hmap: HeaderMap, style: NumberStyle, converted: bool
) -> dict[str, dict[str, float]]:
    """{canonical label: {metric: value}} of the `Total:` rows (a repeated label gets `_2`).

    Total rows that carry a day (one per day of a segmented download) are parts of their
    label's total: summed, unless the file also has the label's total without a day."""
    metrics = _converted(_metrics(rows, hmap, style)[0], converted)
    day = hmap.columns.get("day")
    days = pd.Series(pd.arrays.ArrowStringArray(pc.cast(_text(rows, day), pa.large_string())))
    dated = parse_days(days).notna().to_numpy()
    pattern = headers.table().total_prefix
    groups: dict[str, list[int]] = {}
    for pos, cell in enumerate(labels):
        match = pattern.match(str(cell))
        base = headers.total_label(match.group(1) if match else str(cell))
        groups.setdefault(base, []).append(pos)
    out: dict[str, dict[str, float]] = {}
    for base, positions in groups.items():
        whole = [p for p in positions if not dated[p]]
        if not whole:
            parts = {m: v.iloc[positions] for m, v in metrics.items()}
            out[base] = {m: float(v.sum()) for m, v in parts.items() if v.notna().any()}
            continue
        for n, pos in enumerate(whole, start=1):
            key = base if n == 1 else f"{base}_{n}"
            out[key] = {m: float(v.iloc[pos]) for m, v in metrics.items() if pd.notna(v.iloc[pos])}
    return out


def _metrics(
    rows: pd.DataFrame, hmap: HeaderMap, style: NumberStyle
) -> tuple[dict[str, pd.Series], dict[str, pd.Series]]:
    """(canonical metric -> float values, file column -> bad-cell mask)."""
    values: dict[str, pd.Series] = {}
    bad: dict[str, pd.Series] = {}
    for col in NUMBER_COLUMNS:
        name = hmap.columns.get(col)
        if name is None:
            continue
        values[col], bad[name] = parse_numbers(rows[name], style)
        bad[name] |= metric_problems(col, values[col], rows[name])
    if "cost_micros" in values:
        micros = values.pop("cost_micros") / 1_000_000
        values.setdefault("cost", micros)
    return values, bad


def competing_columns(
    rows: pd.DataFrame, hmap: HeaderMap, style: NumberStyle, path: Path
) -> list[str]:
    """Notes on metric columns named twice (`Cost` twice, `Cost` + `Spend`): the first is
    used when they agree on every row; when they disagree the choice would change the figures,
    so the file is refused (InputError naming both and the first row that differs)."""
    notes = []
    for metric, others in hmap.competing.items():
        used = hmap.columns[metric]
        first = parse_numbers(rows[used], style)[0].to_numpy()
        for other in others:
            second = parse_numbers(rows[other], style)[0].to_numpy()
            same = (first == second) | (np.isnan(first) & np.isnan(second))
            if not same.all():
                at = int(np.argmin(same))
                raise InputError(
                    f"columns '{used}' and '{other}' both hold {metric.replace('_', ' ')} and"
                    f" disagree ({rows[used].iloc[at]!r} vs {rows[other].iloc[at]!r}): which is"
                    " right cannot be told; remove one of them",
                    path=path,
                    line=int(rows[LINE].iloc[at]),
                )
            notes.append(
                f"columns '{used}' and '{other}' both hold {metric.replace('_', ' ')}; they"
                f" agree on every row, so '{used}' was used"
            )
    return notes


def _converted(values: dict[str, pd.Series], converted: bool) -> dict[str, pd.Series]:
    """Canonical metrics only; cost and value from the converted columns when `converted`."""
    out = {m: v for m, v in values.items() if m in schema.METRIC_COLUMNS}
    if converted:
        for col in ("cost", "conversion_value"):
            if f"{col}_converted" in values:
                out[col] = values[f"{col}_converted"]
    return out


def _style(rows: pd.DataFrame, raw: RawTable, hmap: HeaderMap) -> NumberStyle:
    """Number style from a sample of every column (money and ratios carry the decimals)."""
    sample = rows.head(STYLE_SAMPLE)
    text_cols = {hmap.columns.get(c) for c in ("search_term", "campaign", "ad_group", "keyword")}
    style = detect_number_style(sample[c] for c in raw.columns if c not in text_cols)
    if style.decimal == "." and hmap.language != "en" and not _has_decimal_dot(sample, hmap):
        return NumberStyle(",", "\u00a0")
    return style


def _has_decimal_dot(sample: pd.DataFrame, hmap: HeaderMap) -> bool:
    for col in ("cost", "conversions", "conversion_value"):
        name = hmap.columns.get(col)
        if name is not None and sample[name].str.contains(r"\d\.\d{1,2}$", regex=True).any():
            return True
    return False


def _skip_bad_numbers(
    rows: pd.DataFrame,
    bad: dict[str, pd.Series],
    exclude: np.ndarray,
    path: Path,
    how: tuple[HeaderMap, NumberStyle],
) -> tuple[np.ndarray, list[SkippedRow]]:
    """Rows with a garbage number: mask and one SkippedRow each (first bad column named).

    A column where most rows are garbage is not a few bad rows but a wrong file or column:
    InputError.
    """
    any_bad = np.zeros(len(rows), dtype=bool)
    skipped: list[SkippedRow] = []
    hmap, style = how
    metric_of = {name: col for col, name in hmap.columns.items()}
    for name, mask in bad.items():
        arr = mask.to_numpy() & ~exclude
        count = int(arr.sum())
        if count >= 10 and count > 0.5 * len(rows):
            first = _rows_where(rows, arr).iloc[0]
            raise InputError(
                f"holds no numbers ({count:,} of {len(rows):,} rows; first: {first[name]!r});"
                " is this the right file, or a mislabelled column?",
                path=path,
                line=int(first[LINE]),
                column=name,
            )
        new = arr & ~any_bad
        if new.any():
            hits = _rows_where(rows[[LINE, name]], new)
            skipped += [
                SkippedRow(
                    int(line),
                    f"column '{name}': {bad_number_reason(value, style, metric_of.get(name))}",
                )
                for line, value in zip(hits[LINE], hits[name], strict=True)
            ]
        any_bad |= arr
    return any_bad, skipped


def allowance(rows: int) -> float:
    """How far summed rows may differ from a file total: rows are rounded to the cent and the
    total is not, so each row adds up to half a cent of error, uniformly: the sum of `rows`
    roundings has a standard deviation of 0.01 / sqrt(12) x sqrt(rows) (0.12 for 1,756 rows).
    Allowed: three of those, at least one cent."""
    return max(0.01, 3 * 0.01 / math.sqrt(12) * math.sqrt(rows))


def _check_totals(
    table: pd.DataFrame,
    present: frozenset[str],
    total: dict[str, float],
    skipped: list[SkippedRow],
    label: str = "search_terms",
) -> list[str]:
    """A note per metric whose rows disagree with the file's `Total: Search terms` (or
    `Total: Filtered search terms`, which a filtered table shows instead)."""
    notes = []
    limit = allowance(len(table))
    for metric in ("cost", "clicks", "impressions", "conversions", "conversion_value"):
        if metric not in present or metric not in total:
            continue
        summed = float(table[metric].sum())
        if abs(summed - total[metric]) <= limit + 1e-6:
            continue
        why = f"; {len(skipped)} skipped row(s) may explain it" if skipped else ""
        notes.append(
            f"rows sum to {METRIC_WORDS[metric].lower()} {summed:,.2f}, the file's"
            f" 'Total: {label.replace('_', ' ').capitalize()}' says {total[metric]:,.2f}:"
            " they disagree by"
            f" {abs(summed - total[metric]):,.2f} (allowed {limit:,.2f}){why}"
        )
    return notes
