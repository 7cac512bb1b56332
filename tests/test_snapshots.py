"""SVG snapshots of the main screens, over the seeded sandbox with time frozen.

Update after an intended change of the look with ``pytest tests/test_snapshots.py --snapshot-update``
and review the SVGs in ``tests/__snapshots__/`` before committing them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import QUIET, make_app, make_sandbox, still_cursors, wait_for

from sakari_tui.app import SakariApp
from sakari_tui.config import Config, Profile
from sakari_tui.core.connection import Link
from sakari_tui.screens.conversations import ConversationsScreen
from sakari_tui.screens.help import HelpScreen
from sakari_tui.screens.setup import SetupScreen
from sakari_tui.textual_private import notifications
from sakari_tui.widgets.composer import Composer
from sakari_tui.widgets.conversation_list import ConversationList
from sakari_tui.widgets.thread import MessageThread

# Shown in the setup form; never written, as the form is not submitted.
SETUP_CONFIG_PATH = Path("~/.config/sakari-tui/config.toml")

pytestmark = pytest.mark.usefixtures("frozen_time")


async def inbox_loaded(pilot) -> None:
    """The list polled, the first conversation open and its thread fetched, the link online."""
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, ConversationsScreen), what="the conversations screen")
    screen = app.screen
    listing = screen.query_one(ConversationList)
    thread = screen.query_one(MessageThread)
    await wait_for(pilot, lambda: listing.rows, what="conversations listed")
    first = listing.rows[0].id
    await wait_for(pilot, lambda: screen.open_id == first, what="thread open")
    await wait_for(pilot, lambda: thread.bubbles, what="messages in the thread")
    await wait_for(pilot, lambda: app.connection.link is Link.ONLINE, what="online")
    await wait_for(pilot, lambda: app.sync._polled_once, what="the first poll")
    still_cursors(app)
    await pilot.pause()
    assert not notifications(app), [n.message for n in notifications(app)]


def inbox_app(tmp_path: Path) -> SakariApp:
    return make_app(tmp_path / "data", make_sandbox(), **QUIET)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_conversations_with_a_thread_open(snap_compare, tmp_path: Path, size: tuple[int, int]) -> None:
    assert snap_compare(inbox_app(tmp_path), terminal_size=size, run_before=inbox_loaded)


def test_composer_warns_about_ucs2(snap_compare, tmp_path: Path) -> None:
    async def typed(pilot) -> None:
        await inbox_loaded(pilot)
        await pilot.press("r")
        composer = pilot.app.screen.query_one(Composer)
        assert pilot.app.focused is composer
        composer.insert("Thanks, we’ll have it ready by 4")
        still_cursors(pilot.app)
        await pilot.pause()

    assert snap_compare(inbox_app(tmp_path), terminal_size=(120, 40), run_before=typed)


def test_help_over_the_inbox(snap_compare, tmp_path: Path) -> None:
    async def help_shown(pilot) -> None:
        await inbox_loaded(pilot)
        await pilot.press("f1")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, HelpScreen), what="the help screen")

    assert snap_compare(inbox_app(tmp_path), terminal_size=(80, 24), run_before=help_shown)


def test_setup_on_first_run(snap_compare, tmp_path: Path) -> None:
    app = SakariApp(Profile(name="default"), data_dir=tmp_path / "data", config=Config(path=SETUP_CONFIG_PATH))

    async def form_shown(pilot) -> None:
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, SetupScreen), what="the setup screen")
        still_cursors(pilot.app)
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=form_shown)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_webhooks_screen_and_subscribe_form(snap_compare, tmp_path: Path, size: tuple[int, int]) -> None:
    sandbox = make_sandbox()
    app = make_app(tmp_path / "data", sandbox, **QUIET)

    async def subscribed(pilot) -> None:
        await inbox_loaded(pilot)
        await pilot.app.client.webhooks.subscribe(
            "https://hooks.example.com/sakari", ["message-received", "message-status"]
        )
        await pilot.press("5")
        title = pilot.app.screen.query_one(".list-title")
        await wait_for(pilot, lambda: "1 subscription" in str(title.render()), what="the list")
        await pilot.press("a")
        still_cursors(pilot.app)
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=subscribed)
