"""The tool's own outputs, recognised so that a later run never reads them as reports.

A findings CSV written beside the reports would be read as a search-terms report (its cost
counted twice), a negatives file as the account's existing negatives, an `--out-dir` folder
inside the input folder as more accounts. Recognised from the first bytes:
- the findings CSV: its exact header (`auditor.output.findings.COLUMNS`);
- negatives files: the Editor header, the Microsoft bulk header with its `Format Version` row,
  the plain list's `# campaign: ...` / `# ad group: ...` / `# shared list: ...` lines;
- the audit JSON (`"tool": {"name": "auditor"`) and the batch index (`[{"account": ...`);
- an `--out-dir` folder: it holds the marker file `OUT_DIR_MARKER` (written when the batch
  starts) or its `accounts.json` index.
In a folder they are skipped with a note; a findings CSV or audit JSON named as a report is
refused. A negatives file named with `--existing-negatives` is read as such (its purpose).
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

OUT_DIR_MARKER = ".auditor-out-dir"
"""Written into an `--out-dir` folder: 'this folder holds auditor's outputs'."""
INDEX_NAME = "accounts.json"
HEAD = 4096
_LIST_LINE = re.compile(r"^# (?:campaign|ad group|shared list): ")
_AUDIT_JSON = re.compile(r'"tool":\s*\{\s*"name":\s*"auditor"')
_INDEX_JSON = re.compile(r'^\s*\[\s*(?:\]|\{\s*"account":)')


def _head(path: Path) -> str:
    try:
        with path.open("rb") as fh:
            data = fh.read(HEAD)
    except OSError:
        return ""
    return data.decode("utf-8-sig", errors="replace")


def _header(text: str) -> tuple[str, ...]:
    first = text.split("\n", 1)[0].rstrip("\r")
    try:
        return tuple(next(csv.reader([first]), []))
    except csv.Error:
        return ()


def own_output(path: Path) -> str | None:
    """What the tool wrote this file as (`a findings CSV`, ...), or None for any other file."""
    from auditor.output.findings import COLUMNS
    from auditor.output.negatives import BULK_HEADER, EDITOR_HEADER

    text = _head(path)
    if "\x00" in text:
        return None
    header = _header(text)
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if header == tuple(COLUMNS):
        return "a findings CSV written by auditor"
    if header == EDITOR_HEADER:
        return "a negatives file (Google Ads Editor) written by auditor"
    if header == BULK_HEADER and len(lines) > 1 and lines[1].startswith("Format Version"):
        return "a negatives file (Microsoft bulk) written by auditor"
    if lines and _LIST_LINE.match(lines[0]):
        return "a negatives list written by auditor"
    if _AUDIT_JSON.search(text):
        return "an audit JSON written by auditor"
    if path.name == INDEX_NAME and _INDEX_JSON.match(text):
        return "an --out-dir index (accounts.json) written by auditor"
    return None


def refused_as_report(kind: str) -> bool:
    """A findings CSV or audit JSON is never a report, even when named on the command line."""
    return kind.startswith(("a findings CSV", "an audit JSON", "an --out-dir index"))


def is_out_dir(folder: Path) -> bool:
    """Whether `folder` is an `--out-dir` of this tool (its marker or its index)."""
    if (folder / OUT_DIR_MARKER).is_file():
        return True
    index = folder / INDEX_NAME
    return index.is_file() and own_output(index) is not None


def inside_out_dir(path: Path, root: Path) -> Path | None:
    """The `--out-dir` folder between `root` (a folder the user gave) and `path`, if any."""
    folder = path.parent
    while True:
        if is_out_dir(folder):
            return folder
        if folder == root or folder == folder.parent:
            return None
        folder = folder.parent
