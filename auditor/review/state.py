"""What the review app shows and changes, without any widget: the testable core of the TUI.

`load_review` runs the audit (in the app's worker thread), recognises the account, applies the
decisions stored for it and precomputes the frames the tabs filter, so a key press in the app
only filters small pandas frames and redraws a capped window of rows.

Decisions in words:
- Every decision of the session (accept, reject, match type, level, edit, a negative added)
  is kept as an `Action` with the proposal before and after (`Snapshot`: the row and its
  stored decision); `undo` / `redo` put either back, in the app and in the store.
- A negative can be made from anything seen (`targets`, `draft`, `propose`): the targets are
  the shared list and every campaign and ad group where the terms it blocks spend.
- Proposals are listed new first (first shown by this week's report), then the other pending
  ones, then accepted, then exported; rejected ones from earlier reviews are hidden (`h` shows
  them at the bottom). Within each group, families are ordered by their blocked spend and the
  proposals of a family stay together.
- An edit (text, match type, level) is replayed against every search term by
  `auditor.negatives.safety.check_proposal`; an unsafe edit is refused with the checker's
  reasons and nothing is stored. A safe edit updates the blast radius shown and is stored at once.
- Export: `auditor.review.export`; where a negative can go: `auditor.review.placing`.
- Held-back items (`AuditResult.held_back`) are listed too: review items (wasteful, but no
  word marks them irrelevant) first, costliest first, then the negatives held back as unsafe.
  `propose_held` turns one into the user's own proposal: the item's text and match type (the
  engine holds an n-gram family as phrase and a single query as exact), at the campaign where
  the terms it blocks spend, or on the shared list attached to those campaigns when they spend
  in several (the editor's suggestion, `suggested`). It is checked like an edit, refused with
  the reasons when unsafe, and otherwise stored as accepted with an id made the way the engine
  makes its ids (text, match type, level, target), so it shows again in later reviews and is
  exported with the other accepted ones; the engine proposing the same negative later takes
  it over with its decision.
- Savings are the spend of the search terms the negatives block in this report (each term
  counted once), i.e. what the same queries would cost again next period.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd

from auditor.audit import audit
from auditor.config import Settings
from auditor.errors import AuditorError
from auditor.model import (
    AuditResult,
    Finding,
    NegativeProposal,
)
from auditor.review import decisions as dec
from auditor.review.export import Exporting
from auditor.review.frames import (
    NGRAM_SORTS,
    REPLAYS_KEPT,
    SpendIndex,
    daily_cost,
    findings_frame,
    non_converting_cost,
    prepare_ngrams,
    replay_key,
    term_stats,
)
from auditor.review.placing import Placing
from auditor.review.rows import (
    MATCH_CYCLE,
    Action,
    EditOutcome,
    HeldRow,
    ProposalRow,
    SinceLastReview,
    Snapshot,
    edit_words,
    finding_key,
    held_rows,
    negative_from_signature,
    negative_syntax,
)

ProgressFn = Callable[[str, float], None]


class ReviewState(Placing, Exporting):
    """The loaded audit, the account's decisions and the derived frames the tabs show."""

    def __init__(
        self,
        result: AuditResult,
        settings: Settings,
        store: dec.DecisionStore,
        *,
        progress: ProgressFn | None = None,
    ) -> None:
        step = progress or (lambda _text, _done: None)
        self.result = result
        self.settings = settings
        self.store = store
        self.show_rejected = False
        self._replays: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
        self._replays_lock = threading.Lock()
        step("remembering decisions", 0.9)
        table = result.table if result.table is not None else pd.DataFrame()
        self.account = store.resolve_account(table, result.currency)
        if settings.account_name:
            self.account = store.rename_account(self.account, settings.account_name)
        store.claim(self.account.key)
        self.period = dec.period_label(result.period)
        step("preparing the tables", 0.95)
        self.terms = term_stats(result.table)
        self.findings = findings_frame(result.findings)
        self.previous = store.previous_period(self.account.key, self.period)
        """The period of the account's last review before this report's (None: first)."""
        self.findings["new"] = self._new_findings(result.findings)
        self.ngrams = prepare_ngrams(result.ngrams)
        self._ngram_orders: dict[str, pd.DataFrame] = {"cost": self.ngrams}
        self.daily = daily_cost(result.table)
        self.non_converting = non_converting_cost(self.terms, result)
        self.rows = self._load_rows()
        self.since = self._since_last_review()
        self.held = held_rows(result.held_back)
        self.done: list[Action] = []
        """The session's decisions, oldest first (`u` undoes the last)."""
        self.undone: list[Action] = []
        """Undone decisions, the latest last (`U` redoes it); a new decision clears them."""
        self._term_cost: dict[str, float] = {}
        self._remember_costs([t for r in self.rows for t in r.original.blocked_terms])
        step("indexing the search terms", 0.98)
        self.spend = SpendIndex.build(result.table)
        self._warm_replay()

    def _new_findings(self, findings: Sequence[Finding]) -> list[bool]:
        """Which findings no earlier review of the account showed (none on a first review).
        They are remembered in the store's `seen` list under a `finding:` key."""
        keys = [finding_key(f) for f in findings]
        first = self.store.mark_seen(self.account.key, keys, self.period)
        return [self.previous is not None and k in first for k in keys]

    def _since_last_review(self) -> SinceLastReview:
        """This week against the last review: new proposals and findings, and the negatives
        exported before (in earlier reviews: this one has not exported yet) with what their
        terms spent in this report."""
        exported = self.store.exported(self.account.key)
        listed = {r.id: r.current for r in self.rows}
        earlier: list[tuple[NegativeProposal, str]] = []
        for pid, (sig, at) in exported.items():
            p = listed.get(pid)
            if p is not None and dec.signature(p) == sig:
                earlier.append((p, at))  # listed as exported: its blast radius is this week's
                continue
            parsed = negative_from_signature(pid, sig)
            if parsed is not None:
                earlier.append((self._refresh_blast(parsed), at))
        return SinceLastReview(
            previous=self.previous,
            new_proposals=sum(r.new for r in self.rows),
            new_findings=int(self.findings["new"].sum()),
            exported=sorted(earlier, key=lambda e: -e[0].blocked_cost),
        )

    def _load_rows(self) -> list[ProposalRow]:
        key = self.account.key
        new_ids = self.store.mark_seen(key, (p.id for p in self.result.negatives), self.period)
        stored = self.store.decisions(key)
        exported = self.store.exported(key)
        rows: list[ProposalRow] = []
        for p in self.result.negatives:
            d = stored.get(p.id)
            current = dec.apply_edits(p, d.edits) if d and d.edits else p
            if current is not p:
                current = self._refresh_blast(current)
            status = d.status if d else dec.STATUS_PENDING
            row = ProposalRow(p, current, status, p.id in new_ids, status == dec.STATUS_REJECTED)
            row.exported_at = self._export_time(row, exported)
            rows.append(row)
        engine_ids = {r.id for r in rows}
        self._user_ids: list[str] = []
        for p, source in self.store.user_proposals(key):
            if p.id in engine_ids or p.id in self._user_ids:
                continue  # the engine proposes it now: its row carries the decision
            rows.append(self._user_row(p, source, stored.get(p.id), exported))
        return self._ordered(rows)

    def _user_row(
        self,
        p: NegativeProposal,
        source: str,
        d: dec.Decision | None,
        exported: dict[str, tuple[str, str]],
    ) -> ProposalRow:
        """The row of a user's own proposal, its blast radius replayed on this report."""
        original = self._refresh_blast(p)
        current = self._refresh_blast(dec.apply_edits(p, d.edits)) if d and d.edits else original
        status = d.status if d else dec.STATUS_ACCEPTED
        row = ProposalRow(original, current, status, False, status == dec.STATUS_REJECTED)
        row.source = source
        row.exported_at = self._export_time(row, exported)
        self._user_ids.append(p.id)
        return row

    @staticmethod
    def _export_time(row: ProposalRow, exported: dict[str, tuple[str, str]]) -> str | None:
        sig_at = exported.get(row.id)
        return sig_at[1] if sig_at and sig_at[0] == dec.signature(row.current) else None

    @staticmethod
    def _ordered(rows: list[ProposalRow]) -> list[ProposalRow]:
        family_cost: dict[str, float] = {}
        for r in rows:
            family_cost[r.current.family] = (
                family_cost.get(r.current.family, 0.0) + r.current.blocked_cost
            )

        def bucket(r: ProposalRow) -> int:
            if r.status == dec.STATUS_REJECTED:
                return 4
            if r.exported_at:
                return 3
            if r.status == dec.STATUS_ACCEPTED:
                return 2
            return 0 if r.new else 1

        return sorted(
            rows,
            key=lambda r: (
                bucket(r),
                -family_cost[r.current.family],
                r.current.family,
                -r.current.blocked_cost,
            ),
        )

    def _refresh_blast(self, p: NegativeProposal) -> NegativeProposal:
        return self.check(p).blast_radius_of(p)

    def check(self, p: NegativeProposal) -> Any:
        """Replay `p` against every search term: `auditor.negatives.safety.SafetyVerdict`.
        The last `REPLAYS_KEPT` replays are remembered (by what places the negative), so the
        app replays in a worker and the edit that follows reads the answer. Safe to call from
        a worker thread; treat the verdict as read-only."""
        from auditor.negatives.safety import check_proposal

        key = replay_key(p)
        with self._replays_lock:
            if key in self._replays:
                self._replays.move_to_end(key)
                return self._replays[key]
        table = self.result.table if self.result.table is not None else pd.DataFrame()
        keywords = self.result.keywords if self.result.keywords is not None else pd.DataFrame()
        verdict = check_proposal(p, table, keywords, self.settings)
        with self._replays_lock:
            self._replays[key] = verdict
            while len(self._replays) > REPLAYS_KEPT:
                self._replays.popitem(last=False)
        return verdict

    def replayed(self, p: NegativeProposal) -> bool:
        """Whether `check(p)` is remembered (answers at once)."""
        with self._replays_lock:
            return replay_key(p) in self._replays

    def _warm_replay(self) -> None:
        """Replay one negative at an ad group, so the safety check's indexes of this report
        (terms, words, campaigns, ad groups, bought keywords) are built in the load worker,
        not at the first key that checks a negative; the replay is not remembered."""
        table = self.result.table
        if table is None or table.empty:
            return
        first = table.iloc[0]
        probe = NegativeProposal(
            id="",
            text=str(first["search_term"]),
            match_type="broad",
            level="ad_group",
            campaign=str(first["campaign"]),
            ad_group=str(first["ad_group"]),
        )
        self.check(probe)
        with self._replays_lock:
            self._replays.pop(replay_key(probe), None)

    def visible(self) -> list[ProposalRow]:
        """The rows the Negatives tab lists, in order."""
        if self.show_rejected:
            return self.rows
        return [r for r in self.rows if not r.hidden_at_load]

    def row(self, proposal_id: str) -> ProposalRow:
        return next(r for r in self.rows if r.id == proposal_id)

    def set_status(self, proposal_id: str, status: str) -> ProposalRow:
        """Accept / reject / reset one proposal; stored (committed) before this returns."""
        row = self.row(proposal_id)
        before = self.snapshot(proposal_id)
        self.store.set_status(self.account.key, proposal_id, status)
        row.status = status
        verb = {dec.STATUS_ACCEPTED: "accept", dec.STATUS_REJECTED: "reject"}.get(status, "reset")
        self._record(f"{verb} {negative_syntax(row.current)}", proposal_id, before)
        return row

    def snapshot(self, proposal_id: str) -> Snapshot:
        """The proposal as it stands now (a copy), with its stored decision."""
        row = next((r for r in self.rows if r.id == proposal_id), None)
        copy = replace(row) if row is not None else None
        return Snapshot(copy, self.store.decisions_for(self.account.key, proposal_id))

    def _record(self, what: str, proposal_id: str, before: Snapshot) -> None:
        self.done.append(Action(what, proposal_id, before, self.snapshot(proposal_id)))
        self.undone.clear()

    def undo(self) -> Action | None:
        """Undo the session's last decision, in the app and in the store; None when none."""
        if not self.done:
            return None
        action = self.done.pop()
        self._restore(action.proposal_id, action.before, "undo")
        self.undone.append(action)
        return action

    def redo(self) -> Action | None:
        """Redo the last undone decision; None when nothing was undone."""
        if not self.undone:
            return None
        action = self.undone.pop()
        self._restore(action.proposal_id, action.after, "redo")
        self.done.append(action)
        return action

    def _restore(self, proposal_id: str, snap: Snapshot, how: str) -> None:
        """Make the proposal (row and stored decision) what `snap` says."""
        key = self.account.key
        row = next((r for r in self.rows if r.id == proposal_id), None)
        if snap.row is None:
            self.store.remove_user_proposal(key, proposal_id)
            self.rows = [r for r in self.rows if r.id != proposal_id]
            self._user_ids = [i for i in self._user_ids if i != proposal_id]
            return
        if row is None:
            assert snap.row.source is not None
            self.store.add_user_proposal(key, snap.row.original, snap.row.source)
            self._user_ids.append(proposal_id)
            self.rows = self._ordered([*self.rows, replace(snap.row)])
        else:
            row.status, row.current = snap.row.status, snap.row.current
            row.exported_at = snap.row.exported_at
        self.store.restore_decision(key, proposal_id, snap.decision, how)

    def _checked(self, candidate: NegativeProposal) -> tuple[NegativeProposal, EditOutcome | None]:
        """The candidate with its blast radius from the safety check, or the refusal."""
        verdict = self.check(candidate)
        if not verdict.safe:
            return candidate, EditOutcome(False, reasons=list(verdict.reasons) or ["unsafe"])
        return verdict.blast_radius_of(candidate), None

    def edit(self, proposal_id: str, **changes: Any) -> EditOutcome:
        """Apply a change to the user's version if the safety check passes, and store it."""
        row = self.row(proposal_id)
        candidate = replace(row.current, **changes)
        if dec.signature(candidate) == dec.signature(row.current) and (
            candidate.campaigns == row.current.campaigns
        ):
            return EditOutcome(True, proposal=row.current)
        candidate, refused = self._checked(candidate)
        if refused is not None:
            return refused
        before = self.snapshot(proposal_id)
        edits = dec.edits_between(row.original, candidate)
        self.store.set_edits(self.account.key, proposal_id, edits)
        what = edit_words(row.current, candidate)
        row.current = candidate
        row.exported_at = None
        self._record(what, proposal_id, before)
        return EditOutcome(True, proposal=candidate)

    def next_match_type(self, proposal_id: str) -> str:
        return self.match_after(self.row(proposal_id).current.match_type)

    def match_after(self, match_type: str) -> str:
        """The match type after `match_type` in the platform's cycle."""
        cycle = MATCH_CYCLE.get(self.settings.platform, MATCH_CYCLE["google"])
        i = cycle.index(match_type) if match_type in cycle else -1
        return cycle[(i + 1) % len(cycle)]

    def proposed_from(self) -> dict[str, ProposalRow]:
        """The user's proposals by the held-back item they came from (`HeldRow.source`)."""
        return {r.source: r for r in self.rows if r.source}

    def held_row(self, key: str) -> HeldRow:
        return next(h for h in self.held if h.key == key)

    def propose_held(self, key: str) -> EditOutcome:
        """Turn a held-back / review item into an accepted proposal of the user's, if safe.

        Refused with the safety checker's reasons when unsafe (nothing stored). When the same
        negative is already listed (the engine's or an earlier one of the user's), that row
        is accepted instead of adding a second one.
        """
        item = self.held_row(key)
        return self.propose(self.held_proposal(item), item.source)

    def propose(self, candidate: NegativeProposal, source: str) -> EditOutcome:
        """Add the user's own negative (from `source`: a held-back item, a finding, an
        n-gram) as accepted, if the safety check passes; refused with its reasons otherwise.
        When the same negative is already listed, that row is accepted instead."""
        existing = next((r for r in self.rows if r.id == candidate.id), None)
        if existing is not None:
            self.set_status(existing.id, dec.STATUS_ACCEPTED)
            return EditOutcome(True, proposal=existing.current)
        candidate, refused = self._checked(candidate)
        if refused is not None:
            return refused
        before = self.snapshot(candidate.id)
        self.store.add_user_proposal(self.account.key, candidate, source)
        row = ProposalRow(candidate, candidate, dec.STATUS_ACCEPTED, False, False)
        row.source = source
        self._user_ids.append(candidate.id)
        self.rows = self._ordered([*self.rows, row])
        self._record(f"new negative {negative_syntax(candidate)}", candidate.id, before)
        return EditOutcome(True, proposal=candidate)

    def term_costs(self, terms: list[str]) -> pd.DataFrame:
        """Cost and clicks of `terms` in this report, in the given order."""
        return self.terms.reindex(pd.Index(terms, dtype=self.terms.index.dtype))

    def blast_radius(self, p: NegativeProposal, limit: int = 50) -> pd.DataFrame:
        """The terms `p` blocks with their figures in this report, costliest first."""
        found = self.terms.reindex(pd.Index(p.blocked_terms, dtype=self.terms.index.dtype))
        return found.sort_values("cost", ascending=False, na_position="last").head(limit)

    def ngrams_by(self, sort: str) -> pd.DataFrame:
        """The n-grams sorted by `sort`, descending (sorted once per key, then cached)."""
        if sort not in self._ngram_orders:
            self._ngram_orders[sort] = self.ngrams.sort_values(
                NGRAM_SORTS[sort], ascending=False, kind="stable"
            )
        return self._ngram_orders[sort]

    def _remember_costs(self, terms: list[str]) -> None:
        """Cache the cost of blocked terms, so savings are recounted at each key in ~1 ms."""
        missing = sorted({t for t in terms if t not in self._term_cost})
        if missing:
            idx = pd.Index(missing, dtype=self.terms.index.dtype)
            costs = self.terms["cost"].reindex(idx).fillna(0.0)
            self._term_cost.update(zip(missing, costs.tolist(), strict=True))

    def savings(self, statuses: tuple[str, ...]) -> float:
        """Spend of the distinct terms blocked by the proposals with one of `statuses`."""
        terms = {t for r in self.rows if r.status in statuses for t in r.current.blocked_terms}
        self._remember_costs(list(terms))
        return float(sum(self._term_cost[t] for t in terms))

    def counts(self) -> dict[str, int]:
        out = {s: 0 for s in dec.STATUSES}
        for r in self.rows:
            out[r.status] += 1
        out["new"] = sum(r.new and r.status == dec.STATUS_PENDING for r in self.rows)
        out[dec.STATUS_PENDING] -= out["new"]
        out["exported"] = sum(bool(r.exported_at) for r in self.rows)
        return out

    def explain(self, rule_id: str) -> str:
        from auditor.engine.explain import explain

        try:
            return explain(rule_id, self.settings)
        except AuditorError:
            return f"No documentation is registered for {rule_id}."

    def tracking(self) -> list[Finding]:
        return [f for f in self.result.findings if f.category == "tracking"]


def load_review(
    paths: Sequence[Path],
    settings: Settings,
    db_path: Path | None,
    progress: ProgressFn | None = None,
) -> ReviewState:
    """Run the audit and load the account's decisions (blocking; the app runs it in a worker)."""
    step = progress or (lambda _text, _done: None)
    result = audit(list(paths), settings, progress=lambda text, done: step(text, 0.85 * done))
    store = dec.DecisionStore(db_path or dec.default_db_path())
    return ReviewState(result, settings, store, progress=progress)
