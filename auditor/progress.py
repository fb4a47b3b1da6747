"""A progress bar that counts things (accounts) on stderr, redrawn in place on a terminal.

Off a terminal (a pipe, a log file, CI) nothing is drawn: the command's own lines say what was
done, and a log is not filled with redraws.
"""

from __future__ import annotations

import sys
from typing import TextIO

WIDTH = 24


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
