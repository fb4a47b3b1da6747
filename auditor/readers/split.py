"""Decoded text -> lines and cells: the delimiter, the preamble above the header, the header,
the body's extent and the trailer below it (Microsoft's copyright footer), and quotes that
were never closed.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa

from auditor.errors import InputError
from auditor.model import SkippedRow
from auditor.readers.decode import HEAD_BYTES

MAX_HEADER_SEARCH = 60
"""The header must be among the first this many lines."""


TAIL_BYTES = 64 * 1024


COUNT_BLOCK = 4 << 20


DELIMITERS = ("\t", ";", ",")


def head_lines(data: bytes, path: Path) -> list[str]:
    """The first lines of the file, decoded (complete lines only, unless the file is short)."""
    text = data[:HEAD_BYTES].decode("utf-8", errors="replace")
    lines = text.split("\n")
    if len(data) > HEAD_BYTES:
        if len(lines) == 1:
            raise InputError(
                f"line 1 is longer than {HEAD_BYTES // 1024} KiB: not a report", path=path, line=1
            )
        lines = lines[:-1]
    return [ln.rstrip("\r") for ln in lines]


def split_line(line: str, delimiter: str) -> list[str]:
    """Cells of one line (CSV quoting rules), stripped."""
    try:
        row = next(csv.reader([line], delimiter=delimiter), [])
    except csv.Error:
        row = line.split(delimiter)
    return [c.strip() for c in row]


def sniff_delimiter(lines: list[str]) -> str:
    """Tab, semicolon or comma: the one giving most lines with the same (>= 2) cell count."""
    best, best_score = ",", (0, 0)
    sample = [ln for ln in lines[:MAX_HEADER_SEARCH] if ln.strip()]
    for delim in DELIMITERS:
        counts = [len(split_line(ln, delim)) for ln in sample if delim in ln]
        multi = [c for c in counts if c >= 2]
        if not multi:
            continue
        modal = max(set(multi), key=lambda c: (multi.count(c), c))
        score = (multi.count(modal), modal)
        if score > best_score:
            best, best_score = delim, score
    return best


def default_is_header(cells: list[str], following: list[str] | None) -> bool:
    """At least two non-empty cells, and the next line (if any) has as many cells."""
    if sum(1 for c in cells if c) < 2:
        return False
    return following is None or len(following) == len(cells)


def find_header(
    lines: list[str],
    delimiter: str,
    is_header: Callable[[list[str]], bool] | None,
    path: Path,
) -> int:
    """0-based index of the header line among `lines`."""
    window = lines[:MAX_HEADER_SEARCH]
    cells = [split_line(ln, delimiter) if ln.strip() else [] for ln in window]
    if is_header is not None:
        for i, row in enumerate(cells):
            if row and is_header(row):
                return i
    for i, row in enumerate(cells):
        nxt = next((c for c in cells[i + 1 :] if c), None)
        if default_is_header(row, nxt):
            return i
    raise InputError(
        f"no header row found in the first {len(window)} lines: not a report"
        " (expected a header such as 'Search term, Clicks, Impr., Cost')",
        path=path,
    )


@dataclass(frozen=True)
class Body:
    """The data region `data[start:end]`, whose first line is file line `first`."""

    data: bytes
    start: int
    end: int
    first: int

    def count(self, byte: int) -> int:
        """How often `byte` occurs in the region (numpy over 4 MiB blocks: twice as fast
        as bytes.count on a large file)."""
        view = np.frombuffer(
            self.data, dtype=np.uint8, count=self.end - self.start, offset=self.start
        )
        return sum(
            int(np.count_nonzero(view[i : i + COUNT_BLOCK] == byte))
            for i in range(0, len(view), COUNT_BLOCK)
        )

    def line_at(self, offset: int) -> int:
        """File line number of the byte at `offset`."""
        return self.first + self.data.count(b"\n", self.start, offset)

    def lines_at(self, offsets: list[int]) -> list[int]:
        """File line numbers of ascending `offsets`, counted in one pass."""
        out, line, pos = [], self.first, self.start
        for offset in offsets:
            line += self.data.count(b"\n", pos, offset)
            pos = offset
            out.append(line)
        return out

    def lines(self) -> int:
        """Number of lines in the region (a last line without newline counts)."""
        if self.end <= self.start:
            return 0
        return self.count(10) + (0 if self.data[self.end - 1] == 10 else 1)

    def buffer(self) -> pa.Buffer:
        return pa.py_buffer(self.data).slice(self.start, self.end - self.start)


def line_offset(data: bytes, index: int) -> int:
    """Byte offset where 0-based line `index` starts."""
    pos = 0
    for _ in range(index):
        nxt = data.find(b"\n", pos)
        if nxt < 0:
            return len(data)
        pos = nxt + 1
    return pos


def find_trailer(data: bytes, start: int, delimiter: str) -> tuple[int, list[tuple[int, bytes]]]:
    """(end offset of the data, [(offset, line)]): lines after the last data row with at most
    one non-empty cell (a copyright footer, also when Excel padded it with delimiters)."""
    pos = len(data)
    found: list[tuple[int, bytes]] = []
    while pos > start and len(data) - pos < TAIL_BYTES:
        line_start = data.rfind(b"\n", start, max(pos - 1, start)) + 1
        line_start = max(line_start, start)
        raw_line = data[line_start:pos]
        text = raw_line.decode("utf-8", errors="replace").strip()
        if sum(1 for cell in split_line(text, delimiter) if cell) > 1:
            break
        if text:
            found.append((line_start, raw_line))
        pos = line_start
    return pos, found[::-1]


def unquote_line(line: str, delimiter: str) -> str:
    """A preamble or trailer line as text: CSV quotes removed when it is a single cell."""
    cells = [c for c in split_line(line, delimiter) if c]
    return cells[0] if len(cells) == 1 else line.strip()


def _open_quote(body: Body, delimiter: str) -> int | None:
    """The line where a quote opens and is never closed, or None.

    Called when the parse hints at it (the last row spans lines, or pyarrow failed): an odd
    number of quote characters, then Python's strict csv reader finds the line.
    """
    if body.count(34) % 2 == 0:
        return None
    text = body.data[body.start : body.end].decode("utf-8", errors="replace")
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, strict=True)
    last = 0
    try:
        for _ in reader:
            last = reader.line_num
    except csv.Error:
        return body.first + last
    return None


def last_line_quotes_odd(body: Body) -> bool:
    """Whether the region's last line holds an odd number of quotes (one left open, or the
    close of a cell that spans lines: `_open_quote` tells which)."""
    end = body.end
    while end > body.start and body.data[end - 1] in b"\r\n":
        end -= 1
    start = max(body.data.rfind(b"\n", body.start, end) + 1, body.start)
    return body.data.count(b'"', start, end) % 2 == 1


def without_open_quote(
    body: Body, path: Path, delimiter: str
) -> tuple[Body, list[SkippedRow]] | None:
    """A quote left open on the last line (a download cut short): that line is skipped and
    the rest kept. A quote opened earlier would swallow the lines after it: InputError."""
    line = _open_quote(body, delimiter)
    if line is None:
        return None
    last = body.first + body.lines() - 1
    if line != last:
        raise InputError(
            "a quote opens here and is never closed (truncated file?)", path=path, line=line
        )
    cut = line_offset(body.data, line - 1)
    reason = "a quote opens on this last line and is never closed (file cut short?)"
    return Body(body.data, body.start, max(cut, body.start), body.first), [SkippedRow(line, reason)]
