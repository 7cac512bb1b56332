"""The find bar of the thread: ``/`` in the thread opens it, typing finds as you type.

Enter goes back to the thread with the find on (n older match, N newer, Esc ends it;
F3 and shift+F3 do as n and N from anywhere on the screen, the reply box included);
Esc in the bar ends the find. The thread does the finding (``MessageThread.set_find``).
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Input, Static

from sakari_tui.widgets.thread import MessageThread


class ThreadFind(Horizontal):
    DEFAULT_CSS = """
    ThreadFind { height: 1; display: none; background: $boost; }
    ThreadFind.-open { display: block; }
    ThreadFind Input { border: none; height: 1; width: 1fr; padding: 0 1; background: $boost; }
    ThreadFind Input:focus { border: none; }
    ThreadFind #thread-find-count { width: auto; padding: 0 1; color: $text-muted; }
    """
    BINDINGS = [Binding("escape", "close", "End find", id="thread_find.close")]

    def __init__(self, thread: MessageThread, **kwargs) -> None:
        super().__init__(**kwargs)
        self.thread = thread

    def compose(self) -> ComposeResult:
        yield Input(placeholder="find in thread · Enter, then n/N", id="thread-find-input")
        yield Static("", id="thread-find-count")

    def open(self) -> None:
        self.add_class("-open")
        self.query_one(Input).focus()

    def action_close(self) -> None:
        self.query_one(Input).value = ""
        self.thread.set_find("")
        self.remove_class("-open")
        self.thread.focus()

    @on(Input.Changed, "#thread-find-input")
    def changed(self, event: Input.Changed) -> None:
        event.stop()
        self.thread.set_find(event.value)

    @on(Input.Submitted, "#thread-find-input")
    def submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.thread.focus()

    def show_count(self) -> None:
        """'2 of 5', counted from the oldest match; called when the thread's find changes."""
        thread = self.thread
        label = Text()
        if thread.find_text:
            total = len(thread.find_matches)
            position = thread.find_position
            if total == 0:
                label.append("no match", style="yellow")
            else:
                label.append(f"{position} of {total}" if position else f"{total} match{'es' if total != 1 else ''}")
                label.append(" · n older · N newer", style="dim")
        self.query_one("#thread-find-count", Static).update(label)
        if not thread.find_text and not self.query_one(Input).has_focus:
            self.query_one(Input).value = ""
            self.remove_class("-open")
