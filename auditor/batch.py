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

from auditor.csvio import write_atomic
from auditor.errors import InputError
from auditor.readers import REPORT_SUFFIXES


@dataclass(frozen=True)
class AccountInput:
    name: str
    paths: tuple[Path, ...]


def _report_files(folder: Path) -> list[Path]:
    return sorted(
        p
        for p in folder.iterdir()
        if p.is_file() and p.suffix.lower() in REPORT_SUFFIXES and not p.name.startswith(".")
    )


def group_accounts(paths: Sequence[Path]) -> list[AccountInput]:
    """Split the command line's paths into accounts (see the module docstring)."""
    loose: list[Path] = []
    folders: list[Path] = []
    for path in paths:
        if path.is_dir():
            folders.extend(sorted({p.parent for p in path.rglob("*") if p.is_file()}))
        elif path.is_file():
            loose.append(path)
        else:
            raise InputError("no such file or folder", path=path)
    accounts: list[AccountInput] = []
    if loose:
        accounts.append(AccountInput(loose[0].resolve().parent.name or "account", tuple(loose)))
    for folder in folders:
        files = _report_files(folder)
        if files:
            accounts.append(AccountInput(folder.resolve().name or "account", tuple(files)))
    if not accounts:
        raise InputError("no report files found", path=paths[0] if paths else None)
    return _unique_names(accounts)


def _unique_names(accounts: list[AccountInput]) -> list[AccountInput]:
    seen: Counter[str] = Counter()
    out = []
    for acc in accounts:
        base = re.sub(r"[^\w.-]+", "_", acc.name).strip("._") or "account"
        seen[base] += 1
        name = base if seen[base] == 1 else f"{base}-{seen[base]}"
        out.append(AccountInput(name, acc.paths))
    return out


def write_index(path: Path, rows: list[dict[str, object]], *, force: bool) -> None:
    """`accounts.json`: one object per account with its outputs and headline figures."""
    write_atomic(path, json.dumps(rows, indent=2, ensure_ascii=False) + "\n", force=force)
