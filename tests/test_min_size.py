"""Below the smallest size the screens hold at, the app says so instead of clipping them."""

from __future__ import annotations

from conftest import wait_for
from textual.widgets import Static

from sakari_tui.screens.conversations import ConversationsScreen
from sakari_tui.screens.too_small import MIN_SIZE, TooSmallScreen
from sakari_tui.widgets.conversation_list import ConversationList


async def test_too_small_says_so_and_comes_back_when_larger(app) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ConversationsScreen) and app.screen.query_one(ConversationList).rows,
                       what="the inbox")  # fmt: skip
        inbox = app.screen
        await pilot.resize_terminal(50, 18)
        await wait_for(pilot, lambda: isinstance(app.screen, TooSmallScreen), what="the too-small message")
        text = str(app.screen.query_one("#too-small-message", Static).render())
        assert "50x18" in text and f"{MIN_SIZE[0]}x{MIN_SIZE[1]}" in text
        await pilot.press("2")  # no screen changes underneath meanwhile
        assert isinstance(app.screen, TooSmallScreen)
        await pilot.resize_terminal(*MIN_SIZE)
        await wait_for(pilot, lambda: app.screen is inbox, what="the inbox back")


async def test_starting_too_small(app) -> None:
    async with app.run_test(size=(40, 12)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, TooSmallScreen), what="the too-small message")
        await pilot.resize_terminal(80, 24)
        await wait_for(pilot, lambda: isinstance(app.screen, ConversationsScreen), what="the inbox")
