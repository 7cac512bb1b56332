"""templates.fetchAll / create / fetch / update / remove."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..catalog import create_template, update_template
from ..http import collection_routes, named_page, ok, read_json, record
from ..records import Template
from ..views import template_view

if TYPE_CHECKING:
    from ..app import Sandbox


def _template(sandbox: Sandbox, request: Request) -> Template:
    return record(sandbox.store.templates, request, "template_id", "TMPL-001", "Template not found")


async def fetch_all(request: Request, sandbox: Sandbox) -> Response:
    return named_page(request, sandbox.store.templates.values(), template_view)


async def create(request: Request, sandbox: Sandbox) -> Response:
    template = create_template(sandbox.store, await read_json(request))
    # The contract answers a create with TemplatesResponse: data is a list.
    return ok([template_view(template)], status=201)


async def fetch(request: Request, sandbox: Sandbox) -> Response:
    return ok(template_view(_template(sandbox, request)))


async def update(request: Request, sandbox: Sandbox) -> Response:
    template = _template(sandbox, request)
    update_template(template, await read_json(request))
    return ok(template_view(template))


async def remove(request: Request, sandbox: Sandbox) -> Response:
    del sandbox.store.templates[_template(sandbox, request).id]
    return ok()


def routes(prefix: str) -> list[Route]:
    return collection_routes(f"{prefix}/templates", "template_id", fetch_all, create, fetch, update, remove)
