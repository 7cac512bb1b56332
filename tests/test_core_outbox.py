"""The outbox: nothing typed is lost, nothing is sent twice.

Most tests send through a real ``SakariClient`` to an in-process sandbox and then count
the copies the sandbox holds; the last ones use an in-memory fake server whose sends
fail in every way the outbox has to tell apart.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import Counter
from collections.abc import AsyncIterator
from datetime import datetime, timezone
from typing import Any

import httpx
import pytest
from conftest import make_sandbox
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from sakari_tui.api import (
    ApiError,
    BadResponse,
    Message,
    NetworkError,
    Page,
    RateLimited,
    RetryPolicy,
    SakariClient,
    SendResult,
    Stamp,
)
from sakari_tui.core.outbox import RETRY_BASE, Outbox
from sakari_tui.core.store import OutboxItem, OutboxState, Store
from sakari_tui.sandbox import Sandbox

FAST_RETRY = RetryPolicy(max_attempts=3, base_delay=0.001, max_delay=0.01, max_total=1.0)
SEND_PATH = "/v1/accounts/demo-account/messages"


class Clock:
    """The outbox's clock; the test moves it."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class Interrupting(httpx.AsyncBaseTransport):
    """The sandbox behind a switch that makes the next send time out before it arrives."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.lose_next_send = False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.lose_next_send and request.method == "POST" and request.url.path == SEND_PATH:
            self.lose_next_send = False
            raise httpx.WriteTimeout("timed out writing the request", request=request)
        return await self.inner.handle_async_request(request)


@pytest.fixture
def sandbox() -> Sandbox:
    return make_sandbox(contacts=8, conversations=4)


@pytest.fixture
def transport(sandbox: Sandbox) -> Interrupting:
    return Interrupting(httpx.ASGITransport(app=sandbox.app))


@pytest.fixture
async def client(transport: Interrupting) -> AsyncIterator[SakariClient]:
    async with SakariClient(
        client_id="demo-client",
        client_secret="demo-secret",
        account_id="demo-account",
        api_url="http://sandbox.invalid",
        transport=transport,
        retry=FAST_RETRY,
    ) as client:
        yield client


@pytest.fixture
def store() -> Store:
    return Store(":memory:")


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def outbox(store: Store, client: SakariClient, clock: Clock) -> Outbox:
    return Outbox(store, client, clock=clock)


@pytest.fixture
def conversation_id(sandbox: Sandbox) -> str:
    return sandbox.conversations()[0]["id"]


def copies(sandbox: Sandbox, conversation_id: str, text: str) -> list[dict[str, Any]]:
    return [m for m in sandbox.messages(conversation_id) if m["outgoing"] and m["message"] == text]


def sends(sandbox: Sandbox) -> int:
    return sandbox.requests.count(("POST", SEND_PATH))


# -- the plain path ----------------------------------------------------------------------------


async def test_enqueue_writes_before_sending_and_needs_a_recipient(outbox: Outbox, store: Store) -> None:
    item = outbox.enqueue("hello", conversation_id="c1")
    assert store.outbox_get(item.id).state is OutboxState.PENDING
    assert outbox.waiting("c1") == [item]
    with pytest.raises(ValueError):
        outbox.enqueue("to nobody")


async def test_delivered_once(outbox: Outbox, sandbox: Sandbox, conversation_id: str, store: Store) -> None:
    item = outbox.enqueue("Your order is ready", conversation_id=conversation_id)
    touched = await outbox.flush()
    assert [t.id for t in touched] == [item.id]
    sent = store.outbox_get(item.id)
    assert sent.state is OutboxState.SENT and sent.attempts == 1 and sent.error is None
    stored = copies(sandbox, conversation_id, "Your order is ready")
    assert [m["id"] for m in stored] == [sent.message_id]
    assert outbox.waiting() == []

    # Further passes send nothing more.
    assert await outbox.flush() == []
    assert sends(sandbox) == 1
    assert len(copies(sandbox, conversation_id, "Your order is ready")) == 1


async def test_send_to_a_new_mobile_number_and_to_a_contact(outbox: Outbox, sandbox: Sandbox, store: Store) -> None:
    contact = sandbox.contacts()[0]
    by_mobile = outbox.enqueue("hi new customer", mobile="+18085550199")
    by_contact = outbox.enqueue("hi known customer", contact_id=contact["id"])
    await outbox.flush()
    for item, text in ((by_mobile, "hi new customer"), (by_contact, "hi known customer")):
        sent = store.outbox_get(item.id)
        assert sent.state is OutboxState.SENT
        [stored] = [m for m in sandbox.messages() if m["message"] == text]
        assert stored["id"] == sent.message_id
    [new] = [m for m in sandbox.messages() if m["message"] == "hi new customer"]
    assert new["contact"]["mobile"]["number"] == "+18085550199"
    [known] = [m for m in sandbox.messages() if m["message"] == "hi known customer"]
    assert known["contact"]["id"] == contact["id"]


# -- the request never left ----------------------------------------------------------------------


async def test_server_down_stays_pending_then_delivered_once_after_recovery(
    outbox: Outbox, sandbox: Sandbox, conversation_id: str, store: Store, clock: Clock
) -> None:
    sandbox.faults.down = True
    item = outbox.enqueue("are you there?", conversation_id=conversation_id)
    await outbox.flush()
    waiting = store.outbox_get(item.id)
    assert waiting.state is OutboxState.PENDING
    assert waiting.not_before == pytest.approx(clock.now + RETRY_BASE)
    assert waiting.not_before > clock.now
    assert waiting.error and waiting.attempts == 1

    # Not due yet: nothing is attempted, even once the server is back.
    sandbox.faults.down = False
    assert await outbox.flush() == []
    assert store.outbox_get(item.id).attempts == 1
    assert sends(sandbox) == 0

    clock.advance(RETRY_BASE + 0.1)
    await outbox.flush()
    sent = store.outbox_get(item.id)
    assert sent.state is OutboxState.SENT and sent.error is None
    assert [m["id"] for m in copies(sandbox, conversation_id, "are you there?")] == [sent.message_id]
    assert sends(sandbox) == 1


async def test_a_reply_before_the_client_exists_waits_then_goes_once(
    store: Store, client: SakariClient, sandbox: Sandbox, conversation_id: str, clock: Clock
) -> None:
    # The app makes its client just after the first frame; a pass before that keeps the reply.
    outbox = Outbox(store, None, clock=clock)
    item = outbox.enqueue("typed before connecting", conversation_id=conversation_id)
    [waiting] = await outbox.flush()
    assert waiting.state is OutboxState.PENDING and waiting.error == "not connected yet"
    assert waiting.not_before > clock.now
    assert sends(sandbox) == 0

    outbox.client = client
    clock.advance(RETRY_BASE + 0.1)
    await outbox.flush()
    sent = store.outbox_get(item.id)
    assert sent.state is OutboxState.SENT
    assert [m["id"] for m in copies(sandbox, conversation_id, "typed before connecting")] == [sent.message_id]
    assert sends(sandbox) == 1


async def test_back_off_grows_while_the_server_stays_down(
    outbox: Outbox, sandbox: Sandbox, conversation_id: str, store: Store, clock: Clock
) -> None:
    sandbox.faults.down = True
    item = outbox.enqueue("patience", conversation_id=conversation_id)
    waits = []
    for _ in range(4):
        await outbox.flush()
        current = store.outbox_get(item.id)
        assert current.state is OutboxState.PENDING
        waits.append(current.not_before - clock.now)
        clock.advance(waits[-1])
    assert waits == pytest.approx([2.0, 4.0, 8.0, 16.0])


async def test_rate_limited_stays_pending_for_retry_after(
    outbox: Outbox, sandbox: Sandbox, conversation_id: str, store: Store, clock: Clock
) -> None:
    sandbox.faults.rate_429 = 1.0
    sandbox.faults.retry_after = 7
    item = outbox.enqueue("slow down", conversation_id=conversation_id)
    await outbox.flush()
    waiting = store.outbox_get(item.id)
    assert waiting.state is OutboxState.PENDING
    assert waiting.not_before == pytest.approx(clock.now + 7)
    assert "RATE-001" in waiting.error
    assert copies(sandbox, conversation_id, "slow down") == []

    sandbox.faults.rate_429 = 0.0
    clock.advance(6)
    assert await outbox.flush() == []
    clock.advance(1.5)
    await outbox.flush()
    assert store.outbox_get(item.id).state is OutboxState.SENT
    assert len(copies(sandbox, conversation_id, "slow down")) == 1


# -- outcome unknown -----------------------------------------------------------------------------


async def test_dropped_after_storing_is_found_not_resent(
    outbox: Outbox, sandbox: Sandbox, conversation_id: str, store: Store
) -> None:
    sandbox.faults.rate_drop = 1.0
    item = outbox.enqueue("did this arrive?", conversation_id=conversation_id)
    await outbox.flush()
    unknown = store.outbox_get(item.id)
    assert unknown.state is OutboxState.UNKNOWN and unknown.error
    [stored] = copies(sandbox, conversation_id, "did this arrive?")

    sandbox.faults.rate_drop = 0.0
    resolved = await outbox.resolve_unknown(unknown)
    assert resolved.state is OutboxState.SENT
    assert resolved.message_id == stored["id"]
    assert resolved.error is None
    assert sends(sandbox) == 1  # found by reading, not by sending again
    assert len(copies(sandbox, conversation_id, "did this arrive?")) == 1
    await outbox.flush()
    assert len(copies(sandbox, conversation_id, "did this arrive?")) == 1


async def test_unknown_stays_unknown_while_the_check_fails(
    outbox: Outbox, sandbox: Sandbox, conversation_id: str, store: Store
) -> None:
    sandbox.faults.rate_drop = 1.0
    item = outbox.enqueue("check me", conversation_id=conversation_id)
    await outbox.flush()
    sandbox.faults.rate_drop = 0.0
    sandbox.faults.down = True
    await outbox.flush()
    still = store.outbox_get(item.id)
    assert still.state is OutboxState.UNKNOWN
    assert "connect" in still.error.lower()
    sandbox.faults.down = False
    await outbox.flush()
    assert store.outbox_get(item.id).state is OutboxState.SENT
    assert sends(sandbox) == 1
    assert len(copies(sandbox, conversation_id, "check me")) == 1


async def test_dropped_send_to_a_mobile_number_is_found_by_number(
    outbox: Outbox, sandbox: Sandbox, store: Store
) -> None:
    # Same text to two new numbers; only the second send is dropped.
    first = outbox.enqueue("Welcome!", mobile="+18085550101")
    await outbox.flush()
    sandbox.faults.rate_drop = 1.0
    second = outbox.enqueue("Welcome!", mobile="+18085550102")
    await outbox.flush()
    assert store.outbox_get(second.id).state is OutboxState.UNKNOWN
    sandbox.faults.rate_drop = 0.0
    await outbox.flush()
    resolved = store.outbox_get(second.id)
    assert resolved.state is OutboxState.SENT
    [stored] = [m for m in sandbox.messages() if m["id"] == resolved.message_id]
    assert stored["contact"]["mobile"]["number"] == "+18085550102"
    assert resolved.message_id != store.outbox_get(first.id).message_id
    assert sends(sandbox) == 2


async def test_unknown_that_never_arrived_is_resent_exactly_once(
    outbox: Outbox, sandbox: Sandbox, transport: Interrupting, conversation_id: str, store: Store
) -> None:
    transport.lose_next_send = True  # times out before the server gets it
    item = outbox.enqueue("lost in transit", conversation_id=conversation_id)
    await outbox.flush()
    assert store.outbox_get(item.id).state is OutboxState.UNKNOWN
    assert copies(sandbox, conversation_id, "lost in transit") == []

    await outbox.flush()
    sent = store.outbox_get(item.id)
    assert sent.state is OutboxState.SENT and sent.attempts == 2
    assert [m["id"] for m in copies(sandbox, conversation_id, "lost in transit")] == [sent.message_id]
    await outbox.flush()
    assert len(copies(sandbox, conversation_id, "lost in transit")) == 1


async def test_server_error_before_storing_is_resent_exactly_once(
    outbox: Outbox, sandbox: Sandbox, conversation_id: str, store: Store
) -> None:
    sandbox.faults.rate_5xx = 1.0  # answered 502/503 before anything is stored
    item = outbox.enqueue("try again", conversation_id=conversation_id)
    await outbox.flush()
    assert store.outbox_get(item.id).state is OutboxState.UNKNOWN
    sandbox.faults.rate_5xx = 0.0
    await outbox.flush()
    assert store.outbox_get(item.id).state is OutboxState.SENT
    assert len(copies(sandbox, conversation_id, "try again")) == 1


# -- refused -------------------------------------------------------------------------------------


async def test_client_error_fails_with_the_reason_and_is_not_retried_alone(
    outbox: Outbox, sandbox: Sandbox, conversation_id: str, store: Store, clock: Clock
) -> None:
    item = outbox.enqueue("   ", conversation_id=conversation_id)  # the server refuses empty text
    await outbox.flush()
    failed = store.outbox_get(item.id)
    assert failed.state is OutboxState.FAILED
    assert failed.error.startswith("MSG-003")
    clock.advance(3600)
    assert await outbox.flush() == []
    assert sends(sandbox) == 1
    assert outbox.waiting() == [failed]


async def test_unknown_conversation_fails_with_the_recipient_error(outbox: Outbox, store: Store) -> None:
    item = outbox.enqueue("hello?", conversation_id="no-such-conversation")
    await outbox.flush()
    failed = store.outbox_get(item.id)
    assert failed.state is OutboxState.FAILED
    assert failed.error.startswith("CONV-001")


async def test_blocked_contact_fails_then_retry_after_start_sends_once(
    outbox: Outbox, sandbox: Sandbox, conversation_id: str, store: Store
) -> None:
    [conversation] = [c for c in sandbox.conversations() if c["id"] == conversation_id]
    number = conversation["contact"]["mobile"]["number"]
    sandbox.inject_inbound(number, "STOP")
    item = outbox.enqueue("one more offer", conversation_id=conversation_id)
    await outbox.flush()
    failed = store.outbox_get(item.id)
    assert failed.state is OutboxState.FAILED
    assert failed.error == "CONT-010: Contact has requested no further communication"
    assert copies(sandbox, conversation_id, "one more offer") == []

    # Retrying while still blocked fails again, with the same reason.
    again = outbox.retry(item.id)
    assert (again.state, again.error, again.not_before) == (OutboxState.PENDING, None, 0)
    await outbox.flush()
    assert store.outbox_get(item.id).error.startswith("CONT-010")

    sandbox.inject_inbound(number, "START")
    outbox.retry(item.id)
    await outbox.flush()
    sent = store.outbox_get(item.id)
    assert sent.state is OutboxState.SENT and sent.attempts == 3
    assert [m["id"] for m in copies(sandbox, conversation_id, "one more offer")] == [sent.message_id]


async def test_retry_makes_a_waiting_item_due_at_once(
    outbox: Outbox, sandbox: Sandbox, conversation_id: str, store: Store
) -> None:
    sandbox.faults.down = True
    item = outbox.enqueue("now please", conversation_id=conversation_id)
    await outbox.flush()
    sandbox.faults.down = False
    assert await outbox.flush() == []  # backing off
    outbox.retry(item.id)
    await outbox.flush()
    assert store.outbox_get(item.id).state is OutboxState.SENT


async def test_discard_removes_an_item_before_it_is_sent(
    outbox: Outbox, sandbox: Sandbox, conversation_id: str, store: Store, clock: Clock
) -> None:
    sandbox.faults.down = True
    keep = outbox.enqueue("keep me", conversation_id=conversation_id)
    drop = outbox.enqueue("never mind", conversation_id=conversation_id)
    await outbox.flush()
    outbox.discard(drop.id)
    assert store.outbox_get(drop.id) is None
    assert [i.id for i in outbox.waiting(conversation_id)] == [keep.id]
    sandbox.faults.down = False
    clock.advance(60)
    await outbox.flush()
    assert copies(sandbox, conversation_id, "never mind") == []
    assert len(copies(sandbox, conversation_id, "keep me")) == 1


async def test_discard_while_a_pass_is_sending_an_earlier_item(store: Store) -> None:
    """The agent discards a waiting reply while the pass is busy with an earlier one:
    the pass skips it, and goes on to the rest."""
    server = FakeServer()
    outbox = Outbox(store, server)
    first = outbox.enqueue("first", conversation_id="c1")
    second = outbox.enqueue("second", conversation_id="c1")
    third = outbox.enqueue("third", conversation_id="c1")
    server.during_send = lambda text: outbox.discard(second.id) if text == "first" else None
    await outbox.flush()
    assert [m.text for m in server.stored] == ["first", "third"]
    assert store.outbox_get(first.id).state is OutboxState.SENT
    assert store.outbox_get(third.id).state is OutboxState.SENT
    assert store.outbox_get(second.id) is None


async def test_two_passes_at_once_send_each_item_once(store: Store) -> None:
    server = FakeServer(delay=0.01)
    outbox = Outbox(store, server)
    for i in range(4):
        outbox.enqueue(f"reply {i}", conversation_id="c1")
    await asyncio.gather(outbox.flush(), outbox.flush())
    assert sorted(m.text for m in server.stored) == [f"reply {i}" for i in range(4)]
    assert {i.state for i in store.outbox_items()} == {OutboxState.SENT}


async def test_a_send_cut_short_is_unknown_not_stuck_sending(store: Store) -> None:
    server = FakeServer(outcomes=["stored_then_cancelled"])
    outbox = Outbox(store, server)
    item = outbox.enqueue("interrupted", conversation_id="c1")
    with pytest.raises(asyncio.CancelledError):
        await outbox.flush()
    assert store.outbox_get(item.id).state is OutboxState.UNKNOWN
    await outbox.flush()
    settled = store.outbox_get(item.id)
    assert settled.state is OutboxState.SENT
    assert [m.text for m in server.stored] == ["interrupted"]
    assert settled.message_id == server.stored[0].id


# -- identical texts -----------------------------------------------------------------------------


async def test_identical_texts_both_dropped_match_two_different_messages(
    outbox: Outbox, sandbox: Sandbox, conversation_id: str, store: Store
) -> None:
    sandbox.faults.rate_drop = 1.0
    a = outbox.enqueue("ok", conversation_id=conversation_id)
    b = outbox.enqueue("ok", conversation_id=conversation_id)
    await outbox.flush()
    assert {store.outbox_get(a.id).state, store.outbox_get(b.id).state} == {OutboxState.UNKNOWN}
    sandbox.faults.rate_drop = 0.0
    await outbox.flush()
    ids = {store.outbox_get(a.id).message_id, store.outbox_get(b.id).message_id}
    assert None not in ids and len(ids) == 2
    assert ids == {m["id"] for m in copies(sandbox, conversation_id, "ok")}
    assert sends(sandbox) == 2


async def test_identical_text_after_a_sent_one_is_not_matched_to_it(
    outbox: Outbox, sandbox: Sandbox, conversation_id: str, store: Store
) -> None:
    first = outbox.enqueue("thanks!", conversation_id=conversation_id)
    await outbox.flush()
    first_id = store.outbox_get(first.id).message_id
    sandbox.faults.rate_drop = 1.0
    second = outbox.enqueue("thanks!", conversation_id=conversation_id)
    await outbox.flush()
    sandbox.faults.rate_drop = 0.0
    await outbox.flush()
    second_id = store.outbox_get(second.id).message_id
    assert second_id not in (None, first_id)
    assert {first_id, second_id} == {m["id"] for m in copies(sandbox, conversation_id, "thanks!")}


async def test_identical_text_is_resent_even_once_the_first_left_the_outbox(
    outbox: Outbox, sandbox: Sandbox, transport: Interrupting, conversation_id: str, store: Store
) -> None:
    """The thread removes a sent item once the server's copy shows; a second "ok" lost on
    the way must still go out, not be taken for the first one."""
    first = outbox.enqueue("ok", conversation_id=conversation_id)
    await outbox.flush()
    first_id = store.outbox_get(first.id).message_id
    store.outbox_remove(first.id)  # as the thread view does

    transport.lose_next_send = True
    second = outbox.enqueue("ok", conversation_id=conversation_id)
    await outbox.flush()
    assert store.outbox_get(second.id).state is OutboxState.UNKNOWN
    await outbox.flush()
    resent = store.outbox_get(second.id)
    assert resent.state is OutboxState.SENT
    assert resent.message_id != first_id
    assert {first_id, resent.message_id} == {m["id"] for m in copies(sandbox, conversation_id, "ok")}


async def test_claims_survive_reopening_the_store(
    tmp_path, sandbox: Sandbox, client: SakariClient, transport: Interrupting, conversation_id: str
) -> None:
    path = tmp_path / "o.sqlite3"
    store = Store(path)
    outbox = Outbox(store, client)
    first = outbox.enqueue("see you", conversation_id=conversation_id)
    await outbox.flush()
    store.outbox_remove(first.id)
    store.close()

    store = Store(path)
    outbox = Outbox(store, client)
    transport.lose_next_send = True
    second = outbox.enqueue("see you", conversation_id=conversation_id)
    await outbox.flush()
    await outbox.flush()
    assert store.outbox_get(second.id).state is OutboxState.SENT
    assert len(copies(sandbox, conversation_id, "see you")) == 2


# -- property: whatever fails, each reply ends up on the server exactly once ------------------------


class FakeServer:
    """An in-memory messages API. Each call takes the next scripted outcome ("ok" once the
    script runs out):

    - refused:      no connection; nothing stored; NetworkError(may_have_been_sent=False)
    - limited:      429; nothing stored
    - lost_before:  timed out before the server got it; NetworkError(may_have_been_sent=True)
    - unavailable:  503 before processing; nothing stored
    - lost_after:   stored, then the connection dropped; NetworkError(may_have_been_sent=True)
    - garbled:      stored, but the answer could not be read; BadResponse
    - stored_then_cancelled: stored, then the task was cancelled while waiting for the answer
    """

    def __init__(self, outcomes: list[str] | None = None, *, delay: float = 0.0) -> None:
        self.outcomes = list(outcomes or [])
        self.stored: list[Message] = []
        self.delay = delay
        self.during_send = lambda text: None
        self._ids = itertools.count(1)
        self.messages = self  # client.messages.send / client.messages.fetch_all

    def _outcome(self) -> str:
        return self.outcomes.pop(0) if self.outcomes else "ok"

    async def send(self, template: str, *, conversations: list[str] | None = None, **_: Any) -> SendResult:
        outcome = self._outcome()
        self.during_send(template)
        if self.delay:
            await asyncio.sleep(self.delay)
        if outcome == "refused":
            raise NetworkError("could not connect", may_have_been_sent=False)
        if outcome == "limited":
            raise RateLimited(429, "RATE-001", "slow down", retry_after=3)
        if outcome == "lost_before":
            raise NetworkError("timed out", may_have_been_sent=True)
        if outcome == "unavailable":
            raise ApiError(503, "SRV-503", "unavailable")
        assert conversations, "the fake serves conversation sends only"
        message = Message(
            id=f"srv-{next(self._ids)}",
            text=template,
            outgoing=True,
            conversation_id=conversations[0],
            created=Stamp(at=datetime.now(timezone.utc)),
        )
        self.stored.append(message)
        if outcome == "lost_after":
            raise NetworkError("connection dropped", may_have_been_sent=True)
        if outcome == "garbled":
            raise BadResponse("expected JSON", status=200, excerpt="<html>")
        if outcome == "stored_then_cancelled":
            raise asyncio.CancelledError()
        return SendResult(messages=(message,), queued=1)

    async def fetch_all(
        self, offset: int = 0, limit: int = 10, *, conversation_id: str | None = None, contact_id: str | None = None
    ) -> Page[Message]:
        outcome = self._outcome()
        if outcome in ("refused", "lost_before", "lost_after"):
            raise NetworkError("no answer", may_have_been_sent=outcome != "refused")
        if outcome == "unavailable":
            raise ApiError(503, "SRV-503", "unavailable")
        if outcome == "limited":
            raise RateLimited(429, "RATE-001", "slow down", retry_after=3)
        newest_first = [m for m in reversed(self.stored) if conversation_id in (None, m.conversation_id)]
        items = tuple(newest_first[offset : offset + limit])
        return Page(items, offset, limit, len(newest_first), offset + len(items) < len(newest_first))


OUTCOMES = ["ok", "refused", "limited", "lost_before", "unavailable", "lost_after", "garbled"]
# Rounds of: the agent sends a few replies (often the same words), a pass runs, and
# maybe the thread view then drops the items the server shows.
rounds = st.lists(
    st.tuples(
        st.lists(st.tuples(st.sampled_from(["ok", "yes"]), st.sampled_from(["c1", "c1", "c2"])), max_size=2),
        st.booleans(),
    ),
    min_size=1,
    max_size=5,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rounds=rounds, outcomes=st.lists(st.sampled_from(OUTCOMES), max_size=12))
@example(rounds=[([("ok", "c1")], True), ([("ok", "c1")], False)], outcomes=["ok", "lost_before"])
@example(rounds=[([("ok", "c1"), ("ok", "c1")], False)], outcomes=["lost_after", "lost_before"])
def test_every_reply_is_stored_exactly_once_whatever_fails(
    rounds: list[tuple[list[tuple[str, str]], bool]], outcomes: list[str]
) -> None:
    asyncio.run(_run_scenario(rounds, outcomes))


async def _run_scenario(rounds: list[tuple[list[tuple[str, str]], bool]], outcomes: list[str]) -> None:
    server = FakeServer(outcomes)
    store = Store(":memory:")
    clock = Clock()
    outbox = Outbox(store, server, clock=clock)
    enqueued: list[OutboxItem] = []
    sent_ids: dict[str, str] = {}  # outbox item -> server message, remembered past forgetting

    for replies, forget_sent in rounds:
        for text, conversation_id in replies:
            enqueued.append(outbox.enqueue(text, conversation_id=conversation_id))
        await outbox.flush()
        clock.advance(100)  # past any back-off
        if forget_sent:
            for item in store.outbox_items(OutboxState.SENT):
                sent_ids[item.id] = item.message_id
                store.outbox_remove(item.id)

    for _ in range(len(outcomes) + len(enqueued) + 5):
        if not outbox.waiting():
            break
        await outbox.flush()
        clock.advance(100)  # past any back-off
    assert outbox.waiting() == [], "every reply settles once the server behaves"
    for item in store.outbox_items(OutboxState.SENT):
        sent_ids[item.id] = item.message_id

    wanted = Counter((i.conversation_id, i.text) for i in enqueued)
    stored = Counter((m.conversation_id, m.text) for m in server.stored)
    assert stored == wanted
    assert sorted(sent_ids) == sorted(i.id for i in enqueued)
    by_id = {m.id: m for m in server.stored}
    assert len(set(sent_ids.values())) == len(enqueued)  # never one server message for two replies
    for item in enqueued:
        message = by_id[sent_ids[item.id]]
        assert (message.conversation_id, message.text) == (item.conversation_id, item.text)
