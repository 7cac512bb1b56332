"""The local store: cache round trips and order, drafts, read markers, the outbox table."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sakari_tui.core.store import OutboxState, Store, database_path


@pytest.fixture
def store(tmp_path: Path) -> Store:
    db = Store(tmp_path / "profile.sqlite3")
    yield db
    db.close()


def conversation(cid: str, at: str | None = None, *, updated: str | None = None, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"id": cid, "contact": {"id": f"contact-{cid}", "firstName": cid.upper()}, **extra}
    if at is not None:
        body["lastMessage"] = {"id": f"m-{cid}", "message": f"last of {cid}", "created": {"at": at}}
    if updated is not None:
        body["updated"] = {"at": updated}
    return body


def message(mid: str, conversation_id: str, at: str, text: str | None = None) -> dict[str, Any]:
    return {
        "id": mid,
        "conversation": {"id": conversation_id},
        "contact": {"id": "c1"},
        "message": text or f"text of {mid}",
        "outgoing": False,
        "created": {"at": at},
    }


# -- cache -------------------------------------------------------------------------------


def test_conversations_round_trip_as_json(store: Store) -> None:
    body = conversation(
        "a",
        "2026-11-18T10:00:00.000Z",
        unread=["m-a"],
        closed=False,
        phoneNumber={"number": "+17735550100", "country": "US"},
        somethingNew={"nested": [1, 2.5, None, "é😀"]},
    )
    store.save_conversations([body])
    assert store.conversations() == [body]


def test_conversations_newest_first_across_timestamp_formats(store: Store) -> None:
    # True UTC instants, newest first:
    #   e  10:00:00.900Z        (milliseconds)
    #   b  10:00:00.5+00:00     (same second, earlier fraction)
    #   d  15:29:59+05:30   ->  09:59:59Z   (string-wise it would sort first)
    #   a  09:59:00Z            (no fraction)
    #   c  2026-11-17T23:00:00-02:00 -> 2026-11-18T01:00:00Z
    #   f  no lastMessage, updated 00:30Z
    saved = [
        conversation("a", "2026-11-18T09:59:00Z"),
        conversation("b", "2026-11-18T10:00:00.5+00:00"),
        conversation("c", "2026-11-17T23:00:00-02:00"),
        conversation("d", "2026-11-18T15:29:59+05:30"),
        conversation("e", "2026-11-18T10:00:00.900Z"),
        conversation("f", updated="2026-11-18T00:30:00.000Z"),
    ]
    store.save_conversations(saved)
    assert [c["id"] for c in store.conversations()] == ["e", "b", "d", "a", "c", "f"]
    assert [c["id"] for c in store.conversations(limit=2)] == ["e", "b"]


def test_saving_a_conversation_again_updates_it_and_its_place(store: Store) -> None:
    store.save_conversations([conversation("a", "2026-11-18T09:00:00Z"), conversation("b", "2026-11-18T10:00:00Z")])
    assert [c["id"] for c in store.conversations()] == ["b", "a"]
    newer = conversation("a", "2026-11-18T16:00:00+05:30")  # 10:30Z: now the newest
    newer["lastMessage"]["message"] = "a new reply"
    store.save_conversations([newer])
    rows = store.conversations()
    assert [c["id"] for c in rows] == ["a", "b"]
    assert rows[0]["lastMessage"]["message"] == "a new reply"
    assert len(rows) == 2


def test_items_without_id_are_skipped(store: Store) -> None:
    store.save_conversations([{"contact": {"id": "x"}}, conversation("a", "2026-11-18T09:00:00Z")])
    store.save_messages([{"message": "no id", "conversation": {"id": "a"}, "created": {"at": "2026-11-18T09:00:00Z"}}])
    store.save_contacts([{"firstName": "nobody"}])
    assert [c["id"] for c in store.conversations()] == ["a"]
    assert store.messages("a") == []


def test_messages_oldest_first_and_limit_keeps_the_newest(store: Store) -> None:
    stamps = [
        ("m1", "2026-11-18T08:00:00Z"),
        ("m2", "2026-11-18T13:31:00+05:30"),  # 08:01Z
        ("m3", "2026-11-18T08:02:00.250+00:00"),
        ("m4", "2026-11-18T08:02:00.300Z"),
        ("m5", "2026-11-18T08:03:00.000Z"),
    ]
    # Saved out of order, with another conversation's messages mixed in.
    store.save_messages([message(mid, "conv", at) for mid, at in reversed(stamps)])
    store.save_messages([message("other", "conv2", "2026-11-18T09:00:00Z")])
    assert [m["id"] for m in store.messages("conv")] == ["m1", "m2", "m3", "m4", "m5"]
    assert [m["id"] for m in store.messages("conv", limit=2)] == ["m4", "m5"]
    assert [m["id"] for m in store.messages("conv", limit=10)] == ["m1", "m2", "m3", "m4", "m5"]
    assert [m["id"] for m in store.messages("conv2")] == ["other"]
    assert store.messages("nope") == []


def test_messages_of_the_same_instant_keep_the_order_they_were_saved_in(store: Store) -> None:
    same = "2026-11-18T08:00:00.000Z"
    store.save_messages([message("x1", "conv", same), message("x2", "conv", same), message("x3", "conv", same)])
    assert [m["id"] for m in store.messages("conv")] == ["x1", "x2", "x3"]
    assert [m["id"] for m in store.messages("conv", limit=2)] == ["x2", "x3"]


def test_message_saved_again_is_updated_not_duplicated(store: Store) -> None:
    first = message("m1", "conv", "2026-11-18T08:00:00Z")
    first["status"] = "Queued"
    store.save_messages([first])
    store.save_messages([{**first, "status": "Delivered"}])
    rows = store.messages("conv")
    assert len(rows) == 1 and rows[0]["status"] == "Delivered"
    assert rows[0] == {**first, "status": "Delivered"}


# Messages of the same millisecond: the cache keeps the order the server lists them in,
# whichever page or poll each was saved from.

SAME = "2026-11-18T08:00:00.000Z"


def save_server_page(
    store: Store, history: list[dict[str, Any]], offset: int, limit: int, *, total: bool = True
) -> None:
    """Save what ``messages.fetchAll`` lists for a conversation whose messages, oldest first,
    are ``history``: newest first from ``offset``, as the sandbox does."""
    newest_first = history[::-1]
    items = newest_first[offset : offset + limit]
    store.save_page(
        items,
        offset=offset,
        total=len(history) if total else None,
        has_next=offset + len(items) < len(history),
    )


def ids(rows: list[dict[str, Any]]) -> list[str]:
    return [row["id"] for row in rows]


@pytest.mark.parametrize("newest_page_first", [True, False], ids=["newest-page-first", "older-page-first"])
def test_same_instant_messages_split_across_pages_keep_the_server_order(store: Store, newest_page_first: bool) -> None:
    history = [
        message("before", "conv", "2026-11-18T07:59:00.000Z"),
        *(message(f"x{i}", "conv", SAME) for i in range(1, 5)),
        message("after", "conv", "2026-11-18T08:01:00.000Z"),
    ]
    # Pages of 3, newest first: [after, x4, x3] and [x2, x1, before].
    offsets = [0, 3] if newest_page_first else [3, 0]
    for offset in offsets:
        save_server_page(store, history, offset, 3)
    assert ids(store.messages("conv")) == ["before", "x1", "x2", "x3", "x4", "after"]
    assert ids(store.messages("conv", limit=3)) == ["x3", "x4", "after"]


def test_a_same_instant_message_from_a_later_poll_is_the_newest(store: Store) -> None:
    history = [message(f"x{i}", "conv", SAME) for i in range(1, 6)]
    save_server_page(store, history, 0, 2)  # x5, x4
    save_server_page(store, history, 2, 2)  # x3, x2
    history.append(message("x6", "conv", SAME))
    save_server_page(store, history, 0, 2)  # the next poll: x6, x5
    save_server_page(store, history, 4, 2)  # loading older, every offset moved by one: x2, x1
    assert ids(store.messages("conv")) == ["x1", "x2", "x3", "x4", "x5", "x6"]
    # A status change saved again does not move a message.
    history[2] = {**history[2], "status": "Delivered"}
    save_server_page(store, history, 3, 1)
    assert ids(store.messages("conv")) == ["x1", "x2", "x3", "x4", "x5", "x6"]
    assert store.messages("conv")[2]["status"] == "Delivered"


def test_without_total_count_the_last_page_and_known_messages_give_the_places(store: Store) -> None:
    history = [message(f"x{i}", "conv", SAME) for i in range(1, 6)]
    save_server_page(store, history, 3, 3, total=False)  # x2, x1: the end of the list
    save_server_page(store, history, 1, 3, total=False)  # x4, x3, x2: x2's place is known
    save_server_page(store, history, 0, 2, total=False)  # x5, x4
    assert ids(store.messages("conv")) == ["x1", "x2", "x3", "x4", "x5"]


def test_a_page_of_mixed_conversations_gives_no_places_and_sorts_as_saved(store: Store) -> None:
    page = [message("b2", "b", SAME), message("a1", "a", SAME), message("b1", "b", SAME)]
    store.save_page(page, offset=0, total=3, has_next=False)
    assert ids(store.messages("b")) == ["b1", "b2"]
    assert ids(store.messages("a")) == ["a1"]


@settings(max_examples=150, deadline=None)
@given(
    steps=st.lists(
        st.one_of(
            st.tuples(st.just("arrive"), st.sampled_from([0, 0, 1])),  # ms after the previous message
            st.tuples(st.just("page"), st.integers(0, 12), st.integers(1, 5)),  # offset, limit
        ),
        max_size=40,
    )
)
def test_cache_order_is_the_server_order_whatever_pages_are_saved_when(steps: list[tuple[Any, ...]]) -> None:
    store = Store(":memory:")
    history: list[dict[str, Any]] = []
    saved: set[str] = set()
    for step in steps:
        if step[0] == "arrive":
            ms = (len(history) and int(history[-1]["created"]["at"][20:23])) + step[1]
            history.append(message(f"m{len(history)}", "conv", f"2026-11-18T08:00:00.{ms:03d}Z"))
        else:
            _, offset, limit = step
            save_server_page(store, history, offset, limit)
            saved.update(m["id"] for m in history[::-1][offset : offset + limit])
    assert ids(store.messages("conv")) == [m["id"] for m in history if m["id"] in saved]
    store.close()


def test_a_cache_from_before_message_places_opens_and_orders_new_pages(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    old = sqlite3.connect(path)
    old.executescript(
        """
        CREATE TABLE messages (id TEXT PRIMARY KEY, conversation_id TEXT, contact_id TEXT,
                               created TEXT NOT NULL, body TEXT NOT NULL);
        CREATE INDEX messages_by_conversation ON messages(conversation_id, created);
        PRAGMA user_version=2;
        """
    )
    old.execute(
        "INSERT INTO messages VALUES ('x1', 'conv', 'c1', '2026-11-18T08:00:00.000000+00:00', ?)",
        ('{"id": "x1", "conversation": {"id": "conv"}, "created": {"at": "2026-11-18T08:00:00.000Z"}}',),
    )
    old.commit()
    old.close()

    store = Store(path)
    try:
        assert ids(store.messages("conv")) == ["x1"]
        history = [message("x1", "conv", SAME), message("x2", "conv", SAME), message("x3", "conv", SAME)]
        save_server_page(store, history, 0, 1)  # x3, with its place; x1 has none yet
        assert ids(store.messages("conv")) == ["x1", "x3"]
        save_server_page(store, history, 1, 2)  # x2, x1
        assert ids(store.messages("conv")) == ["x1", "x2", "x3"]
    finally:
        store.close()
    reopened = Store(path)
    try:
        assert ids(reopened.messages("conv")) == ["x1", "x2", "x3"]
    finally:
        reopened.close()


def test_contacts_round_trip(store: Store) -> None:
    contact = {"id": "c1", "firstName": "Ada", "mobile": {"number": "+15125550100"}, "attributes": {"vip": True}}
    store.save_contacts([contact])
    assert store.contact("c1") == contact
    store.save_contacts([{**contact, "firstName": "Ada L."}])
    assert store.contact("c1")["firstName"] == "Ada L."
    assert store.contact("missing") is None


# -- drafts ------------------------------------------------------------------------------


def test_drafts_saved_replaced_cleared_and_kept_across_reopening(tmp_path: Path) -> None:
    path = tmp_path / "d.sqlite3"
    store = Store(path)
    assert store.draft("conv") == ""
    store.save_draft("conv", "Hello")
    store.save_draft("conv", "Hello there\nsecond line 😀")
    store.save_draft("other", "kept")
    store.save_draft("cleared", "soon gone")
    store.save_draft("cleared", "")
    assert store.draft("conv") == "Hello there\nsecond line 😀"
    store.close()

    reopened = Store(path)
    assert reopened.draft("conv") == "Hello there\nsecond line 😀"
    assert reopened.draft("other") == "kept"
    assert reopened.draft("cleared") == ""
    reopened.save_draft("conv", "")
    reopened.close()
    assert Store(path).draft("conv") == ""


def test_profile_paths_are_safe_and_distinct(tmp_path: Path) -> None:
    evil = database_path(tmp_path, "../../etc/passwd")
    assert evil.parent == tmp_path / "profiles"
    assert "/" not in evil.name
    assert database_path(tmp_path, "").name == "default.sqlite3"
    a = Store.for_profile(tmp_path, "work")
    b = Store.for_profile(tmp_path, "home")
    a.save_draft("conv", "work draft")
    assert b.draft("conv") == ""
    assert Store.for_profile(tmp_path, "work").draft("conv") == "work draft"


# -- read markers ------------------------------------------------------------------------


def test_read_markers_accumulate_and_mark_unread_sticks_until_read(store: Store) -> None:
    assert store.read_ids("conv") == set()
    store.mark_read("conv", ["m1", "m2"])
    store.mark_read("conv", ["m2", "m3"])
    assert store.read_ids("conv") == {"m1", "m2", "m3"}
    assert store.all_read_state() == {"conv": ({"m1", "m2", "m3"}, False)}

    store.mark_unread("conv")
    assert store.all_read_state()["conv"] == ({"m1", "m2", "m3"}, True)  # the ids stay
    store.mark_unread("fresh")  # a conversation never read before
    assert store.all_read_state()["fresh"] == (set(), True)

    store.mark_read("conv", [])  # opening it again clears the mark
    assert store.all_read_state()["conv"] == ({"m1", "m2", "m3"}, False)
    assert store.all_read_state()["fresh"] == (set(), True)


# -- outbox ------------------------------------------------------------------------------


def test_outbox_add_get_update_and_remove(store: Store) -> None:
    before = time.time()
    item = store.outbox_add("hello", conversation_id="conv")
    assert item.state is OutboxState.PENDING
    assert (item.text, item.conversation_id, item.contact_id, item.mobile) == ("hello", "conv", None, None)
    assert item.attempts == 0 and item.error is None and item.message_id is None and item.not_before == 0
    assert before <= item.created <= item.updated <= time.time()
    assert store.outbox_get(item.id) == item

    updated = store.outbox_update(item.id, state=OutboxState.FAILED, attempts=2, error="CONT-010: no", not_before=5.0)
    assert updated.state is OutboxState.FAILED
    assert (updated.attempts, updated.error, updated.not_before) == (2, "CONT-010: no", 5.0)
    assert updated.created == item.created and updated.updated >= item.updated
    assert store.outbox_get(item.id) == updated

    with pytest.raises(ValueError):
        store.outbox_update(item.id, text="changed")
    with pytest.raises(ValueError):
        store.outbox_update(item.id, created=0)
    assert store.outbox_get(item.id).text == "hello"

    store.outbox_remove(item.id)
    assert store.outbox_get(item.id) is None
    assert store.outbox_items() == []


def test_outbox_items_filter_by_state_and_conversation_in_creation_order(store: Store) -> None:
    a = store.outbox_add("a", conversation_id="c1")
    b = store.outbox_add("b", conversation_id="c2")
    c = store.outbox_add("c", contact_id="contact-1")
    d = store.outbox_add("d", mobile="+15125550100")
    e = store.outbox_add("e", conversation_id="c1")
    store.outbox_update(b.id, state=OutboxState.FAILED)
    store.outbox_update(c.id, state=OutboxState.SENT, message_id="srv-1")
    store.outbox_update(e.id, state=OutboxState.UNKNOWN)

    def ids(items: list) -> list[str]:
        return [i.id for i in items]

    assert ids(store.outbox_items()) == [a.id, b.id, c.id, d.id, e.id]
    assert ids(store.outbox_items(OutboxState.PENDING)) == [a.id, d.id]
    assert ids(store.outbox_items(OutboxState.PENDING, OutboxState.UNKNOWN)) == [a.id, d.id, e.id]
    assert ids(store.outbox_items(conversation_id="c1")) == [a.id, e.id]
    assert ids(store.outbox_items(OutboxState.UNKNOWN, conversation_id="c1")) == [e.id]
    assert ids(store.outbox_items(OutboxState.FAILED, conversation_id="c1")) == []
    assert store.outbox_items(OutboxState.SENT)[0].message_id == "srv-1"
    assert store.outbox_get(d.id).mobile == "+15125550100"


def test_recover_interrupted_sends_turns_sending_into_unknown(tmp_path: Path) -> None:
    path = tmp_path / "crash.sqlite3"
    store = Store(path)
    sending = store.outbox_add("in flight", conversation_id="c1")
    pending = store.outbox_add("waiting", conversation_id="c1")
    sent = store.outbox_add("done", conversation_id="c1")
    store.outbox_update(sending.id, state=OutboxState.SENDING, attempts=1)
    store.outbox_update(sent.id, state=OutboxState.SENT, message_id="m")
    store.close()  # the app stops with a request in flight

    after = Store(path)
    assert after.recover_interrupted_sends() == 1
    assert after.outbox_get(sending.id).state is OutboxState.UNKNOWN
    assert after.outbox_get(sending.id).attempts == 1
    assert after.outbox_get(pending.id).state is OutboxState.PENDING
    assert after.outbox_get(sent.id).state is OutboxState.SENT
    assert after.recover_interrupted_sends() == 0


def test_a_second_store_on_the_same_file_sees_every_write(tmp_path: Path) -> None:
    path = tmp_path / "shared.sqlite3"
    writer, reader = Store(path), Store(path)
    assert writer._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"

    writer.save_conversations([conversation("a", "2026-11-18T09:00:00Z")])
    writer.save_messages([message("m1", "a", "2026-11-18T09:00:00Z")])
    writer.save_draft("a", "typing…")
    writer.mark_read("a", ["m1"])
    item = writer.outbox_add("queued", conversation_id="a")
    assert [c["id"] for c in reader.conversations()] == ["a"]
    assert [m["id"] for m in reader.messages("a")] == ["m1"]
    assert reader.draft("a") == "typing…"
    assert reader.read_ids("a") == {"m1"}
    assert reader.outbox_get(item.id).text == "queued"

    # And the other way round, while the first keeps its connection open.
    reader.outbox_update(item.id, state=OutboxState.SENT, message_id="srv")
    assert writer.outbox_get(item.id).state is OutboxState.SENT
    writer.close()
    reader.close()


def test_memory_store_works(tmp_path: Path) -> None:
    store = Store(":memory:")
    store.save_draft("c", "x")
    assert store.draft("c") == "x"
    assert not (Path.cwd() / ":memory:").exists()


def test_claimed_message_ids_outlive_their_outbox_items(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    a = store.outbox_add("ok", conversation_id="c1")
    b = store.outbox_add("ok", conversation_id="c1")
    store.outbox_update(a.id, state=OutboxState.SENT, message_id="srv-1")
    store.outbox_update(b.id, state=OutboxState.FAILED, error="no")  # no message: no claim
    assert store.claimed_message_ids() == {"srv-1"}
    store.outbox_remove(a.id)  # the thread shows the server's copy now
    assert store.claimed_message_ids() == {"srv-1"}

    # Old claims are forgotten after a month, when the next one is made.
    import sakari_tui.core.store as store_module

    later = time.time() + store_module.CLAIM_KEEP + 60
    monkeypatch.setattr(store_module.time, "time", lambda: later)
    store.outbox_update(b.id, state=OutboxState.SENT, message_id="srv-2")
    assert store.claimed_message_ids() == {"srv-2"}
