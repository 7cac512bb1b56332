"""The full-text index: what it finds, in what order, and filling it from the sandbox."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import make_sandbox

from sakari_tui.api import RetryPolicy, SakariClient
from sakari_tui.core.search import FillProgress, HistoryFill, Query, match_spans
from sakari_tui.core.store import Store

ACCOUNT_MESSAGES = "/v1/accounts/demo-account/messages"


@pytest.fixture
def store(tmp_path: Path) -> Store:
    db = Store(tmp_path / "profile.sqlite3")
    yield db
    db.close()


def message(mid: str, at: str, text: str, *, cid: str = "c1", first: str = "Ada", number: str = "+14155550123",
            outgoing: bool = False) -> dict[str, Any]:  # fmt: skip
    return {
        "id": mid,
        "conversation": {"id": cid},
        "contact": {"id": f"contact-{cid}", "firstName": first, "mobile": {"number": number}},
        "message": text,
        "outgoing": outgoing,
        "created": {"at": at},
    }


def test_messages_are_found_newest_first_whatever_order_they_were_indexed_in(store: Store) -> None:
    index = store.search
    index.add_messages([message("m2", "2026-03-01T10:00:00Z", "the parcel is late")])
    index.add_messages([message("m3", "2026-05-01T10:00:00Z", "parcel arrived, thanks")])
    index.add_messages([message("m1", "2026-01-01T10:00:00Z", "where is my parcel?")])  # scrollback: older
    index.add_messages([message("m4", "2026-06-01T10:00:00Z", "something else")])
    found = index.search("parcel").messages
    assert [hit.message_id for hit in found] == ["m3", "m2", "m1"]
    assert found[0].name == "Ada" and found[0].conversation_id == "c1"
    assert found[0].when is not None and found[0].when.isoformat().startswith("2026-05-01T10:00:00")


def test_every_word_must_match_and_the_last_is_a_prefix_while_typed(store: Store) -> None:
    store.search.add_messages([
        message("m1", "2026-01-01T10:00:00Z", "Refund for order 1182"),
        message("m2", "2026-01-02T10:00:00Z", "refunded already"),
        message("m3", "2026-01-03T10:00:00Z", "Café opening hours"),
    ])  # fmt: skip
    ids = lambda typed: [h.message_id for h in store.search.search(typed).messages]  # noqa: E731
    assert ids("refund") == ["m2", "m1"]  # still typing: a prefix
    assert ids("refund ") == ["m1"]  # a whole word once a space follows
    assert ids("refund ord") == ["m1"]
    assert ids("cafe") == ["m3"]  # accents folded
    assert ids('"quoted" AND (') == []  # syntax typed is only words
    assert ids("") == []


def test_a_message_seen_again_is_not_indexed_twice_and_a_changed_text_replaces_the_old(store: Store) -> None:
    index = store.search
    first = message("m1", "2026-01-01T10:00:00Z", "old words")
    assert index.add_messages([first]) == 1
    assert index.add_messages([first]) == 0
    assert index.add_messages([{**first, "message": "new words"}]) == 1
    assert index.message_count() == 1
    assert [h.message_id for h in index.search("new").messages] == ["m1"]
    assert index.search("old").messages == []


def test_many_messages_of_the_same_second_keep_their_own_keys(store: Store) -> None:
    burst = [message(f"m{i}", "2026-01-01T10:00:00Z", f"bulk notice {i}", cid=f"c{i}") for i in range(200)]
    later = message("after", "2026-01-01T10:00:05Z", "bulk notice after")
    store.search.add_messages(burst[:100])
    store.search.add_messages([later])
    store.search.add_messages(burst[100:])
    assert store.search.message_count() == 201
    found = store.search.search("bulk", limit=300).messages
    assert len(found) == 201
    assert {h.message_id for h in found} == {f"m{i}" for i in range(200)} | {"after"}


def test_names_and_numbers_find_conversations(store: Store) -> None:
    store.search.add_conversations([
        {"id": "c1", "contact": {"firstName": "Ada", "lastName": "Lovelace", "mobile": {"number": "+14155550123"}},
         "lastMessage": {"id": "x1", "message": "hello", "created": {"at": "2026-01-01T10:00:00Z"}}},
        {"id": "c2", "contact": {"firstName": "Alan", "lastName": "Turing", "mobile": {"number": "+12065550199"}}},
    ])  # fmt: skip
    assert [h.conversation_id for h in store.search.search("love").conversations] == ["c1"]
    store.search.add_conversations([{"id": "c3", "contact": {"firstName": "Inés", "lastName": "Lefèvre"}}])
    assert [h.conversation_id for h in store.search.search("ines lefev").conversations] == ["c3"]
    assert [h.name for h in store.search.search("INÉS").conversations] == ["Inés Lefèvre"]
    assert [h.conversation_id for h in store.search.search("ada lov").conversations] == ["c1"]
    assert [h.conversation_id for h in store.search.search("555 0199").conversations] == ["c2"]
    assert [h.conversation_id for h in store.search.search("0123").conversations] == ["c1"]
    # The conversation's last message is indexed too.
    assert [h.message_id for h in store.search.search("hello").messages] == ["x1"]


def test_match_spans_mark_the_words_found() -> None:
    text = "Your order ORDER-7 is ready"
    spans = match_spans(text, Query.parse("ord"))
    assert [text[a:b] for a, b in spans] == ["ord", "ORD"]
    assert match_spans("Café ouvert", Query.parse("cafe ")) == [(0, 4)]


def test_the_index_is_kept_when_the_store_is_reopened(tmp_path: Path) -> None:
    path = tmp_path / "p.sqlite3"
    first = Store(path)
    first.search.add_messages([message("m1", "2026-01-01T10:00:00Z", "remember me")])
    first.close()
    second = Store(path)
    try:
        assert [h.message_id for h in second.search.search("remember").messages] == ["m1"]
    finally:
        second.close()


# -- filling the index from the whole history --------------------------------------------


def client_for(sandbox) -> SakariClient:
    return SakariClient(
        client_id="demo-client",
        client_secret="demo-secret",
        account_id="demo-account",
        api_url="http://sandbox.invalid",
        transport=httpx.ASGITransport(app=sandbox.app),
        retry=RetryPolicy(max_attempts=2, base_delay=0.001, max_delay=0.01, max_total=1.0),
    )


def message_pages(sandbox) -> int:
    return sum(1 for method, path in sandbox.requests if method == "GET" and path == ACCOUNT_MESSAGES)


class Stop(Exception):
    pass


async def test_fill_reads_the_whole_history_and_resumes_where_it_stopped(store: Store) -> None:
    sandbox = make_sandbox(conversations=40)
    everything = {m["id"] for m in sandbox.messages()}
    assert len(everything) > 100
    client = client_for(sandbox)
    fill = HistoryFill(client, store.search)
    fill.PAGE = 20
    seen: list[FillProgress] = []

    def stop_after_three(state: FillProgress) -> None:
        seen.append(state)
        if len(seen) == 3:
            raise Stop

    with pytest.raises(Stop):
        await fill.run(stop_after_three)
    assert store.search.message_count() == 60
    assert seen[-1].done == 60 and seen[-1].total == len(everything)

    before = message_pages(sandbox)
    done = await fill.run()
    pages = message_pages(sandbox) - before
    assert done.finished and done.done == len(everything)
    assert pages == -(-(len(everything) - 60) // 20)  # only the rest was read
    indexed = {row[0] for row in store._db.execute("SELECT message_id FROM search_messages")}
    assert indexed == everything

    # Later runs only catch up: the newest page, and the message that came in since.
    sandbox.inject_inbound(sandbox.conversations()[0]["contact"]["mobile"]["number"], "a zebra crossing")
    before = message_pages(sandbox)
    again = await fill.run()
    assert message_pages(sandbox) - before == 2  # the page with the new message, then one all known
    assert again.indexed == 1
    assert [h.text for h in store.search.search("zebra").messages] == ["a zebra crossing"]
    await client.aclose()


async def test_fill_waits_on_429_and_asks_again(store: Store) -> None:
    sandbox = make_sandbox(conversations=10)
    everything = {m["id"] for m in sandbox.messages()}
    sandbox.faults.rate_429 = 0.5
    sandbox.faults.retry_after = 7
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    client = client_for(sandbox)
    fill = HistoryFill(client, store.search, sleep=sleep)
    fill.PAGE = 10
    progress: list[FillProgress] = []
    done = await fill.run(progress.append)
    assert done.finished
    assert {row[0] for row in store._db.execute("SELECT message_id FROM search_messages")} == everything
    assert waits and all(w == 7 for w in waits)  # Retry-After honoured
    assert any(p.waiting == 7 for p in progress)
    await client.aclose()


@pytest.mark.parametrize("recent", [3, 5000])
@pytest.mark.parametrize("typed", ["r", "re", "ref", "refund o", "order", "or ", "t", "thanks zq", "cafe b", "zz"])
def test_search_finds_what_checking_every_message_finds(store: Store, monkeypatch, recent: int, typed: str) -> None:
    """Whichever way a query is answered (the newest messages checked one by one, FTS5, or
    FTS5 then a short prefix checked), the answer is every match, newest first."""
    import random

    from sakari_tui.core import search

    monkeypatch.setattr(search, "RECENT", recent)
    monkeypatch.setattr(search, "SCAN_LIMIT", 10_000)
    rng = random.Random(typed)
    words = ["refund", "order", "orange", "thanks", "tea", "café", "bread", "zq", "rye", "o"]
    messages = [
        message(f"m{i:03d}", f"2026-01-{1 + i % 28:02d}T{i % 24:02d}:{i % 60:02d}:00Z",
                " ".join(rng.choices(words, k=rng.randint(1, 5))), cid=f"c{i % 7}")
        for i in range(300)
    ]  # fmt: skip
    rng.shuffle(messages)
    for start in range(0, 300, 50):
        store.search.add_messages(messages[start : start + 50])
    query = Query.parse(typed)
    expected = sorted(
        (m for m in messages if query.matches(m["message"])), key=lambda m: (m["created"]["at"], m["id"]), reverse=True
    )
    results = store.search.search(typed, limit=1000)
    found = [hit.message_id for hit in results.messages]
    assert sorted(found) == sorted(m["id"] for m in expected)
    times = [hit.when for hit in results.messages]
    assert times == sorted(times, reverse=True)


def test_a_store_of_an_earlier_version_gets_the_index_filled_from_its_cache(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    old = Store(path)
    old.save_conversations([{"id": "c1", "contact": {"firstName": "Grace", "mobile": {"number": "+14155550199"}}}])
    old.save_messages([message("m1", "2026-01-01T10:00:00Z", "cached before search existed", first="Grace")])
    for table in ("search_text", "search_messages", "search_conversations", "search_meta"):
        old._db.execute(f"DROP TABLE {table}")  # as a version without search left it
    old.close()
    upgraded = Store(path)
    try:
        assert [h.message_id for h in upgraded.search.search("existed").messages] == ["m1"]
        assert [h.conversation_id for h in upgraded.search.search("grace").conversations] == ["c1"]
    finally:
        upgraded.close()
