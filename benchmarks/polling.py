"""Steady polling: requests per minute against a sandbox with 1,000 conversations.

Runs the app headless (App.run_test, 120x40) against an in-process sandbox with 1,000
conversations and no simulated customers, with the default poll intervals (conversation
list every N = 10 s, open thread every M = 3 s) and one conversation open (the newest,
which the app opens at start). After start-up settles, it counts the requests the
sandbox handled (``sandbox.requests``) during a measured window of real time.

Target: at most 60/N + 60/M + 1 = 27 requests per minute.

    .venv/bin/python benchmarks/polling.py [--seconds 60]
"""

from __future__ import annotations

import asyncio
import collections
import tempfile
import time
from pathlib import Path

import _common
from _common import Result


def kind(path: str) -> str:
    if path.endswith("/oauth2/token"):
        return "token"
    if path.endswith("/conversations"):
        return "conversation list"
    if path.endswith("/messages"):
        return "thread messages"
    return "other"


async def measure(seconds: float, conversations: int) -> tuple[list[Result], dict]:
    from _fixtures import big_sandbox

    from sakari_tui.demo import demo_app
    from sakari_tui.screens.conversations import ConversationsScreen

    sandbox = big_sandbox(conversations)
    with tempfile.TemporaryDirectory(prefix="sakari-bench-polling-") as tmp:
        app = demo_app(data_dir=Path(tmp) / "data", sandbox=sandbox)  # default poll intervals
        profile = app.profile
        async with app.run_test(size=(120, 40)) as pilot:
            deadline = time.monotonic() + 30
            while not (
                isinstance(app.screen, ConversationsScreen) and app.screen.open_id and len(sandbox.requests) >= 3
            ):
                if time.monotonic() > deadline:
                    raise RuntimeError("the app did not open a conversation within 30 s")
                await pilot.pause(0.05)
            await pilot.pause(1.0)  # let the start-up requests finish
            open_id = app.screen.open_id
            startup_requests = len(sandbox.requests)
            print(
                f"polling every {profile.poll_conversations:g} s (list) and {profile.poll_thread:g} s (thread), "
                f"conversation {open_id} open; measuring {seconds:g} s of real time..."
            )
            start = len(sandbox.requests)
            t0 = time.perf_counter()
            stamps: list[float] = []
            seen = start
            while (elapsed := time.perf_counter() - t0) < seconds:
                await asyncio.sleep(min(0.05, seconds - elapsed))
                now = len(sandbox.requests)
                stamps.extend([time.perf_counter() - t0] * (now - seen))
                seen = now
            window = time.perf_counter() - t0
            handled = sandbox.requests[start:seen]
            still_open = app.screen.open_id == open_id

    per_minute = len(handled) * 60.0 / window
    n, m = profile.poll_conversations, profile.poll_thread
    target = 60.0 / n + 60.0 / m + 1
    by_kind = collections.Counter(kind(path) for _, path in handled)
    results = [
        Result(
            "polling",
            f"requests per minute, {conversations:,} conversations, 1 open",
            per_minute,
            "requests/min",
            f"<= {target:g}",
            per_minute <= target,
        ),
        Result("polling", f"  requests in the {window:.0f} s window", len(handled), "requests"),
    ]
    for name in ("conversation list", "thread messages", "token", "other"):
        results.append(Result("polling", f"  of which {name}", by_kind.get(name, 0), "requests"))
    results.append(Result("polling", "  requests during start-up (before the window)", startup_requests, "requests"))
    extra = {"still_open": still_open, "request_times": stamps}
    return results, extra


def main() -> None:
    p = _common.parser(__doc__.splitlines()[0])
    p.add_argument("--seconds", type=float, default=60.0, help="length of the measured window (default 60)")
    p.add_argument("--conversations", type=int, default=1000, help="conversations in the sandbox (default 1000)")
    args = p.parse_args()
    results, extra = asyncio.run(measure(args.seconds, args.conversations))
    if not extra["still_open"]:
        print("note: the open conversation changed during the window")
    _common.report("Steady polling, requests per minute", results, args.json)


if __name__ == "__main__":
    main()
