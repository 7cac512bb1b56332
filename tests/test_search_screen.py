"""Search everything, and find in the thread: keys in, the screen and the sandbox checked."""

from __future__ import annotations

import re

from conftest import make_app, make_sandbox, wait_for
from test_inbox import open_first

from sakari_tui.screens.search import SearchScreen
from sakari_tui.widgets.composer import Composer
from sakari_tui.widgets.conversation_list import ConversationList
from sakari_tui.widgets.thread import MessageThread
from sakari_tui.widgets.thread_find import ThreadFind

MESSAGES = "/v1/accounts/demo-account/messages"


async def type_text(pilot, text: str) -> None:
    for ch in text:
        await pilot.press("space" if ch == " " else ch)


def pages_read(sandbox) -> int:
    return sum(1 for method, path in sandbox.requests if method == "GET" and path == MESSAGES)


async def test_a_new_message_is_found_by_a_word_and_enter_opens_it(app, sandbox) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await open_first(pilot)
        listing = app.screen.query_one(ConversationList)
        other = listing.rows[-1]
        sandbox.inject_inbound(other.number, "Is the marmalade vegan?")
        await wait_for(pilot, lambda: listing.rows[0].preview == "Is the marmalade vegan?", what="the poll")

        await pilot.press("ctrl+k")
        search = app.screen
        assert isinstance(search, SearchScreen)
        await type_text(pilot, "marma")
        assert [hit.text for hit in search.hits] == ["Is the marmalade vegan?"]
        await pilot.press("enter")

        await wait_for(pilot, lambda: not isinstance(app.screen, SearchScreen), what="search closed")
        wanted = next(m for m in sandbox.messages() if m["message"] == "Is the marmalade vegan?")
        assert app.screen.open_id == wanted["conversation"]["id"]
        thread = app.screen.query_one(MessageThread)
        await wait_for(
            pilot, lambda: thread.selected and thread.selected.message_id == wanted["id"], what="message selected"
        )
        assert thread.has_focus


async def test_filling_the_index_reads_all_history_then_finds_an_old_message(tmp_path) -> None:
    sandbox = make_sandbox(conversations=30)
    # Slow polls: the pages the fill reads are the only message lists asked for meanwhile.
    app = make_app(tmp_path / "data", sandbox, poll_conversations=60, poll_thread=60)
    everything = sandbox.messages()
    # An old message, not the last of its conversation: polls never brought it.
    last_ids = {c["lastMessage"]["id"] for c in sandbox.conversations() if c.get("lastMessage")}
    old = next(m for m in reversed(everything) if m["id"] not in last_ids and len(m["message"].split()) >= 4)
    words = " ".join(re.findall(r"\w+", old["message"]))
    async with app.run_test(size=(120, 40)) as pilot:
        await open_first(pilot)
        thread = app.screen.query_one(MessageThread)
        await wait_for(pilot, lambda: thread.bubbles, what="the open thread polled")
        await pilot.press("ctrl+k")
        search = app.screen
        await type_text(pilot, words)
        assert old["id"] not in [hit.message_id for hit in search.hits]

        before = pages_read(sandbox)
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: app.fill_progress and app.fill_progress.finished, what="history indexed")
        assert pages_read(sandbox) - before == -(-len(everything) // 100)
        assert app.store.search.message_count() == len(everything)
        bar = search.query_one("#search-fill")
        assert bar.display and bar.percentage == 1.0

        hits = [hit.message_id for hit in search.hits]  # searched again when the fill ended
        assert old["id"] in hits
        for _ in range(hits.index(old["id"]) + len(search.results.conversations)):
            await pilot.press("down")
        await pilot.press("enter")
        await wait_for(
            pilot, lambda: thread.selected and thread.selected.message_id == old["id"], what="old message selected"
        )
        assert app.screen.open_id == old["conversation"]["id"]


async def test_find_in_the_thread_with_next_and_previous(app, sandbox) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await open_first(pilot)
        number = app.screen.query_one(ConversationList).highlighted.number
        for text in ("Blue box please", "Or the red one", "Actually the BLUE box"):
            sandbox.inject_inbound(number, text)
        thread = app.screen.query_one(MessageThread)
        await wait_for(
            pilot, lambda: any(b.text == "Actually the BLUE box" for b in thread.bubbles), what="messages in"
        )
        thread.focus()
        await pilot.press("slash")
        bar = app.screen.query_one(ThreadFind)
        assert bar.has_class("-open")
        await type_text(pilot, "blue")
        texts = [thread.bubbles[i].text for i in thread.find_matches]
        assert texts == ["Blue box please", "Actually the BLUE box"]
        assert thread.selected.text == "Actually the BLUE box"  # the newest match
        assert "2 of 2" in str(bar.query_one("#thread-find-count").render())

        await pilot.press("enter")
        assert thread.has_focus
        await pilot.press("n")
        assert thread.selected.text == "Blue box please"
        assert "1 of 2" in str(bar.query_one("#thread-find-count").render())
        await pilot.press("N")
        assert thread.selected.text == "Actually the BLUE box"
        await pilot.press("escape")
        assert thread.find_text == "" and not bar.has_class("-open")
        await pilot.press("n")  # no find on: n is the screen's "new conversation" again
        await wait_for(pilot, lambda: app.screen is not None and type(app.screen).__name__ == "NewConversationScreen",
                       what="new conversation dialog")  # fmt: skip


async def test_a_find_lays_out_again_only_the_messages_it_highlights(app, sandbox) -> None:
    from datetime import datetime, timezone

    from sakari_tui.widgets.thread import Bubble

    async with app.run_test(size=(120, 40)) as pilot:
        await open_first(pilot)
        thread = app.screen.query_one(MessageThread)
        when = datetime(2026, 12, 1, tzinfo=timezone.utc)
        bubbles = [Bubble(key=f"m:{i}", outgoing=i % 2 == 0, author="x", when=when,
                          text=f"message {i}" + (" with a parcel" if i % 100 == 7 else "")) for i in range(500)]  # fmt: skip
        thread.set_bubbles(bubbles)
        laid_out: list[str] = []
        original = thread._bubble_strips
        thread._bubble_strips = lambda bubble, width, highlight="": (
            laid_out.append(bubble.key) or original(bubble, width, highlight)
        )
        assert thread.set_find("parcel") == 5
        assert sorted(laid_out) == sorted(f"m:{i}" for i in range(7, 500, 100))
        laid_out.clear()
        thread.set_find("")
        assert len(laid_out) == 5  # those five, plain again; the other 495 come from the cache


async def test_find_steps_with_f3_while_the_reply_box_has_focus(app, sandbox) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await open_first(pilot)
        number = app.screen.query_one(ConversationList).highlighted.number
        for text in ("Blue box please", "Or the red one", "Actually the BLUE box"):
            sandbox.inject_inbound(number, text)
        thread = app.screen.query_one(MessageThread)
        await wait_for(
            pilot, lambda: any(b.text == "Actually the BLUE box" for b in thread.bubbles), what="messages in"
        )
        thread.focus()
        await pilot.press("slash")
        await type_text(pilot, "blue")
        await pilot.press("enter")
        bar = app.screen.query_one(ThreadFind)
        assert thread.selected.text == "Actually the BLUE box"

        await pilot.press("r")  # to the reply box; the find stays on
        composer = app.screen.query_one(Composer)
        assert composer.has_focus
        await type_text(pilot, "on it")
        await pilot.press("f3")
        assert thread.selected.text == "Blue box please"
        assert "1 of 2" in str(bar.query_one("#thread-find-count").render())
        await pilot.press("f15")  # shift+F3, as xterm sends it
        assert thread.selected.text == "Actually the BLUE box"
        await pilot.press("shift+f3")
        assert thread.selected.text == "Blue box please"
        # The keys moved the find, and typed nothing; the reply box kept focus and its text.
        assert composer.has_focus and composer.text == "on it"

        # With no find on, F3 does nothing.
        thread.set_find("")
        await pilot.pause()
        selected = thread.selected
        await pilot.press("f3")
        assert thread.selected is selected and composer.text == "on it"
