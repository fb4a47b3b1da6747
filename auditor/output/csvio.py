"""Safe output: atomic writes, no silent overwrite, CSV cells safe against formula injection.

Decisions:
- A file is only ever replaced when it is a regular file (a symlink's target is replaced, the
  link kept); a device (`/dev/null`), FIFO, socket or folder is refused (`OutputPathError`).
- The temporary file is `.<name>.auditor-<pid>-<random>.tmp` beside the target; one left behind
  by a killed run (its process gone, older than this run) is removed by the next write there.
- Spreadsheet-bound CSVs are written for comma and semicolon locales: Excel in Sweden, Germany,
  Denmark and Norway splits a CSV on `;`, even inside quotes it does not expect, so a cell
  holding `;` is quoted and every `;`-separated piece that starts like a formula is defused.
"""

from __future__ import annotations

import csv
import io
import os
import re
import stat
import tempfile
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

from auditor.errors import OutputError, OutputPathError

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_AFTER_SEMICOLON = re.compile(r";(\s*)(?=[=+\-@\t\r])")
"""A `;` (the list separator of Nordic and German Excel) followed by a formula start."""
TEMP_TAG = ".auditor-"
_STALE_TEMP = re.compile(r"^\..+\.auditor-(\d+)-[^.]+\.tmp$")
RUN_STARTED = time.time()


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
    text = _AFTER_SEMICOLON.sub(r";\1'", str(value))
    if text.startswith(_FORMULA_START):
        return "'" + text
    return text


def _existing_kind(path: Path) -> str | None:
    """None when `path` does not exist or is a regular file (after symlinks), else what it is."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise OutputPathError(f"cannot use this path: {exc.strerror or exc}", path=path) from None
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def check_writable(path: Path, force: bool) -> None:
    """Refuse to overwrite an existing file unless `force`, and anything but a regular file."""
    kind = _existing_kind(path)
    if kind is not None:
        raise OutputPathError(f"is {kind}, not a regular file: refusing to write there", path=path)
    if os.path.lexists(path) and not force:
        raise OutputError("file exists; pass --force to overwrite it", path=path)


def _identity(path: Path) -> tuple[str, tuple[int, int] | None]:
    """(real path, (device, inode) when the file exists): two names of one file compare equal
    through symlinks, relative paths and hard links."""
    real = os.path.realpath(path)
    try:
        st = os.stat(real)
    except OSError:
        return real, None
    return real, (st.st_dev, st.st_ino)


def check_output_paths(outputs: list[Path], inputs: list[Path], force: bool) -> None:
    """Refuse (exit 2) an output that is an input, another output, or not a regular file;
    refuse (exit 4) an existing file without --force."""
    taken: dict[object, Path] = {}
    for path in inputs:
        real, inode = _identity(path)
        taken[real] = path
        if inode is not None:
            taken[inode] = path
    outs: dict[object, Path] = {}
    for out in outputs:
        real, inode = _identity(out)
        for key in (real, inode):
            if key is None:
                continue
            if key in taken:
                raise OutputPathError(
                    f"is the input {taken[key]}: refusing to overwrite an input", path=out
                )
            if key in outs:
                raise OutputPathError(
                    f"is also the output {outs[key]}: give each output its own file", path=out
                )
        outs[real] = out
        if inode is not None:
            outs[inode] = out
        check_writable(out, force)


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
    """Write to a temporary file beside `path`, fsync, then rename over it (a symlink's
    target is the file replaced)."""
    check_writable(path, force)
    payload = data.encode(encoding) if isinstance(data, str) else data
    target = Path(os.path.realpath(path)) if os.path.islink(path) else path
    folder = target.parent if str(target.parent) else Path(".")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        remove_stale_temps(folder)
        prefix = f".{target.name[:200]}{TEMP_TAG}{os.getpid()}-"
        fd, tmp = tempfile.mkstemp(prefix=prefix, suffix=".tmp", dir=folder)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(payload)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, _file_mode(target))
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise OutputError(f"cannot write: {exc.strerror or exc}", path=path) from None


def process_alive(pid: int) -> bool:
    """Whether process `pid` runs on this host (one we may not signal counts as running)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True


def remove_stale_temps(folder: Path) -> list[Path]:
    """Remove this tool's temporary files in `folder` left by a run that died (its process is
    gone and the file is older than this run); return what was removed."""
    removed = []
    try:
        names = [e for e in os.scandir(folder) if e.name.startswith(".") and TEMP_TAG in e.name]
    except OSError:
        return removed
    for entry in names:
        found = _STALE_TEMP.match(entry.name)
        if not found or int(found.group(1)) == os.getpid() or process_alive(int(found.group(1))):
            continue
        try:
            if entry.is_file(follow_symlinks=False) and entry.stat().st_mtime < RUN_STARTED:
                os.unlink(entry.path)
                removed.append(Path(entry.path))
        except OSError:
            continue
    return removed


_NEEDS_QUOTES = re.compile(r'[,;"\r\n]')


def _cell_text(cell: str) -> str:
    """A cell as RFC 4180 writes it, also quoted when it holds `;` (semicolon-locale Excel)."""
    return '"' + cell.replace('"', '""') + '"' if _NEEDS_QUOTES.search(cell) else cell


def _line(values: Sequence[object]) -> str:
    cells = [safe_cell(v) for v in values]
    return ",".join(_cell_text(c) for c in cells) if cells != [""] else '""'


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """CSV text (RFC 4180, CRLF) with every cell made safe; a cell holding `;` is quoted."""
    return "".join(_line(r) + "\r\n" for r in [header, *rows])


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
