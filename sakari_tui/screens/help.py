"""F1 / ?: the keys of the screen underneath, as they are bound now (remaps included)."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from sakari_tui.screens.base import SakariModal


def bindings_table(screen: Screen) -> Table:
    """One row per action, with every key bound to it."""
    rows: dict[tuple[str, str], tuple[list[str], str]] = {}
    for active in screen.active_bindings.values():
        binding = active.binding
        # Keys without an id are Textual's own (scrolling, focus): not ours to list or remap.
        if not binding.description or binding.system or not binding.id:
            continue
        keys, _ = rows.setdefault((binding.action, binding.description), ([], binding.id or ""))
        display = screen.app.get_key_display(binding)
        if display not in keys:
            keys.append(display)
    table = Table(box=None, show_header=True, header_style="bold", expand=True, pad_edge=False)
    table.add_column("Key", style="bold cyan", no_wrap=True)
    table.add_column("Action")
    table.add_column("Id", style="dim", no_wrap=True)
    for (_, description), (keys, binding_id) in rows.items():
        table.add_row(", ".join(keys), Text(description), Text(binding_id))
    return table


class HelpScreen(SakariModal[None]):
    DEFAULT_CSS = """
    HelpScreen {
        align: center middle;
    }
    HelpScreen > VerticalScroll {
        width: 80%;
        max-width: 90;
        height: 80%;
        border: round $primary;
        background: $surface;
        padding: 0 1;
    }
    """

    BINDINGS = [Binding("escape,q,f1,question_mark", "dismiss", "Close", id="help.close")]

    def __init__(self, screen: Screen) -> None:
        super().__init__()
        self._target = screen

    def compose(self) -> ComposeResult:
        with VerticalScroll() as scroll:
            scroll.border_title = "Keys"
            scroll.border_subtitle = "Esc to close · remap in config \\[keys] by id"
            yield Static(bindings_table(self._target))
            yield Static(
                Text(
                    "\nNewline in a reply: shift+enter where the terminal reports it, alt+enter, or ctrl+n.\n"
                    "Command palette: ctrl+p lists every action.",
                    style="dim",
                )
            )
