"""Regenerate the SVG screenshots in this directory from the demo.

    .venv/bin/python screenshots/make_screenshots.py

The demo runs over the seeded sandbox without simulated customers, with "now" frozen at the
sandbox's seeding time and local time in UTC, so the same code gives the same pictures.
"""

from __future__ import annotations

import asyncio
import os
import re
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from textual.widgets import Input, TextArea

from sakari_tui.app import SakariApp
from sakari_tui.config import Config, Profile
from sakari_tui.core import clock
from sakari_tui.core.connection import Link
from sakari_tui.demo import demo_app, demo_sandbox
from sakari_tui.screens.conversations import ConversationsScreen
from sakari_tui.screens.help import HelpScreen
from sakari_tui.screens.setup import SetupScreen
from sakari_tui.widgets.composer import Composer
from sakari_tui.widgets.conversation_list import ConversationList
from sakari_tui.widgets.thread import MessageThread

HERE = Path(__file__).resolve().parent
BASE_TIME = 1_795_000_000.0  # the sandbox seeds its timestamps back from this moment
FROZEN = datetime.fromtimestamp(BASE_TIME, timezone.utc)
UCS2_REPLY = "Hi! Your order’s packed and ready for pickup after 4pm today. Reply STOP to opt out."

Pilot = Any


async def wait_for(pilot: Pilot, condition: Callable[[], Any], what: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {what}")
        await pilot.pause(0.02)


def still_cursors(app: SakariApp) -> None:
    for widget in (*app.screen.query(Input), *app.screen.query(TextArea)):
        widget.cursor_blink = False


async def inbox_loaded(pilot: Pilot) -> None:
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, ConversationsScreen), "the conversations screen")
    screen = app.screen
    listing = screen.query_one(ConversationList)
    await wait_for(pilot, lambda: listing.rows, "conversations listed")
    first = listing.rows[0].id
    await wait_for(pilot, lambda: screen.open_id == first, "the first thread open")
    await wait_for(pilot, lambda: screen.query_one(MessageThread).bubbles, "messages in the thread")
    await wait_for(pilot, lambda: app.connection.link is Link.ONLINE, "online")
    still_cursors(app)
    await pilot.pause()


async def composing(pilot: Pilot) -> None:
    await inbox_loaded(pilot)
    await pilot.press("r")
    pilot.app.screen.query_one(Composer).insert(UCS2_REPLY)
    still_cursors(pilot.app)
    await pilot.pause()


async def help_shown(pilot: Pilot) -> None:
    await inbox_loaded(pilot)
    await pilot.press("f1")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, HelpScreen), "the help screen")
    await pilot.pause()


async def setup_shown(pilot: Pilot) -> None:
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, SetupScreen), "the setup screen")
    still_cursors(pilot.app)
    await pilot.pause()


async def searching(pilot: Pilot) -> None:
    """The whole history indexed (ctrl+r in the search), then a word typed."""
    from sakari_tui.screens.search import SearchScreen

    app = pilot.app
    await inbox_loaded(pilot)
    await pilot.press("ctrl+k")
    await wait_for(pilot, lambda: isinstance(app.screen, SearchScreen), "the search")
    await pilot.press("ctrl+r")
    await wait_for(pilot, lambda: app.fill_progress is not None and app.fill_progress.finished, "history indexed")
    for key in "sourdough":
        await pilot.press(key)
    await wait_for(pilot, lambda: app.screen.hits, "results")
    app.clear_notifications()
    still_cursors(app)
    await pilot.pause()


async def finding(pilot: Pilot) -> None:
    """Find in the open thread: / then a word; the matches highlighted."""
    from sakari_tui.widgets.thread_find import ThreadFind

    await inbox_loaded(pilot)
    pilot.app.screen.query_one(MessageThread).focus()
    await pilot.press("slash")
    for key in "seeded":
        await pilot.press(key)
    await wait_for(pilot, lambda: pilot.app.screen.query_one(MessageThread).find_matches, "a match")
    await pilot.press("enter")
    await wait_for(pilot, lambda: pilot.app.screen.query_one(ThreadFind).has_class("-open"), "the find bar")
    still_cursors(pilot.app)
    await pilot.pause()


async def exporting(pilot: Pilot) -> None:
    from sakari_tui.screens.export import ExportScreen

    await inbox_loaded(pilot)
    await pilot.press("e")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, ExportScreen), "the export dialog")
    still_cursors(pilot.app)
    await pilot.pause()


def on_screen(key: str, ready: Callable[[SakariApp], Any]) -> Callable[[Pilot], Awaitable[None]]:
    """Go to another screen (by its number key) and wait until ``ready(app)`` holds."""

    async def prepare(pilot: Pilot) -> None:
        await inbox_loaded(pilot)
        await pilot.press(key)
        await wait_for(pilot, lambda: ready(pilot.app), f"screen {key} loaded")
        await pilot.pause(0.3)
        still_cursors(pilot.app)
        await pilot.pause()

    return prepare


def listed(app: SakariApp) -> bool:
    """A screen's list has rows (a DataTable or the contacts' virtual list)."""
    from textual.widgets import DataTable

    from sakari_tui.widgets.paged_list import PagedList

    screen = app.screen
    for paged in screen.query(PagedList):
        return bool(paged.total)
    from textual.widgets import OptionList

    for options in screen.query(OptionList):
        return options.option_count > 0
    tables = list(screen.query(DataTable))
    return bool(tables) and tables[0].row_count > 0


def inbox_app(data_dir: Path) -> SakariApp:
    sandbox = demo_sandbox(seed=7, live=False, base_time=BASE_TIME, error_share=0.0)
    return demo_app(data_dir=data_dir, sandbox=sandbox, poll_conversations=60, poll_thread=60)


def two_profiles_app(data_dir: Path) -> SakariApp:
    """Two profiles, each against a sandbox of its own: "work" on screen, "shop" behind it."""
    import httpx

    from sakari_tui.demo import HostRoutes
    from sakari_tui.sandbox import Sandbox, SandboxConfig

    work = demo_sandbox(seed=7, live=False, base_time=BASE_TIME, error_share=0.0)
    shop = Sandbox(SandboxConfig(client_id="shop-client", client_secret="shop-secret", account_id="shop-account",
                                 seed=11, base_time=BASE_TIME, error_share=0.0))  # fmt: skip
    quiet = {"poll_conversations": 60, "poll_thread": 60}
    profiles = {
        "work": Profile(
            name="work",
            api_url="http://work.invalid",
            client_id=work.config.client_id,
            client_secret=work.config.client_secret,
            account_id=work.config.account_id,
            **quiet,
        ),
        "shop": Profile(
            name="shop",
            api_url="http://shop.invalid",
            client_id="shop-client",
            client_secret="shop-secret",
            account_id="shop-account",
            **quiet,
        ),
        "eu": Profile(name="eu", api_url="https://api.sakari.io"),  # not set up
    }
    config = Config(path=Path("~/.config/sakari-tui/config.toml"), profiles=profiles, default_profile="work")
    transport = HostRoutes({"work.invalid": httpx.ASGITransport(app=work.app),
                            "shop.invalid": httpx.ASGITransport(app=shop.app)})  # fmt: skip
    return SakariApp(profiles["work"], config=config, data_dir=data_dir, transport=transport)


async def profiles_shown(pilot: Pilot) -> None:
    """The other profile polled in the background (its unread count in the status line), then P."""
    app = pilot.app
    await inbox_loaded(pilot)
    await wait_for(pilot, lambda: app.others_unread, "the other profile's unread count")
    await pilot.press("P")
    await wait_for(pilot, lambda: type(app.screen).__name__ == "ProfilesScreen", "the profiles")
    await pilot.pause()


def setup_app(data_dir: Path) -> SakariApp:
    # The path is only shown in the form; nothing is written.
    return SakariApp(
        Profile(name="default"), data_dir=data_dir, config=Config(path=Path("~/.config/sakari-tui/config.toml"))
    )


SHOTS: list[tuple[str, Callable[[Path], SakariApp], tuple[int, int], Callable[[Pilot], Awaitable[None]]]] = [
    ("conversations-120x40", inbox_app, (120, 40), inbox_loaded),
    ("conversations-80x24", inbox_app, (80, 24), inbox_loaded),
    ("composer-ucs2", inbox_app, (120, 40), composing),
    ("help", inbox_app, (120, 40), help_shown),
    ("search", inbox_app, (120, 40), searching),
    ("thread-find", inbox_app, (80, 24), finding),
    ("export", inbox_app, (80, 24), exporting),
    ("setup", setup_app, (100, 30), setup_shown),
    ("profiles", two_profiles_app, (80, 24), profiles_shown),
    ("contacts", inbox_app, (120, 40), on_screen("2", listed)),
    ("campaigns", inbox_app, (120, 40), on_screen("3", listed)),
    ("templates", inbox_app, (120, 40), on_screen("4", listed)),
    ("console", inbox_app, (120, 40), on_screen("6", listed)),
]


async def shoot(name: str, make: Callable[[Path], SakariApp], size: tuple[int, int], prepare) -> Path:
    with tempfile.TemporaryDirectory(prefix="sakari-tui-shot-") as tmp:
        app = make(Path(tmp))
        async with app.run_test(size=size) as pilot:
            await prepare(pilot)
            svg = app.export_screenshot(title="sakari-tui")
    # Rich gives every export a random id; a fixed one keeps regenerated files byte-identical.
    svg = re.sub(r"\bterminal-\d+-", "terminal-sakari-", svg)
    path = HERE / f"{name}.svg"
    path.write_text(svg, encoding="utf-8")
    return path


async def main(names: list[str]) -> None:
    for name, make, size, prepare in SHOTS:
        if not names or name in names:
            path = await shoot(name, make, size, prepare)
            print(path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path)


if __name__ == "__main__":
    clock.now = lambda: FROZEN  # the UI reads "now" only through clock.now()
    os.environ["TZ"] = "UTC"
    time.tzset()
    asyncio.run(main(sys.argv[1:]))
