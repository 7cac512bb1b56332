"""The dialog shown when the profile's local store is damaged: move it aside, or quit."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Static

from sakari_tui.core.store import StoreDamaged
from sakari_tui.screens.base import SakariModal


def explanation(error: StoreDamaged) -> Text:
    text = Text()
    text.append("The local store is damaged\n", style="bold")
    text.append(str(error.path), style="bold")
    text.append(f"\n{error.reason}\n\n")
    text.append(
        "It holds a cache of conversations and contacts (the server has them too), read "
        "markers, drafts and replies not yet sent. Moving it aside keeps the file, renamed to "
        f"{error.path.name}.damaged-TIMESTAMP, copies what can still be read of the drafts and "
        "unsent replies into a fresh store, and carries on."
    )
    return text


class StoreDamagedScreen(SakariModal[bool]):
    """Dismissed with True to move the file aside, False to quit."""

    BINDINGS = [
        Binding("m", "answer(True)", "Move aside", id="store_damaged.move"),
        Binding("q,escape", "answer(False)", "Quit", id="store_damaged.quit"),
    ]

    def __init__(self, error: StoreDamaged) -> None:
        super().__init__()
        self.error = error

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = "Local store"
            yield Static(explanation(self.error), id="store-damaged-text")
            with Horizontal(classes="buttons"):
                yield Button("Quit (q)", id="quit", action="screen.answer(False)")
                yield Button(
                    "Move aside and start fresh (m)", id="move", variant="warning", action="screen.answer(True)"
                )

    def on_mount(self) -> None:
        self.query_one("#move", Button).focus()

    def action_answer(self, move: bool) -> None:
        self.dismiss(move)
