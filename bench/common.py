"""Shared helpers for the bench/ scripts: timing with peak memory, a table printer, sizes.

How to write a bench (each area owns its own `bench/bench_<area>.py`)::

    from common import bench_rows, measure, print_table
    from largegen import make_large_report

    def read(path):            # module-level: it runs in a fresh process
        ...

    if __name__ == "__main__":  # required: the fresh process re-imports this script
        path = make_large_report(rows=bench_rows())
        seconds, peak_mb = measure(read, path)
        print_table(["step", "s", "peak MB"], [["read", seconds, peak_mb]])

Run one with `python bench/bench_<area>.py`, all with `python bench/run_all.py`.

Memory: `measure` runs `fn(*args)` once in a fresh Python process (multiprocessing "spawn",
so nothing of the parent's memory is inherited) and reports that process's peak resident set
size from `resource.getrusage(RUSAGE_SELF).ru_maxrss`. This is what a user's process needs at
its worst, including the interpreter and the libraries fn's module imports (about 100-150 MB
with pandas and pyarrow); `run_measured` also returns that baseline (`base_mb`, the RSS just
before the call) for benches that want to print the increase. tracemalloc was not chosen: it
misses memory that pyarrow and numpy allocate outside Python's allocator, and it slows the code
it measures. Time is wall-clock (`time.perf_counter`) around the call only, inside the child,
so process start-up and imports are not counted.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import queue as queue_mod
import resource
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

ROWS_ENV = "AUDITOR_BENCH_ROWS"
"""Environment variable that scales the benches (run_all.py --rows sets it)."""
DEFAULT_ROWS = 1_000_000


@dataclass(frozen=True)
class Measurement:
    seconds: float
    peak_mb: float
    """Peak RSS of the fresh process that ran the call (MB = 2**20 bytes)."""
    base_mb: float
    """RSS of that process just before the call (interpreter + imports)."""
    result: Any = None


def bench_rows() -> int:
    """Row count of the large report for this run: `$AUDITOR_BENCH_ROWS` or 1,000,000."""
    return int(os.environ.get(ROWS_ENV, DEFAULT_ROWS))


def _rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        pages = int(fh.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def _peak_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 2**10


def _child(fn: Callable[..., Any], args: tuple[Any, ...], keep: bool, queue: Any) -> None:
    base = _rss_mb()
    began = time.perf_counter()
    try:
        result = fn(*args)
    except Exception:
        queue.put(("error", traceback.format_exc()))
        return
    seconds = time.perf_counter() - began
    queue.put(("ok", Measurement(seconds, _peak_mb(), base, result if keep else None)))


def run_measured(fn: Callable[..., Any], *args: Any, keep_result: bool = False) -> Measurement:
    """Run `fn(*args)` once in a fresh process; time, peak and (if asked) its pickled result.

    `fn` must be importable (a module-level function; bench scripts need the
    `if __name__ == "__main__":` guard). A failure in the child raises RuntimeError here.
    """
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_child, args=(fn, args, keep_result, queue))
    proc.start()
    while True:
        try:
            status, payload = queue.get(timeout=1.0)
            break
        except queue_mod.Empty:
            if not proc.is_alive():
                status, payload = "error", f"process died with exit code {proc.exitcode}"
                break
    proc.join()
    if status != "ok":
        raise RuntimeError(f"{getattr(fn, '__name__', fn)} failed: {payload}")
    return payload


def measure(fn: Callable[..., Any], *args: Any) -> tuple[float, float]:
    """(seconds, peak_mb) of one call of `fn(*args)` in a fresh process (see module doc)."""
    m = run_measured(fn, *args)
    return m.seconds, m.peak_mb


def time_here(fn: Callable[..., Any], *args: Any, repeat: int = 1) -> tuple[float, Any]:
    """(best seconds of `repeat` calls, last result) in this process: for quick in-place steps."""
    best = float("inf")
    result = None
    for _ in range(repeat):
        began = time.perf_counter()
        result = fn(*args)
        best = min(best, time.perf_counter() - began)
    return best, result


def _cell(value: object) -> str:
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if value != value:
            return "-"
        return f"{value:,.3f}" if abs(value) < 10 else f"{value:,.1f}"
    return str(value)


def format_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A plain text table: text left-aligned, numbers right-aligned with thousands commas."""
    cells = [[_cell(v) for v in row] for row in rows]
    numeric = [
        all(isinstance(row[i], int | float) for row in rows) if rows else False
        for i in range(len(headers))
    ]
    widths = [max([len(h), *(len(r[i]) for r in cells)]) for i, h in enumerate(headers)]

    def line(values: Sequence[str]) -> str:
        parts = [
            v.rjust(w) if num else v.ljust(w)
            for v, w, num in zip(values, widths, numeric, strict=True)
        ]
        return "  ".join(parts).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(list(headers)), rule, *(line(r) for r in cells)])


def print_table(headers: Sequence[str], rows: Sequence[Sequence[object]], title: str = "") -> None:
    if title:
        print(title)
    print(format_table(headers, rows))
    print()
