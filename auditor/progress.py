"""What the commands print on a terminal: `say` (text without control characters, so a
search term cannot drive the user's terminal) and a progress bar that counts things (accounts)
on stderr, redrawn in place.

Off a terminal (a pipe, a log file, CI) the bar is not drawn: the command's own lines say what
was done, and a log is not filled with redraws.
"""

from __future__ import annotations

import re
import sys
from typing import TextIO

WIDTH = 24
_CONTROL = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|[\x00-\x08\x0b-\x1f\x7f-\x9f]"
)
"""ANSI escape sequences and control characters (BEL, backspace, carriage return, C1)."""


def terminal_text(text: str) -> str:
    """`text` without control characters: a search term must not drive the user's terminal."""
    return _CONTROL.sub("", text)


def say(text: str, *, error: bool = False) -> None:
    print(terminal_text(text), file=sys.stderr if error else sys.stdout)


class Progress:
    """`label [#######.........]  7/12 name` on one line of `stream`."""

    def __init__(self, total: int, label: str, *, stream: TextIO | None = None) -> None:
        self.total = total
        self.label = label
        self.done = 0
        self.stream = stream if stream is not None else sys.stderr
        self.shown = self.stream.isatty() and total > 0

    def line(self, note: str = "") -> str:
        """The bar as text (without the carriage return)."""
        filled = WIDTH * self.done // max(self.total, 1)
        bar = "#" * filled + "." * (WIDTH - filled)
        text = f"{self.label} [{bar}] {self.done:>{len(str(self.total))}}/{self.total}"
        return f"{text} {note}".rstrip()

    def step(self, note: str = "") -> None:
        """Count one more done; `note` names it (an account)."""
        self.done += 1
        if self.shown:
            self.stream.write("\r\x1b[2K" + self.line(note[:40]))
            self.stream.flush()

    def close(self) -> None:
        """End the bar's line so what follows starts on a fresh one."""
        if self.shown:
            self.stream.write("\r\x1b[2K")
            self.stream.flush()
