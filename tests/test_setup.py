"""First run: the setup screen checks credentials against the API before writing anything."""

from __future__ import annotations

import stat
from pathlib import Path

import httpx
from conftest import make_sandbox, wait_for
from textual.widgets import Input, Static

from sakari_tui.app import SakariApp
from sakari_tui.config import Config, Profile, load_config
from sakari_tui.screens.conversations import ConversationsScreen
from sakari_tui.screens.setup import SetupScreen

SANDBOX_URL = "http://sandbox.invalid"


def setup_app(tmp_path: Path):
    sandbox = make_sandbox()
    config = Config(path=tmp_path / "config" / "config.toml")
    app = SakariApp(
        Profile(name="default"),
        data_dir=tmp_path / "data",
        config=config,
        transport=httpx.ASGITransport(app=sandbox.app),
    )
    return app, config


async def fill(pilot, **values: str) -> None:
    screen = pilot.app.screen
    for name, value in values.items():
        field = screen.query_one(f"#setup-{name}", Input)
        field.value = value
    await pilot.pause()


async def test_wrong_credentials_show_the_api_error_and_write_nothing(tmp_path: Path) -> None:
    app, config = setup_app(tmp_path)
    async with app.run_test(size=(100, 40)) as pilot:
        assert isinstance(app.screen, SetupScreen)
        await fill(pilot, client_id="demo-client", client_secret="wrong", account_id="demo-account",
                   api_url=SANDBOX_URL, default_region="US")  # fmt: skip
        await pilot.click("#setup-save")
        error = app.screen.query_one("#setup-error", Static)
        await wait_for(pilot, lambda: "The API said no" in str(error.render()), what="the API's error in the form")
        assert "AUTH-001" in str(error.render())
        assert "wrong" not in str(error.render())  # the secret is not echoed
        assert not config.path.exists()


async def test_missing_fields_and_bad_region_are_named(tmp_path: Path) -> None:
    app, config = setup_app(tmp_path)
    async with app.run_test(size=(100, 40)) as pilot:
        await fill(pilot, client_id="", client_secret="", account_id="x", api_url=SANDBOX_URL)
        await pilot.click("#setup-save")
        assert "Client id" in str(app.screen.query_one("#setup-error", Static).render())
        await fill(pilot, client_id="a", client_secret="b", default_region="XX")
        app.screen.query_one("#setup-default_region", Input).focus()
        await pilot.press("enter")  # Enter in the last field submits the form
        assert "Unknown region" in str(app.screen.query_one("#setup-error", Static).render())
        assert not config.path.exists()


async def test_right_credentials_write_a_private_config_and_open_the_inbox(tmp_path: Path) -> None:
    app, config = setup_app(tmp_path)
    async with app.run_test(size=(100, 40)) as pilot:
        await fill(pilot, client_id="demo-client", client_secret="demo-secret", account_id="demo-account",
                   api_url=SANDBOX_URL, default_region="gb")  # fmt: skip
        await pilot.click("#setup-save")
        await wait_for(pilot, lambda: isinstance(app.screen, ConversationsScreen), what="the inbox")
    assert stat.S_IMODE(config.path.stat().st_mode) == 0o600
    saved = load_config(config.path).profiles["default"]
    assert (saved.client_id, saved.account_id, saved.api_url, saved.default_region) == (
        "demo-client", "demo-account", SANDBOX_URL, "GB",
    )  # fmt: skip
    assert saved.client_secret == "demo-secret"


async def test_the_focused_field_shows_what_is_typed_at_80x24(tmp_path: Path) -> None:
    from textual.geometry import Region

    app, _ = setup_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        assert isinstance(app.screen, SetupScreen)
        field = app.screen.query_one("#setup-client_id", Input)
        assert field.has_focus
        for key in "abc-123":
            await pilot.press(key)
        await pilot.pause()
        assert field.value == "abc-123"
        assert field.content_region.height >= 1  # not all border
        lines = field.render_lines(Region(0, 0, *field.size))
        assert any("abc-123" in strip.text for strip in lines), [strip.text for strip in lines]
