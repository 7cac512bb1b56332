"""The inbox driven as an agent drives it: keys in, screen and sandbox checked."""

from __future__ import annotations

from pathlib import Path

from conftest import make_app, make_sandbox, wait_for

from sakari_tui.core.store import OutboxState
from sakari_tui.textual_private import notifications
from sakari_tui.widgets.composer import Composer
from sakari_tui.widgets.conversation_list import ConversationList
from sakari_tui.widgets.thread import MessageThread


def outgoing(sandbox, conversation_id: str) -> list[dict]:
    return [m for m in sandbox.messages(conversation_id=conversation_id) if m["outgoing"]]


async def open_first(pilot) -> str:
    screen = pilot.app.screen
    await wait_for(pilot, lambda: screen.query_one(ConversationList).rows, what="conversations listed")
    conversation_id = screen.query_one(ConversationList).highlighted.id
    await wait_for(pilot, lambda: screen.open_id == conversation_id, what="thread open")
    return conversation_id


async def type_reply(pilot, text: str) -> None:
    await pilot.press("r")
    assert isinstance(pilot.app.focused, Composer)
    for ch in text:
        await pilot.press(ch if ch != " " else "space")


async def test_reply_reaches_the_sandbox_once_and_shows_delivered(app, sandbox) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        conversation_id = await open_first(pilot)
        before = len(outgoing(sandbox, conversation_id))
        number = sandbox.conversations()[0]["contact"]["mobile"]["number"]

        await type_reply(pilot, "On my way")
        await pilot.press("enter")

        sent = await wait_for(
            pilot,
            lambda: len(outgoing(sandbox, conversation_id)) > before and outgoing(sandbox, conversation_id),
            what="message on the sandbox",
        )
        thread = app.screen.query_one(MessageThread)
        await wait_for(
            pilot,
            lambda: any(b.text == "On my way" and b.status == "delivered" for b in thread.bubbles),
            what="delivered mark in the thread",
        )
        mine = [m for m in sent if m["message"] == "On my way"]
        assert len(mine) == 1
        assert mine[0]["contact"]["mobile"]["number"] == number
        assert len(outgoing(sandbox, conversation_id)) == before + 1
        assert app.screen.query_one(Composer).text == ""


async def test_newline_keys_do_not_send(app, sandbox) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        conversation_id = await open_first(pilot)
        before = len(sandbox.messages(conversation_id=conversation_id))
        await type_reply(pilot, "one")
        await pilot.press("ctrl+n")
        await pilot.press("t", "w", "o")
        assert app.screen.query_one(Composer).text == "one\ntwo"
        await pilot.pause(0.3)
        assert len(sandbox.messages(conversation_id=conversation_id)) == before


async def test_inbound_message_shows_unread_with_a_toast(app, sandbox) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await open_first(pilot)
        # A conversation that is not open: the last one in the list.
        rows = app.screen.query_one(ConversationList).rows
        other = rows[-1]
        number = other.number
        sandbox.inject_inbound(number, "Is the shop open on Sunday?")
        listing = app.screen.query_one(ConversationList)
        row = await wait_for(
            pilot,
            lambda: next(
                (r for r in listing.rows if r.number == number and r.preview == "Is the shop open on Sunday?"), None
            ),
            what="the new message in the list",
        )
        assert row.unread >= 1
        assert listing.rows[0].number == number  # newest first
        await wait_for(pilot, lambda: any("Is the shop open on Sunday?" in n.message for n in notifications(app)),
                       what="a notice")  # fmt: skip
        assert app.unread_total >= row.unread


async def test_inbound_message_appears_in_the_open_thread(app, sandbox) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await open_first(pilot)
        number = app.screen.query_one(ConversationList).highlighted.number
        sandbox.inject_inbound(number, "Actually, make it two loaves")
        thread = app.screen.query_one(MessageThread)
        await wait_for(
            pilot,
            lambda: any(b.text == "Actually, make it two loaves" for b in thread.bubbles),
            what="message in thread",
        )


async def test_draft_survives_a_restart(tmp_path: Path) -> None:
    data = tmp_path / "data"
    sandbox = make_sandbox()
    first = make_app(data, sandbox)
    async with first.run_test(size=(120, 40)) as pilot:
        conversation_id = await open_first(pilot)
        await type_reply(pilot, "half-typed thought")
    second = make_app(data, sandbox)
    async with second.run_test(size=(120, 40)) as pilot:
        assert await open_first(pilot) == conversation_id
        assert second.screen.query_one(Composer).text == "half-typed thought"


async def test_send_while_the_sandbox_is_down_waits_then_goes_once(app, sandbox) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        conversation_id = await open_first(pilot)
        before = len(outgoing(sandbox, conversation_id))
        sandbox.faults.down = True
        await type_reply(pilot, "Sent from a tunnel")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.outbox.waiting(conversation_id), what="message waiting in the outbox")
        thread = app.screen.query_one(MessageThread)
        await wait_for(
            pilot, lambda: any(b.local and b.text == "Sent from a tunnel" for b in thread.bubbles), what="local bubble"
        )
        await pilot.pause(0.5)
        assert len(outgoing(sandbox, conversation_id)) == before

        sandbox.faults.down = False
        await wait_for(
            pilot,
            lambda: len(outgoing(sandbox, conversation_id)) == before + 1,
            timeout=10,
            what="delivery after recovery",
        )
        await wait_for(pilot, lambda: not app.outbox.waiting(conversation_id), what="outbox empty")
        await pilot.pause(0.5)
        assert [m["message"] for m in outgoing(sandbox, conversation_id)].count("Sent from a tunnel") == 1


async def test_send_with_unknown_outcome_is_not_sent_twice(app, sandbox) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        conversation_id = await open_first(pilot)
        sandbox.faults.rate_drop = 1.0  # store the message, then drop the connection
        await type_reply(pilot, "Did this arrive")
        await pilot.press("enter")
        await wait_for(
            pilot,
            lambda: any(m["message"] == "Did this arrive" for m in outgoing(sandbox, conversation_id)),
            what="message stored by the sandbox",
        )
        sandbox.faults.rate_drop = 0.0
        await wait_for(
            pilot,
            lambda: not app.outbox.waiting(conversation_id),
            timeout=10,
            what="the outbox to settle",
        )
        await pilot.pause(0.5)
        copies = [m for m in outgoing(sandbox, conversation_id) if m["message"] == "Did this arrive"]
        assert len(copies) == 1
        sent = app.store.outbox_items(OutboxState.SENT)
        assert all(item.message_id == copies[0]["id"] for item in sent if item.text == "Did this arrive")


async def test_the_collector_is_back_on_once_the_inbox_is_painted(app) -> None:
    # The command line turns the garbage collector off for start-up; the app must turn it
    # back on, or a day-long session would never free a cycle.
    import gc

    gc.disable()
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_for(pilot, app.connected.is_set, what="the client made after the first frame")
            await pilot.pause()
            assert gc.isenabled()
    finally:
        gc.enable()


async def test_after_sending_the_reply_box_keeps_the_keys_for_a_follow_up(app, sandbox) -> None:
    # Letters that reached the list instead would be commands (t, y, c, ...): a follow-up
    # typed right after Enter must land in the reply box, and Escape gives the keys back.
    async with app.run_test(size=(80, 24)) as pilot:
        conversation_id = await open_first(pilot)
        before = len(outgoing(sandbox, conversation_id))
        await type_reply(pilot, "Ready at 4")
        await pilot.press("enter")
        await pilot.press(*["space" if ch == " " else ch for ch in "today at the front desk"], "enter")
        await wait_for(pilot, lambda: len(outgoing(sandbox, conversation_id)) >= before + 2, what="both sent")
        texts = [m["message"] for m in outgoing(sandbox, conversation_id)]
        assert texts.count("Ready at 4") == 1 and texts.count("today at the front desk") == 1
        composer = app.screen.query_one(Composer)
        assert app.focused is composer and composer.text == ""
        await pilot.press("escape")
        assert app.screen.query_one(ConversationList).has_focus
        await pilot.press("r")  # replies again rather than typing an "r"
        assert app.focused is composer and composer.text == ""
