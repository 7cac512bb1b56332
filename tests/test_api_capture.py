"""The client's small helpers for tools that show raw answers: ``capture()``, ``redact()``
and ``authentication.bearer_auth()`` for another HTTP client."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from sakari_tui.api import ApiError, BadResponse, SakariClient
from sakari_tui.api.capture import mask_secrets

SECRET = "s3cret-value"
TOKENS = iter(f"token-{n}-abcdefghijklmnop" for n in range(100))


def answer(request: httpx.Request) -> httpx.Response:
    if request.url.path == "/oauth2/token":
        return httpx.Response(200, json={"access_token": next(TOKENS), "token_type": "bearer", "expires_in": 3600})
    if request.url.path.endswith("/contacts/missing"):
        return httpx.Response(404, json={"success": False, "error": {"code": "CONT-404", "message": "Not found"}})
    if request.url.path.endswith("/contacts/echo"):
        # A careless server repeating credentials back.
        auth = request.headers.get("Authorization", "")
        return httpx.Response(
            200, json={"success": True, "data": {"id": "e", "seen": auth, "note": f"secret={SECRET}"}}
        )
    if request.url.path.endswith("/contacts/text"):
        return httpx.Response(200, text="plain words", headers={"Content-Type": "text/plain"})
    return httpx.Response(
        200, json={"success": True, "data": [], "pagination": {"offset": 0, "limit": 10, "totalCount": 0}}
    )


def client_for(handler=answer) -> SakariClient:
    return SakariClient(api_url="https://api.test", client_id="id", client_secret=SECRET,
                        account_id="acct", transport=httpx.MockTransport(handler))  # fmt: skip


async def test_capture_records_status_time_and_json_of_each_answer() -> None:
    async with client_for() as client:
        with client.capture() as captured:
            await client.contacts.fetch_all(first_name="Ann", limit=5)
        # The token exchange came first; the call itself is last.
        assert [e.url.split("?")[0] for e in captured.exchanges] == ["/oauth2/token", "/v1/accounts/acct/contacts"]
        last = captured.last
        assert last.method == "GET" and last.status == 200 and last.elapsed_ms >= 0
        assert "firstName=Ann" in last.url and "limit=5" in last.url
        assert last.body == {"success": True, "data": [], "pagination": {"offset": 0, "limit": 10, "totalCount": 0}}
        # The token's value is masked in the recorded token answer.
        assert captured.exchanges[0].body["access_token"] == "***"
        assert captured.exchanges[0].body["token_type"] == "bearer"


async def test_capture_records_error_answers_too() -> None:
    async with client_for() as client:
        with client.capture() as captured, pytest.raises(ApiError):
            await client.contacts.fetch("missing")
        assert captured.last.status == 404
        assert captured.last.body["error"]["code"] == "CONT-404"


async def test_capture_masks_the_secret_and_tokens_echoed_in_a_body() -> None:
    async with client_for() as client:
        with client.capture() as captured:
            await client.contacts.fetch("echo")
        text = json.dumps(captured.last.body)
        token = client._auth.cached.access_token
        assert SECRET not in text and token not in text
        assert captured.last.body["data"]["seen"] == "Bearer ***"


async def test_capture_keeps_text_bodies_as_text() -> None:
    async with client_for() as client:
        with client.capture() as captured, pytest.raises(BadResponse):
            await client.contacts.fetch("text")
        assert captured.last.body is None and captured.last.text == "plain words"


async def test_capture_sees_only_the_calls_of_its_own_task() -> None:
    async with client_for() as client:
        started = asyncio.Event()
        release = asyncio.Event()

        async def background() -> None:
            started.set()
            await release.wait()
            await client.conversations.fetch_all()

        task = asyncio.create_task(background())
        await started.wait()
        with client.capture() as captured:
            release.set()
            await asyncio.sleep(0)
            await client.templates.fetch_all()
            await task
        paths = [e.url.split("?")[0] for e in captured.exchanges]
        assert "/v1/accounts/acct/templates" in paths
        assert "/v1/accounts/acct/conversations" not in paths
        # Outside the block nothing is recorded.
        await client.templates.fetch_all()
        assert len(captured.exchanges) == len(paths)


async def test_capture_is_per_client() -> None:
    async with client_for() as one, client_for() as other:
        with one.capture() as captured:
            await other.templates.fetch_all()
        assert captured.exchanges == []


def test_mask_secrets_walks_nested_json() -> None:
    body = {"a": [{"client_secret": "x", "Access-Token": "y", "name": "keep"}], "password": None}
    assert mask_secrets(body) == {
        "a": [{"client_secret": "***", "Access-Token": "***", "name": "keep"}],
        "password": None,
    }
    assert mask_secrets({"t": "has abc inside"}, lambda s: s.replace("abc", "***")) == {"t": "has *** inside"}


async def test_redact_masks_the_secret_and_known_tokens() -> None:
    async with client_for() as client:
        token = await client.authentication.auth_token()
        text = f"echo {SECRET} and {token.access_token} and other"
        assert client.redact(text) == "echo *** and *** and other"


async def test_bearer_auth_sends_the_client_token_to_another_server_and_refreshes_on_401() -> None:
    seen: list[str] = []

    def other_server(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("Authorization", ""))
        return httpx.Response(401 if len(seen) == 1 else 200, json={"ok": True})

    async with client_for() as client:
        auth = client.authentication.bearer_auth()
        assert "token" not in repr(auth).lower().replace("auth", "")
        async with httpx.AsyncClient(
            transport=httpx.MockTransport(other_server), base_url="https://other.test"
        ) as http:
            response = await http.get("/thing", auth=auth)
        assert response.status_code == 200
        assert len(seen) == 2 and seen[0] != seen[1]
        assert seen[1] == f"Bearer {client._auth.cached.access_token}"
        with pytest.raises(RuntimeError):
            httpx.Client(transport=httpx.MockTransport(other_server)).get("https://other.test/", auth=auth)
