"""Batch audits of an agency's folder: one audit per account, files per account.

With `auditor audit ... --out-dir DIR`, every folder that directly holds report files is one
account, named after the folder; files named directly on the command line form one account named
after the folder of the first of them. Each account gets `DIR/<account>/audit.json`,
`findings.csv` and `negatives.csv` (in `--negatives-format`), and `DIR/accounts.json` lists the
accounts with their totals and finding counts.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from auditor.errors import InputError
from auditor.output.csvio import write_atomic
from auditor.readers import NOT_REGULAR, folder_reports
from auditor.readers.own import INDEX_NAME, OUT_DIR_MARKER

BATCH_FILES = ("audit.json", "findings.csv", "negatives.csv")
"""Each account's files in `DIR/<account>/`: audit JSON, findings CSV, negatives."""
RESERVED = frozenset({INDEX_NAME, OUT_DIR_MARKER})
"""Names in DIR an account folder may not take."""


@dataclass(frozen=True)
class AccountInput:
    name: str
    paths: tuple[Path, ...]


def group_accounts(paths: Sequence[Path], notes: list[str] | None = None) -> list[AccountInput]:
    """Split the command line's paths into accounts (see the module docstring); the tool's own
    outputs in the folders are left out (with a note in `notes`)."""
    loose: list[Path] = []
    by_folder: dict[Path, list[Path]] = {}
    for path in paths:
        if path.is_dir():
            for p in folder_reports(path, notes):
                by_folder.setdefault(p.parent, []).append(p)
        elif path.is_file():
            loose.append(path)
        elif path.exists():
            raise InputError(NOT_REGULAR, path=path)
        else:
            raise InputError("no such file or folder", path=path)
    accounts: list[AccountInput] = []
    if loose:
        accounts.append(AccountInput(loose[0].resolve().parent.name or "account", tuple(loose)))
    for folder in by_folder:
        files = sorted(by_folder[folder])
        accounts.append(AccountInput(folder.resolve().name or "account", tuple(files)))
    if not accounts:
        raise InputError("no report files found", path=paths[0] if paths else None)
    return _unique_names(accounts)


def _unique_names(accounts: list[AccountInput]) -> list[AccountInput]:
    seen: Counter[str] = Counter()
    out = []
    for acc in accounts:
        base = re.sub(r"[^\w.-]+", "_", acc.name).strip("._")[:100] or "account"
        base = f"{base}-account" if base in RESERVED else base
        seen[base] += 1
        name = base if seen[base] == 1 else f"{base}-{seen[base]}"
        out.append(AccountInput(name, acc.paths))
    return out


def mark_out_dir(folder: Path) -> None:
    """Mark `folder` as an `--out-dir` (before any account is written), so that no later run
    reads the files in it as reports."""
    marker = folder / OUT_DIR_MARKER
    if not marker.is_file():
        text = "auditor --out-dir: the files here are outputs, not reports\n"
        write_atomic(marker, text, force=True)


def write_index(path: Path, rows: list[dict[str, object]], *, force: bool) -> None:
    """`accounts.json`: one object per account with its outputs and headline figures."""
    write_atomic(path, json.dumps(rows, indent=2, ensure_ascii=False) + "\n", force=force)
