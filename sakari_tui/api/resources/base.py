"""What every resource group shares: building paths and queries, and calling the API."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar, overload
from urllib.parse import quote

from ..auth import Authenticator
from ..transport import Transport

T = TypeVar("T")

# The decoded JSON body of an answer: what the models' lenient ``from_json`` read.
Json = Any

# Repeating a GET, PUT or DELETE does no harm; repeating a POST might send twice.
IDEMPOTENT_METHODS = frozenset({"GET", "PUT", "DELETE"})


def segment(value: str) -> str:
    """One path segment, percent-encoded so an id (or a webhook URL) cannot break the path."""
    return quote(str(value), safe="")


def query(**params: Any) -> dict[str, Any]:
    """Query parameters without the ones left as None; lists of tags become "a,b"."""
    out: dict[str, Any] = {}
    for name, value in params.items():
        if value is None:
            continue
        if isinstance(value, Iterable) and not isinstance(value, str | bytes):
            value = ",".join(str(item) for item in value)
        out[name] = value
    return out


class Api:
    """The account-scoped API as the resource groups see it."""

    def __init__(self, transport: Transport, auth: Authenticator, account_id: str) -> None:
        self.transport = transport
        self.auth = auth
        self.account_id = account_id

    def account_path(self, *segments: str) -> str:
        """``/v1/accounts/{account_id}/...`` with every segment encoded."""
        return "/".join(["/v1/accounts", segment(self.account_id), *map(segment, segments)])

    @overload
    async def call(
        self, method: str, path: str, *, retryable: bool | None = None, read: None = None, **options: Any
    ) -> Json: ...

    @overload
    async def call(
        self, method: str, path: str, *, retryable: bool | None = None, read: Callable[[bytes], T], **options: Any
    ) -> T: ...

    async def call(
        self,
        method: str,
        path: str,
        *,
        retryable: bool | None = None,
        read: Callable[[bytes], Any] | None = None,
        **options: Any,
    ) -> Any:
        """Send an authenticated request; return the decoded JSON body, or what ``read``
        makes of the raw body, in a worker thread (see ``Transport.request``)."""
        if retryable is None:
            retryable = method in IDEMPOTENT_METHODS
        return await self.transport.request(method, path, auth=self.auth, retryable=retryable, read=read, **options)


class Resource:
    def __init__(self, api: Api) -> None:
        self._api = api

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"
