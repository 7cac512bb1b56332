"""New customers' messages gathered into one notice: "3 new messages from 2 people".

A burst (several customers writing within one poll, or a customer sending three texts in a
row) is one notice, not a stack of toasts that covers the screen and never clears. The
screen adds what each poll brings and asks for the notice when it is ready to show one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sakari_tui.core.text import one_line


@dataclass
class _Sender:
    """Someone who wrote in since the last notice: their name, messages and latest text."""

    name: str
    messages: set[str] = field(default_factory=set)
    last_text: str = ""


@dataclass
class NewMessages:
    """Messages from customers not announced yet, by conversation, in the order they came."""

    _senders: dict[str, _Sender] = field(default_factory=dict)
    # Every message announced already, so a conversation polled again does not count twice.
    _announced: set[str] = field(default_factory=set)

    def add(self, conversation_id: str, name: str, message_ids: Iterable[str], last_text: str) -> bool:
        """Note new messages of one conversation; False when all of them were announced already."""
        fresh = {mid for mid in message_ids if mid} - self._announced
        if not fresh:
            return False
        sender = self._senders.pop(conversation_id, None) or _Sender(name)
        sender.name = name
        sender.messages |= fresh
        sender.last_text = last_text
        self._senders[conversation_id] = sender  # the newest last
        self._announced |= fresh
        return True

    def __bool__(self) -> bool:
        return bool(self._senders)

    @property
    def message_count(self) -> int:
        return sum(len(s.messages) for s in self._senders.values())

    def take(self) -> tuple[str, str] | None:
        """The notice (title, text) for what was gathered, and start over; None when nothing."""
        if not self._senders:
            return None
        senders = list(self._senders.values())
        self._senders = {}
        count = sum(len(s.messages) for s in senders)
        if len(senders) == 1:
            sender = senders[0]
            name = one_line(sender.name, 40)
            title = f"New message from {name}" if count == 1 else f"{count} new messages from {name}"
            return title, one_line(sender.last_text, 80)
        names = [one_line(s.name, 24) for s in reversed(senders)]  # the newest first
        shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
        return f"{count} new messages from {len(senders)} people", shown
