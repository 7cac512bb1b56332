"""Several profiles in one app, driven by keys: each against a sandbox of its own."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from conftest import FAST, QUIET, make_sandbox, still_cursors, wait_for

from sakari_tui.app import SakariApp
from sakari_tui.config import Config, Profile
from sakari_tui.core.connection import Link
from sakari_tui.core.store import OutboxState
from sakari_tui.demo import HostRoutes
from sakari_tui.sandbox import Sandbox, SandboxConfig
from sakari_tui.textual_private import notifications, screen_text
from sakari_tui.widgets.composer import Composer
from sakari_tui.widgets.conversation_list import ConversationList
from sakari_tui.widgets.status_line import StatusLine
from sakari_tui.widgets.thread import MessageThread

SHOP_SECRET = "shop-secret-never-shown"
# The profile in the background, polled fast enough for a test (the default is a minute).
SHOP_BACKGROUND = 0.6


def shop_sandbox() -> Sandbox:
    base = make_sandbox()
    config = SandboxConfig(client_id="shop-client", client_secret=SHOP_SECRET, account_id="shop-account",
                           seed=11, status_step=0.05, error_share=0.0, base_time=base.config.base_time)  # fmt: skip
    return Sandbox(config)


def two_profile_app(tmp_path: Path, work: Sandbox, shop: Sandbox, **extra: Profile) -> SakariApp:
    profiles = {
        "work": Profile(
            name="work",
            api_url="http://work.invalid",
            client_id="demo-client",
            client_secret="demo-secret",
            account_id="demo-account",
            **FAST,
        ),
        "shop": Profile(
            name="shop",
            api_url="http://shop.invalid",
            client_id="shop-client",
            client_secret=SHOP_SECRET,
            account_id="shop-account",
            poll_background=SHOP_BACKGROUND,
            **FAST,
        ),
        **extra,
    }
    config = Config(path=tmp_path / "config.toml", profiles=profiles, default_profile="work")
    transport = HostRoutes({"work.invalid": httpx.ASGITransport(app=work.app),
                            "shop.invalid": httpx.ASGITransport(app=shop.app)})  # fmt: skip
    return SakariApp(profiles["work"], config=config, data_dir=tmp_path / "data", transport=transport)


def list_polls(sandbox: Sandbox, account: str) -> int:
    path = f"/v1/accounts/{account}/conversations"
    return sum(1 for method, p in sandbox.requests if method == "GET" and p == path)


def listed_ids(app: SakariApp) -> set[str]:
    return {row.id for row in app.screen.query_one(ConversationList).rows}


def status(app: SakariApp) -> str:
    return str(app.screen.query_one(StatusLine).render())


async def inbox_of(pilot, name: str) -> ConversationList:
    app = pilot.app
    await wait_for(pilot, lambda: app.profile.name == name and type(app.screen).__name__ == "ConversationsScreen"
                   and app.screen.query_one(ConversationList).rows, what=f"the inbox of {name}")  # fmt: skip
    return app.screen.query_one(ConversationList)


async def shop_in_background(pilot) -> None:
    app = pilot.app
    await wait_for(pilot, lambda: "shop" in app._background and app._background["shop"].polls,
                   what="shop polled in the background")  # fmt: skip


async def send_reply(pilot, text: str) -> None:
    """Type ``text`` into the reply box of the open conversation and press Enter."""
    await pilot.press("r")
    assert isinstance(pilot.app.focused, Composer)
    for ch in text:
        await pilot.press("space" if ch == " " else ch)
    await pilot.press("enter")


async def switch_from_the_reply_box_to_shop(pilot) -> None:
    await pilot.press("escape", "P")  # out of the reply box, then the profiles
    await wait_for(pilot, lambda: type(pilot.app.screen).__name__ == "ProfilesScreen", what="the profiles")
    await pilot.press("enter")
    await inbox_of(pilot, "shop")


def open_ids(sandbox: Sandbox) -> set[str]:
    return {c["id"] for c in sandbox.conversations() if not c.get("closed")}


async def test_P_switches_to_the_other_profile_and_back(tmp_path: Path) -> None:
    work, shop = make_sandbox(), shop_sandbox()
    app = two_profile_app(tmp_path, work, shop)
    async with app.run_test(size=(120, 40)) as pilot:
        await inbox_of(pilot, "work")
        await wait_for(pilot, lambda: listed_ids(app) == open_ids(work), what="work's conversations")
        await shop_in_background(pilot)
        await pilot.press("P")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ProfilesScreen", what="the profiles")
        shown = screen_text(app)
        assert "shop" in shown and "shop-account" in shown and "on screen" in shown
        assert SHOP_SECRET not in shown and "demo-secret" not in shown
        await pilot.press("enter")  # the highlighted line is the other profile
        await inbox_of(pilot, "shop")
        await wait_for(pilot, lambda: listed_ids(app) == open_ids(shop), what="shop's conversations")
        assert not listed_ids(app) & open_ids(work)
        assert status(app).startswith("shop · shop-account")
        assert app.sub_title == "shop · shop-account"
        # work now polls in the background; back to it by the key again.
        assert "work" in app._background and "shop" not in app._background
        await pilot.press("P")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ProfilesScreen", what="the profiles")
        await pilot.press("enter")
        await inbox_of(pilot, "work")
        await wait_for(pilot, lambda: listed_ids(app) == open_ids(work), what="work's conversations again")


async def test_the_palette_switches_profile(tmp_path: Path) -> None:
    work, shop = make_sandbox(), shop_sandbox()
    app = two_profile_app(tmp_path, work, shop)
    async with app.run_test(size=(120, 40)) as pilot:
        await inbox_of(pilot, "work")
        await shop_in_background(pilot)
        await pilot.press("ctrl+p")
        for ch in "switch to profile shop":
            await pilot.press("space" if ch == " " else ch)
        await pilot.pause(0.3)
        await pilot.press("enter")
        await inbox_of(pilot, "shop")
        await wait_for(pilot, lambda: listed_ids(app) == open_ids(shop), what="shop's conversations")


async def test_a_message_for_the_background_profile_shows_in_the_status_line(tmp_path: Path) -> None:
    import re

    work, shop = make_sandbox(), shop_sandbox()
    # shop asks for desktop notifications: a customer writing in there while work is on
    # screen is told by a notice and through the terminal, not only by the count.
    app = two_profile_app(tmp_path, work, shop)
    app.config.profiles["shop"] = replace(app.config.profiles["shop"], notify="osc777")
    written: list[str] = []
    app.write_terminal = written.append

    def title() -> str:
        found = [t for seq in written for t in re.findall(r"\x1b\]2;([^\x07]*)\x07", seq)]
        return found[-1] if found else ""

    async with app.run_test(size=(120, 40)) as pilot:
        await inbox_of(pilot, "work")
        await shop_in_background(pilot)
        session = app.sessions["shop"]
        before = session.unread
        assert before > 0  # the seeded account has unread messages
        await wait_for(pilot, lambda: f"│ shop {before} unread" in status(app), what="shop's count")
        number = shop.conversations()[0]["contact"]["mobile"]["number"]
        shop.inject_inbound(number, "Where is my parcel?")
        await wait_for(pilot, lambda: f"│ shop {before + 1} unread" in status(app), timeout=10,
                       what="shop's count raised")  # fmt: skip
        assert app.others_unread == (("shop", before + 1),)
        assert app.profile.name == "work"  # nothing moved on screen
        await wait_for(pilot, lambda: [n for n in notifications(app) if n.title == "New message in shop"],
                       what="the notice")  # fmt: skip
        assert any(f"777;notify;Sakari;{before + 1} unread in shop" in seq for seq in written)
        # The counts the background profile had at start were not announced.
        assert len([n for n in notifications(app) if n.title == "New message in shop"]) == 1
        # The terminal's title carries it too, after the count of the profile on screen.
        await wait_for(pilot, lambda: title() == f"({app.unread_total}+{before + 1}) Sakari · work",
                       what="the title")  # fmt: skip


async def test_a_reply_queued_in_one_profile_is_delivered_after_switching_away(tmp_path: Path) -> None:
    work, shop = make_sandbox(), shop_sandbox()
    app = two_profile_app(tmp_path, work, shop)
    text = "Queued before switching"

    def sent_on_work() -> list[dict]:
        return [m for m in work.messages() if m["outgoing"] and m["message"] == text]

    async with app.run_test(size=(120, 40)) as pilot:
        listing = await inbox_of(pilot, "work")
        conversation_id = listing.highlighted.id
        await wait_for(pilot, lambda: app.screen.open_id == conversation_id, what="thread open")
        await shop_in_background(pilot)
        work.faults.down = True  # the reply cannot leave: it waits in work's outbox
        await send_reply(pilot, text)
        store = app.sessions["work"].store
        await wait_for(pilot, lambda: [i for i in store.outbox_items(OutboxState.PENDING) if i.text == text],
                       what="the reply waiting in the outbox")  # fmt: skip
        await switch_from_the_reply_box_to_shop(pilot)
        work.faults.down = False
        await wait_for(pilot, sent_on_work, timeout=20, what="the reply on work's sandbox")
        assert app.profile.name == "shop"
        await wait_for(pilot, lambda: [i.state for i in store.outbox_items() if i.text == text] == [OutboxState.SENT],
                       what="the reply marked sent")  # fmt: skip
        await pilot.pause(0.5)
        assert [m["conversation"]["id"] for m in sent_on_work()] == [conversation_id]  # once, to its conversation
        assert not [m for m in shop.messages() if m["message"] == text]


async def test_switching_away_while_a_reply_is_on_its_way_sends_it_once(tmp_path: Path) -> None:
    work, shop = make_sandbox(), shop_sandbox()
    app = two_profile_app(tmp_path, work, shop)
    text = "In flight while switching"

    def sent_on_work() -> list[dict]:
        return [m for m in work.messages() if m["outgoing"] and m["message"] == text]

    async with app.run_test(size=(120, 40)) as pilot:
        listing = await inbox_of(pilot, "work")
        conversation_id = listing.highlighted.id
        await wait_for(pilot, lambda: app.screen.open_id == conversation_id, what="thread open")
        await shop_in_background(pilot)
        store = app.sessions["work"].store
        work.faults.latency = 2.0  # the send is still on its way when the screens are rebuilt
        await send_reply(pilot, text)
        await wait_for(pilot, lambda: [i for i in store.outbox_items(OutboxState.SENDING) if i.text == text],
                       what="the reply on its way")  # fmt: skip
        await switch_from_the_reply_box_to_shop(pilot)
        work.faults.latency = 0.0

        # The inbox's send was cut off with its screen: the outcome is unknown, so work's
        # background poll looks for it on the server before sending it again.
        # (Under load the send may also have come back before the switch; then it is simply sent.)
        def settled() -> bool:
            states = [i.state for i in store.outbox_items() if i.text == text]
            return bool(sent_on_work()) and states in ([OutboxState.SENT], [])  # [] once shown and let go

        await wait_for(pilot, settled, timeout=20, what="the reply settled as sent")
        await pilot.pause(1.0)  # passes of work's outbox go on: nothing more is sent
        assert [m["conversation"]["id"] for m in sent_on_work()] == [conversation_id]


async def test_the_background_profile_polls_at_its_slow_pace(tmp_path: Path) -> None:
    work, shop = make_sandbox(), shop_sandbox()
    app = two_profile_app(tmp_path, work, shop)
    async with app.run_test(size=(120, 40)) as pilot:
        await inbox_of(pilot, "work")
        await shop_in_background(pilot)
        shop_before = list_polls(shop, "shop-account")
        work_before = list_polls(work, "demo-account")
        started = time.monotonic()
        await pilot.pause(3.0)
        elapsed = time.monotonic() - started
        shop_polls = list_polls(shop, "shop-account") - shop_before
        work_polls = list_polls(work, "demo-account") - work_before
        # shop: one list page every SHOP_BACKGROUND s at most; work, on screen, every 0.3 s.
        assert 1 <= shop_polls <= elapsed / SHOP_BACKGROUND + 1, (shop_polls, elapsed)
        assert work_polls > shop_polls, (work_polls, shop_polls)
        # Nothing but the list is asked of the profile in the background.
        shop_api = [p for _, p in shop.requests if p.startswith("/v1/accounts/")]
        assert set(shop_api) == {"/v1/accounts/shop-account/conversations"}, set(shop_api)


async def test_a_profile_not_set_up_opens_the_setup_form(tmp_path: Path) -> None:
    work, shop = make_sandbox(), shop_sandbox()
    fresh = Profile(name="fresh", api_url="http://fresh.invalid")
    app = two_profile_app(tmp_path, work, shop, fresh=fresh)
    async with app.run_test(size=(120, 40)) as pilot:
        await inbox_of(pilot, "work")
        await shop_in_background(pilot)
        await pilot.press("P")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ProfilesScreen", what="the profiles")
        assert "not set up" in screen_text(app)
        # fresh, shop, work by name: the first profile ready to switch to is highlighted.
        listing = app.screen.query_one("#profile-list")
        assert listing.highlighted_option.id == "shop"
        await pilot.press("up")
        assert listing.highlighted_option.id == "fresh"
        await pilot.press("enter")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "SetupScreen", what="the setup form")
        assert "Set up profile fresh" in screen_text(app)
        await pilot.press("escape")  # back, not quit
        await inbox_of(pilot, "work")
        assert app.is_running


async def test_a_broken_profile_does_not_take_the_others_down(tmp_path: Path) -> None:
    work, shop = make_sandbox(), shop_sandbox()
    broken = Profile(name="locked", api_url="http://locked.invalid", client_id="x", account_id="y",
                     client_secret_command="false")  # fmt: skip
    # shop's store is damaged: not a database at all.
    store_path = tmp_path / "data" / "profiles" / "shop.sqlite3"
    store_path.parent.mkdir(parents=True, mode=0o700)
    store_path.write_bytes(b"this is not a database, it is a bad copy" * 200)
    store_path.chmod(0o600)
    app = two_profile_app(tmp_path, work, shop, locked=broken)
    async with app.run_test(size=(120, 40)) as pilot:
        await inbox_of(pilot, "work")

        def shown() -> str:
            return " ".join(n.message for n in notifications(app))

        await wait_for(pilot, lambda: "Profile locked is not" in shown() and "Profile shop is not" in shown(),
                       timeout=10, what="both notices")  # fmt: skip
        assert {"locked", "shop"} <= set(app.profile_problems)
        shown = shown()
        assert "Profile locked is not available" in shown and "client_secret_command" in shown
        assert "Profile shop is not available" in shown and "shop.sqlite3" in shown
        assert SHOP_SECRET not in shown
        # work goes on: it still polls.
        polls = list_polls(work, "demo-account")
        await wait_for(pilot, lambda: list_polls(work, "demo-account") > polls, what="work still polling")

        # Choosing one says why not, and stays where it is.
        def told() -> list:
            return [n for n in notifications(app) if n.message.startswith("Profile locked is not available")]

        before = len(told())
        await app.switch_profile("locked")
        await wait_for(pilot, lambda: len(told()) > before, what="why not, again")
        assert "client_secret_command" in told()[-1].message
        assert app.profile.name == "work"


async def test_the_key_is_listed_with_its_id_and_can_be_remapped(tmp_path: Path) -> None:
    from sakari_tui.screens.help import bindings_table

    work, shop = make_sandbox(), shop_sandbox()
    app = two_profile_app(tmp_path, work, shop)
    app.config.keys["app.profiles"] = "f7"
    app.set_keymap(app.config.keys)
    async with app.run_test(size=(120, 40)) as pilot:
        await inbox_of(pilot, "work")
        table = bindings_table(app.screen)
        rows = list(zip(*(column.cells for column in table.columns)))
        assert any(str(key) == "f7" and str(action) == "Profiles" and str(bid) == "app.profiles"
                   for key, action, bid in rows), rows  # fmt: skip
        await pilot.press("f7")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ProfilesScreen", what="the profiles by f7")


@pytest.mark.usefixtures("frozen_time")
def test_snapshot_the_profiles_over_the_inbox(snap_compare, tmp_path: Path) -> None:
    """80x24: the status line with the other profile's count, and the profiles dialog."""
    work, shop = make_sandbox(), shop_sandbox()
    fresh = Profile(name="eu", api_url="https://api.sakari.io")  # not set up
    app = two_profile_app(tmp_path, work, shop, eu=fresh)
    for name in ("work", "shop"):  # no polling while the picture is taken, after the first
        app.config.profiles[name] = replace(app.config.profiles[name], **QUIET, poll_background=60)
    app.profile = app.config.profiles["work"]

    async def shown(pilot) -> None:
        await inbox_of(pilot, "work")
        screen = app.screen
        await wait_for(pilot, lambda: screen.open_id and screen.query_one(MessageThread).bubbles, what="thread")
        await wait_for(pilot, lambda: app.connection.link is Link.ONLINE, what="online")
        await wait_for(pilot, lambda: app.others_unread, what="shop's count")
        await pilot.press("P")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ProfilesScreen", what="the profiles")
        still_cursors(app)
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=shown)


async def test_a_reply_refused_in_the_background_profile_is_told(tmp_path: Path) -> None:
    work, shop = make_sandbox(), shop_sandbox()
    app = two_profile_app(tmp_path, work, shop)
    async with app.run_test(size=(120, 40)) as pilot:
        await inbox_of(pilot, "work")
        await shop_in_background(pilot)
        # As if typed in shop before switching away, to a conversation the server no longer has.
        app.sessions["shop"].outbox.enqueue("Are you still there?", conversation_id="gone-conversation")

        def told() -> list[str]:
            return [n.message for n in notifications(app) if n.message.startswith("Profile shop: a reply was not sent")]

        await wait_for(pilot, told, timeout=10, what="the notice")
        assert app.profile.name == "work"
        await pilot.pause(1.5)  # more passes of shop's outbox: still one notice
        assert len(told()) == 1
