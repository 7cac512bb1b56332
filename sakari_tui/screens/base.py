"""What every screen of the app shares."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Generic, TypeVar

from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.screen import ModalScreen, Screen
from textual.widget import Widget
from textual.widgets import Static
from textual.worker import Worker

from sakari_tui.styles import style

if TYPE_CHECKING:
    from sakari_tui.app import SakariApp

ResultType = TypeVar("ResultType")


class _OfSakariApp:
    """What every screen has from the app: the app itself, typed (``self.app.client``,
    ``self.app.store``...), and the one handler of worker errors."""

    if TYPE_CHECKING:
        # Screens are only ever shown by SakariApp; at run time this is Textual's own property.
        # (mypy calls the override incompatible, as App is invariant in its return type: the
        # two classes below say so once, instead of a cast at every use.)
        @property
        def app(self) -> SakariApp: ...

    # Worker.StateChanged does not bubble, so each screen passes it to the app's one handler.
    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        self.app.report_worker_state(event)


class SakariScreen(_OfSakariApp, Screen[ResultType], Generic[ResultType]):  # type: ignore[misc]
    # Showing a mode's screen for the first time sends it two ScreenResume events just after
    # it mounted, and each re-applies every style to every widget on it, styled a moment
    # before: a few milliseconds of start-up. Until its first frame, a resume does not.
    _styled_at_mount = True

    # Widgets whose keys the help lists too, under a title, when they are on the screen but
    # not focused (their keys work once they have focus).
    HELP_SECTIONS: ClassVar[list[tuple[str, type[Widget]]]] = []

    def after_first_frame(self) -> None:
        """Called by the app once this screen's first full frame has been shown (the work
        that can wait for it: the rest of a cache, say). Nothing by default."""

    def on_mount(self) -> None:
        # A method, not ``setattr``: Textual reads the signature of every callback it calls,
        # and a builtin's is parsed from its text (the first time, compiling the tokenizer's
        # regular expressions: 2-5 ms of start-up).
        self.call_after_refresh(self._styled)

    def _styled(self) -> None:
        self._styled_at_mount = False

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        # ``refresh_styles`` is the event's public field. Textual runs a subclass's handler
        # before its base classes' (which is what makes ``prevent_default`` work), so Screen's
        # own handler reads it after this one has set it: tests/test_textual_private.py.
        if self._styled_at_mount:
            event.refresh_styles = False


class SakariModal(_OfSakariApp, ModalScreen[ResultType], Generic[ResultType]):  # type: ignore[misc]
    # Every dialog's and form's styles, read when the first one is shown, not at start-up.
    CSS_PATH = style("dialogs")


class EditForm(SakariModal[ResultType], Generic[ResultType]):
    """A modal form with #save and #cancel buttons that asks before dropping what was typed.

    Subclasses give the form's current ``values()`` (compared with what they were at mount,
    ``_initial``, to know whether anything was typed) and how to save (``action_save``).
    """

    _initial: object = None

    # Tab moves between fields before the key reaches the focused one. Textual hands a key to
    # the focused widget first and checks bindings as it bubbles back, so with a fast typist
    # (or a paste of "name<Tab>email") the characters after a Tab landed in the field it left.
    BINDINGS = [
        Binding("tab", "app.focus_next", "Next field", id="form.next", show=False, priority=True),
        Binding("shift+tab", "app.focus_previous", "Previous field", id="form.previous", show=False, priority=True),
    ]

    def values(self) -> object:
        return None

    @property
    def dirty(self) -> bool:
        return self.values() != self._initial

    def show_error(self, message: str | Text) -> None:
        """Under the form, in #form-error; an empty message hides it."""
        box = self.query_one("#form-error", Static)
        box.update(message if isinstance(message, Text) else Text(message))
        box.display = bool(message)
        if message:
            box.call_after_refresh(box.scroll_visible)

    def action_save(self) -> None:
        raise NotImplementedError

    def action_cancel(self) -> None:
        if not self.dirty:
            self.dismiss(None)
            return
        from sakari_tui.screens.dialogs import confirm_then

        confirm_then(self.app, "Close the form and lose what you typed?", "Discard", lambda: self.dismiss(None))
