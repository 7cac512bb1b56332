"""SVG snapshot of the dialog for a damaged local store, over the inbox (as when the check
after start finds damage), with a fixed file name so the picture does not depend on tmp_path."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import wait_for
from test_snapshots import inbox_app, inbox_loaded

from sakari_tui.core.store import StoreDamaged
from sakari_tui.screens.store_damaged import StoreDamagedScreen

pytestmark = pytest.mark.usefixtures("frozen_time")

SHOWN_PATH = Path("/home/ana/.local/share/sakari-tui/profiles/work.sqlite3")


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_the_damaged_store_dialog(snap_compare, tmp_path: Path, size: tuple[int, int]) -> None:
    async def damaged(pilot) -> None:
        await inbox_loaded(pilot)
        pilot.app.store_damaged(StoreDamaged(SHOWN_PATH, "the file is cut short (428032 of 856064 bytes)"))
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, StoreDamagedScreen), what="the dialog")
        await pilot.pause()

    assert snap_compare(inbox_app(tmp_path), terminal_size=size, run_before=damaged)
