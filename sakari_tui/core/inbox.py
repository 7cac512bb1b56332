"""The inbox's state and loops, without a UI: what the conversations screen shows.

``Inbox`` holds the conversations known (cache, then polls), the messages of each thread
opened, how far back each thread was fetched, the contacts fetched, and which conversation
is open. Its loops poll the list, poll the open thread and run the outbox; each reports
what changed to a listener (``InboxListener``) as a small dataclass, and the screen turns
that into widget updates. Nothing here imports Textual: the screen runs the loops in its
workers, and tests drive them against the sandbox directly.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

from sakari_tui.api import Contact, Conversation, Message, RateLimited, SakariError

from . import clock
from .collisions import CollisionWatch, author_label, sender_name
from .outbox import Outbox
from .store import OutboxItem, OutboxState, Store
from .sync import InboxSync, ListUpdate, ThreadUpdate, poll_delay

# Seconds between outbox passes: while replies wait, and when none do.
OUTBOX_BUSY = 2.0
OUTBOX_IDLE = 30.0
# Conversations read from the cache: the newest, as the inbox lists them at start and as a
# profile in the background counts its unread messages (core/sessions.py).
CACHED_CONVERSATIONS = 500
# Messages of a thread read from the cache when it is opened.
CACHED_MESSAGES = 200
# Following a new conversation: how long its first message may take to be sent, how often
# the outbox is looked at meanwhile, and how long the list may take to show it.
FOLLOW_FOR = 30.0
FOLLOW_STEP = 0.5
FOLLOW_LIST_FOR = 2.0

T = TypeVar("T")


class Attention(Protocol):
    """Whether anybody is looking: polls slow down when nobody is (``poll_delay``)."""

    @property
    def terminal_focused(self) -> bool: ...

    def idle_for(self) -> float: ...


class InboxListener(Protocol):
    """What the loops report. Called on the loop's own task, between awaits."""

    def inbox_list_changed(self, change: ListChange) -> None: ...

    def inbox_thread_changed(self, change: ThreadChange) -> None: ...

    def inbox_outbox_changed(self, change: OutboxChange) -> None: ...

    def inbox_rate_limited(self, retry_after: float | None) -> None: ...


@dataclass
class ListChange:
    """A list poll merged: the rows to redraw, and who wrote."""

    fresh: list[str]  # the polled page's ids, newest first: their rows are redrawn
    new_inbound: list[Conversation] = field(default_factory=list)  # a customer wrote since the last poll
    open_changed: bool = False  # the open conversation is among the changed (its thread is polled now)
    open_contact_id: str | None = None  # the open conversation's contact, to re-read when it changed


@dataclass
class ThreadChange:
    """A thread poll merged into the open conversation."""

    conversation_id: str
    unseen: list[str] = field(default_factory=list)  # customers' messages of the page not read yet
    foreign: list[Message] = field(default_factory=list)  # replies from elsewhere, not told yet


@dataclass
class OutboxChange:
    """An outbox pass touched these items."""

    touched: list[OutboxItem]

    @property
    def conversation_ids(self) -> set[str]:
        return {item.conversation_id for item in self.touched if item.conversation_id}

    @property
    def failed(self) -> list[OutboxItem]:
        return [item for item in self.touched if item.state is OutboxState.FAILED]


@dataclass
class ThreadView:
    """What the open thread shows: the server's messages with who sent each outgoing one,
    then this app's replies not (yet) seen on the server."""

    messages: list[tuple[Message, str]]  # (message, author of an outgoing one)
    local: list[OutboxItem]
    has_older: bool


@dataclass
class NewConversation:
    """A conversation that exists only here until its first message is sent."""

    contact: Contact | None
    mobile: str


@dataclass(frozen=True)
class RowFacts:
    """What a conversation's row shows beyond the conversation itself."""

    unread: int  # customers' messages not read (at least 1 when marked unread)
    waiting: int  # replies of ours still in the outbox
    blocked: bool  # the contact opted out (as last fetched)
    # Who sent the last message when it is outgoing ("You", a name, "Someone else"); None when
    # the customer wrote last.
    sender: str | None = None


@dataclass
class Found:
    """Where ``Inbox.find_message`` ended."""

    found: bool
    gone: bool = False  # every older page read and the message is not among them


class _Signal:
    """Wakes whoever waits for the next time something happened (no state kept in between)."""

    def __init__(self) -> None:
        self._waiters: list[asyncio.Future[None]] = []

    def notify(self) -> None:
        for waiter in self._waiters:
            if not waiter.done():
                waiter.set_result(None)
        self._waiters.clear()

    async def wait(self, timeout: float) -> None:
        """Until the next ``notify``, or ``timeout`` seconds."""
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            await asyncio.wait_for(waiter, timeout)
        except TimeoutError:
            pass
        finally:
            if waiter in self._waiters:
                self._waiters.remove(waiter)


async def _wait(event: asyncio.Event, delay: float) -> None:
    """Sleep ``delay`` seconds, or less if ``event`` is set meanwhile; clear it."""
    try:
        await asyncio.wait_for(event.wait(), timeout=delay)
    except TimeoutError:
        pass
    event.clear()


# How long after a bulk send or campaign run its messages may still be made by the server.
BULK_WINDOW = 3600.0


def _timestamp(message: Message) -> float:
    at = message.created_at
    return at.timestamp() if at else float("inf")


def unread_count(conversation: Conversation, read: set[str], marked: bool) -> int:
    unread = len([mid for mid in conversation.unread if mid not in read])
    return max(unread, 1) if marked else unread


def conversation_number(conversation: Conversation) -> str:
    contact = conversation.contact
    return (contact.mobile.number if contact and contact.mobile else None) or ""


class Inbox:
    """The inbox of one profile, for one screen: state, merging and the polling loops."""

    def __init__(self, sync: InboxSync, outbox: Outbox) -> None:
        self.sync = sync
        self.outbox = outbox
        self.conversations: dict[str, Conversation] = {}
        self.order: list[str] = []  # newest first: the polled page, then older ones known
        self.open_id: str | None = None
        self.messages: dict[str, list[Message]] = {}
        self.contacts: dict[str, Contact] = {}  # fetched contacts (with opt-out state), by id
        self.has_older: dict[str, bool] = {}
        # How many of a thread's newest messages were fetched in one unbroken run (the polled
        # page, then each older page). "Load older" asks for the page after them. The cache
        # may hold a thread with a gap (the app was closed while many arrived), so its count
        # is no offset; an older page that overlaps what is held is merged without harm.
        self.fetched_run: dict[str, int] = {}
        self.cached: list[Conversation] = []  # the list as the cache had it at start
        self.collisions = CollisionWatch()  # replies sent from elsewhere while a conversation is open
        # Outgoing messages that came in a list poll while the app was watching (not history):
        # those this app did not send were sent from elsewhere (core/collisions.py).
        self._appeared_outgoing: set[str] = set()
        # Messages of this app's bulk sends and campaign runs, found by their text (_note_bulk),
        # and the outgoing messages already looked at for it (each once).
        self._sent_in_bulk: set[str] = set()
        self._bulk_checked: set[str] = set()
        self.loading_older = False
        self._list_poke = asyncio.Event()
        self._thread_poke = asyncio.Event()
        self._outbox_poke = asyncio.Event()
        self._list_merged = _Signal()
        self._outbox_passed = _Signal()

    @property
    def store(self) -> Store:
        # The outbox's: the app gives it a fresh one when a damaged store is moved aside.
        return self.outbox.store

    # -- asking the loops to run now -------------------------------------------

    def poke_list(self) -> None:
        self._list_poke.set()

    def poke_thread(self) -> None:
        self._thread_poke.set()

    def poke_outbox(self) -> None:
        self._outbox_poke.set()

    # -- the list --------------------------------------------------------------

    def merge_conversations(self, conversations: Iterable[Conversation]) -> list[str]:
        """The newest conversations, newest first, as a poll (or the cache) lists them: they go
        to the top; those known and older stay below. Returns their ids."""
        fresh = []
        for conversation in conversations:
            if conversation.id:
                self.conversations[conversation.id] = conversation
                fresh.append(conversation.id)
        seen = set(fresh)
        self.order = fresh + [cid for cid in self.order if cid not in seen]
        return fresh

    def append_conversations(self, conversations: Iterable[Conversation]) -> list[str]:
        """Older conversations (the rest of the cache), below those known. Returns the ids added."""
        added = []
        for conversation in conversations:
            if conversation.id and conversation.id not in self.conversations:
                self.conversations[conversation.id] = conversation
                self.order.append(conversation.id)
                added.append(conversation.id)
        return added

    def apply_list(self, update: ListUpdate) -> ListChange | None:
        """Merge a list poll; None when it changed nothing."""
        if update.is_empty:
            return None
        change = ListChange(self.merge_conversations(update.conversations), list(update.new_inbound))
        self._note_bulk(c.last_message for c in update.conversations if c.last_message)
        if not update.first:
            for conversation in update.conversations:
                last = conversation.last_message
                if conversation.id in update.changed and last and last.outgoing and last.id:
                    self._appeared_outgoing.add(last.id)
        self._list_merged.notify()
        if self.open_id and self.open_id in update.changed:
            change.open_changed = True
            self.poke_thread()
            contact = self.conversations[self.open_id].contact
            change.open_contact_id = contact.id if contact and contact.id else None
        return change

    def row_facts(self, ids: list[str], *, every: bool = False) -> dict[str, RowFacts]:
        """Unread and waiting counts and opt-out state of the conversations ``ids`` (known
        ones); ``every`` when they are all of them (one read of the read state)."""
        read_state = self.store.read_state(None if every else ids)
        waiting: dict[str, int] = {}
        for item in self.outbox.waiting():
            if item.conversation_id:
                waiting[item.conversation_id] = waiting.get(item.conversation_id, 0) + 1
        ours: tuple[set[str], set[str]] | None = None  # read once, when a row needs it
        facts = {}
        for cid in ids:
            conversation = self.conversations[cid]
            read, marked = read_state.get(cid, (set(), False))
            contact = self.full_contact(conversation.contact)
            last = conversation.last_message
            sender = None
            if last and last.outgoing:
                sender = "You"
                # Only these can be someone else's: the store is read for them alone (and at
                # start, from the cache, for none).
                if last.id in self._appeared_outgoing or last.id in self.collisions.elsewhere or sender_name(last):
                    ours = ours or (self.our_message_ids(), self.texts_on_the_way())
                    sender = self.sender_of(last, *ours)
            facts[cid] = RowFacts(
                unread=unread_count(conversation, read, marked),
                waiting=waiting.get(cid, 0),
                blocked=bool(contact and contact.blocked),
                sender=sender,
            )
        return facts

    def conversation_with(self, mobile: str) -> str | None:
        """The open (not closed) conversation with ``mobile``, if one is known."""
        return next(
            (cid for cid in self.order
             if conversation_number(self.conversations[cid]) == mobile and not self.conversations[cid].closed),
            None,
        )  # fmt: skip

    async def fetch_conversation(self, conversation_id: str) -> bool:
        """Know a conversation the list has not shown (a search hit in an old one): True when
        it was added, below those known."""
        if conversation_id in self.conversations:
            return False
        conversation = await self.sync.client.conversations.fetch(conversation_id)
        return bool(self.append_conversations([conversation]))

    async def close(self, conversation_id: str) -> None:
        closed = await self.sync.client.conversations.close(conversation_id)
        if closed.id and closed.contact:
            self.conversations[closed.id] = closed
        self.poke_list()

    # -- the open thread -------------------------------------------------------

    def open(self, conversation_id: str) -> str | None:
        """The agent opens a conversation: its cached messages and contact are at hand, and
        replies from elsewhere count from now. Returns the conversation open before."""
        previous, self.open_id = self.open_id, conversation_id
        if previous != conversation_id:
            self.collisions.opened(conversation_id, clock.now())
        if conversation_id not in self.messages:
            cached = self.store.messages(conversation_id, limit=CACHED_MESSAGES)
            self.messages[conversation_id] = [Message.from_json(body) for body in cached]
        contact = self.conversations[conversation_id].contact if conversation_id in self.conversations else None
        if contact and contact.id and contact.id not in self.contacts and (stored := self.store.contact(contact.id)):
            self.contacts[contact.id] = Contact.from_json(stored)
        self.poke_thread()
        return previous

    def apply_thread(self, update: ThreadUpdate) -> ThreadChange | None:
        """Merge a thread poll; None when it changed nothing shown."""
        conversation_id = update.conversation_id
        current = self.messages.get(conversation_id, [])
        if update.is_empty and current:
            return None
        self._note_bulk(update.messages)
        fresh = {m.id: m for m in update.messages}
        merged = [fresh.pop(m.id, m) for m in current]
        merged.extend(fresh.values())  # new ones, oldest first, as the page gives them
        # A stable sort by time alone: messages of the same millisecond keep the server's order.
        merged.sort(key=_timestamp)
        self.messages[conversation_id] = merged
        run = self.fetched_run.get(conversation_id, 0)
        if run <= len(update.messages):
            # Nothing older fetched yet: whether there is more is the polled page's answer,
            # whatever the cache held before it.
            self.has_older[conversation_id] = update.has_older
        self.fetched_run[conversation_id] = max(run, len(update.messages))
        change = ThreadChange(conversation_id)
        if conversation_id == self.open_id:
            change.foreign = self.collisions.untold(self.foreign(conversation_id))
        read = self.store.read_ids(conversation_id)
        change.unseen = [m.id for m in update.messages if not m.outgoing and m.id and m.id not in read]
        return change

    def _merge_older(self, conversation_id: str, offset: int, older: list[Message], has_more: bool) -> None:
        known = {m.id for m in self.messages.get(conversation_id, [])}
        merged = [m for m in older if m.id not in known] + self.messages.get(conversation_id, [])
        merged.sort(key=_timestamp)  # stable: the server's order within a millisecond is kept
        self.messages[conversation_id] = merged
        self.fetched_run[conversation_id] = offset + len(older)
        self.has_older[conversation_id] = has_more

    async def load_older(self, conversation_id: str) -> int:
        """The page of messages older than the fetched run, merged in time order. Returns how
        many the page held."""
        self.loading_older = True
        try:
            offset = self.fetched_run.get(conversation_id, 0)
            older, has_more = await self.sync.load_older(conversation_id, offset)
        finally:
            self.loading_older = False
        self._merge_older(conversation_id, offset, older, has_more)
        return len(older)

    def can_load_older(self, conversation_id: str | None) -> bool:
        return bool(conversation_id and self.has_older.get(conversation_id) and not self.loading_older)

    async def find_message(self, conversation_id: str, message_id: str, listener: InboxListener) -> Found:
        """Load older pages of a conversation until ``message_id`` is among its messages (a
        search hit): its newest page is fetched first when not polled yet (reported as a thread change). Stops when another conversation
        is opened meanwhile."""
        if not self.fetched_run.get(conversation_id):
            change = self.apply_thread(await self.sync.refresh_thread(conversation_id))
            if change is not None:
                listener.inbox_thread_changed(change)
        while self.open_id == conversation_id:
            if any(m.id == message_id for m in self.messages.get(conversation_id, [])):
                return Found(True)
            if not self.has_older.get(conversation_id, True):
                return Found(False, gone=True)
            if not await self.load_older(conversation_id):
                break
        return Found(any(m.id == message_id for m in self.messages.get(conversation_id, [])))

    def full_contact(self, contact: Contact | None) -> Contact | None:
        """The contact as last fetched (with its opt-out state), else as the conversation has it."""
        if contact is None or not contact.id:
            return contact
        return self.contacts.get(contact.id, contact)

    async def fetch_contact(self, contact_id: str) -> list[str] | None:
        """Read a contact (the conversation's copy carries no opt-out state). Returns the
        conversations whose rows look different now (opt-out state changed), or None when
        it could not be read (the cached copy, if any, stays)."""
        try:
            contact = await self.sync.client.contacts.fetch(contact_id)
        except SakariError:
            return None
        previous = self.contacts.get(contact_id)
        self.contacts[contact_id] = contact
        self.store.save_contacts([contact.to_json()])
        if previous is not None and previous.blocked == contact.blocked:
            return []
        return [cid for cid, c in self.conversations.items() if c.contact and c.contact.id == contact_id]

    def mark_read(self, conversation_id: str) -> None:
        """Read: what the list counts as unread and every customer message the thread shows."""
        conversation = self.conversations.get(conversation_id)
        shown = [m.id for m in self.messages.get(conversation_id, []) if not m.outgoing and m.id]
        if conversation is not None or shown:
            self.store.mark_read(conversation_id, [*(conversation.unread if conversation else []), *shown])

    def thread_view(self, conversation_id: str | None) -> ThreadView:
        """What the thread of ``conversation_id`` shows. A sent reply whose server copy is in
        the thread now leaves the outbox."""
        if conversation_id is None:
            return ThreadView([], [], False)
        messages = self.messages.get(conversation_id, [])
        ours = self.our_message_ids()
        self.foreign(conversation_id, ours)
        self.remember_appeared(messages, ours, self.texts_on_the_way())
        elsewhere = self.collisions.elsewhere
        shown = [(m, author_label(m, ours, elsewhere)) for m in messages]
        local = self.outbox.waiting(conversation_id=conversation_id)
        on_server = {m.id for m in messages}
        for item in self.store.outbox_items(OutboxState.SENT, conversation_id=conversation_id):
            if item.message_id in on_server:
                self.store.outbox_remove(item.id)  # the server's copy is shown now
            else:
                local.append(item)
        return ThreadView(shown, local, self.has_older.get(conversation_id, False))

    # -- replies sent from elsewhere (core/collisions.py) ----------------------

    def our_message_ids(self) -> set[str]:
        """Messages this app sent: what outbox items became, and the messages of its bulk
        sends and campaign runs."""
        ours = self.store.claimed_message_ids()
        ours.update(i.message_id for i in self.store.outbox_items() if i.message_id)
        ours.update(self._sent_in_bulk)
        return ours

    def _note_bulk(self, messages: Iterable[Message]) -> None:
        """Of ``messages``, the outgoing ones with the text of a bulk send or campaign run of
        this app (placeholders filled in, any value), made from a little before it was sent
        (the server's clock may differ) to an hour after: they are this app's."""
        # A bulk send is recorded before it goes, so a message looked at once need not be again:
        # after the first poll the store is read only when an outgoing message is new.
        new = [m for m in messages if m.outgoing and m.id and m.id not in self._bulk_checked]
        if not new:
            return
        self._bulk_checked.update(m.id for m in new if m.id)
        sends = self.store.bulk_sends()
        if not sends:
            return
        from .reconcile import CLOCK_SKEW, normalize, text_pattern  # only once there were bulk sends

        windows = [(text_pattern(template), at - CLOCK_SKEW, at + BULK_WINDOW) for template, at in sends]
        for message in new:
            made, text = _timestamp(message), normalize(message.text or "")
            if any(start <= made <= end and pattern.fullmatch(text) for pattern, start, end in windows):
                self._sent_in_bulk.add(message.id or "")

    def texts_on_the_way(self, conversation_id: str | None = None) -> set[str]:
        """The texts of this app's replies whose server id is not known yet (of one conversation,
        or all): a message with one of them may be ours."""
        return {i.text for i in self.store.outbox_items(conversation_id=conversation_id) if not i.message_id}

    def remember_appeared(self, messages: Iterable[Message], ours: set[str], on_the_way: set[str]) -> None:
        """Of ``messages``, those that came in a list poll while the app was watching and are
        not this app's (nor a reply of ours on its way) were sent from elsewhere."""
        self.collisions.remember(
            [m for m in messages
             if m.id in self._appeared_outgoing and m.id not in ours and (m.text or "") not in on_the_way]
        )  # fmt: skip

    def sender_of(self, message: Message, ours: set[str], on_the_way: set[str]) -> str:
        """Who sent an outgoing message, as the thread labels it (``author_label``)."""
        self.remember_appeared([message], ours, on_the_way)
        return author_label(message, ours, self.collisions.elsewhere)

    def foreign(self, conversation_id: str, ours: set[str] | None = None) -> list[Message]:
        """Replies from elsewhere since the agent opened the conversation or last replied. A
        reply of ours on its way (no server id known yet) is not taken for one."""
        ours = self.our_message_ids() if ours is None else ours
        on_the_way = self.texts_on_the_way(conversation_id)
        found = self.collisions.foreign(conversation_id, self.messages.get(conversation_id, []), ours)
        found = [m for m in found if (m.text or "") not in on_the_way]
        self.collisions.remember(found)
        return found

    def reply(
        self, text: str, *, to: NewConversation | None = None, media: list[str] | None = None
    ) -> OutboxItem | None:
        """Write a reply to the outbox, into the open conversation or, with ``to``, the first
        message of a new one; the outbox loop sends it now. None when there is nowhere to send."""
        if to is not None:
            item = self.outbox.enqueue(
                text, contact_id=to.contact.id if to.contact else None, mobile=to.mobile, media=media
            )
        elif self.open_id is not None:
            item = self.outbox.enqueue(text, conversation_id=self.open_id, media=media)
        else:
            return None
        if self.open_id is not None:
            self.replied(self.open_id)
        self.poke_outbox()
        return item

    def replied(self, conversation_id: str) -> None:
        """The agent sent (or chose to send anyway): replies from elsewhere count from now."""
        self.collisions.replied(conversation_id, clock.now())

    # -- the loops -------------------------------------------------------------

    async def _polled(self, listener: InboxListener, poll: Awaitable[T]) -> tuple[T | None, float | None]:
        """One poll: its answer, or None and the server's Retry-After when it failed."""
        try:
            return await poll, None
        except RateLimited as exc:
            listener.inbox_rate_limited(exc.retry_after)
            return None, exc.retry_after
        except SakariError:
            return None, None  # the status line and banner say offline; the cache stays usable

    async def poll_list(self, listener: InboxListener, every: Callable[[], float], attention: Attention) -> None:
        """Poll the list for ever, every ``every()`` seconds (slower when nobody looks, at
        least the server's Retry-After), at once when poked."""
        # Know the cached list, so the first poll reports only what changed since.
        self.sync.seed_from_cache(self.cached)
        while True:
            update, retry_after = await self._polled(listener, self.sync.refresh_list())
            if update is not None and (change := self.apply_list(update)) is not None:
                listener.inbox_list_changed(change)
            delay = poll_delay(every(), focused=attention.terminal_focused,
                               idle_for=attention.idle_for(), retry_after=retry_after)  # fmt: skip
            await _wait(self._list_poke, delay)

    async def poll_thread(self, listener: InboxListener, every: Callable[[], float], attention: Attention) -> None:
        """Poll the open conversation's newest messages for ever, as ``poll_list`` does the list."""
        while True:
            retry_after = None
            conversation_id = self.open_id
            if conversation_id:
                update, retry_after = await self._polled(listener, self.sync.refresh_thread(conversation_id))
                # Another conversation opened while the poll was out: not this one's answer.
                change = self.apply_thread(update) if update is not None and conversation_id == self.open_id else None
                if change is not None:
                    listener.inbox_thread_changed(change)
            delay = poll_delay(every(), focused=attention.terminal_focused,
                               idle_for=attention.idle_for(), retry_after=retry_after)  # fmt: skip
            await _wait(self._thread_poke, delay)

    async def run_outbox(self, listener: InboxListener) -> None:
        """Send what waits in the outbox for ever: every OUTBOX_BUSY s while replies wait,
        OUTBOX_IDLE s otherwise, at once when poked (a reply written, back online)."""
        while True:
            try:
                touched = await self.outbox.flush()
            except SakariError:
                touched = []
            if touched:
                if any(item.state is OutboxState.SENT for item in touched):
                    self.poke_list()
                    self.poke_thread()
                listener.inbox_outbox_changed(OutboxChange(touched))
            self._outbox_passed.notify()
            delay = OUTBOX_BUSY if self.outbox.waiting() else OUTBOX_IDLE
            await _wait(self._outbox_poke, delay)

    async def follow_new_conversation(self, item_id: str) -> str | None:
        """The conversation the first message of a new conversation (outbox item ``item_id``)
        went to, once it is sent and the list knows it; None if it failed, was discarded, or
        was not sent within FOLLOW_FOR seconds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + FOLLOW_FOR
        while loop.time() < deadline:
            item = self.store.outbox_get(item_id)
            if item is None or item.state is OutboxState.FAILED:
                return None
            if item.state is OutboxState.SENT and item.message_id:
                try:
                    message = await self.sync.client.messages.fetch(item.message_id)
                except SakariError:
                    message = None
                if message and message.conversation_id:
                    conversation_id = message.conversation_id
                    await self._until_listed(conversation_id)
                    return conversation_id
            await self._outbox_passed.wait(FOLLOW_STEP)
        return None

    async def _until_listed(self, conversation_id: str) -> None:
        """Ask for a list poll and wait (FOLLOW_LIST_FOR s at most) until it lists the conversation."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + FOLLOW_LIST_FOR
        self.poke_list()
        while conversation_id not in self.conversations and (left := deadline - loop.time()) > 0:
            await self._list_merged.wait(left)
