"""contacts.fetchAll / create / fetch / update / remove."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..contact_import import import_csv
from ..contacts import (
    MERGE_STRATEGIES,
    create_or_merge,
    matching_contacts,
    parse_contact,
    remove_contact,
    update_contact,
)
from ..errors import ApiError
from ..http import (
    collection_routes,
    content_type,
    ok,
    page,
    pagination,
    query_filters,
    read_body,
    read_json,
    record,
)
from ..records import Contact
from ..views import contact_view

if TYPE_CHECKING:
    from ..app import Sandbox

MAX_CSV_BODY = 50 * 1024 * 1024
FILTERS = ("firstName", "lastName", "mobile", "email", "tags")


def _contact(sandbox: Sandbox, request: Request) -> Contact:
    return record(sandbox.store.contacts, request, "contact_id", "CONT-003", "Contact not found")


async def fetch_all(request: Request, sandbox: Sandbox) -> Response:
    offset, limit = pagination(request)
    filters = query_filters(request, FILTERS)
    store = sandbox.store
    if not filters:
        items = store.page(iter(store.contacts.values()), offset, limit)
        total = len(store.contacts)
    else:
        matches = list(matching_contacts(store, filters))
        items, total = matches[offset : offset + limit], len(matches)
    return page([contact_view(c) for c in items], offset, limit, total)


async def create(request: Request, sandbox: Sandbox) -> Response:
    strategy = request.query_params.get("mergeStrategy", "append") or "append"
    if strategy not in MERGE_STRATEGIES:
        raise ApiError(400, "CONT-005", "mergeStrategy must be append, core or remove")
    if content_type(request) in ("text/csv", "application/csv"):
        raw = await read_body(request, MAX_CSV_BODY)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise ApiError(400, "REQ-002", "CSV upload must be UTF-8 text") from None
        return ok(import_csv(sandbox.store, text, strategy), status=201)

    body = await read_json(request, allow_list=True)
    items = body if isinstance(body, list) else [body]
    if not items:
        raise ApiError(400, "REQ-002", "No contacts given")
    # Validate everything first: a request with one bad contact changes nothing.
    given = [
        parse_contact(item, require_mobile=True, where=f"contacts[{i}]." if isinstance(body, list) else "")
        for i, item in enumerate(items)
    ]
    created: dict[str, Contact] = {}
    for contact_input in given:
        contact, _ = create_or_merge(sandbox.store, contact_input, strategy)
        created[contact.id] = contact
    views = [contact_view(c) for c in created.values()]
    return ok(views, status=201, pagination={"offset": 0, "limit": len(views), "totalCount": len(views)})


async def fetch(request: Request, sandbox: Sandbox) -> Response:
    return ok(contact_view(_contact(sandbox, request)))


async def update(request: Request, sandbox: Sandbox) -> Response:
    contact = _contact(sandbox, request)
    given = parse_contact(await read_json(request), require_mobile=False)
    update_contact(sandbox.store, contact, given)
    return ok(contact_view(contact))


async def remove(request: Request, sandbox: Sandbox) -> Response:
    remove_contact(sandbox.store, _contact(sandbox, request))
    return ok()


def routes(prefix: str) -> list[Route]:
    return collection_routes(f"{prefix}/contacts", "contact_id", fetch_all, create, fetch, update, remove)
