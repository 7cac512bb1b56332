"""F1 / ?: the keys of the screen underneath, as they are bound now (remaps included)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from rich.table import Table
from rich.text import Text
from textual.app import App, ComposeResult, active_app
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Static

from sakari_tui.screens.base import SakariModal, SakariScreen

if TYPE_CHECKING:
    from sakari_tui.app import SakariApp


def bindings_table(screen: Screen) -> Table:
    """One row per action, with every key bound to it."""
    return _table((active.binding for active in screen.active_bindings.values()), screen.app)


def widget_bindings(app: SakariApp, widget_type: type[Widget]) -> list[Binding]:
    """The keys of a widget that has no focus now, as bound after the config's ``[keys]``."""
    keymap: dict[str, str] = dict(app.config.keys) if app.config is not None else {}
    found: list[Binding] = []
    for binding in widget_type.BINDINGS:
        if not isinstance(binding, Binding):
            continue
        keys = keymap.get(binding.id or "", binding.key)
        found.extend(Binding(key, binding.action, binding.description, id=binding.id, show=binding.show)
                     for key in keys.split(","))  # fmt: skip
    return found


def _table(bindings: Iterable[Binding], app: App | None = None) -> Table:
    rows: dict[tuple[str, str], tuple[list[str], str]] = {}
    for binding in bindings:
        # Keys without an id are Textual's own (scrolling, focus): not ours to list or remap.
        if not binding.description or binding.system or not binding.id:
            continue
        keys, _ = rows.setdefault((binding.action, binding.tooltip or binding.description), ([], binding.id or ""))
        display = _app_of(app).get_key_display(binding)
        if display not in keys:
            keys.append(display)
    table = Table(box=None, show_header=True, header_style="bold", expand=True, pad_edge=False)
    table.add_column("Key", style="bold cyan", no_wrap=True)
    table.add_column("Action")
    table.add_column("Id", style="dim", no_wrap=True)
    for (_, description), (keys, binding_id) in rows.items():
        table.add_row(", ".join(keys), Text(description), Text(binding_id))
    return table


def _app_of(app: App | None) -> App:
    return app if app is not None else active_app.get()


class HelpScreen(SakariModal[None]):
    BINDINGS = [Binding("escape,q,f1,question_mark", "dismiss", "Close", id="help.close")]

    def __init__(self, screen: Screen) -> None:
        super().__init__()
        self._target = screen

    def compose(self) -> ComposeResult:
        with VerticalScroll() as scroll:
            scroll.border_title = "Keys"
            scroll.border_subtitle = "Esc to close · remap in config \\[keys] by id"
            yield Static(bindings_table(self._target))
            # Widgets of the screen that keys reach once they have focus (the inbox's thread).
            sections = self._target.HELP_SECTIONS if isinstance(self._target, SakariScreen) else []
            for title, widget_type in sections:
                if not self._target.query(widget_type) or self._target.focused.__class__ is widget_type:
                    continue
                yield Static(Text(f"\n{title}", style="bold"))
                yield Static(_table(widget_bindings(self.app, widget_type), self.app))
            yield Static(
                Text(
                    "\nNewline in a reply: shift+enter where the terminal reports it, alt+enter, or ctrl+n.\n"
                    "Command palette: ctrl+p lists every action.",
                    style="dim",
                )
            )
