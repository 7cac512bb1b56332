"""Notices of new messages: one for a burst, never over the reply box or a dialog."""

from __future__ import annotations

from conftest import wait_for
from textual.widgets._toast import Toast

from sakari_tui.core.notices import NewMessages
from sakari_tui.screens.help import HelpScreen
from sakari_tui.textual_private import notifications
from sakari_tui.widgets.composer import Composer
from sakari_tui.widgets.conversation_list import ConversationList


def test_one_notice_for_a_burst() -> None:
    news = NewMessages()
    assert news.take() is None
    news.add("c1", "Lucas Silva", ["m1"], "Hello")
    assert news.take() == ("New message from Lucas Silva", "Hello")
    news.add("c1", "Lucas Silva", ["m2", "m3"], "second")
    assert news.add("c1", "Lucas Silva", ["m2"], "second") is False  # counted once
    assert news.take() == ("2 new messages from Lucas Silva", "second")
    news.add("c1", "Lucas Silva", ["m4"], "a")
    news.add("c2", "Stella Anderson", ["m5", "m6"], "b")
    assert news.take() == ("3 new messages from 2 people", "Stella Anderson, Lucas Silva")
    for n in range(5):
        news.add(f"x{n}", f"P{n}", [f"id{n}"], "t")
    assert news.take() == ("5 new messages from 5 people", "P4, P3, P2 and 2 more")


def notices(app) -> list:
    return list(notifications(app))


async def ready(pilot) -> ConversationList:
    listing = pilot.app.screen.query_one(ConversationList)
    await wait_for(pilot, lambda: len(listing.rows) >= 4 and pilot.app.screen.open_id, what="the inbox")
    return listing


async def test_a_burst_is_one_notice_that_leaves_the_reply_box_clear(app, sandbox) -> None:
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        listing = await ready(pilot)
        await pilot.press("r")  # typing a reply, as an agent is when customers write in
        app.clear_notifications()
        first, second = listing.rows[-1].number, listing.rows[-2].number
        for number, text in ((first, "one"), (first, "two"), (second, "three")):
            sandbox.inject_inbound(number, text)
        await wait_for(pilot, lambda: notices(app), what="a notice")
        await pilot.pause(0.6)  # longer than the gathering: nothing more comes
        shown = notices(app)
        assert len(shown) == 1, [n.title for n in shown]
        assert shown[0].title == "3 new messages from 2 people"
        toast = await wait_for(pilot, lambda: next(iter(app.screen.query(Toast)), None), what="the toast on screen")
        await pilot.pause()
        composer = app.screen.query_one(Composer)
        assert not toast.region.overlaps(composer.region), (toast.region, composer.region)


async def test_no_notice_over_a_dialog_until_it_closes(app, sandbox) -> None:
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        listing = await ready(pilot)
        app.clear_notifications()
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        number = listing.rows[-1].number
        sandbox.inject_inbound(number, "Are you open on Sunday?")
        await wait_for(
            pilot, lambda: any(r.preview == "Are you open on Sunday?" for r in listing.rows), what="the message polled"
        )
        await pilot.pause(1.2)  # more than twice the gathering time, with the dialog open
        assert not notices(app)
        assert not app.screen.query(Toast)
        await pilot.press("escape")
        await wait_for(pilot, lambda: notices(app), what="the notice once the dialog closed")
        assert "Are you open on Sunday?" in notices(app)[0].message
