"""The sandbox's HTTP routes, one module per group of operations."""

from __future__ import annotations

from starlette.routing import Route

from . import (
    auth,
    campaigns,
    contacts,
    conversations,
    files,
    messages,
    templates,
    webhooks,
)

ACCOUNT = "/v1/accounts/{account_id}"


def all_routes() -> list[Route]:
    return [
        *auth.routes(),
        *contacts.routes(ACCOUNT),
        *conversations.routes(ACCOUNT),
        *messages.routes(ACCOUNT),
        *templates.routes(ACCOUNT),
        *campaigns.routes(ACCOUNT),
        *webhooks.routes(ACCOUNT),
        *files.routes(),
    ]
