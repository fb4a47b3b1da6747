"""Bounded, safe reads of the small TOML files a user points the tool at: config, rule packs,
lexicons.

Only a regular file is read (a folder, `/dev/zero` or a FIFO is refused at once, never read
or waited on), at most `MAX_BYTES`; nesting too deep for the parser and integers too long to
convert are refused like any other malformed file. Every refusal is a `ConfigError` (exit 3).
"""

from __future__ import annotations

import math
import os
import stat
import tomllib
from pathlib import Path
from typing import Any

from auditor.errors import ConfigError

MAX_BYTES = 4 << 20
"""4 MiB: a config, rule pack or lexicon is a few kilobytes; more is not one."""


def read_limited(path: Path, what: str, limit: int = MAX_BYTES) -> bytes:
    """The bytes of a regular file of at most `limit` bytes; ConfigError otherwise."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        raise ConfigError(f"{what} not found", path=path) from None
    except OSError as exc:
        raise ConfigError(f"cannot read the {what}: {exc.strerror or exc}", path=path) from None
    if stat.S_ISDIR(mode):
        raise ConfigError(f"is a folder, not a {what}", path=path)
    if not stat.S_ISREG(mode):
        raise ConfigError(f"not a regular file (a device or FIFO), not a {what}", path=path)
    try:
        with open(path, "rb") as fh:
            data = fh.read(limit + 1)
    except OSError as exc:
        raise ConfigError(f"cannot read the {what}: {exc.strerror or exc}", path=path) from None
    if len(data) > limit:
        raise ConfigError(f"over {limit >> 20} MiB: too large for a {what}", path=path)
    return data


def read_toml(path: Path, what: str) -> dict[str, Any]:
    """A TOML file as a dict; ConfigError naming the file for anything unusable."""
    data = read_limited(path, what)
    try:
        return tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"not valid TOML: not UTF-8 text ({what})", path=path) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"not a valid {what}: not valid TOML: {exc}", path=path) from None
    except RecursionError:
        raise ConfigError(f"not valid TOML: nested too deeply for a {what}", path=path) from None
    except ValueError as exc:
        reason = str(exc).split(";")[0]
        raise ConfigError(f"not a valid {what}: not valid TOML: {reason}", path=path) from None


def non_finite(value: Any) -> str | None:
    """The key path of the first NaN or infinite number in a parsed TOML value, or None
    (walked without recursion: a file may nest thousands of tables)."""
    stack: list[tuple[str, Any]] = [("", value)]
    while stack:
        where, item = stack.pop()
        if isinstance(item, float) and not math.isfinite(item):
            return where or "a value"
        if isinstance(item, dict):
            stack.extend((f"{where}.{k}".lstrip("."), v) for k, v in item.items())
        elif isinstance(item, list):
            stack.extend((f"{where}[{i}]", v) for i, v in enumerate(item))
    return None
