from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Any

from ..envelope import data_object, expect_success
from ..models import Campaign
from ..pagination import MAX_PAGE_SIZE, Page, iterate_pages
from .base import Resource, query


class Campaigns(Resource):
    async def fetch_all(self, offset: int = 0, limit: int = 10, *, name: str | None = None) -> Page[Campaign]:
        params = query(offset=offset, limit=limit, name=name)
        body = await self._api.call("GET", self._api.account_path("campaigns"), params=params)
        return Page.from_json(body, Campaign.from_json, offset=offset, limit=limit)

    def iterate(self, *, page_size: int = MAX_PAGE_SIZE, **filters: Any) -> AsyncIterator[Campaign]:
        return iterate_pages(self.fetch_all, page_size=page_size, **filters)

    async def create(self, fields: Mapping[str, Any]) -> Campaign:
        """Create a campaign from API fields (``template``, ``filters``, ``trigger``...).
        Not retried: a lost answer could otherwise create it twice."""
        body = await self._api.call("POST", self._api.account_path("campaigns"), json=dict(fields))
        return Campaign.from_json(data_object(body))

    async def fetch(self, campaign_id: str) -> Campaign:
        path = self._api.account_path("campaigns", campaign_id)
        return Campaign.from_json(data_object(await self._api.call("GET", path)))

    async def update(self, campaign_id: str, fields: Mapping[str, Any]) -> Campaign:
        path = self._api.account_path("campaigns", campaign_id)
        body = await self._api.call("PUT", path, json=dict(fields))
        return Campaign.from_json(data_object(body))

    async def remove(self, campaign_id: str) -> None:
        expect_success(await self._api.call("DELETE", self._api.account_path("campaigns", campaign_id)))
