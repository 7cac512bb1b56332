"""Several profiles in one app: each profile's session, and the slow poll of those not on screen.

A ``ProfileSession`` is what the app needs of one profile: its local store, its outbox, its
sync state, its connection state and (made on first use) its API client. The app keeps one
per profile it has opened and shows one at a time; the screens use that one.

A profile that is not on screen runs a ``BackgroundPoll``: one page of its conversation list
every ``poll_background`` seconds (a minute by default, instead of the ten seconds of the
profile on screen), its outbox while replies wait in it (so a reply typed before switching
away is still delivered; one the server refuses is reported), and after each poll that
changed something its unread count, read from its own store with the inbox's own rule.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from sakari_tui.api import RateLimited, SakariError
from sakari_tui.config import Profile

from .connection import ConnectionState, ConnectionTracker
from .inbox import CACHED_CONVERSATIONS, OUTBOX_BUSY, unread_count
from .outbox import Outbox
from .store import OutboxItem, OutboxState, Store
from .sync import InboxSync

if TYPE_CHECKING:
    import httpx

    from sakari_tui.api import Conversation, SakariClient
    from sakari_tui.api.redaction import Secret


def cached_conversations(store: Store) -> list[Conversation]:
    """The newest conversations the store holds, as many as the inbox reads at start."""
    from sakari_tui.api import Conversation  # the models: not before the app's first frame

    return [Conversation.from_json(body) for body in store.conversations(limit=CACHED_CONVERSATIONS)]


def store_unread_total(store: Store, conversations: list[Conversation] | None = None) -> int:
    """The unread messages of ``conversations`` (else the store's newest), as the inbox counts them."""
    read_state = store.all_read_state()
    total = 0
    for conversation in cached_conversations(store) if conversations is None else conversations:
        if conversation.id:
            read, marked = read_state.get(conversation.id, (set(), False))
            total += unread_count(conversation, read, marked)  # as the inbox's list counts a row
    return total


class ProfileSession:
    """One profile's client, store, outbox and sync. The client is made on first use."""

    def __init__(
        self,
        profile: Profile,
        store: Store,
        secret: Secret,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        on_connection: Callable[[ProfileSession, ConnectionState], object] | None = None,
    ) -> None:
        self.profile = profile
        self.store = store
        self.outbox = Outbox(store, None)
        self.sync = InboxSync(None, store)
        self.tracker = ConnectionTracker(self._connection_changed)
        # Set once the client exists: until then the outbox and sync hold NOT_CONNECTED.
        self.connected = asyncio.Event()
        self.unread = 0  # as last counted (by the inbox while on screen, else by the poll)
        self.on_connection = on_connection
        self._secret = secret
        self._transport = transport
        self._client: SakariClient | None = None

    @property
    def name(self) -> str:
        return self.profile.name

    @property
    def client(self) -> SakariClient:
        if self._client is None:
            self._client = self._connect()
        return self._client

    @property
    def has_client(self) -> bool:
        return self._client is not None

    def _connect(self) -> SakariClient:
        from sakari_tui.api import SakariClient

        client = SakariClient(
            api_url=self.profile.api_url,
            client_id=self.profile.client_id,
            client_secret=self._secret,
            account_id=self.profile.account_id,
            transport=self._transport,
        )
        client.add_listener(self.tracker)
        self.outbox.client = self.sync.client = client
        self.connected.set()
        return client

    def _connection_changed(self, state: ConnectionState) -> None:
        if self.on_connection is not None:
            self.on_connection(self, state)

    def replace_store(self, store: Store) -> None:
        """A fresh store took the place of a damaged one."""
        self.store = self.outbox.store = self.sync.store = store

    def count_unread(self, conversations: list[Conversation] | None = None) -> int:
        self.unread = store_unread_total(self.store, conversations)
        return self.unread

    async def aclose(self) -> None:
        """Close the client and the store."""
        if self._client is not None:
            await self._client.aclose()
        self.store.close()

    def __repr__(self) -> str:
        return f"ProfileSession({self.profile.name!r})"


class BackgroundPoll:
    """Keeps a profile that is not on screen current, slowly: see the module's notes.

    ``run`` goes on until ``stop`` is called (it then ends at its next wait, never in the
    middle of a send) or it is cancelled. ``sleep`` and ``clock`` are for tests.
    """

    def __init__(
        self,
        session: ProfileSession,
        *,
        on_unread: Callable[[ProfileSession], object],
        on_not_sent: Callable[[ProfileSession, OutboxItem], object] | None = None,
        interval: float | None = None,
        sleep: Callable[[float], Awaitable[object]] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.session = session
        self.interval = interval if interval is not None else session.profile.poll_background
        self.on_unread = on_unread
        self.on_not_sent = on_not_sent  # a reply the server refused, for a notice
        self._clock = clock
        self._sleep = sleep
        self._stop = asyncio.Event()
        self.polls = 0  # list polls made, for tests and benchmarks

    def stop(self) -> None:
        self._stop.set()

    @property
    def stopped(self) -> bool:
        return self._stop.is_set()

    async def run(self) -> None:
        session = self.session
        session.client  # noqa: B018 - made now: the first poll is due at once
        cached = cached_conversations(session.store)  # read once: seeds the sync and the count
        session.sync.seed_from_cache(cached)
        self._count(cached)
        clock = self._clock
        next_list = next_outbox = clock()
        while not self._stop.is_set():
            if clock() >= next_list:
                next_list = clock() + await self._poll_list()
            if self._stop.is_set():
                break
            if clock() >= next_outbox:
                next_outbox = clock() + await self._deliver()
            await self._wait(max(0.0, min(next_list, next_outbox) - clock()))

    async def _poll_list(self) -> float:
        """One page of the conversation list; the seconds until the next."""
        session = self.session
        self.polls += 1
        try:
            update = await session.sync.refresh_list()
        except RateLimited as exc:
            session.tracker.note_rate_limited(exc.retry_after)
            return max(self.interval, exc.retry_after or 0.0)
        except SakariError:
            return self.interval  # its connection state says why; the next poll tries again
        if not update.is_empty:
            self._count()
        return self.interval

    async def _deliver(self) -> float:
        """One pass over the outbox; the seconds until the next."""
        outbox = self.session.outbox
        try:
            touched = await outbox.flush()
        except SakariError:
            touched = []
        if self.on_not_sent is not None:
            for item in touched:
                if item.state is OutboxState.FAILED:
                    self.on_not_sent(self.session, item)
        return OUTBOX_BUSY if outbox.waiting() else self.interval

    def _count(self, conversations: list[Conversation] | None = None) -> None:
        before = self.session.unread
        if self.session.count_unread(conversations) != before:
            self.on_unread(self.session)

    async def _wait(self, delay: float) -> None:
        if self._sleep is not None:
            await self._sleep(delay)
            return
        try:
            await asyncio.wait_for(self._stop.wait(), timeout=delay)
        except TimeoutError:
            pass
