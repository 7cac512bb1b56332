"""In-memory state of one sandbox, with the indexes that keep large lists fast.

Ordering is kept by insertion order of dicts instead of sorting per request:
- contacts in creation order;
- conversations least recently active first (a conversation that gets a message is moved to
  the end), so "newest first" is a reversed walk;
- messages in the order they happened, globally and per conversation and per contact.

All mutations happen on one thread (the event loop serving the app); Sandbox marshals calls
from other threads onto it.
"""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Callable, Iterator
from itertools import islice
from typing import Any

from .clock import now
from .records import (
    Campaign,
    Contact,
    Conversation,
    Message,
    SharedFile,
    Template,
    Webhook,
)

# The sandbox account's own sending number (555-01xx numbers are reserved for fiction).
SENDER_NUMBER = "+17735550100"
SENDER_COUNTRY = "US"

DELIVERY_ERRORS = (
    ("MSG-101", "Carrier rejected the message"),
    ("MSG-102", "Handset unreachable"),
    ("MSG-103", "Number cannot receive SMS"),
)

EventBuilder = Callable[[], dict[str, Any]]


class Store:
    def __init__(self, seed: int, status_step: float, error_share: float) -> None:
        self.status_step = status_step
        self.error_share = error_share
        self._ids = random.Random(f"ids:{seed}")
        self._fates = random.Random(f"fates:{seed}")
        self.sender_number = SENDER_NUMBER
        self.sender_country = SENDER_COUNTRY

        self.contacts: dict[str, Contact] = {}
        self.contact_id_by_mobile: dict[str, str] = {}
        # Identifiers of removed contacts, so their old messages still name them.
        self.former_contacts: dict[str, dict[str, Any]] = {}

        self.conversations: dict[str, Conversation] = {}
        self.open_conversation_by_contact: dict[str, str] = {}

        self.messages: dict[str, Message] = {}
        self.message_ids_by_contact: dict[str, list[str]] = {}
        # Outbound messages whose status may still change, for the status watcher.
        self.unsettled: dict[str, Message] = {}
        # Recently sent outbound messages, for simulated customers who answer.
        self.outbound_feed: deque[Message] = deque(maxlen=1000)
        self._outbound_count = 0

        self.templates: dict[str, Template] = {}
        self.campaigns: dict[str, Campaign] = {}
        self.webhooks: dict[str, Webhook] = {}
        self.files: dict[str, SharedFile] = {}

        # Receives (event type, payload) for webhooks; set by the Sandbox.
        self.event_sink: Callable[[str, dict[str, Any]], None] | None = None

    # -- ids and events ------------------------------------------------------------------

    def new_id(self) -> str:
        """24 hex digits, like the ids Sakari hands out; deterministic for a seed."""
        return f"{self._ids.getrandbits(96):024x}"

    def wants(self, event_type: str) -> bool:
        return any(event_type in hook.event_types for hook in self.webhooks.values())

    def emit(self, event_type: str, build_payload: EventBuilder) -> None:
        """Announce an event; the payload is only built when someone subscribed to it."""
        if self.event_sink is not None and self.wants(event_type):
            self.event_sink(event_type, build_payload())

    # -- contacts --------------------------------------------------------------------------

    def add_contact(self, contact: Contact) -> Contact:
        self.contacts[contact.id] = contact
        self.contact_id_by_mobile[contact.mobile] = contact.id
        return contact

    def contact_by_mobile(self, mobile: str) -> Contact | None:
        contact_id = self.contact_id_by_mobile.get(mobile)
        return self.contacts.get(contact_id) if contact_id else None

    def change_mobile(self, contact: Contact, mobile: str) -> None:
        if self.contact_id_by_mobile.get(contact.mobile) == contact.id:
            del self.contact_id_by_mobile[contact.mobile]
        contact.mobile = mobile
        self.contact_id_by_mobile[mobile] = contact.id

    def remove_contact(self, contact: Contact, identifiers: dict[str, Any]) -> None:
        del self.contacts[contact.id]
        if self.contact_id_by_mobile.get(contact.mobile) == contact.id:
            del self.contact_id_by_mobile[contact.mobile]
        self.former_contacts[contact.id] = identifiers

    # -- conversations -------------------------------------------------------------------

    def open_conversation(self, contact: Contact, at: float) -> tuple[Conversation, bool]:
        """The contact's open conversation, or a new one. Returns (conversation, is_new)."""
        existing_id = self.open_conversation_by_contact.get(contact.id)
        if existing_id is not None:
            return self.conversations[existing_id], False
        conversation = Conversation(self.new_id(), contact.id, created_at=at, updated_at=at)
        self.conversations[conversation.id] = conversation
        self.open_conversation_by_contact[contact.id] = conversation.id
        return conversation, True

    def close_conversation(self, conversation: Conversation, at: float) -> None:
        conversation.closed_at = at
        conversation.updated_at = at  # but it keeps its place: lists sort by last message
        conversation.unread.clear()
        if self.open_conversation_by_contact.get(conversation.contact_id) == conversation.id:
            del self.open_conversation_by_contact[conversation.contact_id]

    def _touch(self, conversation: Conversation, at: float) -> None:
        # Move to the end: the end of the dict is the most recently active conversation.
        conversation.updated_at = at
        del self.conversations[conversation.id]
        self.conversations[conversation.id] = conversation

    def conversations_newest_first(self) -> Iterator[Conversation]:
        return reversed(self.conversations.values())

    # -- messages ------------------------------------------------------------------------

    def add_message(self, message: Message, conversation: Conversation) -> Message:
        self.messages[message.id] = message
        conversation.message_ids.append(message.id)
        self.message_ids_by_contact.setdefault(message.contact_id, []).append(message.id)
        if message.outgoing:
            # Replying means the business has read what came before.
            conversation.unread.clear()
            if not message.settled:
                self.unsettled[message.id] = message
                self.outbound_feed.append(message)
        else:
            conversation.unread.append(message.id)
        self._touch(conversation, message.created_at)
        return message

    def decide_fate(self) -> tuple[str, tuple[str, str] | None]:
        """Where the next outbound message ends up.

        Exactly ``error_share`` of outbound messages end in Error, spread evenly: message n
        fails when the running total floor(n * share) steps up.
        """
        n = self._outbound_count
        self._outbound_count += 1
        share = min(max(self.error_share, 0.0), 1.0)
        if int((n + 1) * share + 1e-9) > int(n * share + 1e-9):
            return "Error", self._fates.choice(DELIVERY_ERRORS)
        return "Delivered", None

    def status_of(self, message: Message, at: float | None = None) -> tuple[str, float]:
        """(status, time of the last change) of a message at ``at`` (default now).

        Computed from timestamps, so status moves on without any background task.
        """
        if not message.outgoing:
            return "Received", message.created_at
        if message.settled or self.status_step <= 0:
            return message.final_status, message.created_at
        elapsed = (now() if at is None else at) - message.created_at
        if elapsed < self.status_step:
            return "Queued", message.created_at
        if elapsed < 2 * self.status_step:
            return "Sent", message.created_at + self.status_step
        return message.final_status, message.created_at + 2 * self.status_step

    # -- listing ---------------------------------------------------------------------------

    @staticmethod
    def page(items: Iterator[Any], offset: int, limit: int) -> list[Any]:
        return list(islice(items, offset, offset + limit))
