"""What the client sends: URLs, query parameters, bodies; and the interface matching the
spec's operations. Over httpx.MockTransport (and once over an in-process ASGI app)."""

from __future__ import annotations

import inspect
import io
import json
import re

import httpx
import pytest
from spec import load_spec, operations

from sakari_tui.api import (
    ApiError,
    Contact,
    ContactUpload,
    Page,
    SakariClient,
    SharedFile,
    Webhook,
)

ACCOUNT = "acc/1"  # a slash, to prove ids are encoded into one path segment
ACCOUNT_PATH = "/v1/accounts/acc%2F1"


class Recorder:
    def __init__(self, answer=None):
        self.requests: list[httpx.Request] = []
        self.answer = answer or (lambda request: httpx.Response(200, json={"success": True, "data": {}}))

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/oauth2/token"):
            return httpx.Response(200, json={"access_token": "t", "token_type": "bearer"})
        self.requests.append(request)
        return self.answer(request)

    @property
    def last(self) -> httpx.Request:
        return self.requests[-1]


def client_for(recorder, api_url="https://api.test") -> SakariClient:
    return SakariClient(api_url=api_url, client_id="id", client_secret="secret",
                        account_id=ACCOUNT, transport=httpx.MockTransport(recorder))  # fmt: skip


def raw_path(request: httpx.Request) -> str:
    return request.url.raw_path.decode().split("?")[0]


def page_answer(items, total=None):
    pagination = {"offset": 0, "limit": 10}
    if total is not None:
        pagination["totalCount"] = total
    return lambda request: httpx.Response(200, json={"success": True, "data": items, "pagination": pagination})


# --- interface matches the spec -------------------------------------------------------------


def snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


GROUPS = {"auth": "authentication"}
METHODS = {"auth.token": "auth_token"}


def test_every_operation_has_a_method_taking_every_query_parameter():
    client = client_for(Recorder())
    spec = operations()
    assert len(spec) == 26
    for operation_id, (_, _, operation) in spec.items():
        group, name = operation_id.split(".")
        method = getattr(getattr(client, GROUPS.get(group, group)), METHODS.get(operation_id, snake(name)))
        parameters = inspect.signature(method).parameters
        for parameter in operation.get("parameters", []):
            if "$ref" in parameter:
                name = parameter["$ref"].rsplit("/", 1)[1]
                parameter = load_spec()["components"]["parameters"][name]
            if parameter["in"] == "query":
                assert snake(parameter["name"]) in parameters, (operation_id, parameter["name"])


# --- URLs and queries ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "api_url, prefix",
    [
        ("https://api.test", ""),
        ("https://api.test/", ""),
        ("https://api.test/v1", ""),
        ("http://127.0.0.1:8765/sakari", "/sakari"),
    ],
)
async def test_paths_under_any_base_url(api_url, prefix):
    recorder = Recorder(page_answer([]))
    async with client_for(recorder, api_url) as client:
        await client.conversations.fetch_all()
    assert raw_path(recorder.last) == f"{prefix}{ACCOUNT_PATH}/conversations"


async def test_contacts_fetch_all_sends_camel_case_filters():
    recorder = Recorder(page_answer([{"id": "c1"}], total=1))
    async with client_for(recorder) as client:
        page = await client.contacts.fetch_all(
            offset=20, limit=50, first_name="Ann", last_name="Lee", mobile="415",
            email="ann@", tags=["vip", "gold"],
        )  # fmt: skip
    assert isinstance(page, Page) and page.items[0].id == "c1"
    assert dict(recorder.last.url.params) == {
        "offset": "20", "limit": "50", "firstName": "Ann", "lastName": "Lee", "mobile": "415",
        "email": "ann@", "tags": "vip,gold",
    }  # fmt: skip


async def test_other_fetch_alls_send_their_filters():
    recorder = Recorder(page_answer([]))
    async with client_for(recorder) as client:
        await client.messages.fetch_all(0, 5, contact_id="c1", conversation_id="cv1")
        assert dict(recorder.last.url.params) == {
            "offset": "0",
            "limit": "5",
            "contactId": "c1",
            "conversationId": "cv1",
        }
        await client.templates.fetch_all(name="welcome")
        assert recorder.last.url.params["name"] == "welcome"
        await client.campaigns.fetch_all(name="spring")
        assert recorder.last.url.params["name"] == "spring"
        await client.messages.fetch_all()
        assert "contactId" not in recorder.last.url.params


async def test_single_object_operations_use_the_right_method_and_path():
    recorder = Recorder(lambda r: httpx.Response(200, json={"success": True, "data": {"id": "x"}}))
    async with client_for(recorder) as client:
        calls = [
            (client.contacts.fetch("c/1"), "GET", "/contacts/c%2F1"),
            (client.contacts.update("c1", {"firstName": "Bo"}), "PUT", "/contacts/c1"),
            (client.contacts.remove("c1"), "DELETE", "/contacts/c1"),
            (client.conversations.fetch("cv1"), "GET", "/conversations/cv1"),
            (client.conversations.close("cv1"), "PUT", "/conversations/cv1/close"),
            (client.messages.fetch("m1"), "GET", "/messages/m1"),
            (client.templates.fetch("t1"), "GET", "/templates/t1"),
            (client.templates.update("t1", {"name": "n"}), "PUT", "/templates/t1"),
            (client.templates.remove("t1"), "DELETE", "/templates/t1"),
            (client.campaigns.fetch("k1"), "GET", "/campaigns/k1"),
            (client.campaigns.update("k1", {"template": "x"}), "PUT", "/campaigns/k1"),
            (client.campaigns.remove("k1"), "DELETE", "/campaigns/k1"),
        ]
        for call, method, path in calls:
            result = await call
            assert (recorder.last.method, raw_path(recorder.last)) == (method, ACCOUNT_PATH + path)
            if method == "DELETE":
                assert result is None
            else:
                assert result.id == "x"
        assert json.loads(recorder.requests[1].content) == {"firstName": "Bo"}


async def test_remove_that_says_success_false_is_an_api_error():
    answer = {"success": False, "error": {"code": "CONT-404", "message": "No such contact"}}
    recorder = Recorder(lambda r: httpx.Response(200, json=answer))
    async with client_for(recorder) as client:
        with pytest.raises(ApiError, match="CONT-404: No such contact"):
            await client.contacts.remove("c1")


async def test_error_status_with_empty_body_says_http_status():
    recorder = Recorder(lambda r: httpx.Response(404))
    async with client_for(recorder) as client:
        with pytest.raises(ApiError) as caught:
            await client.messages.fetch("m1")
    assert str(caught.value) == "HTTP 404" and caught.value.status == 404


# --- bodies -------------------------------------------------------------------------------


async def test_send_body():
    answer = {"success": True, "data": {"jobId": "j1", "messages": [{"id": "m1"}], "queued": 2}}
    recorder = Recorder(lambda r: httpx.Response(200, json=answer))
    async with client_for(recorder) as client:
        result = await client.messages.send(
            "Hi {{{firstName}}}",
            contacts=[{"mobile": {"number": "+14155550123", "country": "US"}}, Contact(id="c9")],
            conversations=["cv1"],
            media=["https://x.test/a.png", {"url": "https://x.test/b.png"}],
            type="MMS",
            conversation_strategy="existing",
            extra={"sendAt": "2030-01-01T00:00:00Z"},
        )
    assert result.job_id == "j1" and result.queued == 2
    assert recorder.last.method == "POST" and raw_path(recorder.last) == f"{ACCOUNT_PATH}/messages"
    assert json.loads(recorder.last.content) == {
        "template": "Hi {{{firstName}}}",
        "contacts": [{"mobile": {"number": "+14155550123", "country": "US"}}, {"id": "c9"}],
        "conversations": ["cv1"],
        "media": [{"url": "https://x.test/a.png"}, {"url": "https://x.test/b.png"}],
        "type": "MMS",
        "conversationStrategy": "existing",
        "sendAt": "2030-01-01T00:00:00Z",
    }


async def test_send_without_recipients_is_refused_locally():
    recorder = Recorder()
    async with client_for(recorder) as client:
        with pytest.raises(ValueError):
            await client.messages.send("hi")
    assert recorder.requests == []


async def test_contacts_create_json_and_csv():
    def answer(request):
        if request.headers["Content-Type"] == "text/csv":
            return httpx.Response(201, json={"success": True, "data": {"submitted": 1, "inserted": 1}})
        return httpx.Response(201, json={"success": True, "data": [{"id": "c1"}, {"id": "c2"}]})

    recorder = Recorder(answer)
    async with client_for(recorder) as client:
        created = await client.contacts.create([{"firstName": "A"}, {"firstName": "B"}], merge_strategy="append")
        assert [c.id for c in created] == ["c1", "c2"]
        assert json.loads(recorder.last.content) == [{"firstName": "A"}, {"firstName": "B"}]
        assert recorder.last.url.params["mergeStrategy"] == "append"
        upload = await client.contacts.create(csv="firstName,mobile\nAnn,4155550123\n")
        assert isinstance(upload, ContactUpload) and upload.inserted == 1
        assert recorder.last.content == b"firstName,mobile\nAnn,4155550123\n"
        with pytest.raises(ValueError):
            await client.contacts.create()


async def test_templates_and_campaigns_create():
    recorder = Recorder(lambda r: httpx.Response(201, json={"success": True, "data": [{"id": "t1"}]}))
    async with client_for(recorder) as client:
        template = await client.templates.create("welcome", "Hi {{ firstName }}")
        assert template.id == "t1"
        assert json.loads(recorder.last.content) == {"name": "welcome", "template": "Hi {{ firstName }}", "type": "SMS"}
    recorder = Recorder(lambda r: httpx.Response(201, json={"success": True, "data": {"id": "k1"}}))
    async with client_for(recorder) as client:
        campaign = await client.campaigns.create({"template": "Hi", "trigger": {"code": "M"}})
    assert campaign.id == "k1" and json.loads(recorder.last.content)["trigger"] == {"code": "M"}


async def test_webhooks():
    # fmt: off
    def answer(request):
        if request.method == "GET":
            return httpx.Response(200, json={"success": True, "data": [{"url": "https://h.test/a", "eventTypes": []}]})
        if request.method == "POST":
            return httpx.Response(200, json={"success": True, "data": {"id": "w1", "type": "webhook",
                                  "eventTypes": ["message-received"], "destination": "https://h.test/a"}})
        return httpx.Response(204)
    # fmt: on

    recorder = Recorder(answer)
    async with client_for(recorder) as client:
        hooks = await client.webhooks.fetch_all()
        assert isinstance(hooks, Page) and hooks.items[0].url == "https://h.test/a"
        hook = await client.webhooks.subscribe("https://h.test/a", ["message-received"])
        assert isinstance(hook, Webhook) and (hook.id, hook.url) == ("w1", "https://h.test/a")
        assert json.loads(recorder.last.content) == {"url": "https://h.test/a", "eventTypes": ["message-received"]}
        assert await client.webhooks.unsubscribe("https://h.test/a?x=1&y=2") is None
    assert recorder.last.method == "DELETE"
    assert raw_path(recorder.last) == f"{ACCOUNT_PATH}/webhooks/https%3A%2F%2Fh.test%2Fa%3Fx%3D1%26y%3D2"


@pytest.mark.parametrize("source", ["bytes", "path", "file"])
async def test_share_file_uploads_multipart_media(source, tmp_path):
    answer = {"success": True, "data": {"link": "https://sak.ri/x", "expires": "2030-01-01T00:00:00Z"}}
    recorder = Recorder(lambda r: httpx.Response(200, json=answer))
    path = tmp_path / "photo.png"
    path.write_bytes(b"\x89PNG fake")
    data = {"bytes": b"\x89PNG fake", "path": path, "file": io.BytesIO(b"\x89PNG fake")}[source]
    async with client_for(recorder) as client:
        shared = await client.tools.share_file(data, filename="photo.png" if source != "path" else None)
    assert isinstance(shared, SharedFile) and shared.link == "https://sak.ri/x"
    request = recorder.last
    assert request.method == "POST" and raw_path(request) == "/v1/tools/sharefile"
    assert request.headers["Content-Type"].startswith("multipart/form-data")
    body = request.content
    assert b'name="media"; filename="photo.png"' in body
    assert b"Content-Type: image/png" in body and b"\x89PNG fake" in body


# --- pagination -----------------------------------------------------------------------------


async def test_iterate_walks_every_page_with_limit_100():
    everyone = [{"id": f"c{i}"} for i in range(250)]

    def answer(request):
        offset, limit = int(request.url.params["offset"]), int(request.url.params["limit"])
        return httpx.Response(200, json={
            "success": True, "data": everyone[offset: offset + limit],
            "pagination": {"offset": offset, "limit": limit, "totalCount": len(everyone)},
        })  # fmt: skip

    recorder = Recorder(answer)
    async with client_for(recorder) as client:
        ids = [contact.id async for contact in client.contacts.iterate(first_name="A")]
    assert ids == [f"c{i}" for i in range(250)]
    assert [(r.url.params["offset"], r.url.params["limit"]) for r in recorder.requests] == [
        ("0", "100"), ("100", "100"), ("200", "100"),
    ]  # fmt: skip
    assert all(r.url.params["firstName"] == "A" for r in recorder.requests)


async def test_iterate_without_total_count_stops_on_a_short_page():
    def answer(request):
        offset = int(request.url.params["offset"])
        count = 100 if offset == 0 else 3
        return httpx.Response(200, json={"success": True, "data": [{"id": "m"}] * count})

    recorder = Recorder(answer)
    async with client_for(recorder) as client:
        messages = [m async for m in client.messages.iterate(conversation_id="cv1")]
    assert len(messages) == 103 and len(recorder.requests) == 2


# --- the in-process path the demo uses --------------------------------------------------------


async def test_works_over_asgi_transport():
    async def app(scope, receive, send):
        assert scope["type"] == "http"
        if scope["path"] == "/oauth2/token":
            body = {"access_token": "t", "token_type": "bearer"}
        else:
            body = {"success": True, "data": {"id": "cv1", "closed": None}}
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": json.dumps(body).encode()})

    client = SakariClient(api_url="http://sandbox", client_id="id", client_secret="s",
                          account_id="acc", transport=httpx.ASGITransport(app=app))  # fmt: skip
    async with client:
        conversation = await client.conversations.fetch("cv1")
    assert conversation.id == "cv1" and conversation.closed is False


async def test_user_agent_and_accept_headers():
    recorder = Recorder(page_answer([]))
    async with client_for(recorder) as client:
        await client.templates.fetch_all()
    assert recorder.last.headers["User-Agent"].startswith("sakari-tui/")
    assert recorder.last.headers["Accept"] == "application/json"


async def test_share_file_reports_upload_progress() -> None:
    from sakari_tui.sandbox import Sandbox, SandboxConfig

    sandbox = Sandbox(SandboxConfig(client_id="demo-client", client_secret="demo-secret", account_id="demo-account"))
    seen: list[tuple[int, int]] = []
    content = bytes(range(256)) * 1024  # 256 KiB: several chunks
    async with SakariClient(
        api_url="http://sandbox.invalid", client_id="demo-client", client_secret="demo-secret",
        account_id="demo-account", transport=httpx.ASGITransport(app=sandbox.app),
    ) as client:  # fmt: skip
        shared = await client.tools.share_file(
            content, "big.bin", "application/octet-stream", progress=lambda sent, total: seen.append((sent, total))
        )
    assert shared.link
    assert len(seen) > 2 and seen[-1][0] == seen[-1][1] == len(content)
    assert [sent for sent, _ in seen] == sorted(sent for sent, _ in seen)
