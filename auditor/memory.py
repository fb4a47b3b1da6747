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
_LARGE = threading.Lock()


@cache
def use_system_allocator() -> None:
    """Arrow on the system allocator (process-wide; a second call changes nothing)."""
    pa.set_memory_pool(pa.system_memory_pool())


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
