"""The help screen: what each tab shows and every key."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown

HELP = """\
# Weekly review: keys

**Everywhere**: `1`-`5` switch tabs (Overview, Findings, Negatives, N-grams, Tracking),
`?` this help, `q` quit. Tab / Shift+Tab move between fields; arrows and PgUp/PgDn move in tables.
Decisions are saved the moment you make them.

**Findings**: `/` search text, `s` change the sort (cost, severity, rule, campaign, subject;
or click a column header), `c` clear the filters, `Esc` back to the table. Severity and category
pick-lists and a campaign filter sit above the table; the pane below explains the rule and its
figures.

**Negatives**: `a` accept, `r` reject, `u` undo (back to pending), `m` change the match type,
`l` change the level (ad group, campaign, shared list), `e` edit the text, `x` export the
accepted ones (Google Ads Editor or Microsoft Advertising file), `h` show / hide rejected ones.
Every edit is replayed against every search term first: an edit that would block a converting
term, a bought keyword or a protected term is refused and the reason is shown.
Marks: `●` new this week, `·` pending, `✓` accepted, `⇪` exported, `✗` rejected, `*` edited.

**Held back / to review** (`b` switches the Negatives table to them and back): what the audit
considered and did not propose. `review` items are wasteful terms no word marks as irrelevant
(a product you may not sell); `unsafe` ones would block a converting term, a bought keyword or
a protected term. The pane below gives the full reason and the terms it would block.
`p` proposes the highlighted item as your own negative: its text and match type (phrase for
an n-gram family, exact for a single query), on the campaign where its terms spend, or on the
shared list when they spend in several campaigns. It is checked like an edit: refused with the
reason when unsafe, otherwise added as accepted (family `added`), remembered next week and
exported with the other accepted ones. Change it afterwards with `m`, `l`, `e` as any other.

**N-grams**: `/` filter, `n` 1/2/3-word n-grams or all, `s` sort, `z` only non-converting.

**Tracking**: the tracking checks' findings; the pane below shows their evidence
(transaction IDs, days, conversion actions, figures).

Press `Esc` or `?` to close.
"""


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        ("escape", "dismiss", "Close"),
        ("question_mark", "dismiss", "Close"),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box"):
            yield Markdown(HELP)
