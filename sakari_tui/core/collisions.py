"""Collision warnings: someone else (another agent, a campaign, an integration) replied in
the conversation the agent has open, after they opened it or since their last reply.

The API says who sent a message only in ``created.by``, when it says anything. This app's
own sends are known from the outbox: each message an outbox item became is remembered
(``Store.claimed_message_ids``). An outgoing message that is neither, and came after the
agent opened the conversation, was sent from somewhere else.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sakari_tui.api import Message

from .text import one_line


def sender_name(message: Message) -> str | None:
    """Who sent it, as the API says (``created.by``): a person's name, or a source."""
    by = message.created.by if message.created else None
    if by is None:
        return None
    name = " ".join(part for part in (by.first_name, by.last_name) if part)
    return one_line(name or by.source or "", 40) or None


@dataclass
class CollisionWatch:
    """Per conversation: since when the agent has been on it, and what was sent meanwhile
    from elsewhere."""

    since: dict[str, datetime] = field(default_factory=dict)
    # Every message found to come from elsewhere: it keeps that label after the agent replies.
    elsewhere: set[str] = field(default_factory=set)
    _told: set[str] = field(default_factory=set)

    def opened(self, conversation_id: str, now: datetime) -> None:
        self.since[conversation_id] = now

    def replied(self, conversation_id: str, now: datetime) -> None:
        """The agent sent (or chose to send anyway): later messages are what counts now."""
        self.since[conversation_id] = now

    def foreign(self, conversation_id: str, messages: Iterable[Message], ours: set[str]) -> list[Message]:
        """Outgoing messages from elsewhere since the agent opened the conversation or last
        replied, oldest first."""
        since = self.since.get(conversation_id)
        if since is None:
            return []
        found = [
            m for m in messages if m.outgoing and m.id not in ours and m.created_at is not None and m.created_at > since
        ]
        return found

    def remember(self, found: list[Message]) -> None:
        self.elsewhere.update(m.id for m in found if m.id)

    def untold(self, found: list[Message]) -> list[Message]:
        """Those of ``found`` not announced yet; they count as announced from now on."""
        fresh = [m for m in found if m.id not in self._told]
        self._told.update(m.id for m in fresh if m.id)
        return fresh


def author_label(message: Message, ours: set[str], foreign: set[str]) -> str:
    """The name over an outgoing message in the thread."""
    if message.id in ours:
        return "You"
    named = sender_name(message)
    if named:
        return named
    return "Someone else" if message.id in foreign else "You"


def ago(then: datetime, now: datetime) -> str:
    seconds = max(int((now - then).total_seconds()), 0)
    if seconds < 90:
        return f"{seconds} s"
    if seconds < 90 * 60:
        return f"{seconds // 60} min"
    return f"{seconds // 3600} h"


def question(message: Message, now: datetime) -> str:
    """'A reply was sent 20 s ago by Sam: "...". Send yours anyway?'"""
    who = sender_name(message)
    when = ago(message.created_at, now) if message.created_at else "just now"
    by = f" by {who}" if who else ""
    text = one_line(message.text or ("[media]" if message.media else ""), 80)
    return f"A reply was sent {when} ago{by}: “{text}”. Send yours anyway?"
