"""The footer of every screen: Textual's, rebuilt only when the keys it shows change.

Textual's footer rebuilds all of its keys whenever a screen's bindings are refreshed: on
every focus change, and several times while a screen is first shown, even when the keys
it shows stay the same. Each rebuild removes, mounts and styles every key again.
"""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Footer as TextualFooter


class Footer(TextualFooter):
    # What the keys on show were made from (keys_shown), once a rebuild has been asked for.
    _keys_shown: tuple | None = None

    def bindings_changed(self, screen: Screen) -> None:
        shown = keys_shown(screen)
        if shown == self._keys_shown:
            return
        # Textual's footer rebuilds only on its own screen while the app has focus; the keys
        # count as shown only then, so a refresh skipped here is not skipped again later.
        if screen.app.app_focus and self.is_attached and screen is self.screen:
            self._keys_shown = shown
        super().bindings_changed(screen)


def keys_shown(screen: Screen) -> tuple:
    """Everything of a screen's bindings that the footer's keys are made from."""
    palette = screen.app.COMMAND_PALETTE_BINDING  # shown at the end, whether or not ``show``
    return tuple(
        (key, binding.key_display, binding.description, binding.action, binding.group, enabled, tooltip)
        for key, (_node, binding, enabled, tooltip) in screen.active_bindings.items()
        if binding.show or key == palette
    )
