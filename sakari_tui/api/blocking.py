"""A transport for one-shot commands: each request made by httpx's blocking transport.

httpx's async transport runs on anyio, and anyio's asyncio backend takes 25–30 ms to import
on this project's machine: a tenth of a quick ``sakari-tui send``, more than the rest of
what the command adds to a bare httpx call. A command makes its calls one after another,
so its event loop has nothing else to do while one is in flight; ``BlockingTransport`` hands
each request to ``httpx.HTTPTransport`` on a thread and awaits the answer there.

Each request gets a daemon thread, so a Ctrl-C ends the command at once instead of waiting
for the request's timeout. The answer is read whole before it is handed back: for the short
answers of single calls, not for a list streamed page by page over many thousands of rows.
Timeouts, connection reuse, TLS and the errors raised are httpx's own, as with the default
transport.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import httpx


class BlockingTransport(httpx.AsyncBaseTransport):
    def __init__(self, **options: Any) -> None:
        self._blocking = httpx.HTTPTransport(**options)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = await request.aread()
        outgoing = httpx.Request(
            request.method, request.url, headers=request.headers, content=body, extensions=request.extensions
        )
        loop = asyncio.get_running_loop()
        answer: asyncio.Future[tuple[httpx.Response, bytes]] = loop.create_future()

        def settle(result: tuple[httpx.Response, bytes] | None, error: BaseException | None) -> None:
            if answer.done():  # cancelled meanwhile
                return
            if error is not None:
                answer.set_exception(error)
            else:
                assert result is not None
                answer.set_result(result)

        def send() -> None:
            result: tuple[httpx.Response, bytes] | None = None
            error: BaseException | None = None
            try:
                response = self._blocking.handle_request(outgoing)
                try:
                    # The raw bytes: the client decodes any Content-Encoding itself.
                    result = (response, b"".join(response.iter_raw()))
                finally:
                    response.close()
            except BaseException as exc:  # handed to the awaiting task, re-raised there
                error = exc
            try:
                loop.call_soon_threadsafe(settle, result, error)
            except RuntimeError:  # the loop is closed: the command has ended
                pass

        threading.Thread(target=send, name="sakari-http", daemon=True).start()
        response, raw = await answer
        return httpx.Response(
            response.status_code, headers=response.headers, content=raw, extensions=response.extensions
        )

    async def aclose(self) -> None:
        self._blocking.close()
