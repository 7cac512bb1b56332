from __future__ import annotations

from ..auth import Token
from .base import Resource


class Authentication(Resource):
    async def auth_token(self) -> Token:
        """Fetch a new access token (``auth.token``) and keep it for later calls."""
        return await self._api.auth.refresh()
