"""An audit's input files read into its context: every file read and given its role, the
search-terms reports combined into one canonical table, the bought keywords gathered.

The REPORT files are read first, then the files given by role (`--keywords`, ...): the audit
starts on the search-terms table while the others are read (`build_context(on_terms=...)`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from auditor import schema
from auditor.config import Settings
from auditor.engine.context import AuditContext
from auditor.errors import InputError
from auditor.model import Period, Report
from auditor.readers import expand_paths, read_report

_ROLE_SETTINGS = ("conversions", "by_action", "by_day", "orders", "existing_negatives", "keywords")


def _one_account_folder(path: Path, files: list[Path]) -> None:
    """A REPORT folder whose reports sit in several folders is an agency's folder of accounts:
    adding them up would mix accounts, so say how to audit them."""
    folders = sorted({f.parent for f in files})
    if len(folders) > 1:
        names = ", ".join(str(f.relative_to(path)) or "." for f in folders[:4])
        more = f" and {len(folders) - 4} more" if len(folders) > 4 else ""
        raise InputError(
            f"holds reports in {len(folders)} folders ({names}{more}), which look like several"
            " accounts: use --out-dir DIR for one audit per account folder, or name the files",
            path=path,
        )


def _jobs(paths: Sequence[Path], settings: Settings, notes: list[str]) -> list[tuple[Path, str]]:
    """(file, role) of every input: the REPORT files first, then the files given by role."""
    for path in paths:
        if path.is_dir():
            _one_account_folder(path, expand_paths([path]))
    jobs: list[tuple[Path, str]] = [(p, "report") for p in expand_paths(paths, notes)]
    for role in _ROLE_SETTINGS:
        jobs.extend((p, role) for p in expand_paths(getattr(settings, role), notes))
    if not jobs:
        raise InputError("no input files given")
    return jobs


def _read(jobs: list[tuple[Path, str]], first: int = 0) -> list[Report]:
    """The jobs' files read; `source` numbers them from `first`."""
    return [read_report(path, source=first + i, role=role) for i, (path, role) in enumerate(jobs)]


def _report_roles(reports: list[Report], jobs: list[tuple[Path, str]]) -> list[str]:
    """The roles of the REPORT files: segmented by action, a duplicate download, or a report;
    refused when the search-terms reports are in several currencies."""
    roles = [_detected_role(r, role) for r, (_, role) in zip(reports, jobs, strict=True)]
    roles = _mark_duplicates(reports, roles)
    _one_currency(reports, roles)
    return roles


_SAME_DOWNLOAD = ("cost", "clicks", "impressions")
_LATE_FIGURES = ("conversions", "conversion_value")


def _sum(report: Report, metric: str) -> float | None:
    if metric not in report.columns_present:
        return None
    return round(float(report.table[metric].sum()), 2)


def _same_download(a: Report, b: Report) -> bool:
    """Two downloads of one report, whatever their format or segmentation: the same
    `Total: Search terms` row, or the same rows, cost, clicks and impressions; and the same period
    and currency where both files say them (an API dump has no date line)."""
    if a.kind != b.kind or _sum(a, "cost") is None:
        return False
    if a.currency and b.currency and a.currency != b.currency:
        return False
    if a.period is not None and b.period is not None and a.period != b.period:
        return False
    if _same_file_totals(a, b):
        return True
    return len(a.table) == len(b.table) and all(
        _sum(a, m) == _sum(b, m)
        for m in _SAME_DOWNLOAD
        if _sum(a, m) is not None and _sum(b, m) is not None
    )


def _same_file_totals(a: Report, b: Report) -> bool:
    """The same `Total: Search terms` row (cost, and clicks/impressions where both have them):
    one report downloaded twice, e.g. once segmented by day."""
    ta, tb = a.file_totals.get("search_terms"), b.file_totals.get("search_terms")
    if not ta or not tb or "cost" not in ta or "cost" not in tb:
        return False
    shared = [m for m in _SAME_DOWNLOAD if m in ta and m in tb]
    return all(abs(ta[m] - tb[m]) <= 0.005 for m in shared)


def _differs(a: Report, b: Report, metric: str) -> bool:
    x, y = _sum(a, metric), _sum(b, metric)
    return x is not None and y is not None and abs(x - y) > 0.005


def _mark_duplicates(reports: list[Report], roles: list[str]) -> list[str]:
    """The same search-terms report given twice (the CSV and the UTF-16 download, say) is
    counted once: later copies get the role `duplicate` and a note naming the first. Two
    downloads whose conversions differ (one taken before late conversions came in) are refused:
    only the user knows which is newer."""
    kept: list[Report] = []
    out = []
    for report, role in zip(reports, roles, strict=True):
        if role == "report" and report.kind == schema.KIND_SEARCH_TERMS and len(report.table):
            twin = next((k for k in kept if _same_download(k, report)), None)
            if twin is None:
                kept.append(report)
            else:
                changed = [m.replace("_", " ") for m in _LATE_FIGURES if _differs(twin, report, m)]
                if changed:
                    raise InputError(
                        f"this and {twin.path} are two downloads of the same report (same rows,"
                        f" cost and clicks) with different {' and '.join(changed)}: give only the"
                        " newer one",
                        path=report.path,
                    )
                report.notes.append(f"the same report as {twin.path}: not counted again")
                role = "duplicate"
        out.append(role)
    return out


def _one_currency(reports: list[Report], roles: list[str]) -> None:
    """Search-terms reports in several currencies are several accounts: never add them up."""
    found: dict[str, Path] = {}
    for report in search_terms_reports(reports, roles):
        if report.currency:
            found.setdefault(report.currency, report.path)
    if len(found) > 1:
        listed = ", ".join(f"{cur} ({path.name})" for cur, path in sorted(found.items()))
        raise InputError(
            f"the reports are in different currencies, so they are different accounts: {listed};"
            " audit them one by one, or put each account in its own folder and use --out-dir"
        )


def _detected_role(report: Report, role: str) -> str:
    """A plain REPORT segmented by conversion action is a by-action report: its rows repeat
    each term once per action, so they never join the search-terms table. Without rows it is
    known by its columns: the readers take a search-terms report without clicks, cost and
    impressions only when it is segmented by conversion action."""
    if (
        role == "report"
        and report.kind == schema.KIND_SEARCH_TERMS
        and (
            report.table["conversion_action"].notna().any()
            or not report.columns_present & {"clicks", "cost", "impressions"}
        )
    ):
        return "by_action"
    return role


def search_terms_reports(reports: list[Report], roles: list[str]) -> list[Report]:
    return [
        r
        for r, role in zip(reports, roles, strict=True)
        if role == "report" and r.kind == schema.KIND_SEARCH_TERMS
    ]


_KEYWORD_COLUMNS = ("keyword", "keyword_match_type", "campaign", "ad_group", "status")


def _keywords(reports: list[Report], search_terms: pd.DataFrame) -> pd.DataFrame:
    """Bought keywords from keyword reports and the search-terms Keyword column, each
    (keyword, match type, campaign, ad group, status) once, in order of first appearance.

    Worked out on the columns' codes; only the kept rows' texts are made."""
    cols = list(_KEYWORD_COLUMNS)
    parts = [r.table[cols] for r in reports if r.kind == schema.KIND_KEYWORDS]
    has_keyword = search_terms["keyword"].notna().to_numpy(dtype=bool)
    if not has_keyword.any():
        none = schema.empty_table()[cols]
        return pd.concat([*parts, none], ignore_index=True).drop_duplicates(ignore_index=True)
    stacked = [_stacked_codes(parts, search_terms, has_keyword, c) for c in cols]
    for part in parts:
        for col in cols:
            schema.forget_codes(part[col])
    first = _first_rows([codes for codes, _ in stacked], len(stacked[0][0]))
    return pd.DataFrame(
        {c: _texts_at(texts, codes[first]) for c, (codes, texts) in zip(cols, stacked, strict=True)}
    )


def _stacked_codes(
    parts: list[pd.DataFrame], search_terms: pd.DataFrame, has_keyword: np.ndarray, col: str
) -> tuple[np.ndarray, pa.Array]:
    """(codes, texts) of column `col` over the keyword reports' rows and then the search-term
    rows with a keyword, in one numbering (-1: missing). The search-term table's codes are the
    ones the metrics use (`schema.text_codes`, computed once); only the distinct texts are
    matched up."""
    encoded = [schema.text_codes(p[col]) for p in parts]
    if col == "status":
        none = np.full(int(has_keyword.sum()), -1, dtype=np.int64)
        encoded.append((none, pa.array([], pa.large_string())))
    else:
        codes, texts = schema.text_codes(search_terms[col])
        encoded.append((codes if has_keyword.all() else codes[has_keyword], texts))
    unified, remaps = _unified([texts for _, texts in encoded])
    out = [np.append(remap, -1)[codes] for (codes, _), remap in zip(encoded, remaps, strict=True)]
    return np.concatenate(out), unified


def _unified(lists: list[pa.Array]) -> tuple[pa.Array, list[np.ndarray]]:
    """One list of the texts of several lists of distinct texts, in order of first appearance
    over them (as `dictionary_encode` of them all would give), and where each list's texts
    are in it. The first list is taken as it is: only the later ones are looked up in it."""
    if not lists:
        return pa.array([], pa.large_string()), []
    unified, remaps = lists[0], [np.arange(len(lists[0]), dtype=np.int64)]
    for texts in lists[1:]:
        found = pc.index_in(texts, value_set=unified)
        new = np.asarray(found.is_null().to_numpy(zero_copy_only=False), dtype=bool)
        remap = np.asarray(found.fill_null(-1), dtype=np.int64)
        remap[new] = len(unified) + np.arange(int(new.sum()), dtype=np.int64)
        unified = pa.concat_arrays([unified, pc.filter(texts, pa.array(new))])
        remaps.append(remap)
    return unified, remaps


def _texts_at(texts: pa.Array, codes: np.ndarray) -> pd.Series:
    """The texts of `codes` (-1: missing) as a string column, its `text_codes` known."""
    return pd.Series(schema.from_codes(pa.array(codes, mask=codes < 0), texts))


def _first_rows(codes: list[np.ndarray], n: int) -> np.ndarray:
    """Positions of the first row of each distinct combination of the code columns."""
    if not n:
        return np.zeros(0, dtype=np.int64)
    ids, size = np.zeros(n, dtype=np.int64), 1
    for column in codes:
        radix = int(column.max()) + 2
        if size * radix >= 1 << 62:
            ids = pd.factorize(ids)[0]
            size = int(ids.max()) + 1
        ids *= radix
        ids += column
        ids += 1
        size *= radix
    return np.flatnonzero(~pd.Series(ids, copy=False).duplicated().to_numpy())


def _period(reports: list[Report]) -> Period | None:
    periods = [r.period for r in reports if r.period is not None]
    if not periods:
        return None
    return Period(min(p.start for p in periods), max(p.end for p in periods))


def hidden_cost(reports: list[Report]) -> tuple[float | None, float | None]:
    """(share, amount) of cost in `Total: Other search terms`, over files that have it."""
    shown = hidden = 0.0
    seen = False
    for r in reports:
        other = r.file_totals.get("other_search_terms", {}).get("cost")
        listed = r.file_totals.get("search_terms", {}).get("cost")
        if other is None:
            continue
        seen = True
        hidden += other
        shown += listed if listed is not None else float(r.table["cost"].sum())
    if not seen:
        return None, None
    total = shown + hidden
    return (hidden / total if total > 0 else 0.0), hidden


def _currency(reports: list[Report]) -> str | None:
    found = sorted({r.currency for r in reports if r.currency})
    return found[0] if len(found) == 1 else None


def _combined(st_reports: list[Report]) -> tuple[pd.DataFrame, frozenset[str]]:
    """The search-terms reports as one canonical table, and the columns all of them have."""
    if not st_reports:
        return schema.empty_table(), frozenset()
    table = pd.concat([r.table for r in st_reports], ignore_index=True)
    return table, frozenset.intersection(*(r.columns_present for r in st_reports))


def build_context(
    paths: Sequence[Path],
    settings: Settings,
    *,
    on_terms: Callable[[pd.DataFrame], None] | None = None,
) -> AuditContext:
    """Read every input and combine the search-terms reports into one canonical table.

    The REPORT files are read first: `on_terms` gets the canonical table as soon as it is
    complete, before the files given by role (`--keywords`, `--conversions`, ...) are read."""
    notes: list[str] = []
    jobs = _jobs(paths, settings, notes)
    first = sum(role == "report" for _, role in jobs)
    reports = _read(jobs[:first])
    roles = _report_roles(reports, jobs[:first])
    st_reports = search_terms_reports(reports, roles)
    table, present = _combined(st_reports)
    if on_terms is not None:
        on_terms(table)
    reports += _read(jobs[first:], first)
    roles += [role for _, role in jobs[first:]]
    share, _ = hidden_cost(st_reports)
    keywords = _keywords(reports, table)
    return AuditContext(
        table=table,
        columns_present=present,
        keywords=keywords,
        settings=settings,
        period=_period(st_reports or reports),
        currency=_currency(reports),
        hidden_share=share,
        reports=reports,
        roles=roles,
        input_notes=notes,
    )
