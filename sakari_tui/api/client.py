"""``SakariClient``: one per account profile, holding one long-lived HTTP connection pool."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import httpx

from .auth import Authenticator, Token, TokenRequestBody
from .capture import Capture, capturing
from .events import Listener, Listeners
from .redaction import Redactor, Secret
from .resources import (
    Api,
    Authentication,
    Campaigns,
    Contacts,
    Conversations,
    Messages,
    Templates,
    Tools,
    Webhooks,
)
from .retry import RetryPolicy
from .transport import Transport

DEFAULT_API_URL = "https://api.sakari.io"
TOKEN_PATH = "/oauth2/token"


def _default_user_agent() -> str:
    # The version the enclosing package states (it is loaded before any of its subpackages);
    # importlib.metadata, the fallback, costs a one-shot command about 10 ms to import.
    version = getattr(sys.modules.get(__name__.split(".")[0]), "__version__", None)
    if not isinstance(version, str):
        from importlib import metadata

        try:
            version = metadata.version("sakari-tui")
        except metadata.PackageNotFoundError:
            version = "dev"
    return f"sakari-tui/{version} httpx/{httpx.__version__}"


class SakariClient:
    """An async client for the Sakari Messaging API v1.

    ``api_url`` is the server root (``https://api.sakari.io``, or a local sandbox such as
    ``http://127.0.0.1:8765``); the client adds ``/v1/...`` and ``/oauth2/token`` itself.
    A trailing ``/v1`` is dropped, since the API documents its base URL with it.

    ``transport`` replaces the network (``httpx.ASGITransport(app=...)`` for an in-process
    server, ``httpx.MockTransport`` in tests). ``clock`` (epoch seconds) decides token expiry.
    ``token`` is one kept from an earlier run, used while it is fresh; ``on_token`` is called
    with each new token, and with None when the API refused the one in use (to keep them).

    Use it as ``async with SakariClient(...) as client:``, or call ``aclose()``.
    """

    def __init__(
        self,
        *,
        client_id: str,
        client_secret: str | Secret,
        account_id: str,
        api_url: str = DEFAULT_API_URL,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float = 15.0,
        retry: RetryPolicy | None = None,
        user_agent: str | None = None,
        clock: Callable[[], float] = time.time,
        token: Token | None = None,
        on_token: Callable[[Token | None], None] | None = None,
    ) -> None:
        root = api_url.rstrip("/")
        if root.endswith("/v1"):
            root = root[: -len("/v1")]
        self.api_url = root
        self.client_id = client_id
        self.account_id = account_id

        self._http = httpx.AsyncClient(
            base_url=root,
            transport=transport,
            timeout=timeout,
            headers={"User-Agent": user_agent or _default_user_agent(), "Accept": "application/json"},
        )
        self._listeners = Listeners()
        redactor = self._redactor = Redactor()
        self._transport = Transport(
            self._http, retry=retry or RetryPolicy(), listeners=self._listeners, redactor=redactor
        )
        self._auth = Authenticator(
            client_id=client_id,
            client_secret=client_secret,
            fetch=self._request_token,
            redactor=redactor,
            clock=clock,
            token=token,
            on_token=on_token,
        )
        api = Api(self._transport, self._auth, account_id)
        self.authentication = Authentication(api)
        self.contacts = Contacts(api)
        self.conversations = Conversations(api)
        self.messages = Messages(api)
        self.templates = Templates(api)
        self.campaigns = Campaigns(api)
        self.webhooks = Webhooks(api)
        self.tools = Tools(api)

    async def _request_token(self, body: TokenRequestBody) -> Any:
        # The token POST is safe to repeat: at worst the server issues two tokens.
        return await self._transport.request(
            "POST", TOKEN_PATH, auth=None, retryable=True, refused_is_auth_error=True,
            quote_body=False, content=body, headers=body.headers,
        )  # fmt: skip

    def add_listener(self, listener: Listener) -> None:
        """Call ``listener(event)`` for each ``ConnectionEvent`` (success, retry, failure)."""
        self._listeners.add(listener)

    def remove_listener(self, listener: Listener) -> None:
        self._listeners.remove(listener)

    def capture(self) -> AbstractContextManager[Capture]:
        """``with client.capture() as captured:``: the raw answers (status, time, JSON body
        with secrets masked) of the calls this task makes inside the block."""
        return capturing(self._transport)

    def redact(self, text: str) -> str:
        """``text`` with the client secret and the access tokens this client knows masked,
        for text from elsewhere that could echo them (another server's answer, say)."""
        return self._redactor(text) or text

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> SakariClient:
        await self._http.__aenter__()
        return self

    async def __aexit__(self, *exc_info: Any) -> None:
        await self._http.__aexit__(*exc_info)

    def __repr__(self) -> str:
        return f"SakariClient(api_url={self.api_url!r}, client_id={self.client_id!r}, account_id={self.account_id!r})"
