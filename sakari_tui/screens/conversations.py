"""The conversations screen, home of the app: the inbox, a thread, a reply box.

The list is on the left (newest first, filter as you type, open/closed/all),
the open thread on the right with the composer under it. Everything paints
from the local cache first; two polling workers refresh the list and the open
thread behind it, and only what changed is redrawn.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
from collections.abc import Iterable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widgets import Input, Static, TextArea

from sakari_tui.api import Contact, Conversation, MediaItem, Message
from sakari_tui.api.phone import format_number
from sakari_tui.core import clock
from sakari_tui.core.collisions import CollisionWatch, question
from sakari_tui.core.inbox import (
    CACHED_CONVERSATIONS,
    Inbox,
    ListChange,
    NewConversation,
    OutboxChange,
    RowFacts,
    ThreadChange,
    conversation_number,
)
from sakari_tui.core.notices import NewMessages
from sakari_tui.core.store import OutboxItem, OutboxState
from sakari_tui.core.sync import ListUpdate, ThreadUpdate
from sakari_tui.core.text import one_line
from sakari_tui.screens.base import SakariScreen
from sakari_tui.widgets.composer import Composer
from sakari_tui.widgets.conversation_list import ConversationList, Row
from sakari_tui.widgets.footer import Footer
from sakari_tui.widgets.segment_meter import SegmentMeter
from sakari_tui.widgets.status_line import StatusLine
from sakari_tui.widgets.thread import Bubble, MessageThread
from sakari_tui.widgets.thread_find import ThreadFind

if TYPE_CHECKING:
    from sakari_tui.screens.attach import Attachment


# Of the conversations read from the cache at start, a screenful before the first frame.
FIRST_PAINT = 40
# Seconds new messages are gathered before one notice names them all.
NOTICE_GATHER = 0.5


class Show(StrEnum):
    OPEN = "open"
    CLOSED = "closed"
    ALL = "all"

    def next(self) -> Show:
        order = list(Show)
        return order[(order.index(self) + 1) % len(order)]


def conversation_name(conversation: Conversation, region: str = "US") -> str:
    contact = conversation.contact
    if contact and (contact.first_name or contact.last_name):
        return contact.display_name
    number = contact.mobile.number if contact and contact.mobile else None
    return format_number(number, region) if number else (conversation.id or "")


def media_label(media: MediaItem) -> str:
    """'photo.jpg (image/jpeg)': the file's name and its type, as far as the API gives them."""
    name = media.filename or media.name or (media.url or "").rsplit("/", 1)[-1] or "attachment"
    return f"{name} ({media.type})" if media.type else name


def message_bubble(message: Message, contact_name: str, author: str = "You") -> Bubble:
    media = tuple((media_label(m), m.url or "") for m in message.media)
    status = (message.status.value if message.status.value != "Unknown" else (message.status_text or "")).lower()
    return Bubble(
        key=f"m:{message.id}",
        outgoing=message.outgoing,
        author=author if message.outgoing else contact_name,
        text=message.text or "",
        when=message.created_at,
        status=status if message.outgoing else "",
        error=str(message.error) if message.error and message.outgoing else None,
        media=media,
        message_id=message.id,
    )


def outbox_bubble(item: OutboxItem) -> Bubble:
    from datetime import datetime, timezone

    error = item.error if item.state in (OutboxState.FAILED, OutboxState.PENDING, OutboxState.UNKNOWN) else None
    return Bubble(
        key=f"o:{item.id}",
        outgoing=True,
        author="You",
        text=item.text,
        when=datetime.fromtimestamp(item.created, tz=timezone.utc),
        status=str(item.state),
        error=error,
        local=True,
        media=tuple((url.rsplit("/", 1)[-1] or "attachment", url) for url in item.media),
    )


class ConversationsScreen(SakariScreen[None]):
    """Shows the inbox (core/inbox.py) and turns keys into its calls; its workers run the
    inbox's loops, whose reports (``inbox_*_changed``) become widget updates."""

    _rest_pending = False  # the cache holds more than the first screenful, not yet read
    BINDINGS = [
        Binding("r,i", "reply", "Reply", id="conversations.reply"),
        Binding("n", "new_conversation", "New", id="conversations.new"),
        Binding("slash", "filter", "Filter", id="conversations.filter"),
        Binding("ctrl+k,S", "search", "Search all", id="conversations.search", show=False),
        Binding("s", "toggle_show", "Open/closed/all", id="conversations.show", show=False),
        Binding("c", "close_conversation", "Close", id="conversations.close"),
        Binding("u", "mark_unread", "Mark unread", id="conversations.mark_unread", show=False),
        Binding("right_square_bracket", "next_unread(1)", "Next unread", id="conversations.next_unread", show=False),
        Binding(
            "left_square_bracket", "next_unread(-1)", "Previous unread", id="conversations.previous_unread", show=False
        ),
        Binding("e", "export", "Export", id="conversations.export", show=False),
        Binding("y", "copy_message", "Copy message", id="conversations.copy", show=False),
        Binding("o", "open_contact", "Contact", id="conversations.contact", show=False),
        Binding("ctrl+t", "insert_template", "Template", id="conversations.template"),
        Binding("ctrl+o", "edit_externally", "$EDITOR", id="conversations.editor", show=False),
        Binding("ctrl+f,f2", "attach", "Attach", id="conversations.attach", show=False),
        Binding("l", "copy_link", "Copy link", id="conversations.copy_link", show=False),
        Binding("L", "open_link", "Open link", id="conversations.open_link", show=False),
        Binding("R", "retry_send", "Retry send", id="conversations.retry", show=False),
        Binding("D", "discard_send", "Discard", id="conversations.discard", show=False),
        Binding("ctrl+r,f5", "refresh", "Refresh", id="conversations.refresh", show=False),
        Binding("escape", "back", "Back", id="conversations.back", show=False),
        Binding("t", "focus_thread", "To the thread", id="conversations.thread", show=False),
        # n and N step through a find in the thread; these do it from anywhere, the reply box
        # included, where n and N are letters. shift+F3 reaches Textual as f15 from xterm.
        Binding("f3", "find_step(-1)", "Older match of the find", id="conversations.find_older", show=False),
        Binding("shift+f3,f15", "find_step(1)", "Newer match of the find", id="conversations.find_newer", show=False),
    ]
    # Listed by F1 beside the screen's keys: the thread's own keys work once it has focus.
    HELP_SECTIONS = [("In the thread (t or Tab to it; Esc back to the list)", MessageThread)]

    def __init__(self) -> None:
        super().__init__()
        self.show = Show.OPEN
        self._inbox: Inbox | None = None
        self.new_conversation: NewConversation | None = None
        self._highlighted_id: str | None = None
        # Read state: what the person opened (Enter) or kept in the thread pane for read_after s.
        self._read_timer: Timer | None = None
        self._read_waiting: str | None = None  # shown, due to be read once the screen is back
        self._kept_unread: str | None = None  # marked unread while open: not read again until reopened
        self._news = NewMessages()  # customers' messages for the next notice
        self._news_timer: Timer | None = None
        self._rows: dict[str, Row] = {}
        self.attachment: Attachment | None = None  # uploaded, to go with the next reply as MMS

    # -- the inbox's state (core/inbox.py) -------------------------------------------

    @property
    def inbox(self) -> Inbox:
        if self._inbox is None:
            self._inbox = Inbox(self.app.sync, self.app.outbox)
        return self._inbox

    @property
    def conversations(self) -> dict[str, Conversation]:
        return self.inbox.conversations

    @property
    def order(self) -> list[str]:
        return self.inbox.order

    @property
    def messages(self) -> dict[str, list[Message]]:
        return self.inbox.messages

    @property
    def collisions(self) -> CollisionWatch:
        return self.inbox.collisions

    @property
    def open_id(self) -> str | None:
        return self.inbox.open_id

    @open_id.setter
    def open_id(self, conversation_id: str | None) -> None:
        self.inbox.open_id = conversation_id

    # -- layout --------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Horizontal(id="inbox"):
            with Vertical(id="list-pane"):
                yield Input(placeholder="/ filter · ^k search all", id="conversation-filter")
                yield Static("", id="list-caption")
                yield ConversationList(id="conversation-list")
            with Vertical(id="thread-pane"):
                yield Static("", id="offline-banner")
                yield Static("", id="thread-header")
                thread = MessageThread(id="thread")
                yield ThreadFind(thread, id="thread-find")
                yield thread
                yield Static("", id="attachment-line")
                yield SegmentMeter(id="segment-meter")
                yield Composer(id="composer", placeholder="Reply… (Enter sends, ctrl+n newline)")
        yield StatusLine(id="status-line")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#offline-banner").display = False
        self.query_one("#attachment-line").display = False
        self.paint_from_cache()
        self.refresh_rows()
        self.refresh_header()
        self.query_one(ConversationList).focus()
        self.watch(self.app, "connection", self._connection_changed, init=False)
        self.poll_list()
        self.poll_thread()
        self.run_outbox()
        self.set_interval(60, self._tick_minute)

    def _tick_minute(self) -> None:
        self.query_one(ConversationList).tick()

    # -- cache and list ------------------------------------------------------

    def paint_from_cache(self) -> None:
        """Show the cached inbox: a screenful first, the rest after the first frame."""
        first = [Conversation.from_json(body) for body in self.app.store.conversations(limit=FIRST_PAINT)]
        self.inbox.cached = first
        if first:
            self._set_conversations(first)
        self._rest_pending = len(first) == FIRST_PAINT

    def after_first_frame(self) -> None:
        if self._rest_pending:
            self._rest_pending = False
            self.set_timer(0.05, self._paint_rest_from_cache)

    def _paint_rest_from_cache(self) -> None:
        bodies = self.app.store.conversations(limit=CACHED_CONVERSATIONS - FIRST_PAINT, offset=FIRST_PAINT)
        rest = [Conversation.from_json(body) for body in bodies]
        self.inbox.cached.extend(rest)
        self.inbox.append_conversations(rest)
        self.refresh_rows([c.id for c in rest if c.id])

    def _set_conversations(self, conversations: list[Conversation]) -> None:
        self.refresh_rows(self.inbox.merge_conversations(conversations))

    def refresh_rows(self, only: Iterable[str] | None = None) -> None:
        """Rebuild the rows of the conversations ``only`` (all when None), then show the list.

        Rows are kept between calls, so a change to one conversation costs one row,
        not the whole list.
        """
        ids = list(self.order) if only is None else [cid for cid in only if cid in self.conversations]
        if ids:
            facts = self.inbox.row_facts(ids, every=only is None)
            for cid in ids:
                self._rows[cid] = self._build_row(self.conversations[cid], facts[cid])
        rows = [row for cid in self.order if self._shown(row := self._rows[cid])]
        self.app.unread_total = sum(row.unread for row in self._rows.values())
        self.query_one(ConversationList).set_rows(rows)
        self._update_caption(len(rows))

    def _shown(self, row: Row) -> bool:
        return self.show is Show.ALL or row.closed == (self.show is Show.CLOSED)

    def _build_row(self, conversation: Conversation, facts: RowFacts) -> Row:
        last = conversation.last_message
        return Row(
            id=conversation.id or "",
            name=conversation_name(conversation, self.app.profile.default_region),
            number=conversation_number(conversation),
            preview=(last.text or "") if last else "",
            when=last.created_at if last else None,
            unread=facts.unread,
            closed=conversation.closed,
            blocked=facts.blocked,
            outgoing_last=bool(last and last.outgoing),
            sender=facts.sender or "",
            waiting=facts.waiting,
        )

    def _update_caption(self, shown: int) -> None:
        caption = Text(f" {self.show.value} · {shown}", style="dim")
        self.query_one("#list-caption", Static).update(caption)

    def apply_list_update(self, update: ListUpdate) -> None:
        change = self.inbox.apply_list(update)
        if change is not None:
            self.inbox_list_changed(change)

    def inbox_list_changed(self, change: ListChange) -> None:
        self.refresh_rows(change.fresh)
        for conversation in change.new_inbound:
            if conversation.id != self.open_id:  # the open thread shows it already
                self.announce(conversation)
            else:
                if self.app.profile.bell:
                    self.app.bell()
                if not self.app.terminal_focused:
                    self._notify_desktop(conversation)
        if change.open_contact_id:
            self.load_contact(change.open_contact_id)  # a STOP or START may have changed its opt-out state
        self.refresh_header()

    def announce(self, conversation: Conversation) -> None:
        """A customer wrote: gathered with others that come within NOTICE_GATHER seconds into
        one notice, held while a dialog is open so it never covers one."""
        last = conversation.last_message
        if conversation.id is None or last is None:
            return
        read = self.app.store.read_ids(conversation.id)
        ids = [mid for mid in (*conversation.unread, last.id or "") if mid and mid not in read]
        name = conversation_name(conversation, self.app.profile.default_region)
        if self._news.add(conversation.id, name, ids, last.text or "") and self._news_timer is None:
            self._news_timer = self.set_timer(NOTICE_GATHER, self._show_news)

    def _show_news(self) -> None:
        self._news_timer = None
        if isinstance(self.app.screen, ModalScreen):  # a dialog is open: after it closes
            self._news_timer = self.set_timer(NOTICE_GATHER, self._show_news)
            return
        notice = self._news.take()
        if notice is None:
            return
        title, text = notice
        self.app.notify(text, title=title, markup=False)
        if self.app.profile.bell:
            self.app.bell()
        self.app.notify_desktop(title, text)  # the same gathered notice, outside the app

    def _notify_desktop(self, conversation: Conversation) -> None:
        last = conversation.last_message
        name = conversation_name(conversation, self.app.profile.default_region)
        self.app.notify_desktop(f"New message from {name}", (last.text or "") if last else "")

    # -- polling: the inbox's loops, in workers -------------------------------------

    @work(group="poll-list", exclusive=True, exit_on_error=False)
    async def poll_list(self) -> None:
        await self.app.connected.wait()
        await self.inbox.poll_list(self, lambda: self.app.profile.poll_conversations, self.app)

    @work(group="poll-thread", exclusive=True, exit_on_error=False)
    async def poll_thread(self) -> None:
        await self.app.connected.wait()
        await self.inbox.poll_thread(self, lambda: self.app.profile.poll_thread, self.app)

    @work(group="outbox", exclusive=True, exit_on_error=False)
    async def run_outbox(self) -> None:
        await self.app.connected.wait()
        await self.inbox.run_outbox(self)

    def inbox_rate_limited(self, retry_after: float | None) -> None:
        self.app.tracker.note_rate_limited(retry_after)

    def inbox_outbox_changed(self, change: OutboxChange) -> None:
        self.refresh_thread_view()
        self.refresh_rows(change.conversation_ids)
        for item in change.failed:
            self.app.notify(f"Not sent: {item.error}", severity="error", markup=False)

    def action_refresh(self) -> None:
        self.inbox.poke_list()
        self.inbox.poke_thread()

    def _connection_changed(self, state) -> None:
        from sakari_tui.core.connection import Link

        banner = self.query_one("#offline-banner", Static)
        if state.link is Link.OFFLINE:
            banner.update(
                Text(f" {state.describe()}: showing saved messages; replies wait in the outbox ", style="bold")
            )
            banner.display = True
        elif state.link is Link.AUTH_FAILED:
            banner.update(Text(f" signed out: {one_line(state.detail)} ", style="bold"))
            banner.display = True
        else:
            banner.display = False
            if state.link is Link.ONLINE:
                self.inbox.poke_outbox()

    # -- thread --------------------------------------------------------------

    @on(ConversationList.Highlighted)
    def highlighted(self, event: ConversationList.Highlighted) -> None:
        # Only a move of the highlight opens a conversation: the list re-announcing the same
        # row after a refresh must not (it would undo "mark unread").
        row_id = event.row.id if event.row else None
        if row_id != self._highlighted_id:
            self._highlighted_id = row_id
            # While a filter is typed the top match changes with each key: open it when
            # the typing is done, not at every key.
            if row_id is not None and not self.query_one("#conversation-filter", Input).has_focus:
                self.open_conversation(row_id)

    def open_highlighted(self) -> None:
        if self._highlighted_id and self._highlighted_id != self.open_id:
            self.open_conversation(self._highlighted_id)

    @on(ConversationList.Opened)
    def opened(self, event: ConversationList.Opened) -> None:
        if event.row.id != self.open_id:
            self.open_conversation(event.row.id)
        self._kept_unread = None
        self.mark_read(event.row.id)
        self.query_one(Composer).focus()

    def open_conversation(self, conversation_id: str) -> None:
        self.save_draft()
        self.new_conversation = None
        previous = self.inbox.open(conversation_id)
        if previous and previous in self._rows:
            self.refresh_rows([previous])  # no longer on screen: its unread count shows again
        if conversation_id != self._kept_unread:
            self._kept_unread = None
        self.start_reading(conversation_id)
        conversation = self.conversations.get(conversation_id)
        if conversation and conversation.contact and conversation.contact.id:
            self.load_contact(conversation.contact.id)
        composer = self.query_one(Composer)
        composer.load_text(self.app.store.draft(conversation_id))
        composer.move_cursor(composer.document.end)
        self.refresh_header()
        self.refresh_thread_view(jump_to_end=True)

    # -- read state ----------------------------------------------------------

    def start_reading(self, conversation_id: str) -> None:
        """The conversation is on screen: it is read once it has stayed there ``read_after``
        seconds. Passing over it with the cursor reads nothing; nor does a conversation
        marked unread while open, until it is opened again."""
        self._stop_reading()
        if conversation_id == self._kept_unread:
            return
        delay = self.app.profile.read_after
        if delay <= 0:
            self.mark_read(conversation_id)
            return
        self._read_timer = self.set_timer(delay, lambda: self._shown_long_enough(conversation_id))

    def _stop_reading(self) -> None:
        if self._read_timer is not None:
            self._read_timer.stop()
            self._read_timer = None
        self._read_waiting = None

    def _shown_long_enough(self, conversation_id: str) -> None:
        self._read_timer = None
        if conversation_id != self.open_id:
            return
        if not self.is_current:  # another screen covers the thread: read when it is back
            self._read_waiting = conversation_id
            return
        if not self.app.terminal_focused:  # the terminal is in the background: not seen yet
            self._read_timer = self.set_timer(
                self.app.profile.read_after, lambda: self._shown_long_enough(conversation_id)
            )
            return
        self.mark_read(conversation_id)

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        super().on_screen_resume(event)
        waiting = self._read_waiting
        if waiting is not None and waiting == self.open_id:
            self.start_reading(waiting)

    def action_next_unread(self, step: int) -> None:
        listing = self.query_one(ConversationList)
        if not listing.next_unread(step):
            self.app.notify("No other unread conversation.", timeout=2)
        listing.focus()

    def mark_read(self, conversation_id: str) -> None:
        """Read: what the list counts as unread and every customer message the thread shows."""
        self._stop_reading()
        self.inbox.mark_read(conversation_id)
        self.refresh_rows([conversation_id])

    def apply_thread_update(self, update: ThreadUpdate) -> None:
        change = self.inbox.apply_thread(update)
        if change is not None:
            self.inbox_thread_changed(change)

    def inbox_thread_changed(self, change: ThreadChange) -> None:
        if change.foreign and self.query_one(Composer).text.strip():
            # A reply from elsewhere while the agent has a reply of their own typed: say so now.
            self.app.notify(
                one_line(change.foreign[-1].text or "", 80),
                title="Someone else replied in this conversation",
                severity="warning",
                markup=False,
            )
        if change.unseen and change.conversation_id == self.open_id and self._read_timer is None:
            # New messages on screen: read once they have been there read_after seconds.
            self.start_reading(change.conversation_id)
        self.refresh_thread_view()

    def current_bubbles(self) -> list[Bubble]:
        if self.open_id is None:
            return []
        conversation = self.conversations.get(self.open_id)
        name = conversation_name(conversation, self.app.profile.default_region) if conversation else ""
        view = self.inbox.thread_view(self.open_id)
        return [message_bubble(m, name, author) for m, author in view.messages] + [
            outbox_bubble(item) for item in view.local
        ]

    def refresh_thread_view(self, jump_to_end: bool = False) -> None:
        thread = self.query_one(MessageThread)
        has_older = self.inbox.has_older.get(self.open_id or "", False)
        thread.set_bubbles(self.current_bubbles(), has_older=has_older, to_end=jump_to_end)

    def refresh_header(self) -> None:
        header = self.query_one("#thread-header", Static)
        text = Text()
        region = self.app.profile.default_region
        if self.new_conversation is not None:
            new = self.new_conversation
            text.append("New conversation with ", style="dim")
            text.append(
                one_line(new.contact.display_name) if new.contact else format_number(new.mobile, region), style="bold"
            )
            text.append(f" {format_number(new.mobile, region)}", style="dim")
        elif self.open_id and self.open_id in self.conversations:
            conversation = self.conversations[self.open_id]
            text.append(one_line(conversation_name(conversation, region)), style="bold")
            number = conversation_number(conversation)
            # The gaps are plain spaces, not part of the styled runs: an SVG viewer may drop
            # spaces leading a styled run ("Lucas Silva(206) 555-0103").
            if number:
                text.append("  ")
                text.append(format_number(number, region), style="dim")
            if self.open_contact_blocked() is not None:
                text.append("  ")
                text.append("opted out: replies are refused", style="bold red")
            if conversation.closed:
                text.append("  ")
                text.append("closed", style="yellow")
        else:
            text.append("No conversation open", style="dim")
        header.update(text)

    @on(MessageThread.FindRequested)
    def find_in_thread(self) -> None:
        self.query_one(ThreadFind).open()

    @on(MessageThread.FindChanged)
    def find_changed(self) -> None:
        self.query_one(ThreadFind).show_count()

    @on(MessageThread.ReachedTop)
    def load_older(self) -> None:
        if self.open_id and self.inbox.can_load_older(self.open_id):
            self._load_older(self.open_id)

    @work(group="older", exclusive=True)
    async def _load_older(self, conversation_id: str) -> None:
        await self.inbox.load_older(conversation_id)
        if conversation_id == self.open_id:
            self.refresh_thread_view()

    # -- composing -----------------------------------------------------------

    @on(TextArea.Changed, "#composer")
    def composer_changed(self, event: TextArea.Changed) -> None:
        text = event.text_area.text
        self.query_one(SegmentMeter).measure(text)
        self.save_draft(text)

    def save_draft(self, text: str | None = None) -> None:
        if self.open_id is None:
            return
        if text is None:
            text = self.query_one(Composer).text
        self.app.store.save_draft(self.open_id, text)

    def full_contact(self, contact: Contact | None) -> Contact | None:
        """The contact as last fetched (with its opt-out state), else as the conversation has it."""
        return self.inbox.full_contact(contact)

    def open_contact(self) -> Contact | None:
        if self.new_conversation is not None:
            return self.full_contact(self.new_conversation.contact)
        conversation = self.conversations.get(self.open_id or "")
        return self.full_contact(conversation.contact) if conversation else None

    def open_contact_blocked(self) -> Contact | None:
        contact = self.open_contact()
        return contact if contact is not None and contact.blocked else None

    @work(group="contact", exclusive=True, exit_on_error=False)
    async def load_contact(self, contact_id: str) -> None:
        """The conversation's contact carries no opt-out state: fetch the contact itself."""
        await self.app.connected.wait()
        changed = await self.inbox.fetch_contact(contact_id)
        if changed is None:
            return  # the cached copy, if any, stays; the send itself is refused server-side
        self.refresh_header()
        if changed:
            self.refresh_rows(changed)

    @on(Composer.Submitted)
    def send(self, event: Composer.Submitted) -> None:
        # The composer is already empty (and may hold keys typed since): it is not cleared
        # here; a reply that is not sent is given back.
        text = event.text.rstrip("\n")
        blocked = self.open_contact_blocked()
        if blocked is not None:
            event.composer.give_back(event.text)
            self.app.notify(
                f"{one_line(blocked.display_name)} has opted out (replied STOP). Messages to them are refused "
                "until they text START.",
                title="Not sent",
                severity="warning",
                markup=False,
            )
            return
        if self._ask_about_collision(event):
            return
        media = [self.attachment.link] if self.attachment else None
        item = self.inbox.reply(text, to=self.new_conversation, media=media)
        if item is None:
            event.composer.give_back(event.text)
            self.app.notify("Open a conversation first, or press n for a new one.", severity="warning")
            return
        self.set_attachment(None)
        self.save_draft()
        self.refresh_thread_view(jump_to_end=True)
        if self.new_conversation is not None:
            self._follow_new_conversation(item.id)

    # -- replies sent from elsewhere (core/collisions.py) --------------------------

    def _ask_about_collision(self, event: Composer.Submitted) -> bool:
        """Before sending into a conversation someone else replied in since the agent opened it
        (or last replied): ask. True when asking; the answer sends or keeps the reply."""
        conversation_id = self.open_id
        if conversation_id is None or self.new_conversation is not None:
            return False
        found = self.inbox.foreign(conversation_id)
        if not found:
            return False
        from sakari_tui.screens.dialogs import ConfirmScreen

        def answered(yes: bool | None) -> None:
            if yes and self.open_id == conversation_id:
                self.inbox.replied(conversation_id)
                self.send(event)
            else:
                event.composer.give_back(event.text)  # the box was emptied when Enter took it
                event.composer.focus()

        # Kept as the draft while the question is open: quitting then loses nothing.
        self.app.store.save_draft(conversation_id, event.text)
        self.app.push_screen(ConfirmScreen(question(found[-1], clock.now()), confirm="Send anyway"), answered)
        return True

    @work(group="follow-new", exclusive=True)
    async def _follow_new_conversation(self, item_id: str) -> None:
        """Once the first message of a new conversation is on the server, open that conversation."""
        conversation_id = await self.inbox.follow_new_conversation(item_id)
        if conversation_id is not None:
            self.open_conversation(conversation_id)
            self.query_one(ConversationList).select_id(conversation_id)

    # -- actions -------------------------------------------------------------

    def action_find_step(self, step: int) -> None:
        self.query_one(MessageThread).action_find_step(step)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "find_step":  # only while a find is on in the thread
            return bool(self.query_one(MessageThread).find_text)
        return True

    def action_focus_thread(self) -> None:
        self.query_one(MessageThread).focus()

    def action_reply(self) -> None:
        self.query_one(Composer).focus()

    def action_filter(self) -> None:
        self.query_one("#conversation-filter", Input).focus()

    @on(Input.Changed, "#conversation-filter")
    def filter_changed(self, event: Input.Changed) -> None:
        self.query_one(ConversationList).set_filter(event.value)

    @on(Input.Submitted, "#conversation-filter")
    def filter_done(self) -> None:
        self.query_one(ConversationList).focus()
        self.open_highlighted()

    @on(Input.Blurred, "#conversation-filter")
    def filter_left(self) -> None:
        self.open_highlighted()

    def action_back(self) -> None:
        filter_input = self.query_one("#conversation-filter", Input)
        if self.focused is filter_input and filter_input.value:
            filter_input.value = ""
        self.query_one(ConversationList).focus()

    def action_export(self) -> None:
        from sakari_tui.screens.export import ExportScreen

        conversation = self.conversations.get(self.open_id or "")
        if conversation is None:
            self.app.notify("Open a conversation to export it.", severity="warning")
            return
        name = conversation_name(conversation, self.app.profile.default_region)
        self.app.push_screen(ExportScreen(conversation.id or "", name))

    def action_search(self) -> None:
        from sakari_tui.screens.search import SearchScreen

        if self.app.store.search is None:
            self.app.notify("Search needs SQLite with FTS5, which this Python's sqlite3 lacks.", severity="warning")
            return
        self.app.push_screen(SearchScreen(), self.show_search_hit)

    def show_search_hit(self, hit) -> None:
        """Open the conversation of a search result, at its message (screens/search.py)."""
        if hit is None or not hit.conversation_id:
            return
        self.query_one(ConversationList).select_id(hit.conversation_id)
        self.open_conversation(hit.conversation_id)
        if hit.message_id:
            self._show_message(hit.conversation_id, hit.message_id)

    @work(group="show-message", exclusive=True)
    async def _show_message(self, conversation_id: str, message_id: str) -> None:
        """Load older pages until the message is in the thread, then select it there."""
        await self.app.connected.wait()
        if await self.inbox.fetch_conversation(conversation_id):
            self.refresh_rows([conversation_id])
            self.refresh_header()
        if (await self.inbox.find_message(conversation_id, message_id, self)).gone:
            self.app.notify("That message is no longer in the conversation.", severity="warning")
            return
        if self.open_id == conversation_id:
            self.refresh_thread_view()
            thread = self.query_one(MessageThread)
            if thread.select_message(message_id):
                thread.focus()

    def action_toggle_show(self) -> None:
        self.show = self.show.next()
        self.refresh_rows(())
        self.app.notify(f"Showing {self.show.value} conversations", timeout=2)

    def action_close_conversation(self) -> None:
        conversation = self.conversations.get(self.open_id or "")
        if conversation is None or conversation.closed:
            self.app.notify("No open conversation to close.", severity="warning")
            return
        from sakari_tui.screens.dialogs import ConfirmScreen

        name = conversation_name(conversation, self.app.profile.default_region)

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._close(conversation.id)

        self.app.push_screen(
            ConfirmScreen(f"Close the conversation with {one_line(name)}?", confirm="Close"), confirmed
        )

    @work(group="close", exclusive=True)
    async def _close(self, conversation_id: str) -> None:
        await self.inbox.close(conversation_id)
        self.app.notify("Conversation closed.")
        self.refresh_rows([conversation_id])
        self.refresh_header()

    def action_mark_unread(self) -> None:
        if self.open_id is None:
            return
        self._stop_reading()
        self._kept_unread = self.open_id
        self.app.store.mark_unread(self.open_id)
        self.refresh_rows([self.open_id])
        self.query_one(ConversationList).focus()
        self.app.notify("Marked unread.", timeout=2)

    def action_copy_message(self) -> None:
        bubble = self.query_one(MessageThread).selected
        if bubble is None:
            self.app.notify(
                "Select a message in the thread first (tab to the thread, then up/down).", severity="warning"
            )
            return
        self.app.copy_to_clipboard(bubble.text)
        self.app.notify("Message copied to the clipboard.", timeout=2)

    def _selected_outbox_item(self) -> str | None:
        bubble = self.query_one(MessageThread).selected
        if bubble is None or not bubble.local:
            return None
        return bubble.key.removeprefix("o:")

    def action_retry_send(self) -> None:
        item_id = self._selected_outbox_item()
        item = self.app.store.outbox_get(item_id) if item_id else None
        if item is None or item.state is not OutboxState.FAILED:
            self.app.notify("Select a message that was not sent to retry it.", severity="warning")
            return
        self.app.outbox.retry(item.id)
        self.refresh_thread_view()
        self.inbox.poke_outbox()

    def action_discard_send(self) -> None:
        item_id = self._selected_outbox_item()
        item = self.app.store.outbox_get(item_id) if item_id else None
        if item is None or item.state not in (OutboxState.FAILED, OutboxState.PENDING):
            self.app.notify("Only a message waiting or not sent can be discarded.", severity="warning")
            return
        self.app.outbox.discard(item.id)
        self.refresh_thread_view()
        self.refresh_rows([item.conversation_id] if item.conversation_id else ())

    def action_open_contact(self) -> None:
        contact = self.open_contact()
        if contact is None or not contact.id:
            self.app.notify("No contact for this conversation.", severity="warning")
            return
        from sakari_tui.screens.dialogs import ContactCard

        self.app.push_screen(ContactCard(contact.id))

    def action_new_conversation(self) -> None:
        from sakari_tui.screens.dialogs import NewConversationScreen

        def chosen(result: tuple[Contact | None, str] | None) -> None:
            if result is not None:
                self.converse_with(*result)

        self.app.push_screen(NewConversationScreen(self.app.profile.default_region), chosen)

    def start_conversation_with(self, contact: Contact) -> None:
        """For other screens (the Contacts screen's "conversation" key)."""
        mobile = contact.mobile.number if contact.mobile and contact.mobile.number else ""
        if not mobile:
            self.app.notify("This contact has no mobile number.", severity="warning")
            return
        self.converse_with(contact, mobile)

    def converse_with(self, contact: Contact | None, mobile: str) -> None:
        """Open the open conversation with ``mobile``, or start a new one, ready to type."""
        existing = self.inbox.conversation_with(mobile)
        if existing:
            self.query_one(ConversationList).select_id(existing)
            self.open_conversation(existing)
        else:
            self.save_draft()
            self.open_id = None
            self.new_conversation = NewConversation(contact, mobile)
            self.query_one(Composer).load_text("")
            self.refresh_header()
            self.refresh_thread_view()
        self.query_one(Composer).focus()

    def action_insert_template(self) -> None:
        from sakari_tui.screens.dialogs import TemplatePicker

        contact = self.open_contact()

        def chosen(text: str | None) -> None:
            if text:
                composer = self.query_one(Composer)
                composer.insert(text)
                composer.focus()

        self.app.push_screen(TemplatePicker(contact), chosen)

    def insert_into_reply(self, text: str) -> bool:
        """Insert a template at the reply's cursor, filled for the open conversation's contact.
        False when no conversation is open to send it to."""
        from sakari_tui.core.templates import contact_fields, render

        composer = self.query_one(Composer)
        composer.insert(render(text, contact_fields(self.open_contact())).text)
        composer.focus()
        return self.open_id is not None or self.new_conversation is not None

    def action_attach(self) -> None:
        from sakari_tui.screens.attach import AttachScreen

        def attached(attachment: Attachment | None) -> None:
            if attachment is None:
                return
            composer = self.query_one(Composer)
            if attachment.as_mms:
                self.set_attachment(attachment)
            else:
                composer.insert(
                    (" " if composer.text and not composer.text.endswith((" ", "\n")) else "") + attachment.link
                )
            composer.focus()

        self.app.push_screen(AttachScreen(), attached)

    def set_attachment(self, attachment: Attachment | None) -> None:
        from sakari_tui.screens.attach import human_size

        self.attachment = attachment
        line = self.query_one("#attachment-line", Static)
        line.display = attachment is not None
        if attachment is not None:
            text = Text("📎 ", style="dim")
            text.append(one_line(attachment.filename, 40), style="bold")
            text.append(
                f" · {attachment.content_type} · {human_size(attachment.size)} · sent as MMS with the reply",
                style="dim",
            )
            line.update(text)

    def _selected_media(self) -> tuple[str, str] | None:
        bubble = self.query_one(MessageThread).selected
        if bubble is None or not bubble.media:
            self.app.notify("Select a message with an attachment first (tab to the thread).", severity="warning")
            return None
        return bubble.media[0]

    def action_copy_link(self) -> None:
        media = self._selected_media()
        if media:
            self.app.copy_to_clipboard(media[1])
            self.app.notify(f"Link to {one_line(media[0], 40)} copied.", timeout=2, markup=False)

    def action_open_link(self) -> None:
        media = self._selected_media()
        if media:
            self.app.open_url(media[1])

    def action_edit_externally(self) -> None:
        composer = self.query_one(Composer)
        editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
        with tempfile.NamedTemporaryFile(
            "w+", suffix=".txt", prefix="sakari-reply-", delete=False, encoding="utf-8"
        ) as fh:
            fh.write(composer.text)
            path = Path(fh.name)
        try:
            with self.app.suspend():
                done = subprocess.run([*shlex.split(editor), str(path)], check=False)
            if done.returncode == 0:
                composer.load_text(path.read_text(encoding="utf-8").rstrip("\n"))
                composer.move_cursor(composer.document.end)
            else:
                self.app.notify(
                    f"{editor} exited {done.returncode}; the reply is unchanged.", severity="warning", markup=False
                )
        except OSError as exc:
            self.app.notify(f"Could not run {editor}: {exc.strerror or exc}", severity="error", markup=False)
        finally:
            path.unlink(missing_ok=True)
        composer.focus()
