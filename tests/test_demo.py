"""The demo touches nothing of the user's; the command palette reaches every action."""

from __future__ import annotations

from pathlib import Path

import platformdirs
from conftest import wait_for

from sakari_tui.demo import demo_app
from sakari_tui.widgets.conversation_list import ConversationList


def test_demo_uses_a_throwaway_data_dir_and_no_config(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    app = demo_app(live=False)
    assert app.config is None
    user_data = Path(platformdirs.user_data_dir("sakari-tui", appauthor=False))
    assert user_data not in app.data_dir.parents and app.data_dir != user_data
    assert not (tmp_path / "config").exists() and not (tmp_path / "data").exists()


async def test_command_palette_lists_screen_actions_and_runs_them(app, sandbox) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        listing = app.screen.query_one(ConversationList)
        await wait_for(pilot, lambda: listing.rows and app.screen.open_id, what="inbox")
        commands = {command.title for command in app.get_system_commands(app.screen)}
        for title in ("Go to Contacts", "Reply", "Mark unread", "Close", "Template", "Keys"):
            assert title in commands
        await pilot.press("ctrl+p")
        for ch in "go to templates":
            await pilot.press("space" if ch == " " else ch)
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "TemplatesScreen", what="templates screen")
