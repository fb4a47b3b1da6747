"""Readers: every real export format -> one canonical table (`auditor.schema`).

Formats are detected from the bytes and the header, never from the file name.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from auditor.errors import InputError
from auditor.model import Report

REPORT_SUFFIXES = (".csv", ".tsv", ".txt")


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


def read_report(path: Path, *, source: int = 0, role: str = "report") -> Report:
    """Read one file into a Report; raise InputError if it cannot be used.

    `role` is how the file was given (`report`, `keywords`, `by_action`, `by_day`,
    `conversions`, `orders`, `existing_negatives`): a hint that forces the format where the
    header alone cannot tell (a plain list of negatives has no header).
    """
    raise InputError("reader not implemented yet", path=path)
