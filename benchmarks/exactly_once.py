"""Exactly once: replies and sends under the sandbox's faults, counted on the server.

Each scenario sends known texts to known recipients and then counts, in the sandbox's own
storage, the outgoing copies of each: **sent** (texts that arrived, at most as many copies
as were meant), **lost** (meant, not there), **duplicated** (copies beyond the ones meant)
and **stray** (outgoing texts nobody meant: two replies merged into one, a reply cut short).
The sandbox is served over HTTP by uvicorn on 127.0.0.1 from this process, its faults
switched per scenario (the in-process equivalents of ``sakari-tui sandbox --rate-drop 0.3
--rate-5xx 0.2``); the app and the commands run as processes of their own.

1. outbox burst: 100 replies to one conversation written while offline (one in ten is the
   same "ok", sent on purpose each time), then flushed by the outbox with drop 0.3 and 5xx
   0.2; seeds 7 and 11.
2. placeholders: 20 replies containing ``{{firstName}}``, drop 0.3.
3. busy account: 50 replies under drop 0.3 and 5xx 0.2, with 100 inbound texts (a third
   from the same customer) arriving between every two outbox passes.
4. app, typed fast: the real app in tmux (80x24), 40 replies typed 0.05 s apart, no faults.
5. app, kill -9: the real app in tmux, 60 replies typed while the server is down, the app
   killed with SIGKILL, then started again against drop 0.3 and 5xx 0.2 until its outbox
   is empty.
6. ``sakari-tui send`` x100 (distinct numbers), drop 0.3 and 5xx 0.2, 4 at a time.
7. ``sakari-tui send`` x40 in a wrapper that runs it again until it exits 0 (5 tries at
   most, on any other exit code), drop 0.3 and 5xx 0.2. Exit codes are tallied.

Target: 0 lost and 0 duplicated in every scenario.

    .venv/bin/python benchmarks/exactly_once.py [--only burst,placeholders,...] [--cli 100] [--wrapped 40]
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import _common
from _common import Result

BENCH = "exactly once"
ACCOUNT = "demo-account"
SCENARIOS = ("burst", "placeholders", "busy", "typed", "kill9", "cli", "wrapped")


def make_sandbox(seed: int = 7) -> Any:
    from sakari_tui.demo import demo_sandbox

    return demo_sandbox(seed=seed, live=False, status_step=0.05, error_share=0.0, contacts=40,
                        conversations=20, base_time=_common.BASE_TIME)  # fmt: skip


def serve(sandbox: Any) -> tuple[str, Callable[[], None]]:
    from sakari_tui.sandbox.server import run_in_thread

    return run_in_thread(sandbox)


def outgoing(sandbox: Any, **where: str) -> Counter[str]:
    return Counter(m["message"] for m in sandbox.messages(**where) if m["outgoing"])


def tally(meant: Counter[str], found: Counter[str]) -> dict[str, int]:
    """sent / lost / duplicated / stray of the texts ``meant`` among those ``found``."""
    return {
        "sent": sum(min(found[t], n) for t, n in meant.items()),
        "lost": sum(max(n - found[t], 0) for t, n in meant.items()),
        "duplicated": sum(max(found[t] - n, 0) for t, n in meant.items()),
        "stray": sum(n for t, n in found.items() if t not in meant),
    }


def fault(sandbox: Any, drop: float = 0.0, errors: float = 0.0, down: bool = False) -> None:
    sandbox.faults.rate_drop, sandbox.faults.rate_5xx, sandbox.faults.down = drop, errors, down


# -- the outbox in this process --------------------------------------------------------------


async def flush_until_settled(outbox: Any, between: Callable[[], None] | None = None, limit: float = 300) -> int:
    from sakari_tui.core.store import OutboxState

    passes = 0
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        unsettled = outbox.waiting() or [i for i in outbox.store.outbox_items(OutboxState.SENT) if not i.message_id]
        if not unsettled:
            break
        await outbox.flush()
        passes += 1
        if between is not None:
            between()
        due = [i.not_before for i in outbox.store.outbox_items(OutboxState.PENDING)]
        wait = min(due) - time.time() if due else 0
        await asyncio.sleep(min(max(wait, 0.01), 2.0))
    return passes


async def outbox_run(url: str, work: Callable[[Any], Any]) -> Any:
    from sakari_tui.api import SakariClient
    from sakari_tui.core.outbox import Outbox
    from sakari_tui.core.store import Store

    async with SakariClient(
        api_url=url, client_id="demo-client", client_secret="demo-secret", account_id=ACCOUNT
    ) as client:
        return await work(Outbox(Store(":memory:"), client))


def scenario_burst(seed: int) -> dict[str, Any]:
    sandbox = make_sandbox(seed)
    url, stop = serve(sandbox)
    try:
        conversation_id = sandbox.conversations()[0]["id"]
        before = outgoing(sandbox, conversation_id=conversation_id)
        texts = ["ok" if i % 10 == 0 else f"reply {i}" for i in range(100)]

        async def work(outbox: Any) -> int:
            for text in texts:
                outbox.enqueue(text, conversation_id=conversation_id)
            fault(sandbox, drop=0.3, errors=0.2)
            return await flush_until_settled(outbox)

        started = time.monotonic()
        passes = asyncio.run(outbox_run(url, work))
        fault(sandbox)
        counts = tally(Counter(texts), outgoing(sandbox, conversation_id=conversation_id) - before)
        return {**counts, "note": f"{passes} passes, {time.monotonic() - started:.1f} s"}
    finally:
        stop()


def scenario_placeholders() -> dict[str, Any]:
    sandbox = make_sandbox()
    url, stop = serve(sandbox)
    try:
        conversation = next(c for c in sandbox.conversations() if c["contact"].get("firstName"))
        name = conversation["contact"]["firstName"]
        before = outgoing(sandbox, conversation_id=conversation["id"])

        async def work(outbox: Any) -> int:
            for i in range(20):
                outbox.enqueue(f"Hi {{{{firstName}}}}, your order {i} is ready", conversation_id=conversation["id"])
            fault(sandbox, drop=0.3)
            return await flush_until_settled(outbox)

        asyncio.run(outbox_run(url, work))
        fault(sandbox)
        meant = Counter(f"Hi {name}, your order {i} is ready" for i in range(20))
        return tally(meant, outgoing(sandbox, conversation_id=conversation["id"]) - before)
    finally:
        stop()


def scenario_busy() -> dict[str, Any]:
    sandbox = make_sandbox()
    url, stop = serve(sandbox)
    try:
        conversations = sandbox.conversations()
        conversation_id = conversations[0]["id"]
        customer = conversations[0]["contact"]["mobile"]["number"]
        others = [c["contact"]["mobile"]["number"] for c in conversations[1:]]
        before = outgoing(sandbox, conversation_id=conversation_id)
        texts = [f"busy reply {i}" for i in range(50)]
        inbound = 0

        def traffic() -> None:
            nonlocal inbound
            for i in range(100):
                sandbox.inject_inbound(customer if i % 3 == 0 else others[i % len(others)], f"inbound {inbound}")
                inbound += 1

        async def work(outbox: Any) -> int:
            for text in texts:
                outbox.enqueue(text, conversation_id=conversation_id)
            fault(sandbox, drop=0.3, errors=0.2)
            return await flush_until_settled(outbox, between=traffic)

        passes = asyncio.run(outbox_run(url, work))
        fault(sandbox)
        counts = tally(Counter(texts), outgoing(sandbox, conversation_id=conversation_id) - before)
        return {**counts, "note": f"{inbound} inbound texts over {passes} passes"}
    finally:
        stop()


# -- the app in tmux -------------------------------------------------------------------------


class TmuxApp:
    """``sakari-tui`` in a detached tmux session of 80x24 against ``url``, with its own
    config and data directories."""

    def __init__(self, url: str, home: Path, name: str) -> None:
        self.name = name
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("SAKARI_")},
            "XDG_CONFIG_HOME": str(home / "config"), "XDG_DATA_HOME": str(home / "data"),
            "SAKARI_API_URL": url, "SAKARI_CLIENT_ID": "demo-client", "SAKARI_CLIENT_SECRET": "demo-secret",
            "SAKARI_ACCOUNT_ID": ACCOUNT, "TERM": "xterm-256color",
        }  # fmt: skip
        self.home = home
        self.pid = 0

    def start(self) -> None:
        command = f"exec {sys.executable} -m sakari_tui.cli"
        env_args = [arg for key, value in self.env.items() if key.startswith(("SAKARI_", "XDG_", "TERM"))
                    for arg in ("-e", f"{key}={value}")]  # fmt: skip
        out = subprocess.run(
            ["tmux", "new-session", "-d", "-s", self.name, "-x", "80", "-y", "24", "-P", "-F", "#{pane_pid}",
             *env_args, "-c", str(_common.ROOT), command],
            check=True, capture_output=True, text=True, env=self.env,
        )  # fmt: skip
        self.pid = int(out.stdout.strip())

    def screen(self) -> str:
        return subprocess.run(
            ["tmux", "capture-pane", "-p", "-t", self.name], capture_output=True, text=True, check=False
        ).stdout

    def keys(self, *keys: str, literal: bool = False) -> None:
        subprocess.run(["tmux", "send-keys", "-t", self.name, *(["-l"] if literal else []), *keys], check=True)

    def wait(self, condition: Callable[[], Any], timeout: float, what: str) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = condition()
            if value:
                return value
            time.sleep(0.1)
        raise RuntimeError(f"timed out waiting for {what}:\n{self.screen()}")

    def database(self) -> Path | None:
        found = list((self.home / "data").glob("sakari-tui/profiles/*.sqlite3"))
        return found[0] if found else None

    def waiting(self) -> int | None:
        """Replies in the outbox not yet known to be on the server (None before it exists)."""
        path = self.database()
        if path is None:
            return None
        with sqlite3.connect(path) as db:
            return db.execute("SELECT count(*) FROM outbox WHERE state != 'sent' OR message_id IS NULL").fetchone()[0]

    def draft(self) -> str:
        """What the reply boxes hold, as saved drafts."""
        path = self.database()
        if path is None:
            return ""
        with sqlite3.connect(path) as db:
            return " | ".join(row[0] for row in db.execute("SELECT text FROM drafts WHERE text != ''"))

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.pid:
            try:
                os.kill(self.pid, sig)
            except ProcessLookupError:
                pass
        subprocess.run(["tmux", "kill-session", "-t", self.name], capture_output=True, check=False)


def steady(read: Callable[[], Any], hold: float = 1.5) -> Callable[[], bool]:
    """A condition: ``read()`` is not None and has not changed for ``hold`` seconds."""
    last: list[Any] = [None, time.monotonic()]

    def check() -> bool:
        value = read()
        if value != last[0]:
            last[:] = [value, time.monotonic()]
            return False
        return value is not None and time.monotonic() - last[1] >= hold

    return check


def open_inbox(app: TmuxApp, sandbox: Any) -> str:
    """Start the app, wait until the newest conversation is open, focus the reply box."""
    name = sandbox.conversations()[0]["contact"].get("firstName") or ""
    app.start()
    app.wait(lambda: name and name in app.screen(), 30, "the inbox")
    time.sleep(1.0)  # the first conversation opens and the client connects
    app.keys("r")
    return sandbox.conversations()[0]["id"]


def type_replies(app: TmuxApp, texts: Iterable[str], gap: float) -> None:
    for text in texts:
        app.keys(text, literal=True)
        app.keys("Enter")
        time.sleep(gap)


def scenario_typed(workdir: Path) -> dict[str, Any]:
    sandbox = make_sandbox()
    url, stop = serve(sandbox)
    app = TmuxApp(url, workdir / "typed", f"exactly-once-typed-{os.getpid()}")
    try:
        conversation_id = open_inbox(app, sandbox)
        before = outgoing(sandbox, conversation_id=conversation_id)
        texts = [f"typed reply {i} done" for i in range(40)]
        type_replies(app, texts, 0.05)
        app.wait(lambda: app.waiting() == 0 and sum((outgoing(sandbox, conversation_id=conversation_id) - before).values()) >= 1,
                 60, "the outbox to empty")  # fmt: skip
        time.sleep(1.0)
        return tally(Counter(texts), outgoing(sandbox, conversation_id=conversation_id) - before)
    finally:
        app.kill(signal.SIGTERM)
        stop()


def scenario_kill9(workdir: Path) -> dict[str, Any]:
    sandbox = make_sandbox()
    url, stop = serve(sandbox)
    app = TmuxApp(url, workdir / "kill9", f"exactly-once-kill9-{os.getpid()}")
    try:
        conversation_id = open_inbox(app, sandbox)
        before = outgoing(sandbox, conversation_id=conversation_id)
        texts = [f"offline reply {i}" for i in range(60)]
        fault(sandbox, down=True)
        type_replies(app, texts, 0.05)
        settled = steady(app.waiting, 5.0)
        app.wait(lambda: app.waiting() == len(texts) or settled(), 60, "the replies in the outbox")
        queued, draft = app.waiting(), app.draft()
        fault(sandbox, down=False, drop=0.3, errors=0.2)
        time.sleep(0.5)  # the outbox starts sending: the kill lands mid-flush
        app.kill()
        in_flight = None
        if (path := app.database()) is not None:
            with sqlite3.connect(path) as db:
                in_flight = db.execute("SELECT count(*) FROM outbox WHERE state IN ('sending', 'unknown')").fetchone()[
                    0
                ]
        app.start()
        app.wait(lambda: app.waiting() == 0, 240, "the outbox to empty after the restart")
        fault(sandbox)
        counts = tally(Counter(texts), outgoing(sandbox, conversation_id=conversation_id) - before)
        note = f"{queued} in the outbox and {in_flight} sending or of unknown outcome at the kill"
        if draft:
            note += f"; left in the reply box: {draft!r}"
        return {**counts, "note": note}
    finally:
        app.kill(signal.SIGTERM)
        fault(sandbox)
        stop()


# -- sakari-tui send -------------------------------------------------------------------------


def cli_send(env: dict[str, str], number: str, text: str) -> int:
    done = subprocess.run(check=False, args=[sys.executable, "-m", "sakari_tui.cli", "send", "--to", number, "--text", text],
                          env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=300)  # fmt: skip
    return done.returncode


def scenario_cli(workdir: Path, count: int, tries: int) -> dict[str, Any]:
    sandbox = make_sandbox()
    url, stop = serve(sandbox)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("SAKARI_")},
        "XDG_CONFIG_HOME": str(workdir / "cli-config"), "XDG_DATA_HOME": str(workdir / "cli-data"),
        "SAKARI_API_URL": url, "SAKARI_CLIENT_ID": "demo-client", "SAKARI_CLIENT_SECRET": "demo-secret",
        "SAKARI_ACCOUNT_ID": ACCOUNT, "PYTHONPATH": str(_common.ROOT),
    }  # fmt: skip
    jobs = [(f"+1602555{1000 + i:04d}", f"Order {i} shipped") for i in range(count)]
    codes: Counter[int] = Counter()

    def run(job: tuple[str, str]) -> None:
        for _ in range(tries):
            code = cli_send(env, *job)
            codes[code] += 1
            if code == 0:
                return

    try:
        fault(sandbox, drop=0.3, errors=0.2)
        started = time.monotonic()
        with ThreadPoolExecutor(4) as pool:
            list(pool.map(run, jobs))
        elapsed = time.monotonic() - started
        fault(sandbox)
        by_number = {c["mobile"]["number"]: c["id"] for c in sandbox.contacts()}
        totals = Counter({"sent": 0, "lost": 0, "duplicated": 0, "stray": 0})
        for number, text in jobs:
            found = outgoing(sandbox, contact_id=by_number[number]) if number in by_number else Counter()
            totals.update(tally(Counter([text]), found))
        shown = ", ".join(f"exit {code}: {n}" for code, n in sorted(codes.items()))
        return {**totals, "note": f"{shown}; {elapsed:.0f} s"}
    finally:
        stop()


# -- report ------------------------------------------------------------------------------------


def results_for(label: str, counts: dict[str, Any]) -> list[Result]:
    note = counts.get("note", "")
    rows = [
        Result(BENCH, f"{label}: sent", counts["sent"], "messages"),
        Result(BENCH, f"{label}: lost", counts["lost"], "messages", "0", counts["lost"] == 0),
        Result(BENCH, f"{label}: duplicated", counts["duplicated"], "messages", "0", counts["duplicated"] == 0),
        Result(BENCH, f"{label}: stray", counts["stray"], "messages", "0", counts["stray"] == 0, note),
    ]
    return rows


def main() -> int:
    parser = _common.parser(__doc__.splitlines()[0])
    parser.add_argument("--only", default=",".join(SCENARIOS), help=f"comma-separated, of {', '.join(SCENARIOS)}")
    parser.add_argument("--cli", type=int, default=100, help="sends in the send x N scenario")
    parser.add_argument("--wrapped", type=int, default=40, help="sends in the wrapper scenario")
    args = parser.parse_args()
    chosen = set(args.only.split(","))
    workdir = Path(tempfile.mkdtemp(prefix="exactly-once-"))
    results: list[Result] = []
    rows: list[tuple[str, dict[str, Any]]] = []

    def record(label: str, counts: dict[str, Any]) -> None:
        rows.append((label, counts))
        results.extend(results_for(label, counts))
        print(f"{label}: {counts}", flush=True)

    try:
        if "burst" in chosen:
            for seed in (7, 11):
                record(f"outbox burst of 100, drop 0.3 + 5xx 0.2, seed {seed}", scenario_burst(seed))
        if "placeholders" in chosen:
            record("outbox, 20 with {{firstName}}, drop 0.3", scenario_placeholders())
        if "busy" in chosen:
            record("outbox, busy account, drop 0.3 + 5xx 0.2", scenario_busy())
        if "typed" in chosen and shutil.which("tmux"):
            record("app in tmux, 40 typed 0.05 s apart", scenario_typed(workdir))
        if "kill9" in chosen and shutil.which("tmux"):
            record("app in tmux, 60 typed offline, kill -9, restart, drop + 5xx", scenario_kill9(workdir))
        if "cli" in chosen:
            record(f"sakari-tui send x{args.cli}, drop 0.3 + 5xx 0.2", scenario_cli(workdir, args.cli, 1))
        if "wrapped" in chosen:
            record(f"sakari-tui send x{args.wrapped}, retried until exit 0 (5 tries)",
                   scenario_cli(workdir, args.wrapped, 5))  # fmt: skip
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    print()
    print("| scenario | sent | lost | duplicated | stray | notes |")
    print("| --- | ---: | ---: | ---: | ---: | --- |")
    for label, c in rows:
        print(f"| {label} | {c['sent']} | {c['lost']} | {c['duplicated']} | {c['stray']} | {c.get('note', '')} |")
    _common.report(BENCH, results, args.json)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
