"""Polling: keep the inbox fresh at O(1) requests per interval.

Each list interval fetches one page of conversations (the newest) and diffs it
by id and last message against what is known; each thread interval fetches the
newest page of the open thread's messages. Nothing else is fetched: a
conversation whose last message changed is re-read only when it is opened.
Unchanged data produces an empty update, so the UI redraws nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sakari_tui.api import Conversation, Message, Page, RateLimited
from sakari_tui.api.models import MessageStatus

from .ports import NOT_CONNECTED, InboxClient
from .store import Store

LIST_PAGE = 100  # conversations per list poll: the API's largest page
THREAD_PAGE = 50  # messages per thread poll and per "load older" step

# Back off while nobody is looking: unfocused terminal, or no key pressed for a while.
UNFOCUSED_FACTOR = 3.0
IDLE_AFTER = 300.0
IDLE_FACTOR = 3.0


def poll_delay(base: float, *, focused: bool = True, idle_for: float = 0.0, retry_after: float | None = None) -> float:
    """Seconds until the next poll."""
    delay = base
    if not focused:
        delay *= UNFOCUSED_FACTOR
    if idle_for >= IDLE_AFTER:
        delay *= IDLE_FACTOR
    if retry_after is not None:
        delay = max(delay, retry_after)
    return delay


def conversation_fingerprint(conversation: Conversation) -> tuple[Any, ...]:
    """What, when it changes, makes a list row look different."""
    last = conversation.last_message
    return (
        last.id if last else None,
        last.status if last else None,
        conversation.unread,
        conversation.closed,
        conversation.contact.display_name if conversation.contact else None,
        bool(conversation.contact and conversation.contact.blocked),
    )


def message_fingerprint(message: Message) -> tuple[Any, ...]:
    return (message.status, message.status_text, message.error, message.text, message.media)


@dataclass
class ListUpdate:
    """One poll of the conversation list: the page, and what changed since the last."""

    conversations: list[Conversation]  # the page, newest first
    changed: set[str] = field(default_factory=set)  # ids new or different since the last poll
    new_inbound: list[Conversation] = field(default_factory=list)  # a customer wrote since the last poll
    order_changed: bool = False
    first: bool = False  # the first poll of this run: nothing counts as "new"

    @property
    def is_empty(self) -> bool:
        return not (self.changed or self.order_changed or self.first)


@dataclass
class ThreadUpdate:
    """One poll of a thread: its newest page, and what changed since the last."""

    conversation_id: str
    messages: list[Message]  # newest page, oldest first
    changed: set[str] = field(default_factory=set)
    has_older: bool = False

    @property
    def is_empty(self) -> bool:
        return not self.changed


class InboxSync:
    """Diffs successive polls. The UI decides when to call; this decides what changed."""

    def __init__(
        self,
        client: InboxClient | None,
        store: Store | None = None,
        *,
        to_json: Callable[[Any], dict[str, Any]] | None = None,
    ) -> None:
        self.client: InboxClient = client or NOT_CONNECTED
        self.store = store
        self._to_json = to_json or (lambda model: model.to_json())
        self._list: dict[str, tuple[Any, ...]] = {}
        self._order: list[str] = []
        self._last_message: dict[str, str | None] = {}
        self._threads: dict[str, dict[str, tuple[Any, ...]]] = {}
        self._polled_once = False

    async def refresh_list(self) -> ListUpdate:
        page = await self.client.conversations.fetch_all(limit=LIST_PAGE)
        conversations = [c for c in page.items if c.id]
        first = not self._polled_once
        update = ListUpdate(conversations=conversations, first=first)
        order = [c.id or "" for c in conversations]
        update.order_changed = order != self._order
        for conversation, conversation_id in zip(conversations, order):
            fingerprint = conversation_fingerprint(conversation)
            if self._list.get(conversation_id) != fingerprint:
                update.changed.add(conversation_id)
            last = conversation.last_message
            previous_last = self._last_message.get(conversation_id, "unseen")
            if not first and last and not last.outgoing and last.id != previous_last:
                update.new_inbound.append(conversation)
            self._list[conversation_id] = fingerprint
            self._last_message[conversation_id] = last.id if last else None
        self._order = order
        self._polled_once = True
        if self.store is not None and (update.changed or first):
            bodies = [self._to_json(c) for c in conversations if c.id in update.changed or first]
            self.store.save_conversations(bodies)
            self._index_conversations(bodies)
        return update

    def seed_from_cache(self, conversations: list[Conversation]) -> None:
        """Know the cached list, so the first poll after start reports only real changes
        and the customers who wrote while the app was closed show as new."""
        self._order = [c.id or "" for c in conversations]
        for conversation, conversation_id in zip(conversations, self._order):
            self._list[conversation_id] = conversation_fingerprint(conversation)
            last = conversation.last_message
            self._last_message[conversation_id] = last.id if last else None
        self._polled_once = bool(conversations)

    async def refresh_thread(self, conversation_id: str) -> ThreadUpdate:
        page = await self.client.messages.fetch_all(conversation_id=conversation_id, limit=THREAD_PAGE)
        messages = oldest_first(page.items)
        known = self._threads.setdefault(conversation_id, {})
        update = ThreadUpdate(conversation_id, messages, has_older=page.has_next)
        for message in messages:  # each has an id (oldest_first)
            fingerprint = message_fingerprint(message)
            if known.get(message.id or "") != fingerprint:
                update.changed.add(message.id or "")
                known[message.id or ""] = fingerprint
        if self.store is not None and update.changed:
            self._save_page(page)
        return update

    async def load_older(self, conversation_id: str, offset: int) -> tuple[list[Message], bool]:
        """Messages older than the first ``offset`` newest ones, oldest first, and whether more remain."""
        page = await self.client.messages.fetch_all(conversation_id=conversation_id, offset=offset, limit=THREAD_PAGE)
        messages = oldest_first(page.items)
        known = self._threads.setdefault(conversation_id, {})
        for message in messages:
            known[message.id or ""] = message_fingerprint(message)
        if self.store is not None and messages:
            self._save_page(page)
        return messages, page.has_next

    def _save_page(self, page: Page[Message]) -> None:
        # The whole page as listed, not only what changed: each message's place in it is what
        # orders messages of the same millisecond in the cache.
        assert self.store is not None
        bodies = [self._to_json(m) for m in page.items]
        self.store.save_page(bodies, offset=page.offset, total=page.total_count, has_next=page.has_next)
        self._index_messages(bodies)

    # The search index follows what polls and scrollback bring (see core/search.py).

    def _index_conversations(self, bodies: list[dict[str, Any]]) -> None:
        if self.store is not None and self.store.search is not None:
            self.store.search.add_conversations(bodies)

    def _index_messages(self, bodies: list[dict[str, Any]]) -> None:
        if self.store is not None and self.store.search is not None:
            self.store.search.add_messages(bodies)

    def forget_thread(self, conversation_id: str) -> None:
        self._threads.pop(conversation_id, None)


def is_settled(message: Message) -> bool:
    """A message whose status will not change any more."""
    return message.status in (
        MessageStatus.DELIVERED,
        MessageStatus.ERROR,
        MessageStatus.UNDELIVERED,
        MessageStatus.RECEIVED,
    )


def retry_after_of(error: BaseException) -> float | None:
    return error.retry_after if isinstance(error, RateLimited) else None


def oldest_first(newest_first: Iterable[Message]) -> list[Message]:
    """The API lists messages newest first; a stable sort by time keeps its order for
    messages of the same millisecond."""
    messages = [m for m in newest_first if m.id][::-1]
    messages.sort(key=lambda m: m.created_at.timestamp() if m.created_at else float("inf"))
    return messages
