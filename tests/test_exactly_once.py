"""Exactly once, under the sandbox's faults: every reply on the server once, counted there.

- the outbox, in-process: a burst of 100 under drops and 5xx, placeholders the server fills
  in, a busy account (inbound traffic between the send and the check), an answer with
  counters only, a token request that fails during a send;
- ``sakari-tui send`` as a subprocess against the sandbox over HTTP: drops and 5xx with a
  retrying wrapper, a 5xx after storing, a 429, a check that cannot be made (exit 3), a
  token request that fails during the send (exit 1, never "may have been sent");
- the outbox in a real process killed with SIGKILL mid-burst and started again;
- replies typed fast in the composer, through Pilot.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from conftest import make_app, wait_for

from sakari_tui.api import NetworkError, RetryPolicy, SakariClient
from sakari_tui.core.outbox import Outbox
from sakari_tui.core.store import OutboxState, Store
from sakari_tui.demo import demo_sandbox
from sakari_tui.sandbox import Sandbox
from sakari_tui.sandbox.faults import DroppedConnection
from sakari_tui.sandbox.server import run_in_thread
from sakari_tui.textual_private import feed_from_terminal

ACCOUNT = "demo-account"
MESSAGES = f"/v1/accounts/{ACCOUNT}/messages"
FAST_RETRY = RetryPolicy(max_attempts=4, base_delay=0.001, max_delay=0.01, max_total=1.0)
HERE = Path(__file__).resolve().parent


def sandbox_with(seed: int = 7, **config: Any) -> Sandbox:
    config.setdefault("contacts", 12)
    config.setdefault("conversations", 6)
    return demo_sandbox(seed=seed, live=False, status_step=0.05, error_share=0.0,
                        base_time=1_795_000_000.0, **config)  # fmt: skip


def outgoing_texts(sandbox: Sandbox, **where: str) -> Counter[str]:
    return Counter(m["message"] for m in sandbox.messages(**where) if m["outgoing"])


def posts(sandbox: Sandbox) -> int:
    return sandbox.requests.count(("POST", MESSAGES))


class Clock:
    """The outbox's clock for back-offs; the test moves it past them."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


async def settle(outbox: Outbox, clock: Clock, passes: int = 300) -> None:
    for _ in range(passes):
        if not outbox.waiting() and not [i for i in outbox.store.outbox_items(OutboxState.SENT) if not i.message_id]:
            return
        await outbox.flush()
        clock.now += 100  # past any back-off
    raise AssertionError(f"the outbox did not settle: {outbox.waiting()}")


@pytest.fixture
def sandbox() -> Sandbox:
    return sandbox_with()


@pytest.fixture
async def client(sandbox: Sandbox) -> AsyncIterator[SakariClient]:
    async with SakariClient(client_id="demo-client", client_secret="demo-secret", account_id=ACCOUNT,
                            api_url="http://sandbox.invalid", transport=httpx.ASGITransport(app=sandbox.app),
                            retry=FAST_RETRY) as client:  # fmt: skip
        yield client


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def outbox(client: SakariClient, clock: Clock) -> Outbox:
    return Outbox(Store(":memory:"), client, clock=clock)


def assert_each_item_has_its_own_copy(outbox: Outbox, sandbox: Sandbox) -> None:
    on_server = {m["id"]: m for m in sandbox.messages()}
    sent = outbox.store.outbox_items(OutboxState.SENT)
    ids = [item.message_id for item in sent]
    assert None not in ids and len(set(ids)) == len(ids), "each reply matched to a message of its own"
    for item in sent:
        assert item.message_id in on_server


# -- the outbox, in-process ---------------------------------------------------------------------


@pytest.mark.parametrize("seed", [7, 11])
async def test_a_burst_of_100_under_drops_and_5xx_lands_once_each(seed: int, clock: Clock) -> None:
    sandbox = sandbox_with(seed)
    async with SakariClient(client_id="demo-client", client_secret="demo-secret", account_id=ACCOUNT,
                            api_url="http://sandbox.invalid", transport=httpx.ASGITransport(app=sandbox.app),
                            retry=FAST_RETRY) as client:  # fmt: skip
        outbox = Outbox(Store(":memory:"), client, clock=clock)
        conversation_id = sandbox.conversations()[0]["id"]
        before = outgoing_texts(sandbox, conversation_id=conversation_id)
        # Written while offline; one in ten is the same "ok", sent on purpose each time.
        texts = ["ok" if i % 10 == 0 else f"reply {i}" for i in range(100)]
        for text in texts:
            outbox.enqueue(text, conversation_id=conversation_id)
        sandbox.faults.rate_drop, sandbox.faults.rate_5xx = 0.3, 0.2
        await settle(outbox, clock)
        sandbox.faults.rate_drop = sandbox.faults.rate_5xx = 0.0

        added = outgoing_texts(sandbox, conversation_id=conversation_id) - before
        assert added == Counter(texts)
        assert posts(sandbox) > 100, "the faults did strike"
        assert_each_item_has_its_own_copy(outbox, sandbox)


async def test_placeholders_are_matched_as_the_server_filled_them(
    outbox: Outbox, sandbox: Sandbox, clock: Clock
) -> None:
    conversation = next(c for c in sandbox.conversations() if c["contact"].get("firstName"))
    first_name = conversation["contact"]["firstName"]
    before = outgoing_texts(sandbox, conversation_id=conversation["id"])
    for i in range(20):
        outbox.enqueue(
            f"Hi {{{{firstName}}}}, order {i} is ready{{{{ unknownField }}}}", conversation_id=conversation["id"]
        )
    sandbox.faults.rate_drop = 0.3
    await settle(outbox, clock)
    sandbox.faults.rate_drop = 0.0

    added = outgoing_texts(sandbox, conversation_id=conversation["id"]) - before
    assert added == Counter(f"Hi {first_name}, order {i} is ready" for i in range(20))
    assert_each_item_has_its_own_copy(outbox, sandbox)


async def test_a_busy_account_pushes_the_copy_back_and_it_is_still_found(
    outbox: Outbox, sandbox: Sandbox, clock: Clock
) -> None:
    conversation = sandbox.conversations()[0]
    customer = conversation["contact"]["mobile"]["number"]
    new_number = "+16025550177"
    sandbox.faults.rate_drop = 1.0  # stored, then the connection dropped
    reply = outbox.enqueue("Checking on it now", conversation_id=conversation["id"])
    first = outbox.enqueue("Welcome aboard", mobile=new_number)
    await outbox.flush()
    sandbox.faults.rate_drop = 0.0
    assert outbox.store.outbox_get(reply.id).state is OutboxState.UNKNOWN
    assert outbox.store.outbox_get(first.id).state is OutboxState.UNKNOWN
    # Before the check: 150 texts from the same customer, 150 from the new number, 300 elsewhere.
    others = [c["contact"]["mobile"]["number"] for c in sandbox.conversations()[1:]]
    for i in range(150):
        sandbox.inject_inbound(customer, f"and another thing {i}")
        sandbox.inject_inbound(new_number, f"hello? {i}")
        sandbox.inject_inbound(others[i % len(others)], f"elsewhere {i}")
        sandbox.inject_inbound(others[(i + 1) % len(others)], f"elsewhere too {i}")
    sent_before = posts(sandbox)

    await settle(outbox, clock)
    assert posts(sandbox) == sent_before, "found, not sent again"
    assert outgoing_texts(sandbox, conversation_id=conversation["id"])["Checking on it now"] == 1
    contact = next(c for c in sandbox.contacts() if c["mobile"]["number"] == new_number)
    assert outgoing_texts(sandbox, contact_id=contact["id"]) == Counter({"Welcome aboard": 1})
    assert_each_item_has_its_own_copy(outbox, sandbox)


async def test_an_answer_with_counters_only_is_sent_and_its_id_found(
    outbox: Outbox, sandbox: Sandbox, clock: Clock, client: SakariClient
) -> None:
    conversation_id = sandbox.conversations()[0]["id"]
    sandbox.faults.send_counters_only = True
    answer = await client.messages.send("just counters", conversations=[conversation_id])
    assert answer.messages == () and (answer.requested, answer.valid, answer.invalid) == (1, 1, ())
    first = outbox.enqueue("see you", conversation_id=conversation_id)
    await outbox.flush()
    item = outbox.store.outbox_get(first.id)
    assert item.state is OutboxState.SENT and item.error is None
    [copy] = [m for m in sandbox.messages(conversation_id) if m["outgoing"] and m["message"] == "see you"]
    assert item.message_id == copy["id"]

    # The same words again, on purpose: one dropped after storing, one answered with counters.
    sandbox.faults.rate_drop = 1.0
    second = outbox.enqueue("see you", conversation_id=conversation_id)
    await outbox.flush()
    sandbox.faults.rate_drop = 0.0
    third = outbox.enqueue("see you", conversation_id=conversation_id)
    await settle(outbox, clock)
    assert outgoing_texts(sandbox, conversation_id=conversation_id)["see you"] == 3
    ids = {outbox.store.outbox_get(i.id).message_id for i in (first, second, third)}
    assert len(ids) == 3 and None not in ids


async def test_a_token_request_that_fails_during_a_send_leaves_it_pending(
    outbox: Outbox, sandbox: Sandbox, client: SakariClient
) -> None:
    conversation_id = sandbox.conversations()[0]["id"]
    sandbox.faults.token_endpoint, sandbox.faults.rate_drop = True, 1.0  # the token answer is lost
    with pytest.raises(NetworkError) as caught:
        await client.messages.send("direct", conversations=[conversation_id])
    assert caught.value.while_authenticating and not caught.value.may_have_been_sent

    item = outbox.enqueue("after the token", conversation_id=conversation_id)
    await outbox.flush()
    item = outbox.store.outbox_get(item.id)
    assert item.state is OutboxState.PENDING and item.not_before > 0
    assert posts(sandbox) == 0
    sandbox.faults.token_endpoint, sandbox.faults.rate_drop = False, 0.0
    item = outbox.retry(item.id)
    await outbox.flush()
    assert outbox.store.outbox_get(item.id).state is OutboxState.SENT
    assert outgoing_texts(sandbox, conversation_id=conversation_id)["after the token"] == 1


# -- sakari-tui send, as a subprocess over HTTP -------------------------------------------------


class Scripted:
    """The sandbox behind scripted outcomes for the sends (POST .../messages), the lookups
    (GET .../messages) and the token requests, each taken in turn; "ok" once a list is empty.

    send: "ok", "503" (before storing), "503-after" (stored, then 503), "429" (Retry-After
    1, nothing stored), "drop" (stored, then the connection cut), "401" (nothing stored).
    lookups / tokens: "ok" or "503" / "drop".
    """

    def __init__(self, app: Any) -> None:
        self.app = app
        self.send: list[str] = []
        self.lookups: list[str] = []
        self.tokens: list[str] = []
        self.sends_seen = 0  # POSTs of messages that reached this layer, answered or not

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method, path = scope["method"], scope["path"]
        if path == MESSAGES:
            script = self.send if method == "POST" else self.lookups
            self.sends_seen += method == "POST"
        elif path.endswith("/oauth2/token"):
            script = self.tokens
        else:
            script = []
        outcome = script.pop(0) if script else "ok"
        if outcome in ("503", "429", "401"):
            await answer(send, int(outcome))
        elif outcome == "503-after":
            await self.app(scope, receive, discard)
            await answer(send, 503)
        elif outcome == "drop":
            await self.app(scope, receive, discard)
            await send({"type": "http.response.start", "status": 200, "headers": []})
            raise DroppedConnection()
        else:
            await self.app(scope, receive, send)


async def discard(message: Any) -> None:
    pass


async def answer(send: Any, status: int) -> None:
    body = json.dumps({"success": False, "error": {"code": f"T-{status}", "message": "scripted"}}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    if status == 429:
        headers.append((b"retry-after", b"1"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[Sandbox, Scripted, str]]:
    sandbox = sandbox_with(contacts=12, conversations=6)
    scripted = Scripted(sandbox.app)
    url, stop = run_in_thread(SimpleNamespace(app=scripted))  # type: ignore[arg-type]
    try:
        yield sandbox, scripted, url
    finally:
        stop()


@pytest.fixture
def cli_env(served: tuple[Sandbox, Scripted, str], tmp_path: Path) -> Iterator[dict[str, str]]:
    sandbox, scripted, url = served
    env = {k: v for k, v in os.environ.items() if not k.startswith("SAKARI_")}
    env.update(XDG_CONFIG_HOME=str(tmp_path / "config"), XDG_DATA_HOME=str(tmp_path / "data"),
               SAKARI_API_URL=url, SAKARI_CLIENT_ID="demo-client", SAKARI_CLIENT_SECRET="demo-secret",
               SAKARI_ACCOUNT_ID=ACCOUNT, PYTHONUNBUFFERED="1")  # fmt: skip
    yield env
    scripted.send.clear(), scripted.lookups.clear(), scripted.tokens.clear()
    sandbox.faults.rate_drop = sandbox.faults.rate_5xx = 0.0


_numbers = iter(range(200, 400))


def fresh_number() -> str:
    return f"+1602555{next(_numbers):04d}"


def send(env: dict[str, str], number: str, text: str, *more: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(check=False, args=[sys.executable, "-m", "sakari_tui.cli", "send", "--to", number, "--text", text, *more],
                          env=env, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)  # fmt: skip
    assert "Traceback" not in done.stderr, done.stderr
    assert "demo-secret" not in done.stdout + done.stderr
    return done


def copies_to(sandbox: Sandbox, number: str) -> Counter[str]:
    contact = next((c for c in sandbox.contacts() if c["mobile"]["number"] == number), None)
    return outgoing_texts(sandbox, contact_id=contact["id"]) if contact else Counter()


def test_send_in_a_retrying_wrapper_under_drops_and_5xx_lands_once(served, cli_env) -> None:
    sandbox, _, _ = served
    sandbox.faults.rate_drop, sandbox.faults.rate_5xx = 0.3, 0.2
    codes = []
    for i in range(2):
        number = fresh_number()
        for _ in range(5):  # a script that runs it again until it exits 0, but not on 3
            done = send(cli_env, number, f"Your order {i} shipped")
            codes.append(done.returncode)
            if done.returncode in (0, 3):
                break
        assert copies_to(sandbox, number) == Counter({f"Your order {i} shipped": 1}), done.stderr
    assert set(codes) <= {0, 1}, codes


def test_a_5xx_after_storing_is_found_not_sent_again(served, cli_env) -> None:
    sandbox, scripted, _ = served
    number = fresh_number()
    scripted.send[:] = ["503-after"]
    before = scripted.sends_seen
    done = send(cli_env, number, "Stored, then 503")
    assert done.returncode == 0, done.stderr
    assert "found on the server" in done.stdout
    assert scripted.sends_seen == before + 1
    assert copies_to(sandbox, number) == Counter({"Stored, then 503": 1})


def test_a_drop_on_a_send_to_two_numbers_finds_both(served, cli_env) -> None:
    sandbox, scripted, _ = served
    first, second = fresh_number(), fresh_number()
    scripted.send[:] = ["drop"]
    before = scripted.sends_seen
    done = send(cli_env, first, "For you both", "--to", second)
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("found on the server") == 2
    assert scripted.sends_seen == before + 1
    assert copies_to(sandbox, first) == copies_to(sandbox, second) == Counter({"For you both": 1})


def test_a_5xx_before_storing_is_checked_then_sent_again(served, cli_env) -> None:
    sandbox, scripted, _ = served
    number = fresh_number()
    scripted.send[:] = ["503"]
    before = scripted.sends_seen
    done = send(cli_env, number, "Refused once")
    assert done.returncode == 0, done.stderr
    assert "sending again" in done.stderr
    assert scripted.sends_seen == before + 2
    assert copies_to(sandbox, number) == Counter({"Refused once": 1})


def test_a_429_on_the_send_is_sent_again_after_retry_after(served, cli_env) -> None:
    sandbox, scripted, _ = served
    number = fresh_number()
    scripted.send[:] = ["429"]
    before = scripted.sends_seen
    started = time.monotonic()
    done = send(cli_env, number, "After the wait")
    assert done.returncode == 0, done.stderr
    assert "rate limited; sending again in 1 s" in done.stderr
    assert time.monotonic() - started >= 1.0
    assert scripted.sends_seen == before + 2
    assert copies_to(sandbox, number) == Counter({"After the wait": 1})


def test_when_the_check_cannot_be_made_it_exits_3_may_have_been_sent(served, cli_env) -> None:
    sandbox, scripted, _ = served
    number = fresh_number()
    scripted.send[:] = ["drop"]
    scripted.lookups[:] = ["503"] * 200
    done = send(cli_env, number, "Lost in the post", "--check-timeout", "1")
    assert done.returncode == 3, done.stderr
    assert "may have been sent" in done.stderr and "before sending again" in done.stderr
    assert copies_to(sandbox, number) == Counter({"Lost in the post": 1})


def test_a_token_request_failing_during_the_send_is_not_sent_exit_1(served, cli_env) -> None:
    sandbox, scripted, _ = served
    number = fresh_number()
    # The send is refused with 401 (nothing stored); the new token's answer is then lost.
    scripted.send[:] = ["401"]
    scripted.tokens[:] = ["ok", "drop", "drop", "drop", "drop", "drop"]
    before = scripted.sends_seen
    done = send(cli_env, number, "Needs a token")
    assert done.returncode == 1, done.stderr
    assert "may have been sent" not in done.stderr and "not sent" in done.stderr
    assert scripted.sends_seen == before + 1
    assert copies_to(sandbox, number) == Counter()


# -- the outbox in a real process, killed with SIGKILL and started again -----------------------


def test_outbox_killed_mid_burst_and_restarted_sends_each_once(tmp_path: Path) -> None:
    sandbox = sandbox_with()
    sandbox.faults.latency = 0.02  # a request is nearly always in flight when the kill comes
    sandbox.faults.rate_drop, sandbox.faults.rate_5xx = 0.3, 0.2
    url, stop = run_in_thread(sandbox)
    try:
        conversation_id = sandbox.conversations()[0]["id"]
        before = outgoing_texts(sandbox, conversation_id=conversation_id)
        db = tmp_path / "profile.sqlite3"
        command = [sys.executable, str(HERE / "outbox_process.py"), "--db", str(db), "--url", url]
        first = subprocess.Popen([*command, "--enqueue", "40", "--conversation", conversation_id],
                                 stdout=subprocess.PIPE, text=True)  # fmt: skip
        assert first.stdout is not None
        for line in first.stdout:
            if line.startswith("pass ") and int(line.split()[1]) >= 10:
                break
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)

        second = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
        assert second.returncode == 0, second.stderr
        assert second.stdout.splitlines()[-1] == "done"
        sandbox.faults.rate_drop = sandbox.faults.rate_5xx = 0.0
        added = outgoing_texts(sandbox, conversation_id=conversation_id) - before
        assert added == Counter(f"reply {i}" for i in range(40))
        store = Store(db)
        assert len(store.outbox_items(OutboxState.SENT)) == 40
    finally:
        stop()


# -- the composer, typed into fast ---------------------------------------------------------------


async def test_replies_typed_in_one_burst_each_land_once_whole(tmp_path: Path) -> None:
    from textual import events

    from sakari_tui.widgets.composer import Composer
    from sakari_tui.widgets.conversation_list import ConversationList

    sandbox = sandbox_with()
    app = make_app(tmp_path / "data", sandbox)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        await wait_for(pilot, lambda: screen.query_one(ConversationList).rows, what="conversations listed")
        conversation_id = screen.query_one(ConversationList).highlighted.id
        await wait_for(pilot, lambda: screen.open_id == conversation_id, what="thread open")
        await pilot.press("r")
        composer = screen.query_one(Composer)
        assert app.focused is composer
        before = outgoing_texts(sandbox, conversation_id=conversation_id)

        # 40 replies and their Enters arrive as one read from the terminal would bring
        # them: every key queued before the first is handled.
        replies = [f"fast reply {i} ok" for i in range(40)]
        for reply in replies:
            for ch in reply:
                feed_from_terminal(app, events.Key("space" if ch == " " else ch, ch))
            feed_from_terminal(app, events.Key("enter", "\r"))
        for ch in "unsent":
            feed_from_terminal(app, events.Key(ch, ch))

        wanted = Counter(replies)
        await wait_for(pilot, lambda: outgoing_texts(sandbox, conversation_id=conversation_id) - before == wanted,
                       timeout=20, what="the 40 replies on the server")  # fmt: skip
        await wait_for(pilot, lambda: not app.outbox.waiting(), what="the outbox to settle")
        assert outgoing_texts(sandbox, conversation_id=conversation_id) - before == wanted
        assert composer.text == "unsent"
