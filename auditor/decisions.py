"""The review's decision store: accept / reject / edit of negative proposals, in SQLite.

Engine-side code (no textual import), used by `auditor review`.

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

**Schema changes are additive.** Every table is created with `CREATE TABLE IF NOT EXISTS` on
each open, so a database of an earlier schema gains the new tables and keeps its data;
`PRAGMA user_version` records the schema (a database of a newer auditor is refused).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import platformdirs

from auditor.errors import ConfigError
from auditor.model import NegativeProposal, Period

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


class DecisionStore:
    """The SQLite decision store; every write is committed at once."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute("PRAGMA busy_timeout=5000")
            version = self._db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise ConfigError(
                    f"decisions database is from a newer auditor (schema {version})", path=path
                )
            self._db.executescript(_SCHEMA)
            self._db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        except sqlite3.DatabaseError as exc:
            raise ConfigError(f"cannot open the decisions database: {exc}", path=path) from None
        except OSError as exc:
            raise ConfigError(f"cannot create the decisions database: {exc}", path=path) from None

    def close(self) -> None:
        self._db.close()

    def _write(self, statements: Iterable[tuple[str, Sequence[object]]]) -> None:
        """Run the statements in one committed transaction."""
        with self._db:
            self._db.execute("BEGIN IMMEDIATE")
            for sql, args in statements:
                self._db.execute(sql, args)

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
        rows = self._db.execute(
            "SELECT key, label, campaigns FROM accounts WHERE currency = ? AND key LIKE 'cmp:%'",
            (currency,),
        ).fetchall()
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
        row = self._db.execute(
            "SELECT campaigns FROM accounts WHERE key = ?", (account.key,)
        ).fetchone()
        known = set(json.loads(row[0])) if row else set()
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
        rows = self._db.execute(
            "SELECT proposal_id, first_period FROM seen WHERE account = ?", (account,)
        ).fetchall()
        first = dict(rows)
        return {pid for pid in ids if first.get(pid) == period}

    def previous_period(self, account: str, period: str) -> str | None:
        """The latest report period reviewed before `period` for this account (None: this
        is the account's first review)."""
        row = self._db.execute(
            "SELECT MAX(first_period) FROM seen WHERE account = ? AND first_period != ?",
            (account, period),
        ).fetchone()
        return row[0] if row else None

    def decisions(self, account: str) -> dict[str, Decision]:
        rows = self._db.execute(
            "SELECT proposal_id, status, edits, updated_at FROM decisions WHERE account = ?",
            (account,),
        ).fetchall()
        return {pid: Decision(pid, st, json.loads(ed), at) for pid, st, ed, at in rows}

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
            change: tuple[str, Sequence[object]] = (
                "DELETE FROM decisions WHERE account = ? AND proposal_id = ?",
                (account, proposal_id),
            )
        else:
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
        rows = self._db.execute(
            "SELECT proposal, source FROM user_proposals WHERE account = ?"
            " ORDER BY created_at, rowid",
            (account,),
        ).fetchall()
        out = []
        for data, source in rows:
            fields = {k: v for k, v in json.loads(data).items() if k in USER_PROPOSAL_FIELDS}
            fields["campaigns"] = list(fields.get("campaigns") or [])
            out.append((NegativeProposal(**fields), str(source)))
        return out

    def decisions_for(self, account: str, proposal_id: str) -> Decision | None:
        row = self._db.execute(
            "SELECT status, edits, updated_at FROM decisions WHERE account = ? AND proposal_id = ?",
            (account, proposal_id),
        ).fetchone()
        return Decision(proposal_id, row[0], json.loads(row[1]), row[2]) if row else None

    def events(self, account: str, proposal_id: str | None = None) -> list[tuple[str, str, str]]:
        """(proposal id, action, time) of every event, oldest first."""
        sql = "SELECT proposal_id, action, at FROM events WHERE account = ?"
        args: list[object] = [account]
        if proposal_id is not None:
            sql += " AND proposal_id = ?"
            args.append(proposal_id)
        return [tuple(r) for r in self._db.execute(sql + " ORDER BY id", args).fetchall()]

    def record_export(
        self, account: str, path: Path, fmt: str, proposals: Sequence[NegativeProposal]
    ) -> int:
        """Store one export event and the exact negatives it wrote; return its id."""
        now = _now()
        with self._db:
            self._db.execute("BEGIN IMMEDIATE")
            cur = self._db.execute(
                "INSERT INTO exports (account, path, format, count, at) VALUES (?, ?, ?, ?, ?)",
                (account, str(path), fmt, len(proposals), now),
            )
            export_id = int(cur.lastrowid or 0)
            self._db.executemany(
                "INSERT INTO export_items (export_id, proposal_id, signature) VALUES (?, ?, ?)",
                [(export_id, p.id, signature(p)) for p in proposals],
            )
        return export_id

    def exports(self, account: str) -> list[ExportRecord]:
        rows = self._db.execute(
            "SELECT id, path, format, count, at FROM exports WHERE account = ? ORDER BY id",
            (account,),
        ).fetchall()
        return [ExportRecord(*r) for r in rows]

    def exported(self, account: str) -> dict[str, tuple[str, str]]:
        """Proposal id -> (signature, time) of its latest export for this account."""
        rows = self._db.execute(
            "SELECT i.proposal_id, i.signature, e.at FROM export_items i"
            " JOIN exports e ON e.id = i.export_id WHERE e.account = ? ORDER BY e.id",
            (account,),
        ).fetchall()
        return {pid: (sig, at) for pid, sig, at in rows}
