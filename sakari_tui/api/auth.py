"""Access tokens: the client-credentials exchange, an in-memory cache, and refreshing.

A token is reused until shortly before it expires. Its expiry comes from ``expires_in``
when the server sends it, else from the JWT's ``exp`` claim (read without verifying the
signature: we only need to know when to ask again), else a cautious default.

``exp`` is a time on the server's clock. When ours differs (a laptop's clock off by an
hour), ``exp`` may look past already, or far away: so its lifetime is measured on the
server's clock, from the answer's Date header (or else the token's ``iat``), and counted
from now on ours.
"""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Generator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import httpx

from .envelope import answer_status, expect_success, server_date
from .errors import ApiError, AuthError, BadResponse
from .redaction import MASK, Redactor, Secret
from .values import as_dict, as_float, as_str, empty_mapping, leftovers

DEFAULT_LIFETIME = 600.0  # seconds, when the server gives no hint at all
REFRESH_MARGIN = 60.0  # renew this long before expiry...
REFRESH_FRACTION = 0.1  # ...or this share of a short lifetime, whichever is smaller


@dataclass(frozen=True, repr=False)
class Token:
    access_token: str
    token_type: str
    issued_at: datetime
    expires_at: datetime
    extra: Mapping[str, Any] = field(default_factory=empty_mapping)

    def __repr__(self) -> str:
        return f"Token(token_type={self.token_type!r}, expires_at={self.expires_at.isoformat()}, access_token={MASK!r})"

    __str__ = __repr__

    def is_fresh(self, now: float) -> bool:
        """True while the token has comfortably more than its refresh margin left."""
        expires = self.expires_at.timestamp()
        lifetime = expires - self.issued_at.timestamp()
        margin = min(REFRESH_MARGIN, max(lifetime, 0.0) * REFRESH_FRACTION)
        return now < expires - margin


def jwt_claims(token: str) -> dict[str, Any]:
    """The claims of a JWT, unverified; empty if it is not a readable JWT."""
    parts = token.split(".")
    if len(parts) != 3:
        return {}
    payload = parts[1] + "=" * (-len(parts[1]) % 4)
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload.encode("ascii")))
    except (ValueError, UnicodeError, RecursionError):
        return {}
    return claims if isinstance(claims, dict) else {}


def jwt_expiry(token: str) -> float | None:
    """The ``exp`` claim (epoch seconds) of a JWT, or None if it is not a readable JWT."""
    return as_float(jwt_claims(token).get("exp"))


def _jwt_lifetime_end(token: str, now: float, server_now: float | None) -> float | None:
    """When the JWT expires on our clock: its ``exp`` less the server's time (Date header,
    else ``iat``), from ``now``; its bare ``exp`` when neither is known."""
    claims = jwt_claims(token)
    exp = as_float(claims.get("exp"))
    if exp is None:
        return None
    issued = server_now if server_now is not None else as_float(claims.get("iat"))
    return now + (exp - issued) if issued is not None else exp


TOKEN_KEYS = frozenset({"access_token", "token_type", "expires_in"})


def parse_token_response(body: object, now: float, server_now: float | None = None) -> Token:
    """A ``Token`` from ``{access_token, token_type[, expires_in]}``. The token itself is
    required; without it the answer is a ``BadResponse`` (which never quotes the body).
    ``server_now`` is the server's clock at the answer (its Date header), if known."""
    try:
        expect_success(body)
    except ApiError as refused:
        raise AuthError(refused.status, refused.code, refused.message) from None
    data = as_dict(body)
    if "access_token" not in data and isinstance(data.get("data"), dict):
        data = as_dict(data["data"])  # tolerate the usual envelope, too
    access_token = data.get("access_token")
    if not isinstance(access_token, str) or not access_token:
        keys = ", ".join(sorted(map(str, data))) or "none"
        raise BadResponse(f"token response has no access_token (fields: {keys})", status=answer_status())
    expires_in = as_float(data.get("expires_in"))
    if expires_in is not None:
        expires: float | None = now + expires_in
    else:
        expires = _jwt_lifetime_end(access_token, now, server_now)
    if expires is None or not now < expires < 1e11:  # no hint, or a nonsensical one
        expires = now + DEFAULT_LIFETIME
    return Token(
        access_token=access_token,
        token_type=as_str(data.get("token_type")) or "Bearer",
        issued_at=datetime.fromtimestamp(now, timezone.utc),
        expires_at=datetime.fromtimestamp(expires, timezone.utc),
        extra=leftovers(data, TOKEN_KEYS),
    )


class TokenRequestBody:
    """The JSON body of the token request, built only as it is sent so the secret never
    sits in a plain string or dict where a traceback could print it."""

    def __init__(self, client_id: str, client_secret: Secret) -> None:
        self._client_id = client_id
        self._client_secret = client_secret

    def _encode(self) -> bytes:
        return json.dumps(
            {
                "client_id": self._client_id,
                "client_secret": self._client_secret.reveal(),
                "grant_type": "client_credentials",
            }
        ).encode()

    @property
    def headers(self) -> dict[str, str]:
        # An explicit length stops httpx from sending the streamed body chunked.
        return {"Content-Type": "application/json", "Content-Length": str(len(self._encode()))}

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield self._encode()

    def __repr__(self) -> str:
        return f"TokenRequestBody(client_id={self._client_id!r}, client_secret={MASK!r})"


class BearerAuth(httpx.Auth):
    """Adds ``Authorization: Bearer ...`` to one request."""

    def __init__(self, token: Token) -> None:
        self._token = token

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        # Always "Bearer": servers answer token_type in varying case, and this API has no other.
        request.headers["Authorization"] = f"Bearer {self._token.access_token}"
        yield request

    def __repr__(self) -> str:
        return "BearerAuth(***)"


class AuthenticatorAuth(httpx.Auth):
    """Bearer auth for another ``httpx.AsyncClient``, with the token of an ``Authenticator``:
    the cached one while fresh, else a new one; on a 401, one new token and one retry.
    The token never leaves the request headers."""

    requires_response_body = False

    def __init__(self, authenticator: Authenticator) -> None:
        self._authenticator = authenticator

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        raise RuntimeError("this auth needs an httpx.AsyncClient")
        yield request  # pragma: no cover - makes this a generator

    async def async_auth_flow(self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        token = await self._authenticator.token()
        request.headers["Authorization"] = f"Bearer {token.access_token}"
        response = yield request
        if response.status_code == 401:
            token = await self._authenticator.refresh(token)
            request.headers["Authorization"] = f"Bearer {token.access_token}"
            yield request

    def __repr__(self) -> str:
        return "AuthenticatorAuth(***)"


# Sends a token request and returns the decoded JSON answer (raising SakariError on failure).
FetchToken = Callable[[TokenRequestBody], Awaitable[Any]]


class Authenticator:
    """Hands out a valid token, fetching one when there is none or it is about to expire.

    Concurrent callers wait on one lock, so a burst of requests causes one token request.
    """

    def __init__(
        self,
        *,
        client_id: str,
        client_secret: str | Secret,
        fetch: FetchToken,
        redactor: Redactor,
        clock: Callable[[], float],
        token: Token | None = None,
        on_token: Callable[[Token | None], None] | None = None,
    ) -> None:
        self._client_id = client_id
        self._client_secret = Secret(client_secret)
        self._fetch = fetch
        self._redactor = redactor
        self._clock = clock
        # A token kept from an earlier run (used while fresh), and who keeps the next one:
        # ``on_token`` gets each new token, and None when the API refused the one it had.
        self._token: Token | None = token
        self._on_token = on_token
        self._lock = asyncio.Lock()
        redactor.add_secret(self._client_secret.reveal())
        if token is not None:
            redactor.add_token(token.access_token)

    def __repr__(self) -> str:
        return f"Authenticator(client_id={self._client_id!r})"

    @property
    def cached(self) -> Token | None:
        return self._token

    async def token(self) -> Token:
        """The cached token if it is still fresh, else a new one."""
        token = self._token
        if token is not None and token.is_fresh(self._clock()):
            return token
        async with self._lock:
            # Another caller may have refreshed while we waited for the lock.
            token = self._token
            if token is not None and token.is_fresh(self._clock()):
                return token
            return await self._fetch_new()

    async def refresh(self, rejected: Token | None = None) -> Token:
        """A new token. With ``rejected`` (a token the API just refused), only fetch when the
        cache still holds that token, so simultaneous 401s cause one refresh."""
        async with self._lock:
            if rejected is not None and self._token is not None and self._token is not rejected:
                return self._token
            if rejected is not None and self._on_token is not None:
                self._on_token(None)  # refused: not to be offered again, even if the fetch fails
            return await self._fetch_new()

    async def _fetch_new(self) -> Token:
        self._token = None
        body = await self._fetch(TokenRequestBody(self._client_id, self._client_secret))
        token = parse_token_response(body, self._clock(), server_date())
        self._redactor.add_token(token.access_token)
        self._token = token
        if self._on_token is not None:
            self._on_token(token)
        return token
