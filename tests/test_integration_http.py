"""The client against the sandbox over real HTTP: uvicorn on 127.0.0.1 with an ephemeral port.

One test per operation of the contract, named after its operation id (``contacts.fetchAll``
is ``test_contacts_fetch_all``; variants of one operation add a suffix), then the client's
behaviour under the sandbox's faults: throttling, a dropped connection during a send, and
tokens that expire between two calls.

The sandbox is served once for the module, so tests make their own contacts (with mobile
numbers from ``mobiles()``, unique per test) wherever they change or count data.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
import pytest

from sakari_tui.api import (
    ApiError,
    Contact,
    ContactUpload,
    NetworkError,
    RateLimited,
    RetryPolicy,
    RetryScheduled,
    SakariClient,
)
from sakari_tui.sandbox import Faults, Sandbox, SandboxConfig, serve_in_background

CLIENT_ID = "demo-client"
CLIENT_SECRET = "demo-secret"
ACCOUNT = "demo-account"
A = f"/v1/accounts/{ACCOUNT}"
TOKEN_PATH = "/oauth2/token"
# Short waits so a retried call costs milliseconds, not seconds.
FAST_RETRY = RetryPolicy(max_attempts=4, base_delay=0.01, max_delay=2.0, max_total=5.0)
SHORT_TOKEN_LIFETIME = 1.2  # seconds; fractional, so the sandbox keeps it exact


# -- serving ----------------------------------------------------------------------------------


def _quiet_webhook_receiver(request: httpx.Request) -> httpx.Response:
    # Webhook events the sandbox fires stay on this machine.
    return httpx.Response(204)


@pytest.fixture(scope="module")
def sandbox() -> Sandbox:
    return Sandbox(
        SandboxConfig(seed=7, error_share=0.0, status_step=0.05),
        faults=Faults(),
        webhook_transport=httpx.MockTransport(_quiet_webhook_receiver),
    )


@pytest.fixture(scope="module")
def base_url(sandbox: Sandbox) -> Iterator[str]:
    with serve_in_background(sandbox, "127.0.0.1", 0) as url:
        yield url


@pytest.fixture(scope="module")
def short_token_sandbox() -> Sandbox:
    return Sandbox(
        SandboxConfig(seed=7, contacts=6, conversations=2, token_lifetime=SHORT_TOKEN_LIFETIME),
        webhook_transport=httpx.MockTransport(_quiet_webhook_receiver),
    )


@pytest.fixture(scope="module")
def short_token_url(short_token_sandbox: Sandbox) -> Iterator[str]:
    with serve_in_background(short_token_sandbox, "127.0.0.1", 0) as url:
        yield url


def make_client(url: str, retry: RetryPolicy = FAST_RETRY) -> SakariClient:
    return SakariClient(
        client_id=CLIENT_ID, client_secret=CLIENT_SECRET, account_id=ACCOUNT,
        api_url=url, retry=retry, timeout=5.0,
    )  # fmt: skip


@pytest.fixture
async def client(base_url: str, sandbox: Sandbox) -> AsyncIterator[SakariClient]:
    async with make_client(base_url) as api:
        yield api
    sandbox.faults = Faults()  # whatever a test switched on ends with it


# -- helpers ----------------------------------------------------------------------------------

_blocks = iter(range(10, 100))


def mobiles(count: int) -> list[str]:
    """Fresh +1 808 555 BBNN numbers: a block BB of its own per call. 808 is not an area
    code of the seeded contacts, so these numbers (and their digits) belong to one test."""
    block = next(_blocks)
    return [f"+1808555{block:02d}{i:02d}" for i in range(count)]


def tag_name(label: str) -> str:
    return f"it-{label}-{uuid.uuid4().hex[:8]}"


def mark(sandbox: Sandbox) -> int:
    return len(sandbox.requests)


def hits(sandbox: Sandbox, since: int, method: str, path: str) -> int:
    """How many ``method path`` requests reached the sandbox after ``since``."""
    return sum(1 for m, p in sandbox.requests[since:] if m == method and p == path)


async def create_contact(client: SakariClient, **fields: Any) -> Contact:
    created = await client.contacts.create(fields)
    assert isinstance(created, list) and len(created) == 1
    return created[0]


def stored_contact(sandbox: Sandbox, contact_id: str) -> dict[str, Any] | None:
    return next((c for c in sandbox.contacts() if c["id"] == contact_id), None)


def tag_names(contact: Contact) -> list[str]:
    return [t.name for t in contact.tags if t.name]


# -- authentication ---------------------------------------------------------------------------


async def test_auth_token(client: SakariClient, sandbox: Sandbox, base_url: str) -> None:
    since = mark(sandbox)
    before = datetime.now(timezone.utc)
    token = await client.authentication.auth_token()
    assert hits(sandbox, since, "POST", TOKEN_PATH) == 1
    assert token.access_token and token.token_type.lower() == "bearer"
    # The sandbox issues tokens for an hour and says so in expires_in.
    assert before + timedelta(seconds=3500) < token.expires_at < before + timedelta(seconds=3700)
    assert token.issued_at >= before - timedelta(seconds=1)
    # The token is the one the client goes on to use: no second token request.
    since = mark(sandbox)
    await client.contacts.fetch_all(limit=1)
    assert hits(sandbox, since, "POST", TOKEN_PATH) == 0
    # And the server accepts it as it stands.
    answer = httpx.get(
        f"{base_url}{A}/contacts",
        params={"limit": 1},
        headers={"Authorization": f"Bearer {token.access_token}"},
    )
    assert answer.status_code == 200


# -- contacts ---------------------------------------------------------------------------------


async def test_contacts_fetch_all(client: SakariClient, sandbox: Sandbox) -> None:
    total = len(sandbox.contacts())
    assert total > 10
    since = mark(sandbox)
    first = await client.contacts.fetch_all(offset=0, limit=5)
    second = await client.contacts.fetch_all(offset=5, limit=5)
    assert hits(sandbox, since, "GET", f"{A}/contacts") == 2
    assert len(first) == 5 and len(second) == 5
    assert first.total_count == total and first.has_next
    assert (first.offset, first.limit) == (0, 5) and second.offset == 5
    first_ids = {c.id for c in first}
    assert first_ids.isdisjoint(c.id for c in second)
    # Pages are windows on the server's own order.
    assert [c.id for c in first] + [c.id for c in second] == [c["id"] for c in sandbox.contacts()[:10]]
    last = await client.contacts.fetch_all(offset=total - 2, limit=5)
    assert len(last) == 2 and not last.has_next


async def test_contacts_fetch_all_filters(client: SakariClient, sandbox: Sandbox) -> None:
    numbers = mobiles(4)
    vip = tag_name("vip")
    surname = f"Quill{uuid.uuid4().hex[:6]}"
    domain = f"{uuid.uuid4().hex[:8]}.example"
    made = [
        await create_contact(client, firstName="Zephyrine", lastName=surname, email=f"zeph@{domain}",
                             mobile={"number": numbers[0], "country": "US"}, tags=[vip]),
        await create_contact(client, firstName="Zephyrina", lastName=f"Other{surname}",
                             mobile={"number": numbers[1], "country": "US"}, tags=[vip, "x"]),
        await create_contact(client, firstName="Bartholomew", lastName=surname, email=f"bart@{domain}",
                             mobile={"number": numbers[2], "country": "US"}),
    ]  # fmt: skip
    zeph_a, zeph_b, bart = (c.id for c in made)
    everyone = (await client.contacts.fetch_all(limit=1)).total_count
    assert everyone == len(sandbox.contacts())

    async def ids(**filters: Any) -> set[str | None]:
        page = await client.contacts.fetch_all(limit=100, **filters)
        assert page.total_count == len(page) < everyone  # narrowed, and all on this page
        return {c.id for c in page}

    # Each filter matches "the value or part of it", and only that field.
    assert await ids(first_name="ephyrin") == {zeph_a, zeph_b}
    assert await ids(last_name=surname) == {zeph_a, zeph_b, bart}  # "Other<surname>" contains it
    assert await ids(last_name=f"Other{surname}") == {zeph_b}
    assert await ids(email=domain) == {zeph_a, bart}
    assert await ids(email=f"bart@{domain}") == {bart}
    assert await ids(mobile=numbers[0][2:]) == {zeph_a}  # national digits, no +1
    assert await ids(mobile=numbers[0][:-2]) == {zeph_a, zeph_b, bart}  # the block's prefix
    assert await ids(tags=vip) == {zeph_a, zeph_b}
    # Filters combine: both must hold.
    assert await ids(first_name="Zephyrin", email=domain) == {zeph_a}
    page = await client.contacts.fetch_all(limit=100, first_name="ephyrin")
    assert all("ephyrin" in (c.first_name or "").lower() for c in page)


async def test_contacts_create(client: SakariClient, sandbox: Sandbox) -> None:
    (number,) = mobiles(1)
    count = len(sandbox.contacts())
    since = mark(sandbox)
    created = await client.contacts.create(
        {"firstName": "Chris", "lastName": "Thomson", "email": "chris@example.com",
         "mobile": {"number": number[2:], "country": "US"}, "tags": ["new"],
         "attributes": {"city": "Tucson"}}
    )  # fmt: skip
    assert hits(sandbox, since, "POST", f"{A}/contacts") == 1
    assert isinstance(created, list) and len(created) == 1
    contact = created[0]
    assert contact.id and contact.first_name == "Chris" and contact.last_name == "Thomson"
    assert contact.mobile is not None and contact.mobile.number == number  # normalised to E.164
    assert tag_names(contact) == ["new"] and contact.attributes == {"city": "Tucson"}
    assert len(sandbox.contacts()) == count + 1
    stored = stored_contact(sandbox, contact.id)
    assert stored is not None and stored["email"] == "chris@example.com"


async def test_contacts_create_csv(client: SakariClient, sandbox: Sandbox) -> None:
    existing_number, new_number = mobiles(2)
    existing = await create_contact(
        client,
        firstName="Old",
        lastName="Name",
        mobile={"number": existing_number, "country": "US"},
        tags=["keep"],
        attributes={"plan": "Weekly bread"},
    )
    count = len(sandbox.contacts())
    csv_text = (
        "firstName,lastName,mobile,tags,plan\n"
        f"New,Name,{existing_number},fromcsv,Pastry box\n"
        f"Fresh,Person,{new_number[2:]},fromcsv,Rye\n"
        "Broken,Row,12,fromcsv,\n"
    )
    upload = await client.contacts.create(csv=csv_text, merge_strategy="core")
    assert isinstance(upload, ContactUpload)
    assert (upload.submitted, upload.inserted, upload.updated, upload.succeeded) == (3, 1, 1, 2)
    # The bad row is reported, with its reason, and nothing else is.
    assert len(upload.errors) == 1
    bad = upload.errors[0]
    assert bad.first_name == "Broken" and bad.valid is False
    assert bad.error is not None and bad.error.code == "CONT-001"
    assert "mobile" in (bad.error.description or "").lower()
    # One contact more: the row for the existing number merged into it.
    assert len(sandbox.contacts()) == count + 1
    assert sum(1 for c in sandbox.contacts() if c["mobile"]["number"] == existing_number) == 1
    merged = await client.contacts.fetch(existing.id or "")
    # "core" takes the core fields from the upload and keeps the contact's tags and attributes.
    assert merged.first_name == "New"
    assert tag_names(merged) == ["keep"] and merged.attributes == {"plan": "Weekly bread"}
    inserted = [c for c in upload.contacts if c.id != existing.id]
    assert len(inserted) == 1 and inserted[0].mobile is not None
    assert inserted[0].mobile.number == new_number and tag_names(inserted[0]) == ["fromcsv"]


async def test_contacts_create_invalid_mobile(client: SakariClient, sandbox: Sandbox) -> None:
    count = len(sandbox.contacts())
    with pytest.raises(ApiError) as raised:
        await client.contacts.create({"firstName": "Nope", "mobile": {"number": "12", "country": "US"}})
    assert raised.value.status == 400 and raised.value.code == "CONT-001"
    assert raised.value.message and "mobile" in raised.value.message.lower()
    assert len(sandbox.contacts()) == count


async def test_contacts_fetch(client: SakariClient, sandbox: Sandbox) -> None:
    stored = next(c for c in sandbox.contacts() if c.get("email") and c["tags"])
    since = mark(sandbox)
    contact = await client.contacts.fetch(stored["id"])
    assert hits(sandbox, since, "GET", f"{A}/contacts/{stored['id']}") == 1
    assert contact.id == stored["id"]
    assert (contact.first_name, contact.last_name, contact.email) == (
        stored.get("firstName"),
        stored.get("lastName"),
        stored["email"],
    )
    assert contact.mobile is not None
    assert (contact.mobile.number, contact.mobile.country) == (stored["mobile"]["number"], stored["mobile"]["country"])
    assert tag_names(contact) == [t["tag"] for t in stored["tags"]]
    assert dict(contact.attributes) == stored["attributes"]
    with pytest.raises(ApiError) as raised:
        await client.contacts.fetch("no-such-contact")
    assert raised.value.status == 404


async def test_contacts_update(client: SakariClient, sandbox: Sandbox) -> None:
    (number,) = mobiles(1)
    contact = await create_contact(
        client, firstName="Before", lastName="Same", mobile={"number": number, "country": "US"}, tags=["a"]
    )
    since = mark(sandbox)
    updated = await client.contacts.update(contact.id or "", {"firstName": "After", "tags": ["b", "c"]})
    assert hits(sandbox, since, "PUT", f"{A}/contacts/{contact.id}") == 1
    assert updated.id == contact.id and updated.first_name == "After"
    fetched = await client.contacts.fetch(contact.id or "")
    assert fetched.first_name == "After" and fetched.last_name == "Same"  # untouched field stays
    assert tag_names(fetched) == ["b", "c"]
    stored = stored_contact(sandbox, contact.id or "")
    assert stored is not None and stored["firstName"] == "After"


async def test_contacts_remove(client: SakariClient, sandbox: Sandbox) -> None:
    (number,) = mobiles(1)
    contact = await create_contact(client, firstName="Gone", mobile={"number": number, "country": "US"})
    since = mark(sandbox)
    await client.contacts.remove(contact.id or "")
    assert hits(sandbox, since, "DELETE", f"{A}/contacts/{contact.id}") == 1
    assert stored_contact(sandbox, contact.id or "") is None
    with pytest.raises(ApiError) as raised:
        await client.contacts.fetch(contact.id or "")
    assert raised.value.status == 404


# -- conversations ----------------------------------------------------------------------------


async def test_conversations_fetch_all(client: SakariClient, sandbox: Sandbox) -> None:
    stored = sandbox.conversations()
    assert len(stored) > 6
    since = mark(sandbox)
    first = await client.conversations.fetch_all(offset=0, limit=3)
    second = await client.conversations.fetch_all(offset=3, limit=3)
    assert hits(sandbox, since, "GET", f"{A}/conversations") == 2
    assert first.total_count == len(stored) and first.has_next
    assert [c.id for c in first] == [c["id"] for c in stored[:3]]  # newest first, as stored
    assert [c.id for c in second] == [c["id"] for c in stored[3:6]]
    assert {c.id for c in first}.isdisjoint(c.id for c in second)
    for conversation, raw in zip(first, stored[:3]):
        assert conversation.contact is not None and conversation.contact.id == raw["contact"]["id"]
        assert conversation.closed == raw["closed"]


async def test_conversations_fetch(client: SakariClient, sandbox: Sandbox) -> None:
    raw = next(c for c in sandbox.conversations() if c.get("lastMessage"))
    conversation = await client.conversations.fetch(raw["id"])
    assert conversation.id == raw["id"]
    assert conversation.contact is not None and conversation.contact.id == raw["contact"]["id"]
    assert conversation.last_message is not None
    assert conversation.last_message.id == raw["lastMessage"]["id"]
    assert conversation.last_message.text == raw["lastMessage"]["message"]
    assert conversation.unread == tuple(raw["unread"])
    with pytest.raises(ApiError) as raised:
        await client.conversations.fetch("no-such-conversation")
    assert raised.value.status == 404


async def test_conversations_close(client: SakariClient, sandbox: Sandbox) -> None:
    (number,) = mobiles(1)
    contact = await create_contact(client, firstName="Closer", mobile={"number": number, "country": "US"})
    sent = await client.messages.send("Opening a conversation", contacts=[{"id": contact.id}])
    conversation_id = sent.messages[0].conversation_id
    assert conversation_id
    assert (await client.conversations.fetch(conversation_id)).closed is False
    since = mark(sandbox)
    closed = await client.conversations.close(conversation_id)
    assert hits(sandbox, since, "PUT", f"{A}/conversations/{conversation_id}/close") == 1
    assert closed.id == conversation_id and closed.closed is True
    assert (await client.conversations.fetch(conversation_id)).closed is True
    raw = next(c for c in sandbox.conversations() if c["id"] == conversation_id)
    assert raw["closed"] is True


# -- messages ---------------------------------------------------------------------------------


async def test_messages_fetch_all(client: SakariClient, sandbox: Sandbox) -> None:
    everything = await client.messages.fetch_all(limit=1)
    conversation = max(sandbox.conversations(), key=lambda c: len(sandbox.messages(conversation_id=c["id"])))
    stored = sandbox.messages(conversation_id=conversation["id"])
    assert len(stored) >= 2

    by_conversation = await client.messages.fetch_all(conversation_id=conversation["id"], limit=100)
    assert by_conversation.total_count == len(stored) < (everything.total_count or 0)
    assert all(m.conversation_id == conversation["id"] for m in by_conversation)
    assert [m.id for m in by_conversation] == [m["id"] for m in stored]  # newest first

    contact_id = conversation["contact"]["id"]
    of_contact = sandbox.messages(contact_id=contact_id)
    by_contact = await client.messages.fetch_all(contact_id=contact_id, limit=100)
    assert len(by_contact) == by_contact.total_count == len(of_contact) >= 2
    assert all(m.contact is not None and m.contact.id == contact_id for m in by_contact)
    assert {m.id for m in by_contact} == {m["id"] for m in of_contact}

    # A short page of a conversation leads on to the rest of it.
    head = await client.messages.fetch_all(conversation_id=conversation["id"], limit=1)
    tail = await client.messages.fetch_all(conversation_id=conversation["id"], offset=1, limit=100)
    assert head.has_next and [m.id for m in head] + [m.id for m in tail] == [m["id"] for m in stored]


async def test_messages_fetch(client: SakariClient, sandbox: Sandbox) -> None:
    raw = next(m for m in sandbox.messages() if m["outgoing"])
    since = mark(sandbox)
    message = await client.messages.fetch(raw["id"])
    assert hits(sandbox, since, "GET", f"{A}/messages/{raw['id']}") == 1
    assert message.id == raw["id"] and message.text == raw["message"]
    assert message.outgoing is True and message.conversation_id == raw["conversation"]["id"]
    assert message.contact is not None and message.contact.id == raw["contact"]["id"]
    # The newest outgoing message may be one another test just sent, still moving from
    # Queued to Sent to Delivered: the fetched status is the one held then or since.
    now = next(m for m in sandbox.messages() if m["id"] == raw["id"])
    assert message.status_text in (raw["status"], now["status"])
    with pytest.raises(ApiError) as raised:
        await client.messages.fetch("no-such-message")
    assert raised.value.status == 404


async def test_messages_send(client: SakariClient, sandbox: Sandbox) -> None:
    """To a contact by id; the template's placeholder is rendered in the stored message."""
    (number,) = mobiles(1)
    contact = await create_contact(client, firstName="Marisol", mobile={"number": number, "country": "US"})
    template = "Hi {{{firstName}}}, your order is ready"
    since = mark(sandbox)
    result = await client.messages.send(template, contacts=[{"id": contact.id}])
    assert hits(sandbox, since, "POST", f"{A}/messages") == 1
    assert result.job_id and result.queued == 1 and not result.failures
    (message,) = result.messages
    assert message.text == "Hi Marisol, your order is ready"
    assert message.contact is not None and message.contact.id == contact.id
    stored = sandbox.messages(contact_id=contact.id)
    assert [m["message"] for m in stored] == ["Hi Marisol, your order is ready"]
    assert stored[0]["id"] == message.id and stored[0]["outgoing"] is True
    fetched = await client.messages.fetch(message.id or "")
    assert fetched.text == "Hi Marisol, your order is ready"


async def test_messages_send_to_conversation(client: SakariClient, sandbox: Sandbox) -> None:
    (number,) = mobiles(1)
    contact = await create_contact(client, firstName="Thread", mobile={"number": number, "country": "US"})
    first = await client.messages.send("First", contacts=[{"id": contact.id}])
    conversation_id = first.messages[0].conversation_id
    assert conversation_id
    result = await client.messages.send("Second, to the conversation", conversations=[conversation_id])
    (message,) = result.messages
    assert message.conversation_id == conversation_id
    assert message.contact is not None and message.contact.id == contact.id
    assert [m["message"] for m in sandbox.messages(conversation_id=conversation_id)] == [
        "Second, to the conversation",
        "First",
    ]


async def test_messages_send_to_tag_filter(client: SakariClient, sandbox: Sandbox) -> None:
    numbers = mobiles(4)
    tag = tag_name("blast")
    tagged = [
        await create_contact(
            client, firstName=f"Tagged{i}", mobile={"number": numbers[i], "country": "US"}, tags=[tag, "other"]
        )
        for i in range(3)
    ]
    untagged = await create_contact(
        client, firstName="Untagged", mobile={"number": numbers[3], "country": "US"}, tags=[f"{tag}-not"]
    )
    text = f"For the {tag} crowd"
    result = await client.messages.send(text, filters={"tags": [tag]})
    assert result.queued == 3 and not result.failures
    assert {m.contact.id for m in result.messages if m.contact} == {c.id for c in tagged}
    reached = {m["contact"]["id"] for m in sandbox.messages() if m["message"] == text}
    assert reached == {c.id for c in tagged}
    assert untagged.id not in reached


async def test_messages_send_blocked_contact(client: SakariClient, sandbox: Sandbox) -> None:
    blocked_number, open_number = mobiles(2)
    blocked = await create_contact(client, firstName="Blocked", mobile={"number": blocked_number, "country": "US"})
    reachable = await create_contact(client, firstName="Open", mobile={"number": open_number, "country": "US"})
    sandbox.inject_inbound(blocked_number, "STOP")  # the customer opts out
    assert (await client.contacts.fetch(blocked.id or "")).blocked is True
    text = f"Sale today {uuid.uuid4().hex[:6]}"
    result = await client.messages.send(text, contacts=[{"id": blocked.id}, {"id": reachable.id}])
    assert result.queued == 1
    (failure,) = result.failures
    assert failure.contact is not None and failure.contact.id == blocked.id
    assert failure.code and failure.description
    assert [m["message"] for m in sandbox.messages(contact_id=blocked.id)] == ["STOP"]  # only the inbound
    assert [m["message"] for m in sandbox.messages(contact_id=reachable.id)] == [text]


# -- templates --------------------------------------------------------------------------------


async def test_templates_create(client: SakariClient, sandbox: Sandbox) -> None:
    name = tag_name("welcome")
    since = mark(sandbox)
    template = await client.templates.create(name, "Hi {{{firstName}}}, welcome")
    assert hits(sandbox, since, "POST", f"{A}/templates") == 1
    assert template.id and template.name == name and template.type == "SMS"
    assert template.template == "Hi {{{firstName}}}, welcome"
    stored = [t for t in sandbox.templates() if t["id"] == template.id]
    assert stored and stored[0]["name"] == name and stored[0]["template"] == "Hi {{{firstName}}}, welcome"


async def test_templates_fetch_all(client: SakariClient, sandbox: Sandbox) -> None:
    word = uuid.uuid4().hex[:8]
    mine = {(await client.templates.create(f"Promo {word} {i}", f"Text {i}")).id for i in range(3)}
    await client.templates.create(f"Unrelated {uuid.uuid4().hex[:8]}", "x")
    everything = await client.templates.fetch_all(limit=100)
    assert everything.total_count == len(sandbox.templates())
    named = await client.templates.fetch_all(limit=100, name=word.upper())
    assert {t.id for t in named} == mine and named.total_count == 3
    assert all(word in (t.name or "") for t in named)
    first = await client.templates.fetch_all(limit=2, name=word)
    second = await client.templates.fetch_all(offset=2, limit=2, name=word)
    assert first.has_next and not second.has_next
    assert {t.id for t in first} | {t.id for t in second} == mine


async def test_templates_fetch(client: SakariClient, sandbox: Sandbox) -> None:
    raw = sandbox.templates()[0]
    template = await client.templates.fetch(raw["id"])
    assert (template.id, template.name, template.template, template.type) == (
        raw["id"],
        raw["name"],
        raw["template"],
        raw["type"],
    )
    with pytest.raises(ApiError) as raised:
        await client.templates.fetch("no-such-template")
    assert raised.value.status == 404


async def test_templates_update(client: SakariClient, sandbox: Sandbox) -> None:
    template = await client.templates.create(tag_name("edit"), "Before")
    since = mark(sandbox)
    updated = await client.templates.update(template.id or "", {"template": "After {{{firstName}}}"})
    assert hits(sandbox, since, "PUT", f"{A}/templates/{template.id}") == 1
    assert updated.template == "After {{{firstName}}}" and updated.name == template.name
    (stored,) = [t for t in sandbox.templates() if t["id"] == template.id]
    assert stored["template"] == "After {{{firstName}}}"
    assert (await client.templates.fetch(template.id or "")).template == "After {{{firstName}}}"


async def test_templates_remove(client: SakariClient, sandbox: Sandbox) -> None:
    template = await client.templates.create(tag_name("gone"), "Bye")
    count = len(sandbox.templates())
    await client.templates.remove(template.id or "")
    assert len(sandbox.templates()) == count - 1
    assert all(t["id"] != template.id for t in sandbox.templates())
    with pytest.raises(ApiError) as raised:
        await client.templates.fetch(template.id or "")
    assert raised.value.status == 404


# -- campaigns --------------------------------------------------------------------------------


def campaign_fields(name: str, **more: Any) -> dict[str, Any]:
    return {
        "name": name,
        "template": "Hi {{{contact.firstName}}}",
        "trigger": {"code": "M"},
        "filters": {"tags": ["vip"], "contacts": [], "attributes": []},
        **more,
    }


async def test_campaigns_create(client: SakariClient, sandbox: Sandbox) -> None:
    name = tag_name("spring")
    since = mark(sandbox)
    campaign = await client.campaigns.create(campaign_fields(name))
    assert hits(sandbox, since, "POST", f"{A}/campaigns") == 1
    assert campaign.id and campaign.name == name
    assert campaign.template == "Hi {{{contact.firstName}}}" and campaign.trigger == {"code": "M"}
    assert list(campaign.filters["tags"]) == ["vip"]
    (stored,) = [c for c in sandbox.campaigns() if c["id"] == campaign.id]
    assert stored["name"] == name and stored["filters"]["tags"] == ["vip"]


async def test_campaigns_fetch_all(client: SakariClient, sandbox: Sandbox) -> None:
    word = uuid.uuid4().hex[:8]
    mine = {(await client.campaigns.create(campaign_fields(f"Drive {word} {i}"))).id for i in range(3)}
    await client.campaigns.create(campaign_fields(f"Elsewhere {uuid.uuid4().hex[:8]}"))
    everything = await client.campaigns.fetch_all(limit=100)
    assert everything.total_count == len(sandbox.campaigns()) > 3
    named = await client.campaigns.fetch_all(limit=100, name=word)
    assert {c.id for c in named} == mine and named.total_count == 3
    assert all(word in (c.name or "") for c in named)
    first = await client.campaigns.fetch_all(limit=2, name=word)
    assert first.has_next and len(first) == 2


async def test_campaigns_fetch(client: SakariClient, sandbox: Sandbox) -> None:
    raw = sandbox.campaigns()[0]
    campaign = await client.campaigns.fetch(raw["id"])
    assert (campaign.id, campaign.name, campaign.template) == (raw["id"], raw["name"], raw["template"])
    assert dict(campaign.trigger) == raw["trigger"] and dict(campaign.filters) == raw["filters"]
    with pytest.raises(ApiError) as raised:
        await client.campaigns.fetch("no-such-campaign")
    assert raised.value.status == 404


async def test_campaigns_update(client: SakariClient, sandbox: Sandbox) -> None:
    campaign = await client.campaigns.create(campaign_fields(tag_name("edit")))
    since = mark(sandbox)
    updated = await client.campaigns.update(campaign.id or "", {"template": "New text", "filters": {"tags": ["trial"]}})
    assert hits(sandbox, since, "PUT", f"{A}/campaigns/{campaign.id}") == 1
    assert updated.template == "New text" and list(updated.filters["tags"]) == ["trial"]
    assert updated.name == campaign.name  # not given, not changed
    (stored,) = [c for c in sandbox.campaigns() if c["id"] == campaign.id]
    assert stored["template"] == "New text" and stored["filters"]["tags"] == ["trial"]
    assert (await client.campaigns.fetch(campaign.id or "")).template == "New text"


async def test_campaigns_remove(client: SakariClient, sandbox: Sandbox) -> None:
    campaign = await client.campaigns.create(campaign_fields(tag_name("gone")))
    count = len(sandbox.campaigns())
    await client.campaigns.remove(campaign.id or "")
    assert len(sandbox.campaigns()) == count - 1
    assert all(c["id"] != campaign.id for c in sandbox.campaigns())
    with pytest.raises(ApiError) as raised:
        await client.campaigns.fetch(campaign.id or "")
    assert raised.value.status == 404


# -- webhooks ---------------------------------------------------------------------------------

# Characters that must be encoded to travel as one path segment: / ? & = % # and a space.
AWKWARD_URL = "https://hooks.example.test/in/sakari?account=demo&sig=a%2Fb+c&next=/x y#frag"


async def test_webhooks_fetch_all(client: SakariClient, sandbox: Sandbox) -> None:
    url = f"https://hooks.example.test/list/{uuid.uuid4().hex[:8]}?q=1"
    await client.webhooks.subscribe(url, ["message-received", "message-status"])
    try:
        hooks = await client.webhooks.fetch_all()
        assert {h.url for h in hooks} == {w["url"] for w in sandbox.webhooks()}
        (mine,) = [h for h in hooks if h.url == url]
        assert mine.event_types == ("message-received", "message-status")
    finally:
        await client.webhooks.unsubscribe(url)


async def test_webhooks_fetch_all_more_than_ten(client: SakariClient, sandbox: Sandbox) -> None:
    prefix = f"https://hooks.example.test/many/{uuid.uuid4().hex[:8]}"
    urls = [f"{prefix}/{i}" for i in range(11)]
    for url in urls:
        await client.webhooks.subscribe(url, ["message-status"])
    try:
        hooks = await client.webhooks.fetch_all()
        assert {h.url for h in hooks} == {w["url"] for w in sandbox.webhooks()}
        assert set(urls) <= {h.url for h in hooks}
    finally:
        for url in urls:
            await client.webhooks.unsubscribe(url)


async def test_webhooks_subscribe(client: SakariClient, sandbox: Sandbox) -> None:
    since = mark(sandbox)
    webhook = await client.webhooks.subscribe(AWKWARD_URL, ["message-received"])
    try:
        assert hits(sandbox, since, "POST", f"{A}/webhooks") == 1
        assert webhook.url == AWKWARD_URL and webhook.event_types == ("message-received",)
        (stored,) = [w for w in sandbox.webhooks() if w["url"] == AWKWARD_URL]
        assert stored["eventTypes"] == ["message-received"]
    finally:
        await client.webhooks.unsubscribe(AWKWARD_URL)


async def test_webhooks_unsubscribe(client: SakariClient, sandbox: Sandbox) -> None:
    # Three URLs that differ only in what follows the path: only the one named goes.
    base = f"https://hooks.example.test/un/{uuid.uuid4().hex[:8]}"
    target = f"{base}?sig=a%2Fb+c&next=/x y"
    siblings = [base, f"{base}?sig=other"]
    for url in [target, *siblings]:
        await client.webhooks.subscribe(url, ["message-received"])
    try:
        since = mark(sandbox)
        await client.webhooks.unsubscribe(target)
        deletes = [p for m, p in sandbox.requests[since:] if m == "DELETE"]
        assert len(deletes) == 1 and deletes[0].startswith(f"{A}/webhooks/")
        remaining = {h.url for h in await client.webhooks.fetch_all()}
        assert target not in remaining and set(siblings) <= remaining
        assert {w["url"] for w in sandbox.webhooks()} == remaining
        with pytest.raises(ApiError) as raised:  # gone: a second unsubscribe finds nothing
            await client.webhooks.unsubscribe(target)
        assert raised.value.status == 404
    finally:
        for url in siblings:
            await client.webhooks.unsubscribe(url)


# -- tools ------------------------------------------------------------------------------------


async def test_tools_share_file(client: SakariClient, sandbox: Sandbox, base_url: str) -> None:
    data = bytes(range(256)) * 40 + b"\x00end"
    since = mark(sandbox)
    shared = await client.tools.share_file(data, filename="menu card.png")
    assert hits(sandbox, since, "POST", "/v1/tools/sharefile") == 1
    assert shared.link and shared.link.startswith(base_url)
    assert shared.expires_at is not None and shared.expires_at > datetime.now(timezone.utc)
    async with httpx.AsyncClient(timeout=5) as http:
        download = await http.get(shared.link)
    assert download.status_code == 200
    assert download.content == data
    assert download.headers["content-type"].startswith("image/png")


# -- faults over real HTTP --------------------------------------------------------------------


async def test_fault_rate_limited_then_retried(base_url: str, sandbox: Sandbox) -> None:
    path = f"{A}/contacts"
    async with make_client(base_url, RetryPolicy(max_attempts=3, base_delay=0.01, max_delay=0.5)) as impatient:
        await impatient.authentication.auth_token()
        sandbox.faults = Faults(rate_429=1.0, retry_after=1)
        try:
            since = mark(sandbox)
            # The server asks for 1 s; a policy that waits at most 0.5 s gives up at once.
            with pytest.raises(RateLimited) as raised:
                await impatient.contacts.fetch_all(limit=1)
            assert raised.value.status == 429 and raised.value.retry_after == 1.0
            assert hits(sandbox, since, "GET", path) == 1
        finally:
            sandbox.faults = Faults()

    retries: list[RetryScheduled] = []
    async with make_client(base_url, RetryPolicy(max_attempts=5, base_delay=0.01, max_delay=2.0)) as patient:
        patient.add_listener(lambda e: retries.append(e) if isinstance(e, RetryScheduled) else None)
        await patient.authentication.auth_token()
        sandbox.faults = Faults(rate_429=1.0, retry_after=1)
        asyncio.get_running_loop().call_later(0.3, lambda: setattr(sandbox, "faults", Faults()))
        try:
            since = mark(sandbox)
            started = time.monotonic()
            page = await patient.contacts.fetch_all(limit=3)
            waited = time.monotonic() - started
        finally:
            sandbox.faults = Faults()
    assert len(page) == 3
    # One 429, a wait of the server's Retry-After, then the same request again.
    assert hits(sandbox, since, "GET", path) == 2
    assert [(r.reason, r.delay, r.attempt) for r in retries] == [("rate limited", 1.0, 1)]
    assert waited >= 0.95


async def test_fault_dropped_send(client: SakariClient, sandbox: Sandbox) -> None:
    (number,) = mobiles(1)
    contact = await create_contact(client, firstName="Dropped", mobile={"number": number, "country": "US"})
    text = f"Did this arrive? {uuid.uuid4().hex[:6]}"
    sandbox.faults = Faults(rate_drop=1.0)
    try:
        since = mark(sandbox)
        with pytest.raises(NetworkError) as raised:
            await client.messages.send(text, contacts=[{"id": contact.id}])
    finally:
        sandbox.faults = Faults()
    assert raised.value.may_have_been_sent is True
    # Processed once, not sent again by the client: one POST, one stored message.
    assert hits(sandbox, since, "POST", f"{A}/messages") == 1
    stored = sandbox.messages(contact_id=contact.id)
    assert [m["message"] for m in stored] == [text]
    # Reads, unlike sends, may be repeated: the connection still works afterwards.
    assert (await client.messages.fetch(stored[0]["id"])).text == text


async def test_fault_token_expiry_refreshed(short_token_url: str, short_token_sandbox: Sandbox) -> None:
    box = short_token_sandbox
    path = f"{A}/contacts"
    async with make_client(short_token_url) as api:
        since = mark(box)
        old_token = await api.authentication.auth_token()
        first = await api.contacts.fetch_all(limit=2)
        await asyncio.sleep(SHORT_TOKEN_LIFETIME + 0.15)
        second = await api.contacts.fetch_all(limit=2)
    assert len(first) == 2 and [c.id for c in first] == [c.id for c in second]
    assert hits(box, since, "POST", TOKEN_PATH) == 2
    # The client saw the expiry coming and asked for a new token first: no refused request.
    assert hits(box, since, "GET", path) == 2
    # The first token really had expired at the server.
    refused = httpx.get(f"{short_token_url}{path}", headers={"Authorization": f"Bearer {old_token.access_token}"})
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "AUTH-004"
