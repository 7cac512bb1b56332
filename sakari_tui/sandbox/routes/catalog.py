"""The five routes of a named collection the account keeps: templates and campaigns.

Both list by name, create from a body, fetch, update and remove by id, and answer a missing
id with their own 404 code; only the record type, its view and its checks differ.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..http import collection_routes, named_page, ok, read_json, record

if TYPE_CHECKING:
    from ..app import Sandbox
    from ..store import Store

R = TypeVar("R")


def catalog_routes(
    path: str,
    item: str,
    records: Callable[[Store], dict[str, R]],
    view: Callable[[R], dict[str, Any]],
    create: Callable[[Store, dict[str, Any]], R],
    update: Callable[[R, dict[str, Any]], None],
    not_found: tuple[str, str],
    created: Callable[[dict[str, Any]], object] = lambda view: view,
) -> list[Route]:
    """``records`` of the store at ``path``, one of them at ``path/{item}``; ``not_found`` is
    the code and message of the 404; ``created`` shapes the answer to a create."""

    def one(request: Request, sandbox: Sandbox) -> R:
        return record(records(sandbox.store), request, item, *not_found)

    async def fetch_all(request: Request, sandbox: Sandbox) -> Response:
        return named_page(request, records(sandbox.store).values(), view)

    async def create_one(request: Request, sandbox: Sandbox) -> Response:
        return ok(created(view(create(sandbox.store, await read_json(request)))), status=201)

    async def fetch(request: Request, sandbox: Sandbox) -> Response:
        return ok(view(one(request, sandbox)))

    async def update_one(request: Request, sandbox: Sandbox) -> Response:
        found = one(request, sandbox)
        update(found, await read_json(request))
        return ok(view(found))

    async def remove(request: Request, sandbox: Sandbox) -> Response:
        one(request, sandbox)  # a 404 when there is none
        del records(sandbox.store)[request.path_params[item]]
        return ok()

    return collection_routes(path, item, fetch_all, create_one, fetch, update_one, remove)
