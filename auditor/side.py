"""Two parts of one audit side by side: the negatives are proposed in a second thread while the
tracking checks and the rules run in the first, and the proposals' n-gram table is started as
soon as the search-terms table is read, while the keyword report is read (`auditor.audit`).

Both read the same canonical table and write nothing the other reads, and much of their work
is in numpy, arrow and rapidfuzz calls that let go of the interpreter lock: on two cores the
1M-row long tail takes 5.1 s instead of 7.3 s (README, Benchmarks). The two n-gram tables are
built one at a time (`auditor.memory.one_at_a_time`). Only the audit's own thread parses rule
conditions (`load_rules`): the `ast` module of CPython 3.11 must not parse in two threads at
once.

`AUDITOR_THREADS=1` (or a machine with one core) runs the same steps one after another: same
results, a lower peak (1.07 GB instead of 1.4 GB there), more time. The modules an audit imports
late are imported in threads of their own (`import_early`, `import_shallow`).
"""

from __future__ import annotations

import contextvars
import importlib
import os
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from types import ModuleType
from typing import Generic, TypeVar

ENV = "AUDITOR_THREADS"
T = TypeVar("T")
LATE_IMPORTS = ("scipy.special", "auditor.negatives.wordlists")
"""Modules an audit imports on first use (the rules' exact tails, the proposals' word lists):
about 0.2 s of a million-row audit, imported in a second thread while the reports are read."""


def threads() -> int:
    """How many threads an audit may use: `AUDITOR_THREADS`, else the cores it may run on
    (at most 2: there are two parts to run side by side)."""
    asked = os.environ.get(ENV, "").strip()
    if asked.isdigit() and int(asked) > 0:
        return min(int(asked), 2)
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count() or 1
    return min(max(cores, 1), 2)


@dataclass
class Beside(Generic[T]):
    """`fn()` started in its own thread (with the caller's context: the stage profile goes
    on), or, with one thread, run when its result is first asked for."""

    fn: Callable[[], T]
    _thread: threading.Thread | None = None
    _result: list[T] = field(default_factory=list)
    _error: list[BaseException] = field(default_factory=list)

    @classmethod
    def start(cls, fn: Callable[[], T]) -> Beside[T]:
        beside = cls(fn)
        if threads() > 1:
            context = contextvars.copy_context()
            beside._thread = threading.Thread(
                target=context.run, args=(beside._run,), name="auditor-beside", daemon=True
            )
            beside._thread.start()
        return beside

    def _run(self) -> None:
        try:
            self._result.append(self.fn())
        except BaseException as exc:  # re-raised in the caller's thread
            self._error.append(exc)

    def result(self) -> T:
        """The result of `fn()`, waiting for it; what it raised is raised here."""
        if self._thread is None:
            if not self._result and not self._error:
                self._run()
        else:
            self._thread.join()
        if self._error:
            raise self._error[0]
        return self._result[0]


def import_early(modules: tuple[str, ...] = LATE_IMPORTS) -> None:
    """Import `modules` in a second thread (with one thread: nothing; they are imported when
    first used). A module that fails to import is left to fail where it is used."""
    if threads() < 2:
        return

    def load() -> None:
        for name in modules:
            try:
                importlib.import_module(name)
            except ImportError:
                continue

    threading.Thread(target=load, name="auditor-imports", daemon=True).start()


def import_shallow(name: str) -> ModuleType | None:
    """`importlib.import_module(name)`, None when it (or what it imports) is not installed.

    A first import runs in a new thread, whose stack is a few frames: `wordfreq` calls
    `inspect.stack()` when imported, which costs per frame above it (0.2 s deep inside an
    audit's stack, 0.07 s from a new thread). Other errors are raised here."""
    if name in sys.modules:
        return importlib.import_module(name)  # waits while another thread is importing it
    found: list[ModuleType] = []
    failed: list[BaseException] = []

    def load() -> None:
        try:
            found.append(importlib.import_module(name))
        except BaseException as error:
            failed.append(error)

    thread = threading.Thread(target=load, name=f"import {name}")
    thread.start()
    thread.join()
    if failed and not isinstance(failed[0], ImportError):
        raise failed[0]
    return found[0] if found else None
