"""Readers: every real export format -> one canonical table (`auditor.schema`), along the path
decode -> split -> tabular (strings) -> numbers; detected from the bytes and the header.

Formats are never told from the file name. The readers of other files (conversions, orders,
negative-keyword lists) are plain modules behind one protocol (`Reader`): `looks_like(header)`
and `from_raw(raw, source)`.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Protocol

from auditor.errors import InputError
from auditor.model import Report
from auditor.readers import (
    api_json,
    columns,
    conversions,
    negatives_list,
    orders,
    own,
    performance,
)
from auditor.readers.tabular import RawTable, load_raw

REPORT_SUFFIXES = (".csv", ".tsv", ".txt")
NOT_REGULAR = "not a regular file (a device, FIFO or socket): not a report"


class Reader(Protocol):
    """A reader module of files other than performance reports."""

    def looks_like(self, header: list[str]) -> bool: ...

    def from_raw(self, raw: RawTable, source: int) -> Report: ...


DETECTED: tuple[Reader, ...] = (conversions, orders, negatives_list)
"""Asked, in order, before the performance reader: the first whose `looks_like` says yes reads."""
BY_ROLE: dict[str, Reader] = {
    "conversions": conversions,
    "orders": orders,
    "existing_negatives": negatives_list,
}
"""The reader of a file given with a role (`--conversions`, `--orders`, `--existing-negatives`)."""


def folder_reports(root: Path, notes: list[str] | None = None) -> list[Path]:
    """The report files under `root` (recursively, sorted), without the tool's own outputs
    (findings, negatives, `--out-dir` folders); each one left out gets a note."""
    marked: dict[Path, Path | None] = {}
    skipped_dirs: set[Path] = set()
    found: list[Path] = []
    for p in sorted(root.rglob("*")):
        if p.name.startswith(".") or p.suffix.lower() not in REPORT_SUFFIXES or not p.is_file():
            continue
        if p.parent not in marked:
            marked[p.parent] = own.inside_out_dir(p, root)
        out_dir = marked[p.parent]
        if out_dir is not None:
            if out_dir not in skipped_dirs and notes is not None:
                notes.append(f"skipped {out_dir}: an --out-dir of auditor (its own outputs)")
            skipped_dirs.add(out_dir)
            continue
        kind = own.own_output(p)
        if kind is not None:
            if notes is not None:
                notes.append(f"skipped {p}: {kind} (the tool's own output), not a report")
            continue
        found.append(p)
    return found


def expand_paths(paths: Iterable[Path], notes: list[str] | None = None) -> list[Path]:
    """Files as given; a folder expands to its report files (`folder_reports`)."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = folder_reports(path, notes)
            if not found:
                raise InputError("folder holds no report files (.csv, .tsv, .txt)", path=path)
            out.extend(found)
        elif path.is_file():
            out.append(path)
        elif path.exists():
            raise InputError(NOT_REGULAR, path=path)
        else:
            raise InputError("no such file or folder", path=path)
    return out


def _delegate(role: str, path: Path, source: int) -> Report | None:
    """Read files given with a role another module owns (conversions, orders, negatives)."""
    reader = BY_ROLE.get(role)
    if reader is None:
        return None
    if reader is negatives_list:
        return negatives_list.read_path(path, source)
    return reader.from_raw(load_raw(path, is_header=reader.looks_like), source)


def _detected(raw: RawTable, source: int) -> Report | None:
    """A file of another module's kind, recognised by its header."""
    reader = next((r for r in DETECTED if r.looks_like(raw.header)), None)
    return reader.from_raw(raw, source) if reader is not None else None


def _is_header(cells: list[str]) -> bool:
    return columns.looks_like_header(cells) or any(r.looks_like(cells) for r in DETECTED)


def _select(names: list[str]) -> list[str] | None:
    """Every column for another module's file; only the useful ones for a performance report."""
    if any(r.looks_like(names) for r in DETECTED):
        return None
    return columns.select_columns(names)


def _encode(names: list[str]) -> list[str] | None:
    """Low-cardinality columns to parse dictionary-encoded, for a performance report only."""
    return None if _select(names) is None else columns.encode_columns(names)


def read_report(path: Path, *, source: int = 0, role: str = "report") -> Report:
    """Read one file into a Report; raise InputError if it cannot be used.

    `role` is how the file was given (`report`, `keywords`, `by_action`, `by_day`,
    `conversions`, `orders`, `existing_negatives`): a hint that forces the format where the
    header alone cannot tell (a plain list of negatives has no header). Otherwise the format is
    detected from the bytes and the header: JSON API dumps, conversion exports, shop orders,
    negative-keyword lists, and search-terms / keyword / campaign reports.
    """
    path = Path(path)
    kind = own.own_output(path) if role == "report" else None
    if kind is not None and own.refused_as_report(kind):
        raise InputError(f"this is {kind}, not a report: it is never read back", path=path)
    delegated = _delegate(role, path, source)
    if delegated is not None:
        return delegated
    if api_json.is_json(path):
        try:
            return api_json.read(path, source)
        except (ValueError, RecursionError) as exc:
            reason = str(exc).split(";")[0] if isinstance(exc, ValueError) else "nested too deeply"
            raise InputError(f"not usable JSON: {reason}", path=path) from None
    raw = load_raw(path, is_header=_is_header, select=_select, encode=_encode)
    return _detected(raw, source) or performance.from_raw(raw, source)
