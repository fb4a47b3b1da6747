"""The engine (everything in auditor/ outside auditor/tui/, the review's state and decision
store in auditor/review/ included) never imports textual."""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import auditor

ROOT = Path(auditor.__file__).resolve().parent


def engine_modules() -> list[str]:
    """Every module of the package except the TUI, found on disk (new modules included)."""
    found = pkgutil.walk_packages([str(ROOT)], prefix="auditor.")
    names = ["auditor", *(m.name for m in found)]
    return sorted(n for n in names if n != "auditor.tui" and not n.startswith("auditor.tui."))


def test_engine_modules_are_found() -> None:
    names = engine_modules()
    for core in ("auditor.audit", "auditor.cli", "auditor.output.jsonform"):
        assert core in names
    review = ("auditor.review.decisions", "auditor.review.state", "auditor.review.rows")
    assert all(m in names for m in review), "the review's UI-free core is inside the guard"
    assert not any(n.startswith("auditor.tui") for n in names)


def test_engine_never_imports_textual() -> None:
    code = (
        "import importlib, json, sys\n"
        f"for name in {engine_modules()!r}:\n"
        "    importlib.import_module(name)\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] == 'textual'"
        " or m.startswith('auditor.tui'))))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []


def test_the_check_would_see_textual() -> None:
    """The same probe reports textual when a module does import it (the test can fail)."""
    code = (
        "import json, sys, auditor.tui.app\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] == 'textual')))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert "textual" in json.loads(out.stdout.strip().splitlines()[-1])
