"""Serving a sandbox with uvicorn on a background thread (for tests and the demo)."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import uvicorn

from .faults import QuietInjectedFaults

if TYPE_CHECKING:
    from .app import Sandbox

STARTUP_TIMEOUT = 10.0


def quiet_injected_faults() -> None:
    """Let uvicorn's error log skip the connections the sandbox drops on purpose."""
    logger = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, QuietInjectedFaults) for f in logger.filters):
        logger.addFilter(QuietInjectedFaults())


def run_in_thread(
    sandbox: Sandbox, host: str = "127.0.0.1", port: int = 0, log_level: str = "warning"
) -> tuple[str, Callable[[], None]]:
    """Serve ``sandbox.app`` with uvicorn on a daemon thread.

    Returns (base_url, stop). Port 0 picks a free port; the base URL has the real one.
    """
    quiet_injected_faults()
    config = uvicorn.Config(sandbox.app, host=host, port=port, log_level=log_level, access_log=False, lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=lambda: asyncio.run(server.serve()), name="sakari-sandbox", daemon=True)
    thread.start()
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            raise RuntimeError(f"sandbox server did not start on {host}:{port}")
        time.sleep(0.01)
    bound_port = server.servers[0].sockets[0].getsockname()[1]

    def stop() -> None:
        server.should_exit = True
        thread.join(timeout=STARTUP_TIMEOUT)

    return f"http://{host}:{bound_port}", stop


@contextmanager
def serve_in_background(sandbox: Sandbox, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """``with serve_in_background(sandbox) as base_url: ...`` — uvicorn for the duration."""
    base_url, stop = run_in_thread(sandbox, host, port)
    try:
        yield base_url
    finally:
        stop()
