"""The base of every long list here: a cursor over rows drawn one line at a time.

``VirtualList`` owns what a list does whatever its rows are: the cursor (a reactive index),
the keys that move it, scrolling it into view, the mouse, and the cursor row's look. The
look is a background laid over the whole row, focused or not (a dimmer one when the list
has no focus), so the row under the cursor is visibly distinct on any terminal, 256
colours included, while the row's own colours (dim text, badges) stay readable on it.

A subclass is a data source: it says how many rows there are (``row_count``), how many
lines a row takes (``ROW_LINES``) and draws one line of one row (``render_row_line``).
``ConversationList`` holds its rows in memory; ``PagedList`` fetches them a page at a time.

Messages: every message a list posts derives from ``VirtualList.ListMessage``, which names
the list (``list``, and ``control`` for ``@on`` selectors), as Textual's ``OptionMessage``
does for ``OptionList``. Each subclass declares its own ``Highlighted`` and ``Opened`` so a
handler for one kind of list never receives another's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip


class VirtualList(ScrollView, can_focus=True):
    """A focusable list of ``row_count`` rows of ``ROW_LINES`` lines, with a cursor."""

    ROW_LINES: ClassVar[int] = 1

    COMPONENT_CLASSES = {"virtual-list--cursor", "virtual-list--cursor-blurred"}

    DEFAULT_CSS = """
    VirtualList {
        height: 1fr;
        scrollbar-size-vertical: 1;
        overflow-x: hidden;
    }
    VirtualList > .virtual-list--cursor {
        background: $block-cursor-background;
        color: $block-cursor-foreground;
    }
    VirtualList > .virtual-list--cursor-blurred {
        background: $block-cursor-blurred-background;
    }
    """

    BINDINGS = [
        Binding("up,k", "move(-1)", "Up", id="list.up", show=False),
        Binding("down,j", "move(1)", "Down", id="list.down", show=False),
        Binding("pageup", "page(-1)", "Page up", id="list.page_up", show=False),
        Binding("pagedown", "page(1)", "Page down", id="list.page_down", show=False),
        Binding("home", "first", "First", id="list.first", show=False),
        Binding("end", "last", "Last", id="list.last", show=False),
        Binding("enter", "open", "Open", id="list.open", show=False),
    ]

    cursor: reactive[int] = reactive(0, init=False)

    @dataclass
    class ListMessage(Message):
        """The base of every message a list posts: which list sent it."""

        list: VirtualList

        @property
        def control(self) -> VirtualList:
            return self.list

    # -- what a data source provides -----------------------------------------

    @property
    def row_count(self) -> int:
        """How many rows the list has now (those known, for a paged list)."""
        raise NotImplementedError

    def render_row_line(self, index: int, part: int, width: int) -> Strip:
        """Line ``part`` of row ``index``, ``width`` cells wide, without the cursor's look."""
        raise NotImplementedError

    def render_beyond(self, y: int, width: int) -> Strip:
        """Line ``y`` of the view below the last row (or of an empty list): blank by default."""
        return Strip.blank(width, self.rich_style)

    def cursor_moved(self, old: int, new: int) -> None:
        """Called after the cursor moved and was scrolled into view."""

    def open_row(self) -> None:
        """Enter or a double click on the cursor row."""

    # -- rendering -----------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        line_no = self.scroll_offset.y + y
        width = self.scrollable_content_region.width
        index, part = divmod(line_no, self.ROW_LINES)
        if index >= self.row_count:
            strip = self.render_beyond(y, width)
        else:
            strip = self.render_row_line(index, part, width)
            if index == self.cursor:
                strip = self.cursor_look(strip)
        return strip.apply_offsets(0, line_no)

    def cursor_look(self, strip: Strip) -> Strip:
        """The cursor row: its background over the whole row, whatever colours the row had;
        the cursor's text colour only where the row sets none."""
        name = "virtual-list--cursor" if self.has_focus else "virtual-list--cursor-blurred"
        style = self.get_component_rich_style(name)
        over = Style(bgcolor=style.bgcolor)
        under = Style(color=style.color) if self.has_focus else None
        return Strip(Segment.apply_style(list(strip), under, over), strip.cell_length)

    # -- navigation ----------------------------------------------------------

    def watch_cursor(self, old: int, new: int) -> None:
        self.scroll_cursor_into_view()
        self.refresh()
        self.cursor_moved(old, new)

    def scroll_cursor_into_view(self) -> None:
        """``force``: Textual scrolls only where a layout has shown a scrollbar, and right
        after the rows changed (a filter, open/closed/all) the new size has had no layout
        yet: without it the cursor row could be left out of view. The clamp needs only the
        virtual size, which is set before this is called."""
        top = self.cursor * self.ROW_LINES
        height = self.scrollable_content_region.height
        if top < self.scroll_y:
            self.scroll_to(y=top, animate=False, immediate=True, force=True)
        elif height and top + self.ROW_LINES > self.scroll_y + height:
            self.scroll_to(y=top + self.ROW_LINES - height, animate=False, immediate=True, force=True)

    def move_to(self, index: int) -> None:
        if self.row_count:
            self.cursor = min(max(index, 0), self.row_count - 1)

    def action_move(self, step: int) -> None:
        self.move_to(self.cursor + step)

    def action_page(self, direction: int) -> None:
        rows = max(self.scrollable_content_region.height // self.ROW_LINES - 1, 1)
        self.action_move(direction * rows)

    def action_first(self) -> None:
        self.move_to(0)

    def action_last(self) -> None:
        self.move_to(self.row_count - 1)

    def action_open(self) -> None:
        if 0 <= self.cursor < self.row_count:
            self.open_row()

    def on_click(self, event: events.Click) -> None:
        index = (int(self.scroll_y) + event.y) // self.ROW_LINES
        if 0 <= index < self.row_count:
            self.cursor = index
            if event.chain >= 2:
                self.action_open()

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    def on_resize(self, event: events.Resize) -> None:
        self.resize_virtual()

    def resize_virtual(self) -> None:
        # As wide as the content region (inside the scrollbar), so no horizontal scrollbar.
        self.virtual_size = Size(self.scrollable_content_region.width, self.row_count * self.ROW_LINES)
