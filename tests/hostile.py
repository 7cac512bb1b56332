"""A hostile Sakari for tests: an HTTP server on 127.0.0.1 answering whatever a test scripts,
for the answers the sandbox (a well-behaved Sakari) never gives: bodies in other shapes,
cut-off answers, JSON nested thousands deep, a clock far from ours.

    with Hostile() as server:
        server.route("GET", "/v1/accounts/acct/contacts", lambda request: reply(200, {...}))
        ... SakariClient(api_url=server.url, ...) ...
    server.hits("POST", "/oauth2/token")   # how many requests it had

Unscripted paths answer 404. The token endpoint hands out ``TOKEN`` unless scripted.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

TOKEN = "hostile-access-token-0123456789abcdef"
SECRET = "hostile-client-secret-fedcba9876543210"


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes


@dataclass
class Reply:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    # Declare a longer body than is sent, then close: a cut-off answer.
    declared_length: int | None = None


def reply(status: int, body: Any = None, *, headers: dict[str, str] | None = None) -> Reply:
    """A JSON answer (``body`` bytes or str are sent as they are)."""
    if isinstance(body, bytes):
        raw = body
    elif isinstance(body, str):
        raw = body.encode()
    elif body is None:
        raw = b""
    else:
        raw = json.dumps(body).encode()
    return Reply(status, raw, {"Content-Type": "application/json", **(headers or {})})


Handler = Callable[[Request], Reply]


class Hostile:
    def __init__(self) -> None:
        self.routes: dict[tuple[str, str], Handler] = {}
        self.requests: list[Request] = []
        self.route("POST", "/oauth2/token", lambda r: reply(200, {"access_token": TOKEN, "token_type": "bearer"}))
        hostile = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _handle(self) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                request = Request(
                    self.command, parts.path, parse_qs(parts.query),
                    {k.lower(): v for k, v in self.headers.items()}, self.rfile.read(length),
                )  # fmt: skip
                hostile.requests.append(request)
                handler = hostile.routes.get((self.command, parts.path))
                answer = handler(request) if handler else reply(404, {"message": "no such route"})
                self.send_response_only(answer.status)
                # A Date header as every server sends, unless the test gives one ("" for none).
                headers = {"Date": formatdate(time.time(), usegmt=True), **answer.headers}
                for name, value in headers.items():
                    if value:
                        self.send_header(name, value)
                declared = answer.declared_length if answer.declared_length is not None else len(answer.body)
                self.send_header("Content-Length", str(declared))
                if answer.declared_length is not None:
                    self.send_header("Connection", "close")
                    self.close_connection = True
                self.end_headers()
                self.wfile.write(answer.body)
                self.wfile.flush()

            do_GET = do_POST = do_PUT = do_DELETE = _handle

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_port}"

    def route(self, method: str, path: str, handler: Handler) -> None:
        self.routes[(method, path)] = handler

    def hits(self, method: str, path: str) -> int:
        return sum(1 for r in self.requests if r.method == method and r.path == path)

    def __enter__(self) -> Hostile:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


def nested(depth: int) -> bytes:
    """A JSON object with ``data`` nested ``depth`` lists deep."""
    return b'{"success": true, "data": ' + b"[" * depth + b"]" * depth + b"}"
