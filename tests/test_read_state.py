"""Read state is what the person opened: Enter, or the thread kept on screen ``read_after``
seconds. The cursor passing over a conversation reads nothing; marked unread stays unread.

Read markers are local (the API has no mark-as-read), so the store is the record checked here.
"""

from __future__ import annotations

from pathlib import Path

from conftest import make_app, wait_for

from sakari_tui.widgets.conversation_list import ConversationList


def unread_of(listing: ConversationList, conversation_id: str) -> int:
    return next(r.unread for r in listing.rows if r.id == conversation_id)


def read_in_store(app, conversation_id: str) -> set[str]:
    return app.store.read_ids(conversation_id)


async def inbox(pilot) -> ConversationList:
    listing = pilot.app.screen.query_one(ConversationList)
    await wait_for(pilot, lambda: sum(1 for r in listing.rows if r.unread) >= 4, what="unread conversations")
    return listing


async def test_moving_over_unread_conversations_leaves_them_unread(tmp_path: Path) -> None:
    app = make_app(tmp_path / "data", read_after=60)
    async with app.run_test(size=(80, 24)) as pilot:
        listing = await inbox(pilot)
        unread = [r.id for r in listing.rows if r.unread]
        total = app.unread_total
        # Down over every row and back up: each one opens in the thread pane as the cursor passes.
        for _ in listing.rows:
            await pilot.press("j")
        await pilot.press("home")
        await wait_for(
            pilot, lambda: listing.cursor == 0 and app.screen.open_id == listing.rows[0].id, what="back at the top"
        )
        await pilot.pause()
        assert [r.id for r in listing.rows if r.unread] == unread
        assert all(not read_in_store(app, cid) for cid in unread)
        assert app.unread_total == total
        assert f"{total} unread" in str(app.screen.query_one("#status-line").render())


async def test_enter_reads_the_conversation_at_once(tmp_path: Path) -> None:
    app = make_app(tmp_path / "data", read_after=60)
    async with app.run_test(size=(80, 24)) as pilot:
        listing = await inbox(pilot)
        target = next(i for i, r in enumerate(listing.rows) if r.unread)
        conversation_id = listing.rows[target].id
        listing.cursor = target
        total = app.unread_total
        await pilot.press("enter")
        await wait_for(pilot, lambda: unread_of(listing, conversation_id) == 0, what="read on Enter")
        assert read_in_store(app, conversation_id)
        assert app.unread_total < total
        # The others stay as they were.
        assert sum(1 for r in listing.rows if r.unread) >= 3


async def test_a_conversation_kept_on_screen_is_read_after_a_while(tmp_path: Path) -> None:
    app = make_app(tmp_path / "data", read_after=0.3)
    async with app.run_test(size=(80, 24)) as pilot:
        listing = await inbox(pilot)
        target = next(i for i, r in enumerate(listing.rows) if r.unread and i > 0)
        conversation_id = listing.rows[target].id
        listing.cursor = target
        await wait_for(pilot, lambda: app.screen.open_id == conversation_id, what="shown in the thread pane")
        await wait_for(pilot, lambda: unread_of(listing, conversation_id) == 0, what="read after read_after seconds")
        assert read_in_store(app, conversation_id)


async def test_next_and_previous_unread_keys(tmp_path: Path) -> None:
    app = make_app(tmp_path / "data", read_after=60)
    async with app.run_test(size=(80, 24)) as pilot:
        listing = await inbox(pilot)
        await pilot.press("home")
        unread = [i for i, r in enumerate(listing.rows) if r.unread and i > 0]
        await pilot.press("right_square_bracket")
        await wait_for(pilot, lambda: listing.cursor == unread[0], what="the first unread")
        await pilot.press("right_square_bracket")
        await wait_for(pilot, lambda: listing.cursor == unread[1], what="the next unread")
        await pilot.press("left_square_bracket")
        await wait_for(pilot, lambda: listing.cursor == unread[0], what="one back")
        assert unread_of(listing, listing.rows[unread[0]].id) > 0  # jumping there does not read it


async def test_marked_unread_stays_unread_while_shown(tmp_path: Path) -> None:
    app = make_app(tmp_path / "data", read_after=0.2)
    async with app.run_test(size=(80, 24)) as pilot:
        listing = await inbox(pilot)
        conversation_id = listing.highlighted.id
        await pilot.press("enter", "escape")
        await wait_for(pilot, lambda: unread_of(listing, conversation_id) == 0, what="read")
        await pilot.press("u")
        await wait_for(pilot, lambda: unread_of(listing, conversation_id) >= 1, what="marked unread")
        # Several times read_after with the conversation still on screen: it stays unread.
        await pilot.pause(1.0)
        assert app.screen.open_id == conversation_id
        assert unread_of(listing, conversation_id) >= 1
        assert app.store.all_read_state()[conversation_id][1] is True


async def test_not_read_while_the_terminal_is_in_the_background(tmp_path: Path) -> None:
    app = make_app(tmp_path / "data", read_after=0.2)
    async with app.run_test(size=(80, 24)) as pilot:
        listing = await inbox(pilot)
        app.terminal_focused = False  # as an AppBlur leaves it: another window has the keyboard
        target = next(i for i, r in enumerate(listing.rows) if r.unread and i > 0)
        conversation_id = listing.rows[target].id
        listing.cursor = target
        await wait_for(pilot, lambda: app.screen.open_id == conversation_id, what="shown in the thread pane")
        await pilot.pause(0.8)  # four times read_after, unseen
        assert unread_of(listing, conversation_id) > 0
        app.terminal_focused = True
        await wait_for(pilot, lambda: unread_of(listing, conversation_id) == 0, what="read once the terminal is back")
