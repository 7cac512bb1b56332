"""messages.fetchAll / fetch / send."""

from __future__ import annotations

from itertools import islice
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..clock import now
from ..errors import ApiError
from ..http import endpoint, ok, page, pagination, read_json
from ..messaging import send_messages
from ..views import message_view

if TYPE_CHECKING:
    from ..app import Sandbox


async def fetch_all(request: Request, sandbox: Sandbox) -> Response:
    """Newest first. contactId and conversationId select by exact id."""
    offset, limit = pagination(request)
    store = sandbox.store
    contact_id = request.query_params.get("contactId") or None
    conversation_id = request.query_params.get("conversationId") or None
    if conversation_id is not None:
        conversation = store.conversations.get(conversation_id)
        ids = conversation.message_ids if conversation else []
        if contact_id is not None:
            ids = [i for i in ids if store.messages[i].contact_id == contact_id]
    elif contact_id is not None:
        ids = store.message_ids_by_contact.get(contact_id, [])
    else:
        ids = None
    if ids is None:
        total = len(store.messages)
        chosen = list(islice(reversed(store.messages.values()), offset, offset + limit))
    else:
        total = len(ids)
        chosen = [store.messages[i] for i in islice(reversed(ids), offset, offset + limit)]
    at = now()
    return page([message_view(store, m, at) for m in chosen], offset, limit, total)


async def fetch(request: Request, sandbox: Sandbox) -> Response:
    message = sandbox.store.messages.get(request.path_params["message_id"])
    if message is None:
        raise ApiError(404, "MSG-001", "Message not found")
    return ok(message_view(sandbox.store, message))


async def send(request: Request, sandbox: Sandbox) -> Response:
    body = await read_json(request)
    answer = send_messages(sandbox.store, body)
    if sandbox.faults.send_counters_only:
        answer = counters_only(answer)
    return ok(answer)


def counters_only(answer: dict[str, Any]) -> dict[str, Any]:
    """The answer as later API versions may give it: counts and the refused recipients,
    no ``messages`` (so no message ids)."""
    refused = [entry for entry in answer["messages"] if entry.get("error")]
    return {
        "jobId": answer["jobId"],
        "requested": len(answer["messages"]),
        "valid": answer["queued"],
        "invalid": refused,
    }


def routes(prefix: str) -> list[Route]:
    return [
        Route(f"{prefix}/messages", endpoint(fetch_all), methods=["GET"]),
        Route(f"{prefix}/messages", endpoint(send), methods=["POST"]),
        Route(f"{prefix}/messages/{{message_id}}", endpoint(fetch), methods=["GET"]),
    ]
