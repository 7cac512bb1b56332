"""The message thread: a virtual list of message bubbles.

A thread can hold thousands of messages, so this is one widget that renders
only the visible lines (Textual's line API), not a widget per message. Lines
are wrapped once per width and cached. Message text is untrusted: it is
stripped of control sequences and rendered as ``Text``, never as markup.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from sakari_tui.core import clock
from sakari_tui.core.text import one_line, strip_control

STATUS_MARKS = {
    "pending": ("◷ waiting to send", "yellow"),
    "sending": ("◷ sending", "yellow"),
    "unknown": ("? checking whether it was sent", "yellow"),
    "failed": ("✗ not sent", "red"),
    # Accepted by the server, not yet sent on. Not "·": the header already joins its parts
    # with " · ", which made "You · 18:11 · · queued".
    "new": ("◦ new", "dim"),
    "validated": ("◦ validated", "dim"),
    "queued": ("◦ queued", "dim"),
    "sent": ("✓ sent", "dim"),
    "delivered": ("✓✓ delivered", "green"),
    "error": ("✗ error", "red"),
    "undelivered": ("✗ undelivered", "red"),
    "received": ("", ""),
}


@dataclass(frozen=True)
class Bubble:
    """One message as the thread shows it: from the server or from the outbox."""

    key: str
    outgoing: bool
    author: str
    text: str
    when: datetime | None
    status: str = ""
    error: str | None = None
    media: tuple[tuple[str, str], ...] = ()  # (label, url)
    local: bool = False  # an outbox item, not yet known to the server
    message_id: str | None = None


@dataclass
class _Line:
    """One drawn line of the thread, and the bubble it belongs to."""

    strip: Strip
    index: int  # which bubble the line belongs to


@dataclass
class _Layout:
    """The thread's bubbles laid out as lines for one width."""

    width: int
    lines: list[_Line] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)  # first line of each bubble


def styled(text: str, style: str) -> Text:
    out = Text()
    out.append(text, style=style)
    return out


def text_strip(text: Text, console) -> Strip:
    """A Strip of ``text``. ``Text.render`` leaves out the text's own base style, so it is
    applied here."""
    segments = text.render(console)
    if text.style:
        segments = Segment.apply_style(segments, console.get_style(text.style))
    return Strip(list(segments), text.cell_len)


def format_time(when: datetime | None) -> str:
    if when is None:
        return ""
    local = when.astimezone()
    if local.date() == clock.now().astimezone().date():
        return local.strftime("%H:%M")
    return local.strftime("%d %b %H:%M")


class MessageThread(ScrollView, can_focus=True):
    DEFAULT_CSS = """
    MessageThread {
        height: 1fr;
        background: $surface;
        /* Lines are wrapped to the width: nothing to scroll sideways. The gutter is kept
           whether or not the scrollbar shows, so the width to wrap to never changes when
           a thread grows past one screen (it did without a resize, leaving lines cut). */
        overflow-x: hidden;
        scrollbar-gutter: stable;
    }
    MessageThread > .thread--inbound { color: $text; }
    MessageThread > .thread--outbound { color: $text; }
    """

    BINDINGS = [
        Binding("up,k", "cursor(-1)", "Previous", id="thread.previous", show=False),
        Binding("down,j", "cursor(1)", "Next", id="thread.next", show=False),
        Binding("pageup", "page(-1)", "Page up", id="thread.page_up", show=False),
        Binding("pagedown", "page(1)", "Page down", id="thread.page_down", show=False),
        Binding("home,g", "cursor_first", "Oldest (loads older pages)", id="thread.first", show=False),
        Binding("end,G", "cursor_last", "Newest", id="thread.last", show=False),
        Binding("slash", "find", "Find", id="thread.find"),
        Binding("n", "find_step(-1)", "Older match", id="thread.find_next", show=False),
        Binding("N", "find_step(1)", "Newer match", id="thread.find_previous", show=False),
        Binding("escape", "find_clear", "End find", id="thread.find_clear", show=False),
    ]

    cursor: reactive[int] = reactive(-1, always_update=True, init=False)

    @dataclass
    class ReachedTop(Message):
        """Scrolled to the top: time to load older messages."""

        thread: MessageThread

    @dataclass
    class Selected(Message):
        """The selection moved to ``selected`` (None: nothing selected). Not named ``bubble``:
        that is ``Message.bubble``, which Textual reads to decide whether a message propagates."""

        thread: MessageThread
        selected: Bubble | None

    @dataclass
    class FindRequested(Message):
        """``/`` in the thread: the screen shows its find bar (widgets/thread_find.py)."""

        thread: MessageThread

    @dataclass
    class FindChanged(Message):
        """The matches of the find, or where the cursor is among them, changed."""

        thread: MessageThread

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.bubbles: list[Bubble] = []
        self._layout: _Layout | None = None
        self.has_older = False
        # Laid-out lines per (bubble, width): a change lays out only the bubbles that are new.
        # The find's text is in the key of the bubbles it highlights: a new find lays out those.
        self._strips: dict[tuple[Bubble, int, str], list[Strip]] = {}
        # Whether the reader is at the newest message, so new ones and a new size keep it
        # there. Kept as state, not read off the scroll position: that is stale until the
        # next layout.
        self._at_end = True
        # Home asked for the very first message: keep going up as older pages arrive.
        self._to_top = False
        # Find in thread: the words looked for, and the bubbles that hold them, oldest first.
        self.find_text = ""
        self.find_matches: list[int] = []

    # -- data ----------------------------------------------------------------

    def set_bubbles(self, bubbles: list[Bubble], *, has_older: bool | None = None, to_end: bool = False) -> bool:
        """Show ``bubbles`` (oldest first). Returns False, and redraws nothing, when unchanged.

        Keeps the reader's place: at the bottom it follows new messages; when older
        messages arrive above, the visible ones stay where they are on screen.
        ``to_end`` shows the newest message whatever the place was (another thread opened).
        """
        if has_older is not None:
            self.has_older = has_older
        if bubbles == self.bubbles:
            if to_end and self._layout is not None:
                self.scroll_to_line(len(self._layout.lines))
            return False
        at_bottom = to_end or self._at_end or not self.bubbles
        selected_key = None if to_end else (self.selected.key if self.selected else None)
        old_first_key = self.bubbles[0].key if self.bubbles else None
        old_first_line = 0.0
        if self._layout and old_first_key:
            old_first_line = self.scroll_y
        self.bubbles = list(bubbles)
        if self.find_text:
            self._find_matches()
        self._relayout()
        layout = self._layout
        assert layout is not None
        if selected_key is not None:
            self.cursor = next((i for i, b in enumerate(self.bubbles) if b.key == selected_key), len(self.bubbles) - 1)
        elif self.cursor >= len(self.bubbles):
            self.cursor = len(self.bubbles) - 1
        if self._to_top and old_first_key is not None and self.bubbles[0].key != old_first_key:
            self.cursor = 0
            self.scroll_to_line(0)
            if self.has_older:
                self.post_message(self.ReachedTop(self))
            else:
                self._to_top = False
        elif at_bottom:
            self.scroll_to_line(len(layout.lines))
        elif old_first_key is not None:
            # Older messages prepended: shift by the lines added above the old first bubble.
            index = next((i for i, b in enumerate(self.bubbles) if b.key == old_first_key), 0)
            added = layout.starts[index] if index < len(layout.starts) else 0
            if added:
                self.scroll_to_line(int(old_first_line) + added)
        self.refresh()
        return True

    def scroll_to_line(self, y: int) -> None:
        """Scroll to line ``y`` now, clamped by the virtual size just set.

        ``force``: Textual allows scrolling only once a layout has shown the scrollbar,
        and a thread that was empty has none yet; the clamp needs only the sizes.
        Where the pane's own height is not known yet, ``_at_end`` keeps the intent
        and ``on_resize`` applies it when the size arrives.
        """
        self.scroll_to(y=y, animate=False, immediate=True, force=True)
        self._at_end = self.scroll_y >= self.max_scroll_y

    def select_message(self, message_id: str) -> bool:
        """Put the cursor on the message with this server id; False when it is not shown."""
        index = next((i for i, b in enumerate(self.bubbles) if b.message_id == message_id), None)
        if index is None:
            return False
        self.cursor = index
        self._scroll_cursor_into_view()
        self._at_end = self.scroll_y >= self.max_scroll_y
        return True

    # -- find in thread ------------------------------------------------------

    def set_find(self, text: str) -> int:
        """Highlight ``text`` (any case) in the messages and put the cursor on the newest
        one that holds it. Returns how many messages do; an empty text ends the find."""
        self.find_text = text.strip()
        self._find_matches()
        self._relayout()
        if self.find_matches:
            self.cursor = self.find_matches[-1]
        self.refresh()
        self.post_message(self.FindChanged(self))
        return len(self.find_matches)

    def _find_matches(self) -> None:
        needle = self.find_text.casefold()
        self.find_matches = [i for i, b in enumerate(self.bubbles) if needle and needle in b.text.casefold()]

    @property
    def find_position(self) -> int | None:
        """Which match (from 1, counted from the oldest) the cursor is on."""
        if self.cursor in self.find_matches:
            return self.find_matches.index(self.cursor) + 1
        return None

    def action_find(self) -> None:
        self.post_message(self.FindRequested(self))

    def action_find_step(self, step: int) -> None:
        """To the next match upwards (older, ``step`` -1) or downwards; round at the ends."""
        matches = self.find_matches
        if not matches:
            return
        if step < 0:
            earlier = [i for i in matches if i < self.cursor]
            target = earlier[-1] if earlier else matches[-1]
            if not earlier and self.has_older:
                self.post_message(self.ReachedTop(self))
        else:
            later = [i for i in matches if i > self.cursor]
            target = later[0] if later else matches[0]
        self.cursor = target
        self.post_message(self.FindChanged(self))

    def action_find_clear(self) -> None:
        self.set_find("")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # n, N and Esc belong to the find only while one is on; otherwise the screen's keys.
        if action in ("find_step", "find_clear"):
            return bool(self.find_text)
        return True

    @property
    def selected(self) -> Bubble | None:
        if 0 <= self.cursor < len(self.bubbles):
            return self.bubbles[self.cursor]
        return None

    # -- layout --------------------------------------------------------------

    def _relayout(self) -> None:
        width = max(self.scrollable_content_region.width, 20)
        layout = _Layout(width=width)
        cache: dict[tuple[Bubble, int, str], list[Strip]] = {}
        blank = Strip.blank(0)
        matches = set(self.find_matches)
        for index, bubble in enumerate(self.bubbles):
            highlight = self.find_text if index in matches else ""
            key = (bubble, width, highlight)
            strips = self._strips.get(key) or self._bubble_strips(bubble, width - 1, highlight)
            cache[key] = strips
            layout.starts.append(len(layout.lines))
            layout.lines.extend(_Line(strip, index) for strip in strips)
            layout.lines.append(_Line(blank, index))
        self._strips = cache  # only the bubbles shown now: memory follows the thread
        self._layout = layout
        self.virtual_size = Size(width, len(layout.lines))

    def _bubble_strips(self, bubble: Bubble, width: int, highlight: str = "") -> list[Strip]:
        """A header line, then the body and extras as a block: at the left for the
        customer's messages, against the right edge for ours."""
        console = self.app.console
        author = Text(one_line(bubble.author, 40), style="bold" if not bubble.outgoing else "bold cyan")
        when = format_time(bubble.when)
        mark, colour = STATUS_MARKS.get(bubble.status.lower(), (bubble.status.lower(), "dim"))

        def joined(*parts: tuple[str, str]) -> Text:
            # Spaces between styled parts are plain: an SVG viewer may drop spaces that lead
            # a styled run, which made "You· 10:38" in screenshots.
            line = author.copy()
            for part, style in parts:
                if part:
                    line.append(" ")
                    line.append(f"· {part}", style=style)
            return line

        # Narrow panes: the time without its date, then the delivery mark on a line of its
        # own, rather than a mark cut to "✓✓ deli…".
        short_when = when.rsplit(" ", 1)[-1] if when else ""
        headers = [joined((when, "dim"), (mark, colour))]
        if headers[0].cell_len > width:
            headers = [joined((short_when, "dim"), (mark, colour))]
        if headers[0].cell_len > width and mark:
            headers = [joined((short_when, "dim")), Text(mark, style=colour)]
        for header in headers:
            header.truncate(width, overflow="ellipsis")

        block: list[Text] = []
        body_width = max(int(width * 0.8), 20)
        body = Text()
        body.append(strip_control(bubble.text), style="italic" if bubble.local else "")
        if highlight:
            body.highlight_words([highlight], style="black on yellow", case_sensitive=False)
        block.extend(body.wrap(console, body_width, overflow="fold"))
        if bubble.error:
            block.extend(styled(one_line(bubble.error), "red").wrap(console, body_width, overflow="fold"))
        for label, url in bubble.media:
            item = styled("📎 ", "dim")
            item.append(one_line(label, 40))
            item.append(f" {one_line(url)}", style="underline dim")
            block.extend(item.wrap(console, body_width, overflow="ellipsis", no_wrap=True))
        if bubble.local and bubble.status == "failed":
            block.append(styled("R retry · D discard", "dim"))
        for line in block:
            line.rstrip()

        indent = 0
        if bubble.outgoing:
            indent = max(width - max((line.cell_len for line in block), default=0), 0)
            headers = [Text(" " * max(width - header.cell_len, 0)) + header for header in headers]
        return [text_strip(header, console) for header in headers] + [
            text_strip(Text(" " * indent) + line, console) for line in block
        ]

    def on_resize(self, event: events.Resize) -> None:
        at_end = self._at_end
        if self._layout is None or self._layout.width != max(self.scrollable_content_region.width, 20):
            self._relayout()
        if at_end and self._layout is not None:
            self.scroll_to_line(len(self._layout.lines))

    # -- rendering -----------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        line_no = scroll_y + y
        width = self.scrollable_content_region.width
        base = self.rich_style
        layout = self._layout
        if layout is None or line_no >= len(layout.lines):
            return Strip.blank(width, base)
        line = layout.lines[line_no]
        strip = line.strip
        if line.index == self.cursor and self.has_focus:
            strip = Strip([Segment("▌", Style(color="cyan")), *strip]).crop_extend(0, width + 1, base)
            strip = strip.crop(0, width)
        elif line.index == self.cursor:
            strip = Strip([Segment("▏", Style(dim=True)), *strip]).crop_extend(0, width, base)
        else:
            strip = Strip([Segment(" "), *strip]).crop_extend(0, width, base)
        return strip.apply_style(base).apply_offsets(scroll_x, line_no)

    # -- cursor and scrolling ------------------------------------------------

    def watch_cursor(self, cursor: int) -> None:
        self._scroll_cursor_into_view()
        self.post_message(self.Selected(self, self.selected))
        self.refresh()

    def _scroll_cursor_into_view(self) -> None:
        layout = self._layout
        if layout is None or not (0 <= self.cursor < len(layout.starts)):
            return
        top = layout.starts[self.cursor]
        bottom = layout.starts[self.cursor + 1] if self.cursor + 1 < len(layout.starts) else len(layout.lines)
        height = self.scrollable_content_region.height
        if top < self.scroll_y:
            self.scroll_to(y=top, animate=False, immediate=True)
        elif bottom > self.scroll_y + height:
            self.scroll_to(y=max(bottom - height, 0), animate=False, immediate=True)

    def action_cursor(self, step: int) -> None:
        self._to_top = False
        if not self.bubbles:
            return
        if self.cursor < 0:
            self.cursor = len(self.bubbles) - 1
            return
        target = self.cursor + step
        if target < 0 and self.has_older:
            self.post_message(self.ReachedTop(self))
        self.cursor = min(max(target, 0), len(self.bubbles) - 1)

    def action_cursor_first(self) -> None:
        if self.bubbles:
            self.cursor = 0
            self.scroll_to_line(0)
            self._to_top = self.has_older
            if self.has_older:
                self.post_message(self.ReachedTop(self))

    def action_page(self, direction: int) -> None:
        """A screen up or down; the selection moves to the message at the edge reached."""
        layout = self._layout
        if layout is None or not self.bubbles:
            return
        self._to_top = False
        height = max(self.scrollable_content_region.height - 1, 1)
        self.scroll_to_line(int(self.scroll_y) + direction * height)
        top = int(self.scroll_y)
        if direction < 0:
            if top <= 0 and self.has_older:
                self.post_message(self.ReachedTop(self))
            index = next((i for i, start in enumerate(layout.starts) if start >= top), 0)
        else:
            bottom = top + height
            index = max((i for i, start in enumerate(layout.starts) if start <= bottom), default=len(self.bubbles) - 1)
            if self._at_end:
                index = len(self.bubbles) - 1
        self.set_reactive(MessageThread.cursor, index)
        self.post_message(self.Selected(self, self.selected))
        self.refresh()

    def action_cursor_last(self) -> None:
        self._to_top = False
        if self.bubbles and self._layout is not None:
            self.cursor = len(self.bubbles) - 1
            self.scroll_to_line(len(self._layout.lines))

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        self._at_end = new >= self.max_scroll_y
        if new <= 0 and old > 0 and self.has_older:
            self.post_message(self.ReachedTop(self))

    def on_focus(self) -> None:
        if self.cursor < 0 and self.bubbles:
            self.cursor = len(self.bubbles) - 1
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    def on_click(self, event: events.Click) -> None:
        layout = self._layout
        if layout is None:
            return
        line_no = int(self.scroll_y) + event.y
        if 0 <= line_no < len(layout.lines):
            self.cursor = layout.lines[line_no].index
