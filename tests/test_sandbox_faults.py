"""Injected faults, in-process through httpx.ASGITransport."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import httpx
import pytest

from sakari_tui.sandbox import Faults, Sandbox, SandboxConfig

A = "/v1/accounts/demo-account"
CREDENTIALS = {"client_id": "demo-client", "client_secret": "demo-secret", "grant_type": "client_credentials"}


@pytest.fixture
def sandbox() -> Sandbox:
    return Sandbox(SandboxConfig(contacts=12, conversations=4, status_step=0.01))


@pytest.fixture
async def client(sandbox: Sandbox) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=sandbox.app)
    headers = {"Authorization": f"Bearer {sandbox.issue_token()}"}
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox", headers=headers) as c:
        yield c


def send_body(sandbox: Sandbox, text: str) -> dict[str, object]:
    contact = next(c for c in sandbox.contacts() if "blocked" not in c)
    return {"contacts": [{"id": contact["id"]}], "template": text}


def stored_texts(sandbox: Sandbox) -> list[str]:
    return [m["message"] for m in sandbox.messages()]


async def test_429_comes_with_retry_after_and_stores_nothing(client: httpx.AsyncClient, sandbox: Sandbox) -> None:
    sandbox.faults.rate_429 = 1.0
    sandbox.faults.retry_after = 2
    response = await client.post(f"{A}/messages", json=send_body(sandbox, "throttled"))
    assert response.status_code == 429
    assert response.headers["retry-after"] == "2"
    assert response.json() == {
        "success": False,
        "error": {"code": "RATE-001", "message": "Too many requests, slow down"},
    }
    assert "throttled" not in stored_texts(sandbox)
    sandbox.faults.rate_429 = 0.0
    assert (await client.post(f"{A}/messages", json=send_body(sandbox, "now ok"))).status_code == 200
    assert "now ok" in stored_texts(sandbox)


async def test_5xx_is_503_json_or_a_proxy_502_page_and_stores_nothing(
    client: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    sandbox.faults.rate_5xx = 1.0
    seen: dict[int, httpx.Response] = {}
    for _ in range(40):
        response = await client.post(f"{A}/messages", json=send_body(sandbox, "unlucky"))
        seen.setdefault(response.status_code, response)
    assert set(seen) == {502, 503}
    assert seen[503].json()["error"]["code"] == "SRV-503"
    assert seen[502].headers["content-type"].startswith("text/html")
    assert "Bad Gateway" in seen[502].text and seen[502].text.lstrip().startswith("<html>")
    assert "unlucky" not in stored_texts(sandbox)


async def test_dropped_connection_after_the_message_was_stored(client: httpx.AsyncClient, sandbox: Sandbox) -> None:
    sandbox.faults.rate_drop = 1.0
    with pytest.raises(httpx.RemoteProtocolError, match="dropped"):
        await client.post(f"{A}/messages", json=send_body(sandbox, "did it go?"))
    assert stored_texts(sandbox).count("did it go?") == 1
    sandbox.faults.rate_drop = 0.0
    listed = await client.get(f"{A}/messages", params={"limit": 1})
    assert listed.json()["data"][0]["message"] == "did it go?"


async def test_down_refuses_everything_until_it_is_back(client: httpx.AsyncClient, sandbox: Sandbox) -> None:
    sandbox.requests.clear()
    sandbox.faults.down = True
    with pytest.raises(httpx.ConnectError):
        await client.get(f"{A}/contacts")
    with pytest.raises(httpx.ConnectError):
        await client.post("/v1/oauth2/token", json=CREDENTIALS)
    with pytest.raises(httpx.ConnectError):
        await client.post(f"{A}/messages", json=send_body(sandbox, "into the void"))
    assert sandbox.requests == [] and "into the void" not in stored_texts(sandbox)
    sandbox.faults.down = False
    assert (await client.get(f"{A}/contacts")).status_code == 200


async def test_latency_delays_answers(client: httpx.AsyncClient, sandbox: Sandbox) -> None:
    sandbox.faults.latency = 0.15
    started = time.perf_counter()
    assert (await client.get(f"{A}/templates")).status_code == 200
    assert time.perf_counter() - started >= 0.15


async def test_token_exchange_is_spared_unless_asked(client: httpx.AsyncClient, sandbox: Sandbox) -> None:
    sandbox.faults.rate_429 = 1.0
    assert (await client.post("/v1/oauth2/token", json=CREDENTIALS)).status_code == 200
    assert (await client.post("/oauth2/token", json=CREDENTIALS)).status_code == 200
    sandbox.faults.token_endpoint = True
    assert (await client.post("/v1/oauth2/token", json=CREDENTIALS)).status_code == 429


async def test_fault_rates_are_shares_of_requests(client: httpx.AsyncClient, sandbox: Sandbox) -> None:
    sandbox.faults.rate_429 = 0.3
    sandbox.faults.rate_5xx = 0.2
    statuses = [(await client.get(f"{A}/templates")).status_code for _ in range(300)]
    assert 60 <= statuses.count(429) <= 120
    assert 30 <= statuses.count(502) + statuses.count(503) <= 90
    assert statuses.count(200) == 300 - statuses.count(429) - statuses.count(502) - statuses.count(503)


async def test_replacing_the_faults_object_takes_effect(client: httpx.AsyncClient, sandbox: Sandbox) -> None:
    sandbox.faults = Faults(rate_429=1.0, retry_after=5)
    response = await client.get(f"{A}/contacts")
    assert response.status_code == 429 and response.headers["retry-after"] == "5"


async def test_faults_are_counted_as_requests(client: httpx.AsyncClient, sandbox: Sandbox) -> None:
    sandbox.requests.clear()
    sandbox.faults.rate_429 = 1.0
    await client.get(f"{A}/contacts")
    assert sandbox.requests == [("GET", f"{A}/contacts")]
