"""The low-level layer every reader uses: bytes -> decoded, delimited table of strings.

The path, one module a step: `decode` (bytes -> UTF-8), `split` (the delimiter, the preamble,
the header, the body and the trailer), this module (parsing the body into a table of strings,
`load_raw`), then `numbers` (the file's number style, figures parsed) for the readers.

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

import csv
import re
import unicodedata
from collections.abc import Callable
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
from auditor.readers.decode import NOT_BLANK, check_html, decode_mixed, decode_to_utf8
from auditor.readers.split import (
    Body,
    find_header,
    find_trailer,
    head_lines,
    last_line_quotes_odd,
    line_offset,
    sniff_delimiter,
    split_line,
    unquote_line,
    without_open_quote,
)
from auditor.schema import STRING_DTYPE

BLOCK_SIZE = 8 << 20
"""pyarrow block size (a row longer than this cannot be parsed at all). Large blocks mean few
chunks per column, which the column screens of the readers iterate over."""
MAX_CELL = 1 << 20
"""A cell longer than this (1 MiB) is not report data: the file is refused."""
DELIMITER_NAMES = {"\t": "tab", ";": "semicolon", ",": "comma"}
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


# --------------------------------------------------------------------------- parsing


@dataclass
class _BadRows:
    """pyarrow's invalid-row handler: remembers the rows whose cell count is wrong."""

    texts: list[str] = field(default_factory=list)

    def __call__(self, row: pa_csv.InvalidRow) -> str:
        self.texts.append(row.text)
        return "skip"


def _parse(
    body: Body, names: list[str], types: dict[str, pa.DataType], delimiter: str, path: Path
) -> tuple[pa.Table, _BadRows, Body, list[SkippedRow]]:
    """Parse the data region; every kept column as strings, rows of the wrong width collected.

    The fast parse assumes no line break inside a quoted cell at a 1 MiB block boundary; a file
    where that parse meets any irregular row or error is parsed again the careful way
    (`newlines_in_values`), so multi-line cells always come out whole. A quote left open on the
    last line skips that line (the region returned ends before it).
    """
    if not NOT_BLANK.search(body.data, body.start, body.end):
        return pa.table({n: pa.array([], t) for n, t in types.items()}), _BadRows(), body, []
    try:
        table, bad = _read_csv(body, names, types, delimiter, careful=False)
        if bad.texts:
            table, bad = _read_csv(body, names, types, delimiter, careful=True)
    except pa.ArrowInvalid:
        try:
            table, bad = _read_csv(body, names, types, delimiter, careful=True)
        except pa.ArrowInvalid as exc:
            cut = without_open_quote(body, path, delimiter)
            if cut is None:
                raise _parse_error(exc, body, path) from None
            table, bad, rest, skipped = _parse(cut[0], names, types, delimiter, path)
            return table, bad, rest, cut[1] + skipped
    if (
        any("\n" in text for text in bad.texts[-1:])
        or _last_row_spans_lines(table)
        or last_line_quotes_odd(body)
    ):
        cut = without_open_quote(body, path, delimiter)
        if cut is not None:
            table, bad, rest, skipped = _parse(cut[0], names, types, delimiter, path)
            return table, bad, rest, cut[1] + skipped
    return table, bad, body, []


def _read_csv(
    body: Body, names: list[str], types: dict[str, pa.DataType], delimiter: str, *, careful: bool
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


def _parse_error(exc: pa.ArrowInvalid, body: Body, path: Path) -> Exception:
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


def _locate(body: Body, texts: list[str]) -> list[int]:
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


def _blank_lines(body: Body) -> list[int]:
    """Line numbers of blank lines inside the data region (pyarrow skips them)."""
    found = _BLANK.finditer(body.data, body.start, body.end)
    return body.lines_at([m.start() for m in found if m.end() > m.start()])


def _line_numbers(table: pa.Table, body: Body, gaps: list[int]) -> np.ndarray:
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
    body: Body,
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
    encoding, data, note = decode_to_utf8(raw, path)
    try:
        table = _load(path, encoding, data, is_header, (select, encode))
    except UnicodeError:
        encoding, data, note = decode_mixed(raw)
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
        lengths = pc.binary_length(_text(arr))
        if (pc.max(lengths).as_py() or 0) <= MAX_CELL:
            continue
        over |= np.asarray(pc.fill_null(lengths, 0).to_numpy(zero_copy_only=False)) > MAX_CELL
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
    lines = head_lines(data, path)
    check_html("\n".join(lines[:40]), path)
    delimiter = sniff_delimiter(lines)
    h = find_header(lines, delimiter, is_header, path)
    header = split_line(lines[h], delimiter)
    names = unique_names(header)
    start = line_offset(data, h + 1)
    end, tail = find_trailer(data, start, delimiter)
    body = Body(data, start, end, h + 2)
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
