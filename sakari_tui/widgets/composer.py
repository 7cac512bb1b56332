"""The reply box: multi-line, Enter sends (the text is taken and the box emptied at once).

Terminals and tmux disagree about shift+enter, so a newline has three keys:
shift+enter where the terminal reports it, alt+enter, and ctrl+n, which
always gets through.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import events
from textual.binding import Binding
from textual.message import Message
from textual.widgets import TextArea

NEWLINE_KEYS = ("shift+enter", "alt+enter", "ctrl+n")


class Composer(TextArea):
    DEFAULT_CSS = """
    Composer {
        height: auto;
        min-height: 3;
        max-height: 8;
    }
    """

    BINDINGS = [
        Binding("enter", "submit", "Send", id="composer.send", show=True),
        Binding(",".join(NEWLINE_KEYS), "newline", "Newline", id="composer.newline", show=False),
    ]

    @dataclass
    class Submitted(Message):
        composer: Composer
        text: str

    def __init__(self, text: str = "", **kwargs) -> None:
        kwargs.setdefault("soft_wrap", True)
        kwargs.setdefault("tab_behavior", "focus")
        super().__init__(text, **kwargs)

    def on_key(self, event: events.Key) -> None:
        # Enter sends, in turn with the keys typed before it (a priority binding would run
        # ahead of them). Textual calls this handler before TextArea's own, which would insert
        # a newline; prevent_default, the documented way, keeps that one from running.
        if event.key == "enter":
            event.prevent_default()
            event.stop()
            self.action_submit()

    def action_submit(self) -> None:
        """Take the text and empty the box in one step, then say so. Keys typed before the
        message is handled land in the empty box, for the next reply: none is lost to a
        later clear, none joins the reply already taken."""
        text = self.text
        if text.strip():
            self.clear()
            self.post_message(self.Submitted(self, text))

    def give_back(self, text: str) -> None:
        """Put back a taken reply that was not sent, before whatever was typed since."""
        self.insert(text, (0, 0))
        self.move_cursor(self.document.end)

    def action_newline(self) -> None:
        start, end = self.selection
        self.replace("\n", start, end, maintain_selection_offset=False)
