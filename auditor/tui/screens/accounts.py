"""Which account to open, when `auditor review` is given a folder of account folders."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from auditor.batch import AccountInput


class AccountScreen(ModalScreen[AccountInput | None]):
    """Lists the accounts (one per folder holding reports) and returns the one chosen."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Quit")]

    def __init__(self, accounts: list[AccountInput]) -> None:
        super().__init__()
        self.accounts = accounts

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="account-dialog"):
            yield Label(
                Text(f"This folder holds {len(self.accounts)} accounts. Open which one?"),
                classes="dialog-text",
            )
            yield OptionList(
                *[
                    Option(Text(f"{a.name}  ({len(a.paths)} file(s))"), id=str(i))
                    for i, a in enumerate(self.accounts)
                ],
                id="account-list",
                compact=True,
            )
            yield Label("Enter open · Esc quit", id="account-hint")

    def on_mount(self) -> None:
        self.query_one("#account-list", OptionList).focus()

    @on(OptionList.OptionSelected, "#account-list")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.accounts[event.option_index])

    def action_cancel(self) -> None:
        self.dismiss(None)
