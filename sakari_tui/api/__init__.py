"""An async client for the Sakari Messaging REST API v1, on httpx.

This package stands alone: it imports nothing from the rest of sakari_tui and nothing from
Textual, so it can be used (and tested) without the UI.

    async with SakariClient(client_id=..., client_secret=..., account_id=...) as client:
        page = await client.contacts.fetch_all(limit=20)
"""

from .auth import Token
from .client import DEFAULT_API_URL, SakariClient
from .errors import (
    ApiError,
    AuthError,
    BadResponse,
    NetworkError,
    RateLimited,
    SakariError,
)
from .events import ConnectionEvent, RequestFailed, RequestSucceeded, RetryScheduled
from .models import (
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
    SharedFile,
    Stamp,
    Tag,
    Template,
    WEBHOOK_EVENT_TYPES,
    Webhook,
)
from .pagination import Page, iterate_pages
from .retry import RetryPolicy

__all__ = [
    "DEFAULT_API_URL", "SakariClient", "RetryPolicy", "Page", "iterate_pages",
    # models
    "Actor", "Campaign", "Contact", "ContactList", "ContactUpload", "Conversation",
    "ErrorDetail", "MediaItem", "Message", "MessageStatus", "Mobile", "PhoneNumber",
    "RecipientFailure", "SendResult", "SharedFile", "Stamp", "Tag", "Template", "Token",
    "Webhook", "WEBHOOK_EVENT_TYPES",
    # errors
    "SakariError", "ApiError", "AuthError", "RateLimited", "NetworkError", "BadResponse",
    # connection events
    "ConnectionEvent", "RequestSucceeded", "RetryScheduled", "RequestFailed",
]  # fmt: skip
