"""An async client for the Sakari Messaging REST API v1, on httpx.

This package stands alone: it imports nothing from the rest of sakari_tui and nothing from
Textual, so it can be used (and tested) without the UI.

    async with SakariClient(client_id=..., client_secret=..., account_id=...) as client:
        page = await client.contacts.fetch_all(limit=20)
"""

# The TYPE_CHECKING imports below are the exports' types, not unused imports.
# ruff: noqa: F401

from __future__ import annotations

import importlib
import sys
from typing import TYPE_CHECKING, Any

# httpx's own __init__ imports its command-line client (click, rich, pygments: about 40 ms,
# a quarter of a one-shot command) whenever those happen to be installed, as they are beside
# Textual, and falls back to a stub when that import fails. Nothing here runs httpx's
# command line, so its import is made to fail (None in sys.modules: the import system's own
# "not available"). tests/test_api_hygiene.py fails if an httpx release stops tolerating it.
if "httpx" not in sys.modules:
    sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]

# What this package exports, and the module each comes from. They are imported on first
# use (PEP 562), so reading a model does not load httpx: the app paints from its cache
# before the client exists.
_EXPORTS = {
    "Token": "auth",
    "DEFAULT_API_URL": "client",
    "SakariClient": "client",
    "ApiError": "errors",
    "AuthError": "errors",
    "BadResponse": "errors",
    "NetworkError": "errors",
    "RateLimited": "errors",
    "SakariError": "errors",
    "ConnectionEvent": "events",
    "RequestFailed": "events",
    "RequestSucceeded": "events",
    "RetryScheduled": "events",
    "Actor": "models",
    "Campaign": "models",
    "Contact": "models",
    "ContactList": "models",
    "ContactUpload": "models",
    "Conversation": "models",
    "ErrorDetail": "models",
    "MediaItem": "models",
    "Message": "models",
    "MessageStatus": "models",
    "Mobile": "models",
    "PhoneNumber": "models",
    "RecipientFailure": "models",
    "SendResult": "models",
    "SendSummary": "models",
    "SharedFile": "models",
    "Stamp": "models",
    "Tag": "models",
    "Template": "models",
    "WEBHOOK_EVENT_TYPES": "models",
    "Webhook": "models",
    "Page": "pagination",
    "iterate_pages": "pagination",
    "RetryPolicy": "retry",
}

if TYPE_CHECKING:
    from .auth import Token
    from .client import DEFAULT_API_URL, SakariClient
    from .errors import ApiError, AuthError, BadResponse, NetworkError, RateLimited, SakariError
    from .events import ConnectionEvent, RequestFailed, RequestSucceeded, RetryScheduled
    from .models import (
        WEBHOOK_EVENT_TYPES,
        Actor,
        Campaign,
        Contact,
        ContactList,
        ContactUpload,
        Conversation,
        ErrorDetail,
        MediaItem,
        Message,
        MessageStatus,
        Mobile,
        PhoneNumber,
        RecipientFailure,
        SendResult,
        SendSummary,
        SharedFile,
        Stamp,
        Tag,
        Template,
        Webhook,
    )
    from .pagination import Page, iterate_pages
    from .retry import RetryPolicy


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))


__all__ = list(_EXPORTS)
