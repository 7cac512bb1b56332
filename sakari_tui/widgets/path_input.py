"""A path input that completes from the filesystem as you type (Tab or → accepts)."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from textual.binding import Binding
from textual.suggester import Suggester
from textual.widgets import Input


class PathSuggester(Suggester):
    """Suggests the first entry of the typed directory that starts with the typed name;
    directories get a trailing slash so completion can go on into them."""

    def __init__(self) -> None:
        super().__init__(use_cache=False, case_sensitive=True)

    async def get_suggestion(self, value: str) -> str | None:
        if not value:
            return None
        # Listing a directory can be slow (a network mount): not on the event loop.
        return await asyncio.to_thread(first_match, value)


def first_match(value: str) -> str | None:
    """The first entry of ``value``'s directory that completes it (hidden ones only when
    asked for with a leading dot), with a slash after a directory; None when there is none."""
    expanded = os.path.expanduser(value)
    folder, prefix = os.path.split(expanded)
    try:
        names = sorted(os.listdir(folder or "."))
    except OSError:
        return None
    for name in names:
        if name.startswith(prefix) and name != prefix and (prefix.startswith(".") or not name.startswith(".")):
            suggestion = value[: len(value) - len(prefix)] + name
            if os.path.isdir(os.path.join(folder or ".", name)):
                suggestion += os.sep
            return suggestion
    return None


class PathInput(Input):
    BINDINGS = [Binding("tab", "complete", "Complete", id="path.complete", show=False)]

    def __init__(self, value: str = "", **kwargs) -> None:
        kwargs.setdefault("placeholder", "path to a file (Tab completes)")
        super().__init__(value, suggester=PathSuggester(), **kwargs)

    def action_complete(self) -> None:
        """Tab takes the suggestion shown; with none, Tab moves on as usual. Input's own
        "cursor right" at the end of the text is what takes a suggestion."""
        before = self.value
        self.cursor_position = len(before)
        self.action_cursor_right()
        if self.value == before:
            self.screen.focus_next()

    @property
    def path(self) -> Path:
        return Path(os.path.expanduser(self.value.strip()))
