"""Injected faults, as a pure ASGI middleware around the app.

- ``down``: every request fails as if nothing listened. In-process (httpx.ASGITransport) the
  client gets httpx.ConnectError; under uvicorn the connection closes without an answer.
- ``latency``: seconds of delay before the request is handled.
- ``rate_429``: answered 429 with Retry-After, before processing (nothing stored).
- ``rate_5xx``: answered 503 JSON, or now and then a proxy-style 502 HTML page, before processing.
- ``rate_drop``: the request IS processed (a message is stored), then the connection drops:
  in-process the client gets httpx.RemoteProtocolError; under uvicorn the status line goes
  out and the connection closes mid-answer, which httpx also reports as RemoteProtocolError.

The token exchange is spared from 429/5xx/drop unless ``faults.token_endpoint`` is set.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
from collections.abc import Callable

import httpx
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .config import Faults
from .errors import error_body

BAD_GATEWAY_PAGE = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    b"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
    b"</body>\r\n</html>\r\n"
)
TOKEN_PATHS = ("/oauth2/token", "/v1/oauth2/token")


class DroppedConnection(httpx.RemoteProtocolError):
    """The sandbox dropped the connection on purpose after processing the request."""

    def __init__(self) -> None:
        super().__init__("connection dropped by sandbox")


class SandboxDown(httpx.ConnectError):
    """The sandbox plays dead."""

    def __init__(self) -> None:
        super().__init__("sandbox is down")


class QuietInjectedFaults(logging.Filter):
    """Keeps uvicorn from logging a traceback for every connection we drop on purpose."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not isinstance(exc, (DroppedConnection, SandboxDown))


class FaultMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        faults: Callable[[], Faults],
        rng: random.Random,
        record: Callable[[str, str], None],
    ) -> None:
        self.app = app
        self.faults = faults
        self.rng = rng
        self.record = record

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        faults = self.faults()  # looked up per request: tests swap or mutate it at run time
        path: str = scope["path"]
        if faults.down:
            # Under a real server the status line must go out first, or uvicorn would
            # answer 500 itself; the exception then cuts the connection.
            await send({"type": "http.response.start", "status": 503, "headers": []})
            raise SandboxDown()
        self.record(scope["method"], path)
        is_token = path in TOKEN_PATHS  # "/oauth2/token" is outside /v1/, and faulted too
        if not (is_token or path.startswith("/v1/")):
            await self.app(scope, receive, send)
            return
        if faults.latency > 0:
            await asyncio.sleep(faults.latency)
        if is_token and not faults.token_endpoint:
            await self.app(scope, receive, send)
            return

        roll = self.rng.random()
        if roll < faults.rate_429:
            headers = {"retry-after": str(max(0, int(faults.retry_after)))}
            await _answer_json(send, 429, "RATE-001", "Too many requests, slow down", headers)
            return
        roll -= faults.rate_429
        if roll < faults.rate_5xx:
            if self.rng.random() < 0.25:
                await _answer(send, 502, BAD_GATEWAY_PAGE, "text/html")
            else:
                await _answer_json(send, 503, "SRV-503", "Service temporarily unavailable")
            return
        roll -= faults.rate_5xx
        if roll < faults.rate_drop:
            await self._process_then_drop(scope, receive, send)
            return
        await self.app(scope, receive, send)

    async def _process_then_drop(self, scope: Scope, receive: Receive, send: Send) -> None:
        started: Message | None = None

        async def hold_back(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = message

        await self.app(scope, receive, hold_back)
        await send(started or {"type": "http.response.start", "status": 200, "headers": []})
        raise DroppedConnection()


async def _answer(
    send: Send, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None
) -> None:
    raw_headers = [(b"content-type", content_type.encode()), (b"content-length", str(len(body)).encode())]
    raw_headers += [(k.encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": body})


async def _answer_json(send: Send, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
    body = json.dumps(error_body(code, message)).encode()
    await _answer(send, status, body, "application/json", headers)
