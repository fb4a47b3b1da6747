"""A one-line footer of the keys that work here, with short descriptions.

Textual's `Footer` rebuilds a widget per key whenever the focus moves, which costs 40-50 ms per
tab switch; this bar repaints one line of text instead, so keys stay within 100 ms. Each key is
drawn `key Label` with two spaces before the next; `u Undo`, `? Help` and `q Quit` always sit at the
right end. Keys that do not fit the width are left out (the tab's own keys first, in the order
they are declared) and the end then reads `? more`: the help screen lists every key.
"""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.dom import DOMNode
from textual.screen import Screen
from textual.widgets import Static

GAP = "  "
ALWAYS = ("undo", "help", "quit")
"""Actions kept at the right end of the bar whatever the width."""

KeyItem = tuple[str, str, bool]
"""(key as shown, description, enabled)."""


def shown_keys(
    screen: Screen[object], *, hidden: bool = False
) -> list[tuple[DOMNode, Binding, bool]]:
    """The bindings of the focused chain, each action once: (owner, binding, enabled).
    Only the footer's (`show`) unless `hidden`; a shown key wins over a hidden one of the
    same action (`q` over Textual's own `ctrl+q` for quit)."""
    out: dict[str, tuple[DOMNode, Binding, bool]] = {}
    for node, binding, enabled, _tooltip in screen.active_bindings.values():
        if not (binding.show or hidden):
            continue
        known = out.get(binding.action)
        if known is None or (binding.show and not known[1].show):
            out[binding.action] = (node, binding, enabled)
    return list(out.values())


def render_keys(keys: list[KeyItem], tail: list[KeyItem], width: int) -> Text:
    """As many `keys` as fit before `tail` in `width` cells; `? more` when some are left out."""
    end = _render(tail)
    room = width - end.cell_len - len(GAP)
    shown: list[KeyItem] = []
    for item in keys:
        if _render([*shown, item]).cell_len > room:
            break
        shown.append(item)
    if len(shown) < len(keys):
        tail = [(k, "more" if k == "?" else d, e) for k, d, e in tail]
        end = _render(tail)
        while shown and _render(shown).cell_len > width - end.cell_len - len(GAP):
            shown.pop()
    text = _render(shown)
    text.append(" " * max(width - text.cell_len - end.cell_len, 1))
    text.append_text(end)
    return text


def _render(keys: list[KeyItem]) -> Text:
    text = Text(no_wrap=True, overflow="ellipsis")
    for i, (key, description, enabled) in enumerate(keys):
        style = "" if enabled else "dim"
        if i:
            text.append(GAP)
        text.append(f" {key} ", style=f"bold reverse {style}")
        text.append(f" {description}", style=style)
    return text


class KeyBar(Static):
    """The footer: `key Label` for every shown binding of the focused chain."""

    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
        background: $panel;
    }
    """

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self.bindings_changed)
        self.bindings_changed(self.screen)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def on_resize(self) -> None:
        self.bindings_changed(self.screen)

    def bindings_changed(self, screen: Screen[object]) -> None:
        if screen is not self.screen:
            return
        keys: list[KeyItem] = []
        tail: list[KeyItem] = []
        for _node, binding, enabled in shown_keys(screen):
            item = (self.app.get_key_display(binding), binding.description, enabled)
            (tail if binding.action in ALWAYS else keys).append(item)
        width = self.size.width or self.app.size.width
        self.update(render_keys(keys, tail, width))
