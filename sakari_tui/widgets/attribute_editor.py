"""A key/value editor for a contact's custom attributes.

One row per attribute (name, value, a remove button); there is always one blank row at the
end, and typing in it adds another. A row whose name is empty is left out. Values that were
not edited keep their original type (a number stays a number).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input


def _as_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    import json

    return json.dumps(value, ensure_ascii=False) if isinstance(value, (dict, list, bool)) else str(value)


class AttributeRow(Horizontal):
    DEFAULT_CSS = """
    AttributeRow { height: 1; }
    AttributeRow > .attribute-key { width: 18; margin-right: 1; }
    AttributeRow > .attribute-value { width: 1fr; }
    AttributeRow > Button { width: 3; min-width: 3; margin-left: 1; }
    """

    def __init__(self, key: str = "", value: str = "") -> None:
        super().__init__()
        self._key = key
        self._value = value

    def compose(self) -> ComposeResult:
        yield Input(self._key, placeholder="name", classes="attribute-key", compact=True)
        yield Input(self._value, placeholder="value", classes="attribute-value", compact=True)
        yield Button("✕", classes="attribute-remove", compact=True, tooltip="Remove this attribute")

    @property
    def key(self) -> str:
        return self.query_one(".attribute-key", Input).value.strip()

    @property
    def value(self) -> str:
        return self.query_one(".attribute-value", Input).value

    @property
    def is_blank(self) -> bool:
        return not self.key and not self.value.strip()


class AttributeEditor(Vertical):
    DEFAULT_CSS = """
    AttributeEditor { height: auto; }
    """
    BINDINGS = [Binding("ctrl+d", "remove_row", "Remove attribute", id="attributes.remove", show=False)]

    def __init__(self, attributes: Mapping[str, Any] | None = None, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.original: dict[str, Any] = dict(attributes or {})

    def compose(self) -> ComposeResult:
        for key, value in self.original.items():
            yield AttributeRow(str(key), _as_text(value))
        yield AttributeRow()

    @property
    def rows(self) -> list[AttributeRow]:
        return list(self.query(AttributeRow))

    def values(self) -> dict[str, Any]:
        """The attributes as edited; raises ValueError naming a duplicated name."""
        out: dict[str, Any] = {}
        for row in self.rows:
            key = row.key
            if not key:
                continue
            if key in out:
                raise ValueError(f"“{key}” is there twice")
            original = self.original.get(key)
            out[key] = original if key in self.original and _as_text(original) == row.value else row.value
        return out

    async def add_row(self, key: str = "", value: str = "") -> AttributeRow:
        row = AttributeRow(key, value)
        await self.mount(row)
        return row

    @on(Input.Changed)
    async def grow(self, event: Input.Changed) -> None:
        rows = self.rows
        if rows and event.input.parent is rows[-1] and not rows[-1].is_blank:
            await self.add_row()

    @on(Input.Submitted)
    def next_field(self, event: Input.Submitted) -> None:
        event.stop()
        self.screen.focus_next()

    @on(Button.Pressed, ".attribute-remove")
    async def remove_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        row = event.button.parent
        if isinstance(row, AttributeRow):
            await self._remove(row)

    async def action_remove_row(self) -> None:
        focused = self.screen.focused
        row = focused.parent if focused is not None else None
        if isinstance(row, AttributeRow):
            await self._remove(row)

    async def _remove(self, row: AttributeRow) -> None:
        rows = self.rows
        index = rows.index(row)
        if row is rows[-1]:  # the blank row stays: just empty it
            for field in row.query(Input):
                field.value = ""
            return
        await row.remove()
        remaining = self.rows
        if remaining:
            remaining[min(index, len(remaining) - 1)].query_one(".attribute-key", Input).focus()
