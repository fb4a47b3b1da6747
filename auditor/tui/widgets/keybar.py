"""A one-line footer of the keys that work here, with their descriptions.

Textual's `Footer` rebuilds a widget per key whenever the focus moves, which costs 40-50 ms per
tab switch; this bar repaints one line of text instead, so keys stay within 100 ms.
"""

from __future__ import annotations

from rich.text import Text
from textual.screen import Screen
from textual.widgets import Static


class KeyBar(Static):
    """The footer: `key description` for every shown binding of the focused chain."""

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

    def bindings_changed(self, screen: Screen[object]) -> None:
        if screen is not self.screen:
            return
        text = Text(no_wrap=True, overflow="ellipsis")
        seen: set[str] = set()
        for _node, binding, enabled, _tooltip in screen.active_bindings.values():
            if not binding.show or binding.action in seen:
                continue
            seen.add(binding.action)
            style = "" if enabled else "dim"
            text.append(f" {self.app.get_key_display(binding)} ", style=f"bold reverse {style}")
            text.append(f" {binding.description} ", style=style)
        self.update(text)
