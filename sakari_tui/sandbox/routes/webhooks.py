"""webhooks.fetchAll / subscribe / unsubscribe."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .. import webhooks
from ..errors import ApiError
from ..http import endpoint, ok, page, pagination, read_json
from ..views import webhook_view

if TYPE_CHECKING:
    from ..app import Sandbox


async def fetch_all(request: Request, sandbox: Sandbox) -> Response:
    # The contract gives this operation no offset or limit, so a client cannot ask for a
    # second page: answer every subscription, unless a client pages of its own accord.
    hooks = list(sandbox.store.webhooks.values())
    if "offset" in request.query_params or "limit" in request.query_params:
        offset, limit = pagination(request)
    else:
        offset, limit = 0, max(len(hooks), 1)
    return page([webhook_view(h) for h in hooks[offset : offset + limit]], offset, limit, len(hooks))


async def subscribe(request: Request, sandbox: Sandbox) -> Response:
    webhook = webhooks.subscribe(sandbox.store, await read_json(request))
    return ok(webhook_view(webhook))


async def unsubscribe(request: Request, sandbox: Sandbox) -> Response:
    # {url:path} holds the URL as the server decoded the path: %3A%2F%2F became ://
    webhook = webhooks.find(sandbox.store, request.path_params["url"])
    if webhook is None:
        raise ApiError(404, "HOOK-003", "No webhook is subscribed at that url")
    del sandbox.store.webhooks[webhook.url]
    return Response(status_code=204)


def routes(prefix: str) -> list[Route]:
    return [
        Route(f"{prefix}/webhooks", endpoint(fetch_all), methods=["GET"]),
        Route(f"{prefix}/webhooks", endpoint(subscribe), methods=["POST"]),
        Route(f"{prefix}/webhooks/{{url:path}}", endpoint(unsubscribe), methods=["DELETE"]),
    ]
