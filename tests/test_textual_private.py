"""What the app and its tests rely on in Textual beyond its documented API.

sakari_tui/textual_private.py is the one module that reads Textual's private attributes;
these tests fail as soon as a Textual release changes any of them (or the handler order that
``SakariScreen`` relies on), so an upgrade breaks here, by name, and not in unrelated tests.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from conftest import wait_for
from rich.console import Console
from rich.text import Text
from textual.app import App, ComposeResult
from textual.events import Key, ScreenResume
from textual.screen import Screen
from textual.widgets import Label

from sakari_tui.screens.base import SakariModal, SakariScreen
from sakari_tui.screens.conversations import ConversationsScreen
from sakari_tui.textual_private import (
    ReportingApp,
    exit_renderables,
    feed_from_terminal,
    mark_styled,
    notifications,
    screen_text,
    write_to_terminal,
)


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


class Broken(Exception):
    pass


class Reporting(ReportingApp[None]):
    """Breaks on a key; reports a ``Broken`` in one line and leaves others to Textual."""

    def __init__(self, error: Exception) -> None:
        super().__init__()
        self.error = error
        self.reported: list[Exception] = []

    def compose(self) -> ComposeResult:
        yield Label("about to break")

    def key_b(self) -> None:
        raise self.error

    def exit_report(self, error: Exception) -> Text | None:
        self.reported.append(error)
        return Text("one line about it") if isinstance(error, Broken) else None


async def test_an_unhandled_error_ends_the_app_with_the_apps_own_report() -> None:
    """Textual hands an error no handler caught to ``App._handle_exception``, which ends the
    app: ``ReportingApp`` overrides it, so the report must be the app's, the return code 1
    and the error raised again by ``run_test``, as Textual does."""
    error = Broken("broken")
    app = Reporting(error)
    with pytest.raises(Broken):
        async with app.run_test() as pilot:
            await pilot.press("b")
            await wait_for(pilot, lambda: exit_renderables(app), what="the report")
            report = exit_renderables(app)
    assert app.reported == [error]
    assert app.return_code == 1
    console = Console(width=80, record=True, file=io.StringIO())
    for shown in report:
        console.print(shown)
    assert console.export_text().strip() == "one line about it"


async def test_without_a_report_textuals_own_takes_over() -> None:
    app = Reporting(RuntimeError("not ours"))
    with pytest.raises(RuntimeError):
        async with app.run_test() as pilot:
            await pilot.press("b")
            await wait_for(pilot, lambda: exit_renderables(app), what="Textual's report")
    assert len(app.reported) == 1 and app.return_code == 1


async def test_write_to_terminal_goes_through_the_driver(monkeypatch: pytest.MonkeyPatch) -> None:
    app = Plain()
    write_to_terminal(app, "\x1b]0;before it runs\x07")  # no driver yet: nothing, no error
    async with app.run_test() as pilot:
        written: list[str] = []
        monkeypatch.setattr(app._driver, "write", written.append)
        write_to_terminal(app, "\x1b]0;a title\x07")
        await pilot.pause()
        assert written == ["\x1b]0;a title\x07"]


async def test_feed_from_terminal_queues_keys_as_one_read_would() -> None:
    seen: list[str] = []

    class Listening(Plain):
        def on_key(self, event: Key) -> None:
            seen.append(event.key)

    app = Listening()
    with pytest.raises(RuntimeError):
        feed_from_terminal(app, Key("a", "a"))  # not running: said, not ignored
    async with app.run_test() as pilot:
        for ch in "abc":
            feed_from_terminal(app, Key(ch, ch))
        await wait_for(pilot, lambda: len(seen) == 3, what="the three keys")
        assert seen == ["a", "b", "c"]


async def test_mark_styled_copies_the_apps_stylesheet_generation() -> None:
    app = Plain()
    async with app.run_test() as pilot:
        screen = Screen()
        app._css_update_count += 1  # as a stylesheet change does
        assert screen._css_update_count != app._css_update_count
        app.push_screen(screen)
        await pilot.pause()
        mark_styled(screen)
        assert screen._css_update_count == app._css_update_count
