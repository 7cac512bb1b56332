"""Several profiles: a profile's session, its unread count from its own store, and the slow
poll of a profile not on screen, counted on its sandbox with a fake clock."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import httpx
from conftest import make_sandbox

from sakari_tui.api.redaction import Secret
from sakari_tui.config import Profile
from sakari_tui.core.inbox import OUTBOX_BUSY
from sakari_tui.core.sessions import BackgroundPoll, ProfileSession, store_unread_total
from sakari_tui.core.store import OutboxState, Store
from sakari_tui.sandbox import Sandbox

LIST_PATH = "/v1/accounts/demo-account/conversations"
SEND_PATH = "/v1/accounts/demo-account/messages"


class FakeClock:
    """Time that moves only when the poll waits; stops the poll at ``until``."""

    def __init__(self, until: float) -> None:
        self.now = 0.0
        self.until = until
        self.waits: list[float] = []
        self.poll: BackgroundPoll | None = None
        self.at_wait: list = []  # callables run at each wait, with the time

    def __call__(self) -> float:
        return self.now

    async def sleep(self, delay: float) -> None:
        self.waits.append(delay)
        self.now += delay
        for hook in self.at_wait:
            hook(self.now)
        if self.now >= self.until and self.poll is not None:
            self.poll.stop()
        await asyncio.sleep(0)


def profile(**overrides) -> Profile:
    values = dict(
        name="shop",
        api_url="http://sandbox.invalid",
        client_id="demo-client",
        client_secret="demo-secret",
        account_id="demo-account",
    )
    values.update(overrides)
    return Profile(**values)


def session_for(sandbox: Sandbox, tmp_path: Path, **overrides) -> ProfileSession:
    store = Store.for_profile(tmp_path / "data", "shop")
    return ProfileSession(
        profile(**overrides), store, Secret("demo-secret"), transport=httpx.ASGITransport(app=sandbox.app)
    )


def list_polls(sandbox: Sandbox) -> int:
    return sum(1 for method, path in sandbox.requests if method == "GET" and path == LIST_PATH)


def sends(sandbox: Sandbox) -> int:
    return sum(1 for method, path in sandbox.requests if method == "POST" and path == SEND_PATH)


def test_store_unread_total_counts_read_markers(tmp_path: Path) -> None:
    store = Store.for_profile(tmp_path, "p")
    store.save_conversations(
        [
            {"id": "c1", "unread": ["m1", "m2"], "lastMessage": {"id": "m2", "created": "2026-01-01T00:00:02Z"}},
            {"id": "c2", "unread": ["m3"], "lastMessage": {"id": "m3", "created": "2026-01-01T00:00:03Z"}},
            {"id": "c3", "unread": [], "lastMessage": {"id": "m4", "created": "2026-01-01T00:00:04Z"}},
        ]
    )
    assert store_unread_total(store) == 3
    store.mark_read("c1", ["m1"])
    assert store_unread_total(store) == 2
    store.mark_read("c2", ["m3"])
    store.mark_unread("c3")
    assert store_unread_total(store) == 2  # c1's m2, and c3 marked unread
    store.close()


async def test_background_poll_asks_for_the_list_once_a_minute(tmp_path: Path) -> None:
    sandbox = make_sandbox(contacts=10, conversations=6)
    session = session_for(sandbox, tmp_path)
    clock = FakeClock(until=600)
    poll = BackgroundPoll(session, on_unread=lambda _: None, sleep=clock.sleep, clock=clock)
    clock.poll = poll
    await poll.run()
    # Ten minutes of the default pace (poll_background = 60): one list page a minute.
    assert list_polls(sandbox) == 10
    assert poll.polls == 10
    assert sends(sandbox) == 0
    # Nothing else was asked of the API: no threads, no contacts.
    api = [r for r in sandbox.requests if r[1].startswith("/v1/accounts/")]
    assert all(path == LIST_PATH for _, path in api), api
    await session.aclose()


async def test_background_poll_follows_the_profiles_setting(tmp_path: Path) -> None:
    sandbox = make_sandbox(contacts=10, conversations=6)
    session = session_for(sandbox, tmp_path, poll_background=150.0)
    clock = FakeClock(until=600)
    poll = BackgroundPoll(session, on_unread=lambda _: None, sleep=clock.sleep, clock=clock)
    clock.poll = poll
    await poll.run()
    assert list_polls(sandbox) == 4  # at 0, 150, 300 and 450 s
    await session.aclose()


async def test_a_customer_writing_raises_the_background_unread_count(tmp_path: Path) -> None:
    sandbox = make_sandbox(contacts=10, conversations=6)
    session = session_for(sandbox, tmp_path)
    counts: list[int] = []
    clock = FakeClock(until=200)
    poll = BackgroundPoll(session, on_unread=lambda s: counts.append(s.unread), sleep=clock.sleep, clock=clock)
    clock.poll = poll
    number = next(iter(sandbox.store.contacts.values())).mobile
    injected = []

    def customer_writes(now: float) -> None:
        if now >= 90 and not injected:
            injected.append(sandbox.inject_inbound(number, "Is my order ready?"))

    clock.at_wait.append(customer_writes)
    await poll.run()
    assert injected
    assert len(counts) == 2, counts  # the first poll's count, then the one after the message
    assert counts[1] == counts[0] + 1
    assert session.unread == store_unread_total(session.store) == counts[1]
    await session.aclose()


async def test_a_queued_reply_is_delivered_in_the_background_exactly_once(tmp_path: Path) -> None:
    sandbox = make_sandbox(contacts=10, conversations=6)
    session = session_for(sandbox, tmp_path)
    conversation_id = next(c.id for c in sandbox.store.conversations.values() if c.closed_at is None)
    item = session.outbox.enqueue("Typed before switching away", conversation_id=conversation_id)
    clock = FakeClock(until=300)
    started = time.time()
    session.outbox.clock = lambda: started + clock.now  # its retry back-off runs on the same fake time
    poll = BackgroundPoll(session, on_unread=lambda _: None, sleep=clock.sleep, clock=clock)
    clock.poll = poll
    await poll.run()
    assert session.store.outbox_get(item.id).state is OutboxState.SENT
    assert sends(sandbox) == 1
    on_server = [m for m in sandbox.store.messages.values() if m.text == "Typed before switching away"]
    assert [(m.conversation_id, m.outgoing) for m in on_server] == [(conversation_id, True)], on_server
    await session.aclose()


async def test_stop_ends_the_poll_at_its_next_wait(tmp_path: Path) -> None:
    sandbox = make_sandbox(contacts=10, conversations=6)
    session = session_for(sandbox, tmp_path)
    poll = BackgroundPoll(session, on_unread=lambda _: None)
    task = asyncio.create_task(poll.run())
    for _ in range(200):
        if poll.polls:
            break
        await asyncio.sleep(0.01)
    poll.stop()
    await asyncio.wait_for(task, timeout=5)  # the real wait (a minute) ends at once
    assert list_polls(sandbox) == 1
    await session.aclose()


def test_a_session_never_shows_its_secret(tmp_path: Path) -> None:
    sandbox = make_sandbox(contacts=10, conversations=6)
    session = session_for(sandbox, tmp_path)
    assert "demo-secret" not in repr(session)
    assert "demo-secret" not in repr(session.profile)
    session.store.close()


async def test_a_reply_that_could_not_leave_is_tried_again_at_the_outbox_pace(tmp_path: Path) -> None:
    sandbox = make_sandbox(contacts=10, conversations=6)
    session = session_for(sandbox, tmp_path)
    conversation_id = next(c.id for c in sandbox.store.conversations.values() if c.closed_at is None)
    clock = FakeClock(until=120)
    started = time.time()
    session.outbox.clock = lambda: started + clock.now  # its retry back-off runs on the same fake time
    # Sent once and refused before it left (no token yet, say): it waits for its next try.
    item = session.outbox.enqueue("Try me again", conversation_id=conversation_id)
    session.store.outbox_update(item.id, state=OutboxState.PENDING, not_before=started + 5, attempts=1)
    poll = BackgroundPoll(session, on_unread=lambda _: None, sleep=clock.sleep, clock=clock)
    clock.poll = poll
    await poll.run()
    assert session.store.outbox_get(item.id).state is OutboxState.SENT
    assert sends(sandbox) == 1
    # While it waited, the outbox was looked at every OUTBOX_BUSY seconds, not once a minute;
    # once it was sent, the poll went back to its own pace.
    assert clock.waits[:3] == [OUTBOX_BUSY] * 3
    assert clock.waits[-1] > OUTBOX_BUSY
    await session.aclose()


async def test_a_reply_the_server_refuses_is_reported_once(tmp_path: Path) -> None:
    sandbox = make_sandbox(contacts=10, conversations=6)
    session = session_for(sandbox, tmp_path)
    item = session.outbox.enqueue("To nobody", conversation_id="no-such-conversation")
    refused: list[tuple[str, str | None]] = []
    clock = FakeClock(until=300)
    poll = BackgroundPoll(
        session,
        on_unread=lambda _: None,
        on_not_sent=lambda s, i: refused.append((s.name, i.id)),
        sleep=clock.sleep,
        clock=clock,
    )
    clock.poll = poll
    await poll.run()
    assert session.store.outbox_get(item.id).state is OutboxState.FAILED
    assert refused == [("shop", item.id)]  # once, however many passes followed
    await session.aclose()
