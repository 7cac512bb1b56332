"""Collision warnings: a reply sent from elsewhere (a second client on the same account)
into the conversation the agent has open shows at once, and the agent is asked before their
own reply goes. Counted on the sandbox."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import httpx
from conftest import wait_for
from test_inbox import open_first, outgoing, type_reply
from textual.geometry import Region

from sakari_tui.api import Actor, Message, SakariClient, Stamp
from sakari_tui.core.collisions import CollisionWatch, author_label, question
from sakari_tui.screens.dialogs import ConfirmScreen
from sakari_tui.textual_private import notifications
from sakari_tui.widgets.composer import Composer
from sakari_tui.widgets.conversation_list import ConversationList
from sakari_tui.widgets.thread import MessageThread


async def reply(pilot, text: str) -> None:
    """Type a reply: r first when the reply box does not have the focus already."""
    if isinstance(pilot.app.focused, Composer):
        for ch in text:
            await pilot.press(ch if ch != " " else "space")
    else:
        await type_reply(pilot, text)


def second_client(sandbox) -> SakariClient:
    return SakariClient(client_id="demo-client", client_secret="demo-secret", account_id="demo-account",
                        api_url="http://sandbox.invalid", transport=httpx.ASGITransport(app=sandbox.app))  # fmt: skip


async def test_a_reply_from_elsewhere_shows_and_the_agent_is_asked_before_sending(app, sandbox) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        conversation_id = await open_first(pilot)
        before = len(outgoing(sandbox, conversation_id))
        await type_reply(pilot, "We close at 6")

        other = second_client(sandbox)
        await other.messages.send("Hi, Sam here: we close at 5 today", conversations=[conversation_id])
        await other.aclose()
        thread = app.screen.query_one(MessageThread)
        theirs = await wait_for(
            pilot,
            lambda: next((b for b in thread.bubbles if b.text == "Hi, Sam here: we close at 5 today"), None),
            what="the other reply in the thread",
        )
        assert theirs.author == "Someone else"
        await wait_for(pilot, lambda: any("Someone else replied" in (n.title or "") for n in notifications(app)),
                       what="a notice while typing")  # fmt: skip

        await pilot.press("enter")
        dialog = await wait_for(
            pilot, lambda: isinstance(app.screen, ConfirmScreen) and app.screen, what="the question"
        )
        assert "A reply was sent" in dialog.question and "we close at 5 today" in dialog.question
        assert app.store.draft(conversation_id) == "We close at 6"  # kept while the question is open
        await pilot.press("n")
        assert app.screen.query_one(Composer).text == "We close at 6"  # kept, nothing sent
        assert len(outgoing(sandbox, conversation_id)) == before + 1

        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="asked again")
        await pilot.press("y")
        mine = await wait_for(
            pilot,
            lambda: [m for m in outgoing(sandbox, conversation_id) if m["message"] == "We close at 6"],
            what="the reply on the sandbox",
        )
        assert len(mine) == 1
        assert app.store.draft(conversation_id) == ""  # sent: no draft left
        await wait_for(pilot, lambda: any(b.text == "We close at 6" and b.author == "You" and not b.local
                                          for b in thread.bubbles), what="our reply from the server")  # fmt: skip
        assert len(outgoing(sandbox, conversation_id)) == before + 2
        # The other reply keeps its label after ours.
        assert next(b for b in thread.bubbles if b.text == "Hi, Sam here: we close at 5 today").author == "Someone else"

        # The next reply of ours goes without a question: nothing new came from elsewhere.
        await reply(pilot, "See you")
        await pilot.press("enter")
        await wait_for(pilot, lambda: any(m["message"] == "See you" for m in outgoing(sandbox, conversation_id)),
                       what="sent without asking")  # fmt: skip
        assert not isinstance(app.screen, ConfirmScreen)


async def test_our_own_replies_never_count_as_collisions(app, sandbox) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        conversation_id = await open_first(pilot)
        for text in ("First", "Second"):
            await reply(pilot, text)
            await pilot.press("enter")
            await wait_for(pilot, lambda t=text: any(m["message"] == t for m in outgoing(sandbox, conversation_id)),
                           what=f"{text} sent")  # fmt: skip
        thread = app.screen.query_one(MessageThread)
        await wait_for(pilot, lambda: [b for b in thread.bubbles if b.text == "Second" and not b.local], what="polled")
        assert not isinstance(app.screen, ConfirmScreen)
        assert all(b.author == "You" for b in thread.bubbles if b.outgoing)


def test_created_by_names_the_sender_and_the_question_quotes_the_reply() -> None:
    now = datetime(2026, 12, 3, 10, 0, 20, tzinfo=timezone.utc)
    by_sam = Message(id="m1", text="Done\x1b[2J!", outgoing=True,
                     created=Stamp(at=now - timedelta(seconds=20), by=Actor(first_name="Sam", last_name="Lee")))  # fmt: skip
    assert author_label(by_sam, set(), set()) == "Sam Lee"
    assert author_label(by_sam, {"m1"}, set()) == "You"
    assert question(by_sam, now) == "A reply was sent 20 s ago by Sam Lee: “Done!”. Send yours anyway?"
    watch = CollisionWatch()
    watch.opened("c1", now - timedelta(seconds=30))
    assert watch.foreign("c1", [by_sam], set()) == [by_sam]
    watch.replied("c1", now)
    assert watch.foreign("c1", [by_sam], set()) == []


def list_text(app) -> str:
    listing = app.screen.query_one(ConversationList)
    return "\n".join(strip.text for strip in listing.render_lines(Region(0, 0, *listing.size)))


async def test_the_list_says_you_only_for_this_apps_replies(app, sandbox) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        ours_id = await open_first(pilot)
        listing = app.screen.query_one(ConversationList)
        theirs_id = listing.rows[2].id
        assert theirs_id != ours_id

        await type_reply(pilot, "We open at nine")
        await pilot.press("enter")
        mine = await wait_for(
            pilot, lambda: next((r for r in listing.rows if r.preview == "We open at nine"), None), what="our row"
        )
        assert mine.id == ours_id and mine.outgoing_last and mine.sender == "You"

        other = second_client(sandbox)
        await other.messages.send("Sam here: your parcel left today", conversations=[theirs_id])
        await other.aclose()
        row = await wait_for(
            pilot, lambda: next((r for r in listing.rows if r.id == theirs_id and r.outgoing_last), None),
            what="the other reply in the list",
        )  # fmt: skip
        assert row.preview == "Sam here: your parcel left today"
        assert row.sender == "Someone else"
        await pilot.pause()
        text = list_text(app)
        assert "Someone else: Sam here: your parcel" in text
        assert "You: Sam here" not in text
        assert "You: We open at nine" in text

        # Opened, the thread names it the same way.
        listing.select_id(theirs_id)
        await wait_for(pilot, lambda: app.screen.open_id == theirs_id, what="the other conversation open")
        thread = app.screen.query_one(MessageThread)
        bubble = await wait_for(
            pilot, lambda: next((b for b in thread.bubbles if b.text.startswith("Sam here")), None), what="thread"
        )
        assert bubble.author == "Someone else"
