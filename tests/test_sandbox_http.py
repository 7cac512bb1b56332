"""The sandbox over real HTTP: uvicorn on 127.0.0.1 with an ephemeral port."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sakari_tui.cli import main as cli_main
from sakari_tui.sandbox import (
    Sandbox,
    SandboxConfig,
    run_in_thread,
    serve_in_background,
)
from sakari_tui.sandbox.serve import build_parser

ROOT = Path(__file__).resolve().parent.parent
A = "/v1/accounts/demo-account"
CREDENTIALS = {"client_id": "demo-client", "client_secret": "demo-secret", "grant_type": "client_credentials"}


def wait_for(condition: Callable[[], Any], timeout: float = 5.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.02)


@pytest.fixture
def sandbox() -> Sandbox:
    return Sandbox(SandboxConfig(contacts=12, conversations=4, status_step=0.02, error_share=0.0))


@pytest.fixture
def served(sandbox: Sandbox) -> Iterator[httpx.Client]:
    with serve_in_background(sandbox) as base_url, httpx.Client(base_url=base_url, timeout=5) as client:
        token = client.post("/v1/oauth2/token", json=CREDENTIALS).json()["access_token"]
        client.headers["Authorization"] = f"Bearer {token}"
        yield client


def test_a_client_works_over_real_http(served: httpx.Client, sandbox: Sandbox) -> None:
    assert served.base_url.host == "127.0.0.1" and served.base_url.port not in (None, 0, 8765)
    contacts = served.get(f"{A}/contacts", params={"limit": 5}).json()
    assert len(contacts["data"]) == 5
    sent = served.post(
        f"{A}/messages", json={"contacts": [{"mobile": {"number": "2065550181"}}], "template": "Over the wire"}
    )
    message = sent.json()["data"]["messages"][0]
    final = wait_for(lambda: served.get(f"{A}/messages/{message['id']}").json()["data"]["status"] == "Delivered")
    assert final
    # Injection from this thread is carried out on the server's loop.
    inbound = sandbox.inject_inbound("+12065550181", "Thanks!")
    thread = served.get(f"{A}/messages", params={"conversationId": message["conversation"]["id"]}).json()["data"]
    assert [m["id"] for m in thread] == [inbound["id"], message["id"]]
    encoded = served.post(f"{A}/webhooks", json={"url": "https://x.example/hook"})
    assert encoded.status_code == 200
    assert served.delete(f"{A}/webhooks/https%3A%2F%2Fx.example%2Fhook").status_code == 204


def test_dropped_connection_is_a_transport_error_and_the_message_exists(served: httpx.Client, sandbox: Sandbox) -> None:
    sandbox.faults.rate_drop = 1.0
    with pytest.raises(httpx.TransportError):
        served.post(
            f"{A}/messages", json={"contacts": [{"mobile": {"number": "2065550182"}}], "template": "Lost answer"}
        )
    sandbox.faults.rate_drop = 0.0
    assert [m["message"] for m in sandbox.messages()].count("Lost answer") == 1


def test_down_sandbox_is_a_transport_error(served: httpx.Client, sandbox: Sandbox) -> None:
    sandbox.faults.down = True
    with pytest.raises(httpx.TransportError):
        served.get(f"{A}/contacts")
    sandbox.faults.down = False
    assert served.get(f"{A}/contacts").status_code == 200


def test_429_over_http_carries_retry_after(served: httpx.Client, sandbox: Sandbox) -> None:
    sandbox.faults.rate_429 = 1.0
    sandbox.faults.retry_after = 7
    response = served.get(f"{A}/contacts")
    assert response.status_code == 429 and response.headers["retry-after"] == "7"


def test_run_in_thread_returns_url_and_stop() -> None:
    sandbox = Sandbox(SandboxConfig(contacts=2, conversations=1))
    base_url, stop = run_in_thread(sandbox)
    try:
        assert httpx.get(f"{base_url}/v1/accounts/demo-account/contacts").status_code == 401
    finally:
        stop()
    with pytest.raises(httpx.TransportError):
        httpx.get(f"{base_url}/v1/accounts/demo-account/contacts", timeout=1)


def test_webhook_events_reach_a_real_receiver(served: httpx.Client, sandbox: Sandbox) -> None:
    received: list[dict[str, Any]] = []
    lock = threading.Lock()

    async def hook(request: Request) -> Response:
        event = await request.json()
        with lock:
            received.append(event)
        return Response(status_code=204)

    receiver = Starlette(routes=[Route("/hook", hook, methods=["POST"])])
    server = uvicorn.Server(uvicorn.Config(receiver, host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    wait_for(lambda: server.started)
    receiver_url = f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}"
    try:
        served.post(
            f"{A}/webhooks", json={"url": f"{receiver_url}/hook", "eventTypes": ["message-received", "message-status"]}
        )
        inbound = sandbox.inject_inbound("+13125550177", "Is the shop open?")
        wait_for(lambda: any(e["type"] == "message-received" for e in received))
        event = next(e for e in received if e["type"] == "message-received")
        assert event["accountId"] == "demo-account" and event["data"]["id"] == inbound["id"]
        sent = served.post(
            f"{A}/messages", json={"conversations": [inbound["conversation"]["id"]], "template": "Until 6pm"}
        )
        message_id = sent.json()["data"]["messages"][0]["id"]
        wait_for(
            lambda: any(
                e["type"] == "message-status" and e["data"]["id"] == message_id and e["data"]["status"] == "Delivered"
                for e in received
            )
        )
    finally:
        server.should_exit = True
        thread.join(timeout=5)


def test_live_customers_write_in_and_answer_replies() -> None:
    sandbox = Sandbox(
        SandboxConfig(contacts=12, conversations=4, live=True, live_interval=(0.1, 0.2), status_step=0.01)
    )
    seeded = len(sandbox.messages())
    with serve_in_background(sandbox) as base_url, httpx.Client(base_url=base_url) as client:
        client.headers["Authorization"] = f"Bearer {sandbox.issue_token()}"
        wait_for(
            lambda: (
                len([m for m in sandbox.messages() if not m["outgoing"]]) > 0 and len(sandbox.messages()) >= seeded + 3
            )
        )
        newest = sandbox.messages()[0]
        assert newest["outgoing"] is False and newest["message"]
        conversation_id = newest["conversation"]["id"]
        reply = client.post(f"{A}/messages", json={"conversations": [conversation_id], "template": "We can do that!"})
        reply_id = reply.json()["data"]["messages"][0]["id"]

        def answered() -> bool:
            thread = sandbox.messages(conversation_id=conversation_id)
            ids = [m["id"] for m in thread]
            return reply_id in ids and ids.index(reply_id) > 0 and not thread[0]["outgoing"]

        wait_for(answered)


def test_serve_command_prints_its_settings_and_serves() -> None:
    # --port 0: the system picks a free port (read back from the banner), so runs side by side never collide.
    command = [
        sys.executable,
        "-c",
        "import sys; from sakari_tui.sandbox.serve import main; sys.exit(main(sys.argv[1:]))",
        "--port",
        "0",
        "--seed",
        "3",
        "--rate-429",
        "0.0",
        "--latency",
        "0",
    ]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    try:
        banner = [process.stdout.readline() for _ in range(8)]  # type: ignore[union-attr]
        text = "".join(banner)
        found = re.search(r"http://127\.0\.0\.1:(\d+)", text)
        assert found, text
        port = int(found.group(1))
        assert port != 0 and "demo-client" in text and "demo-account" in text
        assert "seed           3" in text and "rate_429=0.0" in text

        def token() -> httpx.Response | None:
            try:
                return httpx.post(f"http://127.0.0.1:{port}/v1/oauth2/token", json=CREDENTIALS, timeout=1)
            except httpx.TransportError:
                return None

        assert wait_for(token, timeout=10).status_code == 200
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stdout.close()  # type: ignore[union-attr]


SERVE = [sys.executable, "-c", "import sys; from sakari_tui.cli import main; sys.exit(main(sys.argv[1:]))", "sandbox"]


@contextmanager
def serve_command(*args: str) -> Iterator[tuple[str, str]]:
    """``sakari-tui sandbox ARGS`` in a subprocess: (its banner, the base URL it printed)."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [*SERVE, *args], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env
    )
    try:
        banner = "".join(process.stdout.readline() for _ in range(8))  # type: ignore[union-attr]
        found = re.search(r"base URL +(http://\S+)", banner)
        assert found, banner
        yield banner, found.group(1)
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stdout.close()  # type: ignore[union-attr]


@contextmanager
def authorized(base_url: str) -> Iterator[httpx.Client]:
    """A client with a token, once the server answers (it may still be starting)."""
    with httpx.Client(base_url=base_url, timeout=5) as client:

        def token() -> httpx.Response | None:
            try:
                return client.post("/v1/oauth2/token", json=CREDENTIALS)
            except httpx.TransportError:
                return None

        answer = wait_for(token, timeout=10)
        assert answer.status_code == 200
        client.headers["Authorization"] = f"Bearer {answer.json()['access_token']}"
        yield client


def total(client: httpx.Client, what: str) -> int:
    return client.get(f"{A}/{what}", params={"limit": 1}).json()["pagination"]["totalCount"]


def test_serve_command_with_port_0_prints_the_port_it_bound() -> None:
    with serve_command("--port", "0", "--contacts", "3", "--conversations", "1") as (_, base_url):
        url = httpx.URL(base_url)
        assert url.host == "127.0.0.1" and url.port not in (None, 0)
        with authorized(base_url) as client:
            assert client.get(f"{A}/contacts").status_code == 200


@pytest.mark.parametrize(
    ("args", "contacts", "conversations"),
    [
        (["--contacts", "7", "--conversations", "3"], 7, 3),
        (["--contacts", "0", "--conversations", "0"], 0, 0),
        # Contacts follow the conversations when only those are given.
        (["--conversations", "70"], 70, 70),
    ],
)
def test_serve_command_seeds_the_contacts_and_conversations_asked_for(
    args: list[str], contacts: int, conversations: int
) -> None:
    with serve_command("--port", "0", *args) as (banner, base_url), authorized(base_url) as client:
        assert f"({contacts} contacts, {conversations} conversations)" in banner
        assert (total(client, "contacts"), total(client, "conversations")) == (contacts, conversations)


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--contacts", "-1"], "argument --contacts: must be 0 or more"),
        (["--contacts", "many"], "argument --contacts: not a whole number: 'many'"),
        (["--conversations", "2.5"], "argument --conversations: not a whole number: '2.5'"),
        (["--contacts", "2", "--conversations", "3"], "--conversations 3 is more than --contacts 2"),
        (["--port", "70000"], "argument --port: 70000 is not between 0 and 65535"),
    ],
)
def test_serve_command_refuses_bad_values_in_one_line(
    args: list[str], fragment: str, capsys: pytest.CaptureFixture[str]
) -> None:
    try:
        code = cli_main(["sandbox", *args])
    except SystemExit as exit_:
        code = exit_.code
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert len(err.splitlines()) == 1, err
    assert err.startswith("sakari-tui: error: sandbox: ") and fragment in err


def test_serve_command_on_a_busy_port_says_so_in_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        code = cli_main(["sandbox", "--port", str(busy.getsockname()[1])])
    err = capsys.readouterr().err
    assert code == 2 and len(err.splitlines()) == 1
    assert err.startswith("sakari-tui: error: sandbox: cannot listen on 127.0.0.1:")


def test_serve_options() -> None:
    args = build_parser().parse_args(
        [
            "--port",
            "9000",
            "--live",
            "--seed",
            "5",
            "--rate-5xx",
            "0.1",
            "--rate-drop",
            "0.2",
            "--retry-after",
            "4",
            "--token-lifetime",
            "60",
            "--error-share",
            "0.5",
            "--client-id",
            "me",
            "--account-id",
            "acct",
        ]
    )
    assert (args.port, args.live, args.seed, args.rate_5xx, args.rate_drop) == (9000, True, 5, 0.1, 0.2)
    assert (args.retry_after, args.token_lifetime, args.error_share, args.client_id, args.account_id) == (
        4,
        60,
        0.5,
        "me",
        "acct",
    )
    defaults = build_parser().parse_args([])
    assert (defaults.host, defaults.port, defaults.client_secret) == ("127.0.0.1", 8765, "demo-secret")
    assert (defaults.contacts, defaults.conversations) == (None, None)
    counts = build_parser().parse_args(["--contacts", "500", "--conversations", "120"])
    assert (counts.contacts, counts.conversations) == (500, 120)
    help_text = " ".join(build_parser().format_help().split())
    assert "--contacts N contacts seeded" in help_text and "--conversations N conversations seeded" in help_text
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--rate-429", "1.5"])
