"""Safe output: atomic writes, no silent overwrite, CSV cells safe against formula injection."""

from __future__ import annotations

import csv
import io
import os
import stat
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

from auditor.errors import OutputError

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def defused(text: str) -> bool:
    """Whether `safe_cell` changes this text (it would start a spreadsheet formula)."""
    return text.startswith(_FORMULA_START)


def safe_cell(value: object) -> str:
    """A CSV cell a spreadsheet will not run as a formula.

    Text that starts with `= + - @`, a tab or a carriage return is prefixed with an apostrophe
    (the OWASP advice). Numbers are written as they are, so `-3.5` stays a number.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        return "" if value != value else repr(value) if isinstance(value, float) else str(value)
    text = str(value)
    if text.startswith(_FORMULA_START):
        return "'" + text
    return text


def check_writable(path: Path, force: bool) -> None:
    """Refuse to overwrite an existing file unless `force`."""
    if path.exists() and not force:
        raise OutputError("file exists; pass --force to overwrite it", path=path)
    if path.exists() and path.is_dir():
        raise OutputError("is a folder, not a file", path=path)


def _file_mode(path: Path) -> int:
    """The mode a plain `open(path, "w")` would give: the old file's, or 0o666 less the umask
    (a temporary file is created 0o600, which would hide the output from the user's tools)."""
    if path.exists():
        return stat.S_IMODE(path.stat().st_mode)
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def write_atomic(
    path: Path, data: str | bytes, *, force: bool = False, encoding: str = "utf-8"
) -> None:
    """Write to a temporary file beside `path`, fsync, then rename over it."""
    check_writable(path, force)
    payload = data.encode(encoding) if isinstance(data, str) else data
    folder = path.parent if str(path.parent) else Path(".")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(payload)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, _file_mode(path))
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise OutputError(f"cannot write: {exc.strerror or exc}", path=path) from None


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """CSV text (RFC 4180, CRLF) with every cell made safe."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    return buf.getvalue()


def write_csv(
    path: Path,
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    force: bool = False,
    encoding: str = "utf-8",
) -> None:
    """Write a safe CSV atomically; `utf-8-sig` adds the BOM Excel wants."""
    write_atomic(path, csv_text(header, rows), force=force, encoding=encoding)


def exact_csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """CSV text (RFC 4180, CRLF) with every cell exactly as given, for import files only.

    Google Ads Editor and Microsoft Advertising look campaigns and ad groups up by name, so an
    import file must carry `+ Brand SE` as it is, where `csv_text` would write `'+ Brand SE`.
    Never use it for a file meant to be opened in a spreadsheet.
    """
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return buf.getvalue()
