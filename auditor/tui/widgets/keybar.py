"""A one-line footer of the keys that work here, with their descriptions.

Textual's `Footer` rebuilds a widget per key whenever the focus moves, which costs 40-50 ms per
tab switch; this bar repaints one line of text instead, so keys stay within 100 ms. Keys that do not
fit the width are drawn without the padding around each key, then the last keys without their
words: every key stays visible at 80 columns, and `?` lists them all.
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

    def on_resize(self) -> None:
        self.bindings_changed(self.screen)

    def bindings_changed(self, screen: Screen[object]) -> None:
        if screen is not self.screen:
            return
        keys: list[tuple[str, str, bool]] = []
        seen: set[str] = set()
        for _node, binding, enabled, _tooltip in screen.active_bindings.values():
            if not binding.show or binding.action in seen:
                continue
            seen.add(binding.action)
            keys.append((self.app.get_key_display(binding), binding.description, enabled))
        width = self.size.width or self.app.size.width
        text = self._render_keys(keys, pad=" ")
        if text.cell_len > width:
            text = self._render_keys(keys, pad="")  # narrow terminal: one space per key saved
        described = len(keys)
        while text.cell_len > width and described > 0:
            # Still too wide: the last keys keep their letter and lose their words (the help
            # screen, `?`, lists them all).
            described -= 1
            short = [(k, d if i < described else "", e) for i, (k, d, e) in enumerate(keys)]
            text = self._render_keys(short, pad="")
        self.update(text)

    @staticmethod
    def _render_keys(keys: list[tuple[str, str, bool]], pad: str) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        for key, description, enabled in keys:
            style = "" if enabled else "dim"
            text.append(f"{pad}{key}{pad}", style=f"bold reverse {style}")
            text.append(f" {description}{pad}" if description else " ", style=style)
        return text
