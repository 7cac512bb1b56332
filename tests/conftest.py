"""Shared fixtures: the demo app over an in-process sandbox, and waiting without sleeps."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

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
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        await pilot.pause(0.02)


@pytest.fixture
def sandbox() -> Sandbox:
    return make_sandbox()


@pytest.fixture
def app(tmp_path: Path, sandbox: Sandbox) -> SakariApp:
    return make_app(tmp_path / "data", sandbox)

