"""Shared fixtures: the demo app over an in-process sandbox, and waiting without sleeps."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from textual.css.query import NoMatches

from sakari_tui.app import SakariApp
from sakari_tui.demo import demo_app, demo_sandbox
from sakari_tui.sandbox import Sandbox

# Fast polling so a test sees a change within a fraction of a second.
FAST = {"poll_conversations": 0.3, "poll_thread": 0.2}


def make_sandbox(**config: Any) -> Sandbox:
    config.setdefault("status_step", 0.05)
    config.setdefault("error_share", 0.0)
    config.setdefault("base_time", 1_795_000_000.0)  # fixed seeded timestamps
    return demo_sandbox(seed=7, live=False, **config)


def make_app(data_dir: Path, sandbox: Sandbox | None = None, **profile: Any) -> SakariApp:
    return demo_app(data_dir=data_dir, sandbox=sandbox or make_sandbox(), **{**FAST, **profile})


async def wait_for(pilot: Any, condition: Callable[[], Any], timeout: float = 5.0, what: str = "condition") -> Any:
    """Let the app run until ``condition()`` is truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            result = condition()
        except NoMatches:
            # The widget the condition reads is not mounted yet (a screen still composing
            # under load): not yet, unless time is up.
            if time.monotonic() > deadline:
                raise
            result = None
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        await pilot.pause(0.02)


async def finish(pilot: Any, *groups: str) -> None:
    """Let the app's workers of ``groups`` run to their end, with Textual's own wait (no
    clock: pytest-timeout is the safety net), then let the app handle what they posted.
    A worker that failed fails the test."""
    await pilot.pause()  # a worker made by the last key press is started
    workers = [worker for worker in pilot.app.workers if worker.group in groups]
    if workers:  # none: they have finished already
        await pilot.app.workers.wait_for_complete(workers)
    await pilot.pause()


@pytest.fixture
def sandbox() -> Sandbox:
    return make_sandbox()


@pytest.fixture
def app(tmp_path: Path, sandbox: Sandbox) -> SakariApp:
    return make_app(tmp_path / "data", sandbox)


# -- for SVG snapshots ----------------------------------------------------------------------

# Slow polling: after the first load nothing is fetched again while a snapshot is taken.
QUIET = {"poll_conversations": 60, "poll_thread": 60}


@pytest.fixture
def frozen_time(monkeypatch: pytest.MonkeyPatch) -> Iterator[datetime]:
    """ "Now" is the sandbox's seeding base time, and local time is UTC."""
    from sakari_tui.core import clock

    base_time = make_sandbox().config.base_time
    assert base_time is not None
    frozen = datetime.fromtimestamp(base_time, timezone.utc)
    monkeypatch.setattr(clock, "now", lambda: frozen)
    old_tz = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    try:
        yield frozen
    finally:
        if old_tz is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = old_tz
        time.tzset()


def still_cursors(app: Any) -> None:
    """A blinking cursor would be caught on or off at random."""
    from textual.widgets import Input, TextArea

    for widget in app.screen.query(Input):
        widget.cursor_blink = False
    for widget in app.screen.query(TextArea):
        widget.cursor_blink = False


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Say in one line at the end when the contract tests skipped for want of the API spec."""
    skipped = [
        report
        for report in terminalreporter.stats.get("skipped", [])
        if "OpenAPI spec not found" in str(getattr(report, "longrepr", ""))
    ]
    if skipped:
        terminalreporter.write_line(
            f"{len(skipped)} contract tests skipped: the Sakari OpenAPI document was not found "
            "(put it at ../shared/spec/sakari-openapi.yaml or set SAKARI_OPENAPI_SPEC)",
            yellow=True,
        )
