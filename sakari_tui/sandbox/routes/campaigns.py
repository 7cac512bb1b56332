"""campaigns.fetchAll / create / fetch / update / remove."""

from __future__ import annotations

from starlette.routing import Route

from ..catalog import create_campaign, update_campaign
from ..views import campaign_view
from .catalog import catalog_routes


def routes(prefix: str) -> list[Route]:
    return catalog_routes(
        f"{prefix}/campaigns",
        "campaign_id",
        lambda store: store.campaigns,
        campaign_view,
        create_campaign,
        update_campaign,
        not_found=("CAMP-001", "Campaign not found"),
    )
