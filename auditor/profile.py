"""Seconds and peak memory per stage of an audit (`auditor audit --profile`, `AUDITOR_PROFILE=1`).

The engine marks its stages with `stage("rules")` and prints nothing; `profiling()` turns the
collection on for the code it wraps and hands back the `Profile`, which the CLI prints to
stderr. Outside `profiling()` a stage costs one context-variable read and, when it ends, one
`memory.trim` (freed memory back to the system, so one stage's peak does not add to the next).

Stages nest (the safety check runs inside proposing negatives): a stage's seconds are its own,
without the stages inside it, and a stage entered many times adds up (`calls`). Its peak is the
highest resident memory of the process while it ran, children included: on Linux the kernel's
high-water mark is reset when a stage starts (`/proc/self/clear_refs`); elsewhere it is the
process's peak so far. That reset also resets what the kernel reports as the process's peak
(`ru_maxrss`, `/usr/bin/time`): measure the peak from outside without `--profile`.

Stages in two threads (the proposals beside the rules, `auditor.side`) each count their own
seconds, so the stages add up to more than the total; the peak of a stage that ran beside
another is the process's, both included.
"""

from __future__ import annotations

import os
import resource
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path

from auditor.memory import trim

ENV = "AUDITOR_PROFILE"
STAGES: tuple[str, ...] = (
    "read",
    "metrics",
    "rules",
    "tracking",
    "n-grams",
    "clustering",
    "proposals",
    "safety",
    "outputs",
)
"""The stages the engine and the CLI mark, in the order of an audit."""
_STATUS = Path("/proc/self/status")
_CLEAR = Path("/proc/self/clear_refs")


def enabled_by_env() -> bool:
    """Whether `AUDITOR_PROFILE` asks for a profile (`1`, `yes`, `true`)."""
    return os.environ.get(ENV, "").strip().lower() in ("1", "yes", "true", "on")


@dataclass
class StageTime:
    name: str
    seconds: float = 0.0
    """Time in this stage, without the stages nested inside it."""
    calls: int = 0
    peak_mb: float = 0.0
    """Highest resident memory of the process while the stage ran (MB = 2**20 bytes)."""


@dataclass
class Profile:
    """What `profiling()` collected: one StageTime per stage name, in first-entered order."""

    stages: dict[str, StageTime] = field(default_factory=dict)
    total_seconds: float = 0.0
    peak_mb: float = 0.0

    def lines(self) -> list[str]:
        """The profile as a small table (what `--profile` prints to stderr)."""
        out = [f"{'stage':<12} {'seconds':>8} {'calls':>6} {'peak MB':>8}"]
        for s in self.stages.values():
            out.append(f"{s.name:<12} {s.seconds:>8.2f} {s.calls:>6,} {s.peak_mb:>8,.0f}")
        rest = self.total_seconds - sum(s.seconds for s in self.stages.values())
        out.append(f"{'other':<12} {max(rest, 0.0):>8.2f}")
        out.append(f"{'total':<12} {self.total_seconds:>8.2f} {'':>6} {self.peak_mb:>8,.0f}")
        return out


@dataclass
class _Frame:
    record: StageTime
    began: float
    nested: float = 0.0
    peak_kb: int = 0


@dataclass
class _Collector:
    profile: Profile
    stacks: dict[int, list[_Frame]] = field(default_factory=dict)
    """The open stages of each thread."""
    resettable: bool = True

    @property
    def stack(self) -> list[_Frame]:
        """The open stages of the calling thread."""
        return self.stacks.setdefault(threading.get_ident(), [])


_ACTIVE: ContextVar[_Collector | None] = ContextVar("auditor_profile", default=None)


def _high_water_kb() -> int:
    """The resident-memory high-water mark (since the last reset on Linux), in KiB."""
    try:
        for line in _STATUS.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak // 1024 if sys.platform == "darwin" else peak


def _reset_high_water(collector: _Collector) -> None:
    if not collector.resettable:
        return
    try:
        _CLEAR.write_text("5")
    except OSError:
        collector.resettable = False


@contextmanager
def profiling() -> Iterator[Profile]:
    """Collect stage times for the code inside; the Profile is complete when the block ends."""
    collector = _Collector(Profile())
    token = _ACTIVE.set(collector)
    began = time.perf_counter()
    _reset_high_water(collector)
    try:
        yield collector.profile
    finally:
        _ACTIVE.reset(token)
        collector.profile.total_seconds = time.perf_counter() - began
        peaks = [s.peak_mb for s in collector.profile.stages.values()]
        collector.profile.peak_mb = max([*peaks, _high_water_kb() / 1024])


@contextmanager
def stage(name: str, *, give_back: bool = True) -> Iterator[None]:
    """Mark the code inside as stage `name`: its freed memory goes back to the system when it
    ends (`memory.trim`; not with `give_back=False`, for a stage entered many times inside
    another, whose end gives it back: pages given back are faulted in again at the next
    allocation); its time and peak are recorded while `profiling()` is on."""
    collector = _ACTIVE.get()
    if collector is None:
        try:
            yield
        finally:
            if give_back:
                trim()
        return
    record = collector.profile.stages.setdefault(name, StageTime(name))
    if collector.stack:
        parent = collector.stack[-1]
        parent.peak_kb = max(parent.peak_kb, _high_water_kb())
    _reset_high_water(collector)
    frame = _Frame(record, time.perf_counter())
    collector.stack.append(frame)
    try:
        yield
    finally:
        if give_back:
            trim()
        collector.stack.pop()
        elapsed = time.perf_counter() - frame.began
        peak_kb = max(frame.peak_kb, _high_water_kb())
        record.seconds += elapsed - frame.nested
        record.calls += 1
        record.peak_mb = max(record.peak_mb, peak_kb / 1024)
        if collector.stack:
            parent = collector.stack[-1]
            parent.nested += elapsed
            parent.peak_kb = max(parent.peak_kb, peak_kb)
