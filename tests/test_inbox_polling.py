"""Polling as the agent sees it: offline and rate-limited states, and no needless redraws."""

from __future__ import annotations

from conftest import wait_for

from sakari_tui.core.connection import Link
from sakari_tui.widgets.composer import Composer
from sakari_tui.widgets.conversation_list import ConversationList
from sakari_tui.widgets.status_line import StatusLine
from sakari_tui.widgets.thread import MessageThread


async def ready(pilot) -> ConversationList:
    listing = pilot.app.screen.query_one(ConversationList)
    thread = pilot.app.screen.query_one(MessageThread)
    await wait_for(pilot, lambda: listing.rows and thread.bubbles, what="inbox ready")
    return listing


async def test_offline_banner_then_recovery_by_itself(app, sandbox) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        listing = await ready(pilot)
        rows_before = list(listing.rows)
        sandbox.faults.down = True
        banner = app.screen.query_one("#offline-banner")
        await wait_for(pilot, lambda: banner.display, timeout=10, what="the offline banner")
        assert app.connection.link is Link.OFFLINE
        assert "offline since" in str(app.screen.query_one(StatusLine).render())
        assert listing.rows == rows_before  # the cached data stays usable
        sandbox.faults.down = False
        await wait_for(pilot, lambda: not banner.display, timeout=10, what="recovery")
        assert app.connection.link is Link.ONLINE


async def test_rate_limited_shows_the_wait(app, sandbox) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        sandbox.faults.retry_after = 30
        sandbox.faults.rate_429 = 1.0
        status = app.screen.query_one(StatusLine)
        await wait_for(
            pilot, lambda: "rate limited, retrying in" in str(status.render()), timeout=10, what="rate-limit notice"
        )
        sandbox.faults.rate_429 = 0.0


async def test_unchanged_polls_redraw_nothing(app, sandbox) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        listing = await ready(pilot)
        thread = app.screen.query_one(MessageThread)
        await pilot.pause(1.0)  # let statuses settle
        redraws = {"list": 0, "thread": 0}
        original_list, original_thread = listing.refresh, thread.refresh

        def count(name, original):
            def refresh(*args, **kwargs):
                redraws[name] += 1
                return original(*args, **kwargs)

            return refresh

        listing.refresh = count("list", original_list)
        thread.refresh = count("thread", original_thread)
        requests_before = len(sandbox.requests)
        await pilot.pause(1.5)  # several list and thread polls at the test's fast intervals
        assert len(sandbox.requests) > requests_before  # polling did happen
        assert redraws == {"list": 0, "thread": 0}


async def test_refresh_keeps_selection_and_composer_text(app, sandbox) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        listing = await ready(pilot)
        listing.action_move(2)
        selected = listing.highlighted.id
        await pilot.press("r")
        for key in ("h", "e", "l", "l", "o"):
            await pilot.press(key)
        other = next(r for r in listing.rows if r.id != selected)
        sandbox.inject_inbound(other.number, "A new question")
        await wait_for(pilot, lambda: listing.rows[0].id == other.id, what="the list reordered")
        assert listing.highlighted.id == selected
        assert app.screen.open_id == selected
        assert app.screen.query_one(Composer).text == "hello"
        assert isinstance(app.focused, Composer)


async def test_offline_banner_is_whole_at_80x24(app, sandbox) -> None:
    from textual.geometry import Region

    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        sandbox.faults.down = True
        banner = app.screen.query_one("#offline-banner")
        await wait_for(pilot, lambda: banner.display and banner.size.height, timeout=10, what="the offline banner")
        await pilot.pause()
        shown = " ".join(strip.text.strip() for strip in banner.render_lines(Region(0, 0, *banner.size)))
        assert "replies wait in the outbox" in shown, shown
        sandbox.faults.down = False
