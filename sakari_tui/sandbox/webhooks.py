"""Webhook subscriptions: which URLs hear about which events."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote, urlsplit

from .clock import now
from .errors import ApiError
from .records import Webhook
from .store import Store

# The seven of the 1.0.1 document, then the ones Sakari added later.
EVENT_TYPES = (
    "message-received",
    "message-status",
    "message-sent",
    "conversation-closed",
    "contact-created",
    "contact-updated",
    "contact-removed",
    "conversation-started",
    "contact-opt-out",
    "contact-opt-in",
    "list-opt-out",
    "list-opt-in",
)


def subscribe(store: Store, body: dict[str, Any]) -> Webhook:
    url = body.get("url", body.get("callbackUrl"))
    if not isinstance(url, str):
        raise ApiError(400, "HOOK-001", "url is required: the http(s) address to deliver events to")
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ApiError(400, "HOOK-001", f"Webhook url must be http(s) with a host, not {url!r}")
    event_types = body.get("eventTypes")
    if event_types is None or event_types == []:
        event_types = list(EVENT_TYPES)
    if not isinstance(event_types, list) or not all(isinstance(t, str) for t in event_types):
        raise ApiError(400, "REQ-002", "eventTypes must be a list of strings")
    unknown = [t for t in event_types if t not in EVENT_TYPES]
    if unknown:
        raise ApiError(400, "HOOK-002", f"Unknown event type {unknown[0]!r}; known: {', '.join(EVENT_TYPES)}")
    webhook = Webhook(url.strip(), list(dict.fromkeys(event_types)), now())
    store.webhooks[webhook.url] = webhook
    return webhook


def find(store: Store, url_in_path: str) -> Webhook | None:
    """The subscription named in a path. The router already decoded it once; clients that
    encode twice (or not at all) still find their webhook."""
    candidate = url_in_path
    for _ in range(3):
        if candidate in store.webhooks:
            return store.webhooks[candidate]
        decoded = unquote(candidate)
        if decoded == candidate:
            break
        candidate = decoded
    return None
