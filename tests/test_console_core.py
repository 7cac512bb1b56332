"""The console's non-UI part: reading forms, calling the client, sources in the config and
calls to an added document's server (over httpx.MockTransport)."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from sakari_tui.api import SakariClient
from sakari_tui.config import Config, load_config, save_config
from sakari_tui.core.console import (
    Answer,
    Body,
    ConsoleOperation,
    Field,
    FormError,
    call_sakari,
    escape_invisible,
    read_body,
    read_fields,
    sakari_operation,
)
from sakari_tui.core.openapi import parse_document
from sakari_tui.core.sources import (
    SourceEntry,
    Sources,
    check_name,
    check_server_url,
    entries_from_config,
    store_entries,
    suggest_name,
)
from sakari_tui.demo import demo_sandbox

FORM = ConsoleOperation(
    key="k", group="", name="op", method="GET", path="/x/{id}",
    fields=(Field("id", "path", required=True), Field("n", kind="integer"), Field("on", kind="boolean"),
            Field("tags", kind="array"), Field("mode", choices=("a", "b")), Field("x", kind="number")),
)  # fmt: skip


def test_read_fields_types_and_requires() -> None:
    values = {"id": " 7 ", "n": "3", "on": "TRUE", "tags": "a, b,,c", "mode": "b", "x": "1.5"}
    assert read_fields(FORM, values) == {
        "id": "7",
        "n": 3,
        "on": "true",
        "tags": ["a", "b", "c"],
        "mode": "b",
        "x": "1.5",
    }
    assert read_fields(FORM, {"id": "1", "n": ""}) == {"id": "1"}  # empty means "not sent"
    for values, message in [
        ({}, "fill in id"),
        ({"id": "1", "n": "x"}, "n must be a whole number"),
        ({"id": "1", "on": "yes"}, "on must be true or false"),
        ({"id": "1", "mode": "c"}, "mode must be one of a, b"),
        ({"id": "1", "x": "one"}, "x must be a number"),
    ]:
        with pytest.raises(FormError, match=message):
            read_fields(FORM, values)


def test_read_body(tmp_path: Path) -> None:
    assert read_body(Body("application/json", "json"), '{"a": [1]}') == {"a": [1]}
    assert read_body(Body("application/json", "json"), "  ") is None
    with pytest.raises(FormError, match=r"not valid JSON: .* \(line 2, column 1\)"):
        read_body(Body("application/json", "json"), '{"a": 1,\n}')
    assert read_body(Body("text/csv", "text"), "a,b\n") == "a,b\n"
    (tmp_path / "f.txt").write_text("x")
    assert read_body(Body("application/octet-stream", "file"), str(tmp_path / "f.txt")) == tmp_path / "f.txt"
    with pytest.raises(FormError, match="no such file"):
        read_body(Body("application/octet-stream", "file"), str(tmp_path / "nope"))


def test_answers_are_made_safe_to_show() -> None:
    answer = Answer("GET /x", 200, 12.4, body={"t": "\x1b]52;c;evil\x07 \u202e rtl \x9b31m"})
    shown = answer.pretty()
    assert "\x1b" not in shown and "\u202e" not in shown and "\x9b" not in shown
    assert "\\u001b]52;c;evil\\u0007" in shown and "\\u202e" in shown
    assert answer.summary() == "200 OK · 12 ms"
    assert Answer("GET /x", None, 3, error="Could not connect").summary() == "no answer · 3 ms"
    assert Answer("GET /x", 299, 1, requests=2).summary() == "299 · 1 ms · 2 requests"
    assert escape_invisible("a\nb\tc\u200d") == "a\nb\tc\u200d"


# -- the client's operations, against the in-process sandbox ----------------------------------


@pytest.fixture
async def client():
    sandbox = demo_sandbox(seed=7, live=False)
    async with SakariClient(api_url="http://sandbox.invalid", client_id="demo-client", client_secret="demo-secret",
                            account_id="demo-account", transport=httpx.ASGITransport(app=sandbox.app)) as client:  # fmt: skip
        client.sandbox = sandbox
        yield client


async def test_call_sakari_uses_the_client_and_returns_the_raw_answer(client) -> None:
    answer = await call_sakari(client, sakari_operation("templates.fetchAll"), {"limit": "2", "name": ""})
    # The first call also fetched a token, which the answer counts.
    assert answer.ok and answer.requests == 2
    assert answer.request == "GET /v1/accounts/demo-account/templates?offset=0&limit=2"
    assert answer.body["pagination"]["limit"] == 2

    send = sakari_operation("messages.send")
    with pytest.raises(FormError, match="send needs contacts, conversations or filters"):
        await call_sakari(client, send, {}, "application/json", '{"template": "hi"}')
    with pytest.raises(FormError, match="needs a template"):
        await call_sakari(client, send, {}, "application/json", '{"contacts": []}')
    number = client.sandbox.contacts()[0]["mobile"]["number"]
    body = json.dumps({"template": "Hello", "contacts": [{"mobile": {"number": number}}], "sendAt": None})
    answer = await call_sakari(client, send, {}, "application/json", body)
    assert answer.ok and answer.body["data"]["messages"]

    with pytest.raises(FormError, match="not a field of this operation: colour"):
        await call_sakari(client, sakari_operation("templates.create"), {}, "", '{"name": "a", "colour": "red"}')
    with pytest.raises(FormError, match="needs a body"):
        await call_sakari(client, sakari_operation("campaigns.create"), {}, "", "")


async def test_call_sakari_uploads_a_file_and_reports_an_unreadable_one(client, tmp_path: Path) -> None:
    share = sakari_operation("tools.shareFile")
    (tmp_path / "menu.txt").write_text("soup")
    answer = await call_sakari(client, share, {}, "", str(tmp_path / "menu.txt"))
    assert answer.ok and answer.body["data"]
    with pytest.raises(FormError, match="no such file"):
        await call_sakari(client, share, {}, "", str(tmp_path / "gone.txt"))


async def test_auth_token_answer_masks_the_token(client) -> None:
    answer = await call_sakari(client, sakari_operation("auth.token"), {})
    assert answer.ok and answer.body["access_token"] == "***"
    assert client._auth.cached.access_token not in answer.pretty()
    assert "demo-secret" not in answer.pretty()


# -- sources ----------------------------------------------------------------------------------


def test_source_entries_round_trip_through_the_config_file(tmp_path: Path) -> None:
    config = Config(path=tmp_path / "config.toml")
    config.extra["future"] = {"kept": True}
    store_entries(config.extra, [SourceEntry("pets", "~/pets.yaml", "https://pets.test/v1"),
                                 SourceEntry("b-2", "https://x.test/o.json", "http://127.0.0.1:9/")])  # fmt: skip
    save_config(config)
    text = config.path.read_text()
    assert "[sources.pets]" in text and 'server_url = "https://pets.test/v1"' in text
    loaded = load_config(config.path)
    entries, problems = entries_from_config(loaded.extra)
    assert [e.name for e in entries] == ["pets", "b-2"] and problems == []
    assert entries[0] == SourceEntry("pets", "~/pets.yaml", "https://pets.test/v1")
    assert loaded.extra["future"] == {"kept": True}
    store_entries(loaded.extra, [])
    assert "sources" not in loaded.extra and loaded.extra["future"] == {"kept": True}


def test_bad_source_entries_are_reported_not_fatal() -> None:
    entries, problems = entries_from_config({"sources": {
        "ok": {"path_or_url": "a.yaml", "server_url": "https://a.test"},
        "nopath": {"server_url": "https://a.test"},
        "badserver": {"path_or_url": "a.yaml", "server_url": "ftp://a.test"},
        "flat": "a.yaml",
    }})  # fmt: skip
    assert [e.name for e in entries] == ["ok"]
    assert problems == ["sources.nopath: path_or_url is missing", "sources.badserver: server_url must be an http(s) URL",
                        "sources.flat must be a table"]  # fmt: skip
    assert entries_from_config({"sources": "x"})[1]


def test_names_and_server_urls() -> None:
    assert check_name("pets-2") is None
    assert check_name("pets", {"pets"}) == "there is already a source named 'pets'"
    assert check_name("has space") and check_name("") and check_name("-x") and check_name("a" * 33)
    assert check_server_url("http://127.0.0.1:8000/api") is None
    assert check_server_url("/relative") and check_server_url("ftp://x") and check_server_url("https://")
    document = parse_document("openapi: 3.0.0\ninfo: {title: 'My Pets API!', version: '1'}\npaths: {}\n")
    assert suggest_name(document) == "my-pets-api"
    assert suggest_name(document, {"my-pets-api"}) == "my-pets-api-2"


SPEC = """\
openapi: 3.0.0
info: {title: Things, version: '1'}
servers: [{url: 'https://things.test/v2'}]
components:
  securitySchemes:
    oauth: {type: oauth2, flows: {clientCredentials: {tokenUrl: /t, scopes: {}}}}
    key: {type: apiKey, in: header, name: X-Key}
security: [{oauth: []}]
paths:
  /things/{id}:
    parameters: [{name: id, in: path, required: true, schema: {type: string}}]
    put:
      operationId: things.put
      parameters:
        - {name: X-Trace, in: header, schema: {type: string}}
        - {name: tag, in: query, schema: {type: array, items: {type: string}}}
        - {name: session, in: cookie, schema: {type: string}}
      requestBody:
        required: true
        content:
          application/json:
            schema: {type: object, properties: {name: {type: string}, size: {type: integer}}}
          application/x-www-form-urlencoded:
            schema: {type: object, properties: {name: {type: string}}}
          text/plain:
            schema: {type: string, example: hello}
  /upload:
    post:
      operationId: upload
      security: [{key: []}]
      requestBody:
        content:
          multipart/form-data:
            schema: {type: object, properties: {doc: {type: string, format: binary}}}
          application/octet-stream: {}
"""


class FakeBearer(httpx.Auth):
    def auth_flow(self, request):
        request.headers["Authorization"] = "Bearer tok-123"
        yield request


async def test_a_source_operation_is_a_form_and_a_call(tmp_path: Path) -> None:
    seen: list[httpx.Request] = []

    def server(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"got": request.content.decode(errors="replace")[:200], "echo": "tok-123"})

    document = parse_document(SPEC, "things.yaml")
    sources = Sources(transport=httpx.MockTransport(server))
    source = sources.add(SourceEntry("things", "things.yaml", "https://things.test/v2"), document)
    put, upload = source.operations
    assert (put.key, put.name, put.auth) == ("source:things:0", "things.put", "profile token")
    assert [(f.name, f.location, f.kind) for f in put.fields] == [
        ("id", "path", "string"), ("X-Trace", "header", "string"), ("tag", "query", "array"),
    ]  # fmt: skip
    assert "cookie parameters are not sent: session" in put.note
    assert [(b.media_type, b.kind) for b in put.bodies] == [
        ("application/json", "json"), ("application/x-www-form-urlencoded", "json"), ("text/plain", "text"),
    ]  # fmt: skip
    assert json.loads(put.bodies[0].skeleton) == {"name": "", "size": 0}
    assert put.bodies[2].skeleton == "hello"
    assert upload.auth == "apiKey (not supported: sent without)"
    assert [(b.kind, b.field_name) for b in upload.bodies] == [("file", "doc"), ("file", "")]

    values = {"id": "a/b", "tag": "x,y", "X-Trace": "t1"}
    answer = await sources.call(put.key, values, "application/json", '{"name": "n"}', bearer=FakeBearer(),
                                redact=lambda text: text.replace("tok-123", "***"))  # fmt: skip
    request = seen[-1]
    assert request.method == "PUT" and request.url.raw_path == b"/v2/things/a%2Fb?tag=x&tag=y"
    assert request.headers["Authorization"] == "Bearer tok-123" and request.headers["X-Trace"] == "t1"
    assert request.headers["Content-Type"] == "application/json" and json.loads(request.content) == {"name": "n"}
    assert answer.ok and answer.body["echo"] == "***"
    assert answer.request == "PUT https://things.test/v2/things/a%2Fb?tag=x&tag=y"

    await sources.call(
        put.key, values, "application/x-www-form-urlencoded", '{"name": "n", "n": 2}', bearer=FakeBearer()
    )
    assert seen[-1].headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert seen[-1].content == b"name=n&n=2"
    await sources.call(put.key, values, "text/plain", "plain words", bearer=FakeBearer())
    assert seen[-1].headers["Content-Type"] == "text/plain" and seen[-1].content == b"plain words"
    with pytest.raises(FormError, match="needs a body"):
        await sources.call(put.key, values, "text/plain", "", bearer=FakeBearer())

    (tmp_path / "doc.pdf").write_bytes(b"%PDF-1")
    await sources.call(upload.key, {}, "multipart/form-data", str(tmp_path / "doc.pdf"), bearer=FakeBearer())
    request = seen[-1]
    assert "Authorization" not in request.headers  # apiKey is not ours to send
    assert request.headers["Content-Type"].startswith("multipart/form-data")
    assert b'name="doc"; filename="doc.pdf"' in request.content and b"%PDF-1" in request.content
    await sources.call(upload.key, {}, "application/octet-stream", str(tmp_path / "doc.pdf"))
    assert seen[-1].content == b"%PDF-1" and seen[-1].headers["Content-Type"] == "application/octet-stream"
    await sources.aclose()


async def test_a_source_call_that_gets_no_answer() -> None:
    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    sources = Sources(transport=httpx.MockTransport(down))
    source = sources.add(SourceEntry("t", "t.yaml", "https://things.test"), parse_document(SPEC, "t.yaml"))
    answer = await sources.call(source.operations[0].key, {"id": "1"}, "text/plain", "x")
    assert answer.status is None and answer.error == "ConnectError: connection refused"
    assert not answer.ok
    await sources.remove("t")
    assert len(sources) == 0
    with pytest.raises(FormError, match="gone"):
        await sources.call(source.operations[0].key, {"id": "1"})


async def test_load_all_keeps_errors_per_source(tmp_path: Path) -> None:
    (tmp_path / "ok.yaml").write_text(SPEC)
    sources = Sources([SourceEntry("ok", str(tmp_path / "ok.yaml"), "https://x.test"),
                       SourceEntry("bad", str(tmp_path / "bad.yaml"), "https://x.test")])  # fmt: skip
    loaded = await sources.load_all()
    assert {s.entry.name for s in loaded} == {"ok", "bad"}
    assert len(sources.get("ok").operations) == 2 and sources.get("bad").error.endswith("bad.yaml: no such file")
    assert await sources.load_all() == []  # read once
    with pytest.raises(ValueError, match="already"):
        sources.add(SourceEntry("ok", "x", "https://x.test"), parse_document(SPEC))
