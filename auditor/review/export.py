"""The export of the accepted negatives: the default file, the plan (never replacing a file
that holds more negatives), the write through `auditor.output.negatives` and its record in the
decision store. A part of `ReviewState`.

Export writes the accepted proposals with `auditor.output.negatives.write_negatives`, the
same function as `auditor audit --negatives` (the same list name, `auditor negatives -
<account>`), in the engine's proposal order; ones already exported in the same form are left
out unless asked for. Every export is stored. Nothing is lost: an export with nothing in it
is never written, and a file that holds more negatives than the new export would is never
replaced (the export gets the next free name, `name-2.csv`). The default file is
`negatives-<account>-<date>.csv` in the report's folder (the home folder for the bundled
sample or a folder that cannot be written).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from auditor.account import slug
from auditor.errors import AuditorError, ConfigError, OutputError
from auditor.model import (
    NegativeProposal,
)
from auditor.output.csvio import check_output_paths
from auditor.readers.negatives_list import read_path
from auditor.resources import bundled
from auditor.review import decisions as dec


@dataclass(frozen=True)
class ExportPlan:
    """Where an export goes and what it holds, known before anything is written."""

    asked: Path
    """The file the user named."""
    path: Path
    """The file that will be written: `asked`, or the next free name when `asked` holds more
    negatives than this export (a previous export is never replaced by a smaller one)."""
    count: int
    existing: int | None
    """Negatives in the file at `asked` when it exists and reads as a negatives file."""

    @property
    def overwrites(self) -> bool:
        return self.path.exists()

    def describe(self) -> str:
        """The plan in one sentence, for the export dialog."""
        if self.count == 0:
            return "Nothing to export: no accepted negative is waiting for export."
        what = f"{self.count} negative(s)"
        if self.path != self.asked:
            return (
                f"{self.asked.name} holds {self.existing} negatives, more than this export:"
                f" it is kept, and {what} go to {self.path}"
            )
        if self.overwrites:
            return f"Replaces {self.path} with {what} (you will be asked)"
        return f"Writes {what} to {self.path}"


def free_name(path: Path) -> Path:
    """`path`, or `stem-2.suffix`, `stem-3.suffix`, ... : the first name not taken."""
    n = 2
    candidate = path
    while candidate.exists():
        candidate = path.with_name(f"{path.stem}-{n}{path.suffix}")
        n += 1
    return candidate


NEGATIVES_FILE_MAX = 20 * 1024 * 1024
"""Larger files are not read to count their negatives (the dialog plans at every key press);
overwriting one is asked like any other file's."""


def negatives_in(path: Path) -> int | None:
    """How many negatives a file holds, read the way `--existing-negatives` reads it; None
    when it does not exist, is not a negatives file, or is over `NEGATIVES_FILE_MAX`."""
    if not path.is_file() or path.stat().st_size > NEGATIVES_FILE_MAX:
        return None
    try:
        return len(read_path(path, 0).table)
    except AuditorError:
        return None


class Exporting:
    """Export of `ReviewState`'s accepted proposals (see the module docstring)."""

    def accepted(self, *, include_exported: bool = False) -> list[NegativeProposal]:
        """The accepted proposals in the engine's order (as `auditor audit` writes them)."""
        engine = [p.id for p in self.result.negatives]
        order = {pid: i for i, pid in enumerate([*engine, *self._user_ids])}
        rows = [
            r
            for r in self.rows
            if r.status == dec.STATUS_ACCEPTED and (include_exported or not r.exported_at)
        ]
        return [r.current for r in sorted(rows, key=lambda r: order[r.id])]

    def default_export_path(self) -> Path:
        """`negatives-<account>-<date>.csv` in the report's folder: where the manager keeps
        that account's files (the home folder for the bundled sample or a read-only folder)."""
        reports = [i.path for i in self.result.inputs if i.role == "report"]
        folder = Path(reports[0]).resolve().parent if reports else Path.home()
        sample = bundled("sample_reports").resolve()
        if folder.is_relative_to(sample) or not os.access(folder, os.W_OK):
            folder = Path.home()
        name = slug(self.result.account or self.account.label)
        return folder / f"negatives-{name}-{date.today().isoformat()}.csv"

    def plan_export(self, asked: Path, *, include_exported: bool = False) -> ExportPlan:
        """Where an export to `asked` goes (see `ExportPlan.path`) and how much it holds."""
        count = len(self.accepted(include_exported=include_exported))
        existing = negatives_in(asked)
        path = free_name(asked) if existing is not None and existing > count else asked
        return ExportPlan(asked, path, count, existing)

    def export(self, path: Path, fmt: str, *, force: bool, include_exported: bool = False) -> int:
        """Write the accepted proposals and store the export; return how many were written.
        An export with nothing in it is refused: it would only wipe a file."""
        from auditor.output.negatives import default_list_name, write_negatives

        if self.store.read_only:
            raise ConfigError(f"export refused: {self.store.read_only}; export from that review")
        check_output_paths([path], [i.path for i in self.result.inputs], force=True)
        proposals = self.accepted(include_exported=include_exported)
        if not proposals:
            raise OutputError("nothing to export: no accepted negative is waiting", path=path)
        list_name = default_list_name(self.settings, self.result.account)
        write_negatives(
            path, proposals, fmt, force=force, settings=self.settings, list_name=list_name
        )
        self.store.record_export(self.account.key, path, fmt, proposals)
        exported = self.store.exported(self.account.key)
        for r in self.rows:
            r.exported_at = self._export_time(r, exported)
        return len(proposals)
