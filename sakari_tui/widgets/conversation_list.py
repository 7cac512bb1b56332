"""The conversation list: a virtual list, two lines a conversation.

Rows are plain data (``Row``); the widget keeps the filtered order and renders
only the lines on screen, so filtering 5,000 conversations is a list
comprehension and a repaint, not 5,000 widgets rebuilt. Setting the same rows
again redraws nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from rich.text import Text
from textual.cache import LRUCache
from textual.strip import Strip

from sakari_tui.core import clock
from sakari_tui.core.text import one_line
from sakari_tui.widgets.thread import styled, text_strip
from sakari_tui.widgets.virtual_list import VirtualList

LINES_PER_ROW = 2
LINE_CACHE = 200  # drawn lines kept: two screens of 120x40 and then some


@dataclass(frozen=True)
class Row:
    """What one conversation's two lines in the list are drawn from."""

    id: str
    name: str
    number: str
    preview: str
    when: datetime | None
    unread: int
    closed: bool
    blocked: bool = False
    outgoing_last: bool = False
    sender: str = "You"  # who sent the last message when it is outgoing
    waiting: int = 0  # messages of ours still in the outbox
    # What a filter searches, lower-cased once: filtering 5,000 rows runs at every key.
    haystack: str = field(init=False, repr=False, compare=False)
    digits: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "haystack", f"{self.name}\n{self.preview}\n{self.number}".lower())
        object.__setattr__(self, "digits", re.sub(r"\D", "", self.number))

    def matches(self, needle: str) -> bool:
        """Case-insensitive match on name, number or last message text.

        A needle that looks like a phone number matches on digits alone, so
        "555 0134" finds "+15550134".
        """
        if not needle:
            return True
        needle = needle.lower()
        if needle in self.haystack:
            return True
        if _PHONE_LIKE.fullmatch(needle):
            digits = re.sub(r"\D", "", needle)
            return bool(digits) and digits in self.digits
        return False


_PHONE_LIKE = re.compile(r"[\d\s()+.-]+")


def relative_time(when: datetime | None, now: datetime | None = None) -> str:
    if when is None:
        return ""
    now = now or clock.now()
    seconds = max((now - when).total_seconds(), 0)
    if seconds < 60:
        return "now"
    if seconds < 3600:
        return f"{int(seconds // 60)}m"
    if seconds < 86400:
        return f"{int(seconds // 3600)}h"
    if seconds < 86400 * 7:
        return f"{int(seconds // 86400)}d"
    return when.astimezone().strftime("%d %b")


class ConversationList(VirtualList):
    """The inbox: conversations held in memory, filtered here, two lines a row."""

    ROW_LINES = LINES_PER_ROW

    DEFAULT_CSS = """
    ConversationList {
        height: 1fr;
    }
    """

    @dataclass
    class Highlighted(VirtualList.ListMessage):
        """The cursor is on ``row`` (None when the list is empty)."""

        row: Row | None

    @dataclass
    class Opened(VirtualList.ListMessage):
        """Enter (or a double click) on ``row``."""

        row: Row

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._all: list[Row] = []
        self._visible: list[Row] = []
        self._needle = ""
        self._now = clock.now()
        # Drawn lines by everything they show (the row's data, its part, width, styles,
        # the minute): a repaint redraws only rows that changed (the cursor look is applied over).
        self._lines: LRUCache[tuple, Strip] = LRUCache(LINE_CACHE)

    # -- data ----------------------------------------------------------------

    @property
    def rows(self) -> list[Row]:
        return self._visible

    @property
    def row_count(self) -> int:
        return len(self._visible)

    @property
    def highlighted(self) -> Row | None:
        return self._visible[self.cursor] if 0 <= self.cursor < len(self._visible) else None

    def set_rows(self, rows: list[Row]) -> bool:
        """Replace the rows, keeping the highlighted conversation. False when nothing changed."""
        if rows == self._all:
            return False
        self._all = list(rows)
        self._apply_filter()
        return True

    def set_filter(self, needle: str) -> None:
        if needle != self._needle:
            self._needle = needle
            self._apply_filter()

    def _apply_filter(self) -> None:
        keep = self.highlighted.id if self.highlighted else None
        needle = self._needle.strip()
        self._visible = [row for row in self._all if row.matches(needle)] if needle else list(self._all)
        self.resize_virtual()
        index = next((i for i, row in enumerate(self._visible) if row.id == keep), None) if keep else None
        if index is None:
            index = min(self.cursor, max(len(self._visible) - 1, 0))
        self.set_reactive(ConversationList.cursor, index)
        self.scroll_cursor_into_view()
        self.refresh()
        self.post_message(self.Highlighted(self, self.highlighted))

    def select_id(self, conversation_id: str) -> None:
        index = next((i for i, row in enumerate(self._visible) if row.id == conversation_id), None)
        if index is not None:
            self.cursor = index

    def next_unread(self, step: int) -> bool:
        """Move to the next conversation with unread messages after the cursor (``step`` 1)
        or before it (-1), going round the end. False when no other one is unread."""
        count = len(self._visible)
        for distance in range(1, count):
            index = (self.cursor + step * distance) % count
            if self._visible[index].unread:
                self.cursor = index
                return True
        return False

    def tick(self) -> None:
        """Move relative times on; called once a minute. Repaints only when a label on
        screen changes, so an idle inbox writes nothing to the terminal."""
        now = clock.now()
        first = int(self.scroll_y) // LINES_PER_ROW
        shown = self._visible[first : first + self.scrollable_content_region.height // LINES_PER_ROW + 1]
        changed = any(relative_time(row.when, self._now) != relative_time(row.when, now) for row in shown)
        self._now = now
        if changed:
            self.refresh()

    # -- rendering -----------------------------------------------------------

    def render_row_line(self, index: int, part: int, width: int) -> Strip:
        row = self._visible[index]
        base = self.rich_style
        key = (row, part, width, base, self._now)
        strip = self._lines.get(key)
        if strip is None:
            text = self._first_line(row, width) if part == 0 else self._second_line(row, width)
            strip = text_strip(text, self.app.console).crop_extend(0, width, None).apply_style(base)
            self._lines[key] = strip
        return strip

    def _first_line(self, row: Row, width: int) -> Text:
        left = Text()
        left.append("● " if row.unread else "  ", style="bold cyan" if row.unread else "")
        left.append(one_line(row.name) or row.number, style="bold" if row.unread else "")
        right = Text()
        if row.blocked:
            right.append(" opted out", style="red")
        if row.closed:
            right.append(" closed", style="dim")
        if row.waiting:
            right.append(f" ◷{row.waiting}", style="yellow")
        right.append(f" {relative_time(row.when, self._now)}", style="dim")
        if row.unread:
            right.append(" ")
            right.append(f" {row.unread} ", style="bold reverse cyan")
        room = max(width - right.cell_len, 4)
        left.truncate(room, overflow="ellipsis", pad=True)
        return left + right

    def _second_line(self, row: Row, width: int) -> Text:
        prefix = f"{one_line(row.sender, 24)}: " if row.outgoing_last and row.sender else ""
        line = styled("  " + prefix + one_line(row.preview), "dim")
        line.truncate(width, overflow="ellipsis", pad=True)
        return line

    # -- navigation ----------------------------------------------------------

    def cursor_moved(self, old: int, new: int) -> None:
        self.post_message(self.Highlighted(self, self.highlighted))

    def open_row(self) -> None:
        row = self.highlighted
        if row is not None:
            self.post_message(self.Opened(self, row))
