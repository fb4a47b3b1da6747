"""Excel workbooks (.xlsx): a report download opened and saved in Excel, read as its CSV.

The report sheet is the first sheet whose first `HEAD_ROWS` rows hold a line the caller's
`is_header` accepts (a search-term, keyword or campaign header, or another reader's); its rows
become comma-separated text that the text readers parse like any download: text cells as they
are, numbers in plain digits (`1457.32`, `160`), dates as ISO dates. A workbook without such a
sheet, and a workbook written by the auditor itself (`--xlsx`, a result rather than a
report), are refused with one line naming the file and its sheets.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable, Iterable
from datetime import date, datetime, time
from pathlib import Path

from auditor.errors import InputError

HEAD_ROWS = 40
"""Rows of each sheet searched for the header (title and date lines come first)."""
ENCODING = "xlsx"
"""`RawTable.encoding` of a table read from a workbook."""
_ZIP_MAGIC = b"PK\x03\x04"


def is_workbook(raw: bytes) -> bool:
    """An Office Open XML workbook: a zip archive holding `xl/workbook.xml`."""
    if not raw.startswith(_ZIP_MAGIC):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            return "xl/workbook.xml" in archive.namelist()
    except zipfile.BadZipFile:
        return False


def _text(value: object) -> str:
    """A cell as a download would have written it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


def _rows(values: Iterable[tuple[object, ...]]) -> list[list[str]]:
    """The sheet's cells as text, without the empty rows and columns after the data."""
    rows = [[_text(v) for v in row] for row in values]
    while rows and not any(rows[-1]):
        rows.pop()
    width = max((i + 1 for row in rows for i, v in enumerate(row) if v), default=0)
    return [(row + [""] * width)[:width] for row in rows]


def _is_report(rows: list[list[str]], is_header: Callable[[list[str]], bool] | None) -> bool:
    head = rows[:HEAD_ROWS]
    if is_header is None:
        return sum(len([c for c in row if c]) >= 2 for row in head) >= 2
    return any(is_header([c.strip() for c in row]) for row in head if row)


def workbook_csv(
    raw: bytes, path: Path, is_header: Callable[[list[str]], bool] | None = None
) -> bytes:
    """The report sheet of a workbook as UTF-8 CSV bytes; InputError when there is none."""
    import openpyxl  # only for workbooks: every other audit starts without it

    try:
        book = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise InputError(f"not a readable Excel workbook: {exc}", path=path) from None
    try:
        names = ", ".join(f"'{ws.title}'" for ws in book.worksheets)
        if (book.properties.creator or "").startswith("auditor"):
            raise InputError(
                f"an auditor workbook (sheets {names}) is an audit's result, not a report;"
                " give the report download itself",
                path=path,
            )
        for ws in book.worksheets:
            rows = _rows(ws.iter_rows(values_only=True))
            if _is_report(rows, is_header):
                buffer = io.StringIO()
                csv.writer(buffer, lineterminator="\n").writerows(rows)
                return buffer.getvalue().encode("utf-8")
    finally:
        book.close()
    raise InputError(
        f"workbook holds no report sheet: none of its sheets ({names}) has a search-term,"
        " keyword or campaign header; open the report's sheet or export it as CSV",
        path=path,
    )
