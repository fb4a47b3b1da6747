"""The review's decision store: accept / reject / edit of negative proposals, in SQLite.

Engine-side code (no textual import), used by `auditor review`. Over 500 lines: one class, the
store, whose methods share one connection, the queue of writes not saved yet and the overlay that
reads answer from; cut apart, each half would need the other's internals.

One database holds every account (default: `decisions.sqlite3` in
`platformdirs.user_data_dir("auditor")`; `auditor review --db FILE` chooses another). Every
decision is committed the moment it is made, in WAL mode with `synchronous=FULL`, so a crash, a
killed terminal or a power cut loses nothing that was shown as decided.

**Account key.** Reports carry no customer ID, so the account is recognised from the report:
- with an `Account` column (manager-account downloads): the sorted account names + currency;
- otherwise by its campaigns + currency: a stored account with the same currency whose campaign
  set shares at least half of the union with this report's campaigns is the same account (a new
  or paused campaign does not make a new account); the stored set then grows by the new names.
  A report without campaign names (Performance Max downloads) falls back to the currency alone.
Use `--db` to keep accounts that cannot be told apart in separate files.

**What is remembered.** Per account and proposal id (ids are stable across weeks: derived from
text, match type, level and target): the status (`pending`, `accepted`, `rejected`), the
user's edits (text, match type, level and target), every event in an append-only log, which
report period first showed the proposal (so next week's review lists new proposals first), and
every export (file, format, time, and the exact negatives written), and the negatives the user
proposed from the held-back / review list (`user_proposals`: the proposal as first added, where
it came from; its status and later edits live in `decisions` like any other proposal's).

**Never a crash, never a silent loss** (the review app must stay usable whatever the file does):
- A write the database refuses for a while (locked by another process, disk busy) is kept in
  memory, in order, and retried (`retry`, on a timer in the app, and before every later
  write); `status()` says how many actions are not saved yet. Reads answer from the stored
  rows with the unsaved actions laid over them, so the review shows what the user did.
- Corruption found while open (SQLite says the file is malformed or not a database) stops
  every later write; `status()` says so and the unsaved actions stay on screen.
- A file that is 0 bytes, or fails `PRAGMA quick_check`, is refused when opened (exit 3),
  never started afresh over: it is left untouched.
- One review per account at a time: `claim(account)` writes a lock row with the process id and
  host (`sessions`). A second app on the same account, while that process lives, opens
  read-only: its decisions are shown but not saved (export is refused), and `status()` says
  why. A lock row of a process that died (kill -9) is taken over; a row of another host is
  taken over after `STALE_LOCK_HOURS`.

**Schema changes are additive.** Every table is created with `CREATE TABLE IF NOT EXISTS` on
each open, so a database of an earlier schema gains the new tables and keeps its data;
`PRAGMA user_version` records the schema (a database of a newer auditor is refused).
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import platformdirs

from auditor.errors import ConfigError
from auditor.model import NegativeProposal, Period
from auditor.output.csvio import process_alive

STATUS_PENDING = "pending"
STATUS_ACCEPTED = "accepted"
STATUS_REJECTED = "rejected"
STATUSES: tuple[str, ...] = (STATUS_PENDING, STATUS_ACCEPTED, STATUS_REJECTED)
EDIT_FIELDS: tuple[str, ...] = (
    "text",
    "match_type",
    "level",
    "campaign",
    "ad_group",
    "list_name",
    "campaigns",
)
SAME_ACCOUNT_OVERLAP = 0.5
"""Jaccard overlap of campaign sets above which two reports are the same account."""
DB_FILE_NAME = "decisions.sqlite3"
SCHEMA_VERSION = 2
BUSY_MS = 250
"""How long one write waits for a lock before it is kept in memory (the UI must not freeze)."""
STALE_LOCK_HOURS = 12

_SCHEMA = """
CREATE TABLE IF NOT EXISTS accounts (
    key TEXT PRIMARY KEY,
    label TEXT NOT NULL,
    currency TEXT NOT NULL,
    campaigns TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_seen TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS seen (
    account TEXT NOT NULL,
    proposal_id TEXT NOT NULL,
    first_period TEXT NOT NULL,
    first_seen TEXT NOT NULL,
    PRIMARY KEY (account, proposal_id)
);
CREATE TABLE IF NOT EXISTS decisions (
    account TEXT NOT NULL,
    proposal_id TEXT NOT NULL,
    status TEXT NOT NULL,
    edits TEXT NOT NULL DEFAULT '{}',
    updated_at TEXT NOT NULL,
    PRIMARY KEY (account, proposal_id)
);
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account TEXT NOT NULL,
    proposal_id TEXT NOT NULL,
    action TEXT NOT NULL,
    detail TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS exports (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account TEXT NOT NULL,
    path TEXT NOT NULL,
    format TEXT NOT NULL,
    count INTEGER NOT NULL,
    at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS export_items (
    export_id INTEGER NOT NULL REFERENCES exports(id),
    proposal_id TEXT NOT NULL,
    signature TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS export_items_proposal ON export_items (proposal_id);
CREATE TABLE IF NOT EXISTS sessions (
    account TEXT PRIMARY KEY,
    pid INTEGER NOT NULL,
    host TEXT NOT NULL,
    started TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS user_proposals (
    account TEXT NOT NULL,
    proposal_id TEXT NOT NULL,
    proposal TEXT NOT NULL,
    source TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (account, proposal_id)
);
"""
USER_PROPOSAL_FIELDS: tuple[str, ...] = ("id", *EDIT_FIELDS, "family", "intent", "reason")
"""What is stored of a user's proposal; its blast radius is recomputed from each report."""


@dataclass(frozen=True)
class Account:
    """The account a report belongs to, as the store knows it."""

    key: str
    label: str
    how: str
    """How it was recognised, in words (shown in the app)."""


@dataclass(frozen=True)
class Decision:
    """The current decision on one proposal."""

    proposal_id: str
    status: str
    edits: dict[str, object]
    updated_at: str


@dataclass(frozen=True)
class ExportRecord:
    id: int
    path: str
    format: str
    count: int
    at: str


def default_db_path() -> Path:
    """`decisions.sqlite3` in the user's data folder (created on first use)."""
    return Path(platformdirs.user_data_dir("auditor")) / DB_FILE_NAME


def period_label(period: Period | None) -> str:
    """The report period as stored (`2026-11-01..2026-11-07`; `unknown` without dates)."""
    if period is None:
        return "unknown"
    return f"{period.start.isoformat()}..{period.end.isoformat()}"


def signature(p: NegativeProposal) -> str:
    """What makes two versions of a proposal the same negative in an export file."""
    target = p.list_name if p.level == "shared_list" else f"{p.campaign}|{p.ad_group}"
    return f"{p.match_type}|{p.level}|{target}|{p.text.casefold()}"


def apply_edits(proposal: NegativeProposal, edits: dict[str, object]) -> NegativeProposal:
    """The proposal with the user's stored edits laid over it."""
    changes = {k: v for k, v in edits.items() if k in EDIT_FIELDS}
    if "campaigns" in changes:
        changes["campaigns"] = list(changes["campaigns"])  # type: ignore[arg-type]
    return replace(proposal, **changes)  # type: ignore[arg-type]


def edits_between(original: NegativeProposal, edited: NegativeProposal) -> dict[str, object]:
    """The editable fields that differ between the engine's proposal and the user's version."""
    return {
        f: getattr(edited, f) for f in EDIT_FIELDS if getattr(original, f) != getattr(edited, f)
    }


def _names(series: pd.Series) -> list[str]:
    values = series.dropna().astype(str).str.strip()
    return sorted(v for v in values.unique().tolist() if v)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _jaccard(a: set[str], b: set[str]) -> float:
    union = a | b
    return len(a & b) / len(union) if union else 0.0


Statement = tuple[str, Sequence[object]]


WAL_MAGIC = (b"\x37\x7f\x06\x82", b"\x37\x7f\x06\x83")


def damage(path: Path, inode: tuple[int, int] | None) -> str | None:
    """What is visibly wrong with the open database (removed, replaced by another file,
    emptied, its write-ahead log overwritten), or None. Cheap, checked before every write.

    The database file itself is only `stat`ed, never opened: closing another descriptor of it
    would drop SQLite's POSIX locks in this process. The log file holds no such lock."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return "the file was removed"
    except OSError as exc:
        return f"cannot read it: {exc.strerror or exc}"
    if inode is not None and (st.st_dev, st.st_ino) != inode:
        return "the file was replaced by another"
    wal = Path(f"{path}-wal")
    try:
        with open(wal, "rb") as fh:
            magic = fh.read(4)
    except FileNotFoundError:
        magic = b""
    except OSError as exc:
        return f"cannot read its log: {exc.strerror or exc}"
    if st.st_size == 0 and not magic:
        return "the file was emptied"
    if len(magic) == 4 and magic not in WAL_MAGIC:
        return "its write-ahead log was overwritten"
    return None


def _check_file(path: Path) -> None:
    """ConfigError for a file that cannot be a decisions database (0 bytes: damaged)."""
    if path.exists() and not path.is_file():
        raise ConfigError("the decisions database is not a regular file", path=path)
    if path.is_file() and path.stat().st_size == 0:
        raise ConfigError(
            "the decisions database is empty (0 bytes): damaged, so it was left untouched;"
            " restore a backup, delete it to start afresh, or use --db",
            path=path,
        )


class DecisionStore:
    """The SQLite decision store; every write is committed at once (or kept and retried)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.read_only: str | None = None
        """Why this store does not write (another review holds the account), or None."""
        self.broken: str | None = None
        """Why writing stopped (corruption found while open), or None."""
        self.problem: str | None = None
        """The last error of a write that is kept for a retry."""
        self._pending: list[list[Statement]] = []
        self._overlay: dict[tuple[str, str], Decision] = {}
        self._exported_overlay: dict[str, dict[str, tuple[str, str]]] = {}
        self._claimed: set[str] = set()
        self._wanted: str | None = None
        self._user_overlay: dict[str, dict[str, tuple[NegativeProposal, str]]] = {}
        try:
            _check_file(path)
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
            self._db.execute(f"PRAGMA busy_timeout={BUSY_MS * 20}")
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            if self._db.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise sqlite3.DatabaseError("quick_check failed")
            version = self._db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise ConfigError(
                    f"decisions database is from a newer auditor (schema {version})", path=path
                )
            if version < SCHEMA_VERSION or not self._has_sessions():
                self._db.executescript(_SCHEMA)
                self._db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
            self._db.execute(f"PRAGMA busy_timeout={BUSY_MS}")
            st = os.stat(path)
            self._inode: tuple[int, int] | None = (st.st_dev, st.st_ino)
        except sqlite3.DatabaseError as exc:
            raise ConfigError(
                f"cannot open the decisions database: {exc}; it was left untouched", path=path
            ) from None
        except OSError as exc:
            raise ConfigError(f"cannot create the decisions database: {exc}", path=path) from None

    def _has_sessions(self) -> bool:
        """Whether the file has every table (the lock table is the newest)."""
        found = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sessions'"
        return self._db.execute(found).fetchone() is not None

    def close(self) -> None:
        """Release this process's account locks (best effort) and close."""
        self.retry()
        for account in self._claimed if not (self.broken or self.read_only) else ():
            try:
                self._run(
                    [("DELETE FROM sessions WHERE account = ? AND pid = ?", (account, os.getpid()))]
                )
            except sqlite3.Error:
                continue
        self._db.close()

    # ------------------------------------------------------------------ resilience

    def status(self) -> str | None:
        """What the user must know about saving, in one line; None when all is saved."""
        n = len(self._pending)
        if self.broken:
            return (
                f"decisions database damaged ({self.broken}): writing stopped,"
                f" {n} action(s) not saved"
            )
        if self.read_only:
            return f"read-only: {self.read_only}; {n} action(s) not saved"
        if n:
            return f"{n} action(s) not saved yet ({self.problem}): retrying"
        return None

    def _run(self, statements: Sequence[Statement]) -> None:
        with self._db:
            self._db.execute("BEGIN IMMEDIATE")
            for sql, args in statements:
                self._db.execute(sql, args)

    def retry(self) -> bool:
        """Write the actions kept in memory, oldest first; True when nothing is left."""
        if self.read_only and self._pending:
            self._try_claim_again()
        while self._pending and not self.broken and not self.read_only:
            self.broken = damage(self.path, self._inode)
            if self.broken:
                return False
            try:
                self._run(self._pending[0])
            except sqlite3.OperationalError as exc:
                self.problem = str(exc)
                return False
            except sqlite3.DatabaseError as exc:
                self.broken = str(exc)
                return False
            self._pending.pop(0)
        if not self._pending:
            self.problem = None
        return not self._pending

    def _write(self, statements: Iterable[Statement]) -> None:
        """Run the statements in one committed transaction, or keep them for `retry`."""
        self._pending.append(list(statements))
        self.retry()

    def _read(self, sql: str, args: Sequence[object]) -> list[tuple]:
        """Rows of a query; none when the database cannot answer (the overlay still does)."""
        if self.broken:
            return []
        try:
            return self._db.execute(sql, args).fetchall()
        except sqlite3.OperationalError as exc:
            self.problem = str(exc)
            return []
        except sqlite3.DatabaseError as exc:
            self.broken = str(exc)
            return []

    # ------------------------------------------------------------------ one review per account

    def claim(self, account: str) -> str | None:
        """Take the account's lock row for this process; None, or why the store is read-only
        (another live review holds it)."""
        self._wanted = account
        rows = self._read("SELECT pid, host, started FROM sessions WHERE account = ?", (account,))
        if rows and self._held_by_other(*rows[0]):
            pid, host, started = rows[0]
            self.read_only = (
                f"another auditor review (process {pid} on {host}, since {started}) has this"
                " account open"
            )
            return self.read_only
        self._write(
            [
                (
                    "INSERT INTO sessions (account, pid, host, started) VALUES (?, ?, ?, ?)"
                    " ON CONFLICT(account) DO UPDATE SET pid = excluded.pid,"
                    " host = excluded.host, started = excluded.started",
                    (account, os.getpid(), socket.gethostname(), _now()),
                )
            ]
        )
        self._claimed.add(account)
        return None

    def _held_by_other(self, pid: int, host: str, started: str) -> bool:
        if int(pid) == os.getpid() and host == socket.gethostname():
            return False
        if host == socket.gethostname():
            return process_alive(int(pid))
        try:
            age = datetime.now(UTC) - datetime.fromisoformat(started)
        except ValueError:
            return False
        return age < timedelta(hours=STALE_LOCK_HOURS)

    def _try_claim_again(self) -> None:
        """A read-only store whose other review has ended takes the account over."""
        if self._wanted is not None:
            self.read_only = None
            self.claim(self._wanted)

    def resolve_account(self, table: pd.DataFrame, currency: str | None) -> Account:
        """Recognise (or register) the account a canonical search-terms table belongs to."""
        cur = currency or "unknown currency"
        accounts = _names(table["account"]) if "account" in table else []
        campaigns = _names(table["campaign"]) if "campaign" in table else []
        if accounts:
            key = "name:" + _hash("\n".join([*accounts, cur]))
            account = Account(key, f"{', '.join(accounts)} ({cur})", "account name + currency")
        elif campaigns:
            account = self._by_campaigns(set(campaigns), cur)
        else:
            key = "currency:" + _hash(cur)
            account = Account(key, f"unnamed account ({cur})", "currency only (no campaign names)")
        self._register(account, cur, campaigns)
        return account

    def rename_account(self, account: Account, name: str) -> Account:
        """Give a recognised account the user's name (`--account`, `[account] name`): the
        store keeps it as its label, and the account keeps its history."""
        self._write([("UPDATE accounts SET label = ? WHERE key = ?", (name, account.key))])
        return replace(account, label=name, how=f"{account.how}, named by you")

    def _by_campaigns(self, campaigns: set[str], currency: str) -> Account:
        rows = self._read(
            "SELECT key, label, campaigns FROM accounts WHERE currency = ? AND key LIKE 'cmp:%'",
            (currency,),
        )
        scored = [(_jaccard(campaigns, set(json.loads(c))), k, lab) for k, lab, c in rows]
        best = max(scored, default=None)
        how = "campaign names + currency"
        if best is not None and best[0] >= SAME_ACCOUNT_OVERLAP:
            return Account(best[1], best[2], how)
        key = "cmp:" + _hash("\n".join([*sorted(campaigns), currency]))
        first = sorted(campaigns)[0]
        more = f" + {len(campaigns) - 1} more" if len(campaigns) > 1 else ""
        return Account(key, f"{first}{more} ({currency})", how)

    def _register(self, account: Account, currency: str, campaigns: list[str]) -> None:
        rows = self._read("SELECT campaigns FROM accounts WHERE key = ?", (account.key,))
        known = set(json.loads(rows[0][0])) if rows else set()
        merged = json.dumps(sorted(known | set(campaigns)), ensure_ascii=False)
        now = _now()
        self._write(
            [
                (
                    "INSERT INTO accounts (key, label, currency, campaigns, created_at, last_seen)"
                    " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(key) DO UPDATE SET"
                    " campaigns = excluded.campaigns, last_seen = excluded.last_seen",
                    (account.key, account.label, currency, merged, now, now),
                )
            ]
        )

    def mark_seen(self, account: str, proposal_ids: Iterable[str], period: str) -> set[str]:
        """Record the proposals this report shows; return those first seen in this `period`.

        A proposal is new when no review of an earlier (different) report period showed it;
        reopening the same report keeps this week's new ones new.
        """
        ids = list(dict.fromkeys(proposal_ids))
        now = _now()
        self._write(
            (
                "INSERT OR IGNORE INTO seen (account, proposal_id, first_period, first_seen)"
                " VALUES (?, ?, ?, ?)",
                (account, pid, period, now),
            )
            for pid in ids
        )
        rows = self._read(
            "SELECT proposal_id, first_period FROM seen WHERE account = ?", (account,)
        )
        first = dict(rows)
        return {pid for pid in ids if first.get(pid, period) == period}

    def previous_period(self, account: str, period: str) -> str | None:
        """The latest report period reviewed before `period` for this account (None: this
        is the account's first review)."""
        rows = self._read(
            "SELECT MAX(first_period) FROM seen WHERE account = ? AND first_period != ?",
            (account, period),
        )
        return rows[0][0] if rows else None

    def decisions(self, account: str) -> dict[str, Decision]:
        rows = self._read(
            "SELECT proposal_id, status, edits, updated_at FROM decisions WHERE account = ?",
            (account,),
        )
        out = {pid: Decision(pid, st, json.loads(ed), at) for pid, st, ed, at in rows}
        out.update({pid: d for (acc, pid), d in self._overlay.items() if acc == account})
        return out

    def _save(
        self,
        account: str,
        pid: str,
        status: str,
        edits: dict[str, object],
        action: str,
        detail: dict[str, object],
    ) -> None:
        now = _now()
        edits_json = json.dumps(edits, ensure_ascii=False, sort_keys=True)
        self._overlay[(account, pid)] = Decision(pid, status, dict(edits), now)
        self._write(
            [
                (
                    "INSERT INTO decisions (account, proposal_id, status, edits, updated_at)"
                    " VALUES (?, ?, ?, ?, ?) ON CONFLICT(account, proposal_id) DO UPDATE SET"
                    " status = excluded.status, edits = excluded.edits,"
                    " updated_at = excluded.updated_at",
                    (account, pid, status, edits_json, now),
                ),
                (
                    "INSERT INTO events (account, proposal_id, action, detail, at)"
                    " VALUES (?, ?, ?, ?, ?)",
                    (account, pid, action, json.dumps(detail, ensure_ascii=False), now),
                ),
            ]
        )

    def set_status(self, account: str, proposal_id: str, status: str) -> None:
        """Accept, reject or reset a proposal (its edits are kept)."""
        if status not in STATUSES:
            raise ValueError(f"unknown status {status!r}")
        current = self.decisions_for(account, proposal_id)
        edits = current.edits if current else {}
        self._save(account, proposal_id, status, edits, status, {})

    def set_edits(self, account: str, proposal_id: str, edits: dict[str, object]) -> None:
        """Store the user's version of a proposal (the full set of edits, not a delta)."""
        current = self.decisions_for(account, proposal_id)
        status = current.status if current else STATUS_PENDING
        self._save(account, proposal_id, status, edits, "edit", edits)

    def add_user_proposal(self, account: str, proposal: NegativeProposal, source: str) -> None:
        """Store a negative the user proposed (from `source`, a held-back item) as accepted.

        Edits already stored under the same id are kept; the proposal, its accepted status and
        a `propose` event are committed in one transaction.
        """
        data = {f: getattr(proposal, f) for f in USER_PROPOSAL_FIELDS}
        now = _now()
        current = self.decisions_for(account, proposal.id)
        edits = current.edits if current else {}
        self._overlay[(account, proposal.id)] = Decision(proposal.id, STATUS_ACCEPTED, edits, now)
        self._user_overlay.setdefault(account, {})[proposal.id] = (proposal, source)
        self._write(
            [
                (
                    "INSERT INTO user_proposals (account, proposal_id, proposal, source,"
                    " created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT(account, proposal_id)"
                    " DO UPDATE SET proposal = excluded.proposal, source = excluded.source",
                    (account, proposal.id, json.dumps(data, ensure_ascii=False), source, now),
                ),
                (
                    "INSERT INTO decisions (account, proposal_id, status, updated_at)"
                    " VALUES (?, ?, ?, ?) ON CONFLICT(account, proposal_id) DO UPDATE SET"
                    " status = excluded.status, updated_at = excluded.updated_at",
                    (account, proposal.id, STATUS_ACCEPTED, now),
                ),
                (
                    "INSERT INTO events (account, proposal_id, action, detail, at)"
                    " VALUES (?, ?, ?, ?, ?)",
                    (account, proposal.id, "propose", json.dumps({"source": source}), now),
                ),
            ]
        )

    def restore_decision(
        self, account: str, proposal_id: str, decision: Decision | None, action: str
    ) -> None:
        """Put a proposal's stored decision back as it was (the app's undo / redo): its
        status and edits, or no decision at all; logged as an `action` event."""
        now = _now()
        if decision is None:
            self._overlay.pop((account, proposal_id), None)
            change: Statement = (
                "DELETE FROM decisions WHERE account = ? AND proposal_id = ?",
                (account, proposal_id),
            )
        else:
            self._overlay[(account, proposal_id)] = replace(decision, updated_at=now)
            change = (
                "INSERT INTO decisions (account, proposal_id, status, edits, updated_at)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT(account, proposal_id) DO UPDATE SET"
                " status = excluded.status, edits = excluded.edits,"
                " updated_at = excluded.updated_at",
                (
                    account,
                    proposal_id,
                    decision.status,
                    json.dumps(decision.edits, ensure_ascii=False, sort_keys=True),
                    now,
                ),
            )
        detail = {"status": decision.status if decision else None}
        event = (
            "INSERT INTO events (account, proposal_id, action, detail, at) VALUES (?, ?, ?, ?, ?)",
            (account, proposal_id, action, json.dumps(detail), now),
        )
        self._write([change, event])

    def remove_user_proposal(self, account: str, proposal_id: str) -> None:
        """Forget a negative the user proposed (undone): the proposal and its decision."""
        self._overlay.pop((account, proposal_id), None)
        self._user_overlay.get(account, {}).pop(proposal_id, None)
        self._write(
            [
                (
                    "DELETE FROM user_proposals WHERE account = ? AND proposal_id = ?",
                    (account, proposal_id),
                ),
                (
                    "DELETE FROM decisions WHERE account = ? AND proposal_id = ?",
                    (account, proposal_id),
                ),
            ]
        )

    def user_proposals(self, account: str) -> list[tuple[NegativeProposal, str]]:
        """The user's own proposals of this account with their source, oldest first."""
        rows = self._read(
            "SELECT proposal, source FROM user_proposals WHERE account = ?"
            " ORDER BY created_at, rowid",
            (account,),
        )
        out = []
        for data, source in rows:
            fields = {k: v for k, v in json.loads(data).items() if k in USER_PROPOSAL_FIELDS}
            fields["campaigns"] = list(fields.get("campaigns") or [])
            out.append((NegativeProposal(**fields), str(source)))
        unsaved = self._user_overlay.get(account, {})
        out = [(p, src) for p, src in out if p.id not in unsaved]
        return out + list(unsaved.values())

    def decisions_for(self, account: str, proposal_id: str) -> Decision | None:
        if (account, proposal_id) in self._overlay:
            return self._overlay[(account, proposal_id)]
        rows = self._read(
            "SELECT status, edits, updated_at FROM decisions WHERE account = ? AND proposal_id = ?",
            (account, proposal_id),
        )
        return (
            Decision(proposal_id, rows[0][0], json.loads(rows[0][1]), rows[0][2]) if rows else None
        )

    def events(self, account: str, proposal_id: str | None = None) -> list[tuple[str, str, str]]:
        """(proposal id, action, time) of every event, oldest first."""
        sql = "SELECT proposal_id, action, at FROM events WHERE account = ?"
        args: list[object] = [account]
        if proposal_id is not None:
            sql += " AND proposal_id = ?"
            args.append(proposal_id)
        return [tuple(r) for r in self._read(sql + " ORDER BY id", args)]

    def record_export(
        self, account: str, path: Path, fmt: str, proposals: Sequence[NegativeProposal]
    ) -> None:
        """Store one export event and the exact negatives it wrote (kept for a retry when the
        database cannot take it now; shown as exported meanwhile)."""
        now = _now()
        marks = self._exported_overlay.setdefault(account, {})
        marks.update({p.id: (signature(p), now) for p in proposals})
        items = [
            (
                "INSERT INTO export_items (export_id, proposal_id, signature)"
                " VALUES ((SELECT max(id) FROM exports), ?, ?)",
                (p.id, signature(p)),
            )
            for p in proposals
        ]
        self._write(
            [
                (
                    "INSERT INTO exports (account, path, format, count, at) VALUES (?, ?, ?, ?, ?)",
                    (account, str(path), fmt, len(proposals), now),
                ),
                *items,
            ]
        )

    def exports(self, account: str) -> list[ExportRecord]:
        rows = self._read(
            "SELECT id, path, format, count, at FROM exports WHERE account = ? ORDER BY id",
            (account,),
        )
        return [ExportRecord(*r) for r in rows]

    def exported(self, account: str) -> dict[str, tuple[str, str]]:
        """Proposal id -> (signature, time) of its latest export for this account."""
        rows = self._read(
            "SELECT i.proposal_id, i.signature, e.at FROM export_items i"
            " JOIN exports e ON e.id = i.export_id WHERE e.account = ? ORDER BY e.id",
            (account,),
        )
        out = {pid: (sig, at) for pid, sig, at in rows}
        out.update(self._exported_overlay.get(account, {}))
        return out
