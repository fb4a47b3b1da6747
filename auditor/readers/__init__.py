"""Readers: every real export format -> one canonical table (`auditor.schema`).

Formats are detected from the bytes and the header, never from the file name.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from pathlib import Path
from types import ModuleType

from auditor.errors import InputError
from auditor.model import Report
from auditor.readers import api_json, performance
from auditor.readers.tabular import RawTable, load_raw

REPORT_SUFFIXES = (".csv", ".tsv", ".txt")
_ROLE_MODULES = {
    "conversions": "conversions",
    "orders": "orders",
    "existing_negatives": "negatives_list",
}
_DETECTED = ("conversions", "orders", "negatives_list")
"""Other areas' modules whose `looks_like(header)` is asked before the performance reader."""


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Files as given; a folder expands to its report files (recursively, sorted)."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(
                p
                for p in path.rglob("*")
                if p.is_file()
                and p.suffix.lower() in REPORT_SUFFIXES
                and not p.name.startswith(".")
            )
            if not found:
                raise InputError("folder holds no report files (.csv, .tsv, .txt)", path=path)
            out.extend(found)
        elif path.is_file():
            out.append(path)
        else:
            raise InputError("no such file or folder", path=path)
    return out


def _optional(name: str) -> ModuleType | None:
    """Another area's reader module, or None while it does not exist yet."""
    try:
        return importlib.import_module(f"auditor.readers.{name}")
    except ImportError:
        return None


def _delegate(role: str, path: Path, source: int) -> Report | None:
    """Read files given with a role another module owns (conversions, orders, negatives)."""
    name = _ROLE_MODULES.get(role)
    if name is None:
        return None
    module = _optional(name)
    if module is None:
        what = role.replace("_", " ")
        raise InputError(f"{what} files cannot be read by this version", path=path)
    if role == "existing_negatives" and hasattr(module, "read_path"):
        return module.read_path(path, source)
    raw = load_raw(path, is_header=getattr(module, "looks_like", None))
    return module.from_raw(raw, source)


def _detected(raw: RawTable, source: int) -> Report | None:
    """A file of another module's kind, recognised by its header."""
    for name in _DETECTED:
        module = _optional(name)
        if module is not None and module.looks_like(raw.header):
            return module.from_raw(raw, source)
    return None


def _is_header(cells: list[str]) -> bool:
    if performance.looks_like_header(cells):
        return True
    modules = (_optional(n) for n in _DETECTED)
    return any(m is not None and m.looks_like(cells) for m in modules)


def _select(names: list[str]) -> list[str] | None:
    """Every column for another module's file; only the useful ones for a performance report."""
    modules = (_optional(n) for n in _DETECTED)
    if any(m is not None and m.looks_like(names) for m in modules):
        return None
    return performance.select_columns(names)


def _encode(names: list[str]) -> list[str] | None:
    """Low-cardinality columns to parse dictionary-encoded, for a performance report only."""
    return None if _select(names) is None else performance.encode_columns(names)


def read_report(path: Path, *, source: int = 0, role: str = "report") -> Report:
    """Read one file into a Report; raise InputError if it cannot be used.

    `role` is how the file was given (`report`, `keywords`, `by_action`, `by_day`,
    `conversions`, `orders`, `existing_negatives`): a hint that forces the format where the
    header alone cannot tell (a plain list of negatives has no header). Otherwise the format is
    detected from the bytes and the header: JSON API dumps, conversion exports, shop orders,
    negative-keyword lists, and search-terms / keyword / campaign reports.
    """
    path = Path(path)
    delegated = _delegate(role, path, source)
    if delegated is not None:
        return delegated
    if api_json.is_json(path):
        return api_json.read(path, source)
    raw = load_raw(path, is_header=_is_header, select=_select, encode=_encode)
    return _detected(raw, source) or performance.from_raw(raw, source)
