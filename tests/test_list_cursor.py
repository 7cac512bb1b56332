"""Every list shows where its cursor is: the cursor row has a background its neighbours do not.

Rendered at 80x24 as the terminal gets it (the widget's lines after its styles), focused and
not, in each list a person moves through: conversations, contacts, templates, campaigns,
webhooks and the console's operations.
"""

from __future__ import annotations

from conftest import wait_for
from textual.geometry import Region
from textual.widget import Widget
from textual.widgets import DataTable, OptionList

from sakari_tui.widgets.conversation_list import ConversationList
from sakari_tui.widgets.paged_list import PagedList

SIZE = (80, 24)


def line_backgrounds(widget: Widget) -> list[frozenset[str]]:
    """The background colours of each line of ``widget`` as it renders now."""
    width, height = widget.size
    strips = widget.render_lines(Region(0, 0, width, height))
    return [frozenset(str(seg.style.bgcolor) for seg in strip if seg.style and seg.text.strip()) for strip in strips]


def assert_cursor_distinct(widget: Widget, cursor_lines: list[int], neighbour_lines: list[int]) -> None:
    backgrounds = line_backgrounds(widget)
    cursor = set().union(*(backgrounds[y] for y in cursor_lines))
    for y in neighbour_lines:
        assert cursor - backgrounds[y], f"line {y} looks like the cursor row: {backgrounds[y]} vs {cursor}"
    for y in cursor_lines:
        assert backgrounds[y] and len(backgrounds[y]) == 1, (
            f"the cursor line {y} is not one background: {backgrounds[y]}"
        )


async def inbox(pilot) -> ConversationList:
    listing = await wait_for(
        pilot, lambda: next(iter(pilot.app.screen.query(ConversationList)), None), what="the inbox"
    )
    await wait_for(pilot, lambda: len(listing.rows) >= 3, what="conversations")
    return listing


async def test_conversation_list_cursor_row_focused_and_not(app) -> None:
    async with app.run_test(size=SIZE) as pilot:
        listing = await inbox(pilot)
        await pilot.press("j")
        await wait_for(pilot, lambda: listing.cursor == 1, what="the cursor on the second row")
        await pilot.pause()
        assert listing.has_focus
        # Two lines a row: the second row is lines 2 and 3.
        assert_cursor_distinct(listing, [2, 3], [0, 1, 4, 5])
        await pilot.press("r")  # to the reply box: the list keeps a (dimmer) cursor row
        await wait_for(pilot, lambda: not listing.has_focus, what="focus in the reply box")
        await pilot.pause()
        assert_cursor_distinct(listing, [2, 3], [0, 1, 4, 5])


async def test_contacts_list_cursor_row(app) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await inbox(pilot)
        await pilot.press("2")
        listing = await wait_for(pilot, lambda: next(iter(pilot.app.screen.query(PagedList)), None), what="contacts")
        await wait_for(pilot, lambda: listing.total and listing.item_at(2) is not None, what="contacts loaded")
        listing.focus()
        await pilot.press("j", "j")
        await wait_for(pilot, lambda: listing.cursor == 2, what="the cursor on the third contact")
        await pilot.pause()
        assert_cursor_distinct(listing, [2], [0, 1, 3, 4])


async def _table_cursor(pilot, key: str, table_id: str) -> DataTable:
    await inbox(pilot)
    await pilot.press(key)
    table = await wait_for(pilot, lambda: next(iter(pilot.app.screen.query(f"#{table_id}")), None), what=table_id)
    await wait_for(pilot, lambda: table.row_count >= 3, what="rows")
    table.focus()
    await pilot.press("down")
    await wait_for(pilot, lambda: table.cursor_row == 1, what="the cursor on the second row")
    await pilot.pause()
    return table


async def test_templates_list_cursor_row(app) -> None:
    async with app.run_test(size=SIZE) as pilot:
        table = await _table_cursor(pilot, "4", "catalog-table")
        # Line 0 is the header: rows start at line 1.
        assert_cursor_distinct(table, [2], [1, 3])


async def test_campaigns_list_cursor_row(app) -> None:
    async with app.run_test(size=SIZE) as pilot:
        table = await _table_cursor(pilot, "3", "catalog-table")
        assert_cursor_distinct(table, [2], [1, 3])


async def test_webhooks_list_cursor_row(app, sandbox) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await inbox(pilot)
        for n in range(3):
            await app.client.webhooks.subscribe(f"https://hooks{n}.example.com/in", ["message-received"])
        table = await _table_cursor(pilot, "5", "webhook-table")
        assert_cursor_distinct(table, [2], [1, 3])


async def test_console_operations_cursor_row_and_vi_keys(app) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await inbox(pilot)
        await pilot.press("6")
        options = await wait_for(
            pilot, lambda: next(iter(pilot.app.screen.query("#operations")), None), what="the console"
        )
        assert isinstance(options, OptionList)
        await wait_for(
            pilot, lambda: options.has_focus and options.highlighted is not None, what="an operation highlighted"
        )
        start = options.highlighted
        await pilot.press("j", "j")
        await wait_for(pilot, lambda: options.highlighted == start + 2, what="j moves down")
        await pilot.press("k")
        await wait_for(pilot, lambda: options.highlighted == start + 1, what="k moves up")
        await pilot.pause()
        y = options.highlighted - int(options.scroll_y)
        assert_cursor_distinct(options, [y], [y - 1, y + 1])


async def test_the_cursor_row_stays_in_view_when_the_rows_change(app) -> None:
    """Open/closed/all changes the rows under the cursor: the row it lands on is on screen,
    and it is the conversation the thread shows."""
    async with app.run_test(size=SIZE) as pilot:
        listing = await inbox(pilot)
        await pilot.press("end")
        await wait_for(pilot, lambda: listing.cursor == len(listing.rows) - 1, what="the last row")
        await pilot.press("r")  # the reply box has the focus while the list changes
        screen = app.screen
        for _ in range(3):  # open -> closed -> all -> open
            screen.action_toggle_show()
            await pilot.pause()
            height = listing.scrollable_content_region.height
            top = listing.cursor * 2
            assert listing.scroll_y <= top and top + 2 <= listing.scroll_y + height, (listing.cursor, listing.scroll_y)
            await wait_for(
                pilot, lambda: screen.open_id == listing.highlighted.id, what="the thread shows the cursor row"
            )
