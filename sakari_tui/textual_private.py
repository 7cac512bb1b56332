"""The one place that reads Textual's private attributes, where it has no public API.

Each function or class names what it reads and why; ``tests/test_textual_private.py`` fails as
soon as a Textual release renames or reshapes any of them, so an upgrade breaks there, in one
place, and not in the middle of unrelated tests. The app uses three of them at run time (its
crash report, writing to the terminal, and marking a new screen as styled); the tests use the
others to see what the app shows.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

from textual.app import App, ReturnType

if TYPE_CHECKING:
    from rich.console import RenderableType
    from textual.message import Message
    from textual.notifications import Notification
    from textual.screen import Screen


class ReportingApp(App[ReturnType]):
    """An app that says itself what the terminal shows after an error no handler caught.

    Textual ends the app then and prints a traceback with the local variables of every frame
    (``App._handle_exception``, then ``App._fatal_error``), and offers no public hook to change
    that. This class takes over ``_handle_exception``: when ``exit_report`` gives a report,
    it does what Textual does (return code 1, the first error kept for ``run_test`` to raise,
    the app's message queues closed at once) with that report instead of the traceback.
    """

    def exit_report(self, error: Exception) -> RenderableType | None:
        """What the terminal shows after the app ended on ``error``; None for Textual's own
        report. Called while ``error`` is being handled, so a ``rich.traceback.Traceback``
        made here shows it."""
        return None

    def _handle_exception(self, error: Exception) -> None:
        report = self.exit_report(error)
        if report is None:
            super()._handle_exception(error)
            return
        self._return_code = 1
        if self._exception is None:
            self._exception = error
            self._exception_event.set()
        # As App._fatal_error ends it, but the report kept as it is (App.panic would render
        # it now, at the app's width): printed when the app has gone, one line stays one line.
        self._exit_renderables.append(report)
        self._close_messages_no_wait()


def write_to_terminal(app: App[Any], sequence: str) -> None:
    """Write ``sequence`` to the terminal as it is, through the app's driver (``App._driver``;
    nothing before it runs): Textual writes its own sequences (the bell, OSC 52) that way but
    has no public call for an app's (a window title, a desktop notification)."""
    driver = app._driver
    if driver is not None:
        driver.write(sequence)


def mark_styled(screen: Screen[Any]) -> None:
    """Tell Textual that ``screen`` is styled with the app's current stylesheet
    (``Screen._css_update_count``, ``App._css_update_count``): Textual re-parses every
    stylesheet, twice, when a mode's screen is first shown, in case styles changed while it
    was away (textual#5211). A screen made just now is styled as it mounts."""
    screen._css_update_count = screen.app._css_update_count


def feed_from_terminal(app: App[Any], event: Message) -> None:
    """Queue ``event`` as the driver queues what it reads from the terminal
    (``App._driver.send_message``): keys that arrive in one read are all queued before the
    first is handled, which ``Pilot.press`` (one key, then a wait) cannot show."""
    driver = app._driver
    if driver is None:
        raise RuntimeError("the app is not running: it has no driver yet")
    driver.send_message(event)


def exit_renderables(app: App[Any]) -> list[Any]:
    """What the terminal shows after the app has ended (``App._exit_renderables``): its
    ``exit`` message, or what ``panic`` or a crash report left."""
    return list(app._exit_renderables)


def notifications(app: App[object]) -> list[Notification]:
    """The notifications the app shows now (``App._notifications``): Textual lets an app add
    and clear them, but not list them. Those that have expired are not included."""
    return list(app._notifications)


def screen_text(app: App[object]) -> str:
    """Everything the terminal shows now, as plain text, dialogs over their screens: what
    ``App.export_screenshot`` renders (``Screen._compositor``, ``App._background_screens``),
    as text instead of SVG."""
    from rich.console import Console

    console = Console(width=app.size.width, height=app.size.height, file=io.StringIO(), record=True,
                      force_terminal=True, legacy_windows=False, safe_box=False)  # fmt: skip
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens, simplify=True)
    console.print(update)
    return console.export_text()
