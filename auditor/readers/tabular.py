"""The low-level layer every reader uses: bytes -> decoded, delimited table of strings.

`load_raw` finds the encoding, the delimiter, the preamble (title, date range, Microsoft's
`Report Name:` lines), the header, the data rows (every cell a string, with its 1-based line
number) and the trailer (Microsoft's copyright footer). It parses with `pyarrow.csv` straight
from the bytes, about as fast as pandas' own pyarrow engine.

Decisions:
- Encodings: UTF-8 with or without BOM, UTF-16 LE/BE with BOM (Google's "Excel" download),
  UTF-16 without BOM when the NUL pattern says so, otherwise cp1252 (Excel re-saves on Windows;
  latin-1 when cp1252 cannot decode a byte). Nordic characters come out right in all of them.
  A file that is mostly UTF-8 with a few bad bytes stays UTF-8: each bad byte becomes one
  '\ufffd' and a note names its line (never a cp1252 reread that garbles every letter).
- A data row with fewer cells than the header (seen in a real Google download) is read with the
  missing trailing cells empty; a row with more cells is read when the extra cells are empty and
  skipped (listed with its line) when they hold data.
- A cell longer than 1 MiB (or a row longer than 8 MiB), a quote never closed, NUL bytes,
  HTML and old Excel workbooks (.xls) are unusable files: `InputError` naming the file and
  line. An .xlsx workbook is read from its report sheet (`auditor.readers.workbook`).
- `normalise_name` folds case, spaces, punctuation and accents (`Konv.-värde` -> `konvvarde`,
  `ø` -> `o`, `æ` -> `ae`), so an alias matches whether a re-saved file kept its diacritics or
  lost them; no two aliases in `headers.toml` collide under this fold (a test checks it).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from auditor.errors import InputError
from auditor.model import SkippedRow
from auditor.readers import workbook
from auditor.schema import STRING_DTYPE

HEAD_BYTES = 256 * 1024
"""How much of the file start is decoded to find the delimiter, preamble and header."""
MAX_HEADER_SEARCH = 60
"""The header must be among the first this many lines."""
BLOCK_SIZE = 8 << 20
"""pyarrow block size (a row longer than this cannot be parsed at all). Large blocks mean few
chunks per column, which the column screens of the readers iterate over."""
MAX_CELL = 1 << 20
"""A cell longer than this (1 MiB) is not report data: the file is refused."""
TAIL_BYTES = 64 * 1024
COUNT_BLOCK = 4 << 20
DELIMITERS = ("\t", ";", ",")
DELIMITER_NAMES = {"\t": "tab", ";": "semicolon", ",": "comma"}
MISSING_TOKENS = ("", "--", "-", "\u2013", "\u2014", "n/a", "N/A")
"""Cells that mean 'no value' (Google writes `--` and ` --`), read as NaN, not as bad."""
LINE = "line"


@dataclass
class RawTable:
    """A delimited file split into preamble, header, data rows (strings) and trailer."""

    path: Path
    encoding: str
    delimiter: str
    preamble: list[str]
    """Lines above the header, blank ones left out; a single-cell line without its quotes."""
    header: list[str]
    """Header cells as in the file, stripped."""
    header_line: int
    """1-based line number of the header."""
    rows: pd.DataFrame
    """Every cell a string (missing cells ""), columns = header names made unique (all, or
    those `select` kept), plus the int column `line` (1-based line number in the file).
    Columns named by `encode` hold the same strings dictionary-encoded (`ArrowDtype`);
    `as_text(rows)` turns them into plain strings."""
    trailer: list[tuple[int, str]]
    """Non-blank lines after the data, with their line numbers (e.g. a copyright footer)."""
    skipped: list[SkippedRow] = field(default_factory=list)
    """Rows that could not be split into the header's columns."""
    notes: list[str] = field(default_factory=list)

    @property
    def columns(self) -> list[str]:
        """The unique column names of `rows`, in file order (without `line`)."""
        return [c for c in self.rows.columns if c != LINE]


# --------------------------------------------------------------------------- names


def normalise_name(name: str) -> str:
    """Header matching key: lower case, no accents, no spaces or punctuation.

    `Conv. value` -> `convvalue`, `Konv.värde` -> `konvvarde`, `Kostnad (SEK)` -> `kostnadsek`,
    `metrics.cost_micros` -> `metricscostmicros`. `ø` -> `o`, `æ` -> `ae`, `ß` -> `ss`.
    """
    text = name.strip().casefold().replace("ø", "o").replace("æ", "ae").replace("ß", "ss")
    text = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in text if ch.isalnum() and not unicodedata.combining(ch))


def unique_names(header: list[str]) -> list[str]:
    """Header names made unique (`Cost`, `Cost (2)`); an empty name becomes `column N`."""
    seen: dict[str, int] = {}
    out: list[str] = []
    for i, name in enumerate(header, start=1):
        base = name or f"column {i}"
        seen[base] = seen.get(base, 0) + 1
        out.append(base if seen[base] == 1 else f"{base} ({seen[base]})")
    return out


# --------------------------------------------------------------------------- decoding


_NOT_BLANK = re.compile(rb"[^ \t\r\n\x00\xef\xbb\xbf\xff\xfe]")


def _binary_kind(raw: bytes) -> str | None:
    """A short description if the bytes are a known non-text format."""
    if raw.startswith(b"PK\x03\x04"):
        return "a zip archive or a damaged Excel workbook (.xlsx); export the report as CSV"
    if raw.startswith(b"\xd0\xcf\x11\xe0"):
        return "an old Excel workbook (.xls); export the report as CSV"
    if raw.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8")):
        return "an image, not a report download"
    if raw.startswith(b"%PDF"):
        return "a PDF document, not a report download"
    if raw.startswith((b"\x1f\x8b", b"BZh", b"\xfd7zXZ")):
        return "a compressed file; unpack it first"
    return None


def _utf16_without_bom(raw: bytes) -> str | None:
    """`utf-16-le` / `utf-16-be` when the start looks like BOM-less UTF-16 text."""
    head = raw[:4096]
    if len(head) < 4:
        return None
    odd_nul = head[1::2].count(0) / (len(head) // 2)
    even_nul = head[0::2].count(0) / (len(head) // 2)
    if odd_nul > 0.4 and even_nul < 0.05:
        return "utf-16-le"
    if even_nul > 0.4 and odd_nul < 0.05:
        return "utf-16-be"
    return None


def _decode_to_utf8(raw: bytes, path: Path) -> tuple[str, bytes, str | None]:
    """(encoding name, UTF-8 bytes without BOM, a note on replaced bytes) of a text file;
    InputError if not text. A carriage return inside a line of a file whose lines end in line
    feeds (a stray byte, never a line end there) becomes a space, so a row is never split."""
    encoding, text, note = _decode_any(raw, path)
    if b"\n" in text and b"\r" in text:
        text = _LONE_CR.sub(b" ", text)
    return encoding, text, note


_LONE_CR = re.compile(rb"\r(?!\n)")


def _decode_any(raw: bytes, path: Path) -> tuple[str, bytes, str | None]:
    """`_decode_to_utf8` before the stray carriage returns are taken out."""
    if not _NOT_BLANK.search(raw):
        raise InputError("file is empty", path=path)
    kind = _binary_kind(raw)
    if kind:
        raise InputError(f"binary file: {kind}", path=path)
    for bom, enc in ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if raw.startswith(bom):
            return enc, _transcode(raw[2:], enc, path), None
    if raw.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig", raw[3:], None
    enc16 = _utf16_without_bom(raw)
    if enc16:
        return enc16, _transcode(raw, enc16, path), None
    nul = raw.find(b"\x00")
    if nul >= 0:
        line = raw.count(b"\n", 0, nul) + 1
        raise InputError("binary file: NUL byte in the text, not a report", path=path, line=line)
    if b"\n" not in raw[:HEAD_BYTES] and b"\r" in raw[:HEAD_BYTES]:
        raw = raw.replace(b"\r", b"\n")
    if raw.isascii():
        return "utf-8", raw, None
    head = raw[:HEAD_BYTES]
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:
            return _mixed(raw)
    return "utf-8", raw, None


def _transcode(raw: bytes, encoding: str, path: Path) -> bytes:
    try:
        return raw.decode(encoding).encode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].decode(encoding, errors="replace").count("\n") + 1
        raise InputError(f"not valid {encoding.upper()} text", path=path, line=line) from None


_UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)


def _bad_utf8(raw: bytes) -> tuple[str, list[int]]:
    """(the text with each byte that is not UTF-8 as '\ufffd', the offsets of those bytes),
    in one decoding pass."""
    found: list[int] = []

    def record(exc: UnicodeError) -> tuple[str, int]:
        assert isinstance(exc, UnicodeDecodeError)
        found.extend(range(exc.start, exc.end))
        return "\ufffd" * (exc.end - exc.start), exc.end

    codecs.register_error("auditor-bad-utf8", record)
    return raw.decode("utf-8", errors="auditor-bad-utf8"), found


def _mixed(raw: bytes) -> tuple[str, bytes, str | None]:
    """A file that is not all UTF-8. Mostly UTF-8 (more bytes in valid UTF-8 letters than bad
    bytes): decoded as UTF-8, each bad byte one '\ufffd', and a note naming their lines; a
    re-encoding of the whole file would turn every good letter into mojibake (`FjÃ¤llgear`).
    Otherwise an Excel re-save in cp1252 (no valid UTF-8 letters, or far fewer than bad bytes)."""
    good = sum(len(m) for m in _UTF8_SEQUENCE.findall(raw))
    text, bad = _bad_utf8(raw) if good else ("", [])
    if good and len(bad) <= good:
        lines = sorted({raw.count(b"\n", 0, at) + 1 for at in bad})
        shown = ", ".join(str(n) for n in lines[:5]) + (" ..." if len(lines) > 5 else "")
        note = (
            f"{len(bad)} byte(s) that are not UTF-8 were each replaced by '\ufffd' (first at"
            f" line {lines[0]}; line {shown}); the rest of the file is UTF-8"
        )
        return "utf-8", text.encode("utf-8"), note
    encoding, data = _legacy(raw)
    return encoding, data, None


def _legacy(raw: bytes) -> tuple[str, bytes]:
    """cp1252 (Excel on Windows), or latin-1 when a byte is undefined in cp1252."""
    try:
        return "cp1252", raw.decode("cp1252").encode("utf-8")
    except UnicodeDecodeError:
        return "latin-1", raw.decode("latin-1").encode("utf-8")


def _check_html(head: str, path: Path) -> None:
    start = head.lstrip("\ufeff \t\r\n")[:512].lower()
    if start.startswith(("<!doctype html", "<html", "<?xml", "<head", "<body")) or (
        start.startswith("<") and "<html" in head[:4096].lower()
    ):
        raise InputError(
            "an HTML/XML page saved under a report name (a login or error page?), not a report;"
            " download the report again",
            path=path,
            line=1,
        )


# --------------------------------------------------------------------------- structure


def _head_lines(data: bytes, path: Path) -> list[str]:
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


def _find_header(
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
class _Body:
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


def _line_offset(data: bytes, index: int) -> int:
    """Byte offset where 0-based line `index` starts."""
    pos = 0
    for _ in range(index):
        nxt = data.find(b"\n", pos)
        if nxt < 0:
            return len(data)
        pos = nxt + 1
    return pos


def _trailer(data: bytes, start: int, delimiter: str) -> tuple[int, list[tuple[int, bytes]]]:
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


def _open_quote(body: _Body, delimiter: str) -> int | None:
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


def _last_line_quotes_odd(body: _Body) -> bool:
    """Whether the region's last line holds an odd number of quotes (one left open, or the
    close of a cell that spans lines: `_open_quote` tells which)."""
    end = body.end
    while end > body.start and body.data[end - 1] in b"\r\n":
        end -= 1
    start = max(body.data.rfind(b"\n", body.start, end) + 1, body.start)
    return body.data.count(b'"', start, end) % 2 == 1


def _without_open_quote(
    body: _Body, path: Path, delimiter: str
) -> tuple[_Body, list[SkippedRow]] | None:
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
    cut = _line_offset(body.data, line - 1)
    reason = "a quote opens on this last line and is never closed (file cut short?)"
    return _Body(body.data, body.start, max(cut, body.start), body.first), [
        SkippedRow(line, reason)
    ]


# --------------------------------------------------------------------------- parsing


@dataclass
class _BadRows:
    """pyarrow's invalid-row handler: remembers the rows whose cell count is wrong."""

    texts: list[str] = field(default_factory=list)

    def __call__(self, row: pa_csv.InvalidRow) -> str:
        self.texts.append(row.text)
        return "skip"


def _parse(
    body: _Body, names: list[str], types: dict[str, pa.DataType], delimiter: str, path: Path
) -> tuple[pa.Table, _BadRows, _Body, list[SkippedRow]]:
    """Parse the data region; every kept column as strings, rows of the wrong width collected.

    The fast parse assumes no line break inside a quoted cell at a 1 MiB block boundary; a file
    where that parse meets any irregular row or error is parsed again the careful way
    (`newlines_in_values`), so multi-line cells always come out whole. A quote left open on the
    last line skips that line (the region returned ends before it).
    """
    if not _NOT_BLANK.search(body.data, body.start, body.end):
        return pa.table({n: pa.array([], t) for n, t in types.items()}), _BadRows(), body, []
    try:
        table, bad = _read_csv(body, names, types, delimiter, careful=False)
        if bad.texts:
            table, bad = _read_csv(body, names, types, delimiter, careful=True)
    except pa.ArrowInvalid:
        try:
            table, bad = _read_csv(body, names, types, delimiter, careful=True)
        except pa.ArrowInvalid as exc:
            cut = _without_open_quote(body, path, delimiter)
            if cut is None:
                raise _parse_error(exc, body, path) from None
            table, bad, rest, skipped = _parse(cut[0], names, types, delimiter, path)
            return table, bad, rest, cut[1] + skipped
    if (
        any("\n" in text for text in bad.texts[-1:])
        or _last_row_spans_lines(table)
        or _last_line_quotes_odd(body)
    ):
        cut = _without_open_quote(body, path, delimiter)
        if cut is not None:
            table, bad, rest, skipped = _parse(cut[0], names, types, delimiter, path)
            return table, bad, rest, cut[1] + skipped
    return table, bad, body, []


def _read_csv(
    body: _Body, names: list[str], types: dict[str, pa.DataType], delimiter: str, *, careful: bool
) -> tuple[pa.Table, _BadRows]:
    bad = _BadRows()
    table = pa_csv.read_csv(
        pa.BufferReader(body.buffer()),
        read_options=pa_csv.ReadOptions(column_names=names, block_size=BLOCK_SIZE),
        parse_options=pa_csv.ParseOptions(
            delimiter=delimiter,
            newlines_in_values=careful,
            ignore_empty_lines=True,
            invalid_row_handler=bad,
        ),
        convert_options=pa_csv.ConvertOptions(
            column_types=types,
            include_columns=list(types),
            null_values=[],
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )
    return table, bad


def _last_row_spans_lines(table: pa.Table) -> bool:
    """A quote left open swallows the rest of the file into the last row's cells."""
    if not table.num_rows:
        return False
    last = table.slice(table.num_rows - 1)
    return any(pc.any(pc.match_substring(_text(col), "\n")).as_py() for col in last.columns)


def _text(col: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """A column as plain strings (dictionary-encoded ones decoded)."""
    return pc.cast(col, pa.large_string()) if pa.types.is_dictionary(col.type) else col


def _parse_error(exc: pa.ArrowInvalid, body: _Body, path: Path) -> Exception:
    text = str(exc)
    if "straddling" in text or "block" in text:
        size = body.end - body.start
        arr = np.frombuffer(body.data, dtype=np.uint8, count=size, offset=body.start)
        ends = np.flatnonzero(arr == 10)
        starts = np.concatenate(([0], ends + 1))
        lengths = np.concatenate((ends, [len(arr)])) - starts
        worst = int(np.argmax(lengths))
        return InputError(
            f"line is {int(lengths[worst]):,} bytes long, over the {BLOCK_SIZE >> 20} MiB a"
            " row can have: not a report row",
            path=path,
            line=body.first + worst,
        )
    if "utf8" in text.lower():
        return UnicodeError(text)
    return InputError(f"cannot parse as CSV: {text.splitlines()[0]}", path=path)


def _locate(body: _Body, texts: list[str]) -> list[int]:
    """Line numbers of the given row texts (searched onwards, then from the start, since
    parallel parsing may report blocks out of order)."""
    offsets, pos = [], body.start
    for text in texts:
        needle = text.rstrip("\r\n").encode("utf-8")
        at = body.data.find(needle, pos, body.end)
        if at < 0:
            at = max(body.data.find(needle, body.start, body.end), body.start)
        offsets.append(at)
        pos = at + 1
    order = sorted(range(len(offsets)), key=offsets.__getitem__)
    lines = body.lines_at([offsets[i] for i in order])
    out = [0] * len(offsets)
    for i, line in zip(order, lines, strict=True):
        out[i] = line
    return out


_BLANK = re.compile(rb"(?m)^[ \t\r]*$\n?")


def _blank_lines(body: _Body) -> list[int]:
    """Line numbers of blank lines inside the data region (pyarrow skips them)."""
    found = _BLANK.finditer(body.data, body.start, body.end)
    return body.lines_at([m.start() for m in found if m.end() > m.start()])


def _line_numbers(table: pa.Table, body: _Body, gaps: list[int]) -> np.ndarray:
    """1-based file line of each parsed row, skipping `gaps` (lines that gave no row)."""
    n = table.num_rows
    base = body.first + np.arange(n, dtype=np.int64)
    if body.lines() > n + len(gaps):
        embedded = np.zeros(n, dtype=np.int64)
        for col in table.columns:
            embedded += pc.count_substring(_text(col), "\n").to_numpy(zero_copy_only=False)
        base = base + np.concatenate(([0], np.cumsum(embedded)[:-1])) if n else base
        gaps = sorted(set(gaps) | set(_blank_lines(body)))
    if not gaps:
        return base
    shifted = np.asarray(gaps, dtype=np.int64) - np.arange(len(gaps), dtype=np.int64)
    return base + np.searchsorted(shifted, base, side="right")


def _repair(
    texts: list[str], lines: list[int], width: int, delimiter: str
) -> tuple[list[list[str]], list[int], list[SkippedRow]]:
    """Short rows padded with empty cells; long rows kept when the extra cells are empty."""
    keep: list[list[str]] = []
    keep_lines: list[int] = []
    skipped: list[SkippedRow] = []
    for text, line in zip(texts, lines, strict=True):
        if len(text) > MAX_CELL:
            skipped.append(SkippedRow(line, _too_long(len(text))))
            continue
        cells = next(csv.reader([text.rstrip("\r\n")], delimiter=delimiter), [])
        if len(cells) > width and any(c.strip() for c in cells[width:]):
            reason = f"row has {len(cells)} cells, the header {width}: columns would shift"
            skipped.append(SkippedRow(line, reason))
            continue
        keep.append((cells + [""] * width)[:width])
        keep_lines.append(line)
    return keep, keep_lines, skipped


def _to_frame(table: pa.Table, lines: np.ndarray) -> pd.DataFrame:
    data = {
        name: pd.Series(_pandas_array(col), copy=False)
        for name, col in zip(table.column_names, table.columns, strict=True)
    }
    frame = pd.DataFrame(data)
    frame[LINE] = lines
    return frame


def _pandas_array(col: pa.ChunkedArray) -> pd.api.extensions.ExtensionArray:
    if pa.types.is_dictionary(col.type):
        return pd.arrays.ArrowExtensionArray(col)
    return pd.arrays.ArrowStringArray(col)


def as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with dictionary-encoded columns (see `load_raw(encode=...)`) as plain strings."""
    out = frame.copy()
    for name in out.columns:
        if name != LINE and pa.types.is_dictionary(out[name].array.__arrow_array__().type):
            arr = _text(out[name].array.__arrow_array__())
            out[name] = pd.Series(pd.arrays.ArrowStringArray(arr), index=out.index)
    return out


def _frame(
    table: pa.Table,
    body: _Body,
    bad: _BadRows,
    names: list[str],
    keep: list[str],
    delimiter: str,
) -> tuple[pd.DataFrame, list[SkippedRow], list[str]]:
    bad_lines = _locate(body, bad.texts) if bad.texts else []
    frame = _to_frame(table, _line_numbers(table, body, bad_lines))
    if not bad.texts:
        return frame, [], []
    repaired, keep_lines, skipped = _repair(bad.texts, bad_lines, len(names), delimiter)
    notes = []
    if repaired:
        extra = pd.DataFrame(repaired, columns=names)[keep].astype(STRING_DTYPE)
        extra[LINE] = np.asarray(keep_lines, dtype=np.int64)
        frame = pd.concat([as_text(frame), extra], ignore_index=True)
        frame = frame.sort_values(LINE, kind="stable", ignore_index=True)
        shown = ", ".join(str(n) for n in keep_lines[:5])
        more = f" and {len(keep_lines) - 5} more" if len(keep_lines) > 5 else ""
        notes.append(
            f"{len(keep_lines)} row(s) did not have as many cells as the header (line {shown}"
            f"{more}); missing cells were read as empty"
        )
    return frame, skipped, notes


Selector = Callable[[list[str]], list[str] | None]
"""Given the header (unique names), the columns worth converting; None for all."""
CODES = pa.dictionary(pa.int32(), pa.large_string())
"""Arrow type of the columns `encode` names: each distinct cell stored once."""


def load_raw(
    path: Path,
    is_header: Callable[[list[str]], bool] | None = None,
    select: Selector | None = None,
    encode: Selector | None = None,
) -> RawTable:
    """Read a delimited text report into a RawTable; InputError if it cannot be used.

    `is_header(cells)` picks the header line (the first line it accepts); without it, or
    when it accepts none, the first line with two or more non-empty cells whose next line has
    as many cells is the header. `select(names)` may name the only columns to materialise in
    `rows` (a reader that ignores CTR or Avg. CPC saves their conversion); `header` stays whole.
    `encode(names)` may name low-cardinality columns (match type, status, currency) to parse
    dictionary-encoded (arrow type `CODES`, pandas `ArrowDtype`) instead of as strings: a
    reader that maps them per distinct value then never handles a million separate cells.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", path=path) from None
    if workbook.is_workbook(raw):
        data = workbook.workbook_csv(raw, path, is_header)
        return _load(path, workbook.ENCODING, data, is_header, (select, encode))
    encoding, data, note = _decode_to_utf8(raw, path)
    try:
        table = _load(path, encoding, data, is_header, (select, encode))
    except UnicodeError:
        encoding, data, note = _mixed(raw)
        table = _load(path, encoding, data, is_header, (select, encode))
    table.notes[:0] = [note] if note else []
    return table


def _longest_value(arr: pa.ChunkedArray) -> int:
    """Longest distinct value of a dictionary-encoded column, in bytes."""
    longest = [pc.max(pc.binary_length(c.dictionary)).as_py() for c in arr.chunks]
    return max((n for n in longest if n is not None), default=0)


def _too_long(size: int) -> str:
    return f"a line of {size:,} bytes, over the {MAX_CELL >> 20} MiB a report row can have"


def _oversized(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[SkippedRow]]:
    """Rows with a cell over MAX_CELL bytes (a 5 MB 'search term' is not a report row) left
    out and listed as skipped."""
    over = np.zeros(len(frame), dtype=bool)
    for name in frame.columns:
        if name == LINE:
            continue
        arr = frame[name].array.__arrow_array__()
        if pa.types.is_dictionary(arr.type) and _longest_value(arr) <= MAX_CELL:
            continue
        lengths = pc.fill_null(pc.binary_length(_text(arr)), 0)
        over |= np.asarray(lengths.to_numpy(zero_copy_only=False)) > MAX_CELL
    if not over.any():
        return frame, []
    skipped = [
        SkippedRow(int(line), "a cell over the 1 MiB a report cell can have: not a report row")
        for line in frame.loc[over, LINE].tolist()
    ]
    return frame.loc[~over].reset_index(drop=True), skipped


def _load(
    path: Path,
    encoding: str,
    data: bytes,
    is_header: Callable[[list[str]], bool] | None,
    plan: tuple[Selector | None, Selector | None],
) -> RawTable:
    lines = _head_lines(data, path)
    _check_html("\n".join(lines[:40]), path)
    delimiter = sniff_delimiter(lines)
    h = _find_header(lines, delimiter, is_header, path)
    header = split_line(lines[h], delimiter)
    names = unique_names(header)
    start = _line_offset(data, h + 1)
    end, tail = _trailer(data, start, delimiter)
    body = _Body(data, start, end, h + 2)
    select, encode = plan
    keep = (select(names) if select else None) or names
    codes = set(encode(keep) or []) if encode else set()
    types = {n: CODES if n in codes else pa.large_string() for n in keep}
    table, bad, body, cut = _parse(body, names, types, delimiter, path)
    frame, skipped, notes = _frame(table, body, bad, names, keep, delimiter)
    skipped += cut
    frame, oversized = _oversized(frame)
    skipped += oversized
    trailer = [
        (body.line_at(off), unquote_line(line.decode("utf-8", errors="replace"), delimiter))
        for off, line in tail
    ]
    return RawTable(
        path=path,
        encoding=encoding,
        delimiter=delimiter,
        preamble=[unquote_line(ln, delimiter) for ln in lines[:h] if ln.strip()],
        header=header,
        header_line=h + 1,
        rows=frame,
        trailer=trailer,
        skipped=skipped,
        notes=notes,
    )


# --------------------------------------------------------------------------- numbers


@dataclass(frozen=True)
class NumberStyle:
    """How a file writes numbers: decimal mark and (main) thousands mark."""

    decimal: str = "."
    thousands: str = ","

    @property
    def strip_chars(self) -> str:
        """Every character removed as a thousands separator under this style."""
        marks = {",", ".", " ", "\u00a0", "\u202f", "'"} - {self.decimal}
        return "".join(sorted(marks))


ENGLISH = NumberStyle(".", ",")
_DOT_DECIMAL = r"\d\.\d{1,2}%?$|\d\.\d{4,}%?$|\d,\d{3}\.\d"
_COMMA_DECIMAL = r"\d,\d{1,2}\s?%?$|\d,\d{4,}\s?%?$|\d[.\s" + "\u00a0\u202f" + r"]\d{3},\d"


def detect_number_style(columns: Iterable[pd.Series]) -> NumberStyle:
    """The number style of a file, from its numeric-looking cells (money, ratios, counts).

    Evidence for a decimal comma: `12,50`, `4,76 %`, `1.234,5`, `1 234,56`; for a decimal dot:
    `12.50`, `4.76%`, `1,234.5`. Three digits after the only mark (`1,234`) prove nothing.
    The thousands mark reported is the one seen most (comma, dot, space or no-break space).
    """
    dot = comma = 0
    thousands_seen: dict[str, int] = {}
    for col in columns:
        arr = _arrow(col)
        dot += int(pc.sum(pc.match_substring_regex(arr, _DOT_DECIMAL)).as_py() or 0)
        comma += int(pc.sum(pc.match_substring_regex(arr, _COMMA_DECIMAL)).as_py() or 0)
        for mark in (",", ".", " ", "\u00a0", "\u202f"):
            pattern = r"\d[" + mark + r"]\d{3}(\D|$)"
            hits = int(pc.sum(pc.match_substring_regex(arr, pattern)).as_py() or 0)
            thousands_seen[mark] = thousands_seen.get(mark, 0) + hits
    decimal = "," if comma > dot else "."
    candidates = {m: n for m, n in thousands_seen.items() if m != decimal and n > 0}
    default = "," if decimal == "." else "\u00a0"
    thousands = max(candidates, key=lambda m: candidates[m]) if candidates else default
    return NumberStyle(decimal, thousands)


def _arrow(values: pd.Series) -> pa.Array | pa.ChunkedArray:
    """The column as an arrow string array (zero-copy for arrow-backed strings)."""
    arr = values.array
    if hasattr(arr, "__arrow_array__"):
        out = arr.__arrow_array__()
    else:
        out = pa.array(values.astype(STRING_DTYPE).array)
    if not pa.types.is_string(out.type) and not pa.types.is_large_string(out.type):
        out = pc.cast(out, pa.large_string())
    return out


_CURRENCY = r"^(?:[$€£¥₹]|kr\.?|[A-Z]{3})\s*|\s*(?:[$€£¥₹]|kr\.?|:-|[A-Z]{3})$"
_GROUP = "[ \u00a0\u202f]"
"""Spaces a thousands group may be separated by in any style."""
_EXPONENT = r"([eE][+-]?\d+)?"
_FITS = {
    ".": rf"^[+-]?(\d+\.?\d*|\.\d+){_EXPONENT}$"
    rf"|^[+-]?\d{{1,3}}((,\d{{3}})+|({_GROUP}\d{{3}})+)(\.\d+)?$",
    ",": rf"^[+-]?(\d+(,\d*)?|,\d+){_EXPONENT}$"
    rf"|^[+-]?\d{{1,3}}((\.\d{{3}})+|({_GROUP}\d{{3}})+|('\d{{3}})+)(,\d+)?$",
}
"""A number written in the style of its file: digits, the decimal mark, thousands groups of
three. `1 234,56` or `1.234,56` in a decimal-dot file (or `1,234.56` in a decimal-comma file)
does not fit: its value would be a guess (123456? 1.23456?), so the cell is refused."""
_PLAIN = {".": r"^-?\d+(\.\d+)?$", ",": r"^-?\d+(,\d+)?$"}
"""The common case, checked first (twice as fast as `_FITS`): digits and a decimal mark."""
MAX_FIGURE = 1e15
"""Larger cells are not report figures (and would overflow sums to infinity)."""
MONEY = ("cost", "conversion_value", "cost_micros", "cost_converted", "conversion_value_converted")
WHOLE = ("clicks", "impressions")
NON_NEGATIVE = ("cost", "clicks", "impressions", "cost_micros", "cost_converted")


def parse_numbers(values: pd.Series, style: NumberStyle) -> tuple[pd.Series, pd.Series]:
    """(float64 values, bool mask of cells present but not a number), vectorised.

    Missing (NaN, not bad): empty, `--`, ` --`, `-`, `n/a`. Understood: thousands marks of the
    style (groups of three, or spaces and no-break spaces), the decimal mark, a trailing `%`
    (value / 100), a currency symbol or code before or after, the Unicode minus sign. Bad: text,
    a number that does not fit the style (`_FITS`), NaN, infinity and magnitudes over
    `MAX_FIGURE`; `bad_number_reason` says which.
    """
    raw = _arrow(values)
    # Google's money and count columns hold plain numbers and no blanks: one cast does it.
    out = _try_cast(raw) if style.decimal == "." else None
    if out is None:
        out = _fitting_numbers(raw, style)
    if out is not None:
        bad = pc.fill_null(pc.invert(_finite(out)), False)
    else:
        arr = pc.utf8_trim_whitespace(raw)
        missing = pc.fill_null(pc.is_in(arr, value_set=pa.array(MISSING_TOKENS)), True)
        present = pc.if_else(missing, pa.scalar(None, arr.type), arr)
        out = _fitting_numbers(present, style)
        if out is not None:
            bad = pc.fill_null(pc.invert(_finite(out)), False)
        else:
            out, bad = _clean_numbers(present, style)
    index = values.index
    floats = pd.Series(_np(out, np.nan, np.float64), index=index, dtype="float64")
    garbage = pd.Series(_np(bad, False, np.bool_), index=index, dtype="bool")
    floats[garbage.to_numpy()] = np.nan
    return floats, garbage


def _finite(arr: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """Whether each value is a finite number within `MAX_FIGURE` (null stays null)."""
    return pc.less_equal(pc.abs(arr), MAX_FIGURE)


def _try_cast(arr: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray | None:
    """float64 when every present cell is a plain number, else None."""
    try:
        return pc.cast(arr, pa.float64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None


def _fitting_numbers(
    arr: pa.Array | pa.ChunkedArray, style: NumberStyle
) -> pa.Array | pa.ChunkedArray | None:
    """float64 when every present cell is a bare number in the style (no %, no currency)."""
    if pc.all(pc.match_substring_regex(arr, _PLAIN[style.decimal])).as_py():
        text = arr
    elif pc.all(pc.match_substring_regex(arr, _FITS[style.decimal])).as_py():
        text = pc.replace_substring_regex(arr, "[" + style.strip_chars + "]", "")
    else:
        return None
    if style.decimal != ".":
        text = pc.replace_substring(text, style.decimal, ".")
    return _try_cast(text)


def _np(arr: pa.Array | pa.ChunkedArray, fill: object, dtype: type) -> np.ndarray:
    filled = pc.fill_null(arr, fill)
    return np.asarray(filled.to_numpy(zero_copy_only=False), dtype=dtype)


def _core(arr: pa.Array | pa.ChunkedArray) -> tuple[pa.Array | pa.ChunkedArray, pa.Array]:
    """(the number part of each cell: Unicode minus as `-`, no currency, no `%`; `%` mask)."""
    text = pc.replace_substring(arr, "\u2212", "-")
    text = pc.utf8_trim_whitespace(pc.replace_substring_regex(text, _CURRENCY, ""))
    percent = pc.fill_null(pc.ends_with(text, "%"), False)
    text = pc.utf8_trim_whitespace(pc.replace_substring_regex(text, r"\s*%$", ""))
    return text, percent


def _clean_numbers(
    arr: pa.Array | pa.ChunkedArray, style: NumberStyle
) -> tuple[pa.Array | pa.ChunkedArray, pa.Array | pa.ChunkedArray]:
    """The slow path: cells that fit the style lose their marks, % and currency; the rest,
    and non-finite values, are reported bad."""
    text, percent = _core(arr)
    ok = pc.fill_null(pc.match_substring_regex(text, _FITS[style.decimal]), False)
    text = pc.replace_substring_regex(text, "[" + style.strip_chars + "]", "")
    if style.decimal != ".":
        text = pc.replace_substring(text, style.decimal, ".")
    numbers = pc.cast(pc.if_else(ok, text, pa.scalar(None, text.type)), pa.float64())
    numbers = pc.if_else(percent, pc.divide(numbers, 100.0), numbers)
    finite = pc.fill_null(_finite(numbers), False)
    bad = pc.and_(pc.invert(pc.and_(ok, finite)), pc.is_valid(arr))
    return numbers, bad


def bad_number_reason(text: str, style: NumberStyle, metric: str | None = None) -> str:
    """Why one cell was refused, in words (for the skipped-row list)."""
    cell = text.strip()
    core = pd.Series([cell], dtype=STRING_DTYPE)
    number, percent = _core(_arrow(core))
    part = str(number[0])
    if re.fullmatch(r"[+-]?(inf(inity)?|nan)", part, flags=re.IGNORECASE):
        return f"{cell!r} is not a finite number"
    other = "," if style.decimal == "." else "."
    if not re.fullmatch(_FITS[style.decimal], part) and re.fullmatch(_FITS[other], part):
        mark = "dot" if style.decimal == "." else "comma"
        return f"{cell!r} does not fit this file's numbers (decimal {mark}): its value is unclear"
    if not re.fullmatch(_FITS[style.decimal], part):
        return f"{cell!r} is not a number"
    value = parse_numbers(core, style)[0].iloc[0]
    if not np.isfinite(value) or abs(value) > MAX_FIGURE:
        return f"{cell!r} is too large to be a report figure"
    if metric in MONEY and bool(percent[0].as_py()):
        return f"{cell!r} is a percentage, not an amount of money"
    if metric in NON_NEGATIVE and value < 0:
        return f"{cell!r}: {metric.replace('_', ' ')} cannot be negative"
    if metric in WHOLE and value != int(value):
        return f"{cell!r}: {metric} are whole numbers"
    return f"{cell!r} is not a number"


def metric_problems(metric: str, values: pd.Series, cells: pd.Series) -> np.ndarray:
    """Cells that parse but no report writes in this metric column: negative cost, clicks or
    impressions, fractional clicks or impressions, a percentage of money."""
    v = values.to_numpy(dtype=np.float64)
    bad = np.zeros(len(v), dtype=bool)
    with np.errstate(invalid="ignore"):
        if metric in NON_NEGATIVE:
            bad |= v < 0
        if metric in WHOLE:
            bad |= np.isfinite(v) & (v != np.floor(v))
    if metric in MONEY:
        percent = pc.match_substring(_arrow(cells), "%")
        bad |= _np(percent, False, np.bool_)
    return bad
