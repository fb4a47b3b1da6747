"""Google Ads API rows dumped as JSON or JSON Lines, flattened into the performance reader.

Accepted: the REST `searchStream` answer (a list of batches with `results`), the `search`
answer (an object with `results`), a plain list of row objects, and JSON Lines (one row object,
or one batch, a line). Nested fields flatten to dotted names (`metrics.costMicros`), which the
alias table matches like the GAQL names (`metrics.cost_micros`): case and punctuation are
ignored. The `line` of a row is its line in a JSON Lines file, else its 1-based position
among the rows.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from auditor.errors import InputError
from auditor.model import Report
from auditor.readers import performance
from auditor.readers.tabular import LINE, RawTable, unique_names
from auditor.schema import STRING_DTYPE


def is_json(path: Path) -> bool:
    """True when the file starts (after a BOM and blanks) with `[` or `{`."""
    try:
        with path.open("rb") as fh:
            head = fh.read(256)
    except OSError:
        return False
    return head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith((b"[", b"{"))


def _rows_of(item: Any) -> list[dict[str, Any]]:
    """Row objects of one parsed JSON value (a batch, an answer, a row or a list of them)."""
    if isinstance(item, list):
        return [row for part in item for row in _rows_of(part)]
    if isinstance(item, dict):
        if isinstance(item.get("results"), list):
            return [r for r in item["results"] if isinstance(r, dict)]
        if "fieldMask" in item or "requestId" in item:
            return []
        return [item]
    return []


def _load(path: Path) -> tuple[list[dict[str, Any]], list[int]]:
    """(rows, line of each row)."""
    text = path.read_text(encoding="utf-8-sig")
    try:
        rows = _rows_of(json.loads(text))
        return rows, list(range(1, len(rows) + 1))
    except json.JSONDecodeError as whole_error:
        rows, lines = [], []
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                found = _rows_of(json.loads(line))
            except json.JSONDecodeError as exc:
                if number == 1:
                    raise InputError(
                        f"not valid JSON: {whole_error.msg}", path=path, line=whole_error.lineno
                    ) from None
                raise InputError(f"not valid JSON: {exc.msg}", path=path, line=number) from None
            rows.extend(found)
            lines.extend([number] * len(found))
        return rows, lines


def read(path: Path, source: int = 0) -> Report:
    """A JSON / JSON Lines API dump as a Report (through the performance reader)."""
    try:
        rows, lines = _load(path)
    except UnicodeDecodeError:
        raise InputError("JSON file is not UTF-8 text", path=path) from None
    if not rows:
        raise InputError("JSON file holds no API rows (no 'results')", path=path)
    flat = pd.json_normalize(rows, sep=".")
    names = unique_names([str(c) for c in flat.columns])
    cells = flat.astype(object).where(flat.notna(), "").astype(str)
    cells.columns = names
    frame = cells.astype(STRING_DTYPE)
    frame[LINE] = np.asarray(lines, dtype=np.int64)
    raw = RawTable(
        path=path,
        encoding="utf-8",
        delimiter="",
        preamble=[],
        header=names,
        header_line=1,
        rows=frame,
        trailer=[],
    )
    report = performance.from_raw(raw, source)
    report.format = "google_ads_api_json"
    return report
