"""The review's core without widgets: ordering, memory across weeks, filters, savings."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from auditor.audit import audit
from auditor.cli import BUNDLED_SAMPLE, sample_dir
from auditor.config import Settings
from auditor.model import AuditResult
from auditor.negatives import proposal_id
from auditor.review import decisions as dec
from auditor.review.frames import filter_findings, filter_ngrams
from auditor.review.rows import negative_syntax, typed_edit
from auditor.review.state import ReviewState


@pytest.fixture(scope="module")
def result() -> AuditResult:
    return audit([sample_dir() / BUNDLED_SAMPLE], Settings())


def next_week(result: AuditResult) -> AuditResult:
    """The same account a week later (same proposals, a later period)."""
    assert result.period is not None
    shift = timedelta(days=result.period.days)
    period = replace(
        result.period, start=result.period.start + shift, end=result.period.end + shift
    )
    return replace(result, period=period)


def open_state(result: AuditResult, db: Path) -> ReviewState:
    return ReviewState(result, Settings(), dec.DecisionStore(db))


def test_next_week_lists_new_proposals_first_and_hides_rejected(
    result: AuditResult, tmp_path: Path
) -> None:
    db = tmp_path / "d.sqlite3"
    last_week = replace(result, negatives=result.negatives[2:], period=result.period)
    week1 = open_state(last_week, db)
    assert all(r.new for r in week1.rows)
    rejected, accepted = week1.visible()[0].id, week1.visible()[1].id
    week1.set_status(rejected, dec.STATUS_REJECTED)
    week1.set_status(accepted, dec.STATUS_ACCEPTED)

    week2 = open_state(next_week(result), db)
    assert week2.account.key == week1.account.key
    fresh = {p.id for p in result.negatives[:2]}
    assert {r.id for r in week2.rows if r.new} == fresh
    order = [r.id for r in week2.visible()]
    assert set(order[: len(fresh)]) == fresh, "new proposals come first"
    assert rejected not in order, "a rejected proposal is not shown again"
    assert order.index(accepted) > max(order.index(i) for i in fresh)
    assert week2.row(accepted).status == dec.STATUS_ACCEPTED
    week2.show_rejected = True
    assert week2.visible()[-1].id == rejected, "shown on request, at the bottom"


def test_families_stay_together(result: AuditResult, tmp_path: Path) -> None:
    families = [r.current.family for r in open_state(result, tmp_path / "d.sqlite3").visible()]
    seen: list[str] = []
    for f in families:
        if not seen or seen[-1] != f:
            assert f not in seen, f"family {f!r} is split"
            seen.append(f)


def test_edits_are_replayed_and_remembered(result: AuditResult, tmp_path: Path) -> None:
    db = tmp_path / "d.sqlite3"
    state = open_state(result, db)
    row = state.visible()[0]
    t = result.table
    assert t is not None
    converting = str(t.loc[t["conversions"] > 0, "search_term"].iloc[0])
    refused = state.edit(
        row.id,
        text=converting,
        match_type="exact",
        level="shared_list",
        list_name="auditor negatives",
        campaigns=sorted(t["campaign"].dropna().unique().tolist()),
    )
    assert not refused.applied and refused.reasons
    assert row.current == row.original
    assert state.store.decisions_for(state.account.key, row.id) is None

    narrower = row.current.text + " " + "zzz"
    ok = state.edit(row.id, text=narrower)
    assert ok.applied and ok.proposal is not None
    assert ok.proposal.blocked_cost <= row.original.blocked_cost
    again = open_state(result, db).row(row.id)
    assert again.current.text == narrower and again.edited
    assert negative_syntax(again.current).count(narrower) == 1


def test_savings_count_each_blocked_term_once(result: AuditResult, tmp_path: Path) -> None:
    state = open_state(result, tmp_path / "d.sqlite3")
    assert state.savings((dec.STATUS_ACCEPTED,)) == 0.0
    for r in state.rows:
        state.set_status(r.id, dec.STATUS_ACCEPTED)
    terms = {t for p in result.negatives for t in p.blocked_terms}
    expected = state.terms.loc[sorted(terms), "cost"].sum()
    assert state.savings((dec.STATUS_ACCEPTED,)) == pytest.approx(expected)
    assert expected <= sum(p.blocked_cost for p in result.negatives) + 1e-6


def test_findings_filters(result: AuditResult, tmp_path: Path) -> None:
    frame = open_state(result, tmp_path / "d.sqlite3").findings
    high = filter_findings(frame, severity="high")
    assert set(high["severity"]) <= {"high"}
    by_cost = filter_findings(frame, sort="cost")["cost"].dropna()
    assert by_cost.is_monotonic_decreasing
    campaign = frame.loc[frame["campaign"] != "", "campaign"].iloc[0]
    hits = filter_findings(frame, campaign=campaign[:5].upper())
    assert len(hits) and hits["campaign"].str.casefold().str.contains(campaign[:5].casefold()).all()
    assert filter_findings(frame, text="no-such-word-anywhere").empty


def test_ngram_explorer_filters(result: AuditResult, tmp_path: Path) -> None:
    state = open_state(result, tmp_path / "d.sqlite3")
    frame = state.ngrams
    assert len(frame)
    assert frame["cost"].is_monotonic_decreasing
    twos = filter_ngrams(frame, n=2)
    assert set(twos["n"]) == {2}
    zero = filter_ngrams(state.ngrams_by("clicks"), non_converting=True)
    assert (zero["conversions"].fillna(0) <= 0).all()
    assert zero["clicks"].is_monotonic_decreasing
    word = str(frame["ngram"].iloc[0]).split()[0]
    assert filter_ngrams(frame, text=word.upper())["key"].str.contains(word.casefold()).all()


def test_level_change_targets_where_the_blocked_spend_is(
    result: AuditResult, tmp_path: Path
) -> None:
    state = open_state(result, tmp_path / "d.sqlite3")
    lists = [r for r in state.rows if r.original.level == "shared_list"]
    assert lists, "the sample's families span campaigns: shared-list proposals"
    row = max(lists, key=lambda r: r.original.blocked_cost)
    t = result.table
    assert t is not None
    blocked = t[t["search_term"].isin(row.original.blocked_terms)]
    levels = []
    for _ in range(3):
        changes = state.level_changes(row.id)
        levels.append(changes["level"])
        if changes["level"] == "ad_group":
            top = blocked.groupby(["campaign", "ad_group"])["cost"].sum().idxmax()
            assert (changes["campaign"], changes["ad_group"]) == top
        elif changes["level"] == "campaign":
            assert changes["campaign"] in set(blocked["campaign"])
        else:
            assert set(blocked["campaign"]) <= set(changes["campaigns"])
        outcome = state.edit(row.id, **changes)
        assert outcome.applied, outcome.reasons  # inside the safe list's scope: still safe
        assert set(row.current.blocked_terms) <= set(row.original.blocked_terms)
    assert sorted(levels) == ["ad_group", "campaign", "shared_list"]


def test_microsoft_has_no_broad_negatives(result: AuditResult, tmp_path: Path) -> None:
    state = ReviewState(result, Settings(platform="microsoft"), dec.DecisionStore(tmp_path / "d"))
    pid = state.rows[0].id
    seen = set()
    for _ in range(4):
        seen.add(state.next_match_type(pid))
        state.edit(pid, match_type=state.next_match_type(pid))
    assert "broad" not in seen


def held_key(state: ReviewState, text: str, match_type: str) -> str:
    return next(h.key for h in state.held if (h.held.text, h.held.match_type) == (text, match_type))


def test_held_back_lists_review_items_first(result: AuditResult, tmp_path: Path) -> None:
    state = open_state(result, tmp_path / "d.sqlite3")
    assert len(state.held) == len(result.held_back)
    kinds = [h.kind for h in state.held]
    assert kinds == sorted(kinds, key=lambda k: k != "review"), "review items come first"
    skid = state.held_row(held_key(state, "kängor barn waterproof", "exact"))
    assert skid.kind == "review" and "Not proven yet" in skid.reason
    assert not skid.reason.startswith("review:")
    free = state.held_row(held_key(state, "free", "phrase"))
    assert free.kind == "unsafe" and "converts on 'free'" in free.reason


def test_a_proposed_review_item_is_placed_like_the_engine_would(
    result: AuditResult, tmp_path: Path
) -> None:
    state = open_state(result, tmp_path / "d.sqlite3")
    t = result.table
    assert t is not None
    # A single query: exact, in the one campaign it spends in, with an engine-style id.
    query = state.held_proposal(state.held_row(held_key(state, "kängor barn waterproof", "exact")))
    assert (query.match_type, query.level) == ("exact", "campaign")
    assert query.campaign in set(t.loc[t["search_term"] == "kängor barn waterproof", "campaign"])
    assert query.id == proposal_id(
        "kängor barn waterproof", "exact", "campaign", f"{query.campaign}|"
    )
    # An n-gram family spending in several campaigns: phrase, on the shared list.
    gram = state.held_proposal(state.held_row(held_key(state, "uppsala", "phrase")))
    assert (gram.match_type, gram.level) == ("phrase", "shared_list")
    blocked = t[t["search_term"].str.contains("uppsala", regex=False) & (t["cost"] > 0)]
    assert set(blocked["campaign"]) <= set(gram.campaigns) and len(gram.campaigns) >= 2
    assert gram.id == proposal_id("uppsala", "phrase", "shared_list", "auditor negatives")


def test_proposing_a_held_item_is_checked_and_remembered(
    result: AuditResult, tmp_path: Path
) -> None:
    db = tmp_path / "d.sqlite3"
    state = open_state(result, db)
    refused = state.propose_held(held_key(state, "free", "phrase"))
    assert not refused.applied and "converting term" in refused.reasons[0]
    assert state.store.user_proposals(state.account.key) == []
    n = len(state.rows)
    added = state.propose_held(held_key(state, "kängor barn waterproof", "exact"))
    assert added.applied and added.proposal is not None
    row = state.row(added.proposal.id)
    assert len(state.rows) == n + 1 and row.status == dec.STATUS_ACCEPTED
    assert (
        row.current.blocked_terms == ["kängor barn waterproof"] and row.current.blocked_cost > 100
    )
    assert state.accepted()[-1] == row.current
    # Proposing it again accepts the same row instead of adding a second one.
    state.set_status(row.id, dec.STATUS_PENDING)
    assert state.propose_held(held_key(state, "kängor barn waterproof", "exact")).applied
    assert len(state.rows) == n + 1 and row.status == dec.STATUS_ACCEPTED

    week2 = open_state(next_week(result), db)
    again = week2.row(row.id)
    assert again.status == dec.STATUS_ACCEPTED and again.source == "exact|kängor barn waterproof"
    assert again.current.blocked_terms == ["kängor barn waterproof"], "the blast radius is replayed"
    assert "exact|kängor barn waterproof" in week2.proposed_from()

    # When the engine proposes the same negative later, its row carries the decision.
    engine = replace(row.original, family="account", reason="engine")
    later = open_state(replace(next_week(result), negatives=[*result.negatives, engine]), db)
    rows = [r for r in later.rows if r.id == row.id]
    assert len(rows) == 1 and rows[0].source is None and rows[0].status == dec.STATUS_ACCEPTED


def test_an_edit_typed_in_editor_syntax_sets_the_match_type() -> None:
    assert typed_edit(" [begagnade arcteryx jacka] ") == {
        "text": "begagnade arcteryx jacka",
        "match_type": "exact",
    }
    assert typed_edit('"gratis karta"') == {"text": "gratis karta", "match_type": "phrase"}
    assert typed_edit("gratis") == {"text": "gratis"}


def test_the_review_explains_a_rule_from_its_pack(result: AuditResult, tmp_path: Path) -> None:
    state = open_state(result, tmp_path / "d.sqlite")
    text = state.explain("track007")
    assert text.startswith("TRACK007 (") and "What to do" in text and "alpha = " in text
    assert state.explain("NOPE001") == "No documentation is registered for NOPE001."
