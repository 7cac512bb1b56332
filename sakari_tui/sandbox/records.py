"""What the sandbox stores. Plain records; views.py turns them into the API's JSON."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from . import sms


@dataclass(slots=True, eq=False)
class Contact:
    id: str
    mobile: str  # E.164
    country: str
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    tags: list[str] = field(default_factory=list)
    attributes: dict[str, Any] = field(default_factory=dict)
    created_at: float = 0.0
    updated_at: float = 0.0
    blocked_at: float | None = None  # set by an inbound STOP-family keyword
    opt_in_at: float | None = None  # set by START/UNSTOP


@dataclass(slots=True, eq=False)
class Message:
    id: str
    conversation_id: str
    contact_id: str
    text: str
    outgoing: bool
    created_at: float
    segments: int
    encoding: str
    price: float
    type: str = "SMS"
    media: list[dict[str, str]] = field(default_factory=list)
    template: str | None = None
    # Where an outbound message ends: "Delivered" or "Error". Inbound messages are "Received".
    final_status: str = "Delivered"
    error: tuple[str, str] | None = None  # (code, description) when final_status is Error
    # Seeded history is already at its final status; new messages walk Queued -> Sent -> final.
    settled: bool = False
    # The last status announced to webhooks, so each change is announced once.
    announced_status: str | None = None

    @classmethod
    def counted(
        cls, id: str, conversation: Conversation, contact: Contact, text: str, at: float, *, outgoing: bool,
        type: str = "SMS", segments: sms.SegmentCount | None = None, **fields: Any,
    ) -> Message:  # fmt: skip
        """A new message with its segments and encoding counted from ``text`` (unless given),
        and its price when it is outgoing (an inbound message costs nothing)."""
        counted = segments or sms.count_segments(text)
        price = sms.price(counted.segments, type) if outgoing else 0.0
        return cls(id, conversation.id, contact.id, text, outgoing, at, counted.segments, counted.encoding, price,
                   type, **fields)  # fmt: skip


@dataclass(slots=True, eq=False)
class Conversation:
    id: str
    contact_id: str
    created_at: float
    updated_at: float
    closed_at: float | None = None
    message_ids: list[str] = field(default_factory=list)  # oldest first
    unread: list[str] = field(default_factory=list)  # ids of unread inbound messages


@dataclass(slots=True, eq=False)
class Template:
    id: str
    name: str
    text: str
    type: str
    created_at: float
    updated_at: float


@dataclass(slots=True, eq=False)
class Campaign:
    id: str
    name: str
    trigger_code: str
    template: str
    filters: dict[str, Any]
    created_at: float
    updated_at: float


@dataclass(slots=True, eq=False)
class Webhook:
    url: str
    event_types: list[str]
    created_at: float


@dataclass(slots=True, eq=False)
class SharedFile:
    id: str
    name: str
    content_type: str
    data: bytes
    expires_at: float
