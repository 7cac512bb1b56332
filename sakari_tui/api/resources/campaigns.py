from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..envelope import data_object
from ..models import Campaign
from .catalog import NamedCatalog


class Campaigns(NamedCatalog[Campaign]):
    PATH = "campaigns"

    def parse(self, data: Mapping[str, Any]) -> Campaign:
        return Campaign.from_json(data)

    async def create(self, fields: Mapping[str, Any]) -> Campaign:
        """Create a campaign from API fields (``template``, ``filters``, ``trigger``...).
        Not retried: a lost answer could otherwise create it twice."""
        body = await self._api.call("POST", self._api.account_path("campaigns"), json=dict(fields))
        return Campaign.from_json(data_object(body))
