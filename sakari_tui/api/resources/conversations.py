from __future__ import annotations

from collections.abc import AsyncIterator

from ..envelope import data_object
from ..models import Conversation
from ..pagination import MAX_PAGE_SIZE, Page, iterate_pages
from .base import Resource, query


class Conversations(Resource):
    async def fetch_all(self, offset: int = 0, limit: int = 10) -> Page[Conversation]:
        path = self._api.account_path("conversations")
        body = await self._api.call("GET", path, params=query(offset=offset, limit=limit))
        return Page.from_json(body, Conversation.from_json, offset=offset, limit=limit)

    def iterate(self, *, page_size: int = MAX_PAGE_SIZE) -> AsyncIterator[Conversation]:
        return iterate_pages(self.fetch_all, page_size=page_size)

    async def fetch(self, conversation_id: str) -> Conversation:
        path = self._api.account_path("conversations", conversation_id)
        return Conversation.from_json(data_object(await self._api.call("GET", path)))

    async def close(self, conversation_id: str) -> Conversation:
        path = self._api.account_path("conversations", conversation_id, "close")
        return Conversation.from_json(data_object(await self._api.call("PUT", path)))
