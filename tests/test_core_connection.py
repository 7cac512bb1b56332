"""The connection state for the status line, from sequences of the client's events."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import httpx
import pytest
from conftest import make_sandbox

from sakari_tui.api import (
    ApiError,
    AuthError,
    BadResponse,
    NetworkError,
    RateLimited,
    RequestFailed,
    RequestSucceeded,
    RetryPolicy,
    RetryScheduled,
    SakariClient,
)
from sakari_tui.core import connection
from sakari_tui.core.connection import ConnectionState, ConnectionTracker, Link

START = datetime(2026, 11, 27, 8, 5, 30, tzinfo=timezone.utc)


class FakeNow:
    """Stands in for ``datetime`` in the module: each ``now()`` is one minute later."""

    def __init__(self) -> None:
        self.calls = 0

    def now(self, tz=None) -> datetime:
        moment = START + timedelta(minutes=self.calls)
        self.calls += 1
        return moment if tz is None else moment.astimezone(tz)


class Recorder:
    def __init__(self) -> None:
        self.states: list[ConnectionState] = []

    def __call__(self, state: ConnectionState) -> None:
        self.states.append(state)

    @property
    def links(self) -> list[Link]:
        return [s.link for s in self.states]


@pytest.fixture
def now(monkeypatch: pytest.MonkeyPatch) -> FakeNow:
    fake = FakeNow()
    monkeypatch.setattr(connection, "datetime", fake)
    return fake


@pytest.fixture
def changes() -> Recorder:
    return Recorder()


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def tracker(now: FakeNow, changes: Recorder, clock: Clock) -> ConnectionTracker:
    return ConnectionTracker(changes, clock=clock)


OK = RequestSucceeded("GET", "/v1/x", 200, 12.0)
DOWN = NetworkError("Could not connect to api.sakari.io", may_have_been_sent=False)
TIMEOUT = NetworkError("Timed out talking to api.sakari.io", may_have_been_sent=True)


def retry(error, delay: float = 0.5) -> RetryScheduled:
    return RetryScheduled("GET", "/v1/x", delay, "reason", 1, error)


def failed(error) -> RequestFailed:
    return RequestFailed("GET", "/v1/x", error)


def local_hhmm(moment: datetime) -> str:
    return moment.astimezone().strftime("%H:%M")


def test_starts_connecting_then_online_once(tracker: ConnectionTracker, changes: Recorder) -> None:
    assert tracker.state.link is Link.CONNECTING
    assert tracker.state.describe() == "connecting"
    tracker(OK)
    tracker(OK)
    tracker(RequestSucceeded("POST", "/v1/y", 201, 3.0))
    assert changes.links == [Link.ONLINE]
    assert tracker.state.describe() == "online"


def test_offline_since_the_first_failure_kept_on_repeated_failures(
    tracker: ConnectionTracker, changes: Recorder, now: FakeNow
) -> None:
    tracker(OK)
    tracker(retry(DOWN))  # the first failure: 08:06:30
    first_failure = tracker.state.since
    tracker(retry(TIMEOUT))
    tracker(failed(DOWN))
    tracker(failed(TIMEOUT))
    assert changes.links == [Link.ONLINE, Link.OFFLINE]
    assert now.calls >= 4  # time moved on, "since" did not
    assert tracker.state.link is Link.OFFLINE
    assert tracker.state.since == first_failure
    assert tracker.state.describe() == f"offline since {local_hhmm(first_failure)}"
    assert tracker.state.detail == str(DOWN)

    tracker(OK)
    assert changes.links == [Link.ONLINE, Link.OFFLINE, Link.ONLINE]
    assert tracker.state.since > first_failure


def test_rate_limited_with_retry_time_and_countdown(
    tracker: ConnectionTracker, changes: Recorder, clock: Clock
) -> None:
    tracker(OK)
    limited = RateLimited(429, "RATE-001", "Too many requests", retry_after=5)
    tracker(retry(limited, delay=5))
    state = tracker.state
    assert state.link is Link.RATE_LIMITED
    assert state.retry_at == clock.now + 5
    assert state.describe(now=clock.now) == "rate limited, retrying in 5 s"
    assert state.describe(now=clock.now + 2) == "rate limited, retrying in 3 s"
    assert state.describe(now=clock.now + 60) == "rate limited, retrying in 0 s"
    assert "RATE-001" in state.detail

    # The call gave up with the server's longer wait: a new retry time.
    clock.now += 1
    tracker(failed(RateLimited(429, "RATE-001", "Too many requests", retry_after=30)))
    assert tracker.state.retry_at == clock.now + 30
    assert tracker.state.since == state.since  # still the same spell of throttling
    assert tracker.state.describe(now=clock.now) == "rate limited, retrying in 30 s"
    assert changes.links == [Link.ONLINE, Link.RATE_LIMITED, Link.RATE_LIMITED]

    tracker(OK)
    assert changes.links[-1] is Link.ONLINE


def test_rate_limited_without_a_hint_and_noted_by_the_app(tracker: ConnectionTracker, clock: Clock) -> None:
    tracker(failed(RateLimited()))
    assert tracker.state.link is Link.RATE_LIMITED and tracker.state.retry_at == clock.now
    tracker.note_rate_limited(12)
    assert tracker.state.retry_at == clock.now + 12
    assert tracker.state.describe(now=clock.now + 2) == "rate limited, retrying in 10 s"
    assert ConnectionState(Link.RATE_LIMITED).describe() == "rate limited"


def test_auth_failure_then_back_online(tracker: ConnectionTracker, changes: Recorder) -> None:
    tracker(OK)
    refused = AuthError(401, "AUTH-001", "Invalid client credentials")
    tracker(failed(refused))
    assert tracker.state.link is Link.AUTH_FAILED
    assert tracker.state.describe() == "signed out"
    assert tracker.state.detail == "AUTH-001: Invalid client credentials"
    tracker(failed(refused))  # every later call is refused the same way: nothing new
    tracker(failed(refused))
    assert changes.links == [Link.ONLINE, Link.AUTH_FAILED]
    tracker(OK)
    assert changes.links == [Link.ONLINE, Link.AUTH_FAILED, Link.ONLINE]


def test_other_answers_mean_the_server_is_reachable(tracker: ConnectionTracker, changes: Recorder) -> None:
    tracker(retry(DOWN))
    tracker(failed(ApiError(400, "MSG-003", "template is empty")))
    assert tracker.state.link is Link.ONLINE
    tracker(retry(DOWN))
    tracker(failed(BadResponse("expected JSON", status=502)))
    assert tracker.state.link is Link.ONLINE
    tracker(failed(ApiError(404, "GEN-404", "Not found")))  # already online: no call
    assert changes.links == [Link.OFFLINE, Link.ONLINE, Link.OFFLINE, Link.ONLINE]


def test_offline_while_signed_out_and_rate_limited(tracker: ConnectionTracker, changes: Recorder) -> None:
    tracker(failed(AuthError(401, "AUTH-001", "no")))
    tracker(retry(DOWN))
    assert tracker.state.link is Link.OFFLINE
    tracker(retry(RateLimited(retry_after=2), delay=2))
    tracker(retry(DOWN))
    assert changes.links == [Link.AUTH_FAILED, Link.OFFLINE, Link.RATE_LIMITED, Link.OFFLINE]


def test_every_change_is_reported_and_nothing_else(tracker: ConnectionTracker, changes: Recorder) -> None:
    events = [OK, OK, retry(DOWN), failed(DOWN), retry(DOWN), OK, OK, failed(AuthError(403, "X", "y")), OK]
    seen = []
    for event in events:
        before = tracker.state
        tracker(event)
        if tracker.state != before:
            seen.append(tracker.state)
    assert changes.states == seen
    assert changes.links == [Link.ONLINE, Link.OFFLINE, Link.ONLINE, Link.AUTH_FAILED, Link.ONLINE]


async def test_tracks_a_real_client_against_the_sandbox() -> None:
    sandbox = make_sandbox(contacts=4, conversations=2)
    changes = Recorder()
    tracker = ConnectionTracker(changes)
    async with SakariClient(
        client_id="demo-client",
        client_secret="demo-secret",
        account_id="demo-account",
        api_url="http://sandbox.invalid",
        transport=httpx.ASGITransport(app=sandbox.app),
        retry=RetryPolicy(max_attempts=3, base_delay=0.001, max_delay=0.01, max_total=1.0),
    ) as client:
        client.add_listener(tracker)
        await client.conversations.fetch_all()
        assert tracker.state.link is Link.ONLINE

        sandbox.faults.down = True
        for _ in range(2):
            with pytest.raises(NetworkError):
                await client.conversations.fetch_all()
        assert changes.links == [Link.ONLINE, Link.OFFLINE]
        assert tracker.state.describe().startswith("offline since ")

        sandbox.faults.down = False
        sandbox.faults.rate_429 = 1.0
        sandbox.faults.retry_after = 3  # longer than the policy waits: the call gives up
        with pytest.raises(RateLimited):
            await client.conversations.fetch_all()
        assert tracker.state.link is Link.RATE_LIMITED
        assert tracker.state.describe().startswith("rate limited, retrying in ")

        sandbox.faults.rate_429 = 0.0
        await client.conversations.fetch_all()
        assert changes.links == [Link.ONLINE, Link.OFFLINE, Link.RATE_LIMITED, Link.ONLINE]
