"""Run one task per account: one after another in this process, or in parallel on Dask.

`distributed` is optional (`pip install 'auditor[agency]'`). With it, a batch runs on a local
cluster of worker processes (one thread each, so a task has a process to itself and its peak
memory is its own) or on an existing cluster named by its scheduler address. Every task is
measured where it runs: wall-clock seconds and the peak resident memory of the process during
the task (Linux resets the peak through `/proc/self/clear_refs`; elsewhere the process's peak so
far is reported, an upper bound). A task that raises, or whose worker dies, is reported as that
task's error; the others go on.

A process runs one task at a time, even on a worker with several threads: two audits in one
process are not safe (CPython 3.11's `ast` fails when two threads compile at once, "AST
constructor recursion depth mismatch", and the rule conditions are compiled per audit), and a
task's peak memory is only its own when it has the process to itself. One audit uses a second
thread of its own once its rules are compiled (`auditor.side`).
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

from auditor.errors import ConfigError

T = TypeVar("T")
R = TypeVar("R")

INSTALL_HINT = "pip install 'auditor[agency]'"
_STATUS = Path("/proc/self/status")
_CLEAR_REFS = Path("/proc/self/clear_refs")
_ONE_AT_A_TIME = threading.Lock()


@dataclass(frozen=True)
class Measured(Generic[R]):
    """What one task returned (or the one-line error it raised), and what it cost."""

    value: R | None
    error: str | None
    seconds: float
    peak_memory_mb: float | None


def have_dask() -> bool:
    """Whether `distributed` can be imported (without importing it)."""
    return importlib.util.find_spec("distributed") is not None


def cores() -> int:
    """The cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def _reset_peak() -> None:
    """Start a new peak-memory window for this process (Linux; elsewhere nothing happens)."""
    try:
        _CLEAR_REFS.write_text("5")
    except OSError:
        return


def _peak_mb() -> float | None:
    """The process's peak resident memory in MB (2**20 bytes) since the last reset."""
    try:
        for line in _STATUS.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except (OSError, ValueError, IndexError):
        pass
    try:
        import resource
    except ImportError:
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(peak / (2**20 if sys.platform == "darwin" else 1024), 1)


def measured(fn: Callable[[T], R], item: T) -> Measured[R]:
    """`fn(item)` with its time and peak memory; an exception becomes the task's error line.
    Tasks in one process wait for each other (see the module docstring)."""
    with _ONE_AT_A_TIME:
        _reset_peak()
        start = time.perf_counter()
        value: R | None = None
        error: str | None = None
        try:
            value = fn(item)
        except Exception as exc:
            error = f"internal error: {type(exc).__name__}: {exc}"
        return Measured(value, error, round(time.perf_counter() - start, 3), _peak_mb())


def _sequential(fn: Callable[[T], R], items: Sequence[T]) -> Iterator[tuple[int, Measured[R]]]:
    for i, item in enumerate(items):
        yield i, measured(fn, item)


def _client(workers: int, scheduler: str | None) -> Any:
    """A Dask client: on the cluster at `scheduler`, or on a new local cluster of processes.
    A local worker is given one account at a time (worker saturation 1.0): when a worker dies,
    Dask counts the death against every task it held, so none wait there behind another."""
    import dask
    from distributed import Client, LocalCluster

    if scheduler is not None:
        try:
            return Client(scheduler, timeout="20s")
        except (OSError, TimeoutError) as exc:
            raise ConfigError(f"--scheduler {scheduler}: cannot connect ({exc})") from None
    with dask.config.set({"distributed.scheduler.worker-saturation": 1.0}):
        cluster = LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",
            silence_logs=logging.ERROR,
        )
    return Client(cluster)


def _importable(fn: Callable[[T], R]) -> Callable[[T], R]:
    """`fn` under its module's import name. Run as `python -m auditor.cli`, the CLI's functions
    live in `__main__`, which a worker cannot import (nor pickle by value); the same function of
    the imported module travels by name."""
    if fn.__module__ != "__main__":
        return fn
    spec = getattr(sys.modules["__main__"], "__spec__", None)
    if spec is None:
        return fn
    return getattr(importlib.import_module(spec.name), fn.__qualname__)


def _on_dask(
    fn: Callable[[T], R], items: Sequence[T], workers: int, scheduler: str | None
) -> Iterator[tuple[int, Measured[R]]]:
    from distributed import as_completed

    client = _client(workers, scheduler)
    task = _importable(fn)
    try:
        futures = [client.submit(measured, task, item, pure=False) for item in items]
        position = {future.key: i for i, future in enumerate(futures)}
        for future in as_completed(futures):
            try:
                result = future.result()
            except Exception as exc:
                result = Measured(None, f"worker failed: {type(exc).__name__}: {exc}", 0.0, None)
            yield position[future.key], result
    finally:
        cluster = client.cluster
        client.close()
        if cluster is not None and scheduler is None:
            cluster.close()


def run_each(
    fn: Callable[[T], R],
    items: Sequence[T],
    *,
    workers: int,
    scheduler: str | None = None,
) -> Iterator[tuple[int, Measured[R]]]:
    """`(position, Measured)` for every item, as the tasks finish.

    On Dask when a scheduler is named, or when `workers` > 1, there are several items and
    `distributed` is installed; else one after another here. `fn` must be importable by name
    (a module-level function) and `items` picklable when Dask runs them.
    """
    if scheduler is not None and not have_dask():
        raise ConfigError(f"--scheduler needs Dask: {INSTALL_HINT}")
    use_dask = scheduler is not None or (workers > 1 and len(items) > 1 and have_dask())
    if not use_dask:
        return _sequential(fn, items)
    return _on_dask(fn, items, min(workers, len(items)), scheduler)
