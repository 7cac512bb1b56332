from __future__ import annotations

from collections.abc import Iterable

from ..envelope import data_object, expect_success
from ..models import Webhook
from ..pagination import Page
from .base import Resource


class Webhooks(Resource):
    async def fetch_all(self) -> Page[Webhook]:
        """All subscriptions. The API pages this list like the others but takes no offset
        or limit, so one ``Page`` is the whole answer."""
        body = await self._api.call("GET", self._api.account_path("webhooks"))
        return Page.from_json(body, Webhook.from_json)

    async def subscribe(self, url: str, event_types: Iterable[str]) -> Webhook:
        """Have the events ``event_types`` (e.g. "message-received") POSTed to ``url``."""
        payload = {"url": url, "eventTypes": list(event_types)}
        body = await self._api.call("POST", self._api.account_path("webhooks"), json=payload)
        return Webhook.from_json(data_object(body))

    async def unsubscribe(self, url: str) -> None:
        """Remove the subscription for ``url`` (sent percent-encoded as one path segment)."""
        body = await self._api.call("DELETE", self._api.account_path("webhooks", url))
        expect_success(body)
