"""Launched by startup_terminal.py: a minimal Textual app (one Static), in the terminal it is given."""

from textual.app import App, ComposeResult
from textual.widgets import Static


class Minimal(App[None]):
    def compose(self) -> ComposeResult:
        yield Static("Hello from a minimal Textual app")


if __name__ == "__main__":
    Minimal().run()
