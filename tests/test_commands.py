"""The one-shot commands, run as the user runs them: a subprocess of ``sakari-tui`` against
the sandbox served over real HTTP (uvicorn on 127.0.0.1, an ephemeral port).

Credentials come from the SAKARI_* environment and XDG_CONFIG_HOME / XDG_DATA_HOME point
under tmp_path, so nothing of the user's is read or written. Every run is checked for a
traceback on stderr. The sandbox is shared by the module, so tests that send or import use
numbers no one else uses (``fresh_number``) and compare with the sandbox's state.
"""

from __future__ import annotations

import asyncio
import json
import os
import queue
import re
import shlex
import signal
import socket
import stat
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import IO, Any

import httpx
import pytest

from sakari_tui.api import SakariClient
from sakari_tui.api.phone import format_number
from sakari_tui.core.store import Store
from sakari_tui.sandbox import Faults, Sandbox, SandboxConfig, serve_in_background

CLIENT_ID = "demo-client"
CLIENT_SECRET = "demo-secret"
ACCOUNT = "demo-account"
MESSAGES_POST = ("POST", f"/v1/accounts/{ACCOUNT}/messages")
CONTACTS_PATH = f"/v1/accounts/{ACCOUNT}/contacts"
RUN_TIMEOUT = 30.0


# -- the sandbox and the environment ----------------------------------------------------------


@pytest.fixture(scope="module")
def sandbox() -> Sandbox:
    # No webhook transport: events go over real HTTP, to `webhooks listen`.
    return Sandbox(SandboxConfig(seed=7, error_share=0.0, status_step=0.05), faults=Faults())


@pytest.fixture(scope="module")
def base_url(sandbox: Sandbox) -> Iterator[str]:
    with serve_in_background(sandbox, "127.0.0.1", 0) as url:
        yield url


@pytest.fixture
def home(tmp_path: Path) -> dict[str, str]:
    """An environment with no SAKARI_* of the user's and private config and data dirs."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SAKARI_")}
    env.update(
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        XDG_DATA_HOME=str(tmp_path / "data"),
        COLUMNS="200",
        PYTHONUNBUFFERED="1",
    )
    return env


@pytest.fixture
def env(home: dict[str, str], base_url: str) -> dict[str, str]:
    """``home`` plus the sandbox's credentials, as a script would pass them."""
    return {
        **home,
        "SAKARI_API_URL": base_url,
        "SAKARI_CLIENT_ID": CLIENT_ID,
        "SAKARI_CLIENT_SECRET": CLIENT_SECRET,
        "SAKARI_ACCOUNT_ID": ACCOUNT,
    }


def command(*args: str) -> list[str]:
    return [sys.executable, "-m", "sakari_tui.cli", *args]


def cli(env: dict[str, str], *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        command(*args), env=env, input=stdin, capture_output=True, text=True, timeout=RUN_TIMEOUT,
        stdin=subprocess.DEVNULL if stdin is None else None,
    )  # fmt: skip
    assert "Traceback" not in done.stderr, done.stderr
    return done


def one_error(done: subprocess.CompletedProcess[str]) -> str:
    """The single ``sakari-tui: error: ...`` line a failing command prints."""
    lines = done.stderr.splitlines()
    errors = [line for line in lines if line.startswith("sakari-tui: error: ")]
    assert len(errors) == 1, done.stderr
    return errors[0].removeprefix("sakari-tui: error: ")


def json_lines(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


_given: set[str] = set()


def fresh_number(sandbox: Sandbox) -> str:
    """A valid US mobile number no contact of the sandbox has and no test used before."""
    taken = {c["mobile"]["number"] for c in sandbox.contacts()} | _given
    for line in range(100, 200):
        number = f"+1602555{line:04d}"
        if number not in taken:
            _given.add(number)
            return number
    raise AssertionError("no free number left")


def sends(sandbox: Sandbox) -> int:
    return sandbox.requests.count(MESSAGES_POST)


def outbound_to(sandbox: Sandbox, number: str) -> list[dict[str, Any]]:
    contact = next(c for c in sandbox.contacts() if c["mobile"]["number"] == number)
    return [m for m in sandbox.messages(contact_id=contact["id"]) if m["outgoing"]]


def api(base_url: str, work: Any) -> Any:
    """Run ``await work(client)`` with a client of the sandbox's account."""

    async def run() -> Any:
        async with SakariClient(
            api_url=base_url, client_id=CLIENT_ID, client_secret=CLIENT_SECRET, account_id=ACCOUNT
        ) as client:
            return await work(client)

    return asyncio.run(run())


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Lines:
    """Lines of a child's stream, read on a thread, so a test can wait for one with a timeout."""

    def __init__(self, stream: IO[str]) -> None:
        self._queue: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        self._thread = threading.Thread(target=self._pump, args=(stream,), daemon=True)
        self._thread.start()

    def _pump(self, stream: IO[str]) -> None:
        for line in stream:
            self._queue.put(line.rstrip("\n"))

    def next(self, timeout: float = 10.0) -> str:
        line = self._queue.get(timeout=timeout)
        self.seen.append(line)
        return line

    def rest(self, timeout: float = 10.0) -> list[str]:
        """Every line up to the end of the stream (call after the child has exited)."""
        self._thread.join(timeout)
        while not self._queue.empty():
            self.seen.append(self._queue.get_nowait())
        return self.seen


def start(env: dict[str, str], *args: str) -> tuple[subprocess.Popen[str], Lines, Lines]:
    process = subprocess.Popen(
        command(*args), env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert process.stdout is not None and process.stderr is not None
    return process, Lines(process.stdout), Lines(process.stderr)


def stop(process: subprocess.Popen[str], sig: int = signal.SIGTERM) -> int:
    if process.poll() is None:
        process.send_signal(sig)
    try:
        return process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        raise


# -- send ---------------------------------------------------------------------------------------


def test_send_reaches_the_sandbox_once_with_the_text_to_that_number(sandbox: Sandbox, env: dict[str, str]) -> None:
    number = fresh_number(sandbox)
    before = sends(sandbox)
    done = cli(env, "send", "--to", format_number(number), "--text", "Your order is ready")  # typed as (602) 555-01xx
    assert done.returncode == 0, done.stderr
    assert sends(sandbox) == before + 1
    [message] = outbound_to(sandbox, number)
    assert message["message"] == "Your order is ready"
    assert message["contact"]["mobile"]["number"] == number
    assert done.stdout.startswith(f"sent to {number}")
    assert message["id"] in done.stdout


def test_send_json_and_text_from_stdin(sandbox: Sandbox, env: dict[str, str]) -> None:
    number = fresh_number(sandbox)
    done = cli(env, "send", "--to", number, "--text", "-", "--json", stdin="Back at 3\n")
    assert done.returncode == 0, done.stderr
    [answer] = json_lines(done.stdout)
    [message] = outbound_to(sandbox, number)
    assert answer["messages"][0]["id"] == message["id"] and message["message"] == "Back at 3"


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("12", "too short"),
        ("+1555123456789", "too long"),
        ("call me", "not a number"),
        ("+15551234567", "not a valid number"),
    ],
)
def test_send_to_a_bad_number_is_a_usage_error_with_the_reason(
    sandbox: Sandbox, env: dict[str, str], typed: str, reason: str
) -> None:
    before = sends(sandbox)
    done = cli(env, "send", "--to", typed, "--text", "hi")
    assert done.returncode == 2
    assert one_error(done).startswith(f"--to {typed!r}: {reason}")
    assert sends(sandbox) == before


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["send", "--to", "+14155550100", "--text", "x", "--bogus"], "send: unrecognized arguments: --bogus"),
        (["send", "--text", "x"], "one of the arguments --to --conversation is required"),
        (["send", "--to", "+14155550100"], "nothing to send"),
        (["send", "--to", "+14155550100", "--text", "x", "--template", "y"], "not allowed with argument"),
        (["send", "--to", "+14155550100", "--file", "/nonexistent/photo.png"], "no such file"),
        (["nonsense"], "invalid choice: 'nonsense'"),
        (["config"], "config: the following arguments are required"),
        (["--demo", "send", "--to", "+14155550100", "--text", "x"], "--demo is for the app"),
        (["contacts", "import", "x.csv", "--merge-strategy", "all"], "invalid choice: 'all'"),
    ],
)
def test_usage_errors_exit_2_on_one_line(sandbox: Sandbox, env: dict[str, str], args: list[str], fragment: str) -> None:
    before = sends(sandbox)
    done = cli(env, *args)
    assert done.returncode == 2
    assert fragment in one_error(done)
    assert done.stderr.count("\n") == 1
    assert sends(sandbox) == before


def test_send_to_an_opted_out_contact_is_refused_and_said_so(sandbox: Sandbox, env: dict[str, str]) -> None:
    number = fresh_number(sandbox)
    sandbox.inject_inbound(number, "STOP")
    before = len(sandbox.requests)
    done = cli(env, "send", "--to", number, "--text", "Still there?")
    assert done.returncode == 1
    assert one_error(done) == f"{number}: opted out (texted STOP); not sent"
    # No look-up first: the one send, which the API refuses for this recipient.
    assert [r for r in sandbox.requests[before:] if r[1].startswith("/v1/")] == [MESSAGES_POST]
    assert outbound_to(sandbox, number) == []


def test_a_send_to_several_reaches_all_but_the_opted_out_in_one_request(sandbox: Sandbox, env: dict[str, str]) -> None:
    stopped, reachable = fresh_number(sandbox), fresh_number(sandbox)
    sandbox.inject_inbound(stopped, "STOP")
    before = len(sandbox.requests)
    done = cli(env, "send", "--to", stopped, "--to", reachable, "--text", "Your order is ready")
    assert done.returncode == 1
    assert one_error(done) == f"{stopped}: opted out (texted STOP); not sent"
    assert f"sent to {reachable}: message " in done.stdout
    assert [r for r in sandbox.requests[before:] if r[1].startswith("/v1/")] == [MESSAGES_POST]
    assert outbound_to(sandbox, stopped) == []
    [message] = outbound_to(sandbox, reachable)
    assert message["message"] == "Your order is ready"


def test_a_recipient_the_api_refuses_exits_1(sandbox: Sandbox, env: dict[str, str]) -> None:
    number = fresh_number(sandbox)
    done = cli(env, "send", "--to", number, "--text", "x" * 2000)  # over the 10-segment cap
    assert done.returncode == 1
    assert one_error(done).startswith(f"{number}: not sent: MSG-005")


def test_send_a_template_by_name_exact_match_preferred(sandbox: Sandbox, base_url: str, env: dict[str, str]) -> None:
    tag = uuid.uuid4().hex[:6]

    async def make(client: SakariClient) -> None:
        await client.templates.create(f"Promo {tag} extra", "Not this one, {{{firstName}}}")
        await client.templates.create(f"Promo {tag}", "Hi {{{firstName}}}, 10% off today")

    api(base_url, make)
    number = fresh_number(sandbox)
    done = cli(env, "send", "--to", number, "--template", f"Promo {tag}")
    assert done.returncode == 0, done.stderr
    [message] = outbound_to(sandbox, number)
    assert message["template"] == "Hi {{{firstName}}}, 10% off today"
    assert message["message"].endswith(", 10% off today")

    missing = cli(env, "send", "--to", number, "--template", f"Promo {tag} nope")
    assert missing.returncode == 2 and "no template named" in one_error(missing)


def test_send_into_a_conversation(sandbox: Sandbox, env: dict[str, str]) -> None:
    contacts = {c["id"]: c for c in sandbox.contacts()}
    conversation = next(
        c for c in sandbox.conversations() if not c["closed"] and "blocked" not in contacts[c["contact"]["id"]]
    )
    before = sends(sandbox)
    done = cli(env, "send", "--conversation", conversation["id"], "--text", "On our way")
    assert done.returncode == 0, done.stderr
    assert sends(sandbox) == before + 1
    newest = sandbox.messages(conversation_id=conversation["id"])[0]
    assert newest["outgoing"] and newest["message"] == "On our way"

    unknown = cli(env, "send", "--conversation", "no-such-conversation", "--text", "x")
    assert unknown.returncode == 1 and one_error(unknown)


def test_send_a_file_as_mms(sandbox: Sandbox, env: dict[str, str], tmp_path: Path) -> None:
    picture = tmp_path / "map.png"
    picture.write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(64))
    number = fresh_number(sandbox)
    done = cli(env, "send", "--to", number, "--text", "Here is the map", "--file", str(picture))
    assert done.returncode == 0, done.stderr
    [message] = outbound_to(sandbox, number)
    assert message["type"] == "MMS" and message["message"] == "Here is the map"
    [media] = message["media"]
    assert media["filename"] == "map.png"
    stored = [f for f in list(sandbox.store.files.values()) if f.data == picture.read_bytes()]
    assert len(stored) == 1
    assert httpx.get(media["url"]).content == picture.read_bytes()


# -- errors from the API and the network ----------------------------------------------------


def test_wrong_secret_exits_1_without_printing_it(env: dict[str, str]) -> None:
    env = {**env, "SAKARI_CLIENT_SECRET": "wrong-secret-hunter2"}
    for args in (["conversations"], ["send", "--to", "+14155550100", "--text", "x"], ["config", "check"]):
        done = cli(env, *args)
        assert done.returncode == 1, (args, done.stderr)
        assert "AUTH" in one_error(done)
        assert "hunter2" not in done.stdout + done.stderr


def test_no_server_is_a_network_error(env: dict[str, str]) -> None:
    env = {**env, "SAKARI_API_URL": f"http://127.0.0.1:{free_port()}"}
    done = cli(env, "contacts")
    assert done.returncode == 1
    assert one_error(done).startswith("Could not connect to 127.0.0.1")


def test_a_server_that_is_not_sakari_is_a_bad_response(env: dict[str, str]) -> None:
    class Html(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(b"<html>captive portal</html>")

        do_GET = do_POST

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Html)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        done = cli({**env, "SAKARI_API_URL": f"http://127.0.0.1:{server.server_port}"}, "conversations")
    finally:
        server.shutdown()
    assert done.returncode == 1
    assert one_error(done).startswith("Unexpected response (HTTP 200): expected JSON")


def test_malformed_config_exits_2_for_every_command(home: dict[str, str], tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text("[profiles.a\nclient_id = 1\n")
    for args in (["send", "--to", "+14155550100", "--text", "x"], ["conversations"], ["config", "show"],
                 ["config", "check"], ["serve"], ["webhooks", "list"]):  # fmt: skip
        done = cli(home, *args, "--config", str(path))
        assert done.returncode == 2, args
        assert one_error(done).startswith(f"{path}, line 1: not valid TOML")


def test_an_incomplete_profile_is_a_config_error(home: dict[str, str]) -> None:
    done = cli(home, "conversations")
    assert done.returncode == 2
    assert "profile 'default' is incomplete" in one_error(done)


# -- conversations ---------------------------------------------------------------------------


def test_conversations_json_lines_match_the_sandbox(sandbox: Sandbox, env: dict[str, str]) -> None:
    done = cli(env, "conversations", "--json", "--limit", "0")
    assert done.returncode == 0, done.stderr
    listed = json_lines(done.stdout)
    expected = sandbox.conversations()
    assert [c["id"] for c in listed] == [c["id"] for c in expected]
    assert [c.get("unread", []) for c in listed] == [c["unread"] for c in expected]
    assert listed[0]["contact"]["mobile"] == expected[0]["contact"]["mobile"]

    first_two = json_lines(cli(env, "conversations", "--json", "--limit", "2").stdout)
    assert [c["id"] for c in first_two] == [c["id"] for c in expected[:2]]


def test_unread_follows_the_local_read_markers(sandbox: Sandbox, env: dict[str, str], tmp_path: Path) -> None:
    conversations = sandbox.conversations()
    unread = [c for c in conversations if c["unread"]]
    read_ones = [c for c in conversations if not c["unread"]]
    assert len(unread) >= 2 and read_ones
    seen, marked = unread[0], read_ones[0]
    store = Store.for_profile(tmp_path / "data" / "sakari-tui", "default")
    store.mark_read(seen["id"], seen["unread"])
    store.mark_unread(marked["id"])
    store.close()

    done = cli(env, "conversations", "--unread", "--json", "--limit", "0")
    assert done.returncode == 0, done.stderr
    ids = [c["id"] for c in json_lines(done.stdout)]
    expected = [c["id"] for c in conversations if (c["unread"] and c is not seen) or c is marked]
    assert ids == expected

    table = cli(env, "conversations", "--unread", "--limit", "0")
    assert table.returncode == 0
    header, *rows = table.stdout.splitlines()
    assert header.split()[:4] == ["ID", "NAME", "NUMBER", "UNREAD"]
    assert [row.split()[0] for row in rows] == expected


# -- contacts ---------------------------------------------------------------------------------


def test_contacts_import_reports_rows_and_search_finds_them(
    sandbox: Sandbox, env: dict[str, str], tmp_path: Path
) -> None:
    surname = f"Quokka{uuid.uuid4().hex[:6]}"
    good1, good2 = fresh_number(sandbox), fresh_number(sandbox)
    csv_file = tmp_path / "people.csv"
    csv_file.write_text(
        "firstName,lastName,mobile,email,tags\n"
        f"Ann,{surname},{format_number(good1)},ann@example.com,vip\n"
        f"Bob,{surname},12,bob@example.com,\n"
        f"Cid,{surname},{good2},,vip;trial\n"
    )
    done = cli(env, "contacts", "import", str(csv_file))
    assert done.returncode == 1  # a row was refused
    assert done.stdout.strip() == "submitted 3, inserted 2, updated 0, refused 1"
    reason = one_error(done)
    assert reason.startswith(f"{csv_file}, line 3 (Bob {surname}, 12): CONT-")

    found = cli(env, "contacts", "--last-name", surname, "--json")
    assert found.returncode == 0
    listed = json_lines(found.stdout)
    assert sorted(c["mobile"]["number"] for c in listed) == sorted([good1, good2])
    in_sandbox = {c["id"]: c for c in sandbox.contacts()}
    assert all(in_sandbox[c["id"]]["lastName"] == surname for c in listed)

    tagged = json_lines(cli(env, "contacts", "--last-name", surname, "--tags", "trial", "--json").stdout)
    assert [c["firstName"] for c in tagged] == ["Cid"]
    table = cli(env, "contacts", "--last-name", surname, "--first-name", "ann")
    assert table.returncode == 0 and format_number(good1) in table.stdout and "Cid" not in table.stdout

    again = cli(env, "contacts", "import", str(csv_file), "--merge-strategy", "core")
    assert again.stdout.strip() == "submitted 3, inserted 0, updated 2, refused 1"


def test_contacts_import_of_a_missing_file_is_a_usage_error(env: dict[str, str], tmp_path: Path) -> None:
    done = cli(env, "contacts", "import", str(tmp_path / "none.csv"))
    assert done.returncode == 2 and "No such file" in one_error(done)


def uploads(sandbox: Sandbox) -> int:
    return sandbox.requests.count(("POST", CONTACTS_PATH))


def column_table(text: str) -> list[tuple[str, str]]:
    """``--dry-run``'s table as (column, target) pairs."""
    header, *rows = text.splitlines()
    assert header.split() == ["#", "COLUMN", "GOES", "TO"]
    return [(cells[1], cells[2]) for cells in (line.split("  ") for line in rows) for cells in
            [[c.strip() for c in cells if c.strip()]]]  # fmt: skip


def test_contacts_import_sends_each_column_where_the_options_say(
    sandbox: Sandbox, env: dict[str, str], tmp_path: Path
) -> None:
    surname = f"Wombat{uuid.uuid4().hex[:6]}"
    lin, mo = fresh_number(sandbox), fresh_number(sandbox)
    csv_file = tmp_path / "export.csv"
    csv_file.write_text(
        "Cell,Given name,Surname,Internal id,Team,Notes,Interests\n"
        f'{lin},Lin,{surname},X-1,bakers,"likes rye,\nand spelt",rye;sourdough\n'  # a cell over two lines
        f"12,Bad,{surname},X-2,,,\n"
        f"{mo},Mo,{surname},X-3,,,\n"
    )
    options = ["--column", "Cell=mobile", "--column", "Given name=first name", "--column", "team=tags",
               "--column", "Interests=tags", "--ignore", "Internal id"]  # fmt: skip
    before = uploads(sandbox)

    dry = cli(env, "contacts", "import", str(csv_file), *options, "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert column_table(dry.stdout) == [
        ("Cell", "mobile"), ("Given name", "firstName"), ("Surname", "lastName"), ("Internal id", "ignore"),
        ("Team", "tags"), ("Notes", "attribute"), ("Interests", "tags"),
    ]  # fmt: skip
    assert "3 rows to import; nothing sent" in dry.stderr
    assert uploads(sandbox) == before

    done = cli(env, "contacts", "import", str(csv_file), *options)
    assert done.returncode == 1  # a row was refused
    assert done.stdout.strip() == "submitted 3, inserted 2, updated 0, refused 1"
    assert one_error(done).startswith(f"{csv_file}, line 4 (Bad {surname}, 12): CONT-")  # the file's line
    assert uploads(sandbox) == before + 1
    stored = {c["mobile"]["number"]: c for c in sandbox.contacts() if c.get("lastName") == surname}
    assert sorted(stored) == sorted([lin, mo])
    assert stored[lin]["firstName"] == "Lin" and stored[mo]["firstName"] == "Mo"
    assert sorted(t["tag"] for t in stored[lin]["tags"]) == ["bakers", "rye", "sourdough"]
    # Only Notes is an attribute: the ignored column and the mapped ones are not stored as attributes.
    assert stored[lin]["attributes"] == {"Notes": "likes rye,\nand spelt"}
    assert not stored[mo].get("attributes") and not stored[mo].get("tags")


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (["--column", "Cell=mobile", "--column", "Work email=email"],  # Phone and Email are guessed
         ["“Cell” and “Phone” both go to mobile", "“Email” and “Work email” both go to email"]),
        (["--ignore", "Phone"], ["No column goes to mobile"]),
        (["--column", "Mobile=mobile"],
         ["has no column “Mobile”; its columns are “Cell”, “Phone”, “Given name”, “Email”, “Work email”"]),
        (["--column", "Cell=cellphone"], ["--column Cell=cellphone: no target “cellphone”; choose mobile, firstName"]),
        (["--column", "Cell"], ["--column Cell: give HEADER=TARGET"]),
        (["--column", "Phone=mobile", "--ignore", "phone"], ["--ignore phone: column “Phone” already goes to mobile"]),
    ],
)  # fmt: skip
def test_contacts_import_with_a_bad_mapping_exits_2_and_sends_nothing(
    sandbox: Sandbox, env: dict[str, str], tmp_path: Path, options: list[str], expected: list[str]
) -> None:
    csv_file = tmp_path / "export.csv"
    csv_file.write_text(f"Cell,Phone,Given name,Email,Work email\n{fresh_number(sandbox)},,Ann,a@example.com,\n")
    requests, contacts = len(sandbox.requests), len(sandbox.contacts())
    done = cli(env, "contacts", "import", str(csv_file), *options)
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == len(expected), done.stderr  # one line per problem
    for line, fragment in zip(lines, expected, strict=True):
        assert line.startswith("sakari-tui: error: ") and fragment in line
    assert len(sandbox.requests) == requests  # not even a token was asked for
    assert len(sandbox.contacts()) == contacts


def test_contacts_import_goes_in_chunks_and_a_chunk_that_keeps_failing_stops_it(
    sandbox: Sandbox, env: dict[str, str], base_url: str, tmp_path: Path
) -> None:
    # A proxy to the sandbox that answers the contacts uploads in turn as scripted.
    script: list[int | None] = [None, 503, 400]  # None: passed on to the sandbox
    seen: list[int | None] = []

    class Proxy(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            status = script.pop(0) if self.path.startswith(CONTACTS_PATH) and script else None
            if self.path.startswith(CONTACTS_PATH):
                seen.append(status)
            if status is not None:
                error = {"success": False, "error": {"code": "TEST-001", "message": f"scripted {status}"}}
                self.answer(status, "application/json", json.dumps(error).encode())
                return
            headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
            passed = httpx.request(self.command, base_url + self.path, headers=headers, content=body, timeout=20)
            self.answer(passed.status_code, passed.headers.get("Content-Type", ""), passed.content)

        do_GET = do_POST

        def answer(self, status: int, content_type: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    surname = f"Numbat{uuid.uuid4().hex[:6]}"
    taken = {c["mobile"]["number"] for c in sandbox.contacts()}
    numbers = [f"+1480555{2000 + i:04d}" for i in range(1001)]  # one more than a chunk holds
    assert not taken & set(numbers)
    csv_file = tmp_path / "many.csv"
    csv_file.write_text("Cell,Given name,Surname\n" + "".join(f"{n},P{i},{surname}\n" for i, n in enumerate(numbers)))
    options = ["--column", "Cell=mobile", "--column", "Given name=firstName"]

    server = ThreadingHTTPServer(("127.0.0.1", 0), Proxy)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        done = cli({**env, "SAKARI_API_URL": f"http://127.0.0.1:{server.server_port}"},
                   "contacts", "import", str(csv_file), *options)  # fmt: skip
    finally:
        server.shutdown()
    assert seen == [None, 503, 400]  # the first chunk went in; the second was tried again once, then refused
    assert done.returncode == 1
    assert done.stdout.strip() == "submitted 1000, inserted 1000, updated 0, refused 0"
    assert one_error(done) == (
        f"{csv_file}: stopped at line 1002: TEST-001: scripted 400; the 1000 rows before it "
        "are imported, and importing the file again is safe: rows merge by mobile number"
    )
    assert sum(c.get("lastName") == surname for c in sandbox.contacts()) == 1000

    before = uploads(sandbox)
    again = cli(env, "contacts", "import", str(csv_file), *options)
    assert again.returncode == 0, again.stderr
    assert again.stdout.strip() == "submitted 1001, inserted 1, updated 1000, refused 0"  # the two chunks' answers
    assert uploads(sandbox) == before + 2
    assert sum(c.get("lastName") == surname for c in sandbox.contacts()) == 1001


# -- config ------------------------------------------------------------------------------------


def test_config_init_show_check(home: dict[str, str], base_url: str, tmp_path: Path) -> None:
    answers = f"work\n{base_url}\n{CLIENT_ID}\n{CLIENT_SECRET}\n{ACCOUNT}\ngb\n"
    done = cli(home, "config", "init", stdin=answers)
    assert done.returncode == 0, done.stderr
    path = tmp_path / "config" / "sakari-tui" / "config.toml"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    text = path.read_text()
    assert 'default_profile = "work"' in text and 'default_region = "GB"' in text
    assert CLIENT_SECRET not in done.stdout + done.stderr

    shown = cli(home, "config", "show")
    assert shown.returncode == 0
    assert "********" in shown.stdout and CLIENT_SECRET not in shown.stdout + shown.stderr
    assert "work" in shown.stdout and base_url in shown.stdout

    checked = cli(home, "config", "check")
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout.startswith("OK: profile 'work'")

    refused = cli(home, "config", "init", stdin=answers)
    assert refused.returncode == 2 and "--force" in one_error(refused)
    assert path.read_text() == text

    # A second profile whose secret comes from a command: shown as the command, never its output.
    secret_file = tmp_path / "secret.txt"
    secret_file.write_text(CLIENT_SECRET)
    more = f"cmd\n{base_url}\n{CLIENT_ID}\n\ncat {secret_file}\n{ACCOUNT}\n\n"
    assert cli(home, "config", "init", "--force", stdin=more).returncode == 0
    assert 'default_profile = "work"' in path.read_text()
    shown = cli(home, "config", "show", "--profile", "cmd")
    assert f"cat {secret_file}" in shown.stdout and CLIENT_SECRET not in shown.stdout
    assert cli(home, "--profile", "cmd", "config", "check").returncode == 0

    ended = cli(home, "config", "init", "--force", stdin="half\n")
    assert ended.returncode == 2 and "input ended" in one_error(ended)


def test_config_check_failing(home: dict[str, str], base_url: str, tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text(
        f'[profiles.a]\napi_url = "{base_url}"\nclient_id = "{CLIENT_ID}"\nclient_secret = "nope-nope"\n'
        f'account_id = "{ACCOUNT}"\n'
        f'[profiles.b]\napi_url = "{base_url}"\nclient_id = "{CLIENT_ID}"\n'
        f'client_secret_command = "{sys.executable} -c \\"print(1); raise SystemExit(4)\\""\naccount_id = "{ACCOUNT}"\n'
    )
    path.chmod(0o600)
    wrong = cli(home, "config", "check", "--config", str(path), "--profile", "a")
    assert wrong.returncode == 1
    assert one_error(wrong).startswith(f"profile 'a' at {base_url}: AUTH-")
    assert "nope-nope" not in wrong.stderr

    command_fails = cli(home, "config", "check", "--config", str(path), "--profile", "b")
    assert command_fails.returncode == 2
    assert "client_secret_command exited 4" in one_error(command_fails)

    unknown = cli(home, "config", "check", "--config", str(path), "--profile", "zzz")
    assert unknown.returncode == 2 and "no profile 'zzz'" in one_error(unknown)


# -- webhooks ----------------------------------------------------------------------------------


def wait_for_port(port: int, process: subprocess.Popen[str], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, "the command exited early"
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise AssertionError(f"nothing listens on {port}")


def listening_url(err: Lines) -> str:
    """The URL a ``webhooks listen --port 0`` says it listens on (its first line on stderr)."""
    line = err.next(timeout=20)
    match = re.fullmatch(r"listening for webhook events on (http://127\.0\.0\.1:(\d+)/) \(Ctrl\+C to stop\)", line)
    assert match, line
    return match.group(1)


def test_webhooks_listen_prints_each_event(home: dict[str, str]) -> None:
    # --port 0: the system picks a free port, so tests running side by side never collide.
    process, out, err = start(home, "webhooks", "listen", "--port", "0")
    try:
        url = listening_url(err)
        port = int(url.rsplit(":", 1)[1].rstrip("/"))
        wait_for_port(port, process)
        event = {
            "eventId": "e1", "accountId": ACCOUNT, "type": "message-received",
            "data": {"id": "m1", "message": "Is the \x1b[31mbread ready?", "outgoing": False,
                     "contact": {"firstName": "Ann", "lastName": "Lee", "mobile": {"number": "+14155550111"}}},
        }  # fmt: skip
        answer = httpx.post(f"http://127.0.0.1:{port}/hooks/sakari", json=event)
        assert answer.status_code == 200
        line = out.next()
        date, clock, kind, summary = line.split(maxsplit=3)
        assert time.strptime(f"{date} {clock}", "%Y-%m-%d %H:%M:%S")
        assert kind == "message-received"
        assert summary == "from +14155550111 (Ann Lee): Is the bread ready?"  # escape sequence gone

        assert httpx.post(f"http://127.0.0.1:{port}/", content=b"not json").status_code == 400
    finally:
        code = stop(process, signal.SIGINT)
    assert code == 130
    stderr = "\n".join(err.rest())
    assert "not a JSON event" in stderr
    assert "Traceback" not in stderr


def test_webhooks_listen_subscribed_to_the_sandbox_shows_live_events(sandbox: Sandbox, env: dict[str, str]) -> None:
    process, out, err = start(
        env, "webhooks", "listen", "--port", "0", "--json", "--subscribe", "--events", "message-received"
    )
    try:
        url = listening_url(err)
        assert [w["url"] for w in sandbox.webhooks()] == [url]
        number = fresh_number(sandbox)
        sandbox.inject_inbound(number, "Do you have rye today?")
        event = json.loads(out.next(timeout=10))
        assert event["type"] == "message-received" and event["accountId"] == ACCOUNT
        assert event["data"]["message"] == "Do you have rye today?"
        assert event["data"]["contact"]["mobile"]["number"] == number
    finally:
        stop(process, signal.SIGTERM)
    assert sandbox.webhooks() == []  # unsubscribed on the way out
    stderr = "\n".join(err.rest())
    assert f"unsubscribed {url}" in stderr and "Traceback" not in stderr


def test_webhooks_subscribe_list_unsubscribe(sandbox: Sandbox, env: dict[str, str]) -> None:
    url = "https://hooks.example.test/sakari"
    done = cli(env, "webhooks", "subscribe", url, "--events", "message-received,contact-opt-out")
    assert done.returncode == 0, done.stderr
    [hook] = [w for w in sandbox.webhooks() if w["url"] == url]
    assert hook["eventTypes"] == ["message-received", "contact-opt-out"]
    listed = json_lines(cli(env, "webhooks", "list", "--json").stdout)
    assert [w["url"] for w in listed] == [url]
    assert cli(env, "webhooks", "unsubscribe", url).returncode == 0
    assert sandbox.webhooks() == []
    bad = cli(env, "webhooks", "subscribe", url, "--events", "message-teleported")
    assert bad.returncode == 2 and "unknown event type" in one_error(bad)


# -- serve -------------------------------------------------------------------------------------


def test_serve_answers_the_index_page_and_warns_off_localhost(home: dict[str, str]) -> None:
    port = free_port()
    process, _out, err = start(home, "serve", "--demo", "--host", "0.0.0.0", "--port", str(port))
    try:
        warning = err.next(timeout=20)
        assert warning.startswith("sakari-tui: warning: serving on 0.0.0.0: anyone who can reach")
        wait_for_port(port, process)
        deadline = time.monotonic() + 20
        while True:
            try:
                page = httpx.get(f"http://127.0.0.1:{port}/", timeout=5)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline
                time.sleep(0.1)
        assert page.status_code == 200
        assert "/ws" in page.text
    finally:
        stop(process)
    assert "Traceback" not in "\n".join(err.rest())


def test_serve_argument_errors(home: dict[str, str]) -> None:
    for args, fragment in [
        (["serve", "--port", "99999"], "not between 0 and 65535"),
        (["serve", "--port", "0"], "--port 0"),
        (["serve", "--demo", "--public-url", "ftp://x"], "must start with http"),
    ]:
        done = cli(home, *args)
        assert done.returncode == 2, args
        assert fragment in one_error(done)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        done = cli(home, "serve", "--demo", "--port", str(busy.getsockname()[1]))
    assert done.returncode == 2 and "cannot listen on 127.0.0.1" in one_error(done)


# -- the command line itself -------------------------------------------------------------------


def wait_until_reading_stdin(process: subprocess.Popen[str], timeout: float = 60.0) -> None:
    """Wait until ``process`` is blocked reading its standard input (Linux: the syscall it is in,
    read = 0 on fd 0), so a signal is sent to the command and not to an interpreter still
    importing. Elsewhere, wait a fixed second."""
    syscall = Path(f"/proc/{process.pid}/syscall")
    if not syscall.parent.exists():
        time.sleep(1.0)
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if syscall.read_text().split()[:2] == ["0", "0x0"]:
                return
        except (OSError, IndexError):
            pass  # not readable yet, or the process is running (no syscall to show)
        time.sleep(0.05)
    raise AssertionError("the command never blocked on standard input")


def test_ctrl_c_exits_130_quietly(env: dict[str, str]) -> None:
    # Waiting for the message on stdin, then interrupted.
    # SIGINT back to its default in the child: a test run started in the background inherits it
    # ignored, and Python then installs no KeyboardInterrupt handler (a shell's foreground
    # command always has it).
    process = subprocess.Popen(
        command("send", "--to", "+14155550100", "--text", "-"),
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    wait_until_reading_stdin(process)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=RUN_TIMEOUT)
    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr


def test_one_shot_commands_do_not_import_textual(env: dict[str, str]) -> None:
    probe = (
        "import sys\n"
        "from sakari_tui.cli import main\n"
        "code = main(sys.argv[1:])\n"
        "assert 'textual' not in sys.modules, 'textual imported'\n"
        "raise SystemExit(code)\n"
    )
    for args in (["--help"], ["conversations", "--json", "--limit", "1"], ["config", "show"]):
        done = subprocess.run([sys.executable, "-c", probe, *args], env=env, capture_output=True, text=True,
                              timeout=RUN_TIMEOUT, stdin=subprocess.DEVNULL)  # fmt: skip
        assert done.returncode == 0, (args, done.stderr)
    help_text = cli(env, "--help").stdout
    for name in ("send", "conversations", "contacts", "webhooks", "config", "serve", "sandbox"):
        assert f"    {name}" in help_text


@pytest.mark.parametrize(
    "argv",
    [[], ["--demo"], ["--config", "c.toml"], ["--config=c.toml", "--profile", "work"], ["--profile=work", "--demo"]],
)
def test_starting_the_app_reads_its_options_without_the_commands(argv: list[str]) -> None:
    from sakari_tui import cli as sakari_cli

    assert sakari_cli._only_app_options(argv)
    light = sakari_cli._app_parser(with_commands=False).parse_args(argv)
    full = sakari_cli._app_parser().parse_args(argv)
    assert vars(light) == vars(full)


@pytest.mark.parametrize(
    "argv", [["--help"], ["-h"], ["--version"], ["--config"], ["send", "--to", "x"], ["--demo", "serve"], ["--bogus"]]
)
def test_anything_else_goes_to_the_full_parser(argv: list[str]) -> None:
    from sakari_tui import cli as sakari_cli

    assert not sakari_cli._only_app_options(argv)


def test_conversations_at_80_columns_take_two_lines_each_and_fit(sandbox: Sandbox, env: dict[str, str]) -> None:
    done = cli({**env, "COLUMNS": "80"}, "conversations", "--limit", "3")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert all(len(line) <= 80 for line in lines), [len(line) for line in lines]
    assert lines[0].split()[:2] == ["ID", "NAME"]
    expected = sandbox.conversations()[:3]
    rows = lines[2:]
    assert [row.split()[0] for row in rows[::2]] == [c["id"] for c in expected]
    # The message has the room of a line, not the ten characters left beside the columns.
    first = expected[0]["lastMessage"]["message"]
    assert first[:40] in rows[1] or first in rows[1], rows[1]


def test_config_init_with_config_names_it_in_the_hint(home: dict[str, str], base_url: str, tmp_path: Path) -> None:
    path = tmp_path / "elsewhere" / "my config.toml"
    answers = f"work\n{base_url}\n{CLIENT_ID}\n{CLIENT_SECRET}\n{ACCOUNT}\nus\n"
    done = cli(home, "config", "init", "--config", str(path), stdin=answers)
    assert done.returncode == 0, done.stderr
    hint = done.stdout.strip().splitlines()[-1].split("test it with: ", 1)[1]
    assert hint == f"sakari-tui config check --config '{path}'"
    # The hint works as printed.
    checked = cli(home, *shlex.split(hint)[1:])
    assert checked.returncode == 0, checked.stderr
