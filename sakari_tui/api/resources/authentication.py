from __future__ import annotations

import httpx

from ..auth import AuthenticatorAuth, Token
from .base import Resource


class Authentication(Resource):
    async def auth_token(self) -> Token:
        """Fetch a new access token (``auth.token``) and keep it for later calls."""
        return await self._api.auth.refresh()

    def bearer_auth(self) -> httpx.Auth:
        """An ``httpx.Auth`` that sends this client's access token (fetched or refreshed as
        needed) as ``Authorization: Bearer``, for requests made with another
        ``httpx.AsyncClient`` to a server that accepts the same token."""
        return AuthenticatorAuth(self._api.auth)
