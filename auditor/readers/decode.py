"""Bytes -> UTF-8 text: the file's encoding found and every other encoding transcoded.

UTF-8 with or without BOM, UTF-16 LE/BE with BOM (Google's "Excel" download), UTF-16 without BOM
when the NUL pattern says so, otherwise cp1252 (latin-1 when cp1252 cannot decode a byte). A file
that is mostly UTF-8 with a few bad bytes stays UTF-8 (each bad byte one '\ufffd', with a note
naming its line); HTML pages and old Excel workbooks are refused here.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from auditor.errors import InputError

HEAD_BYTES = 256 * 1024
"""How much of the file start is decoded to find the delimiter, preamble and header."""


NOT_BLANK = re.compile(rb"[^ \t\r\n\x00\xef\xbb\xbf\xff\xfe]")


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


def decode_to_utf8(raw: bytes, path: Path) -> tuple[str, bytes, str | None]:
    """(encoding name, UTF-8 bytes without BOM, a note on replaced bytes) of a text file;
    InputError if not text. A carriage return inside a line of a file whose lines end in line
    feeds (a stray byte, never a line end there) becomes a space, so a row is never split."""
    encoding, text, note = _decode_any(raw, path)
    if b"\n" in text and b"\r" in text:
        text = _LONE_CR.sub(b" ", text)
    return encoding, text, note


_LONE_CR = re.compile(rb"\r(?!\n)")


def _decode_any(raw: bytes, path: Path) -> tuple[str, bytes, str | None]:
    """`decode_to_utf8` before the stray carriage returns are taken out."""
    if not NOT_BLANK.search(raw):
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
            return decode_mixed(raw)
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


def decode_mixed(raw: bytes) -> tuple[str, bytes, str | None]:
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


def check_html(head: str, path: Path) -> None:
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
