"""Pilot tests of the weekly review as a demanding PPC manager works it (issue 13): the footer
at 80 columns, help per tab, undo / redo, negate from anywhere, labelled figures, this week vs
last week, account names and folders of accounts, toasts clear of the detail pane."""

from __future__ import annotations

import asyncio
import io
import shutil
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from rich.console import Console
from rich.text import Text
from textual.widgets import DataTable, Input, Label, OptionList, Static

from auditor import format as fmt
from auditor.batch import group_accounts
from auditor.cli import BUNDLED_SAMPLE, _parser, sample_dir, settings_from_args
from auditor.config import Settings
from auditor.model import AuditResult, Finding, Period
from auditor.review import decisions as dec
from auditor.review import state as state_module
from auditor.review.state import ReviewState
from auditor.tui.app import ReviewApp
from auditor.tui.screens.accounts import AccountScreen
from auditor.tui.screens.edit import EditScreen
from auditor.tui.screens.help import HelpScreen
from auditor.tui.screens.review import ReviewScreen
from auditor.tui.widgets.keybar import KeyBar
from tests.pilot import cursor_id, loaded

SAMPLE = sample_dir() / BUNDLED_SAMPLE
SMALL, LARGE = (80, 24), (120, 36)
TAB_KEYS = {
    "1": set(),
    "2": {"n", "/", "s", "c"},
    "3": {"a", "r", "m", "l"},
    "4": {"n", "/", "g", "s"},
    "5": set(),
}


def rendered(widget: Static | Label) -> str:
    """The widget's text as shown (a Rich table too), without styles."""
    content = widget.content
    if isinstance(content, str | Text):
        return str(content)
    console = Console(width=200, file=io.StringIO(), record=True)
    console.print(content)
    return console.export_text()


def footer(app: ReviewApp) -> str:
    return rendered(app.screen.query_one(KeyBar))


@pytest.mark.parametrize("size", [SMALL, LARGE])
def test_footer_fits_every_tab_and_help_lists_the_tab_keys(
    tmp_path: Path, reuse_audit: AuditResult, size: tuple[int, int]
) -> None:
    """Every tab's footer fits the width, keys apart, `? Help` / `? more` and `q Quit` at
    the end; `?` lists every key of the tab, hidden ones too."""

    async def run() -> None:
        app = ReviewApp([SAMPLE], Settings(), db_path=tmp_path / "d.sqlite3")
        async with app.run_test(size=size) as pilot:
            await loaded(app, pilot)
            for tab, keys in TAB_KEYS.items():
                await pilot.press(tab)
                await pilot.pause()
                bar = footer(app)
                assert len(bar) <= size[0], bar
                assert bar.rstrip().endswith(("?  Help", "?  more")), bar
                assert "q  Quit" in bar and "u  Undo" in bar
                assert "Acceptr" not in bar and "AcceptrReject" not in bar
                for key in keys:
                    assert f" {key}  " in bar, (tab, key, bar)
            await pilot.press("3", "question_mark")
            await pilot.pause()
            assert isinstance(app.screen, HelpScreen)
            listed = rendered(app.screen.query_one("#help-keys", Static))
            assert "Keys: Negatives" in listed
            for key in ("a", "r", "m", "l", "e", "x", "b", "h", "u", "U", "1", "q"):
                assert any(line.split()[:1] == [key] for line in listed.splitlines()), key
            assert "redo the last undone decision" in listed
            await pilot.press("escape")

    asyncio.run(run())


def test_narrow_footer_says_more_at_80_columns(tmp_path: Path, reuse_audit: AuditResult) -> None:
    async def run() -> None:
        app = ReviewApp([SAMPLE], Settings(), db_path=tmp_path / "d.sqlite3")
        async with app.run_test(size=SMALL) as pilot:
            await loaded(app, pilot)
            await pilot.press("3")
            await pilot.pause()
            bar = footer(app)
            assert bar.rstrip().endswith("?  more")
            assert bar.startswith(" a  Accept   r  Reject")

    asyncio.run(run())


def test_undo_and_redo_a_history_of_decisions(tmp_path: Path, reuse_audit: AuditResult) -> None:
    """Accept, reject, match type; undo walks back in order (store too), redo forward."""
    db = tmp_path / "d.sqlite3"

    async def run() -> None:
        app = ReviewApp([SAMPLE], Settings(), db_path=db)
        async with app.run_test(size=SMALL) as pilot:
            await loaded(app, pilot)
            state = app.state
            assert state is not None
            await pilot.press("3")
            first = cursor_id(app)
            await pilot.press("a")
            second = cursor_id(app)
            await pilot.press("r", "up", "up", "m")
            await pilot.pause()
            matched = state.row(first).current.match_type
            assert matched != state.row(first).original.match_type
            key = state.account.key
            await pilot.press("u")
            await pilot.pause()
            status = rendered(app.screen.query_one("#neg-status", Static))
            assert status.startswith("Undone: match type of")
            assert state.row(first).current.match_type == state.row(first).original.match_type
            assert state.store.decisions_for(key, first).edits == {}
            await pilot.press("u")
            await pilot.pause()
            assert rendered(app.screen.query_one("#neg-status", Static)).startswith(
                "Undone: reject"
            )
            assert state.store.decisions_for(key, second) is None
            assert cursor_id(app) == second, "the cursor goes to the row undone"
            await pilot.press("u")
            assert state.store.decisions_for(key, first) is None
            assert state.row(first).status == dec.STATUS_PENDING
            await pilot.press("U", "U")
            await pilot.pause()
            assert rendered(app.screen.query_one("#neg-status", Static)).startswith(
                "Redone: reject"
            )
            assert state.row(first).status == dec.STATUS_ACCEPTED
            assert state.store.decisions_for(key, second).status == dec.STATUS_REJECTED
            await pilot.press("a")  # a new decision clears what could be redone
            assert not state.undone
            await pilot.press("q")

    asyncio.run(run())
    events = [e[1] for e in dec.DecisionStore(db).events(next(iter(_accounts(db))))]
    assert events.count("undo") == 3 and events.count("redo") == 2


def _accounts(db: Path) -> list[str]:
    store = dec.DecisionStore(db)
    try:
        return [r[0] for r in store._db.execute("SELECT key FROM accounts").fetchall()]
    finally:
        store.close()


def _find_row(app: ReviewApp, table_id: str, column: int, text: str) -> int:
    table = app.screen.query_one(table_id, DataTable)
    for i in range(table.row_count):
        if str(table.get_row_at(i)[column]) == text:
            return i
    raise AssertionError(f"{text!r} not in {table_id}")


def test_negate_a_finding_from_its_row(tmp_path: Path, reuse_audit: AuditResult) -> None:
    """`n` on a search-term finding: the editor opens pre-filled (exact, the suggested
    target, the live blast radius and check); saving adds an accepted negative; `u` undoes it
    in the app and the store."""
    result = reuse_audit
    proposed = {p.text for p in result.negatives}
    waste = next(
        f
        for f in result.findings
        if f.rule == "WASTE001" and f.search_term and f.search_term not in proposed
    )

    async def run() -> None:
        app = ReviewApp([SAMPLE], Settings(), db_path=tmp_path / "d.sqlite3")
        async with app.run_test(size=SMALL) as pilot:
            await loaded(app, pilot)
            state = app.state
            assert state is not None
            await pilot.press("2", "slash", *waste.search_term, "enter")
            await pilot.pause()
            await pilot.press("n")
            await pilot.pause(0.4)
            assert isinstance(app.screen, EditScreen)
            screen = app.screen
            assert screen.query_one("#edit-text", Input).value == waste.search_term
            assert str(screen.query_one("#edit-match").value) == "exact"
            options = screen.query_one("#edit-targets", OptionList)
            assert options.option_count >= 2
            first = str(options.get_option_at_index(0).prompt)
            assert first.startswith("list: auditor negatives") and "terms" in first
            blast = rendered(screen.query_one("#edit-blast", Static))
            assert blast.startswith(("Safe", "Unsafe")) and "Blocks 1 term(s)" in blast
            hint = screen.query_one("#edit-error", Label)
            assert hint.region.bottom <= SMALL[1], "the hint shows at 80x24"
            # Choose the campaign where it spends (not the suggested default) and save.
            campaign = next(i for i, t in enumerate(screen.targets) if t.level == "campaign")
            options.highlighted = campaign
            await pilot.pause()
            options.focus()
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, ReviewScreen)
            added = [r for r in state.rows if r.source and waste.search_term in r.source]
            assert len(added) == 1
            row = added[0]
            assert row.status == dec.STATUS_ACCEPTED and row.current.level == "campaign"
            assert row.current.campaign == waste.campaign
            assert row.current.match_type == "exact"
            stored = dict(state.store.user_proposals(state.account.key)[0][0].__dict__)
            assert stored["text"] == waste.search_term
            await pilot.press("3")
            assert row.id in [r.id for r in state.visible()]
            await pilot.press("u")
            await pilot.pause()
            assert row.id not in [r.id for r in state.rows]
            assert state.store.user_proposals(state.account.key) == []
            assert state.store.decisions_for(state.account.key, row.id) is None
            await pilot.press("U")
            assert state.row(row.id).status == dec.STATUS_ACCEPTED
            assert len(state.store.user_proposals(state.account.key)) == 1

    asyncio.run(run())


def test_negate_an_ngram_row_and_unsafe_is_refused(
    tmp_path: Path, reuse_audit: AuditResult
) -> None:
    """`n` on an N-grams row opens a phrase negative; a converting n-gram is refused with
    the reason and nothing is stored."""

    async def run() -> None:
        app = ReviewApp([SAMPLE], Settings(), db_path=tmp_path / "d.sqlite3")
        async with app.run_test(size=LARGE) as pilot:
            await loaded(app, pilot)
            state = app.state
            assert state is not None
            await pilot.press("4")
            converting = str(app.screen.query_one("#ngram-table", DataTable).get_row_at(0)[0])
            await pilot.press("n")
            await pilot.pause(0.4)
            assert isinstance(app.screen, EditScreen)
            assert app.screen.query_one("#edit-text", Input).value == converting
            assert str(app.screen.query_one("#edit-match").value) == "phrase"
            assert rendered(app.screen.query_one("#edit-blast", Static)).startswith("Unsafe")
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, EditScreen), "an unsafe negative is refused"
            assert rendered(app.screen.query_one("#edit-error", Label)).startswith("Refused:")
            await pilot.press("escape")
            assert state.store.user_proposals(state.account.key) == []
            assert not state.done
            # A non-converting n-gram goes through.
            await pilot.press("z")
            await pilot.pause()
            quiet = str(app.screen.query_one("#ngram-table", DataTable).get_row_at(0)[0])
            await pilot.press("n")
            await pilot.pause(0.4)
            app.screen.query_one("#edit-text", Input).focus()
            await pilot.press("enter")
            await pilot.pause()
            if isinstance(app.screen, EditScreen):  # unsafe for another reason: say why
                pytest.fail(rendered(app.screen.query_one("#edit-error", Label)))
            done = state.row(state.done[-1].proposal_id)
            assert done.current.text == quiet and done.status == dec.STATUS_ACCEPTED

    asyncio.run(run())


def test_level_key_chooses_the_target_from_a_list(tmp_path: Path, reuse_audit: AuditResult) -> None:
    async def run() -> None:
        app = ReviewApp([SAMPLE], Settings(), db_path=tmp_path / "d.sqlite3")
        async with app.run_test(size=SMALL) as pilot:
            await loaded(app, pilot)
            state = app.state
            assert state is not None
            await pilot.press("3")
            pid = cursor_id(app)
            await pilot.press("l")
            await pilot.pause(0.4)
            assert isinstance(app.screen, EditScreen)
            screen = app.screen
            targets = screen.targets
            options = screen.query_one("#edit-targets", OptionList)
            assert targets[options.highlighted or 0].level == state.row(pid).current.level
            groups = [i for i, t in enumerate(targets) if t.level == "ad_group"]
            assert len(groups) >= 2, "every ad group where the terms spend is offered"
            chosen = targets[groups[1]]
            options.highlighted = groups[1]
            await pilot.press("enter")
            await pilot.pause()
            p = state.row(pid).current
            assert (p.level, p.campaign, p.ad_group) == (
                "ad_group",
                chosen.campaign,
                chosen.ad_group,
            )
            assert len(p.blocked_terms) == chosen.terms

    asyncio.run(run())


def test_findings_show_labelled_figures_and_columns(
    tmp_path: Path, reuse_audit: AuditResult
) -> None:
    """Money with currency and two decimals, chances as `<1%` / `10%`; Campaign and Ad
    group columns that widen with the terminal; ellipses where cut."""
    result = reuse_audit
    waste = next(f for f in result.findings if f.rule == "WASTE001" and f.search_term)

    async def run(size: tuple[int, int]) -> tuple[list[str], str]:
        app = ReviewApp([SAMPLE], Settings(), db_path=tmp_path / f"d{size[0]}.sqlite3")
        async with app.run_test(size=size) as pilot:
            await loaded(app, pilot)
            await pilot.press("2", "slash", *waste.search_term, "enter")
            await pilot.pause()
            table = app.screen.query_one("#findings-table", DataTable)
            labels = [str(c.label) for c in table.columns.values()]
            assert labels[1:] == [
                "Sev",
                "Rule",
                "Subject",
                "Campaign",
                "Ad group",
                "Cost",
                "Message",
            ]
            cells = [str(c) for c in table.get_row_at(0)]
            detail = rendered(app.screen.query_one("#finding-text", Static))
            return cells, detail

    small, detail = asyncio.run(run(SMALL))
    large, _ = asyncio.run(run(LARGE))
    figures = detail.split("The rule's figures")[1].split("\n\n")[0]
    assert '{"' not in detail and "account_cpa" not in figures
    assert f"cost                  SEK {waste.cost:,.2f}" in detail
    assert f"chance zero           {fmt.chance(waste.metrics['p_zero'])}" in detail
    assert f"account CPA           SEK {waste.metrics['account_cpa']:,.2f}" in detail
    assert f"baseline CVR          {fmt.percent(waste.metrics['baseline_cvr'])}" in detail
    assert small[4].endswith("…") and waste.campaign.startswith(small[4][:-1])
    assert large[4] == waste.campaign, "at 120 columns the campaign shows whole"
    assert len(large[7]) > len(small[7])


def test_format_module_is_shared_with_the_cli_summary(sample_result: AuditResult) -> None:
    from auditor.output.summary import summary_lines

    cost = sample_result.totals["cost"]
    assert any(fmt.money(cost, "SEK") in line for line in summary_lines(sample_result))
    assert fmt.money(103962.13, "SEK") == "SEK 103,962.13"
    assert [fmt.chance(p) for p in (0.0003, 0.1004, 0.999)] == ["<1%", "10%", ">99%"]
    assert fmt.percent(0.02526) == "2.5%"
    assert dict(fmt.figures({"ids": {f"T-{i}": 2 for i in range(10)}}))["IDs"].endswith("+2 more")


def test_ngram_terms_count_clicked_terms_like_the_finding(
    tmp_path: Path, reuse_audit: AuditResult
) -> None:
    result = reuse_audit
    gram = next(f for f in result.findings if f.rule == "WASTE004")
    state = ReviewState(result, Settings(), dec.DecisionStore(tmp_path / "d.sqlite3"))
    row = state.ngrams[state.ngrams["ngram"] == gram.ngram].iloc[0]
    assert row["terms"] == gram.metrics["terms"]


def _next_week(result: AuditResult, extra: Finding) -> AuditResult:
    assert result.period is not None
    week = timedelta(days=result.period.days)
    period = Period(result.period.start + week, result.period.end + week)
    return replace(result, period=period, findings=[extra, *result.findings])


def test_this_week_against_last_week(
    tmp_path: Path, reuse_audit: AuditResult, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Next week's review marks the new finding `new`, says which exported negatives still
    spent, and the Overview's panel sums it up."""
    result = reuse_audit
    db = tmp_path / "d.sqlite3"
    first = ReviewState(result, Settings(), dec.DecisionStore(db))
    assert first.since.previous is None
    assert not first.findings["new"].any(), "a first review marks nothing new"
    exported = first.rows[0]
    first.set_status(exported.id, dec.STATUS_ACCEPTED)
    first.store.record_export(first.account.key, tmp_path / "n.csv", "editor", [exported.current])
    first.store.close()
    extra = Finding(
        rule="WASTE001",
        title="t",
        category="waste",
        severity="high",
        level="search_term",
        message="new this week",
        campaign="Generic - Jackor",
        search_term="brand new leak",
        cost=99.0,
    )
    later = _next_week(result, extra)
    monkeypatch.setattr(state_module, "audit", lambda paths, settings, progress=None: later)

    async def run() -> str:
        app = ReviewApp([SAMPLE], Settings(), db_path=db)
        async with app.run_test(size=SMALL) as pilot:
            await loaded(app, pilot)
            state = app.state
            assert state is not None
            assert state.since.previous == dec.period_label(result.period)
            new = state.findings[state.findings["new"]]
            assert new["subject"].tolist() == ["brand new leak"]
            assert [p.id for p, _ in state.since.still_spending] == [exported.id]
            await pilot.press("2", "slash", *"brand new leak", "enter")
            await pilot.pause()
            cells = app.screen.query_one("#findings-table", DataTable).get_row_at(0)
            assert str(cells[0]) == "new"
            await pilot.press("1")
            return rendered(app.screen.query_one("#ov-since", Static))

    panel = asyncio.run(run())
    assert panel.startswith("Since the last review (")
    assert "1 new finding(s)" in panel
    assert "1 negative(s) exported before: 1 still spent SEK" in panel


def test_account_name_flag_and_config(tmp_path: Path) -> None:
    args = _parser().parse_args(["review", str(SAMPLE), "--account", "Fjällgear AB"])
    assert settings_from_args(args).account_name == "Fjällgear AB"
    config = tmp_path / "c.toml"
    config.write_text('[account]\nname = "Fjällgear AB"\n', encoding="utf-8")
    args = _parser().parse_args(["review", str(SAMPLE), "--config", str(config)])
    assert settings_from_args(args).account_name == "Fjällgear AB"


def test_named_account_in_app_and_store(tmp_path: Path, reuse_audit: AuditResult) -> None:
    db = tmp_path / "d.sqlite3"

    async def run() -> None:
        app = ReviewApp([SAMPLE], Settings(account_name="Fjällgear AB"), db_path=db)
        async with app.run_test(size=SMALL) as pilot:
            await loaded(app, pilot)
            assert app.sub_title == "Fjällgear AB"
            assert "Fjällgear AB" in rendered(app.screen.query_one("#ov-figures", Static))

    asyncio.run(run())
    store = dec.DecisionStore(db)
    labels = [r[0] for r in store._db.execute("SELECT label FROM accounts").fetchall()]
    store.close()
    assert labels == ["Fjällgear AB"]


def test_folder_of_accounts_lists_them_and_opens_the_one_chosen(
    tmp_path: Path, reuse_audit: AuditResult, monkeypatch: pytest.MonkeyPatch
) -> None:
    agency = tmp_path / "agency"
    for name in ("Alpha", "Beta"):
        (agency / name).mkdir(parents=True)
        shutil.copy(SAMPLE, agency / name / "search-terms.csv")
    opened: list[list[Path]] = []

    def audit_spy(paths: list[Path], settings: Settings, progress: object = None) -> AuditResult:
        opened.append(list(paths))
        return reuse_audit

    monkeypatch.setattr(state_module, "audit", audit_spy)

    async def run() -> None:
        app = ReviewApp(
            [], Settings(), db_path=tmp_path / "d.sqlite3", accounts=group_accounts([agency])
        )
        async with app.run_test(size=SMALL) as pilot:
            await pilot.pause()
            assert isinstance(app.screen, AccountScreen)
            listed = app.screen.query_one("#account-list", OptionList)
            names = [str(listed.get_option_at_index(i).prompt) for i in range(listed.option_count)]
            assert names[0].startswith("Alpha") and names[1].startswith("Beta")
            assert "--out-dir" not in rendered(app.screen.query_one(".dialog-text", Label))
            await pilot.press("down", "enter")
            await loaded(app, pilot)
            assert app.sub_title == "Beta"

    asyncio.run(run())
    assert opened == [[agency / "Beta" / "search-terms.csv"]]


def test_review_cli_on_a_folder_of_accounts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`auditor review FOLDER` never runs the audit on mixed accounts (no --out-dir advice):
    it hands the accounts to the app, or opens the one `--account` names."""
    from auditor import cli, tui

    agency = tmp_path / "agency"
    for name in ("Alpha", "Beta"):
        (agency / name).mkdir(parents=True)
        shutil.copy(SAMPLE, agency / name / "search-terms.csv")
    calls: list[tuple[list[Path], list[str]]] = []

    def fake(reports, settings, db_path=None, accounts=None):  # type: ignore[no-untyped-def]
        calls.append((list(reports), [a.name for a in accounts or []]))
        return 0

    monkeypatch.setattr(tui, "run_review", fake)
    assert cli.main(["review", str(agency)]) == 0
    assert cli.main(["review", str(agency), "--account", "Beta"]) == 0
    assert calls[0] == ([], ["Alpha", "Beta"])
    assert calls[1][0] == [agency / "Beta" / "search-terms.csv"]


def test_toasts_stay_clear_of_the_detail_pane(tmp_path: Path, reuse_audit: AuditResult) -> None:
    async def run(size: tuple[int, int]) -> None:
        app = ReviewApp([SAMPLE], Settings(), db_path=tmp_path / f"d{size[0]}.sqlite3")
        async with app.run_test(size=size, notifications=True) as pilot:
            await loaded(app, pilot)
            await pilot.press("3", "m")
            await pilot.pause(0.2)
            toasts = list(app.screen.query("Toast"))
            assert toasts, "a saved edit says so"
            blast = app.screen.query_one("#blast").region
            for toast in toasts:
                assert not toast.region.overlaps(blast), (toast.region, blast)
                assert toast.region.bottom <= blast.y

    asyncio.run(run(SMALL))
    asyncio.run(run(LARGE))


def test_rejected_toggle_says_what_it_shows(tmp_path: Path, reuse_audit: AuditResult) -> None:
    async def run() -> None:
        app = ReviewApp([SAMPLE], Settings(), db_path=tmp_path / "d.sqlite3")
        async with app.run_test(size=SMALL) as pilot:
            await loaded(app, pilot)
            await pilot.press("3", "r", "h")
            status = rendered(app.screen.query_one("#neg-status", Static))
            assert status.startswith("showing 0 rejected before; 1 rejected in this review")
            await pilot.press("h")
            status = rendered(app.screen.query_one("#neg-status", Static))
            assert status.startswith("hiding 0 rejected before")

    asyncio.run(run())


@pytest.mark.parametrize("size", [SMALL, LARGE])
def test_every_tab_lays_out_its_table_status_and_detail(
    tmp_path: Path, reuse_audit: AuditResult, size: tuple[int, int]
) -> None:
    """On every tab the table, the status line and the detail pane are all on screen, above
    the footer, and the detail pane keeps several lines at 80x24."""
    panes = {
        "2": ("#findings-table", "#findings-status", "#finding-detail"),
        "3": ("#neg-table", "#neg-status", "#blast"),
        "4": ("#ngram-table", "#ngram-status", None),
        "5": ("#tracking-table", None, "#evidence"),
    }

    async def run() -> None:
        app = ReviewApp([SAMPLE], Settings(), db_path=tmp_path / "d.sqlite3")
        async with app.run_test(size=size) as pilot:
            await loaded(app, pilot)
            bar = app.screen.query_one(KeyBar).region
            assert bar.y == size[1] - 1
            for tab, selectors in panes.items():
                await pilot.press(tab)
                await pilot.pause()
                for selector in selectors:
                    if selector is None:
                        continue
                    region = app.screen.query_one(selector).region
                    assert region.height >= 1 and region.width == size[0], (tab, selector)
                    assert region.bottom <= bar.y, (tab, selector, region)
                detail = selectors[2]
                if detail is not None:
                    assert app.screen.query_one(detail).region.height >= 5, (tab, detail)

    asyncio.run(run())
