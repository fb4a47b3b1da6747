"""Giving an audit's freed memory back to the system, so a stage's peak does not add to the next.

A million-row audit allocates and frees several GB of short-lived arrays (per-row masks, codes,
sums). Two allocators keep what is freed unless told otherwise:

- arrow's default pool (jemalloc / mimalloc) holds freed blocks for reuse: `use_system_allocator`
  puts arrow on the system allocator (process-wide, once), so arrow's arrays and numpy's share
  one heap;
- glibc keeps freed heap pages mapped: `trim` hands them back (`malloc_trim(0)`, which also
  releases free pages in the middle of the heap). `auditor.profile.stage` calls it when a stage
  ends, so the rules' temporaries are gone before the proposals start.

Measured on the 1M-row long tail (README, Benchmarks): peak 1.45 GB with both, 1.83 GB with
neither; trimming at the 10 stage ends costs milliseconds, where mapping every block from
256 KiB up on its own (the earlier way, `mallopt(M_MMAP_THRESHOLD)`) cost about a second of
page faults for the same peak.

The other way round pays too: `use_system_allocator` also keeps every freed block up to 1 GiB
on the heap for the next allocation until `trim` (glibc otherwise maps blocks over its dynamic
threshold, up to 32 MiB, afresh each time: zeroed pages faulted in again). 1M long tail, stages
side by side: system time 1.5-1.85 -> 1.4 s, peak 1.32-1.37 GB both (stages one after another:
1.7-1.9 -> 1.2-1.4 s, peak 1.15 -> 1.24 GB, as freed blocks wait for the stage's end).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import sys
import threading
from collections.abc import Callable
from functools import cache
from typing import ParamSpec, TypeVar

import pyarrow as pa

P = ParamSpec("P")
R = TypeVar("R")
_LARGE = threading.RLock()
M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3
"""glibc's `mallopt` parameters (malloc.h)."""
REUSED_UP_TO = 1 << 30
"""Freed blocks up to this size stay on the heap for reuse (until `trim`)."""


@cache
def use_system_allocator() -> None:
    """Arrow on the system allocator, glibc reusing freed blocks until `trim` (process-wide;
    a second call changes nothing)."""
    pa.set_memory_pool(pa.system_memory_pool())
    libc = _libc()
    if libc is not None and hasattr(libc, "mallopt"):
        libc.mallopt(M_MMAP_THRESHOLD, REUSED_UP_TO)
        libc.mallopt(M_TRIM_THRESHOLD, (1 << 31) - 1)


@cache
def _libc() -> ctypes.CDLL | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.malloc_trim  # noqa: B018 - musl has no malloc_trim: then trimming is off
    except (OSError, AttributeError):
        return None
    return libc


def trim() -> None:
    """Hand the heap's free pages back to the system (glibc only; elsewhere nothing)."""
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)


def one_at_a_time(fn: Callable[P, R]) -> Callable[P, R]:
    """`fn` runs in one thread at a time: for the steps with the largest working memory (an
    n-gram table of a million terms: about 400 MB while it is built). The rules and the
    proposals run side by side (`auditor.side`) and each builds one; built at once, their
    peaks add up (1.5 GB on the 1M-row long tail instead of 1.3 GB)."""

    @functools.wraps(fn)
    def alone(*args: P.args, **kwargs: P.kwargs) -> R:
        with _LARGE:
            return fn(*args, **kwargs)

    return alone
