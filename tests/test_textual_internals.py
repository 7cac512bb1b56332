"""Where the app leans on Textual's private internals for speed, a test that fails when a
Textual release changes them: either the trick stopped working (the test of the effect
fails) or it stopped mattering (the control fails), and the code should change either way.
"""

from __future__ import annotations

from typing import Any

import pytest
from textual.screen import Screen

from sakari_tui.screens.conversations import ConversationsScreen
from conftest import wait_for


async def test_a_mode_screen_made_by_the_app_does_not_restyle_every_screen(app: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    # app._screen_factory marks a screen it makes as styled (Screen._css_update_count), so
    # that showing its mode does not re-parse every stylesheet (App.refresh_css): about a
    # tenth of start-up for the first screen.
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ConversationsScreen), what="the inbox")
        restyled: list[int] = []
        refresh_css = app.refresh_css

        def counting(*args: Any, **kwargs: Any) -> None:
            restyled.append(1)
            refresh_css(*args, **kwargs)

        monkeypatch.setattr(app, "refresh_css", counting)
        await app.switch_mode("templates")
        await pilot.pause()
        assert app.current_mode == "templates"
        assert restyled == []

        # The control: a mode screen that is not marked makes Textual restyle everything.
        # If this stops happening, the mark in the factory is dead weight.
        app.add_mode("plain", Screen)
        await app.switch_mode("plain")
        await pilot.pause()
        assert app.current_mode == "plain"
        assert restyled
