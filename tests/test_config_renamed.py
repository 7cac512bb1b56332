"""A config written for an older release: binding ids renamed since still remap their keys,
and the app says once which ids it read as which."""

from __future__ import annotations

from pathlib import Path

import httpx
from conftest import FAST, make_sandbox, wait_for

from sakari_tui.app import SakariApp
from sakari_tui.config import load_config, save_config
from sakari_tui.demo import demo_profile
from sakari_tui.screens.contacts import ContactsScreen
from sakari_tui.screens.conversations import ConversationsScreen
from sakari_tui.textual_private import notifications

OLD_KEYS = """
[keys]
"paged_list.down" = "x"
"paged_list.up" = "X"
"list.up" = "w"
"app.quit" = "ctrl+q"
"""


def test_old_list_ids_are_read_as_the_new_ones_with_one_warning(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(OLD_KEYS, encoding="utf-8")
    config = load_config(path)
    # paged_list.* became list.*; an entry under the new id wins over the old one.
    assert config.keys == {"list.down": "x", "list.up": "w", "app.quit": "ctrl+q"}
    assert config.warnings == [
        "[keys]: old binding ids read as the new ones (paged_list.down as list.down, paged_list.up as list.up); "
        "rename them in the config file"
    ]
    save_config(config)  # saving writes the new ids, and no warning
    again = load_config(path)
    assert again.keys == config.keys and again.warnings == []


def test_current_ids_give_no_warning(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[keys]\n"list.down" = "x"\n', encoding="utf-8")
    config = load_config(path)
    assert config.keys == {"list.down": "x"} and config.warnings == []


async def test_the_app_says_so_and_the_old_remap_moves_the_contacts_cursor(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[keys]\n"paged_list.down" = "x"\n', encoding="utf-8")
    sandbox = make_sandbox()
    app = SakariApp(
        profile=demo_profile(**FAST),
        config=load_config(path),
        data_dir=tmp_path / "data",
        transport=httpx.ASGITransport(app=sandbox.app),
        sandbox=sandbox,
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ConversationsScreen), what="the inbox")
        await wait_for(
            pilot,
            lambda: any("paged_list.down as list.down" in str(n.message) for n in notifications(app)),
            what="the warning",
        )
        await pilot.press("2")
        screen = app.screen
        assert isinstance(screen, ContactsScreen)
        listing = screen.listing
        await wait_for(pilot, lambda: listing.highlighted is not None, what="the first page")
        assert listing.cursor == 0
        await pilot.press("x")
        await wait_for(pilot, lambda: listing.cursor == 1, what="x moving the cursor down")
        await pilot.press("j")  # the remap replaced the default keys of list.down
        await pilot.pause()
        assert listing.cursor == 1
