"""The inbox's logic without Textual (core/inbox.py): its loops against the sandbox, what they
merge and report, paging back from the fetched run, replies from elsewhere, following a new
conversation, and how long the pollers wait."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from typing import Any

import pytest
from conftest import make_sandbox
from test_core_sync import ACCOUNT_PATH, api_requests, client_for, number_of, oldest_open

from sakari_tui.api import SakariClient
from sakari_tui.core import inbox as inbox_module
from sakari_tui.core.inbox import (
    Inbox,
    ListChange,
    NewConversation,
    OutboxChange,
    ThreadChange,
)
from sakari_tui.core.outbox import Outbox
from sakari_tui.core.store import OutboxState, Store
from sakari_tui.core.sync import THREAD_PAGE, UNFOCUSED_FACTOR, InboxSync
from sakari_tui.sandbox import Sandbox


class Recorder:
    """An ``InboxListener`` that keeps every report."""

    def __init__(self) -> None:
        self.lists: list[ListChange] = []
        self.threads: list[ThreadChange] = []
        self.outbox: list[OutboxChange] = []
        self.rate_limited: list[float | None] = []

    def inbox_list_changed(self, change: ListChange) -> None:
        self.lists.append(change)

    def inbox_thread_changed(self, change: ThreadChange) -> None:
        self.threads.append(change)

    def inbox_outbox_changed(self, change: OutboxChange) -> None:
        self.outbox.append(change)

    def inbox_rate_limited(self, retry_after: float | None) -> None:
        self.rate_limited.append(retry_after)


class Looking:
    """An ``Attention``: someone is at the terminal, or not."""

    def __init__(self, focused: bool = True, idle: float = 0.0) -> None:
        self.terminal_focused = focused
        self.idle = idle

    def idle_for(self) -> float:
        return self.idle


async def until(condition: Callable[[], Any], what: str, timeout: float = 5.0) -> Any:
    """The loops run on this event loop: give them turns until ``condition()`` holds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not (result := condition()):
        if loop.time() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        await asyncio.sleep(0.01)
    return result


class Running:
    """Loops started as tasks, cancelled at the end of the test."""

    def __init__(self) -> None:
        self.tasks: list[asyncio.Task[None]] = []

    def start(self, loop: Coroutine[Any, Any, None]) -> None:
        self.tasks.append(asyncio.ensure_future(loop))

    async def stop(self) -> None:
        for task in self.tasks:
            task.cancel()
        results = await asyncio.gather(*self.tasks, return_exceptions=True)
        for result in results:  # a loop that died of an error fails the test
            if not isinstance(result, asyncio.CancelledError):
                raise AssertionError(f"a loop ended: {result!r}")


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
def inbox(client: SakariClient, store: Store) -> Inbox:
    return Inbox(InboxSync(client, store), Outbox(store, client))


@pytest.fixture
async def running() -> AsyncIterator[Running]:
    loops = Running()
    yield loops
    await loops.stop()


def every(seconds: float) -> Callable[[], float]:
    return lambda: seconds


# -- polling the list and the open thread --------------------------------------------------


async def test_polling_merges_a_new_inbound_message_into_the_list_and_the_open_thread(
    inbox: Inbox, sandbox: Sandbox, running: Running
) -> None:
    heard = Recorder()
    target = oldest_open(sandbox)
    running.start(inbox.poll_list(heard, every(0.05), Looking()))
    await until(lambda: heard.lists, "the first list poll")
    assert inbox.order == [c["id"] for c in sandbox.conversations()]
    assert inbox.order[0] != target
    inbox.open(target)
    running.start(inbox.poll_thread(heard, every(0.05), Looking()))
    await until(lambda: heard.threads, "the first thread poll")
    assert [m.id for m in inbox.messages[target]] == [m["id"] for m in reversed(sandbox.messages(target))]
    lists_before, threads_before = len(heard.lists), len(heard.threads)

    inbound = sandbox.inject_inbound(number_of(sandbox, target), "Is the shop open today?")

    change = await until(
        lambda: next((c for c in heard.lists[lists_before:] if c.new_inbound), None), "a list poll with it"
    )
    assert [c.id for c in change.new_inbound] == [target]
    assert change.open_changed and change.fresh[0] == target
    assert inbox.order[0] == target and len(inbox.order) == len(set(inbox.order))
    listed = inbox.conversations[target].last_message
    assert listed is not None and listed.id == inbound["id"]
    # The open thread was polled at once and holds the message, once, as the newest.
    thread = await until(lambda: heard.threads[threads_before:], "a thread poll with it")
    assert thread[0].conversation_id == target and inbound["id"] in thread[0].unseen
    ids = [m.id for m in inbox.messages[target]]
    assert ids[-1] == inbound["id"] and ids.count(inbound["id"]) == 1
    # Nothing new: further polls report nothing.
    settled = len(heard.lists)
    polls = len([r for r in api_requests(sandbox) if r == ("GET", f"{ACCOUNT_PATH}/conversations")])
    await until(
        lambda: len([r for r in api_requests(sandbox) if r == ("GET", f"{ACCOUNT_PATH}/conversations")]) >= polls + 3,
        "three more list polls",
    )
    assert len(heard.lists) == settled


async def test_a_thread_poll_for_a_conversation_no_longer_open_is_not_merged(
    inbox: Inbox, sandbox: Sandbox, running: Running
) -> None:
    first, second = [c["id"] for c in sandbox.conversations()[:2]]
    inbox.open(first)
    heard = Recorder()
    sync_refresh = inbox.sync.refresh_thread

    async def slow_refresh(conversation_id: str) -> Any:
        update = await sync_refresh(conversation_id)
        if conversation_id == first:
            inbox.open(second)  # the agent moved on while the poll was out
        return update

    inbox.sync.refresh_thread = slow_refresh  # type: ignore[method-assign]
    running.start(inbox.poll_thread(heard, every(60), Looking()))
    # Opening the second asked for a poll at once: it is merged, the first's answer was not.
    await until(lambda: heard.threads, "the second conversation's poll")
    assert [c.conversation_id for c in heard.threads] == [second]
    assert inbox.messages[first] == [] and inbox.fetched_run.get(first) is None
    assert inbox.messages[second]


# -- load older -----------------------------------------------------------------------------


async def test_load_older_pages_on_from_the_fetched_run_not_from_what_the_cache_holds(
    client: SakariClient, sandbox: Sandbox, store: Store
) -> None:
    number = "+18085550142"
    for i in range(2 * THREAD_PAGE + 17):
        sandbox.inject_inbound(number, f"message {i}")
    conversation_id = sandbox.messages()[0]["conversation"]["id"]
    everything = [m["id"] for m in reversed(sandbox.messages(conversation_id))]
    assert len(everything) == 2 * THREAD_PAGE + 17
    # A previous run cached the oldest few and the newest page: a gap in between.
    earlier = InboxSync(client, store)
    await earlier.load_older(conversation_id, len(everything) - 5)
    await earlier.refresh_thread(conversation_id)
    assert len(store.messages(conversation_id)) == THREAD_PAGE + 5

    inbox = Inbox(InboxSync(client, store), Outbox(store, client))
    inbox.open(conversation_id)
    assert len(inbox.messages[conversation_id]) == THREAD_PAGE + 5  # from the cache
    assert inbox.apply_thread(await inbox.sync.refresh_thread(conversation_id)) is not None
    assert inbox.fetched_run[conversation_id] == THREAD_PAGE
    assert inbox.can_load_older(conversation_id)

    assert await inbox.load_older(conversation_id) == THREAD_PAGE
    assert inbox.fetched_run[conversation_id] == 2 * THREAD_PAGE
    assert inbox.has_older[conversation_id]
    assert await inbox.load_older(conversation_id) == 17
    assert not inbox.has_older[conversation_id] and not inbox.can_load_older(conversation_id)

    ids = [m.id for m in inbox.messages[conversation_id]]
    assert len(ids) == len(everything) and set(ids) == set(everything)  # no gap, no message twice
    times = [m.created_at for m in inbox.messages[conversation_id]]
    assert times == sorted(times)  # oldest first
    view = inbox.thread_view(conversation_id)
    assert [m.id for m, _ in view.messages] == ids and not view.has_older


async def test_find_message_loads_older_pages_until_the_message_is_there(
    inbox: Inbox, sandbox: Sandbox, running: Running
) -> None:
    number = "+18085550143"
    for i in range(THREAD_PAGE + 10):
        sandbox.inject_inbound(number, f"message {i}")
    conversation_id = sandbox.messages()[0]["conversation"]["id"]
    oldest = sandbox.messages(conversation_id)[-1]["id"]
    heard = Recorder()
    assert await inbox.fetch_conversation(conversation_id)
    assert not await inbox.fetch_conversation(conversation_id)  # known now
    inbox.open(conversation_id)
    found = await inbox.find_message(conversation_id, oldest, heard)
    assert found.found and not found.gone
    assert heard.threads and heard.threads[0].conversation_id == conversation_id  # the newest page first
    assert inbox.messages[conversation_id][0].id == oldest

    missing = await inbox.find_message(conversation_id, "no-such-message", heard)
    assert not missing.found and missing.gone


# -- replies from elsewhere -------------------------------------------------------------------


async def test_a_reply_from_elsewhere_is_reported_once_and_ours_never(
    inbox: Inbox, client: SakariClient, sandbox: Sandbox, store: Store, running: Running
) -> None:
    target = sandbox.conversations()[0]["id"]
    heard = Recorder()
    inbox.open(target)
    running.start(inbox.poll_thread(heard, every(0.05), Looking()))
    running.start(inbox.run_outbox(heard))
    await until(lambda: heard.threads, "the first thread poll")
    assert heard.threads[0].foreign == [] and inbox.foreign(target) == []

    # Our reply, through the outbox: sent, then seen in the thread, never someone else's.
    item = inbox.outbox.enqueue("We open at nine.", conversation_id=target)
    inbox.poke_outbox()
    sent = await until(lambda: (i := store.outbox_get(item.id)) and i.message_id and i, "our reply sent")
    await until(lambda: any(m.id == sent.message_id for m in inbox.messages[target]), "our reply in the thread")
    assert all(not change.foreign for change in heard.threads)
    assert inbox.foreign(target) == []

    # Another client on the same account replies.
    async with client_for(sandbox) as other:
        result = await other.messages.send("Sam here, already on it.", conversations=[target])
    theirs = result.messages[0].id
    inbox.poke_thread()
    change = await until(lambda: next((c for c in heard.threads if c.foreign), None), "the reply from elsewhere")
    assert [m.id for m in change.foreign] == [theirs]
    assert [m.id for m in inbox.foreign(target)] == [theirs]
    authors = {m.id: author for m, author in inbox.thread_view(target).messages}
    assert authors[sent.message_id] == "You"
    assert authors[theirs] != "You"
    # Told once: later polls do not report it again.
    told = len(heard.threads)
    polls = len(api_requests(sandbox))
    await until(lambda: len(api_requests(sandbox)) >= polls + 3, "more polls")
    assert all(not c.foreign for c in heard.threads[told:])

    # Once the agent replies, what came before no longer counts.
    inbox.replied(target)
    assert inbox.foreign(target) == []
    assert theirs in inbox.collisions.elsewhere  # but it keeps its label


# -- following a new conversation -------------------------------------------------------------


async def test_following_a_new_conversation_finds_it_once_its_first_message_is_sent(
    inbox: Inbox, sandbox: Sandbox, store: Store, running: Running
) -> None:
    heard = Recorder()
    running.start(inbox.poll_list(heard, every(60), Looking()))
    await until(lambda: heard.lists, "the first list poll")
    mobile = "+18085550199"
    assert not any(c["contact"]["mobile"]["number"] == mobile for c in sandbox.conversations())

    item = inbox.outbox.enqueue("Hello from the shop", mobile=mobile)
    following = asyncio.ensure_future(inbox.follow_new_conversation(item.id))
    await asyncio.sleep(0.05)
    assert not following.done()  # not sent yet
    # Sent by hand, not by the outbox loop (which would ask for a list poll itself).
    [sent] = await inbox.outbox.flush()
    assert sent.state is OutboxState.SENT and sent.message_id
    conversation_id = await asyncio.wait_for(following, 10)

    [on_server] = [c for c in sandbox.conversations() if c["contact"]["mobile"]["number"] == mobile]
    assert conversation_id == on_server["id"]
    assert [m["message"] for m in sandbox.messages(conversation_id)] == ["Hello from the shop"]
    # The list poll that shows it has been merged (the list polls every 60 s: it was asked for).
    assert conversation_id in inbox.conversations and inbox.order[0] == conversation_id
    assert store.outbox_get(item.id).state is OutboxState.SENT  # type: ignore[union-attr]


async def test_following_gives_up_on_a_reply_that_failed_or_was_discarded(inbox: Inbox, store: Store) -> None:
    failed = inbox.outbox.enqueue("to a number that does not exist", mobile="+18085550100")
    store.outbox_update(failed.id, state=OutboxState.FAILED, error="invalid number")
    assert await asyncio.wait_for(inbox.follow_new_conversation(failed.id), 5) is None
    discarded = inbox.outbox.enqueue("never mind", mobile="+18085550101")
    inbox.outbox.discard(discarded.id)
    assert await asyncio.wait_for(inbox.follow_new_conversation(discarded.id), 5) is None


# -- how long the pollers wait ------------------------------------------------------------


class Stop(Exception):
    pass


def record_waits(monkeypatch: pytest.MonkeyPatch, polls: int) -> list[float]:
    """The loops' waits, recorded instead of waited; the loop stops after ``polls`` of them."""
    delays: list[float] = []

    async def no_wait(event: asyncio.Event, delay: float) -> None:
        delays.append(delay)
        if len(delays) >= polls:
            raise Stop
        await asyncio.sleep(0)

    monkeypatch.setattr(inbox_module, "_wait", no_wait)
    return delays


async def run_until_stopped(loop: Awaitable[None]) -> None:
    with pytest.raises(Stop):
        await asyncio.wait_for(loop, 10)


async def test_a_rate_limited_poll_waits_as_long_as_the_server_asks(
    inbox: Inbox, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    heard = Recorder()
    delays = record_waits(monkeypatch, polls=3)
    sandbox.faults.rate_429 = 1.0
    sandbox.faults.retry_after = 7
    await run_until_stopped(inbox.poll_list(heard, every(0.5), Looking()))
    assert delays == [7.0, 7.0, 7.0]
    assert heard.rate_limited == [7.0, 7.0, 7.0] and heard.lists == []

    sandbox.faults.rate_429 = 0.0
    delays = record_waits(monkeypatch, polls=2)
    await run_until_stopped(inbox.poll_list(heard, every(0.5), Looking()))
    assert delays == [0.5, 0.5] and len(heard.lists) == 1


async def test_polls_slow_down_when_nobody_looks_and_an_error_keeps_the_pace(
    inbox: Inbox, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    heard = Recorder()
    inbox.open(sandbox.conversations()[0]["id"])
    delays = record_waits(monkeypatch, polls=2)
    await run_until_stopped(inbox.poll_thread(heard, every(2.0), Looking(focused=False)))
    assert delays == [2.0 * UNFOCUSED_FACTOR] * 2

    sandbox.faults.down = True  # a network error: no Retry-After, the usual pace
    delays = record_waits(monkeypatch, polls=2)
    await run_until_stopped(inbox.poll_list(heard, every(2.0), Looking()))
    assert delays == [2.0, 2.0] and heard.lists == [] and heard.rate_limited == []


async def test_the_outbox_loop_reports_what_it_sent_and_asks_for_fresh_polls(
    inbox: Inbox, sandbox: Sandbox, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    heard = Recorder()
    target = sandbox.conversations()[0]["id"]
    item = inbox.outbox.enqueue("On its way", conversation_id=target)
    delays = record_waits(monkeypatch, polls=2)
    await run_until_stopped(inbox.run_outbox(heard))
    [change] = heard.outbox
    assert [i.id for i in change.touched] == [item.id] and change.conversation_ids == {target}
    assert change.touched[0].state is OutboxState.SENT and change.failed == []
    assert inbox._list_poke.is_set() and inbox._thread_poke.is_set()
    assert delays == [inbox_module.OUTBOX_IDLE, inbox_module.OUTBOX_IDLE]  # nothing waits any more
    assert sandbox.messages(target)[0]["message"] == "On its way"


# -- rows and replies -----------------------------------------------------------------------


async def test_row_facts_count_unread_waiting_and_marked_unread(inbox: Inbox, sandbox: Sandbox, store: Store) -> None:
    page = await inbox.sync.refresh_list()
    inbox.apply_list(page)
    target = oldest_open(sandbox)
    for text in ("one", "two"):
        sandbox.inject_inbound(number_of(sandbox, target), text)
    inbox.apply_list(await inbox.sync.refresh_list())
    unread = inbox.conversations[target].unread
    assert len(unread) >= 2

    facts = inbox.row_facts([target])[target]
    assert (facts.unread, facts.waiting, facts.blocked) == (len(unread), 0, False)
    inbox.open(target)
    inbox.mark_read(target)
    assert inbox.row_facts([target])[target].unread == 0
    store.mark_unread(target)
    assert inbox.row_facts([target])[target].unread == 1  # marked: at least one

    item = inbox.reply("On its way")
    assert item is not None and item.conversation_id == target
    everything = inbox.row_facts(list(inbox.order), every=True)
    assert everything[target].waiting == 1
    assert sum(f.waiting for f in everything.values()) == 1


async def test_a_reply_goes_to_the_open_conversation_or_the_new_one_and_nowhere_else(
    inbox: Inbox, sandbox: Sandbox, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import datetime, timedelta, timezone

    from sakari_tui.core import clock

    opened_at = datetime(2026, 1, 1, 9, 0, tzinfo=timezone.utc)
    monkeypatch.setattr(clock, "now", lambda: opened_at)
    assert inbox.reply("to nobody") is None
    assert store.outbox_items() == []

    new = inbox.reply("Hello", to=NewConversation(None, "+18085550198"))
    assert new is not None and (new.mobile, new.conversation_id) == ("+18085550198", None)
    assert inbox._outbox_poke.is_set()  # sent now, not at the next pass

    target = sandbox.conversations()[0]["id"]
    inbox.open(target)
    assert inbox.collisions.since[target] == opened_at
    replied_at = opened_at + timedelta(minutes=3)
    monkeypatch.setattr(clock, "now", lambda: replied_at)
    item = inbox.reply("We open at nine.")
    assert item is not None and item.conversation_id == target
    assert inbox.collisions.since[target] == replied_at  # replies from elsewhere count from now
    assert [i.text for i in store.outbox_items()] == ["Hello", "We open at nine."]


async def test_a_rows_sender_is_you_for_ours_the_name_the_api_gives_or_someone_else(
    inbox: Inbox, client: SakariClient, sandbox: Sandbox, store: Store
) -> None:
    from sakari_tui.api import Conversation

    inbox.apply_list(await inbox.sync.refresh_list())
    first, second, third, fourth = [c["id"] for c in sandbox.conversations()[:4]]
    # History from before the app watched: labelled as the thread labels it, "You".
    history = [cid for cid in inbox.order if (last := inbox.conversations[cid].last_message) and last.outgoing]
    assert history and {inbox.row_facts(history)[cid].sender for cid in history} == {"You"}
    inbound = [cid for cid in inbox.order if cid not in history]
    assert all(inbox.row_facts(inbound)[cid].sender is None for cid in inbound)

    inbox.open(first)
    assert inbox.reply("Ours") is not None
    await inbox.outbox.flush()
    async with client_for(sandbox) as other:
        await other.messages.send("Theirs", conversations=[second])
    # A campaign or integration that the API names (``created.by``).
    body = next(c for c in sandbox.conversations() if c["id"] == third)
    named = Conversation.from_json(
        {**body, "lastMessage": {**body["lastMessage"], "id": "named-1", "outgoing": True, "message": "Sale!",
                                 "created": {**body["lastMessage"]["created"], "by": {"source": "Spring campaign"}}}}
    )  # fmt: skip
    update = await inbox.sync.refresh_list()
    update.conversations = [named if c.id == third else c for c in update.conversations]
    update.changed.add(third)
    inbox.apply_list(update)

    facts = inbox.row_facts([first, second, third, fourth])
    assert facts[first].sender == "You"
    assert facts[second].sender == "Someone else"
    assert facts[third].sender == "Spring campaign"
    # A reply of ours still on its way (no server id yet) is not taken for someone else's.
    on_the_way = inbox.outbox.enqueue("Also ours", conversation_id=fourth)
    async with client_for(sandbox) as same_account:
        await same_account.messages.send("Also ours", conversations=[fourth])
    inbox.apply_list(await inbox.sync.refresh_list())
    assert inbox.row_facts([fourth])[fourth].sender == "You"
    assert store.outbox_get(on_the_way.id).message_id is None  # type: ignore[union-attr]


async def test_a_contacts_opt_out_is_fetched_and_redraws_only_when_it_changed(inbox: Inbox, sandbox: Sandbox) -> None:
    inbox.apply_list(await inbox.sync.refresh_list())
    target = sandbox.conversations()[0]["id"]
    contact = inbox.conversations[target].contact
    assert contact is not None and contact.id and contact.mobile
    assert await inbox.fetch_contact(contact.id) == [target]  # first read: its rows are drawn with it
    assert await inbox.fetch_contact(contact.id) == []  # nothing changed
    assert inbox.row_facts([target])[target].blocked is False

    sandbox.inject_inbound(contact.mobile.number or "", "STOP")
    assert await inbox.fetch_contact(contact.id) == [target]
    assert inbox.row_facts([target])[target].blocked is True
    full = inbox.full_contact(inbox.conversations[target].contact)
    assert full is not None and full.blocked

    sandbox.faults.down = True
    assert await inbox.fetch_contact(contact.id) is None  # not read: the copy held stays
    assert inbox.row_facts([target])[target].blocked is True


async def test_closing_and_finding_the_open_conversation_with_a_number(inbox: Inbox, sandbox: Sandbox) -> None:
    inbox.apply_list(await inbox.sync.refresh_list())
    target = sandbox.conversations()[0]["id"]
    number = number_of(sandbox, target)
    assert inbox.conversation_with(number) == target
    assert inbox.conversation_with("+18085550111") is None

    await inbox.close(target)
    assert inbox.conversations[target].closed
    assert next(c for c in sandbox.conversations() if c["id"] == target)["closed"]
    assert inbox._list_poke.is_set()  # the list is polled again now
    assert inbox.conversation_with(number) is None  # a closed conversation is not continued


async def test_a_bulk_send_from_this_app_is_ours_in_the_list_the_thread_and_no_collision(
    inbox: Inbox, sandbox: Sandbox, store: Store
) -> None:
    """A bulk send or campaign run has no outbox item: its messages are known by the
    template recorded before it went, placeholders filled in, around that time."""
    inbox.apply_list(await inbox.sync.refresh_list())
    first, second, third = [c["id"] for c in sandbox.conversations()[:3]]
    inbox.open(first)
    inbox.apply_thread(await inbox.sync.refresh_thread(first))
    template = "Hi {{firstName}}, the spring menu starts on Monday."
    store.record_bulk_send(template)
    async with client_for(sandbox) as same_account:
        summary = await same_account.messages.send_bulk(template, conversations=[first, second])
        # The same words from another client, not recorded here: someone else's.
        await same_account.messages.send("Spring menu on Monday, says Sam.", conversations=[third])
    assert summary.queued == 2
    texts = [m["message"] for m in sandbox.messages(conversation_id=first)[:1]]
    assert "{{" not in texts[0] and texts[0].endswith("the spring menu starts on Monday.")

    inbox.apply_list(await inbox.sync.refresh_list())
    inbox.apply_thread(await inbox.sync.refresh_thread(first))
    facts = inbox.row_facts([first, second, third])
    assert facts[first].sender == facts[second].sender == "You"
    assert facts[third].sender == "Someone else"
    assert inbox.foreign(first) == []  # no "someone else replied" for the agent's own bulk send
    authors = {m.text: author for m, author in inbox.thread_view(first).messages}
    assert authors[texts[0]] == "You"


async def test_a_bulk_send_long_ago_or_with_other_words_does_not_make_a_message_ours(
    inbox: Inbox, sandbox: Sandbox, store: Store
) -> None:
    import time

    inbox.apply_list(await inbox.sync.refresh_list())
    first, second = [c["id"] for c in sandbox.conversations()[:2]]
    store.record_bulk_send("Hi {{firstName}}, the spring menu starts on Monday.", at=time.time() - 2 * 3600)
    store.record_bulk_send("Closed for the holiday.")
    async with client_for(sandbox) as same_account:
        await same_account.messages.send("Hi Ana, the spring menu starts on Monday.", conversations=[first])
        await same_account.messages.send("Closed for the holiday. Back on the 5th.", conversations=[second])
    inbox.apply_list(await inbox.sync.refresh_list())
    facts = inbox.row_facts([first, second])
    assert facts[first].sender == facts[second].sender == "Someone else"
