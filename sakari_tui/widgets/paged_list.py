"""A virtual list over a collection the server pages: one line a row, pages fetched as the view needs them.

Only the lines on screen are rendered (Textual's line API). Rows are plain items held in a
bounded cache of pages: a list of 100,000 contacts costs the few pages around the view, not
100,000 widgets or objects. A row whose page is not cached renders as a placeholder and
asks for its page; one loader worker fetches the missing pages nearest the view first and
stops when the view is covered, and two screens beyond it in the direction the cursor or the
view last moved (a few rows the other way), so paging on finds the next rows already there.
One loader, one page at a time: a page is never asked for twice at once. When the cache is
full, the page farthest from the view is dropped; it is fetched again if the view comes back.

The widget knows nothing about contacts: the screen gives it a ``fetch(offset, limit)``
coroutine (a filter change is a new one, see ``reset``), a function that draws a row as
``Text`` for a width, and a function that names an item's key (for the selection).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from rich.segment import Segment
from rich.text import Text
from textual import events
from textual.strip import Strip
from textual.worker import Worker, WorkerState

from sakari_tui.api import Page, SakariError
from sakari_tui.widgets.virtual_list import VirtualList

T = TypeVar("T")

PAGE_SIZE = 100  # the API's largest page
MAX_PAGES = 30  # pages kept in memory: 3,000 rows at most
PREFETCH_ROWS = 20  # rows beyond the view either way, so scrolling on rarely shows a placeholder
PREFETCH_SCREENS = 2  # screens beyond the view in the direction it moves (see _needed_pages)

Fetch = Callable[[int, int], Awaitable[Page[Any]]]


@dataclass
class Selection(Generic[T]):
    """Which rows are chosen: some picked one by one (kept with their items), or every
    row matching the filter except the ones toggled off."""

    all_matching: bool = False
    picked: dict[str, T] = field(default_factory=dict)
    excluded: set[str] = field(default_factory=set)

    def __contains__(self, key: object) -> bool:
        if self.all_matching:
            return key not in self.excluded
        return key in self.picked

    def toggle(self, key: str, item: T) -> bool:
        """Flip one row; True when it is selected now."""
        if self.all_matching:
            if key in self.excluded:
                self.excluded.discard(key)
                return True
            self.excluded.add(key)
            return False
        if key in self.picked:
            del self.picked[key]
            return False
        self.picked[key] = item
        return True

    def select_all(self) -> None:
        self.all_matching = True
        self.picked.clear()
        self.excluded.clear()

    def clear(self) -> None:
        self.all_matching = False
        self.picked.clear()
        self.excluded.clear()

    def count(self, total: int | None) -> int:
        if self.all_matching:
            return max((total or 0) - len(self.excluded), 0)
        return len(self.picked)


class PagedList(VirtualList, Generic[T]):
    """A list over a collection the server pages, one line a row, with a selection."""

    COMPONENT_CLASSES = {
        "paged-list--placeholder",
        "paged-list--selected",
    }

    DEFAULT_CSS = """
    PagedList {
        height: 1fr;
        scrollbar-gutter: stable;
    }
    PagedList > .paged-list--placeholder {
        color: $text-muted;
    }
    PagedList > .paged-list--selected {
        color: $accent;
        text-style: bold;
    }
    """

    @dataclass
    class Highlighted(VirtualList.ListMessage):
        """The cursor moved, or the row under it arrived. ``item`` is None while loading."""

        index: int
        item: Any

    @dataclass
    class Opened(VirtualList.ListMessage):
        """Enter (or a double click) on a loaded row."""

        index: int
        item: Any

    @dataclass
    class Loaded(VirtualList.ListMessage):
        """A page came in; ``total`` is what the server counts for the filter."""

        total: int

    @dataclass
    class LoadFailed(VirtualList.ListMessage):
        """A page could not be fetched."""

        error: SakariError

    def __init__(
        self,
        render_row: Callable[[T, int], Text],
        key_of: Callable[[T], str],
        *,
        page_size: int = PAGE_SIZE,
        max_pages: int = MAX_PAGES,
        placeholder: str = "…",
        empty: str = "Nothing here.",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.render_row = render_row
        self.key_of = key_of
        self.page_size = page_size
        self.max_pages = max(max_pages, 2)
        self.placeholder = placeholder
        self.empty = empty
        self.selection: Selection[T] = Selection()
        self._fetch: Fetch | None = None
        self._generation = 0
        self._pages: OrderedDict[int, tuple[T, ...]] = OrderedDict()
        # Pages from before a reload, shown until their fresh copy arrives (no flicker).
        self._stale: dict[int, tuple[T, ...]] = {}
        self._failed: dict[int, str] = {}
        self._total: int | None = None
        self._loader: Worker | None = None
        self._loader_generation: int | None = None
        self._schedule_pending = False
        self._announced: tuple[int, str | None] | None = None
        self._direction = 0  # which way the cursor or view last moved: 1 down, -1 up, 0 not since a reset
        self.requests = 0  # pages fetched, for the curious (and the tests)

    # -- data ----------------------------------------------------------------

    @property
    def total(self) -> int | None:
        """Rows matching the filter as the server counts them; None before the first page."""
        return self._total

    @property
    def fetching(self) -> bool:
        """A page is being fetched."""
        return self._loader_generation is not None

    @property
    def cached_pages(self) -> list[int]:
        return sorted(self._pages)

    def item_at(self, index: int) -> T | None:
        page_no, offset = divmod(index, self.page_size)
        items = self._pages.get(page_no)
        if items is None:
            items = self._stale.get(page_no)
        if items is None or offset >= len(items):
            return None
        return items[offset]

    @property
    def highlighted(self) -> T | None:
        return self.item_at(self.cursor)

    def loaded_items(self) -> Iterator[T]:
        """Every cached item, in list order."""
        for page_no in sorted(self._pages):
            yield from self._pages[page_no]

    def reset(self, fetch: Fetch | None = None, *, keep_position: bool = False) -> None:
        """Forget the cached pages and fetch again: with ``fetch`` when the filter changed
        (back to the top), or in place after an edit (``keep_position``)."""
        if fetch is not None:
            self._fetch = fetch
        self._generation += 1
        if self._loader is not None:
            self._loader.cancel()
        self._loader = None
        self._loader_generation = None
        self._stale = dict(self._pages) if keep_position else {}
        self._pages.clear()
        self._failed.clear()
        if not keep_position:
            self._total = None
            self.resize_virtual()
            self.set_reactive(PagedList.cursor, 0)
            self.scroll_to(y=0, animate=False, immediate=True)
        self._announced = None
        self._direction = 0
        self.refresh()
        self._want()

    def retry(self) -> None:
        """Fetch again the pages that failed."""
        self._failed.clear()
        self.refresh()
        self._want()

    def replace_item(self, key: str, item: T) -> bool:
        """Put an edited item in place wherever it is cached. False when it is not cached."""
        found = False
        for store in (self._pages, self._stale):
            for page_no, items in list(store.items()):
                if any(self.key_of(i) == key for i in items):
                    store[page_no] = tuple(item if self.key_of(i) == key else i for i in items)
                    found = True
        if key in self.selection.picked:
            self.selection.picked[key] = item
        if found:
            self.refresh()
            if self.highlighted is not None and self.key_of(self.highlighted) == key:
                self._announce(force=True)
        return found

    def select_index(self, index: int) -> None:
        if self._total:
            self.cursor = min(max(index, 0), self._total - 1)

    # -- selection -----------------------------------------------------------

    def toggle_selected(self) -> bool | None:
        item = self.highlighted
        if item is None:
            return None
        selected = self.selection.toggle(self.key_of(item), item)
        self.refresh()
        return selected

    def select_all(self) -> None:
        self.selection.select_all()
        self.refresh()

    def clear_selection(self) -> None:
        self.selection.clear()
        self.refresh()

    # -- loading -------------------------------------------------------------

    def _needed_pages(self) -> list[int]:
        """Pages the view (and the cursor) need that are neither cached nor failed, nearest first."""
        if self._fetch is None:
            return []
        if self._total is None:
            return [] if 0 in self._failed else [0]
        if self._total == 0:
            return []
        height = max(self.scrollable_content_region.height, 1)
        top = int(self.scroll_y)
        # A pagedown moves a screen, and the next key may come before the page asked for at the
        # last one is in: two screens ahead in the direction of travel are there before they show.
        above = below = PREFETCH_ROWS
        if self._direction > 0:
            below = max(height * PREFETCH_SCREENS, PREFETCH_ROWS)
        elif self._direction < 0:
            above = max(height * PREFETCH_SCREENS, PREFETCH_ROWS)
        first = max(top - above, 0)
        last = min(top + height - 1 + below, self._total - 1)
        centre = (top + height // 2) // self.page_size
        wanted = set(range(first // self.page_size, last // self.page_size + 1))
        wanted.add(min(self.cursor, self._total - 1) // self.page_size)
        missing = [p for p in wanted if p not in self._pages and p not in self._failed]
        return sorted(missing, key=lambda p: (abs(p - centre), p))

    def _want(self) -> None:
        """Ask for a loader run once the current message is handled (render_line may call it)."""
        if not self._schedule_pending:
            self._schedule_pending = True
            self.call_later(self._schedule)

    def _schedule(self) -> None:
        self._schedule_pending = False
        if self._loader_generation == self._generation or not self._needed_pages():
            return
        generation = self._generation
        self._loader_generation = generation
        self._loader = self.run_worker(self._load(generation), group="paged-list", exit_on_error=False)
        self.refresh()

    async def _load(self, generation: int) -> None:
        try:
            while generation == self._generation:
                needed = self._needed_pages()
                if not needed or self._fetch is None:
                    return
                page_no = needed[0]
                try:
                    page = await self._fetch(page_no * self.page_size, self.page_size)
                except SakariError as error:
                    if generation == self._generation:
                        if page_no in self._stale:  # a refresh failed: keep showing what was there
                            self._pages[page_no] = self._stale.pop(page_no)
                        else:
                            self._failed[page_no] = str(error)
                        self.refresh()
                        self.post_message(self.LoadFailed(self, error))
                    return
                if generation != self._generation:
                    return
                self.requests += 1
                self._store(page_no, page)
        finally:
            if self._loader_generation == generation:
                self._loader_generation = None

    def _store(self, page_no: int, page: Page[Any]) -> None:
        items = tuple(page.items)
        total = page.total_count
        if total is None:  # a server that does not count: grow as pages say there is more
            end = page_no * self.page_size + len(items)
            total = end + (self.page_size if page.has_next else 0)
            if page.has_next and self._total is not None:
                total = max(total, self._total)
        self._pages[page_no] = items
        self._stale.pop(page_no, None)
        self._evict()
        top = int(self.scroll_y)
        start = page_no * self.page_size
        # A page fetched ahead of the view has nothing to paint yet: no frame for it.
        repaint = start < top + max(self.scrollable_content_region.height, 1) and start + self.page_size > top
        if total != self._total:
            self._total = total
            self.resize_virtual()
            if self.cursor >= max(total, 1):
                self.set_reactive(PagedList.cursor, max(total - 1, 0))
            repaint = True
        if repaint:
            self.refresh()
        self.post_message(self.Loaded(self, total))
        self._announce()

    def _evict(self) -> None:
        while len(self._pages) > self.max_pages:
            height = max(self.scrollable_content_region.height, 1)
            centre = (int(self.scroll_y) + height // 2) // self.page_size
            cursor_page = self.cursor // self.page_size
            farthest = max(self._pages, key=lambda p: min(abs(p - centre), abs(p - cursor_page)))
            del self._pages[farthest]
        if self._stale and len(self._stale) + len(self._pages) > self.max_pages * 2:
            self._stale.clear()

    # -- rendering -----------------------------------------------------------

    @property
    def row_count(self) -> int:
        return self._total or 0

    def render_beyond(self, y: int, width: int) -> Strip:
        base = self.rich_style
        placeholder = self.get_component_rich_style("paged-list--placeholder")
        if self._total is None:
            if y == 0 and self._fetch is not None:
                failed = self._failed.get(0)
                text = Text(f"  {failed}" if failed else f"  {self.placeholder}")
                return self._strip(text, width, base, placeholder)
        elif self._total == 0 and y == 0:
            return self._strip(Text(f"  {self.empty}"), width, base, placeholder)
        return Strip.blank(width, base)

    def render_row_line(self, index: int, part: int, width: int) -> Strip:
        base = self.rich_style
        item = self.item_at(index)
        if item is None:
            page_no = index // self.page_size
            failed = self._failed.get(page_no)
            if failed is None:
                self._want()
            label = f"  could not load: {failed} (ctrl+r tries again)" if failed else f"  {self.placeholder}"
            return self._strip(Text(label), width, base, self.get_component_rich_style("paged-list--placeholder"))
        row = Text()
        if self.key_of(item) in self.selection:
            row.append("✓ ", style=self.get_component_rich_style("paged-list--selected"))
        else:
            row.append("  ")
        row.append_text(self.render_row(item, max(width - 2, 1)))
        return self._strip(row, width, base)

    def _strip(self, text: Text, width: int, base: Any, style: Any = None) -> Strip:
        text.truncate(width, overflow="ellipsis", pad=True)
        segments = list(text.render(self.app.console))
        if style is not None:
            segments = list(Segment.apply_style(segments, style))
        return Strip(segments, text.cell_len).crop_extend(0, width, None).apply_style(base)

    # -- navigation ----------------------------------------------------------

    def cursor_moved(self, old: int, new: int) -> None:
        self._direction = 1 if new > old else -1
        self._announce()
        self._want()

    def _announce(self, force: bool = False) -> None:
        item = self.highlighted
        state = (self.cursor, self.key_of(item) if item is not None else None)
        if force or state != self._announced:
            self._announced = state
            self.post_message(self.Highlighted(self, self.cursor, item))

    def open_row(self) -> None:
        item = self.highlighted
        if item is not None:
            self.post_message(self.Opened(self, self.cursor, item))

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        if new != old:
            self._direction = 1 if new > old else -1
        self._want()

    def on_resize(self, event: events.Resize) -> None:
        super().on_resize(event)
        self._want()

    # -- errors --------------------------------------------------------------

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # Worker.StateChanged does not bubble: pass unexpected failures to the app's one handler.
        if event.state is WorkerState.ERROR:
            report = getattr(self.app, "report_worker_state", None)
            if report is not None:
                report(event)
