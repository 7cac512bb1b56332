"""SVG snapshots of the search (after the whole history was indexed), find in the thread,
and the export dialog, over the seeded sandbox with time frozen. Update with
``--snapshot-update`` and look at the SVGs as pictures before committing them."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import still_cursors, wait_for
from test_snapshots import inbox_app, inbox_loaded

from sakari_tui.screens.export import ExportScreen
from sakari_tui.screens.search import SearchScreen
from sakari_tui.widgets.thread import MessageThread
from sakari_tui.widgets.thread_find import ThreadFind

pytestmark = pytest.mark.usefixtures("frozen_time")


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_search_after_the_history_was_indexed(snap_compare, tmp_path: Path, size: tuple[int, int]) -> None:
    async def searched(pilot) -> None:
        app = pilot.app
        await inbox_loaded(pilot)
        await pilot.press("ctrl+k")
        await wait_for(pilot, lambda: isinstance(app.screen, SearchScreen), what="the search")
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: app.fill_progress and app.fill_progress.finished, what="history indexed")
        for key in "bread":
            await pilot.press(key)
        await wait_for(pilot, lambda: len(app.screen.hits) >= 2, what="results")
        app.clear_notifications()
        still_cursors(app)
        await pilot.pause()

    assert snap_compare(inbox_app(tmp_path), terminal_size=size, run_before=searched)


def test_find_in_the_thread(snap_compare, tmp_path: Path) -> None:
    async def found(pilot) -> None:
        await inbox_loaded(pilot)
        pilot.app.screen.query_one(MessageThread).focus()
        await pilot.press("slash")
        for key in "seeded":
            await pilot.press(key)
        await pilot.press("enter")
        await wait_for(pilot, lambda: pilot.app.screen.query_one(ThreadFind).has_class("-open"), what="the find bar")
        await pilot.press("n")
        still_cursors(pilot.app)
        await pilot.pause()

    assert snap_compare(inbox_app(tmp_path), terminal_size=(80, 24), run_before=found)


def test_export_dialog(snap_compare, tmp_path: Path) -> None:
    async def shown(pilot) -> None:
        await inbox_loaded(pilot)
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ExportScreen), what="the export dialog")
        still_cursors(pilot.app)
        await pilot.pause()

    assert snap_compare(inbox_app(tmp_path), terminal_size=(80, 24), run_before=shown)
