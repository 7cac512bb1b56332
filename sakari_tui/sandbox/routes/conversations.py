"""conversations.fetchAll / fetch / close."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..clock import now
from ..http import endpoint, ok, page, pagination, record
from ..records import Conversation
from ..views import conversation_view

if TYPE_CHECKING:
    from ..app import Sandbox


def _conversation(sandbox: Sandbox, request: Request) -> Conversation:
    return record(sandbox.store.conversations, request, "conversation_id", "CONV-001", "Invalid conversation id")


async def fetch_all(request: Request, sandbox: Sandbox) -> Response:
    offset, limit = pagination(request)
    store = sandbox.store
    items = store.page(store.conversations_newest_first(), offset, limit)
    return page([conversation_view(store, c) for c in items], offset, limit, len(store.conversations))


async def fetch(request: Request, sandbox: Sandbox) -> Response:
    return ok(conversation_view(sandbox.store, _conversation(sandbox, request)))


async def close(request: Request, sandbox: Sandbox) -> Response:
    conversation = _conversation(sandbox, request)
    store = sandbox.store
    if conversation.closed_at is None:  # closing twice changes nothing
        store.close_conversation(conversation, now())
        store.emit("conversation-closed", lambda: conversation_view(store, conversation))
    return ok(conversation_view(store, conversation))


def routes(prefix: str) -> list[Route]:
    return [
        Route(f"{prefix}/conversations", endpoint(fetch_all), methods=["GET"]),
        Route(f"{prefix}/conversations/{{conversation_id}}", endpoint(fetch), methods=["GET"]),
        Route(f"{prefix}/conversations/{{conversation_id}}/close", endpoint(close), methods=["PUT"]),
    ]
