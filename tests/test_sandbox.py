"""Behaviour of the sandbox, through raw HTTP against its ASGI app (no project client)."""

from __future__ import annotations

import asyncio
import base64
import json
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from sakari_tui.sandbox import Faults, Sandbox, SandboxConfig

A = "/v1/accounts/demo-account"
CREDENTIALS = {"client_id": "demo-client", "client_secret": "demo-secret", "grant_type": "client_credentials"}


@pytest.fixture
def sandbox() -> Sandbox:
    return Sandbox(SandboxConfig(status_step=0.01, error_share=0.0))


def client_for(sandbox: Sandbox, token: str | None = "issue") -> httpx.AsyncClient:
    headers = {}
    if token == "issue":
        token = sandbox.issue_token()
    if token:
        headers["Authorization"] = f"Bearer {token}"
    transport = httpx.ASGITransport(app=sandbox.app)
    return httpx.AsyncClient(transport=transport, base_url="http://sandbox", headers=headers)


@pytest.fixture
async def client(sandbox: Sandbox) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(sandbox) as c:
        yield c


def assert_error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["success"] is False
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    return body


async def wait_for(condition: Callable[[], Any], timeout: float = 2.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.01)


async def send(client: httpx.AsyncClient, **body: Any) -> dict[str, Any]:
    response = await client.post(f"{A}/messages", json=body)
    assert response.status_code == 200, response.text
    return response.json()["data"]


def seeded_contact(sandbox: Sandbox, **wanted: Any) -> dict[str, Any]:
    for contact in sandbox.contacts():
        if "blocked" in contact:
            continue
        if all(contact.get(k) == v for k, v in wanted.items()):
            return contact
    raise AssertionError(f"no seeded contact with {wanted}")


# -- tokens ----------------------------------------------------------------------------------


def _claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


async def test_token_from_json_or_form_is_a_jwt_that_opens_the_api(sandbox: Sandbox) -> None:
    async with client_for(sandbox, token=None) as c:
        as_json = await c.post("/oauth2/token", json=CREDENTIALS)
        as_form = await c.post("/v1/oauth2/token", data=CREDENTIALS)
        for response in (as_json, as_form):
            assert response.status_code == 200
            body = response.json()
            assert body["token_type"] == "Bearer" and body["expires_in"] == 3600
            claims = _claims(body["access_token"])
            assert claims["sub"] == "demo-client"
            assert claims["exp"] - claims["iat"] == 3600
        token = as_json.json()["access_token"]
        listed = await c.get(f"{A}/contacts", headers={"Authorization": f"Bearer {token}"})
        assert listed.status_code == 200


async def test_token_refused_for_wrong_credentials_or_grant(sandbox: Sandbox) -> None:
    async with client_for(sandbox, token=None) as c:
        wrong = await c.post("/v1/oauth2/token", json={**CREDENTIALS, "client_secret": "nope"})
        assert_error(wrong, 401, "AUTH-001")
        grant = await c.post("/v1/oauth2/token", json={**CREDENTIALS, "grant_type": "password"})
        assert_error(grant, 400, "AUTH-005")
        assert_error(
            await c.post("/v1/oauth2/token", content=b"{nope", headers={"content-type": "application/json"}),
            400,
            "REQ-001",
        )


async def test_api_needs_a_valid_token_for_the_right_account(sandbox: Sandbox) -> None:
    async with client_for(sandbox, token=None) as anonymous:
        assert_error(await anonymous.get(f"{A}/contacts"), 401, "AUTH-002")
    async with client_for(sandbox, token="not.a.jwt") as forged:
        assert_error(await forged.get(f"{A}/contacts"), 401, "AUTH-003")
    other = Sandbox(SandboxConfig(contacts=1, conversations=1))
    async with client_for(sandbox, token=other.issue_token()) as foreign:
        assert_error(await foreign.get(f"{A}/contacts"), 401, "AUTH-003")
    async with client_for(sandbox) as c:
        assert_error(await c.get("/v1/accounts/someone-else/contacts"), 403, "ACCT-001")


async def test_token_expires() -> None:
    sandbox = Sandbox(SandboxConfig(token_lifetime=0.2, contacts=1, conversations=1))
    async with client_for(sandbox) as c:
        assert (await c.get(f"{A}/contacts")).status_code == 200
        await asyncio.sleep(0.25)
        assert_error(await c.get(f"{A}/contacts"), 401, "AUTH-004")


# -- pagination and ordering ---------------------------------------------------------------

LISTS = ("contacts", "conversations", "messages", "templates", "campaigns", "webhooks")


@pytest.mark.parametrize("resource", LISTS)
@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("limit=0", "PAGE-002"),
        ("limit=101", "PAGE-002"),
        ("limit=abc", "PAGE-002"),
        ("offset=-1", "PAGE-001"),
        ("offset=1.5", "PAGE-001"),
        ("limit=-1", "PAGE-002"),
    ],
)
async def test_bad_pagination_is_400(client: httpx.AsyncClient, resource: str, query: str, code: str) -> None:
    assert_error(await client.get(f"{A}/{resource}?{query}"), 400, code)


async def test_pages_walk_every_contact_once(client: httpx.AsyncClient, sandbox: Sandbox) -> None:
    first = (await client.get(f"{A}/contacts")).json()
    assert first["pagination"] == {"offset": 0, "limit": 10, "totalCount": len(sandbox.contacts())}
    assert len(first["data"]) == 10
    seen: list[str] = []
    offset = 0
    while True:
        body = (await client.get(f"{A}/contacts", params={"offset": offset, "limit": 25})).json()
        if not body["data"]:
            break
        seen += [c["id"] for c in body["data"]]
        offset += 25
    assert seen == [c["id"] for c in sandbox.contacts()]
    assert len(set(seen)) == first["pagination"]["totalCount"] >= 60
    limit_100 = (await client.get(f"{A}/contacts?limit=100")).json()
    assert len(limit_100["data"]) == min(100, len(seen))


async def test_conversations_and_messages_come_newest_first(client: httpx.AsyncClient, sandbox: Sandbox) -> None:
    conversations = (await client.get(f"{A}/conversations?limit=100")).json()["data"]
    last_times = [c["lastMessage"]["created"]["at"] for c in conversations]
    assert last_times == sorted(last_times, reverse=True)
    oldest = conversations[-1]
    message = sandbox.inject_inbound(oldest["contact"]["mobile"]["number"], "Are you open on Sunday?")
    top = (await client.get(f"{A}/conversations?limit=1")).json()["data"][0]
    if oldest["closed"]:
        assert top["id"] != oldest["id"]  # a closed conversation is not reused
    else:
        assert top["id"] == oldest["id"]
    assert top["lastMessage"]["id"] == message["id"] and top["unread"] == [message["id"]]
    messages = (await client.get(f"{A}/messages?limit=100")).json()["data"]
    assert messages[0]["id"] == message["id"]
    created = [m["created"]["at"] for m in messages]
    assert created == sorted(created, reverse=True)


# -- filters -------------------------------------------------------------------------------


async def test_contact_filters_are_case_insensitive_substrings(client: httpx.AsyncClient, sandbox: Sandbox) -> None:
    target = next(c for c in sandbox.contacts() if c.get("email") and len(c["lastName"]) > 4)
    cases = {
        "firstName": (target["firstName"][1:4].upper(), lambda c, v: v.lower() in c.get("firstName", "").lower()),
        "lastName": (target["lastName"][1:4].swapcase(), lambda c, v: v.lower() in c.get("lastName", "").lower()),
        "email": (target["email"].split("@")[0].upper(), lambda c, v: v.lower() in c.get("email", "").lower()),
        "mobile": (target["mobile"]["number"][-7:], lambda c, v: v in c["mobile"]["number"]),
    }
    for name, (value, matches) in cases.items():
        found = (await client.get(f"{A}/contacts", params={name: value, "limit": 100})).json()
        ids = [c["id"] for c in found["data"]]
        assert target["id"] in ids, name
        assert all(matches(c, value) for c in found["data"]), name
        expected = [c for c in sandbox.contacts() if matches(c, value)]
        assert found["pagination"]["totalCount"] == len(expected), name
    by_formatted_mobile = (await client.get(f"{A}/contacts", params={"mobile": "555-01"})).json()
    assert by_formatted_mobile["pagination"]["totalCount"] > 0


async def test_tags_filter_matches_any_of_several_tags(client: httpx.AsyncClient, sandbox: Sandbox) -> None:
    found = (await client.get(f"{A}/contacts", params={"tags": "VIP,trial", "limit": 100})).json()["data"]
    expected = [c["id"] for c in sandbox.contacts() if {"vip", "trial"} & {t["tag"] for t in c["tags"]}]
    assert expected and [c["id"] for c in found] == expected
    partial = (await client.get(f"{A}/contacts", params={"tags": "churn", "limit": 100})).json()["data"]
    assert partial and all(any("churn" in t["tag"] for t in c["tags"]) for c in partial)


async def test_template_campaign_and_message_filters(client: httpx.AsyncClient, sandbox: Sandbox) -> None:
    templates = (await client.get(f"{A}/templates", params={"name": "REMINDER"})).json()["data"]
    assert [t["name"] for t in templates] == ["Appointment reminder"]
    campaigns = (await client.get(f"{A}/campaigns", params={"name": "special"})).json()["data"]
    assert [c["name"] for c in campaigns] == ["Weekend special"]

    conversation = sandbox.conversations()[3]
    by_conversation = (
        await client.get(f"{A}/messages", params={"conversationId": conversation["id"], "limit": 100})
    ).json()
    expected = [m["id"] for m in sandbox.messages(conversation_id=conversation["id"])]
    assert [m["id"] for m in by_conversation["data"]] == expected
    assert 2 <= by_conversation["pagination"]["totalCount"] <= 12
    contact_id = conversation["contact"]["id"]
    by_contact = (await client.get(f"{A}/messages", params={"contactId": contact_id, "limit": 100})).json()["data"]
    assert by_contact and all(m["contact"]["id"] == contact_id for m in by_contact)
    nothing = (await client.get(f"{A}/messages", params={"conversationId": "unknown"})).json()
    assert nothing["data"] == [] and nothing["pagination"]["totalCount"] == 0


# -- contacts ------------------------------------------------------------------------------


async def test_contact_lifecycle(client: httpx.AsyncClient, sandbox: Sandbox) -> None:
    created = await client.post(
        f"{A}/contacts",
        json={
            "firstName": "Ada",
            "lastName": "Lovelace",
            "email": "ada@example.com",
            "mobile": {"number": "(206) 555-0188", "country": "US"},
            "tags": ["vip", {"tag": "trial"}],
            "attributes": {"city": "London"},
        },
    )
    assert created.status_code == 201
    contact = created.json()["data"][0]
    assert contact["mobile"] == {"number": "+12065550188", "country": "US"}
    assert [t["tag"] for t in contact["tags"]] == ["vip", "trial"]
    path = f"{A}/contacts/{contact['id']}"
    assert (await client.get(path)).json()["data"]["email"] == "ada@example.com"

    updated = await client.put(path, json={"lastName": "King", "tags": ["newsletter"]})
    assert updated.status_code == 200
    assert updated.json()["data"]["lastName"] == "King"
    assert [t["tag"] for t in updated.json()["data"]["tags"]] == ["newsletter"]
    assert updated.json()["data"]["attributes"] == {"city": "London"}

    taken = sandbox.contacts()[0]["mobile"]["number"]
    assert_error(await client.put(path, json={"mobile": {"number": taken}}), 409, "CONT-004")
    assert_error(await client.put(path, json={"mobile": {"number": "12"}}), 400, "CONT-001")

    assert (await client.delete(path)).json() == {"success": True}
    assert_error(await client.get(path), 404, "CONT-003")
    assert_error(await client.delete(path), 404, "CONT-003")


@pytest.mark.parametrize(
    ("contact", "code"),
    [
        ({"firstName": "No", "lastName": "Number"}, "CONT-001"),
        ({"mobile": {"number": "12345"}}, "CONT-001"),
        ({"mobile": {"number": "555-CALL-NOW"}}, "CONT-001"),
        ({"mobile": {"number": "+1 206 555 01"}}, "CONT-001"),
        ({"mobile": {"number": "2065550111"}, "email": "not-an-email"}, "CONT-002"),
        ({"mobile": {"number": 2065550111}}, "CONT-001"),
        ({"mobile": {"number": "2065550111"}, "firstName": 7}, "REQ-002"),
        ({"mobile": {"number": "2065550111"}, "tags": "vip"}, "REQ-002"),
        ({"mobile": {"number": "2065550111"}, "attributes": ["x"]}, "REQ-002"),
    ],
)
async def test_contact_validation(client: httpx.AsyncClient, contact: dict[str, Any], code: str) -> None:
    assert_error(await client.post(f"{A}/contacts", json=contact), 400, code)


async def test_contact_list_with_one_bad_entry_creates_nothing(client: httpx.AsyncClient, sandbox: Sandbox) -> None:
    before = len(sandbox.contacts())
    body = [{"mobile": {"number": "2065550111"}}, {"mobile": {"number": "nope"}}]
    error = assert_error(await client.post(f"{A}/contacts", json=body), 400, "CONT-001")
    assert error["error"]["message"].startswith("contacts[1]: Invalid mobile number")
    assert len(sandbox.contacts()) == before
    ok = await client.post(
        f"{A}/contacts", json=[{"mobile": {"number": "2065550111"}}, {"mobile": {"number": "+44 7700 900123"}}]
    )
    assert ok.status_code == 201
    assert [c["mobile"]["number"] for c in ok.json()["data"]] == ["+12065550111", "+447700900123"]
    assert ok.json()["data"][1]["mobile"]["country"] == "GB"


@pytest.mark.parametrize(
    ("strategy", "first_name", "tags", "attributes"),
    [
        ("append", "Bea", ["vip", "new"], {"city": "Austin", "plan": "Gold"}),
        ("core", "Bea", ["vip"], {"city": "Austin"}),
        ("remove", "Bea", ["new"], {"plan": "Gold"}),
    ],
)
async def test_duplicate_mobile_merges_per_strategy(
    client: httpx.AsyncClient, strategy: str, first_name: str, tags: list[str], attributes: dict[str, str]
) -> None:
    original = {
        "firstName": "Bee",
        "lastName": "Keeper",
        "mobile": {"number": "2065550122"},
        "tags": ["vip"],
        "attributes": {"city": "Austin"},
    }
    first = (await client.post(f"{A}/contacts", json=original)).json()["data"][0]
    again = {"firstName": "Bea", "mobile": {"number": "+12065550122"}, "tags": ["new"], "attributes": {"plan": "Gold"}}
    response = await client.post(f"{A}/contacts", params={"mergeStrategy": strategy}, json=again)
    assert response.status_code == 201
    merged = response.json()["data"][0]
    assert merged["id"] == first["id"]
    assert merged["firstName"] == first_name
    assert [t["tag"] for t in merged["tags"]] == tags
    assert merged["attributes"] == attributes
    assert merged.get("lastName") == (None if strategy == "remove" else "Keeper")


async def test_unknown_merge_strategy_is_400(client: httpx.AsyncClient) -> None:
    response = await client.post(f"{A}/contacts?mergeStrategy=replace", json={"mobile": {"number": "2065550111"}})
    assert_error(response, 400, "CONT-005")


CSV = (
    "firstName,lastName,email,mobile,country,City,Plan,tags\n"
    "Joe,Bloggs,joe@example.com,123-456-7890,US,San Francisco,Gold,vip;wholesale\n"
    "Ann,Bad,ann@example.com,12,US,Oakland,,\n"
    "Kim,Mail,not-an-email,2065550155,US,,,\n"
    "Raj,Patel,,+44 7700 900456,GB,,Silver,trial|newsletter\n"
    "\n"
)


async def test_csv_upload_reports_inserted_updated_and_row_errors(client: httpx.AsyncClient, sandbox: Sandbox) -> None:
    headers = {"content-type": "text/csv"}
    response = await client.post(f"{A}/contacts", content=CSV, headers=headers)
    assert response.status_code == 201
    data = response.json()["data"]
    assert (data["submitted"], data["inserted"], data["updated"], data["success"]) == (4, 2, 0, 2)
    joe, raj = data["contacts"]
    assert joe["mobile"]["number"] == "+11234567890"
    assert joe["attributes"] == {"City": "San Francisco", "Plan": "Gold"}
    assert [t["tag"] for t in joe["tags"]] == ["vip", "wholesale"]
    assert raj["mobile"] == {"number": "+447700900456", "country": "GB"}
    assert [t["tag"] for t in raj["tags"]] == ["trial", "newsletter"]
    errors = {e["firstName"]: e for e in data["errors"]}
    assert errors["Ann"]["error"]["code"] == "CONT-001" and errors["Ann"]["valid"] is False
    assert errors["Kim"]["error"]["code"] == "CONT-002"
    assert all(e["error"]["description"] for e in data["errors"])
    assert len([c for c in sandbox.contacts() if c["mobile"]["number"] == "+11234567890"]) == 1

    # The same file again under "core": names update, tags and attributes stay.
    again = "firstName,mobile,City,tags\nJoseph,1234567890,Paris,new\n"
    core = (await client.post(f"{A}/contacts?mergeStrategy=core", content=again, headers=headers)).json()["data"]
    assert (core["inserted"], core["updated"]) == (0, 1)
    assert core["contacts"][0]["firstName"] == "Joseph"
    assert core["contacts"][0]["attributes"]["City"] == "San Francisco"
    assert [t["tag"] for t in core["contacts"][0]["tags"]] == ["vip", "wholesale"]
    replaced = (await client.post(f"{A}/contacts?mergeStrategy=remove", content=again, headers=headers)).json()["data"]
    assert replaced["contacts"][0]["attributes"] == {"City": "Paris"}
    assert "lastName" not in replaced["contacts"][0]
    appended = (
        await client.post(
            f"{A}/contacts?mergeStrategy=append", content="mobile,tags\n1234567890,vip\n", headers=headers
        )
    ).json()["data"]
    assert [t["tag"] for t in appended["contacts"][0]["tags"]] == ["new", "vip"]


async def test_csv_without_mobile_column_or_rows_is_400(client: httpx.AsyncClient) -> None:
    headers = {"content-type": "text/csv"}
    assert_error(await client.post(f"{A}/contacts", content="firstName\nJoe\n", headers=headers), 400, "CONT-006")
    assert_error(await client.post(f"{A}/contacts", content="", headers=headers), 400, "CONT-006")
    assert_error(await client.post(f"{A}/contacts", content="mobile\n", headers=headers), 400, "CONT-006")
    huge_field = 'mobile,notes\n2065550111,"' + "x" * 200_000 + '"\n'
    assert_error(await client.post(f"{A}/contacts", content=huge_field, headers=headers), 400, "REQ-002")
    assert_error(await client.post(f"{A}/contacts", content=b"mobile\n\xff\xfe", headers=headers), 400, "REQ-002")


async def test_csv_import_of_thousands_of_rows(client: httpx.AsyncClient, sandbox: Sandbox) -> None:
    rows = "\n".join(f"Person{i},Number{i},{2125550000 + i},US,city{i % 7}" for i in range(5000))
    response = await client.post(
        f"{A}/contacts", content="firstName,lastName,mobile,country,City\n" + rows, headers={"content-type": "text/csv"}
    )
    data = response.json()["data"]
    assert (data["submitted"], data["success"], len(data["errors"])) == (5000, 5000, 0)
    listed = (await client.get(f"{A}/contacts", params={"lastName": "number4999"})).json()
    assert listed["data"][0]["mobile"]["number"] == "+12125554999"


# -- sending -------------------------------------------------------------------------------


async def test_send_renders_every_placeholder_form(client: httpx.AsyncClient, sandbox: Sandbox) -> None:
    known = seeded_contact(sandbox)
    data = await send(
        client,
        contacts=[{"id": known["id"]}, {"mobile": {"number": "206 555 0177"}, "firstName": "Nia"}],
        template="Hi {{{firstName}}}/{{ firstName }}/{{{contact.firstName}}} {{lastName}} in {{{city}}}!{{{nope}}}",
    )
    assert data["queued"] == 2 and isinstance(data["jobId"], str)
    first, second = data["messages"]
    name, city = known["firstName"], known["attributes"]["city"]
    assert first["message"] == f"Hi {name}/{name}/{name} {known['lastName']} in {city}!"
    assert second["message"] == "Hi Nia/Nia/Nia  in !"
    assert first["status"] == "Queued" and first["outgoing"] is True
    assert first["template"].startswith("Hi {{{firstName}}}")
    newcomer = [c for c in sandbox.contacts() if c["mobile"]["number"] == "+12065550177"]
    assert len(newcomer) == 1 and newcomer[0]["firstName"] == "Nia"
    assert second["contact"]["id"] == newcomer[0]["id"]
    stored = (await client.get(f"{A}/messages/{first['id']}")).json()["data"]
    assert stored["message"] == first["message"]
    conversation = (await client.get(f"{A}/conversations/{first['conversation']['id']}")).json()["data"]
    assert conversation["lastMessage"]["id"] == first["id"] and conversation["unread"] == []


async def test_send_to_conversations_and_unknown_ids(client: httpx.AsyncClient, sandbox: Sandbox) -> None:
    open_one = next(c for c in sandbox.conversations() if not c["closed"])
    data = await send(client, conversations=[open_one["id"], "no-such-conversation"], template="On it!")
    sent, refused = data["messages"]
    assert sent["conversation"]["id"] == open_one["id"] and data["queued"] == 1
    assert refused["error"]["code"] == "CONV-001" and "id" not in refused
    unknown_contact = await send(client, contacts=[{"id": "missing"}], template="hello")
    assert unknown_contact["queued"] == 0
    assert unknown_contact["messages"][0]["error"]["code"] == "CONT-003"


async def test_send_to_tag_and_attribute_filters(client: httpx.AsyncClient, sandbox: Sandbox) -> None:
    tagged = [c for c in sandbox.contacts() if "wholesale" in [t["tag"] for t in c["tags"]]]
    data = await send(client, filters={"tags": ["Wholesale"]}, template="Price list attached")
    assert len(data["messages"]) == len(tagged)
    reached = {m["contact"]["id"] for m in data["messages"] if "id" in m}
    blocked = {c["id"] for c in tagged if "blocked" in c}
    assert reached == {c["id"] for c in tagged} - blocked
    assert data["queued"] == len(reached)

    denver = [c for c in sandbox.contacts() if c["attributes"].get("city") == "Denver"]
    by_attribute = await send(
        client, filters={"attributes": [{"name": "city", "comparator": "=", "value": "denver"}]}, template="Hi"
    )
    assert {m["contact"]["id"] for m in by_attribute["messages"]} == {c["id"] for c in denver}
    assert by_attribute["queued"] == len([c for c in denver if "blocked" not in c])
    later = await send(
        client,
        filters={"attributes": [{"name": "customerSince", "comparator": ">=", "value": "2099-01-01"}]},
        template="Hi",
    )
    assert later["queued"] == 0
    bad = await client.post(
        f"{A}/messages", json={"filters": {"attributes": [{"name": "city", "comparator": "~"}]}, "template": "x"}
    )
    assert_error(bad, 400, "REQ-002")


async def test_a_contact_reached_twice_gets_one_message(client: httpx.AsyncClient, sandbox: Sandbox) -> None:
    conversation = next(c for c in sandbox.conversations() if not c["closed"])
    data = await send(
        client, contacts=[{"id": conversation["contact"]["id"]}], conversations=[conversation["id"]], template="Once"
    )
    assert data["queued"] == 1 and len(data["messages"]) == 1


def _units_message(units: int, char: str = "a") -> str:
    return char * units


@pytest.mark.parametrize(
    ("text", "segments"),
    [
        ("a" * 160, 1),
        ("a" * 161, 2),
        ("a" * 306, 2),
        ("a" * 307, 3),
        ("é" * 160, 1),  # é is in the GSM-7 basic set
        ("{" * 80, 1),
        ("{" * 81, 2),
        ("€" * 80 + "a", 2),  # extension characters count two
        ("ê" * 70, 1),
        ("ê" * 71, 2),
        ("ê" * 134, 2),
        ("ê" * 135, 3),  # ê forces UCS-2
        ("😀" * 35, 1),
        ("😀" * 36, 2),
        ("a" * 69 + "😀", 2),  # emoji take two UCS-2 units
    ],
)
async def test_segments_and_price(client: httpx.AsyncClient, sandbox: Sandbox, text: str, segments: int) -> None:
    contact = seeded_contact(sandbox)
    data = await send(client, contacts=[{"id": contact["id"]}], template=text)
    message = data["messages"][0]
    assert message["segments"] == segments
    assert message["price"] == pytest.approx(0.0075 * segments)
    assert data["estimatedPrice"] == pytest.approx(0.0075 * segments)


async def test_estimated_price_sums_recipients_and_long_messages_are_refused(
    client: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    two = [c for c in sandbox.contacts() if "blocked" not in c][:2]
    data = await send(client, contacts=[{"id": c["id"]} for c in two], template="x" * 200)
    assert data["estimatedPrice"] == pytest.approx(2 * 2 * 0.0075)
    too_long = await send(client, contacts=[{"id": two[0]["id"]}], template="x" * (153 * 10 + 1))
    assert too_long["queued"] == 0 and too_long["messages"][0]["error"]["code"] == "MSG-005"


async def test_mms_with_media(client: httpx.AsyncClient, sandbox: Sandbox) -> None:
    contact = seeded_contact(sandbox)
    data = await send(
        client, contacts=[{"id": contact["id"]}], template="", media=[{"url": "https://cdn.example/cake.jpg"}]
    )
    message = data["messages"][0]
    assert message["type"] == "MMS"
    assert message["media"] == [{"url": "https://cdn.example/cake.jpg", "filename": "cake.jpg", "type": "image/jpeg"}]
    bad = await client.post(f"{A}/messages", json={"contacts": [{"id": contact["id"]}], "media": [{"url": "ftp://x"}]})
    assert_error(bad, 400, "MSG-004")


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (None, 400, "REQ-001"),
        ({}, 400, "MSG-003"),
        ({"contacts": [{"id": "x"}], "template": "   "}, 400, "MSG-003"),
        ({"template": "hello"}, 400, "MSG-002"),
        ({"template": "hello", "contacts": []}, 400, "MSG-002"),
        ({"template": "hello", "contacts": "all"}, 400, "REQ-002"),
        ({"template": "hello", "contacts": ["+12065550100"]}, 400, "REQ-002"),
        ({"template": 42, "contacts": [{"id": "x"}]}, 400, "REQ-002"),
        ({"template": "hi", "contacts": [{"id": "x"}], "type": "FAX"}, 400, "MSG-004"),
        ({"template": "hi", "filters": "vip"}, 400, "REQ-002"),
        ({"template": "hi", "filters": {"tags": "vip"}}, 400, "REQ-002"),
        ([{"template": "hi"}], 400, "REQ-002"),
    ],
)
async def test_bad_send_requests(client: httpx.AsyncClient, body: Any, status: int, code: str) -> None:
    if body is None:
        response = await client.post(f"{A}/messages", content=b"", headers={"content-type": "application/json"})
    else:
        response = await client.post(f"{A}/messages", json=body)
    assert_error(response, status, code)


# -- status --------------------------------------------------------------------------------


async def test_status_moves_from_queued_to_sent_to_delivered() -> None:
    sandbox = Sandbox(SandboxConfig(status_step=0.05, error_share=0.0))
    async with client_for(sandbox) as c:
        contact = seeded_contact(sandbox)
        message = (await send(c, contacts=[{"id": contact["id"]}], template="Your cake is ready"))["messages"][0]
        assert message["status"] == "Queued"
        seen = set()

        async def status() -> str:
            data = (await c.get(f"{A}/messages/{message['id']}")).json()["data"]
            seen.add(data["status"])
            return data["status"]

        deadline = time.monotonic() + 2
        while await status() != "Delivered":
            assert time.monotonic() < deadline
            await asyncio.sleep(0.01)
        assert seen >= {"Sent", "Delivered"}
        final = (await c.get(f"{A}/messages/{message['id']}")).json()["data"]
        assert final["updated"]["at"] > final["created"]["at"] and "error" not in final


async def test_a_deterministic_share_of_messages_ends_in_error() -> None:
    sandbox = Sandbox(SandboxConfig(status_step=0.01, error_share=0.25))
    async with client_for(sandbox) as c:
        recipients = [{"id": x["id"]} for x in sandbox.contacts() if "blocked" not in x][:20]
        sent = await send(c, contacts=recipients, template="Reminder: pickup today")
        await asyncio.sleep(0.03)
        ids = [m["id"] for m in sent["messages"]]
        finals = [(await c.get(f"{A}/messages/{i}")).json()["data"] for i in ids]
    errors = [m for m in finals if m["status"] == "Error"]
    assert len(errors) == 5
    assert all(m["status"] == "Delivered" for m in finals if m not in errors)
    assert all(m["error"]["code"].startswith("MSG-1") and m["error"]["description"] for m in errors)


# -- opt-out keywords ------------------------------------------------------------------------


async def test_stop_blocks_the_contact_and_start_unblocks(client: httpx.AsyncClient, sandbox: Sandbox) -> None:
    contact = seeded_contact(sandbox)
    number = contact["mobile"]["number"]
    sandbox.inject_inbound(number, "  Stop ")
    blocked = (await client.get(f"{A}/contacts/{contact['id']}")).json()["data"]
    assert "blocked" in blocked and blocked["blocked"].endswith("Z")

    before = len(sandbox.messages(contact_id=contact["id"]))
    others = [c for c in sandbox.contacts() if "blocked" not in c][:2]
    data = await send(client, contacts=[{"id": contact["id"]}, *({"id": c["id"]} for c in others)], template="Hi!")
    refused = next(m for m in data["messages"] if m["contact"]["id"] == contact["id"])
    assert refused["error"] == {"code": "CONT-010", "description": "Contact has requested no further communication"}
    assert "id" not in refused and data["queued"] == 2
    assert len(sandbox.messages(contact_id=contact["id"])) == before

    sandbox.inject_inbound(number, "unstop")
    unblocked = (await client.get(f"{A}/contacts/{contact['id']}")).json()["data"]
    assert "blocked" not in unblocked and "optIn" in unblocked
    assert (await send(client, contacts=[{"id": contact["id"]}], template="Welcome back"))["queued"] == 1


@pytest.mark.parametrize(
    "word", ["STOP", "cancel", "End", "OPTOUT", "opt-out", "Quit", "revoke", "UNSUBSCRIBE", "stop."]
)
async def test_every_opt_out_keyword_blocks(sandbox: Sandbox, word: str) -> None:
    message = sandbox.inject_inbound("+1 312 555 0166", word)
    contact = next(c for c in sandbox.contacts() if c["id"] == message["contact"]["id"])
    assert "blocked" in contact


@pytest.mark.parametrize("text", ["please stop calling", "stopping by later", "START"])
async def test_other_texts_do_not_block(sandbox: Sandbox, text: str) -> None:
    message = sandbox.inject_inbound("+1 312 555 0167", text)
    contact = next(c for c in sandbox.contacts() if c["id"] == message["contact"]["id"])
    assert "blocked" not in contact


async def test_inbound_from_a_stranger_opens_an_unread_conversation(
    client: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    contacts_before = len(sandbox.contacts())
    message = sandbox.inject_inbound("(415) 555-0142", "Hi, do you make vegan cakes?")
    assert message["outgoing"] is False and message["status"] == "Received" and message["read"] is False
    assert len(sandbox.contacts()) == contacts_before + 1
    conversation = (await client.get(f"{A}/conversations/{message['conversation']['id']}")).json()["data"]
    assert conversation["unread"] == [message["id"]] and conversation["closed"] is False
    assert conversation["contact"]["mobile"]["number"] == "+14155550142"
    again = sandbox.inject_inbound("+14155550142", "Or gluten free?")
    assert again["conversation"]["id"] == message["conversation"]["id"]
    conversation = (await client.get(f"{A}/conversations/{message['conversation']['id']}")).json()["data"]
    assert conversation["unread"] == [message["id"], again["id"]]
    reply = await send(client, conversations=[conversation["id"]], template="Yes to both!")
    assert reply["messages"][0]["conversation"]["id"] == conversation["id"]
    assert (await client.get(f"{A}/conversations/{conversation['id']}")).json()["data"]["unread"] == []
    with pytest.raises(ValueError):
        sandbox.inject_inbound("not a number", "hi")


# -- conversations -------------------------------------------------------------------------


async def test_close_and_a_new_conversation_after_it(client: httpx.AsyncClient, sandbox: Sandbox) -> None:
    conversation = next(c for c in sandbox.conversations() if c["unread"] and not c["closed"])
    closed = await client.put(f"{A}/conversations/{conversation['id']}/close")
    assert closed.status_code == 200
    assert closed.json()["data"]["closed"] is True and closed.json()["data"]["unread"] == []
    assert (await client.put(f"{A}/conversations/{conversation['id']}/close")).json()["data"]["closed"] is True
    assert (await client.get(f"{A}/conversations/{conversation['id']}")).json()["data"]["closed"] is True

    number = conversation["contact"]["mobile"]["number"]
    message = sandbox.inject_inbound(number, "One more question")
    assert message["conversation"]["id"] != conversation["id"]
    reply = await send(client, conversations=[conversation["id"]], template="Sure")
    assert reply["messages"][0]["conversation"]["id"] == message["conversation"]["id"]
    assert_error(await client.put(f"{A}/conversations/nope/close"), 404, "CONV-001")
    assert_error(await client.get(f"{A}/conversations/nope"), 404, "CONV-001")


# -- templates and campaigns ---------------------------------------------------------------


async def test_template_crud(client: httpx.AsyncClient) -> None:
    created = await client.post(
        f"{A}/templates", json={"name": "Thanks", "template": "Thanks {{{firstName}}}!", "type": "SMS"}
    )
    assert created.status_code == 201
    template = created.json()["data"][0]
    path = f"{A}/templates/{template['id']}"
    assert (await client.get(path)).json()["data"]["template"] == "Thanks {{{firstName}}}!"
    updated = (await client.put(path, json={"name": "Thank you", "type": "Web"})).json()["data"]
    assert (updated["name"], updated["type"], updated["template"]) == ("Thank you", "Web", "Thanks {{{firstName}}}!")
    assert any(t["id"] == template["id"] for t in (await client.get(f"{A}/templates?limit=100")).json()["data"])
    assert (await client.delete(path)).json() == {"success": True}
    assert_error(await client.get(path), 404, "TMPL-001")
    assert_error(await client.post(f"{A}/templates", json={"template": "x"}), 400, "TMPL-002")
    assert_error(await client.post(f"{A}/templates", json={"name": "x", "type": "Email"}), 400, "TMPL-003")
    assert_error(await client.put(f"{A}/templates/nope", json={"name": "x"}), 404, "TMPL-001")


async def test_campaign_crud(client: httpx.AsyncClient) -> None:
    body = {
        "name": "Spring menu",
        "trigger": {"code": "S"},
        "template": "New: {{{firstName}}}, try our rhubarb tart",
        "filters": {
            "tags": ["newsletter"],
            "contacts": [],
            "attributes": [{"name": "city", "comparator": "!=", "value": "Austin"}],
        },
    }
    created = await client.post(f"{A}/campaigns", json=body)
    assert created.status_code == 201
    campaign = created.json()["data"]
    assert campaign["trigger"] == {"code": "S"} and campaign["filters"]["attributes"][0]["comparator"] == "!="
    path = f"{A}/campaigns/{campaign['id']}"
    updated = (await client.put(path, json={"trigger": {"code": "FU"}})).json()["data"]
    assert updated["trigger"]["code"] == "FU" and updated["name"] == "Spring menu"
    assert (await client.get(path)).json()["data"]["trigger"]["code"] == "FU"
    assert (await client.delete(path)).json() == {"success": True}
    assert_error(await client.get(path), 404, "CAMP-001")
    assert_error(await client.post(f"{A}/campaigns", json={"trigger": {"code": "M"}}), 400, "CAMP-002")
    assert_error(await client.post(f"{A}/campaigns", json={"name": "x", "trigger": {"code": "X"}}), 400, "CAMP-003")
    bad_filter = {"name": "x", "filters": {"attributes": [{"name": "a", "comparator": "~=", "value": "1"}]}}
    assert_error(await client.post(f"{A}/campaigns", json=bad_filter), 400, "CAMP-004")


# -- webhooks ------------------------------------------------------------------------------


async def test_webhook_subscribe_list_and_unsubscribe_by_encoded_url(
    client: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    url = "https://x.example/hook"
    subscribed = await client.post(
        f"{A}/webhooks", json={"url": url, "eventTypes": ["message-received", "contact-opt-out"]}
    )
    assert subscribed.json() == {
        "success": True,
        "data": {"url": url, "eventTypes": ["message-received", "contact-opt-out"]},
    }
    await client.post(f"{A}/webhooks", json={"url": "http://y.example/a?b=c"})
    listed = (await client.get(f"{A}/webhooks")).json()
    assert [h["url"] for h in listed["data"]] == [url, "http://y.example/a?b=c"]
    assert listed["pagination"]["totalCount"] == 2
    assert len(listed["data"][1]["eventTypes"]) >= 7

    removed = await client.delete(f"{A}/webhooks/https%3A%2F%2Fx.example%2Fhook")
    assert removed.status_code == 204 and removed.content == b""
    assert_error(await client.delete(f"{A}/webhooks/https%3A%2F%2Fx.example%2Fhook"), 404, "HOOK-003")
    double_encoded = await client.delete(f"{A}/webhooks/http%253A%252F%252Fy.example%252Fa%253Fb%253Dc")
    assert double_encoded.status_code == 204
    assert sandbox.webhooks() == []


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"url": "ftp://x.example/hook"}, "HOOK-001"),
        ({"url": "https://"}, "HOOK-001"),
        ({"url": "not a url"}, "HOOK-001"),
        ({"eventTypes": ["message-received"]}, "HOOK-001"),
        ({"url": "https://x.example", "eventTypes": ["message-exploded"]}, "HOOK-002"),
        ({"url": "https://x.example", "eventTypes": "message-received"}, "REQ-002"),
    ],
)
async def test_webhook_validation(client: httpx.AsyncClient, body: dict[str, Any], code: str) -> None:
    assert_error(await client.post(f"{A}/webhooks", json=body), 400, code)


async def test_webhook_events_are_delivered_in_the_background() -> None:
    received: list[dict[str, Any]] = []

    def receiver(request: httpx.Request) -> httpx.Response:
        received.append({"url": str(request.url), **json.loads(request.content)})
        return httpx.Response(200)

    sandbox = Sandbox(SandboxConfig(status_step=0.01, error_share=0.0), webhook_transport=httpx.MockTransport(receiver))
    await sandbox.start()
    try:
        async with client_for(sandbox) as c:
            await c.post(f"{A}/webhooks", json={"url": "https://hooks.example/all"})
            await c.post(f"{A}/webhooks", json={"url": "https://hooks.example/in", "eventTypes": ["message-received"]})
            inbound = sandbox.inject_inbound("+12125550123", "Hello there")
            await wait_for(lambda: any(e["type"] == "message-received" for e in received if e["url"].endswith("/in")))
            types_all = lambda: {e["type"] for e in received if e["url"].endswith("/all")}  # noqa: E731
            await wait_for(lambda: {"contact-created", "conversation-started", "message-received"} <= types_all())
            event = next(e for e in received if e["type"] == "message-received")
            assert event["accountId"] == "demo-account" and event["eventId"]
            assert event["data"]["id"] == inbound["id"] and event["data"]["message"] == "Hello there"

            sent = await send(c, conversations=[inbound["conversation"]["id"]], template="Hi!")
            message_id = sent["messages"][0]["id"]
            await wait_for(
                lambda: any(
                    e["type"] == "message-status"
                    and e["data"]["status"] == "Delivered"
                    and e["data"]["id"] == message_id
                    for e in received
                )
            )
            assert any(e["type"] == "message-sent" and e["data"]["id"] == message_id for e in received)
            await c.put(f"{A}/conversations/{inbound['conversation']['id']}/close")
            sandbox.inject_inbound("+12125550123", "STOP")
            await wait_for(lambda: {"conversation-closed", "contact-opt-out", "contact-updated"} <= types_all())
            assert not any(e["url"].endswith("/in") and e["type"] != "message-received" for e in received)
    finally:
        await sandbox.stop()


async def test_failing_webhook_receivers_do_not_disturb_requests() -> None:
    def broken(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("nobody home")

    sandbox = Sandbox(SandboxConfig(contacts=2, conversations=1), webhook_transport=httpx.MockTransport(broken))
    await sandbox.start()
    try:
        async with client_for(sandbox) as c:
            await c.post(f"{A}/webhooks", json={"url": "https://down.example/hook"})
            sandbox.inject_inbound("+12125550124", "Hi")
            await wait_for(lambda: sandbox.webhook_delivery.failed >= 1)
            assert (await c.get(f"{A}/contacts")).status_code == 200
    finally:
        await sandbox.stop()


# -- files ---------------------------------------------------------------------------------


async def test_share_file_then_download_it(client: httpx.AsyncClient) -> None:
    picture = b"\x89PNG\r\n\x1a\n" + bytes(range(256))
    shared = await client.post("/v1/tools/sharefile", files={"media": ("cake photo.png", picture, "image/png")})
    assert shared.status_code == 200
    data = shared.json()["data"]
    assert data["link"].startswith("http://sandbox/files/") and data["expires"].endswith("Z")
    async with httpx.AsyncClient(transport=client._transport, base_url="http://sandbox") as anonymous:
        download = await anonymous.get(data["link"])
    assert download.status_code == 200
    assert download.content == picture and download.headers["content-type"] == "image/png"

    raw = await client.post(
        "/v1/tools/sharefile?filename=menu.pdf",
        content=b"%PDF-1.4",
        headers={"content-type": "application/octet-stream"},
    )
    link = raw.json()["data"]["link"]
    assert link.endswith("/menu.pdf")
    pdf = await client.get(link)
    assert pdf.content == b"%PDF-1.4" and pdf.headers["content-type"] == "application/pdf"
    assert_error(await client.get("/files/nope/x.png"), 404, "FILE-003")


async def test_share_file_refuses_missing_files_and_other_content(client: httpx.AsyncClient) -> None:
    assert_error(await client.post("/v1/tools/sharefile", files={"other": ("a.txt", b"x")}), 400, "FILE-001")
    assert_error(await client.post("/v1/tools/sharefile", json={"media": "x"}), 415, "REQ-003")
    assert_error(
        await client.post("/v1/tools/sharefile", content=b"", headers={"content-type": "application/octet-stream"}),
        400,
        "FILE-001",
    )
    async with httpx.AsyncClient(transport=client._transport, base_url="http://sandbox") as anonymous:
        assert_error(await anonymous.post("/v1/tools/sharefile", files={"media": ("a.txt", b"x")}), 401, "AUTH-002")


# -- seeded data -----------------------------------------------------------------------------


def _without_times(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            k: _without_times(v) for k, v in value.items() if k not in ("created", "updated", "blocked", "optIn", "at")
        }
    if isinstance(value, list):
        return [_without_times(v) for v in value]
    return value


def test_same_seed_same_data_other_seed_other_data() -> None:
    one, two, other = Sandbox(SandboxConfig(seed=11)), Sandbox(SandboxConfig(seed=11)), Sandbox(SandboxConfig(seed=12))
    assert _without_times(one.contacts()) == _without_times(two.contacts())
    assert _without_times(one.messages()) == _without_times(two.messages())
    assert _without_times(one.conversations()) == _without_times(two.conversations())
    assert [t["template"] for t in one.templates()] == [t["template"] for t in two.templates()]
    assert [c["firstName"] for c in one.contacts()] != [c["firstName"] for c in other.contacts()]


def test_seeded_data_is_a_believable_demo() -> None:
    sandbox = Sandbox()
    contacts, conversations = sandbox.contacts(), sandbox.conversations()
    assert len(contacts) >= 60 and len(conversations) == 25
    assert len(sandbox.templates()) == 6 and len(sandbox.campaigns()) == 3
    assert {c["trigger"]["code"] for c in sandbox.campaigns()} == {"M", "S", "FU"}
    assert all(c["mobile"]["number"].startswith("+1") and len(c["mobile"]["number"]) == 12 for c in contacts)
    assert len({c["mobile"]["number"] for c in contacts}) == len(contacts)
    assert 1 <= sum("blocked" in c for c in contacts) <= 2
    assert sum(bool(c["tags"]) for c in contacts) > len(contacts) / 2
    assert all({"city", "plan", "customerSince"} <= set(c["attributes"]) for c in contacts)
    assert sum(bool(c["unread"]) for c in conversations) >= 4
    assert 2 <= sum(c["closed"] for c in conversations) <= 8
    for conversation in conversations:
        assert 2 <= len(sandbox.messages(conversation_id=conversation["id"])) <= 12
    placeholders = ("{{{firstName}}}", "{{ firstName }}", "{{{contact.firstName}}}")
    assert all(any(p in t["template"] for p in placeholders) for t in sandbox.templates())
    # Exactly one hostile string of each kind, to test the client's rendering.
    assert sum("[bold red]" in c.get("lastName", "") for c in contacts) == 1
    assert sum("\x1b[" in m["message"] for m in sandbox.messages()) == 1
    assert any(c.get("lastName") == "[bold red]Tables[/]" for c in (conv["contact"] for conv in conversations))


def test_large_seeded_sets_for_benchmarks() -> None:
    started = time.perf_counter()
    sandbox = Sandbox(SandboxConfig(contacts=20_000, conversations=400))
    assert len(sandbox.store.contacts) == 20_000 and len(sandbox.store.conversations) == 400
    assert len(sandbox.store.contact_id_by_mobile) == 20_000
    assert time.perf_counter() - started < 10


async def test_large_lists_stay_paged_without_sorting() -> None:
    sandbox = Sandbox(SandboxConfig(contacts=20_000, conversations=300))
    async with client_for(sandbox) as c:
        last_page = (await c.get(f"{A}/contacts", params={"offset": 19_990, "limit": 100})).json()
        assert len(last_page["data"]) == 10 and last_page["pagination"]["totalCount"] == 20_000
        conversations = (await c.get(f"{A}/conversations", params={"offset": 200, "limit": 100})).json()
        assert len(conversations["data"]) == 100


# -- bad input never answers 500 -------------------------------------------------------------

MUTATIONS = [
    ("POST", "/contacts"),
    ("PUT", "/contacts/{contact}"),
    ("POST", "/messages"),
    ("POST", "/templates"),
    ("PUT", "/templates/{template}"),
    ("POST", "/campaigns"),
    ("PUT", "/campaigns/{campaign}"),
    ("POST", "/webhooks"),
]


def _path(sandbox: Sandbox, template: str) -> str:
    return A + template.format(
        contact=sandbox.contacts()[0]["id"],
        template=sandbox.templates()[0]["id"],
        campaign=sandbox.campaigns()[0]["id"],
    )


@pytest.mark.parametrize(("method", "route"), MUTATIONS)
@pytest.mark.parametrize(
    ("content", "content_type", "status"),
    [
        (b"{not json", "application/json", 400),
        (b"\xff\xfe\x00", "application/json", 400),
        (b"", "application/json", 400),
        (b"[1, 2]", "application/json", 400),
        (b'"just a string"', "application/json", 400),
        (b"null", "application/json", 400),
        (b"name=x", "application/x-www-form-urlencoded", 415),
        (b"<xml/>", "application/xml", 415),
    ],
)
async def test_malformed_bodies_get_4xx_json(
    client: httpx.AsyncClient, sandbox: Sandbox, method: str, route: str, content: bytes, content_type: str, status: int
) -> None:
    if route == "/contacts" and content == b"[1, 2]":
        status = 400  # a list is allowed there, but not a list of numbers
    response = await client.request(
        method, _path(sandbox, route), content=content, headers={"content-type": content_type}
    )
    assert response.status_code == status, response.text
    assert response.json()["success"] is False and response.json()["error"]["code"]


@pytest.mark.parametrize(
    ("method", "route", "code"),
    [
        ("GET", "/contacts/nope", "CONT-003"),
        ("PUT", "/contacts/nope", "CONT-003"),
        ("DELETE", "/contacts/nope", "CONT-003"),
        ("GET", "/messages/nope", "MSG-001"),
        ("GET", "/templates/nope", "TMPL-001"),
        ("DELETE", "/templates/nope", "TMPL-001"),
        ("GET", "/campaigns/nope", "CAMP-001"),
        ("DELETE", "/campaigns/nope", "CAMP-001"),
        ("PUT", "/campaigns/nope", "CAMP-001"),
        ("GET", "/nothing-here", "GEN-404"),
        ("PATCH", "/contacts", "GEN-405"),
        ("DELETE", "/conversations/x", "GEN-405"),
    ],
)
async def test_unknown_ids_and_routes_are_404_json(
    client: httpx.AsyncClient, method: str, route: str, code: str
) -> None:
    response = await client.request(method, A + route, json={"name": "x"} if method == "PUT" else None)
    assert response.status_code in (404, 405)
    assert_error(response, response.status_code, code)


async def test_wrong_field_types_are_400(client: httpx.AsyncClient, sandbox: Sandbox) -> None:
    template = sandbox.templates()[0]["id"]
    cases = [
        ("POST", "/templates", {"name": ["x"]}),
        ("PUT", f"/templates/{template}", {"template": 5}),
        ("POST", "/campaigns", {"name": "x", "trigger": "M"}),
        ("POST", "/campaigns", {"name": "x", "filters": {"tags": "vip"}}),
        ("POST", "/campaigns", {"name": "x", "template": {"a": 1}}),
        ("POST", "/messages", {"template": "x", "conversations": [1, None]}),
        ("POST", "/messages", {"template": "x", "contacts": [{"mobile": {"number": ["1"]}}]}),
        ("POST", "/webhooks", {"url": 5}),
    ]
    for method, route, body in cases:
        response = await client.request(method, A + route, json=body)
        assert 400 <= response.status_code < 500 or (route == "/messages" and response.status_code == 200), (
            route,
            body,
        )
        if response.status_code != 200:
            assert response.json()["success"] is False


async def test_an_unexpected_failure_still_answers_json(
    client: httpx.AsyncClient, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def explode(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("bug")

    monkeypatch.setattr(sandbox.store, "page", explode)
    response = await client.get(f"{A}/conversations")
    assert_error(response, 500, "GEN-500")
    assert "sandbox bug" in caplog.text


async def test_odd_bodies_and_headers_get_4xx(client: httpx.AsyncClient) -> None:
    deep = await client.post(f"{A}/templates", content=b"[" * 100_000, headers={"content-type": "application/json"})
    assert_error(deep, 400, "REQ-001")
    for token in ("Bearer \xc3\xa9.\xc3\xa9.\xc3\xa9".encode("latin-1"), b"Bearer \xff\xfe.a.b", b"Bearer a.b"):
        assert_error(await client.get(f"{A}/contacts", headers={"Authorization": token}), 401, "AUTH-003")
    bad_basic = await client.post(
        "/v1/oauth2/token", headers={"Authorization": "Basic !!!!"}, json={"grant_type": "client_credentials"}
    )
    assert_error(bad_basic, 401, "AUTH-001")
    for content_type, body in [("multipart/form-data", b"garbage"), ("multipart/form-data; boundary=xyz", b"garbage")]:
        response = await client.post("/v1/tools/sharefile", content=body, headers={"content-type": content_type})
        assert_error(response, 400, "REQ-002")
    image = await client.post("/v1/tools/sharefile", content=b"GIF89a", headers={"content-type": "image/gif"})
    assert image.json()["data"]["link"].endswith("/file.gif")


async def test_requests_are_recorded(client: httpx.AsyncClient, sandbox: Sandbox) -> None:
    sandbox.requests.clear()
    await client.get(f"{A}/contacts?limit=5")
    await client.get(f"{A}/conversations")
    assert sandbox.requests == [("GET", f"{A}/contacts"), ("GET", f"{A}/conversations")]


def test_faults_object_is_shared_and_mutable() -> None:
    faults = Faults()
    sandbox = Sandbox(SandboxConfig(contacts=1, conversations=1), faults=faults)
    assert sandbox.faults is faults


def test_the_sandbox_imports_nothing_from_the_client_or_the_ui() -> None:
    import subprocess
    import sys

    code = (
        "import sys; import sakari_tui.sandbox, sakari_tui.sandbox.serve; "
        "bad = [m for m in sys.modules if m.startswith(('textual', 'sakari_tui.api', 'sakari_tui.core', "
        "'sakari_tui.app', 'sakari_tui.screens', 'sakari_tui.widgets'))]; print(bad)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
