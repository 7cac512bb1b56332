"""The sandbox's answers held against the Sakari OpenAPI document (1.0.1 shapes).

Every one of the 26 operations is called at the path the spec gives (under /v1), its status
must be one the spec lists, and its JSON body must validate against the spec's schema for
that status. Error answers must validate against ErrorResponse. Skips without the spec.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any
from urllib.parse import quote

import httpx
import jsonschema
import pytest
from spec import operations, response_schema, schema

from sakari_tui.sandbox import Faults, Sandbox, SandboxConfig

ACCOUNT = "demo-account"
HOOK_URL = "https://hooks.example/sakari?source=contract"
CREDENTIALS = {"client_id": "demo-client", "client_secret": "demo-secret", "grant_type": "client_credentials"}


@pytest.fixture
def sandbox() -> Sandbox:
    return Sandbox(SandboxConfig(status_step=0.01, error_share=0.5))


@pytest.fixture
async def client(sandbox: Sandbox) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=sandbox.app)
    headers = {"Authorization": f"Bearer {sandbox.issue_token()}"}
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox", headers=headers) as c:
        yield c


def url(operation_id: str, **ids: str) -> str:
    """The operation's path from the spec, filled in, under the server's /v1 base."""
    _, path, _ = operations()[operation_id]
    return "/v1" + path.format(accountId=ACCOUNT, **ids)


def validate(operation_id: str, response: httpx.Response) -> None:
    _, _, op = operations()[operation_id]
    assert str(response.status_code) in op["responses"], (operation_id, response.status_code, response.text)
    body_schema = response_schema(operation_id, response.status_code)
    if body_schema is None:
        assert response.content == b"", operation_id
        return
    assert response.headers["content-type"].startswith("application/json")
    jsonschema.Draft4Validator(body_schema).validate(response.json())


def first(sandbox: Sandbox, kind: str) -> dict[str, Any]:
    return getattr(sandbox, kind)()[0]


Call = Callable[[httpx.AsyncClient, Sandbox], Awaitable[httpx.Response]]


async def _token(c: httpx.AsyncClient, s: Sandbox) -> httpx.Response:
    return await c.post(url("auth.token"), json=CREDENTIALS)


async def _contacts_create(c: httpx.AsyncClient, s: Sandbox) -> httpx.Response:
    body = {
        "firstName": "Chris",
        "lastName": "Bloggs",
        "email": "chris@example.com",
        "mobile": {"number": "123-456-7890", "country": "US"},
        "tags": [{"tag": "vip", "visible": True}],
        "attributes": {"jobTitle": "mover"},
    }
    return await c.post(url("contacts.create"), json=body)


async def _share_file(c: httpx.AsyncClient, s: Sandbox) -> httpx.Response:
    return await c.post(url("tools.shareFile"), files={"media": ("cake.jpg", b"\xff\xd8\xff\xe0 jpeg", "image/jpeg")})


async def _webhooks_unsubscribe(c: httpx.AsyncClient, s: Sandbox) -> httpx.Response:
    await c.post(url("webhooks.subscribe"), json={"url": HOOK_URL, "eventTypes": ["message-status"]})
    return await c.delete(url("webhooks.unsubscribe", url=quote(HOOK_URL, safe="")))


CALLS: dict[str, Call] = {
    "auth.token": _token,
    "contacts.fetchAll": lambda c, s: c.get(url("contacts.fetchAll"), params={"limit": 100}),
    "contacts.create": _contacts_create,
    "contacts.fetch": lambda c, s: c.get(url("contacts.fetch", contactId=first(s, "contacts")["id"])),
    "contacts.update": lambda c, s: c.put(
        url("contacts.update", contactId=first(s, "contacts")["id"]), json={"lastName": "Updated", "tags": ["vip"]}
    ),
    "contacts.remove": lambda c, s: c.delete(url("contacts.remove", contactId=first(s, "contacts")["id"])),
    "conversations.fetchAll": lambda c, s: c.get(url("conversations.fetchAll"), params={"limit": 100}),
    "conversations.fetch": lambda c, s: c.get(
        url("conversations.fetch", conversationId=first(s, "conversations")["id"])
    ),
    "conversations.close": lambda c, s: c.put(
        url("conversations.close", conversationId=first(s, "conversations")["id"])
    ),
    "messages.fetchAll": lambda c, s: c.get(url("messages.fetchAll"), params={"limit": 100}),
    "messages.fetch": lambda c, s: c.get(url("messages.fetch", messageId=first(s, "messages")["id"])),
    "messages.send": lambda c, s: c.post(
        url("messages.send"),
        json={
            "contacts": [{"mobile": {"number": "+12065550190"}}],
            "conversations": [first(s, "conversations")["id"]],
            "filters": {"tags": ["vip"]},
            "template": "Hi {{{firstName}}}, see you soon",
            "type": "SMS",
        },
    ),
    "templates.fetchAll": lambda c, s: c.get(url("templates.fetchAll")),
    "templates.create": lambda c, s: c.post(
        url("templates.create"),
        json={"name": "Promo", "template": "Hi {{{firstName}}}. Grab 20% off today", "type": "SMS"},
    ),
    "templates.fetch": lambda c, s: c.get(url("templates.fetch", templateId=first(s, "templates")["id"])),
    "templates.update": lambda c, s: c.put(
        url("templates.update", templateId=first(s, "templates")["id"]), json={"type": "Web"}
    ),
    "templates.remove": lambda c, s: c.delete(url("templates.remove", templateId=first(s, "templates")["id"])),
    "campaigns.fetchAll": lambda c, s: c.get(url("campaigns.fetchAll")),
    "campaigns.create": lambda c, s: c.post(
        url("campaigns.create"),
        json={
            "name": "Spring",
            "trigger": {"code": "M"},
            "template": "Hello",
            "filters": {"tags": ["vip"], "contacts": [], "attributes": []},
        },
    ),
    "campaigns.fetch": lambda c, s: c.get(url("campaigns.fetch", campaignId=first(s, "campaigns")["id"])),
    "campaigns.update": lambda c, s: c.put(
        url("campaigns.update", campaignId=first(s, "campaigns")["id"]), json={"name": "Renamed"}
    ),
    "campaigns.remove": lambda c, s: c.delete(url("campaigns.remove", campaignId=first(s, "campaigns")["id"])),
    "webhooks.fetchAll": lambda c, s: c.get(url("webhooks.fetchAll")),
    "webhooks.subscribe": lambda c, s: c.post(
        url("webhooks.subscribe"), json={"url": HOOK_URL, "eventTypes": ["message-received", "message-status"]}
    ),
    "webhooks.unsubscribe": _webhooks_unsubscribe,
    "tools.shareFile": _share_file,
}


def test_every_operation_of_the_spec_is_exercised() -> None:
    assert set(CALLS) == set(operations())
    assert len(CALLS) == 26


@pytest.mark.parametrize("operation_id", sorted(CALLS))
async def test_operation_answers_match_the_spec(operation_id: str, client: httpx.AsyncClient, sandbox: Sandbox) -> None:
    if operation_id == "webhooks.fetchAll":
        await client.post(url("webhooks.subscribe"), json={"url": HOOK_URL, "eventTypes": ["contact-created"]})
    response = await CALLS[operation_id](client, sandbox)
    assert response.status_code < 300, response.text
    validate(operation_id, response)
    if operation_id.endswith(".fetchAll"):
        body = response.json()
        assert body["data"], operation_id
        assert set(body["pagination"]) == {"offset", "limit", "totalCount"}


async def test_csv_upload_answer_matches_the_spec(client: httpx.AsyncClient) -> None:
    csv = "country,firstName,lastName,email,mobile,jobTitle,City\nUS,Joe,Bloggs,joebloggs@sakari.co,123-456-7890,mover,SF\nUS,Bad,Number,,12,,\n"
    response = await client.post(url("contacts.create"), content=csv, headers={"content-type": "text/csv"})
    assert response.status_code == 201
    validate("contacts.create", response)
    assert response.json()["data"]["errors"][0]["valid"] is False


async def test_send_answer_with_refusals_and_errors_matches_the_spec(
    client: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    blocked = next(c for c in sandbox.contacts() if "blocked" in c)
    healthy = [c for c in sandbox.contacts() if "blocked" not in c][:4]
    body = {
        "contacts": [
            {"id": blocked["id"]},
            {"id": "unknown"},
            {"mobile": {"number": "12"}},
            *({"id": c["id"]} for c in healthy),
        ],
        "conversations": ["unknown"],
        "template": "Hello {{ firstName }}",
    }
    response = await client.post(url("messages.send"), json=body)
    validate("messages.send", response)
    codes = [m["error"]["code"] for m in response.json()["data"]["messages"] if "error" in m]
    assert codes == ["CONT-010", "CONT-003", "CONT-001", "CONV-001"]
    # Later, some of the sent ones end in Error with a reason: still valid messages.
    import asyncio

    await asyncio.sleep(0.03)
    listed = await client.get(url("messages.fetchAll"), params={"limit": 10})
    validate("messages.fetchAll", listed)
    assert any(m["status"] == "Error" and m["error"]["code"] for m in listed.json()["data"])


async def test_conversations_after_inbound_and_close_match_the_spec(
    client: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    message = sandbox.inject_inbound("+13125550150", "STOP")
    closed = await client.put(url("conversations.close", conversationId=message["conversation"]["id"]))
    validate("conversations.close", closed)
    contact = await client.get(url("contacts.fetch", contactId=message["contact"]["id"]))
    validate("contacts.fetch", contact)
    assert "blocked" in contact.json()["data"]


ERROR_CASES: list[tuple[str, str, Callable[[httpx.AsyncClient], Awaitable[httpx.Response]]]] = [
    ("contacts.fetchAll", "PAGE-002", lambda c: c.get(url("contacts.fetchAll"), params={"limit": 0})),
    ("conversations.fetchAll", "PAGE-001", lambda c: c.get(url("conversations.fetchAll"), params={"offset": -1})),
    ("templates.fetchAll", "PAGE-002", lambda c: c.get(url("templates.fetchAll"), params={"limit": "abc"})),
    ("campaigns.fetchAll", "PAGE-002", lambda c: c.get(url("campaigns.fetchAll"), params={"limit": 101})),
    ("contacts.fetchAll", "AUTH-002", lambda c: c.get(url("contacts.fetchAll"), headers={"Authorization": ""})),
    ("tools.shareFile", "FILE-001", lambda c: c.post(url("tools.shareFile"), files={"other": ("a", b"x")})),
    ("contacts.create", "CONT-001", lambda c: c.post(url("contacts.create"), json={"mobile": {"number": "1"}})),
    ("contacts.fetch", "CONT-003", lambda c: c.get(url("contacts.fetch", contactId="nope"))),
    ("conversations.fetch", "CONV-001", lambda c: c.get(url("conversations.fetch", conversationId="nope"))),
    (
        "messages.send",
        "REQ-001",
        lambda c: c.post(url("messages.send"), content=b"{", headers={"content-type": "application/json"}),
    ),
    (
        "webhooks.unsubscribe",
        "HOOK-003",
        lambda c: c.delete(url("webhooks.unsubscribe", url="https%3A%2F%2Fnope.example")),
    ),
    ("auth.token", "AUTH-001", lambda c: c.post(url("auth.token"), json={**CREDENTIALS, "client_secret": "x"})),
]


@pytest.mark.parametrize(("operation_id", "code", "call"), ERROR_CASES, ids=[f"{o}-{c}" for o, c, _ in ERROR_CASES])
async def test_error_answers_match_error_response(
    client: httpx.AsyncClient,
    operation_id: str,
    code: str,
    call: Callable[[httpx.AsyncClient], Awaitable[httpx.Response]],
) -> None:
    response = await call(client)
    assert 400 <= response.status_code < 500
    body = response.json()
    jsonschema.Draft4Validator(schema("ErrorResponse")).validate(body)
    assert body["success"] is False and body["error"]["code"] == code
    declared = response_schema(operation_id, response.status_code)
    if declared is not None:  # operations that declare 4XX declare ErrorResponse
        jsonschema.Draft4Validator(declared).validate(body)


async def test_fault_answers_match_error_response(sandbox: Sandbox, client: httpx.AsyncClient) -> None:
    sandbox.faults = Faults(rate_429=1.0, retry_after=3)
    throttled = await client.get(url("contacts.fetchAll"))
    assert throttled.status_code == 429 and throttled.headers["retry-after"] == "3"
    jsonschema.Draft4Validator(response_schema("contacts.fetchAll", 429)).validate(throttled.json())
    sandbox.faults = Faults(rate_5xx=1.0)
    for _ in range(20):
        unavailable = await client.get(url("contacts.fetchAll"))
        if unavailable.status_code == 503:
            jsonschema.Draft4Validator(response_schema("contacts.fetchAll", 503)).validate(unavailable.json())
            return
    raise AssertionError("no 503 in 20 tries")
