"""Helpers for the operator-screen benchmarks (contacts, CSV import, bulk send).

The app runs headless and probed (``_common.probed``) against a sandbox served over HTTP
from its own process (``_sandbox_proc.SandboxProcess``), or in-process when asked.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import _common
from _common import RenderCounter
from _sandbox_proc import proc_memory

CONTACTS_PATH = "/v1/accounts/demo-account/contacts"
MESSAGES_PATH = "/v1/accounts/demo-account/messages"


def reset_peak() -> bool:
    """Start this process's RSS high-water mark (VmHWM) again from the current RSS."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def memory() -> dict[str, float]:
    return proc_memory()


def http_app(url: str, data_dir: Path) -> Any:
    """The probed app, talking HTTP to ``url`` with its real client (as against a remote API)."""
    from sakari_tui.app import SakariApp
    from sakari_tui.demo import demo_profile

    return _common.probed(SakariApp)(profile=demo_profile(api_url=url), data_dir=data_dir)


def in_process_app(sandbox: Any, data_dir: Path, asgi: Any = None) -> Any:
    """The probed app with the sandbox in its own process and loop, as ``sakari-tui --demo``
    (``asgi``: the sandbox's app wrapped, e.g. timed)."""
    import httpx

    from sakari_tui.app import SakariApp
    from sakari_tui.demo import demo_profile

    transport = httpx.ASGITransport(app=asgi or sandbox.app)
    return _common.probed(SakariApp)(profile=demo_profile(), data_dir=data_dir, transport=transport, sandbox=sandbox)


def load_average() -> float:
    try:
        return float(Path("/proc/loadavg").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return float("nan")


async def wait_until(pilot: Any, condition: Callable[[], Any], timeout: float = 30.0, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out after {timeout:g} s waiting for {what}")
        await pilot.pause(0.01)


async def app_ready(pilot: Any) -> None:
    """Until the inbox is up and the API client is connected, then a moment to settle."""
    from sakari_tui.screens.conversations import ConversationsScreen

    app = pilot.app
    await wait_until(pilot, lambda: isinstance(app.screen, ConversationsScreen) and app.connected.is_set(),
                     what="the inbox and the client")  # fmt: skip
    await pilot.pause(1.0)


def send_key(app: Any, key: str) -> None:
    """Send one key as the terminal driver would, and return at once.

    ``pilot.press`` also waits until the process looks idle (CPU time against wall time,
    up to a second, twice a key), which paces keys by the benchmark's own activity; here keys
    arrive when the benchmark sends them, as from a keyboard, and the time to each repaint is
    taken from the frames."""
    import unicodedata

    from textual import events
    from textual.keys import (
        REPLACED_KEYS,
        _character_to_key,
        _get_unicode_name_from_key,
    )

    from sakari_tui.textual_private import feed_from_terminal

    if len(key) == 1 and not key.isalnum():
        key = _character_to_key(key)
    original = REPLACED_KEYS.get(key, key)
    try:
        char: str | None = unicodedata.lookup(_get_unicode_name_from_key(original))
    except KeyError:
        char = key if len(key) == 1 else None
    event = events.Key(key, char)
    event.set_sender(app)
    feed_from_terminal(app, event)


class Expect:
    """One awaited repaint: the first frame (after it was made) in which ``widget_class``
    drew lines and ``condition()`` held."""

    def __init__(self, widget_class: type, condition: Callable[[], Any] | None) -> None:
        self.widget_class = widget_class
        self.condition = condition
        self.at: float | None = None


class Watch:
    """Frames of a probed app, with the widget classes that drew in each."""

    def __init__(self, app: Any, *widget_classes: type) -> None:
        self.counters = {cls: RenderCounter(cls) for cls in widget_classes}
        self.seen = {cls: 0 for cls in widget_classes}
        self.frames: list[tuple[float, frozenset[type]]] = []
        self.pending: list[Expect] = []
        self.observers: list[Callable[[float, frozenset[type]], None]] = []
        app.on_frame = self._frame

    def _frame(self, now: float) -> None:
        drew = set()
        for cls, counter in self.counters.items():
            if counter.calls > self.seen[cls]:
                drew.add(cls)
                self.seen[cls] = counter.calls
        self.frames.append((now, frozenset(drew)))
        for observer in self.observers:
            observer(now, frozenset(drew))
        for expect in self.pending:
            if expect.at is None and expect.widget_class in drew and (expect.condition is None or expect.condition()):
                expect.at = now
        self.pending = [e for e in self.pending if e.at is None]

    def expect(self, widget_class: type, condition: Callable[[], Any] | None = None) -> Expect:
        expect = Expect(widget_class, condition)
        self.pending.append(expect)
        return expect

    async def settle(self, *expects: Expect, timeout: float = 10.0) -> bool:
        """Until every one has its frame; False if the time ran out."""
        deadline = time.perf_counter() + timeout
        while any(e.at is None for e in expects):
            if time.perf_counter() > deadline:
                for e in expects:
                    if e in self.pending:
                        self.pending.remove(e)
                return False
            await asyncio.sleep(0.001)
        return True

    def last_drawn(self, widget_class: type) -> float | None:
        return next((t for t, drew in reversed(self.frames) if widget_class in drew), None)

    def gaps(self, start: float, end: float) -> list[float]:
        """Seconds between consecutive frames in [start, end], counting from start to the first
        frame and from the last frame to end."""
        times = [start] + [t for t, _ in self.frames if start <= t <= end] + [end]
        return [b - a for a, b in itertools.pairwise(times)]

    def close(self) -> None:
        for counter in self.counters.values():
            counter.restore()


class Heartbeat:
    """How late a 5 ms sleep on the app's loop wakes: the longest the loop was busy."""

    def __init__(self, interval: float = 0.005) -> None:
        self.interval = interval
        self.lags: list[tuple[float, float]] = []  # (when, seconds late)
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        while True:
            before = time.perf_counter()
            await asyncio.sleep(self.interval)
            after = time.perf_counter()
            self.lags.append((after, after - before - self.interval))

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None

    def longest(self, start: float = 0.0, end: float = float("inf")) -> float:
        return max((lag for t, lag in self.lags if start <= t <= end), default=0.0)

    def over(self, limit: float, start: float = 0.0, end: float = float("inf")) -> int:
        return sum(1 for t, lag in self.lags if start <= t <= end and lag > limit)


def server_share(log: list[tuple[str, str, str, float]], method: str, path: str) -> tuple[int, float]:
    """(requests, seconds in the server) for one route."""
    chosen = [seconds for m, p, _, seconds in log if m == method and p == path]
    return len(chosen), sum(chosen)


def load_note() -> str:
    try:
        return "load " + " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return ""
