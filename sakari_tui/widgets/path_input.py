"""A path input that completes from the filesystem as you type (Tab or → accepts)."""

from __future__ import annotations

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
        """Tab takes the suggestion; with none, Tab moves on as usual."""
        suggestion = self._suggestion
        if suggestion and len(suggestion) > len(self.value):
            self.value = suggestion
            self.cursor_position = len(suggestion)
        else:
            self.screen.focus_next()

    @property
    def path(self) -> Path:
        return Path(os.path.expanduser(self.value.strip()))
