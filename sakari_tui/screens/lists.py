"""A screen that is a table over one ``fetch_all`` operation, with the total the API reports."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from sakari_tui.screens.base import SakariScreen
from sakari_tui.widgets.footer import Footer
from sakari_tui.widgets.status_line import StatusLine

PAGE = 100


class ListScreen(SakariScreen[None]):
    """A table over one ``fetch_all``; subclasses say which and how rows look."""

    title_text = ""
    columns: tuple[tuple[str, int | None], ...] = ()

    BINDINGS = [Binding("ctrl+r,f5", "reload", "Reload", id="list.reload")]

    def compose(self) -> ComposeResult:
        yield Static("", classes="list-title")
        yield DataTable(cursor_type="row", zebra_stripes=True)
        yield StatusLine()
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for label, width in self.columns:
            table.add_column(label, width=width)
        self.action_reload()

    def fetch(self) -> Any:
        raise NotImplementedError

    def cells(self, item: object) -> tuple[Text, ...]:
        raise NotImplementedError

    @work(exclusive=True, group="list")
    async def action_reload(self) -> None:
        table = self.query_one(DataTable)
        table.loading = True
        try:
            page = await self.fetch()
        finally:
            table.loading = False
        table.clear()
        self.items: dict[str, Any] = {}
        for item in page.items:
            key = item.id or str(len(self.items))
            self.items[key] = item
            table.add_row(*self.cells(item), key=key)
        total = page.total_count if page.total_count is not None else len(page.items)
        shown = f"{len(page.items)} of {total}" if total > len(page.items) else f"{total}"
        self.query_one(".list-title", Static).update(Text(f" {self.title_text} · {shown}", style="bold"))
