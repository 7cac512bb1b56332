"""campaigns.fetchAll / create / fetch / update / remove."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..catalog import create_campaign, update_campaign
from ..http import collection_routes, named_page, ok, read_json, record
from ..records import Campaign
from ..views import campaign_view

if TYPE_CHECKING:
    from ..app import Sandbox


def _campaign(sandbox: Sandbox, request: Request) -> Campaign:
    return record(sandbox.store.campaigns, request, "campaign_id", "CAMP-001", "Campaign not found")


async def fetch_all(request: Request, sandbox: Sandbox) -> Response:
    return named_page(request, sandbox.store.campaigns.values(), campaign_view)


async def create(request: Request, sandbox: Sandbox) -> Response:
    campaign = create_campaign(sandbox.store, await read_json(request))
    return ok(campaign_view(campaign), status=201)


async def fetch(request: Request, sandbox: Sandbox) -> Response:
    return ok(campaign_view(_campaign(sandbox, request)))


async def update(request: Request, sandbox: Sandbox) -> Response:
    campaign = _campaign(sandbox, request)
    update_campaign(campaign, await read_json(request))
    return ok(campaign_view(campaign))


async def remove(request: Request, sandbox: Sandbox) -> Response:
    del sandbox.store.campaigns[_campaign(sandbox, request).id]
    return ok()


def routes(prefix: str) -> list[Route]:
    return collection_routes(f"{prefix}/campaigns", "campaign_id", fetch_all, create, fetch, update, remove)
