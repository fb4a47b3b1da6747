"""One error base class with a subclass per area, and the process exit codes.

Every error the user can cause carries a one-line message naming the file (and the line and
column where that applies); the CLI prints it without a traceback and exits with the code of
the error's class.
"""

from __future__ import annotations

from pathlib import Path

EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_BAD_INPUT = 2
EXIT_BAD_CONFIG = 3
EXIT_OUTPUT = 4
EXIT_FINDINGS = 5
"""`auditor audit --fail-on SEVERITY` found a finding of that severity or worse."""


class AuditorError(Exception):
    """Base of every error the tool reports to the user in one line."""

    exit_code = EXIT_INTERNAL

    def __init__(
        self,
        message: str,
        *,
        path: str | Path | None = None,
        line: int | None = None,
        column: str | None = None,
    ) -> None:
        self.message = message
        self.path = Path(path) if path is not None else None
        self.line = line
        self.column = column
        super().__init__(self.one_line())

    def one_line(self) -> str:
        """`file:line: column 'X': message` with the parts that are known."""
        where = []
        if self.path is not None:
            where.append(str(self.path) + (f":{self.line}" if self.line is not None else ""))
        elif self.line is not None:
            where.append(f"line {self.line}")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        prefix = ": ".join(where)
        return f"{prefix}: {self.message}" if prefix else self.message


class InputError(AuditorError):
    """A report or other input file that cannot be used."""

    exit_code = EXIT_BAD_INPUT


class ConfigError(AuditorError):
    """A bad config file, rule pack, lexicon or command-line setting."""

    exit_code = EXIT_BAD_CONFIG


class RuleError(ConfigError):
    """A rule pack that fails validation (unknown keys, bad expressions, duplicate ids)."""


class OutputError(AuditorError):
    """An output file that cannot be written, or exists and --force was not given."""

    exit_code = EXIT_OUTPUT


class OutputPathError(OutputError):
    """An output path that must never be written: an input, another output, or not a regular
    file (a device, FIFO or folder). Refused before any work, like a bad command line."""

    exit_code = EXIT_BAD_INPUT


EXIT_API = 6
"""`auditor fetch`: the Google Ads API refused or failed a request for an account (the other
accounts are still fetched)."""


class ApiError(AuditorError):
    """A Google Ads API request that failed (after the retries it was worth)."""

    exit_code = EXIT_API
