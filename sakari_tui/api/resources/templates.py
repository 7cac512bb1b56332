from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Any

from ..envelope import answer_status, data_object, expect_success
from ..errors import BadResponse
from ..models import Template
from ..pagination import MAX_PAGE_SIZE, Page, iterate_pages
from .base import Resource, query


def parse_created_template(body: object) -> Template:
    """1.0.1 documents ``templates.create`` as answering a TemplatesResponse (a list); a
    single TemplateResponse is accepted too."""
    expect_success(body)
    if isinstance(body, dict) and isinstance(body.get("data"), list):
        page = Page.from_json(body, Template.from_json)
        if not page.items:
            raise BadResponse("the created template is missing from the answer", status=answer_status())
        return page.items[0]
    return Template.from_json(data_object(body))


class Templates(Resource):
    async def fetch_all(self, offset: int = 0, limit: int = 10, *, name: str | None = None) -> Page[Template]:
        params = query(offset=offset, limit=limit, name=name)
        body = await self._api.call("GET", self._api.account_path("templates"), params=params)
        return Page.from_json(body, Template.from_json, offset=offset, limit=limit)

    def iterate(self, *, page_size: int = MAX_PAGE_SIZE, **filters: Any) -> AsyncIterator[Template]:
        return iterate_pages(self.fetch_all, page_size=page_size, **filters)

    async def create(self, name: str, template: str, type: str = "SMS") -> Template:
        """Not retried: a lost answer could otherwise create the template twice."""
        payload = {"name": name, "template": template, "type": type}
        body = await self._api.call("POST", self._api.account_path("templates"), json=payload)
        return parse_created_template(body)

    async def fetch(self, template_id: str) -> Template:
        path = self._api.account_path("templates", template_id)
        return Template.from_json(data_object(await self._api.call("GET", path)))

    async def update(self, template_id: str, fields: Mapping[str, Any]) -> Template:
        path = self._api.account_path("templates", template_id)
        body = await self._api.call("PUT", path, json=dict(fields))
        return Template.from_json(data_object(body))

    async def remove(self, template_id: str) -> None:
        expect_success(await self._api.call("DELETE", self._api.account_path("templates", template_id)))
