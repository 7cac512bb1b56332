"""auth.token: the OAuth2 client-credentials exchange."""

from __future__ import annotations

import base64
import hmac
import json
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..errors import ApiError
from ..http import JSONResponse, content_type, endpoint, read_body

if TYPE_CHECKING:
    from ..app import Sandbox


async def token(request: Request, sandbox: Sandbox) -> Response:
    fields = await _credentials(request)
    if fields.get("grant_type") != "client_credentials":
        raise ApiError(400, "AUTH-005", "grant_type must be client_credentials")
    config = sandbox.config
    client_id = fields.get("client_id", "")
    client_secret = fields.get("client_secret", "")
    if not (
        hmac.compare_digest(client_id.encode(), config.client_id.encode())
        and hmac.compare_digest(client_secret.encode(), config.client_secret.encode())
    ):
        raise ApiError(401, "AUTH-001", "Invalid client credentials")
    body = {
        "access_token": sandbox.issue_token(),
        "token_type": "Bearer",
        "expires_in": int(config.token_lifetime)
        if float(config.token_lifetime).is_integer()
        else config.token_lifetime,
        "scope": "messages:send",
    }
    return JSONResponse(body, headers={"Cache-Control": "no-store"})


async def _credentials(request: Request) -> dict[str, str]:
    """Fields from a JSON or form body, with client id and secret also accepted as HTTP Basic."""
    raw = await read_body(request, 64 * 1024)
    kind = content_type(request)
    fields: dict[str, str] = {}
    if raw.strip():
        if kind == "application/x-www-form-urlencoded":
            fields = dict(parse_qsl(raw.decode("utf-8", "replace")))
        elif kind in ("application/json", ""):
            try:
                parsed = json.loads(raw)
            except (ValueError, UnicodeDecodeError):
                raise ApiError(400, "REQ-001", "Malformed JSON") from None
            if not isinstance(parsed, dict):
                raise ApiError(400, "REQ-002", "Expected a JSON object")
            fields = {k: v for k, v in parsed.items() if isinstance(v, str)}
        else:
            raise ApiError(415, "REQ-003", f"Expected JSON or a form, got {kind}")
    basic = request.headers.get("authorization", "")
    if basic.lower().startswith("basic ") and "client_id" not in fields:
        try:
            decoded = base64.b64decode(basic[6:].strip()).decode("utf-8")
        except (ValueError, UnicodeDecodeError):
            raise ApiError(401, "AUTH-001", "Malformed Basic credentials") from None
        client_id, _, secret = decoded.partition(":")
        fields.setdefault("client_id", client_id)
        fields.setdefault("client_secret", secret)
    return fields


def routes() -> list[Route]:
    handler = endpoint(token, auth=False)
    return [
        Route("/oauth2/token", handler, methods=["POST"]),
        Route("/v1/oauth2/token", handler, methods=["POST"]),
    ]
