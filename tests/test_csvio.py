"""Output safety: formula injection, atomic writes, no silent overwrite."""

from __future__ import annotations

import csv
import os
import stat
import subprocess
import time
from pathlib import Path

import pytest

from auditor.errors import EXIT_BAD_INPUT, EXIT_OUTPUT, OutputError, OutputPathError
from auditor.output.csvio import csv_text, safe_cell, write_atomic, write_csv


@pytest.mark.parametrize(
    "cell",
    ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"],
)
def test_formula_like_text_is_defused(cell: str) -> None:
    assert safe_cell(cell) == "'" + cell


def test_numbers_and_plain_text_are_kept() -> None:
    assert safe_cell(-3.5) == "-3.5"
    assert safe_cell(12) == "12"
    assert safe_cell("hiking boots") == "hiking boots"
    assert safe_cell(None) == ""
    assert safe_cell(float("nan")) == ""


def test_csv_round_trip_keeps_quotes_and_commas(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    write_csv(path, ["Keyword", "Note"], [['"kids boots"', "a, b"], ["=cmd|' /C calc'!A0", "x"]])
    rows = list(csv.reader(path.open(encoding="utf-8", newline="")))
    assert rows[1] == ['"kids boots"', "a, b"]
    assert rows[2][0].startswith("'=")


def test_existing_file_is_not_overwritten_without_force(tmp_path: Path) -> None:
    path = tmp_path / "mine.csv"
    path.write_text("precious", encoding="utf-8")
    with pytest.raises(OutputError) as info:
        write_atomic(path, "new")
    assert info.value.exit_code == EXIT_OUTPUT
    assert "--force" in str(info.value)
    assert path.read_text(encoding="utf-8") == "precious"
    write_atomic(path, "new", force=True)
    assert path.read_text(encoding="utf-8") == "new"


def test_atomic_write_leaves_no_temp_files(tmp_path: Path) -> None:
    write_atomic(tmp_path / "a.json", "{}")
    assert [p.name for p in tmp_path.iterdir()] == ["a.json"]


def test_written_file_gets_ordinary_permissions(tmp_path: Path) -> None:
    umask = os.umask(0o022)
    try:
        write_atomic(tmp_path / "a.csv", "x")
    finally:
        os.umask(umask)
    assert stat.S_IMODE((tmp_path / "a.csv").stat().st_mode) == 0o644
    (tmp_path / "b.csv").write_text("old", encoding="utf-8")
    (tmp_path / "b.csv").chmod(0o640)
    write_atomic(tmp_path / "b.csv", "new", force=True)
    assert stat.S_IMODE((tmp_path / "b.csv").stat().st_mode) == 0o640


def test_a_semicolon_cell_is_quoted_and_what_follows_it_defused() -> None:
    """Excel in a `;` locale (Sweden, Germany, Denmark, Norway) splits on `;`: the payload after
    one must not become a live `=4+4` cell."""
    text = csv_text(["Search term", "Cost"], [["x;=4+4;y jobb", 3.5], ["a; +1", 1]])
    lines = text.split("\r\n")
    assert lines[1] == '"x;\'=4+4;y jobb",3.5'
    assert lines[2] == '"a; \'+1",1'
    assert list(csv.reader([lines[1]])) == [["x;'=4+4;y jobb", "3.5"]]
    for piece in lines[1].split(";"):
        assert not piece.lstrip('"').startswith(("=", "+", "-", "@"))


def test_stale_temp_files_of_a_killed_run_are_removed(tmp_path: Path) -> None:
    proc = subprocess.Popen(["true"])
    proc.wait()
    stale = tmp_path / f".a.json.auditor-{proc.pid}-abc123.tmp"
    stale.write_text("half a file")
    old = time.time() - 3600
    os.utime(stale, (old, old))
    alive = tmp_path / f".b.json.auditor-{os.getppid()}-def456.tmp"
    alive.write_text("another run's file")
    os.utime(alive, (old, old))
    foreign = tmp_path / ".a.json.x1.tmp"
    foreign.write_text("not ours")
    write_atomic(tmp_path / "a.json", "{}")
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == sorted(["a.json", alive.name, foreign.name])


def test_outputs_are_only_written_onto_regular_files(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    for target in (fifo, tmp_path, Path("/dev/null")):
        with pytest.raises(OutputPathError) as info:
            write_atomic(target, "x", force=True)
        assert info.value.exit_code == EXIT_BAD_INPUT
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode) and stat.S_ISFIFO(fifo.stat().st_mode)
    real = tmp_path / "real.csv"
    real.write_text("old")
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    write_atomic(link, "new", force=True)
    assert link.is_symlink() and real.read_text() == "new"
