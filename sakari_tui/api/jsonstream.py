"""Decoding a big JSON answer of which only a few items of one list are wanted.

``json.loads`` of the answer to a send to 10,000 recipients (about 5 MB, a message per
recipient) builds every object at once: about 30 ms during which no other thread runs (the
decoder holds the GIL), then about 10 ms to free them. ``loads_filtered`` decodes that list
one item at a time with the same decoder and drops each unwanted item as soon as it is read,
so the whole list never exists, and a thread running it lets go of the GIL between items.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

_SPACE = re.compile(r"[ \t\n\r]*")


def loads_filtered(raw: bytes | str, path: tuple[str, ...], keep: Callable[[Any], bool]) -> Any:
    """``json.loads(raw)``, except that the list reached by the object keys ``path`` holds
    only the items ``keep`` accepts. Where ``path`` leads to anything but a list, the
    value is decoded as it is. Raises ``ValueError`` when ``raw`` is not JSON."""
    text = raw if isinstance(raw, str) else raw.decode(json.detect_encoding(raw), "surrogatepass")
    cursor = _Cursor(text)
    value = _value(cursor, path, keep)
    if cursor.peek():
        raise ValueError(f"extra data at {cursor.pos}")
    return value


def _value(cursor: _Cursor, path: tuple[str, ...], keep: Callable[[Any], bool]) -> Any:
    if not path:
        if cursor.peek() == "[":
            return [item for item in cursor.elements() if keep(item)]
        return cursor.value()
    if cursor.peek() != "{":
        return cursor.value()
    # Assigned in order, so a repeated key keeps its last value, as with json.loads.
    found: dict[str, Any] = {}
    for key in cursor.members():
        found[key] = _value(cursor, path[1:], keep) if key == path[0] else cursor.value()
    return found


class _Cursor:
    """A position in JSON text; each step reads one value, key or separator."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self._decode = json.JSONDecoder().raw_decode

    def peek(self) -> str:
        """The next character after white space ("" at the end)."""
        self.pos = _SPACE.match(self.text, self.pos).end()  # type: ignore[union-attr]  # always matches, maybe empty
        return self.text[self.pos : self.pos + 1]

    def value(self) -> Any:
        self.peek()
        value, self.pos = self._decode(self.text, self.pos)
        return value

    def members(self) -> Iterator[str]:
        """Each key of the object here; the caller reads its value before the next."""
        for _ in self._between("{", "}"):
            key = self.value()
            if not isinstance(key, str):
                raise ValueError(f"expected a key at {self.pos}")
            self._expect(":")
            yield key

    def elements(self) -> Iterator[Any]:
        """Each item of the list here, decoded."""
        for _ in self._between("[", "]"):
            yield self.value()

    def _between(self, opening: str, closing: str) -> Iterator[None]:
        self._expect(opening)
        if self.peek() == closing:
            self.pos += 1
            return
        while True:
            yield
            if self.peek() == ",":
                self.pos += 1
                continue
            self._expect(closing)
            return

    def _expect(self, char: str) -> None:
        if self.peek() != char:
            raise ValueError(f"expected {char!r} at {self.pos}")
        self.pos += 1
