"""Polling the inbox: one request per poll, and updates that say exactly what changed."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime, timezone

import httpx
import pytest
from conftest import make_sandbox

from sakari_tui.api import (
    Conversation,
    Message,
    MessageStatus,
    RateLimited,
    RetryPolicy,
    SakariClient,
    Stamp,
)
from sakari_tui.core.store import Store
from sakari_tui.core.sync import (
    IDLE_AFTER,
    LIST_PAGE,
    THREAD_PAGE,
    InboxSync,
    ListUpdate,
    ThreadUpdate,
    is_settled,
    oldest_first,
    poll_delay,
    retry_after_of,
)
from sakari_tui.sandbox import Sandbox

FAST_RETRY = RetryPolicy(max_attempts=3, base_delay=0.001, max_delay=0.01, max_total=1.0)
ACCOUNT_PATH = "/v1/accounts/demo-account"


def api_requests(sandbox: Sandbox) -> list[tuple[str, str]]:
    """Requests to the account's API, leaving out token exchanges."""
    return [r for r in sandbox.requests if r[1].startswith(ACCOUNT_PATH)]


def client_for(sandbox: Sandbox) -> SakariClient:
    return SakariClient(
        client_id="demo-client",
        client_secret="demo-secret",
        account_id="demo-account",
        api_url="http://sandbox.invalid",
        transport=httpx.ASGITransport(app=sandbox.app),
        retry=FAST_RETRY,
    )


@pytest.fixture
def sandbox() -> Sandbox:
    return make_sandbox(contacts=10, conversations=6)


@pytest.fixture
async def client(sandbox: Sandbox) -> AsyncIterator[SakariClient]:
    async with client_for(sandbox) as client:
        yield client


@pytest.fixture
def store() -> Store:
    return Store(":memory:")


@pytest.fixture
def sync(client: SakariClient, store: Store) -> InboxSync:
    return InboxSync(client, store)


def oldest_open(sandbox: Sandbox) -> str:
    """The open conversation lowest in the list (an inbound message to a closed one opens a new one)."""
    return [c["id"] for c in sandbox.conversations() if not c["closed"]][-1]


def number_of(sandbox: Sandbox, conversation_id: str) -> str:
    [conversation] = [c for c in sandbox.conversations() if c["id"] == conversation_id]
    return conversation["contact"]["mobile"]["number"]


# -- the list ----------------------------------------------------------------------------------


async def test_one_request_per_list_poll_whatever_the_number_of_conversations() -> None:
    sandbox = make_sandbox(conversations=300)
    async with client_for(sandbox) as client:
        sync = InboxSync(client, Store(":memory:"))
        for _ in range(3):
            before = len(api_requests(sandbox))
            update = await sync.refresh_list()
            made = api_requests(sandbox)[before:]
            assert made == [("GET", f"{ACCOUNT_PATH}/conversations")]
        assert len(update.conversations) == LIST_PAGE
        assert [c.id for c in update.conversations] == [c["id"] for c in sandbox.conversations()[:LIST_PAGE]]


async def test_first_poll_reports_everything_then_an_unchanged_poll_is_empty(
    sync: InboxSync, sandbox: Sandbox, store: Store
) -> None:
    first = await sync.refresh_list()
    ids = [c["id"] for c in sandbox.conversations()]
    assert first.first and not first.is_empty
    assert [c.id for c in first.conversations] == ids
    assert first.changed == set(ids)
    assert first.new_inbound == []  # nothing is "new" on the first poll
    assert [c["id"] for c in store.conversations()] == ids  # cached, in the same order

    second = await sync.refresh_list()
    assert second.is_empty
    assert (second.changed, second.new_inbound, second.order_changed, second.first) == (set(), [], False, False)
    assert [c.id for c in second.conversations] == ids


async def test_inbound_message_is_changed_and_new_exactly_once(sync: InboxSync, sandbox: Sandbox, store: Store) -> None:
    await sync.refresh_list()
    oldest = oldest_open(sandbox)
    assert sandbox.conversations()[0]["id"] != oldest
    inbound = sandbox.inject_inbound(number_of(sandbox, oldest), "Is the shop open today?")

    update = await sync.refresh_list()
    assert update.changed == {oldest}
    assert [c.id for c in update.new_inbound] == [oldest]
    assert inbound["conversation"]["id"] == oldest
    assert update.new_inbound[0].last_message.id == inbound["id"]
    assert update.order_changed and update.conversations[0].id == oldest
    assert not update.is_empty
    cached = store.conversations()
    assert cached[0]["id"] == oldest and cached[0]["lastMessage"]["id"] == inbound["id"]

    again = await sync.refresh_list()
    assert again.is_empty and again.new_inbound == []


async def test_a_new_customer_is_new_inbound(sync: InboxSync, sandbox: Sandbox) -> None:
    await sync.refresh_list()
    sandbox.inject_inbound("+18085550177", "Hello, do you deliver?")
    update = await sync.refresh_list()
    [new] = update.new_inbound
    assert new.contact.mobile.number == "+18085550177"
    assert update.changed == {new.id}
    assert update.conversations[0].id == new.id


async def test_two_inbound_messages_between_polls_count_once(sync: InboxSync, sandbox: Sandbox) -> None:
    await sync.refresh_list()
    target = sandbox.conversations()[2]["id"]
    sandbox.inject_inbound(number_of(sandbox, target), "one")
    sandbox.inject_inbound(number_of(sandbox, target), "two")
    update = await sync.refresh_list()
    assert [c.id for c in update.new_inbound] == [target]
    assert update.new_inbound[0].last_message.text == "two"


async def test_our_own_reply_changes_the_row_but_is_not_new_inbound(
    sync: InboxSync, client: SakariClient, sandbox: Sandbox
) -> None:
    await sync.refresh_list()
    target = sandbox.conversations()[3]["id"]
    await client.messages.send("We open at nine.", conversations=[target])
    update = await sync.refresh_list()
    assert target in update.changed
    assert update.new_inbound == []
    row = next(c for c in update.conversations if c.id == target)
    assert row.last_message.outgoing and row.last_message.text == "We open at nine."


async def test_closing_a_conversation_changes_its_row(sync: InboxSync, client: SakariClient, sandbox: Sandbox) -> None:
    await sync.refresh_list()
    target = sandbox.conversations()[1]["id"]
    await client.conversations.close(target)
    update = await sync.refresh_list()
    assert update.changed == {target}
    assert update.new_inbound == []


async def test_seeded_from_the_cache_the_first_poll_reports_only_real_changes(
    client: SakariClient, sandbox: Sandbox, store: Store
) -> None:
    # A previous run filled the cache.
    await InboxSync(client, store).refresh_list()

    restarted = InboxSync(client, store)
    restarted.seed_from_cache([Conversation.from_json(body) for body in store.conversations()])
    update = await restarted.refresh_list()
    assert not update.first
    assert update.changed == set() and update.new_inbound == []
    assert update.is_empty


async def test_seeded_from_the_cache_a_customer_who_wrote_meanwhile_is_new(
    client: SakariClient, sandbox: Sandbox, store: Store
) -> None:
    await InboxSync(client, store).refresh_list()
    target = oldest_open(sandbox)
    sandbox.inject_inbound(number_of(sandbox, target), "Wrote while you were away")

    restarted = InboxSync(client, store)
    restarted.seed_from_cache([Conversation.from_json(body) for body in store.conversations()])
    update = await restarted.refresh_list()
    assert update.changed == {target}
    assert [c.id for c in update.new_inbound] == [target]


async def test_seeded_with_an_empty_cache_the_first_poll_is_still_first(sync: InboxSync) -> None:
    sync.seed_from_cache([])
    update = await sync.refresh_list()
    assert update.first and update.new_inbound == []


# -- a thread ----------------------------------------------------------------------------------


async def test_thread_poll_one_request_and_empty_when_nothing_changed(
    sync: InboxSync, sandbox: Sandbox, store: Store
) -> None:
    target = sandbox.conversations()[0]["id"]
    before = len(api_requests(sandbox))
    first = await sync.refresh_thread(target)
    assert api_requests(sandbox)[before:] == [("GET", f"{ACCOUNT_PATH}/messages")]
    expected = [m["id"] for m in reversed(sandbox.messages(target))]
    assert [m.id for m in first.messages] == expected  # oldest first
    assert first.changed == set(expected) and not first.has_older
    assert [m["id"] for m in store.messages(target)] == expected

    before = len(api_requests(sandbox))
    second = await sync.refresh_thread(target)
    assert len(api_requests(sandbox)) == before + 1
    assert second.is_empty and second.changed == set()
    assert [m.id for m in second.messages] == expected


async def test_thread_poll_reports_a_new_message_and_its_status_changes(store: Store) -> None:
    sandbox = make_sandbox(contacts=4, conversations=2, status_step=0.25)
    async with client_for(sandbox) as client:
        sync = InboxSync(client, store)
        target = sandbox.conversations()[0]["id"]
        await sync.refresh_thread(target)

        result = await client.messages.send("On its way", conversations=[target])
        sent_id = result.messages[0].id
        update = await sync.refresh_thread(target)
        assert update.changed == {sent_id}
        assert update.messages[-1].id == sent_id
        assert update.messages[-1].status is MessageStatus.QUEUED

        await asyncio.sleep(0.55)
        update = await sync.refresh_thread(target)
        assert update.changed == {sent_id}
        assert update.messages[-1].status is MessageStatus.DELIVERED
        assert store.messages(target)[-1]["status"] == "Delivered"

        assert (await sync.refresh_thread(target)).is_empty


async def test_forgetting_a_thread_reports_it_whole_again(sync: InboxSync, sandbox: Sandbox) -> None:
    target = sandbox.conversations()[0]["id"]
    first = await sync.refresh_thread(target)
    sync.forget_thread(target)
    again = await sync.refresh_thread(target)
    assert again.changed == first.changed and again.changed


async def test_load_older_pages_back_to_the_first_message(sync: InboxSync, sandbox: Sandbox, store: Store) -> None:
    number = "+18085550142"
    for i in range(2 * THREAD_PAGE + 17):
        sandbox.inject_inbound(number, f"message {i}")
    conversation_id = sandbox.messages()[0]["conversation"]["id"]
    everything = [m["id"] for m in reversed(sandbox.messages(conversation_id))]
    assert len(everything) == 2 * THREAD_PAGE + 17

    newest = await sync.refresh_thread(conversation_id)
    assert newest.has_older
    assert [m.id for m in newest.messages] == everything[-THREAD_PAGE:]

    loaded = [m.id for m in newest.messages]
    pages = 0
    has_next = True
    while has_next:
        before = len(api_requests(sandbox))
        older, has_next = await sync.load_older(conversation_id, len(loaded))
        assert len(api_requests(sandbox)) == before + 1
        assert older, "a page is never empty while there is more"
        loaded = [m.id for m in older] + loaded
        pages += 1
    assert pages == 2
    assert loaded == everything
    assert [m.text for m in older][:2] == ["message 0", "message 1"]
    assert sorted(m["id"] for m in store.messages(conversation_id)) == sorted(everything)

    # Older pages are known now: the next poll of the newest page changes nothing.
    assert (await sync.refresh_thread(conversation_id)).is_empty


async def test_cached_thread_keeps_the_server_order_of_same_millisecond_messages(
    sync: InboxSync, sandbox: Sandbox, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The newest page is saved before the older one, and a later poll brings one more
    message of the same millisecond: the cache lists them all as the server does."""
    from sakari_tui.sandbox import messaging

    frozen = messaging.now()
    monkeypatch.setattr(messaging, "now", lambda: frozen)
    number = "+18085550143"
    for i in range(THREAD_PAGE + 3):
        sandbox.inject_inbound(number, f"message {i}")
    conversation_id = sandbox.messages()[0]["conversation"]["id"]

    def server_order() -> list[str]:
        return [m["id"] for m in reversed(sandbox.messages(conversation_id))]

    assert len({m["created"]["at"] for m in sandbox.messages(conversation_id)}) == 1
    newest = await sync.refresh_thread(conversation_id)
    await sync.load_older(conversation_id, len(newest.messages))
    assert [m["id"] for m in store.messages(conversation_id)] == server_order()

    sandbox.inject_inbound(number, "one more, same millisecond")
    await sync.refresh_thread(conversation_id)
    assert [m["id"] for m in store.messages(conversation_id)] == server_order()
    assert store.messages(conversation_id)[-1]["message"] == "one more, same millisecond"


# -- helpers -----------------------------------------------------------------------------------


def test_poll_delay_rules() -> None:
    assert poll_delay(5) == 5
    assert poll_delay(5, focused=False) == 15
    assert poll_delay(5, idle_for=IDLE_AFTER - 1) == 5
    assert poll_delay(5, idle_for=IDLE_AFTER) == 15
    assert poll_delay(5, focused=False, idle_for=IDLE_AFTER * 2) == 45
    assert poll_delay(5, retry_after=30) == 30  # the server's wait wins when longer
    assert poll_delay(5, retry_after=1) == 5  # but never shortens the interval
    assert poll_delay(5, focused=False, retry_after=10) == 15
    assert poll_delay(5, retry_after=0) == 5


def test_update_emptiness() -> None:
    assert ListUpdate([]).is_empty
    assert not ListUpdate([], first=True).is_empty
    assert not ListUpdate([], order_changed=True).is_empty
    assert not ListUpdate([], changed={"a"}).is_empty
    assert ThreadUpdate("c", []).is_empty
    assert not ThreadUpdate("c", [], changed={"m"}).is_empty


def _message(mid: str, at: datetime | None, status: MessageStatus = MessageStatus.DELIVERED) -> Message:
    return Message(id=mid, status=status, created=Stamp(at=at) if at else None)


def test_oldest_first_keeps_server_order_for_the_same_instant_and_drops_ids_missing() -> None:
    t0 = datetime(2026, 11, 27, 8, 0, tzinfo=timezone.utc)
    t1 = datetime(2026, 11, 27, 8, 1, tzinfo=timezone.utc)
    newest_first = [_message("c", t1), _message("b", t0), _message("a", t0), Message(id=None), _message("z", None)]
    assert [m.id for m in oldest_first(newest_first)] == ["a", "b", "c", "z"]


def test_settled_statuses_and_retry_after() -> None:
    assert is_settled(_message("m", None, MessageStatus.DELIVERED))
    assert is_settled(_message("m", None, MessageStatus.ERROR))
    assert is_settled(_message("m", None, MessageStatus.RECEIVED))
    assert not is_settled(_message("m", None, MessageStatus.QUEUED))
    assert not is_settled(_message("m", None, MessageStatus.SENT))
    assert retry_after_of(RateLimited(retry_after=12)) == 12
    assert retry_after_of(ValueError()) is None
