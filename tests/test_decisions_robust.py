"""The decision store under a locked, damaged, shared or killed database: the review never
crashes, never loses an action it showed, and never writes over another review's decisions."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from auditor.audit import audit
from auditor.cli import BUNDLED_SAMPLE, sample_dir
from auditor.config import Settings
from auditor.errors import ConfigError, OutputPathError
from auditor.model import AuditResult
from auditor.review import decisions as dec
from auditor.review.state import ReviewState

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def result() -> AuditResult:
    return audit([sample_dir() / BUNDLED_SAMPLE], Settings())


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "decisions.sqlite3"


def _holder(db: Path, script: str) -> subprocess.Popen[str]:
    """Another process using the store; it prints `ready` once set up, then waits."""
    code = textwrap.dedent(
        f"""
        import sys, time
        from pathlib import Path
        from auditor.review import decisions as dec
        store = dec.DecisionStore(Path({str(db)!r}))
        """
    ) + textwrap.dedent(script)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-c", code],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "ready"
    return proc


def test_a_locked_database_keeps_the_action_and_saves_it_when_free(db: Path) -> None:
    store = dec.DecisionStore(db)
    other = sqlite3.connect(db, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    started = time.monotonic()
    store.set_status("acct", "neg-jobs", dec.STATUS_ACCEPTED)
    assert time.monotonic() - started < 2, "the UI must not freeze for the lock's 5 s"
    assert "1 action(s) not saved yet" in (store.status() or "")
    assert store.decisions("acct")["neg-jobs"].status == dec.STATUS_ACCEPTED
    store.set_edits("acct", "neg-jobs", {"text": "job"})
    assert not store.retry()
    other.execute("ROLLBACK")
    other.close()
    assert store.retry() and store.status() is None
    again = dec.DecisionStore(db).decisions("acct")["neg-jobs"]
    assert (again.status, again.edits) == (dec.STATUS_ACCEPTED, {"text": "job"})


def test_a_lock_held_by_another_process_never_crashes_the_review(
    db: Path, result: AuditResult
) -> None:
    holder = _holder(
        db,
        """
        import sqlite3
        con = sqlite3.connect(store.path, isolation_level=None)
        con.execute("BEGIN EXCLUSIVE")
        print("ready", flush=True)
        sys.stdin.readline()
        con.execute("ROLLBACK")
        """,
    )
    try:
        state = ReviewState(result, Settings(), dec.DecisionStore(db))
        pid = result.negatives[0].id
        state.set_status(pid, dec.STATUS_REJECTED)
        assert state.row(pid).status == dec.STATUS_REJECTED
        assert "not saved yet" in (state.store.status() or "")
    finally:
        holder.communicate("go\n", timeout=30)
    assert state.store.retry()
    assert dec.DecisionStore(db).decisions(state.account.key)[pid].status == "rejected"


@pytest.mark.parametrize("damage", ["wal", "replaced", "sqlite"])
def test_corruption_found_while_open_stops_writing_and_says_so(db: Path, damage: str) -> None:
    store = dec.DecisionStore(db)
    store.set_status("acct", "neg-jobs", dec.STATUS_ACCEPTED)
    if damage == "wal":
        with Path(f"{db}-wal").open("r+b") as fh:
            fh.write(b"garbage!" * 8)
    elif damage == "replaced":
        db.rename(db.with_suffix(".moved"))
        db.write_bytes(b"not the database" * 64)
    else:
        store._db = _Malformed(store._db)  # SQLite itself reports the damage
    store.set_status("acct", "neg-free", dec.STATUS_ACCEPTED)
    assert "damaged" in (store.status() or "") and "writing stopped" in (store.status() or "")
    assert store.decisions("acct")["neg-free"].status == dec.STATUS_ACCEPTED, "kept on screen"
    store.set_status("acct", "neg-kurs", dec.STATUS_REJECTED)
    assert not store.retry()
    assert "2 action(s) not saved" in (store.status() or "")


class _Malformed:
    """A connection whose every statement finds the file malformed."""

    def __init__(self, real: sqlite3.Connection) -> None:
        self.real = real

    def execute(self, *args: object) -> None:
        raise sqlite3.DatabaseError("database disk image is malformed")

    def __enter__(self) -> _Malformed:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def close(self) -> None:
        self.real.close()


def test_a_zero_byte_database_is_refused_and_left_untouched(db: Path) -> None:
    db.write_bytes(b"")
    with pytest.raises(ConfigError, match="0 bytes") as err:
        dec.DecisionStore(db)
    assert err.value.exit_code == 3
    assert db.read_bytes() == b""


def test_a_second_review_of_the_same_account_opens_read_only(db: Path) -> None:
    first = _holder(
        db,
        """
        store.claim("acct")
        store.set_status("acct", "neg-jobs", "rejected")
        print("ready", flush=True)
        sys.stdin.readline()
        store.close()
        """,
    )
    try:
        second = dec.DecisionStore(db)
        why = second.claim("acct")
        assert why is not None and f"process {first.pid}" in why
        assert second.decisions("acct")["neg-jobs"].status == dec.STATUS_REJECTED
        second.set_status("acct", "neg-jobs", dec.STATUS_ACCEPTED)
        assert (second.status() or "").startswith("read-only")
        assert not second.retry()
        other = dec.DecisionStore(db)
        assert other.decisions("acct")["neg-jobs"].status == dec.STATUS_REJECTED, "not overwritten"
        assert other.claim("other account") is None, "another account is not locked"
    finally:
        first.communicate("done\n", timeout=30)
    assert second.retry() and second.read_only is None, "taken over once the first closed"
    assert dec.DecisionStore(db).decisions("acct")["neg-jobs"].status == dec.STATUS_ACCEPTED


def test_a_read_only_review_refuses_to_export(
    db: Path, tmp_path: Path, result: AuditResult
) -> None:
    probe = ReviewState(result, Settings(), dec.DecisionStore(db))
    probe.store.close()
    holder = _holder(
        db,
        f"""
        store.claim({probe.account.key!r})
        print("ready", flush=True)
        sys.stdin.readline()
        """,
    )
    try:
        state = ReviewState(result, Settings(), dec.DecisionStore(db))
        assert state.store.read_only
        state.set_status(result.negatives[0].id, dec.STATUS_ACCEPTED)
        assert (state.store.status() or "").startswith("read-only")
        with pytest.raises(ConfigError, match="export refused"):
            state.export(tmp_path / "neg.csv", "editor", force=False)
        assert not (tmp_path / "neg.csv").exists()
    finally:
        holder.communicate("done\n", timeout=30)


def test_decisions_survive_kill_9_and_the_dead_lock_is_taken_over(db: Path) -> None:
    proc = _holder(
        db,
        """
        store.claim("acct")
        for i in range(200):
            store.set_status("acct", f"neg-{i}", "accepted" if i % 2 else "rejected")
        store.set_edits("acct", "neg-7", {"text": "seven"})
        print("ready", flush=True)
        time.sleep(60)
        """,
    )
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    store = dec.DecisionStore(db)
    assert store.claim("acct") is None, "the lock row of a dead process is taken over"
    got = store.decisions("acct")
    assert len(got) == 200
    assert got["neg-7"].edits == {"text": "seven"} and got["neg-7"].status == "accepted"
    assert got["neg-8"].status == "rejected"
    assert store.status() is None


def test_the_review_never_exports_over_its_report(tmp_path: Path) -> None:
    report = tmp_path / "report.csv"
    report.write_bytes((sample_dir() / BUNDLED_SAMPLE).read_bytes())
    before = report.read_bytes()
    result = audit([report], Settings())
    state = ReviewState(result, Settings(), dec.DecisionStore(tmp_path / "d.sqlite3"))
    state.set_status(result.negatives[0].id, dec.STATUS_ACCEPTED)
    with pytest.raises(OutputPathError, match="is the input"):
        state.export(tmp_path / "sub" / ".." / "report.csv", "editor", force=True)
    assert report.read_bytes() == before
