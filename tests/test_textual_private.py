"""What the app and its tests rely on in Textual beyond its documented API.

sakari_tui/textual_private.py is the one module that reads Textual's private attributes;
these tests fail as soon as a Textual release changes any of them (or the handler order that
``SakariScreen`` relies on), so an upgrade breaks here, by name, and not in unrelated tests.
"""

from __future__ import annotations

from typing import Any

import pytest
from conftest import wait_for
from textual.app import App, ComposeResult
from textual.events import ScreenResume
from textual.screen import Screen
from textual.widgets import Label

from sakari_tui.screens.base import SakariModal, SakariScreen
from sakari_tui.screens.conversations import ConversationsScreen
from sakari_tui.textual_private import notifications, screen_text


class Plain(App[None]):
    def compose(self) -> ComposeResult:
        yield Label("under the dialog")


class Dialog(SakariModal[None]):
    DEFAULT_CSS = "Dialog { align: center bottom; }"

    def compose(self) -> ComposeResult:
        yield Label("the dialog")


async def test_notifications_lists_what_is_shown_and_drops_what_was_cleared() -> None:
    app = Plain()
    async with app.run_test(notifications=True) as pilot:
        assert notifications(app) == []
        app.notify("first", title="One")
        app.notify("second", severity="error")
        await pilot.pause()
        assert [(n.message, n.title, n.severity) for n in notifications(app)] == [
            ("first", "One", "information"),
            ("second", "", "error"),
        ]
        app.clear_notifications()
        assert notifications(app) == []


async def test_screen_text_shows_a_dialog_over_its_screen() -> None:
    app = Plain()
    async with app.run_test(size=(40, 10)) as pilot:
        assert "under the dialog" in screen_text(app)
        app.push_screen(Dialog())
        await pilot.pause()
        text = screen_text(app)
        assert "the dialog" in text and "under the dialog" in text
        assert len(text.splitlines()) == 10


async def test_a_screens_resume_handler_runs_before_textuals_own(monkeypatch: pytest.MonkeyPatch) -> None:
    """SakariScreen turns off the restyling of a screen's first resume by setting the event's
    ``refresh_styles``: that works only while Screen's own handler runs after it."""
    seen: list[bool] = []
    textual_handler = Screen._on_screen_resume

    def recording(self: Screen[object], event: ScreenResume) -> None:
        seen.append(event.refresh_styles)
        textual_handler(self, event)

    monkeypatch.setattr(Screen, "_on_screen_resume", recording)

    class Shown(SakariScreen[None]):
        def compose(self) -> ComposeResult:
            yield Label("a screen")

    app = Plain()
    async with app.run_test() as pilot:
        seen.clear()
        app.push_screen(Shown())
        await pilot.pause()
        assert seen and not any(seen)  # the first resume, just after mounting: no restyle
        await wait_for(pilot, lambda: not app.screen._styled_at_mount, what="the first frame")
        app.screen.post_message(ScreenResume())
        await pilot.pause()
        assert seen[-1] is True  # a later resume restyles as Textual does


async def test_a_mode_screen_made_by_the_app_does_not_restyle_every_screen(
    app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
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
