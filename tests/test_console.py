"""The API console: every operation through the real client against the sandbox, answers
with status and JSON, secrets kept off the screen, and OpenAPI documents previewed, added
(with their server called, with or without the profile's token), saved and removed."""

from __future__ import annotations

import asyncio
import json
import re
import textwrap
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import uvicorn
from conftest import FAST, finish, make_app, make_sandbox, wait_for
from spec import spec_path
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from textual.widgets import Input, OptionList, Select, Static, TextArea

from sakari_tui.app import SakariApp
from sakari_tui.config import Config, load_config, save_config
from sakari_tui.core.console import CALLS, SAKARI_OPERATIONS
from sakari_tui.demo import DEMO_CLIENT_SECRET, demo_profile
from sakari_tui.sandbox import serve_in_background
from sakari_tui.screens.console import ConsoleScreen, FieldInput, FieldSelect
from sakari_tui.screens.console_sources import SourceDialog
from sakari_tui.textual_private import notifications, screen_text

# -- helpers ----------------------------------------------------------------------------------


def assert_not_shown(text: str, secret: str, what: str) -> None:
    """Not even a piece of ``secret`` (a long token wraps over lines) is in ``text``."""
    window = min(len(secret), 12)
    for start in range(len(secret) - window + 1):
        assert secret[start : start + window] not in text, f"part of the {what} is on screen"


async def open_console(pilot) -> ConsoleScreen:
    app = pilot.app
    await wait_for(pilot, lambda: app._client is not None and type(app.screen).__name__ == "ConversationsScreen",
                   what="the session")  # fmt: skip
    await pilot.press("6")
    await wait_for(pilot, lambda: isinstance(app.screen, ConsoleScreen), what="the console")
    await pilot.pause()
    return app.screen


async def choose(pilot, screen: ConsoleScreen, name: str, group: str = "") -> None:
    operation = next(op for op in screen.all_operations() if op.name == name and op.group == group)
    assert screen.select_operation(operation.key)
    await wait_for(
        pilot, lambda: screen.operation is operation and screen.query(".op-head"), what=f"the form of {name}"
    )
    await pilot.pause()


def field(screen: ConsoleScreen, name: str) -> FieldInput:
    return next(w for w in screen.query(FieldInput) if w.field.name == name)


async def send(pilot, screen: ConsoleScreen, key: str = "f5"):
    before = screen.answers.get(screen.operation.key)
    await pilot.press(key)
    await wait_for(pilot, lambda: screen.answers.get(screen.operation.key) is not before, what="the answer")
    await pilot.pause()
    return screen.answers[screen.operation.key]


async def form_error(pilot, screen: ConsoleScreen, fragment: str) -> str:
    """Wait for the form's error line to say ``fragment``; return the whole line."""
    line = screen.query_one("#form-error", Static)
    await wait_for(pilot, lambda: fragment in str(line.render()), what=f"the form error {fragment!r}")
    return str(line.render())


def shown_answer(screen: ConsoleScreen) -> str:
    return str(screen.query_one("#answer-status", Static).render())


# -- the client's operations ------------------------------------------------------------------


def test_the_console_knows_every_operation_of_the_client() -> None:
    names = [op.name for op in SAKARI_OPERATIONS]
    assert len(names) == 26 == len(set(names))
    assert set(CALLS) == set(names)
    path = spec_path()
    if path is not None:
        from sakari_tui.core.openapi import load_document

        assert set(names) == {op.operation_id for op in load_document(str(path)).operations}


async def test_contacts_fetch_all_with_a_filter_typed_in_the_form(app, sandbox) -> None:
    first = sandbox.contacts()[2]["firstName"]
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_console(pilot)
        listing = screen.query_one("#operations", OptionList)
        assert listing.option_count == 27  # a heading and 26 operations
        await choose(pilot, screen, "contacts.fetchAll")
        field(screen, "firstName").focus()
        await pilot.press(*first)
        before = screen.answers.get(screen.operation.key)
        await pilot.press("enter")  # Enter in a field sends
        await wait_for(pilot, lambda: screen.answers.get(screen.operation.key) is not before, what="the answer")
        await pilot.pause()
        answer = screen.answers[screen.operation.key]
        assert answer.status == 200 and answer.ok
        assert f"firstName={first}" in answer.request
        found = answer.body["data"]
        assert found and all(first.lower() in c["firstName"].lower() for c in found)
        text = screen_text(app)
        assert "200 OK" in text and "ms" in text
        assert f'"firstName": "{found[0]["firstName"]}"' in text


async def test_templates_create_with_a_json_body_then_the_sandbox_holds_it(app, sandbox) -> None:
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_console(pilot)
        await choose(pilot, screen, "templates.create")
        editor = screen.query_one("#body-editor", TextArea)
        skeleton = json.loads(editor.text)
        assert skeleton == {"name": "", "template": "", "type": "SMS"}
        editor.load_text(
            json.dumps({"name": "Made in the console", "template": "Hi {{firstName}} [b]x[/b]", "type": "SMS"})
        )
        await pilot.pause()
        answer = await send(pilot, screen)
        assert answer.status == 201
        assert [t["name"] for t in sandbox.templates()].count("Made in the console") == 1
        text = screen_text(app)
        assert "201 Created" in text
        assert "[b]x[/b]" in text  # markup in an answer is shown, not obeyed


async def test_conversations_close_and_messages_fetch_by_id(app, sandbox) -> None:
    conversation = next(c for c in sandbox.conversations() if not c.get("closed"))
    message = sandbox.messages()[0]
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_console(pilot)
        await choose(pilot, screen, "conversations.close")
        field(screen, "conversationId").value = conversation["id"]
        answer = await send(pilot, screen)
        assert answer.status == 200
        assert answer.request.endswith(f"/conversations/{conversation['id']}/close")
        closed = next(c for c in sandbox.conversations() if c["id"] == conversation["id"])
        assert closed.get("closed")

        await choose(pilot, screen, "messages.fetch")
        field(screen, "messageId").value = message["id"]
        answer = await send(pilot, screen, "ctrl+r")
        assert answer.status == 200 and answer.body["data"]["id"] == message["id"]
        assert message["id"] in screen_text(app)


async def test_an_error_answer_shows_its_status_and_body(app, sandbox) -> None:
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_console(pilot)
        await choose(pilot, screen, "contacts.fetch")
        field(screen, "contactId").value = "no-such-contact"
        answer = await send(pilot, screen)
        assert answer.status == 404 and not answer.ok
        assert answer.body["success"] is False
        text = screen_text(app)
        assert "404 Not Found" in text and answer.body["error"]["code"] in text
        assert not notifications(app)  # shown as the answer, not as a failure


async def test_a_form_that_cannot_be_sent_says_why_and_sends_nothing(app, sandbox) -> None:
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_console(pilot)
        await choose(pilot, screen, "contacts.fetch")
        await pilot.pause(0.2)
        count = len(sandbox.requests)
        await pilot.press("f5")
        await form_error(pilot, screen, "fill in contactId")

        await choose(pilot, screen, "campaigns.create")
        screen.query_one("#body-editor", TextArea).load_text('{"name": "x",\n  "template": }')
        await pilot.pause()
        await pilot.press("f5")
        assert "line 2" in await form_error(pilot, screen, "not valid JSON")

        await choose(pilot, screen, "contacts.fetchAll")
        field(screen, "limit").value = "lots"
        await pilot.press("f5")
        await form_error(pilot, screen, "limit must be a whole number")
        # The inbox polls meanwhile; none of these three forms went out.
        sent = sandbox.requests[count:]
        account = f"/v1/accounts/{app.profile.account_id}"
        assert ("POST", f"{account}/campaigns") not in sent
        assert ("GET", f"{account}/contacts") not in sent
        assert ("GET", f"{account}/contacts/") not in sent


async def test_contacts_create_from_csv_and_the_form_keeps_drafts(app, sandbox) -> None:
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_console(pilot)
        await choose(pilot, screen, "contacts.create")
        screen.query_one("#body-type", Select).value = "text/csv"
        await wait_for(pilot, lambda: screen.query_one("#body-editor", TextArea).border_title.endswith("text/csv"),
                       what="the CSV editor")  # fmt: skip
        screen.query_one("#body-editor", TextArea).load_text("firstName,mobile\nConsolia,+12065550199\n")
        strategy = next(w for w in screen.query(FieldSelect) if w.field.name == "mergeStrategy")
        strategy.value = "append"
        await pilot.pause()
        answer = await send(pilot, screen)
        assert answer.status in (200, 201)
        assert any(c.get("firstName") == "Consolia" for c in sandbox.contacts())
        # Away and back: what was typed is still there.
        await choose(pilot, screen, "contacts.fetch")
        await choose(pilot, screen, "contacts.create")
        assert "Consolia" in screen.query_one("#body-editor", TextArea).text
        assert screen.answers[screen.operation.key] is answer
        assert "201" in shown_answer(screen) or "200" in shown_answer(screen)


async def test_secrets_never_reach_the_screen(app, sandbox) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_console(pilot)
        await choose(pilot, screen, "auth.token")
        answer = await send(pilot, screen)
        token = app.client._auth.cached.access_token
        assert answer.status == 200 and answer.body["access_token"] == "***"
        text = screen_text(app)
        assert '"access_token": "***"' in text
        assert DEMO_CLIENT_SECRET not in text
        assert_not_shown(text, token, "token")
        assert token not in answer.pretty() and DEMO_CLIENT_SECRET not in answer.pretty()
        await pilot.press("f4")
        assert token not in app.clipboard and "***" in app.clipboard

        for name in ("contacts.fetchAll", "webhooks.fetchAll", "conversations.fetchAll"):
            await choose(pilot, screen, name)
            await send(pilot, screen)
            text = screen_text(app)
            assert DEMO_CLIENT_SECRET not in text
            assert_not_shown(text, app.client._auth.cached.access_token, "token")


async def test_the_palette_calls_any_operation(app, sandbox) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app._client is not None and type(app.screen).__name__ == "ConversationsScreen",
                       what="the inbox")  # fmt: skip
        await pilot.press("ctrl+p")
        for ch in "call messages.fetchall":
            await pilot.press("space" if ch == " " else ch)
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConsoleScreen), what="the console")
        screen = app.screen
        await wait_for(pilot, lambda: screen.operation is not None and screen.operation.name == "messages.fetchAll",
                       what="messages.fetchAll chosen")  # fmt: skip
        answer = await send(pilot, screen)
        assert answer.status == 200


# -- added OpenAPI documents ------------------------------------------------------------------


@contextmanager
def serve(asgi_app) -> Iterator[str]:
    """``asgi_app`` served by uvicorn on 127.0.0.1 and a free port, for the block."""
    server = uvicorn.Server(uvicorn.Config(asgi_app, host="127.0.0.1", port=0, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=lambda: asyncio.run(server.serve()), daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the test server did not start"
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


class Echo:
    """A tiny API that answers what it was sent, and remembers the Authorization headers."""

    def __init__(self) -> None:
        self.authorization: list[str | None] = []

    def app(self) -> Starlette:
        async def echo(request: Request) -> JSONResponse:
            auth = request.headers.get("authorization")
            self.authorization.append(auth)
            return JSONResponse({"path": request.url.path, "query": dict(request.query_params), "authorization": auth,
                                 "echoed": f"you sent {auth}", "note": "[red]not markup[/red]"})  # fmt: skip

        return Starlette(routes=[Route("/api/items/{item}", echo), Route("/api/public", echo)])


MINI_SPEC = """\
openapi: 3.0.3
info: {{title: Mini Items, version: 0.3.1}}
servers: [{{url: "{server}/api", description: test server}}]
components:
  securitySchemes:
    profile: {{type: http, scheme: bearer}}
security: [{{profile: []}}]
paths:
  /items/{{item}}:
    get:
      operationId: items.get
      summary: One item
      parameters:
        - {{name: item, in: path, required: true, schema: {{type: string}}}}
        - {{name: verbose, in: query, schema: {{type: boolean}}}}
      responses: {{"200": {{description: ok}}}}
  /public:
    get:
      operationId: public.get
      summary: No auth here
      security: []
      parameters:
        - {{name: q, in: query, schema: {{type: string}}}}
      responses: {{"200": {{description: ok}}}}
"""


def app_with_config(tmp_path: Path, sandbox=None) -> SakariApp:
    app = make_app(tmp_path / "data", sandbox or make_sandbox())
    app.config = Config(path=tmp_path / "config.toml")
    return app


async def add_spec(pilot, location: str, name: str | None = None, server: str | None = None) -> SourceDialog:
    app = pilot.app
    await pilot.press("f2")
    await wait_for(pilot, lambda: isinstance(app.screen, SourceDialog), what="the spec dialog")
    dialog = app.screen
    dialog.query_one("#spec-location", Input).value = location
    await pilot.press("enter")
    await finish(pilot, "spec-preview")
    assert dialog.document is not None
    await pilot.pause()
    if name is not None:
        dialog.query_one("#spec-name", Input).value = name
    if server is not None:
        dialog.query_one("#spec-server", Input).value = server
    return dialog


async def test_preview_add_call_and_remove_a_small_spec(tmp_path: Path) -> None:
    echo = Echo()
    app = app_with_config(tmp_path)
    with serve(echo.app()) as base_url:
        spec = tmp_path / "mini.yaml"
        spec.write_text(MINI_SPEC.format(server=base_url), encoding="utf-8")
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await open_console(pilot)
            dialog = await add_spec(pilot, str(spec))
            text = screen_text(app)
            for shown in ("Mini Items 0.3.1", f"{base_url}/api", "items.get", "One item", "/items/{item}",
                          "item* (path)", "verbose (query)", "public.get", "2 operations"):  # fmt: skip
                assert shown in text, shown
            assert dialog.query_one("#spec-name", Input).value == "mini-items"
            assert dialog.query_one("#spec-server", Input).value == f"{base_url}/api"
            await pilot.press("enter")  # still in the location field: previews again
            await pilot.pause()
            await pilot.click("#add")
            await wait_for(pilot, lambda: app.screen is screen, what="back on the console")
            await wait_for(
                pilot, lambda: screen.operation and screen.operation.group == "mini-items", what="its first operation"
            )
            listing = screen.query_one("#operations", OptionList)
            assert listing.option_count == 27 + 3
            assert "28 operations" in screen_text(app)

            # Saved in the config, next to the profiles.
            saved = load_config(tmp_path / "config.toml").extra["sources"]
            assert saved == {"mini-items": {"path_or_url": str(spec), "server_url": f"{base_url}/api"}}

            # An operation that asks for bearer auth gets the profile's token...
            assert screen.operation.name == "items.get"
            field(screen, "item").value = "a b"
            field(screen, "verbose").value = "true"
            answer = await send(pilot, screen)
            token = app.client._auth.cached.access_token
            assert answer.status == 200
            assert echo.authorization == [f"Bearer {token}"]
            assert answer.request.startswith(f"GET {base_url}/api/items/a%20b?verbose=true")
            assert answer.body["path"] == "/api/items/a b"
            assert answer.body["query"] == {"verbose": "true"}
            # ... which the screen shows masked, even when the server repeats it.
            assert answer.body["authorization"] == "***"
            assert answer.body["echoed"] == "you sent Bearer ***"
            text = screen_text(app)
            assert "200 OK" in text and "[red]not markup[/red]" in text
            assert_not_shown(text, token, "token")

            # ... and one that asks for none gets none.
            await choose(pilot, screen, "public.get", "mini-items")
            field(screen, "q").value = "x y"
            answer = await send(pilot, screen)
            assert answer.status == 200 and answer.body["query"] == {"q": "x y"}
            assert echo.authorization[-1] is None

            # The palette lists the added operations.
            await pilot.press("ctrl+p")
            for ch in "mini-items: public":
                await pilot.press("space" if ch == " " else ch)
            await pilot.pause(0.3)
            assert "Call mini-items: public.get" in screen_text(app)
            await pilot.press("escape")
            await pilot.pause()

            # Remove: gone from the list and from the config.
            await pilot.press("f8")
            await pilot.press("y")
            await wait_for(
                pilot, lambda: screen.query_one("#operations", OptionList).option_count == 27, what="removed"
            )
            assert "sources" not in load_config(tmp_path / "config.toml").extra
            assert not [n for n in notifications(app) if n.severity == "error"]


async def test_saved_specs_come_back_with_the_app(tmp_path: Path) -> None:
    echo = Echo()
    with serve(echo.app()) as base_url:
        spec = tmp_path / "mini.yaml"
        spec.write_text(MINI_SPEC.format(server=base_url), encoding="utf-8")
        config = Config(path=tmp_path / "config.toml")
        config.extra["sources"] = {
            "mini": {"path_or_url": str(spec), "server_url": f"{base_url}/api"},
            "gone": {"path_or_url": str(tmp_path / "missing.yaml"), "server_url": "https://x.test"},
        }
        save_config(config)
        app = make_app(tmp_path / "data")
        app.config = load_config(config.path)
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await open_console(pilot)
            await wait_for(pilot, lambda: len(screen.sources.operations()) == 2, what="the saved spec read")
            await pilot.pause()
            text = screen_text(app)
            assert "mini · Mini Items" in text and "gone (unreadable)" in text
            await wait_for(pilot, lambda: any("missing.yaml: no such file" in str(n.message) for n in notifications(app)),
                           what="the unreadable spec reported")  # fmt: skip
            await choose(pilot, screen, "public.get", "mini")
            answer = await send(pilot, screen)
            assert answer.status == 200 and echo.authorization == [None]


async def test_the_sakari_spec_previews_adds_and_calls_the_sandbox_with_the_profile_token(tmp_path: Path) -> None:
    path = spec_path()
    if path is None:
        pytest.skip("Sakari OpenAPI spec not found (set SAKARI_OPENAPI_SPEC)")
    sandbox = make_sandbox()
    with serve_in_background(sandbox) as base_url:
        # The app and the added spec reach the same sandbox over HTTP.
        app = SakariApp(demo_profile(api_url=base_url, **FAST), data_dir=tmp_path / "data")
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await open_console(pilot)
            await add_spec(pilot, str(path), name="sakari-doc", server=f"{base_url}/v1")
            text = screen_text(app)
            assert "Sakari 1.0.1" in text and "https://api.sakari.io/v1" in text and "26 operations" in text
            await pilot.click("#add")
            await wait_for(pilot, lambda: app.screen is screen and len(screen.sources.operations()) == 26, what="added")
            await choose(pilot, screen, "contacts.fetchAll", "sakari-doc")
            assert [f.name for f in screen.operation.fields][:3] == ["accountId", "offset", "limit"]
            await pilot.press("f5")
            await form_error(pilot, screen, "fill in accountId")
            field(screen, "accountId").value = app.profile.account_id
            field(screen, "limit").value = "2"
            answer = await send(pilot, screen)
            assert answer.status == 200 and len(answer.body["data"]) == 2
            assert answer.request.startswith(f"GET {base_url}/v1/accounts/{app.profile.account_id}/contacts")
            # The body editor starts from the document's schema.
            await choose(pilot, screen, "templates.create", "sakari-doc")
            assert json.loads(screen.query_one("#body-editor", TextArea).text).keys() == {"name", "template", "type"}


BROKEN_SPECS = {
    "notyaml.yaml": ("openapi: 3.0.0\ninfo: {title: [x\n", r"notyaml\.yaml, line \d+, column \d+: not valid YAML"),
    "list.yaml": ("- just\n- a list\n", r"list\.yaml#: not an OpenAPI document"),
    "swagger.json": ('{"swagger": "2.0", "info": {"title": "S", "version": "1"}, "paths": {}}',
                     r"swagger\.json#/swagger: Swagger 2\.0 \(OpenAPI 2\) is not supported"),
    "nopaths.yaml": ("openapi: 3.0.1\ninfo: {title: S, version: '1'}\n", r"nopaths\.yaml#/paths: the document has no `paths`"),
    "dangling.yaml": (textwrap.dedent("""\
        openapi: 3.0.1
        info: {title: S, version: '1'}
        paths:
          /a:
            get:
              parameters: [{$ref: '#/components/parameters/missing'}]
              responses: {}
        """), r"dangling\.yaml#/paths/~1a/get/parameters/0/\$ref: \$ref '#/components/parameters/missing' points to nothing"),
}  # fmt: skip


async def test_broken_specs_are_refused_with_where_the_problem_is(app, tmp_path: Path) -> None:
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_console(pilot)
        await pilot.press("f2")
        await wait_for(pilot, lambda: isinstance(app.screen, SourceDialog), what="the spec dialog")
        dialog = app.screen
        error = dialog.query_one("#spec-error", Static)
        for name, (text, pattern) in BROKEN_SPECS.items():
            path = tmp_path / name
            path.write_text(text, encoding="utf-8")
            dialog.query_one("#spec-location", Input).value = str(path)
            await pilot.press("enter")
            await wait_for(
                pilot, lambda pattern=pattern: re.search(pattern, str(error.render())), what=f"the error for {name}"
            )
            assert dialog.query_one("#add").disabled
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen, what="the dialog closed")
        assert len(screen.sources) == 0


async def test_running_down_the_list_fast_leaves_each_form_its_own(app, sandbox) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_console(pilot)
        await choose(pilot, screen, "auth.token")
        # Through contacts.create (whose body-type choice reports itself late) to contacts.fetch.
        screen.query_one("#operations", OptionList).focus()
        await pilot.press("down", "down", "down")
        await wait_for(
            pilot, lambda: screen.operation.name == "contacts.fetch" and screen.query(FieldInput), what="contacts.fetch"
        )
        await pilot.pause(0.2)
        assert app.is_running
        create = next(op for op in SAKARI_OPERATIONS if op.name == "contacts.create")
        fetch = screen.operation
        assert screen.draft(fetch)["media"] == "" and screen.draft(fetch)["bodies"] == {}
        assert screen.draft(create)["media"] == "application/json"
        assert [w.operation_key for w in screen.query(FieldInput)] == [fetch.key]
        assert not screen.query("#body-editor")


HOSTILE_SPEC = """\
openapi: 3.0.0
info: {title: "[bold red]Loud[/] API", version: "1"}
servers: [{url: "https://loud.example.test"}]
paths:
  /x:
    get:
      operationId: "x[i]y[/i]"
      summary: "[link=https://evil.test]click[/link] \\e]52;c;aGk=\\a"
      parameters: [{name: "[b]q[/b]", in: query, schema: {type: string}}]
"""


async def test_names_from_an_added_spec_show_literally(app, tmp_path: Path) -> None:
    spec = tmp_path / "loud.yaml"
    spec.write_text(HOSTILE_SPEC, encoding="utf-8")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_console(pilot)
        await add_spec(pilot, str(spec))
        text = screen_text(app)
        assert (
            "[bold red]Loud[/] API" in text and "x[i]y[/i]" in text and "[link=https://evil.test]click[/link]" in text
        )
        assert "\x1b" not in text
        await pilot.click("#add")
        await wait_for(pilot, lambda: app.screen is screen and screen.operation.group, what="added")
        await pilot.pause()
        text = screen_text(app)
        assert "x[i]y[/i]" in text and "[b]q[/b]" in text and "[link=https://evil.test]click[/link]" in text
        await pilot.press("ctrl+p")
        for ch in "x[i]y":
            await pilot.press(ch)
        await pilot.pause(0.3)
        text = screen_text(app)
        assert "Call bold-red-loud-api: x[i]y[/i]" in text and "[link=https://evil.test]click[/link]" in text
