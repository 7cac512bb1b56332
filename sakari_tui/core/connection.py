"""The connection's state for the status line, from the client's events.

online; offline since HH:MM (the server could not be reached); rate limited,
retrying at T (429 with Retry-After); signed out (credentials refused).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sakari_tui.api import AuthError, NetworkError, RateLimited
from sakari_tui.api.events import (
    ConnectionEvent,
    RequestFailed,
    RequestSucceeded,
    RetryScheduled,
)


class Link(StrEnum):
    CONNECTING = "connecting"
    ONLINE = "online"
    OFFLINE = "offline"
    RATE_LIMITED = "rate limited"
    AUTH_FAILED = "signed out"


@dataclass(frozen=True)
class ConnectionState:
    """How the app stands with the API: the link, since when, and when a rate-limited call goes again."""

    link: Link = Link.CONNECTING
    since: datetime | None = None  # when the link went into this state
    retry_at: float | None = None  # time.time() when a rate-limited call goes again
    detail: str = ""

    def describe(self, now: float | None = None) -> str:
        if self.link is Link.OFFLINE and self.since:
            return f"offline since {self.since.astimezone().strftime('%H:%M')}"
        if self.link is Link.RATE_LIMITED and self.retry_at is not None:
            wait = max(round(self.retry_at - (now if now is not None else time.time())), 0)
            return f"rate limited, retrying in {wait} s"
        return str(self.link)


class ConnectionTracker:
    """Feed it the client's events (it is a client listener); it calls ``on_change``
    with a new ``ConnectionState`` only when the state really changes."""

    def __init__(
        self, on_change: Callable[[ConnectionState], object], *, clock: Callable[[], float] = time.time
    ) -> None:
        self.state = ConnectionState()
        self._on_change = on_change
        self._clock = clock

    def __call__(self, event: ConnectionEvent) -> None:
        self._set(self._next(event))

    def note_rate_limited(self, retry_after: float | None) -> None:
        """The app itself waits after a RateLimited error (its poll backs off)."""
        self._set(ConnectionState(Link.RATE_LIMITED, datetime.now().astimezone(), self._clock() + (retry_after or 0)))

    def _next(self, event: ConnectionEvent) -> ConnectionState:
        now = datetime.now().astimezone()
        current = self.state
        if isinstance(event, RequestSucceeded):
            return current if current.link is Link.ONLINE else ConnectionState(Link.ONLINE, now)
        error = event.error if isinstance(event, RetryScheduled | RequestFailed) else None
        if isinstance(error, RateLimited):
            delay = event.delay if isinstance(event, RetryScheduled) else (error.retry_after or 0)
            since = current.since if current.link is Link.RATE_LIMITED else now
            return ConnectionState(Link.RATE_LIMITED, since, self._clock() + delay, str(error))
        if isinstance(error, NetworkError):
            if current.link is Link.OFFLINE:
                return current  # keep "since" at the first failure
            return ConnectionState(Link.OFFLINE, now, detail=str(error))
        if isinstance(error, AuthError):
            # A repeated refusal is no change: "since" stays at the first one.
            since = current.since if current.link is Link.AUTH_FAILED else now
            return ConnectionState(Link.AUTH_FAILED, since, detail=str(error))
        # Any other answer from the server means it is reachable.
        return current if current.link is Link.ONLINE else ConnectionState(Link.ONLINE, now)

    def _set(self, state: ConnectionState) -> None:
        if state != self.state:
            self.state = state
            self._on_change(state)
