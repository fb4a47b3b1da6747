"""`ReviewApp`: runs the audit in a worker, then opens the five-tab review."""

from __future__ import annotations

import gc
import os
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.screen import Screen

from auditor.batch import AccountInput
from auditor.config import Settings
from auditor.errors import EXIT_INTERNAL, AuditorError
from auditor.review.state import ReviewState, load_review
from auditor.tui.messages import AuditFailed, AuditLoaded, AuditProgress
from auditor.tui.screens.accounts import AccountScreen
from auditor.tui.screens.help import HelpScreen
from auditor.tui.screens.loading import LoadingScreen
from auditor.tui.screens.review import ReviewScreen
from auditor.tui.widgets.keybar import shown_keys
from auditor.tui.widgets.negatives import NegativesPane

RETRY_SECONDS = 2.0
"""How often decisions not saved yet (database locked) are written again."""


def help_keys(app: App[None], screen: Screen[object]) -> list[tuple[str, str]]:
    """(key, what it does) of every binding of the focused chain that is ours: the ones
    with a tooltip (Textual's own, such as arrows and Tab, are described in the help text)."""
    out = []
    for _node, binding, _enabled in shown_keys(screen, hidden=True):
        if not binding.tooltip:
            continue
        out.append((app.get_key_display(binding), binding.tooltip or binding.description))
    return out


class ReviewApp(App[None]):
    """The weekly review. `state` is set once the audit has loaded.

    Animations are off unless `TEXTUAL_ANIMATIONS` asks for them: a tab switch then answers
    at once instead of sliding the tab underline for 0.3 s.
    """

    TITLE = "auditor review"
    CSS_PATH = "review.tcss"
    NOTIFICATION_TIMEOUT = 3
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit", tooltip="quit (decisions are already saved)"),
        Binding("question_mark", "help", "Help", tooltip="this help: every key of the tab"),
    ]

    def __init__(
        self,
        reports: Sequence[Path],
        settings: Settings,
        *,
        db_path: Path | None = None,
        accounts: Sequence[AccountInput] | None = None,
    ) -> None:
        super().__init__()
        self.reports = list(reports)
        self.accounts = list(accounts or [])
        """A folder's accounts to choose from when no report is given."""
        self.settings = settings
        self.db_path = db_path
        self.state: ReviewState | None = None
        if "TEXTUAL_ANIMATIONS" not in os.environ:
            self.animation_level = "none"

    def on_mount(self) -> None:
        if not self.reports and self.accounts:
            self.push_screen(AccountScreen(self.accounts), self._account_chosen)
            return
        self._start()

    def _account_chosen(self, account: AccountInput | None) -> None:
        """Open the chosen account, named after its folder (unless a name was given)."""
        if account is None:
            self.exit()
            return
        self.reports = list(account.paths)
        name = self.settings.account_name or account.name
        self.settings = replace(self.settings, account_name=name)
        self._start()

    def _start(self) -> None:
        names = ", ".join(p.name for p in self.reports[:3])
        more = f" and {len(self.reports) - 3} more" if len(self.reports) > 3 else ""
        self.push_screen(LoadingScreen(names + more))
        self.load()

    @work(thread=True, exclusive=True)
    def load(self) -> None:
        """Run the audit (sync engine) off the UI thread; report progress and the outcome."""
        try:
            state = load_review(
                self.reports,
                self.settings,
                self.db_path,
                progress=lambda step, done: self.post_message(AuditProgress(step, done)),
            )
        except AuditorError as exc:
            self.post_message(AuditFailed(exc.one_line(), exc.exit_code))
            return
        except Exception as exc:  # the app must exit cleanly with a message, not a traceback
            text = f"internal error: {type(exc).__name__}: {exc} (please report it)"
            self.post_message(AuditFailed(text, EXIT_INTERNAL))
            return
        self.post_message(AuditLoaded(state))

    @on(AuditProgress)
    def _progress(self, event: AuditProgress) -> None:
        if isinstance(self.screen, LoadingScreen):
            self.screen.advance(event.step, event.done)

    @on(AuditLoaded)
    def _loaded(self, event: AuditLoaded) -> None:
        """Open the review. The loaded audit is frozen out of the garbage collector's
        generations (`gc.freeze`): collections then skip its objects instead of pausing a
        key press for 50+ ms now and then."""
        self.state = event.state
        self.sub_title = event.state.account.label
        self.switch_screen(ReviewScreen(event.state))
        self.call_after_refresh(gc.freeze)
        saving = event.state.store.status()
        if event.state.store.read_only:
            self.sub_title += " (read-only)"
        if saving:
            self.notify(saving, severity="warning", timeout=15, markup=False)
        self.set_interval(RETRY_SECONDS, self._retry_saving)

    def _retry_saving(self) -> None:
        """Write the decisions the database could not take yet; refresh the status line."""
        if self.state is None or self.state.store.status() is None:
            return
        before = self.state.store.status()
        self.state.store.retry()
        if self.state.store.status() != before:
            for pane in self.screen.query(NegativesPane):
                pane.update_status()

    @on(AuditFailed)
    def _failed(self, event: AuditFailed) -> None:
        self.exit(return_code=event.exit_code, message=Text(f"auditor: error: {event.message}"))

    def action_help(self) -> None:
        """The help screen with every key of the current tab (the footer's and the rest)."""
        if isinstance(self.screen, HelpScreen):
            return
        screen = self.screen
        title = screen.tab_title() if isinstance(screen, ReviewScreen) else "Keys"
        self.push_screen(HelpScreen(f"Keys: {title}", help_keys(self, screen)))

    def on_unmount(self) -> None:
        if self.state is not None:
            self.state.store.close()
