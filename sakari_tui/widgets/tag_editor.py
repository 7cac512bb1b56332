"""Editing a contact's tags: chips for the tags it has, an input to add more.

Enter (or a comma) in the input adds what was typed; backspace in the empty input removes
the last tag. On the chips, left/right choose one and delete or backspace removes it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Input

from sakari_tui.core.text import one_line


def clean_tag(text: str) -> str:
    return one_line(text).strip(" ,")


class TagChips(Widget, can_focus=True):
    DEFAULT_CSS = """
    TagChips { width: 1fr; height: auto; min-height: 1; }
    TagChips:focus { background: $boost; }
    """
    BINDINGS = [
        Binding("left", "move(-1)", "Previous tag", id="tags.previous", show=False),
        Binding("right", "move(1)", "Next tag", id="tags.next", show=False),
        Binding("delete,backspace", "remove", "Remove tag", id="tags.remove", show=False),
    ]

    cursor: reactive[int] = reactive(0)

    class Changed(Message):
        pass

    def __init__(self, tags: Iterable[str] = (), **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.tags: list[str] = []
        for tag in tags:
            self.add(tag, announce=False)

    def render(self) -> Text:
        if not self.tags:
            return Text("no tags", style="dim italic")
        text = Text()
        for index, tag in enumerate(self.tags):
            if index:
                text.append(" ")
            current = self.has_focus and index == self.cursor
            text.append(f" {tag} ×", style="bold reverse" if current else "reverse")
        return text

    def add(self, tag: str, *, announce: bool = True) -> bool:
        tag = clean_tag(tag)
        if not tag or tag.lower() in (t.lower() for t in self.tags):
            return False
        self.tags.append(tag)
        self.refresh(layout=True)
        if announce:
            self.post_message(self.Changed())
        return True

    def remove_tag(self, index: int) -> None:
        """Drop the tag at ``index`` (not ``remove``: that is ``Widget.remove``, which unmounts)."""
        if 0 <= index < len(self.tags):
            del self.tags[index]
            self.cursor = min(self.cursor, max(len(self.tags) - 1, 0))
            self.refresh(layout=True)
            self.post_message(self.Changed())

    def action_move(self, step: int) -> None:
        if self.tags:
            self.cursor = (self.cursor + step) % len(self.tags)

    def action_remove(self) -> None:
        self.remove_tag(self.cursor)
        if not self.tags:
            self.screen.focus_next()

    def watch_cursor(self) -> None:
        self.refresh()

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    def on_click(self, event: events.Click) -> None:
        # Which chip was clicked: chips are " tag ×" joined by single spaces.
        x = 0
        for index, tag in enumerate(self.tags):
            width = len(tag) + 3
            if x <= event.x < x + width:
                self.cursor = index
                if event.x >= x + width - 1:  # on the ×
                    self.remove_tag(index)
                return
            x += width + 1


class TagEditor(Horizontal):
    DEFAULT_CSS = """
    TagEditor { height: auto; }
    TagEditor > Input { width: 22; }
    """

    def __init__(self, tags: Iterable[str] = (), *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._initial = list(tags)

    def compose(self) -> ComposeResult:
        yield TagChips(self._initial, id="tag-chips")
        yield Input(placeholder="add a tag, Enter", id="tag-input", compact=True)

    @property
    def chips(self) -> TagChips:
        return self.query_one(TagChips)

    @property
    def tags(self) -> list[str]:
        """The tags, including one typed but not yet added with Enter."""
        pending = clean_tag(self.query_one("#tag-input", Input).value)
        tags = list(self.chips.tags)
        if pending and pending.lower() not in (t.lower() for t in tags):
            tags.append(pending)
        return tags

    @on(Input.Submitted, "#tag-input")
    def submitted(self, event: Input.Submitted) -> None:
        event.stop()
        for part in event.value.split(","):
            self.chips.add(part)
        event.input.value = ""

    @on(Input.Changed, "#tag-input")
    def typed(self, event: Input.Changed) -> None:
        if "," in event.value:
            *done, rest = event.value.split(",")
            for part in done:
                self.chips.add(part)
            event.input.value = rest.lstrip()

    def on_key(self, event: events.Key) -> None:
        tag_input = self.query_one("#tag-input", Input)
        if event.key == "backspace" and self.screen.focused is tag_input and not tag_input.value and self.chips.tags:
            event.stop()
            event.prevent_default()
            self.chips.remove_tag(len(self.chips.tags) - 1)
