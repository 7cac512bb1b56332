"""Below the smallest size the app is laid out for, one message instead of clipped screens.

Every screen is laid out for 80x24 and larger; the inbox also holds down to ``MIN_SIZE``.
Below that, this screen covers the app and says how large the terminal is and how large it
needs to be; it goes away by itself when the terminal grows. Keys that would change screens
underneath do nothing meanwhile (ctrl+q still quits).
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Static

MIN_SIZE = (60, 20)  # columns, lines
LAID_OUT_FOR = (80, 24)


def too_small(width: int, height: int) -> bool:
    return width < MIN_SIZE[0] or height < MIN_SIZE[1]


def message(width: int, height: int) -> Text:
    text = Text()
    text.append("The terminal is too small", style="bold")
    text.append(f"\n\n{width}x{height}: sakari-tui needs at least {MIN_SIZE[0]}x{MIN_SIZE[1]}")
    text.append(f" ({LAID_OUT_FOR[0]}x{LAID_OUT_FOR[1]} for every screen).")
    text.append("\nMake the window larger; the app comes back as it was.", style="dim")
    return text


class TooSmallScreen(Screen[None]):
    # Its styles are in base.tcss: it may cover the first screen, before any other is read.
    # The app's own keys would switch screens or open dialogs under this one: not now.
    BINDINGS = [
        Binding("1,2,3,4,5,6,f1,question_mark,ctrl+p,escape", "nothing", show=False, id="too_small.nothing"),
    ]

    def compose(self) -> ComposeResult:
        yield Static(message(*self.app.size), id="too-small-message")

    def on_resize(self) -> None:
        self.query_one("#too-small-message", Static).update(message(*self.app.size))

    def action_nothing(self) -> None:
        pass
