"""The one-shot commands against bad input and hostile peers: ``webhooks listen``'s limits,
``contacts --json`` streaming page by page, poll intervals, ``send``'s input checks, and
``--config`` naming a missing file. Run as subprocesses, as a user runs them, against the
sandbox over HTTP or a hostile server on 127.0.0.1 (``hostile.py``).
"""

# The fixtures of test_commands are imported by name, so tests' parameters shadow them.
# ruff: noqa: F811

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from hostile import Hostile, reply

# The module-scoped sandbox served over HTTP, the private environments and the runners.
from test_commands import (  # noqa: F401 - fixtures
    ACCOUNT,
    CLIENT_ID,
    CLIENT_SECRET,
    MESSAGES_POST,
    base_url,
    cli,
    env,
    free_port,
    fresh_number,
    home,
    one_error,
    sandbox,
    sends,
    start,
    stop,
    wait_for_port,
)

from sakari_tui.sandbox import Sandbox
from sakari_tui.textual_private import notifications

# -- 11: webhooks listen ----------------------------------------------------------------------


@pytest.fixture
def receiver(home: dict[str, str]):
    port = free_port()
    process, out, err = start(home, "webhooks", "listen", "--port", str(port), "--json")
    wait_for_port(port, process)
    yield port, out, err
    stop(process)
    assert "Traceback" not in "\n".join(err.rest())


def raw_exchange(port: int, request: bytes, timeout: float = 10.0) -> bytes:
    """Send ``request`` as it is and read the answer until the server closes or answers."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(request)
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = sock.recv(65536)
            if not chunk:
                break
            answer += chunk
        return answer


def test_listen_refuses_a_declared_length_over_the_cap_without_reading_it(receiver) -> None:
    port, out, _ = receiver
    started = time.monotonic()
    # 500 MB announced, not a byte of it sent: the answer must not wait for the body.
    answer = raw_exchange(
        port, b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 500000000\r\n\r\n"
    )
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert time.monotonic() - started < 5
    # Still serving.
    ok = httpx.post(f"http://127.0.0.1:{port}/", json={"type": "message-received", "data": {}})
    assert ok.status_code == 200 and json.loads(out.next())["type"] == "message-received"


def test_listen_stops_reading_a_chunked_body_at_the_cap(receiver) -> None:
    port, _, _ = receiver

    def chunks():
        for _ in range(40):  # 2.5 MB in 64 kB pieces, no length announced
            yield b"[" * 65536

    answer = httpx.post(f"http://127.0.0.1:{port}/", content=chunks())
    assert answer.status_code == 413


@pytest.mark.parametrize("depth", [100, 100_000])
def test_listen_answers_deeply_nested_json_with_400_not_a_traceback(receiver, depth: int) -> None:
    port, _, err = receiver
    body = b'{"type": "x", "data": ' + b"[" * depth + b"]" * depth + b"}"
    answer = httpx.post(f"http://127.0.0.1:{port}/", content=body, headers={"Content-Type": "application/json"})
    assert answer.status_code == 400
    assert "nested" in answer.json()["error"]
    line = err.next()
    while "ignored a POST" not in line:
        line = err.next()
    assert "nested" in line


def test_listen_closes_connections_that_send_half_a_request(monkeypatch: pytest.MonkeyPatch) -> None:
    """In-process, with the deadline shortened, so the test does not wait 10 s."""
    import uvicorn

    from sakari_tui.commands import webhooks
    from sakari_tui.options import listening_socket

    monkeypatch.setattr(webhooks, "REQUEST_TIMEOUT", 0.5)
    sock = listening_socket("127.0.0.1", 0)
    port = sock.getsockname()[1]
    config = uvicorn.Config(webhooks.make_app(as_json=True), log_level="warning", access_log=False,
                            http=webhooks.http_protocol(), limit_concurrency=webhooks.MAX_CONNECTIONS)  # fmt: skip
    server = uvicorn.Server(config)
    thread = threading.Thread(target=lambda: asyncio.run(server.serve(sockets=[sock])), daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not server.started:
            assert time.monotonic() < deadline
            time.sleep(0.02)
        half_headers = b"POST / HTTP/1.1\r\nHost: x\r\nContent-"
        half_body = b'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"type": '
        for partial in (half_headers, half_body):
            started = time.monotonic()
            with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
                conn.sendall(partial)
                data = b""
                while chunk := conn.recv(4096):  # b"" once the server closes
                    data += chunk
            assert 0.4 < time.monotonic() - started < 4.5
            assert b"200 OK" not in data
        # A whole request still gets its answer.
        ok = httpx.post(f"http://127.0.0.1:{port}/", json={"type": "x", "data": {}})
        assert ok.status_code == 200
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


# -- 12: contacts --json streams -------------------------------------------------------------------


def contact(i: int) -> dict[str, Any]:
    return {"id": f"ct-{i:05d}", "firstName": f"P{i}", "mobile": {"number": f"+1415555{i:04d}"}}


def page(offset: int, count: int, total: int) -> dict[str, Any]:
    items = [contact(i) for i in range(offset, min(offset + count, total))]
    return {"success": True, "data": items, "pagination": {"offset": offset, "limit": count, "totalCount": total}}


def test_contacts_json_prints_the_first_page_before_the_second_is_asked_for(home: dict[str, str]) -> None:
    released = threading.Event()
    total = 250
    answered: list[int] = []  # offsets of the pages answered so far

    def contacts(request: Any) -> Any:
        offset = int(request.query.get("offset", ["0"])[0])
        if offset == 100:
            # The second page waits until the test has seen the first line of output.
            assert released.wait(20), "the first page was not printed while the second was pending"
        answered.append(offset)
        if offset == 200:
            return reply(400, {"message": "the search index is rebuilding"})
        return reply(200, page(offset, 100, total))

    with Hostile() as server:
        server.route("GET", f"/v1/accounts/{ACCOUNT}/contacts", contacts)
        api_env = {**home, "SAKARI_API_URL": server.url, "SAKARI_CLIENT_ID": "cid",
                   "SAKARI_CLIENT_SECRET": "s3cret-value", "SAKARI_ACCOUNT_ID": ACCOUNT}  # fmt: skip
        process, out, err = start(api_env, "contacts", "--json", "--limit", "0")
        first = json.loads(out.next(timeout=20))
        assert first["id"] == "ct-00000"
        assert answered == [0]  # printed while the second page had no answer yet
        released.set()
        code = process.wait(timeout=30)
        lines = [first] + [json.loads(line) for line in out.rest()[1:]]
    assert code == 1  # not everything was printed
    assert [c["id"] for c in lines] == [f"ct-{i:05d}" for i in range(200)]  # what was printed stays
    stderr = "\n".join(err.rest())
    assert "the search index is rebuilding" in stderr and "incomplete: 200 contact(s) printed" in stderr
    assert "Traceback" not in stderr


def test_contacts_json_of_the_sandbox_prints_every_contact_one_request_per_page(
    sandbox: Sandbox, env: dict[str, str]
) -> None:
    before = sandbox.requests.count(("GET", f"/v1/accounts/{ACCOUNT}/contacts"))
    done = cli(env, "contacts", "--json", "--limit", "0")
    assert done.returncode == 0, done.stderr
    printed = [json.loads(line)["id"] for line in done.stdout.splitlines()]
    expected = [c["id"] for c in sandbox.contacts()]
    assert sorted(printed) == sorted(expected) and len(set(printed)) == len(printed)
    pages = sandbox.requests.count(("GET", f"/v1/accounts/{ACCOUNT}/contacts")) - before
    assert pages == len(expected) // 100 + 1


def test_contacts_json_with_a_limit_stops_at_it(sandbox: Sandbox, env: dict[str, str]) -> None:
    done = cli(env, "contacts", "--json", "--limit", "7")
    assert done.returncode == 0 and len(done.stdout.splitlines()) == 7


# -- 13: poll intervals ------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["nan", "inf", "0.0001", "0", "-3", "1e9"])
def test_a_poll_interval_out_of_range_is_a_config_error(home: dict[str, str], tmp_path: Path, value: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(f'[profiles.a]\nclient_id = "x"\npoll_thread = {value}\n')
    done = cli(home, "config", "show", "--config", str(path))
    assert done.returncode == 2
    assert one_error(done).startswith(
        f"{path}, line 3: profiles.a.poll_thread must be a number of seconds from 1 to 3600"
    )


def test_poll_intervals_in_range_are_taken(home: dict[str, str], tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[profiles.a]\nclient_id = "x"\npoll_thread = 1\npoll_conversations = 3600\n')
    from sakari_tui.config import load_config

    profile = load_config(path).profiles["a"]
    assert (profile.poll_thread, profile.poll_conversations) == (1.0, 3600.0)


# -- 14: send's input ----------------------------------------------------------------------------------


def test_send_refuses_stdin_that_is_not_utf8(sandbox: Sandbox, env: dict[str, str]) -> None:
    number = fresh_number(sandbox)
    before = sends(sandbox)
    done = subprocess_with_bytes(env, ["send", "--to", number, "--text", "-"], "Caf\xe9 au lait".encode("latin-1"))
    assert done.returncode == 2
    assert "--text -: the input is not UTF-8 text (byte 0xe9 at offset 3)" in one_error_bytes(done)
    assert sends(sandbox) == before


def test_send_refuses_undecodable_bytes_on_the_command_line(sandbox: Sandbox, env: dict[str, str]) -> None:
    number = fresh_number(sandbox)
    before = sends(sandbox)
    done = subprocess_with_bytes(env, ["send", "--to", number, "--text", b"Caf\xe9"], b"")
    assert done.returncode == 2 and "--text: the text is not UTF-8" in one_error_bytes(done)
    assert sends(sandbox) == before


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("Hello\x00there", "NUL"),
        ("Ring\x07", "BEL"),
        ("\x1b[31mred\x1b[0m", "ESC"),
        ("\x1b]52;c;ZXZpbA==\x07", "ESC"),  # OSC 52: would write the reader's clipboard
        ("Hi\rthere", "CR"),
        ("C1 \x9b control", "CSI"),
    ],
)
def test_send_refuses_control_characters_with_the_reason(
    sandbox: Sandbox, env: dict[str, str], text: str, named: str
) -> None:
    number = fresh_number(sandbox)
    before = sends(sandbox)
    done = cli(env, "send", "--to", number, "--text", "-", stdin=text)
    assert done.returncode == 2
    message = one_error(done)
    assert f"control character {named}" in message and "only newlines and tabs are allowed" in message
    assert "\x1b" not in done.stderr and "\x07" not in done.stderr
    assert sends(sandbox) == before


def test_send_keeps_newlines_and_tabs_and_crlf_from_stdin(sandbox: Sandbox, env: dict[str, str]) -> None:
    number = fresh_number(sandbox)
    done = cli(env, "send", "--to", number, "--text", "-", stdin="Line one\r\n\tLine two\r\n")
    assert done.returncode == 0, done.stderr
    contact = next(c for c in sandbox.contacts() if c["mobile"]["number"] == number)
    (message,) = [m for m in sandbox.messages(contact_id=contact["id"]) if m["outgoing"]]
    assert message["message"] == "Line one\n\tLine two"


def test_send_refuses_a_number_with_an_extension(sandbox: Sandbox, env: dict[str, str]) -> None:
    before = sends(sandbox)
    done = cli(env, "send", "--to", "+1 (415) 555-0123 ext. 5", "--text", "hi")
    assert done.returncode == 2
    assert "has an extension (ext. 5)" in one_error(done)
    assert sends(sandbox) == before


def test_send_cuts_a_huge_to_when_it_quotes_it(sandbox: Sandbox, env: dict[str, str]) -> None:
    before = sends(sandbox)
    done = cli(env, "send", "--to", "4" * 10_000, "--text", "hi")
    assert done.returncode == 2
    message = one_error(done)
    assert message.startswith("--to '4444") and "…'" in message and len(message) < 120
    assert len(done.stderr) < 200
    assert sends(sandbox) == before


def subprocess_with_bytes(env: dict[str, str], args: list[Any], stdin: bytes):
    import subprocess
    import sys

    argv = [sys.executable, "-m", "sakari_tui.cli", *(a if isinstance(a, bytes) else a.encode() for a in args)]
    return subprocess.run(argv, env=env, input=stdin, capture_output=True, timeout=30)


def one_error_bytes(done) -> str:
    stderr = done.stderr.decode("utf-8", "replace")
    assert "Traceback" not in stderr, stderr
    errors = [line for line in stderr.splitlines() if line.startswith("sakari-tui: error: ")]
    assert len(errors) == 1, stderr
    return errors[0].removeprefix("sakari-tui: error: ")


# -- 15: --config naming a missing file; the permission warning in the app ---------------------------


@pytest.mark.parametrize(
    "args",
    [["contacts"], ["conversations"], ["config", "show"], ["config", "check"], ["webhooks", "list"],
     ["send", "--to", "+14155550100", "--text", "x"], ["serve", "--port", "8123"], []],
    ids=lambda a: " ".join(a) or "the app",
)  # fmt: skip
def test_config_naming_a_missing_file_is_an_error(env: dict[str, str], tmp_path: Path, args: list[str]) -> None:
    missing = tmp_path / "typo.toml"
    done = cli(env, "--config", str(missing), *args)
    assert done.returncode == 2
    assert one_error(done) == (
        f"{missing}: no such config file (named by --config); 'sakari-tui config init --config {missing}' writes one"
    )
    assert not missing.exists()


@pytest.mark.parametrize(
    "args",
    [["contacts"], ["config", "show"], ["send", "--to", "+14155550100", "--text", "x"], []],
    ids=lambda a: " ".join(a) or "the app",
)
def test_the_environment_naming_a_missing_config_file_is_an_error_too(
    env: dict[str, str], tmp_path: Path, args: list[str]
) -> None:
    missing = tmp_path / "typo.toml"
    done = cli({**env, "SAKARI_TUI_CONFIG": str(missing)}, *args)
    assert done.returncode == 2
    assert one_error(done) == (
        f"{missing}: no such config file (named by SAKARI_TUI_CONFIG); "
        f"'sakari-tui config init --config {missing}' writes one"
    )
    assert not missing.exists()


def test_config_init_writes_the_file_the_environment_names(home: dict[str, str], base_url: str, tmp_path: Path) -> None:
    path = tmp_path / "new" / "config.toml"
    answers = f"work\n{base_url}\n{CLIENT_ID}\n{CLIENT_SECRET}\n{ACCOUNT}\nUS\n"
    named = {**home, "SAKARI_TUI_CONFIG": str(path)}
    done = cli(named, "config", "init", stdin=answers)
    assert done.returncode == 0, done.stderr
    assert path.exists()
    assert cli(named, "config", "check").returncode == 0


def test_config_init_writes_the_file_that_config_names(home: dict[str, str], base_url: str, tmp_path: Path) -> None:
    path = tmp_path / "new" / "config.toml"
    answers = f"work\n{base_url}\n{CLIENT_ID}\n{CLIENT_SECRET}\n{ACCOUNT}\nUS\n"
    done = cli(home, "config", "init", "--config", str(path), stdin=answers)
    assert done.returncode == 0, done.stderr
    assert cli(home, "config", "check", "--config", str(path)).returncode == 0


def test_the_app_gets_the_permission_warning_instead_of_printing_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from sakari_tui import cli as cli_module
    from sakari_tui.app import SakariApp

    path = tmp_path / "config.toml"
    path.write_text('[profiles.a]\nclient_id = "x"\n')
    path.chmod(0o644)
    made: list[SakariApp] = []
    monkeypatch.setattr(SakariApp, "run", lambda self: made.append(self))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert cli_module.main(["--config", str(path)]) == 0
    (app,) = made
    assert len(app.startup_warnings) == 1 and "readable by other users" in app.startup_warnings[0]
    assert capsys.readouterr().err == ""


async def test_a_startup_warning_is_shown_inside_the_app(tmp_path: Path) -> None:
    from conftest import make_app, wait_for

    app = make_app(tmp_path / "data")
    app.startup_warnings = ["/x/config.toml is readable by other users (mode 644); run: chmod 600 /x/config.toml"]
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await wait_for(
            pilot, lambda: any("chmod 600" in str(n.message) for n in notifications(app)), what="the warning"
        )
        from textual.widgets._toast import Toast

        await wait_for(pilot, lambda: any("readable by other users" in str(t.render()) for t in app.screen.query(Toast)),
                       what="the toast on screen")  # fmt: skip


def test_conversations_unread_with_a_damaged_store_is_one_clear_line(env: dict[str, str], tmp_path: Path) -> None:
    from sakari_tui.core.store import database_path

    path = database_path(tmp_path / "data" / "sakari-tui", "default")
    path.parent.mkdir(parents=True)
    path.write_bytes(b"garbage" * 1000)
    done = cli(env, "conversations", "--unread")
    assert done.returncode == 1
    assert one_error(done) == (f"the local store {path} is damaged: the file is not an SQLite database; "
                               "start sakari-tui (the app) to move it aside")  # fmt: skip
