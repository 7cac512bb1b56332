"""Request and response plumbing shared by the routes: JSON in and out, auth, pagination."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .errors import ApiError, error_body
from .tokens import TokenError

if TYPE_CHECKING:
    from .app import Sandbox

log = logging.getLogger("sakari_tui.sandbox")

MAX_JSON_BODY = 5 * 1024 * 1024
DEFAULT_LIMIT = 10
MAX_LIMIT = 100
_INTEGER = re.compile(r"^[+-]?[0-9]{1,18}$")

Handler = Callable[[Request, "Sandbox"], Awaitable[Response]]


class JSONResponse(Response):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def ok(data: object = None, status: int = 200, **extra: Any) -> JSONResponse:
    body: dict[str, Any] = {"success": True}
    if data is not None:
        body["data"] = data
    body.update(extra)
    return JSONResponse(body, status_code=status)


def error_response(error: ApiError) -> JSONResponse:
    headers = dict(error.headers)
    if error.status == 401:
        headers.setdefault("WWW-Authenticate", "Bearer")
    return JSONResponse(error_body(error.code, error.message), status_code=error.status, headers=headers)


def endpoint(handler: Handler, *, auth: bool = True) -> Callable[[Request], Awaitable[Response]]:
    """Wrap a handler: check the token and account, and turn every failure into a JSON error.

    An unexpected exception is a sandbox bug: it is logged and answered as GEN-500 JSON, so a
    client never sees a bare traceback page.
    """

    async def run(request: Request) -> Response:
        sandbox: Sandbox = request.app.state.sandbox
        try:
            if auth:
                authorize(request, sandbox)
            return await handler(request, sandbox)
        except ApiError as exc:
            return error_response(exc)
        except HTTPException as exc:  # e.g. a malformed multipart body
            return error_response(ApiError(exc.status_code, "REQ-002", str(exc.detail)))
        except Exception:
            log.exception("sandbox bug while handling %s %s", request.method, request.url.path)
            return error_response(ApiError(500, "GEN-500", "Unexpected error in the sandbox"))

    run.__name__ = handler.__name__
    return run


def authorize(request: Request, sandbox: Sandbox) -> None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, "AUTH-002", "Missing bearer token: send Authorization: Bearer <token>")
    try:
        claims = sandbox.tokens.verify(token.strip())
    except TokenError as exc:
        raise ApiError(401, exc.code, exc.message) from None
    account_id = request.path_params.get("account_id")
    if account_id is not None and account_id != claims.get("account"):
        raise ApiError(403, "ACCT-001", f"Token is not valid for account {account_id!r}")


async def read_body(request: Request, limit: int) -> bytes:
    size = int(request.headers.get("content-length") or 0)
    if size > limit:
        raise ApiError(413, "REQ-004", f"Request body is larger than {limit} bytes")
    chunks = []
    total = 0
    async for chunk in request.stream():
        total += len(chunk)
        if total > limit:
            raise ApiError(413, "REQ-004", f"Request body is larger than {limit} bytes")
        chunks.append(chunk)
    body = b"".join(chunks)
    # Starlette replays a cached body to later readers such as request.form().
    request._body = body
    return body


def content_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


async def read_json(request: Request, *, allow_list: bool = False) -> Any:
    """The JSON body: an object (or a list when allowed). 4xx for anything else."""
    kind = content_type(request)
    if kind and kind != "application/json" and not kind.endswith("+json"):
        raise ApiError(415, "REQ-003", f"Expected application/json, got {kind}")
    raw = await read_body(request, MAX_JSON_BODY)
    if not raw.strip():
        raise ApiError(400, "REQ-001", "Request body is empty: expected JSON")
    try:
        body = json.loads(raw, parse_constant=_refuse_constant)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ApiError(400, "REQ-001", f"Malformed JSON: {exc}") from None
    except RecursionError:
        raise ApiError(400, "REQ-001", "Malformed JSON: nested too deeply") from None
    if isinstance(body, dict) or (allow_list and isinstance(body, list)):
        return body
    expected = "a JSON object or list" if allow_list else "a JSON object"
    raise ApiError(400, "REQ-002", f"Expected {expected}, got {type(body).__name__}")


def _refuse_constant(name: str) -> None:
    # Python's json accepts NaN and Infinity; JSON does not, and we could not answer them back.
    raise ValueError(f"{name} is not valid JSON")


def pagination(request: Request) -> tuple[int, int]:
    """(offset, limit) from the query: offset >= 0, 1 <= limit <= 100, limit 10 by default."""
    offset = _integer(request, "offset", 0)
    if offset is None or offset < 0:
        raise ApiError(400, "PAGE-001", "offset must be an integer >= 0")
    limit = _integer(request, "limit", DEFAULT_LIMIT)
    if limit is None or not 1 <= limit <= MAX_LIMIT:
        raise ApiError(400, "PAGE-002", f"limit must be an integer between 1 and {MAX_LIMIT}")
    return offset, limit


def _integer(request: Request, name: str, default: int) -> int | None:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    if not _INTEGER.match(raw.strip()):
        return None
    return int(raw)


def page(items: list[Any], offset: int, limit: int, total: int) -> JSONResponse:
    return ok(items, pagination={"offset": offset, "limit": limit, "totalCount": total})


def query_filters(request: Request, names: tuple[str, ...]) -> dict[str, str]:
    return {name: request.query_params[name] for name in names if request.query_params.get(name)}


T = TypeVar("T")


def record(records: Mapping[str, T], request: Request, param: str, code: str, message: str) -> T:
    """The record the path parameter ``param`` names; a 404 with ``code`` when there is none."""
    found = records.get(request.path_params[param])
    if found is None:
        raise ApiError(404, code, message)
    return found


def collection_routes(
    path: str, item: str, fetch_all: Handler, create: Handler, fetch: Handler, update: Handler, remove: Handler
) -> list[Route]:
    """A collection's five routes: list and create at ``path``, fetch, update and remove at
    ``path/{item}``."""
    one = f"{path}/{{{item}}}"
    return [
        Route(path, endpoint(fetch_all), methods=["GET"]),
        Route(path, endpoint(create), methods=["POST"]),
        Route(one, endpoint(fetch), methods=["GET"]),
        Route(one, endpoint(update), methods=["PUT"]),
        Route(one, endpoint(remove), methods=["DELETE"]),
    ]


def named_page(request: Request, records: Iterable[Any], view: Callable[[Any], dict[str, Any]]) -> JSONResponse:
    """A page of the records whose name holds the ``name`` query parameter, in any case."""
    offset, limit = pagination(request)
    wanted = request.query_params.get("name", "").strip().lower()
    matching = [r for r in records if wanted in r.name.lower()]
    return page([view(r) for r in matching[offset : offset + limit]], offset, limit, len(matching))
