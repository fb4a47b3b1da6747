"""The help screen: every key of the tab it was opened on, then what each tab shows."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown, Static

HELP = """\
**Everywhere**: `1`-`5` switch tabs (Overview, Findings, Negatives, N-grams, Tracking),
`u` undo and `U` redo the last decisions (accept, reject, match type, level, edit, new
negative; in the decisions database too), `?` this help, `q` quit. Tab / Shift+Tab move between
fields; arrows and PgUp/PgDn move in tables. Decisions are saved the moment you make them.

**Negate from anywhere**: `n` on a Findings row (a search term or an n-gram) or an N-grams row
opens the negative editor with the text, a match type and the suggested level filled in. Pick
the target (an ad group, a campaign or the shared list) from the list: each option shows the
terms it would block and their spend. The blast radius and the safety check update as you type;
an unsafe negative (it would block a converting term, a bought keyword or a protected term) is
refused with the reason. `l` and `e` on the Negatives tab open the same editor.

**Negatives** marks: `●` new this week, `·` pending, `✓` accepted, `⇪` exported, `✗` rejected,
`*` edited. `b` switches to what the audit held back: `review` items are wasteful terms no word
marks as irrelevant, `unsafe` ones would block a converting term, a bought keyword or a
protected term; `p` proposes the highlighted one (checked first).

**Findings** marks `new` the findings last week's review did not show. **Overview** ends with
what changed since the last review: new proposals and findings, and whether the negatives
exported then still spent this week (added in the platform or not).

Press `Esc` or `?` to close.
"""


def key_table(title: str, keys: list[tuple[str, str]]) -> Table:
    """The keys of one tab as a two-column table."""
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold reverse", justify="center", min_width=5)
    grid.add_column()
    grid.title = title
    grid.title_style = "bold"
    grid.title_justify = "left"
    for key, what in keys:
        grid.add_row(Text(key), Text(what))
    return grid


class HelpScreen(ModalScreen[None]):
    """`keys`: (key, what it does) of the tab the help was opened on."""

    BINDINGS: ClassVar[list[BindingType]] = [
        ("escape", "dismiss", "Close"),
        ("question_mark", "dismiss", "Close"),
    ]

    def __init__(self, title: str = "Keys", keys: list[tuple[str, str]] | None = None) -> None:
        super().__init__()
        self.title_text = title
        self.keys = keys or []

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box"):
            yield Static(key_table(self.title_text, self.keys), id="help-keys")
            yield Markdown(HELP)
