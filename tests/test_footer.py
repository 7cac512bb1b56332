"""The footer shows the keys of what has focus, and is rebuilt only when they change."""

from __future__ import annotations

import pytest
from conftest import wait_for

from sakari_tui.app import SakariApp
from sakari_tui.widgets.composer import Composer
from sakari_tui.widgets.conversation_list import ConversationList
from sakari_tui.widgets.footer import Footer


def footer_keys(app: SakariApp) -> list[str]:
    # By the type's name: Textual does not export FooterKey.
    keys = app.screen.query_one(Footer).query("FooterKey")
    return [f"{key.key_display} {key.description}".strip() for key in keys]


async def test_the_footer_follows_focus_and_is_rebuilt_only_when_its_keys_change(
    app: SakariApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    rebuilds: list[list[str]] = []
    recompose = Footer.recompose

    async def counted(self: Footer) -> None:
        rebuilds.append(footer_keys(self.app))
        await recompose(self)

    monkeypatch.setattr(Footer, "recompose", counted)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.screen.query_one(ConversationList).rows, what="the cached inbox")
        await wait_for(pilot, lambda: footer_keys(app), what="the footer's keys")
        in_list = footer_keys(app)
        assert any("Reply" in key for key in in_list)

        await pilot.press("r")  # the reply box: keys of its own
        await wait_for(pilot, lambda: isinstance(app.focused, Composer), what="the reply box focused")
        await wait_for(pilot, lambda: footer_keys(app) != in_list, what="the reply box's keys")
        assert not any("Reply" in key for key in footer_keys(app))

        await pilot.press("escape")
        await wait_for(pilot, lambda: footer_keys(app) == in_list, what="the list's keys again")

        before = len(rebuilds)
        for _ in range(5):  # nothing the footer shows has changed
            app.screen.refresh_bindings()
            await pilot.pause()
        await pilot.pause(0.1)
        assert len(rebuilds) == before
        assert footer_keys(app) == in_list
