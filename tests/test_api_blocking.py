"""The blocking transport of one-shot commands answers as httpx's default transport does.

Each case runs against a real HTTP server on 127.0.0.1 (``hostile.Hostile``) through both
transports, and checks the same outcome: the request as sent, an answer compressed on the
wire, a cut-off answer, a refused connection. ``sakari-tui send`` uses it (the command tests
run it over HTTP against the sandbox, with drops and 5xx); here is what the command tests
cannot see: the encoding, and a request cancelled while it is on its thread.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import socket
import threading

import httpx
import pytest
from hostile import Hostile, Reply, reply

from sakari_tui.api.blocking import BlockingTransport

TRANSPORTS = {"default": lambda: None, "blocking": BlockingTransport}


def client(server_url: str, transport: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=server_url, transport=TRANSPORTS[transport](), timeout=5)


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_the_request_arrives_as_sent_and_a_compressed_answer_is_read(transport: str) -> None:
    answer = gzip.compress(json.dumps({"success": True, "data": {"id": "m1", "text": "é ✓"}}).encode())
    with Hostile() as server:
        server.route("POST", "/v1/echo", lambda r: Reply(
            201, answer, {"Content-Type": "application/json", "Content-Encoding": "gzip"}))  # fmt: skip
        async with client(server.url, transport) as http:
            response = await http.post("/v1/echo", params={"a": "1"}, json={"text": "On my way"},
                                       headers={"Authorization": "Bearer t"})  # fmt: skip
        [request] = server.requests
    assert response.status_code == 201
    assert response.json() == {"success": True, "data": {"id": "m1", "text": "é ✓"}}
    assert request.query == {"a": ["1"]}
    assert json.loads(request.body) == {"text": "On my way"}
    assert request.headers["authorization"] == "Bearer t"


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_a_cut_off_answer_raises_httpx_own_error(transport: str) -> None:
    with Hostile() as server:
        server.route("GET", "/v1/cut", lambda r: Reply(200, b'{"success": tr', {}, declared_length=500))
        async with client(server.url, transport) as http:
            with pytest.raises(httpx.RemoteProtocolError):
                await http.get("/v1/cut")


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_a_refused_connection_raises_connect_error(transport: str) -> None:
    with socket.socket() as listener:  # a port nobody listens on once it is closed
        listener.bind(("127.0.0.1", 0))
        port = listener.getsockname()[1]
    async with client(f"http://127.0.0.1:{port}", transport) as http:
        with pytest.raises(httpx.ConnectError):
            await http.get("/v1/anything")


async def test_a_request_cancelled_on_its_thread_leaves_the_loop_and_the_client_working() -> None:
    release = threading.Event()

    def slow(request: object) -> Reply:
        release.wait(5)
        return reply(200, {"late": True})

    with Hostile() as server:
        server.route("GET", "/v1/slow", slow)
        server.route("GET", "/v1/fast", lambda r: reply(200, {"fast": True}))
        async with client(server.url, "blocking") as http:
            task = asyncio.create_task(http.get("/v1/slow"))
            await asyncio.sleep(0.2)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            release.set()  # the thread's answer now comes back to a cancelled request
            await asyncio.sleep(0.2)
            assert (await http.get("/v1/fast")).json() == {"fast": True}
