"""The one place that reads Textual's private attributes, where it has no public API.

Each function names what it reads and why; ``tests/test_textual_private.py`` fails as soon as
a Textual release renames or reshapes any of them, so an upgrade breaks there, in one place,
and not in the middle of unrelated tests. Nothing here is used by the app at run time: the
tests need to see what the app shows.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from textual.app import App
    from textual.notifications import Notification


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
