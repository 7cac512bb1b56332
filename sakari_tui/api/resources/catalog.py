"""What templates and campaigns share: listed by name, fetched, updated and removed by id."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Any, Generic, TypeVar

from ..envelope import data_object, expect_success
from ..pagination import MAX_PAGE_SIZE, Page, iterate_pages
from .base import Resource, query

M = TypeVar("M")


class NamedCatalog(Resource, Generic[M]):
    """A collection of the account at ``/{PATH}`` whose records ``parse`` reads."""

    PATH = ""

    def parse(self, data: Mapping[str, Any]) -> M:
        raise NotImplementedError

    async def fetch_all(self, offset: int = 0, limit: int = 10, *, name: str | None = None) -> Page[M]:
        params = query(offset=offset, limit=limit, name=name)
        body = await self._api.call("GET", self._api.account_path(self.PATH), params=params)
        return Page.from_json(body, self.parse, offset=offset, limit=limit)

    def iterate(self, *, page_size: int = MAX_PAGE_SIZE, **filters: Any) -> AsyncIterator[M]:
        return iterate_pages(self.fetch_all, page_size=page_size, **filters)

    async def fetch(self, item_id: str) -> M:
        path = self._api.account_path(self.PATH, item_id)
        return self.parse(data_object(await self._api.call("GET", path)))

    async def update(self, item_id: str, fields: Mapping[str, Any]) -> M:
        path = self._api.account_path(self.PATH, item_id)
        return self.parse(data_object(await self._api.call("PUT", path, json=dict(fields))))

    async def remove(self, item_id: str) -> None:
        expect_success(await self._api.call("DELETE", self._api.account_path(self.PATH, item_id)))
