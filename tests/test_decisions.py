"""The decision store: every decision survives a crash, accounts are recognised week to week."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from auditor import schema
from auditor.errors import ConfigError
from auditor.model import NegativeProposal, Period
from auditor.review import decisions as dec


def table(campaigns: list[str], account: str | None = None) -> pd.DataFrame:
    t = schema.empty_table(len(campaigns))
    t["campaign"] = pd.Series(campaigns, dtype=schema.STRING_DTYPE)
    t["search_term"] = pd.Series([f"term {i}" for i in range(len(campaigns))], dtype="string")
    if account is not None:
        t["account"] = pd.Series([account] * len(campaigns), dtype=schema.STRING_DTYPE)
    return t


def proposal(text: str = "jobs", **kw: object) -> NegativeProposal:
    base: dict[str, object] = {
        "id": f"neg-{text}",
        "text": text,
        "match_type": "phrase",
        "level": "campaign",
        "campaign": "Boots - Generic",
        "family": "jobs",
    }
    return NegativeProposal(**(base | kw))  # type: ignore[arg-type]


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "sub" / "decisions.sqlite3"


def test_decisions_are_committed_when_made(db: Path) -> None:
    store = dec.DecisionStore(db)
    store.set_status("acct", "neg-jobs", dec.STATUS_ACCEPTED)
    store.set_edits("acct", "neg-free", {"text": "free download"})
    # Another process reading the file while the app still runs (or after it was killed)
    # sees every decision: nothing waits for a clean exit.
    other = sqlite3.connect(db)
    rows = dict(other.execute("SELECT proposal_id, status FROM decisions").fetchall())
    assert rows == {"neg-jobs": "accepted", "neg-free": "pending"}
    assert other.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    other.close()
    store.close()
    again = dec.DecisionStore(db).decisions("acct")
    assert again["neg-jobs"].status == dec.STATUS_ACCEPTED
    assert again["neg-free"].edits == {"text": "free download"}


def test_status_change_keeps_edits_and_logs_every_event(db: Path) -> None:
    store = dec.DecisionStore(db)
    store.set_edits("acct", "neg-jobs", {"match_type": "exact"})
    store.set_status("acct", "neg-jobs", dec.STATUS_REJECTED)
    store.set_status("acct", "neg-jobs", dec.STATUS_ACCEPTED)
    d = store.decisions("acct")["neg-jobs"]
    assert (d.status, d.edits) == (dec.STATUS_ACCEPTED, {"match_type": "exact"})
    assert [a for _, a, _ in store.events("acct", "neg-jobs")] == ["edit", "rejected", "accepted"]
    with pytest.raises(ValueError):
        store.set_status("acct", "neg-jobs", "maybe")


def test_same_account_next_week_despite_a_new_campaign(db: Path) -> None:
    store = dec.DecisionStore(db)
    week1 = store.resolve_account(table(["Boots", "Tents", "Brand"]), "USD")
    week2 = store.resolve_account(table(["Boots", "Tents", "Brand", "Jackets"]), "USD")
    assert week2.key == week1.key
    other_currency = store.resolve_account(table(["Boots", "Tents", "Brand"]), "EUR")
    assert other_currency.key != week1.key
    other_account = store.resolve_account(table(["Cars", "Vans"]), "USD")
    assert other_account.key != week1.key


def test_account_name_column_decides_when_present(db: Path) -> None:
    store = dec.DecisionStore(db)
    a = store.resolve_account(table(["Boots"], account="Outdoor Shop"), "SEK")
    b = store.resolve_account(table(["Something else"], account="Outdoor Shop"), "SEK")
    c = store.resolve_account(table(["Boots"], account="Other Client"), "SEK")
    assert a.key == b.key != c.key
    assert "Outdoor Shop" in a.label


def test_new_means_first_shown_by_this_report_period(db: Path) -> None:
    store = dec.DecisionStore(db)
    w1 = dec.period_label(Period(date(2026, 11, 2), date(2026, 11, 8)))
    w2 = dec.period_label(Period(date(2026, 11, 9), date(2026, 11, 15)))
    assert store.mark_seen("acct", ["a", "b"], w1) == {"a", "b"}
    assert store.mark_seen("acct", ["a", "b"], w1) == {"a", "b"}  # reopened: still this week's
    assert store.mark_seen("acct", ["a", "b", "c"], w2) == {"c"}
    assert store.mark_seen("other", ["a"], w2) == {"a"}  # accounts are apart


def test_edits_round_trip_onto_the_engine_proposal() -> None:
    original = proposal()
    edited = proposal(
        id=original.id,
        text="jobs hiring",
        match_type="exact",
        level="shared_list",
        campaign=None,
        list_name="auditor negatives",
        campaigns=["A", "B"],
    )
    edits = dec.edits_between(original, edited)
    assert set(edits) == {"text", "match_type", "level", "campaign", "list_name", "campaigns"}
    assert dec.apply_edits(original, edits) == edited
    assert dec.signature(edited) != dec.signature(original)


def test_exports_remember_the_exact_negatives_written(db: Path, tmp_path: Path) -> None:
    store = dec.DecisionStore(db)
    p, q = proposal("jobs"), proposal("free", family="free")
    store.record_export("acct", tmp_path / "week1.csv", "editor", [p, q])
    store.record_export("acct", tmp_path / "week2.csv", "microsoft", [p])
    exports = store.exports("acct")
    assert [(e.format, e.count) for e in exports] == [("editor", 2), ("microsoft", 1)]
    marks = store.exported("acct")
    assert marks["neg-jobs"][0] == dec.signature(p)
    assert marks["neg-free"][0] == dec.signature(q)
    assert store.exported("other") == {}


def test_a_damaged_database_is_a_one_line_error(tmp_path: Path) -> None:
    bad = tmp_path / "decisions.sqlite3"
    bad.write_bytes(b"this is not a database" * 100)
    with pytest.raises(ConfigError) as err:
        dec.DecisionStore(bad)
    assert str(bad) in err.value.one_line()
    assert "\n" not in err.value.one_line()


def test_default_location_is_the_user_data_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dec.platformdirs, "user_data_dir", lambda app: f"/data/{app}")
    assert dec.default_db_path() == Path("/data/auditor/decisions.sqlite3")


def test_user_proposals_are_stored_accepted_and_read_back(db: Path) -> None:
    store = dec.DecisionStore(db)
    store.set_edits("acct", "neg-skidjacka", {"match_type": "phrase"})
    p = proposal("skidjacka", id="neg-skidjacka", match_type="exact", family="added")
    store.add_user_proposal("acct", p, "exact|skidjacka")
    store.close()
    again = dec.DecisionStore(db)
    [(back, source)] = again.user_proposals("acct")
    assert (back, source) == (p, "exact|skidjacka")
    d = again.decisions("acct")["neg-skidjacka"]
    assert (d.status, d.edits) == (dec.STATUS_ACCEPTED, {"match_type": "phrase"}), "edits kept"
    assert [a for _, a, _ in again.events("acct", "neg-skidjacka")] == ["edit", "propose"]
    assert again.user_proposals("other") == []


def test_a_database_of_the_first_schema_is_migrated_in_place(db: Path) -> None:
    db.parent.mkdir(parents=True)
    old = sqlite3.connect(db)
    old.executescript(
        "CREATE TABLE decisions (account TEXT NOT NULL, proposal_id TEXT NOT NULL,"
        " status TEXT NOT NULL, edits TEXT NOT NULL DEFAULT '{}', updated_at TEXT NOT NULL,"
        " PRIMARY KEY (account, proposal_id));"
        "INSERT INTO decisions VALUES ('acct', 'neg-jobs', 'accepted', '{}', '2026-11-01');"
        "PRAGMA user_version=1;"
    )
    old.close()
    store = dec.DecisionStore(db)
    assert store.decisions("acct")["neg-jobs"].status == dec.STATUS_ACCEPTED
    store.add_user_proposal("acct", proposal("free", id="neg-free"), "phrase|free")
    assert [p.id for p, _ in store.user_proposals("acct")] == ["neg-free"]
    store.close()
    with sqlite3.connect(db) as con:
        assert con.execute("PRAGMA user_version").fetchone()[0] == dec.SCHEMA_VERSION == 2
