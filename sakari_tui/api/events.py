"""What the client tells listeners about its connection, so a UI can show
"online", "offline since ..." or "rate limited, retrying in N s".

Listeners are plain callables registered with ``SakariClient.add_listener``. They are called
synchronously, in the order registered; an exception in a listener is logged and ignored so
it cannot break an API call.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from .errors import SakariError

logger = logging.getLogger("sakari_tui.api")


@dataclass(frozen=True)
class ConnectionEvent:
    """What happened to one request, for listeners (the connection state in the app)."""

    method: str
    path: str


@dataclass(frozen=True)
class RequestSucceeded(ConnectionEvent):
    """The server answered with a success status."""

    status: int
    elapsed_ms: float


@dataclass(frozen=True)
class RetryScheduled(ConnectionEvent):
    """Attempt ``attempt`` (1-based) failed with ``error``; the next starts in ``delay`` s."""

    delay: float
    reason: str
    attempt: int
    error: SakariError


@dataclass(frozen=True)
class RequestFailed(ConnectionEvent):
    """A call gave up with ``error``. A ``NetworkError`` means the server was not reached;
    an ``ApiError`` means it was reached and said no."""

    error: SakariError


Listener = Callable[[ConnectionEvent], object]


class Listeners:
    def __init__(self) -> None:
        self._listeners: list[Listener] = []

    def add(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def remove(self, listener: Listener) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def emit(self, event: ConnectionEvent) -> None:
        for listener in list(self._listeners):
            try:
                listener(event)
            except Exception:
                logger.exception("connection listener %r failed", listener)
