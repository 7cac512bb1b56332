"""templates.fetchAll / create / fetch / update / remove."""

from __future__ import annotations

from starlette.routing import Route

from ..catalog import create_template, update_template
from ..views import template_view
from .catalog import catalog_routes


def routes(prefix: str) -> list[Route]:
    return catalog_routes(
        f"{prefix}/templates",
        "template_id",
        lambda store: store.templates,
        template_view,
        create_template,
        update_template,
        not_found=("TMPL-001", "Template not found"),
        # The contract answers a create with TemplatesResponse: data is a list.
        created=lambda view: [view],
    )
