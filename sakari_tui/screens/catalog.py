"""A list filtered by name on the server, a page at a time, beside the highlighted item's detail.

Templates and Campaigns are both this shape: the API's ``fetch_all`` takes ``name``
(matching "contains"), ``offset`` and ``limit``; create, update and remove take an id.
"""

from __future__ import annotations

import asyncio
from typing import Any, Generic, TypeVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import DataTable, Input, Static

from sakari_tui.api import Page, SakariError
from sakari_tui.core.text import one_line
from sakari_tui.screens.base import SakariScreen
from sakari_tui.styles import style
from sakari_tui.widgets.footer import Footer
from sakari_tui.widgets.status_line import StatusLine

T = TypeVar("T")

PAGE_SIZE = 50
TYPING_PAUSE = 0.25  # seconds of no typing before the filter asks the server


def placeholders_marked(template: str) -> Text:
    """A template's text as typed, its placeholders marked: they are filled per recipient."""
    from sakari_tui.core.templates import render
    from sakari_tui.core.text import strip_control

    rendered = render(strip_control(template), {})
    text = Text(rendered.text)
    for start, end, _ in rendered.spans:
        text.stylize("bold cyan", start, end)
    return text


def catalog_bindings(prefix: str, noun: str) -> list[Binding]:
    """The keys every catalog screen has, with ids under ``prefix``."""
    return [
        Binding("n", "new", "New", id=f"{prefix}.new"),
        Binding("e", "edit", "Edit", id=f"{prefix}.edit"),
        Binding("d,delete", "delete", "Delete", id=f"{prefix}.delete"),
        Binding("slash", "filter", "Filter", id=f"{prefix}.filter", show=False),
        Binding("right_square_bracket", "page(1)", "Next page", id=f"{prefix}.next_page", show=False),
        Binding("left_square_bracket", "page(-1)", "Previous page", id=f"{prefix}.previous_page", show=False),
        Binding("ctrl+r,f5", "reload", "Reload", id=f"{prefix}.reload", show=False),
        Binding("escape", "back", f"Back to the {noun}s", id=f"{prefix}.back", show=False),
    ]


class CatalogScreen(SakariScreen[None], Generic[T]):
    CSS_PATH = style("catalog")  # read when a catalog screen is first shown, not at start-up
    noun = "item"
    columns: tuple[tuple[str, int | None], ...] = ()
    page_size = PAGE_SIZE

    def __init__(self) -> None:
        super().__init__()
        self.items: list[T] = []
        self.page_offset = 0
        self.total: int | None = None
        self.has_next = False
        self.name_filter = ""
        self.loaded = False  # a first page came in

    # -- what a subclass says ------------------------------------------------

    async def fetch_page(self, name: str, offset: int, limit: int) -> Page[T]:
        raise NotImplementedError

    async def remove_item(self, item: T) -> None:
        raise NotImplementedError

    def cells(self, item: T) -> tuple[Text, ...]:
        raise NotImplementedError

    def show_detail(self, item: T | None) -> None:
        raise NotImplementedError

    def item_id(self, item: T) -> str:
        return getattr(item, "id", None) or ""

    def item_name(self, item: T) -> str:
        return one_line(getattr(item, "name", None) or "(unnamed)")

    # -- layout --------------------------------------------------------------

    def compose(self) -> ComposeResult:
        prefix = self.noun + "s"
        yield Input(placeholder=f"/ filter {prefix} by name", id="catalog-filter", compact=True)
        yield Static("", id="catalog-caption")
        with Horizontal(id="catalog-body"):
            yield DataTable(id="catalog-table", cursor_type="row", zebra_stripes=True)
            with VerticalScroll(id="catalog-detail"):
                yield from self.compose_detail()
        yield StatusLine()
        yield Footer()

    def compose_detail(self) -> ComposeResult:
        yield Static("", id="detail-body")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for label, width in self.columns:
            table.add_column(label, width=width)
        table.focus()
        self.show_detail(None)
        self.load()

    @property
    def table(self) -> DataTable:
        return self.query_one("#catalog-table", DataTable)

    @property
    def current(self) -> T | None:
        table = self.table
        if not self.items or table.row_count == 0:
            return None
        row = table.cursor_row
        return self.items[row] if 0 <= row < len(self.items) else None

    # -- loading -------------------------------------------------------------

    @work(exclusive=True, group="catalog-load", exit_on_error=False)
    async def load(self, select_id: str | None = None, delay: float = 0.0) -> None:
        if delay:
            await asyncio.sleep(delay)
        table = self.table
        caption = self.query_one("#catalog-caption", Static)
        if select_id is None and self.current is not None:
            select_id = self.item_id(self.current)
        table.loading = not self.loaded
        try:
            page = await self.fetch_page(self.name_filter, self.page_offset, self.page_size)
            if not page.items and self.page_offset > 0:  # the page emptied (a delete): step back
                self.page_offset = max(0, self.page_offset - self.page_size)
                page = await self.fetch_page(self.name_filter, self.page_offset, self.page_size)
        except SakariError as exc:
            caption.update(Text(f" Could not load the {self.noun}s: {exc}", style="bold red"))
            raise
        finally:
            table.loading = False
        self.loaded = True
        self.items = list(page.items)
        self.total = page.total_count
        self.has_next = page.has_next
        self.fill_table(select_id)
        self.update_caption()
        self.show_detail(self.current)

    def name_width(self) -> int:
        """Room for the name column: what the table leaves after the fixed columns."""
        width = self.table.scrollable_content_region.width or 30
        fixed = sum((w or 0) + 2 for _, w in self.columns[1:])
        return max(12, width - fixed - 3)

    def fill_table(self, select_id: str | None = None) -> None:
        table = self.table
        table.clear()
        for index, item in enumerate(self.items):
            table.add_row(*self.cells(item), key=self.item_id(item) or f"row-{index}")
        row = next((i for i, item in enumerate(self.items) if select_id and self.item_id(item) == select_id), 0)
        if self.items:
            table.move_cursor(row=row)

    def on_resize(self) -> None:
        if self.items:
            current = self.current
            self.fill_table(self.item_id(current) if current is not None else None)

    def update_caption(self) -> None:
        count = len(self.items)
        caption = Text(f" {self.noun.capitalize()}s", style="bold")
        if not count:
            caption.append(" · none" if not self.name_filter else " · none match", style="dim")
        elif self.page_offset == 0 and not self.has_next:
            caption.append(f" · {count}")
        else:
            total = f" of {self.total}" if self.total is not None else ""
            caption.append(f" · {self.page_offset + 1}–{self.page_offset + count}{total}")
            caption.append("  [ ] pages", style="dim")
        if self.name_filter:
            caption.append(" · name contains ", style="dim")
            caption.append(one_line(self.name_filter))
        self.query_one("#catalog-caption", Static).update(caption)

    @on(DataTable.RowHighlighted, "#catalog-table")
    def highlighted(self) -> None:
        self.show_detail(self.current)

    @on(DataTable.RowSelected, "#catalog-table")
    def selected(self) -> None:
        self.action_edit()

    # -- filter and pages ----------------------------------------------------

    @on(Input.Changed, "#catalog-filter")
    def filter_changed(self, event: Input.Changed) -> None:
        if event.value.strip() == self.name_filter:
            return
        self.name_filter = event.value.strip()
        self.page_offset = 0
        self.load(delay=TYPING_PAUSE)

    @on(Input.Submitted, "#catalog-filter")
    def filter_done(self) -> None:
        self.table.focus()

    def action_filter(self) -> None:
        self.query_one("#catalog-filter", Input).focus()

    def action_back(self) -> None:
        box = self.query_one("#catalog-filter", Input)
        if self.focused is box and box.value:
            box.value = ""
        self.table.focus()

    def action_page(self, step: int) -> None:
        if step > 0 and not self.has_next:
            self.notify("This is the last page.", timeout=2)
            return
        if step < 0 and self.page_offset == 0:
            self.notify("This is the first page.", timeout=2)
            return
        self.page_offset = max(0, self.page_offset + step * self.page_size)
        self.load(select_id="")

    def action_reload(self) -> None:
        self.load()

    # -- create, edit, delete ------------------------------------------------

    def form(self, item: T | None) -> ModalScreen[Any]:
        """The form that creates an item (``item`` None) or edits ``item``, dismissed with
        what it saved."""
        raise NotImplementedError

    def chosen(self, verb: str) -> T | None:
        """The highlighted item, or None after saying that there is none to ``verb``."""
        item = self.current
        if item is None:
            self.notify(f"No {self.noun} to {verb}.", severity="warning", timeout=3)
        return item

    def action_new(self) -> None:
        self.app.push_screen(self.form(None), self.saved)

    def action_edit(self) -> None:
        item = self.chosen("edit")
        if item is not None:
            self.app.push_screen(self.form(item), self.saved)

    def saved(self, item: Any) -> None:
        """After a form saved ``item``: show it, highlighted."""
        if item is None:
            return
        self.notify(f"Saved “{self.item_name(item)}”.", timeout=3, markup=False)
        self.load(select_id=self.item_id(item))

    def action_delete(self) -> None:
        item = self.chosen("delete")
        if item is None:
            return
        from sakari_tui.screens.dialogs import confirm_then

        question = f"Delete the {self.noun} “{self.item_name(item)}”? This cannot be undone."
        confirm_then(self.app, question, "Delete", lambda: self.delete(item))

    @work(group="catalog-delete", exit_on_error=False)
    async def delete(self, item: T) -> None:
        try:
            await self.remove_item(item)
        except SakariError as exc:
            self.notify(
                f"“{self.item_name(item)}” was not deleted: {exc}",
                title="Delete failed",
                severity="error",
                markup=False,
            )
            return
        self.notify(f"Deleted “{self.item_name(item)}”.", timeout=3, markup=False)
        self.load(select_id="")
