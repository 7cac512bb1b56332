"""The client under failure: expired and refused tokens, throttling, flaky gateways,
dropped connections, and which calls may be retried. All over httpx.MockTransport, with
the retry policy's sleep and clock replaced so nothing really waits."""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import traceback
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import httpx
import pytest

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

SECRET = "s3cr3t-client-secret-value"
TOKEN_1 = "tok-aaaaaaaaaaaaaaaa-1"
TOKEN_2 = "tok-bbbbbbbbbbbbbbbb-2"
ACCOUNT = "acc1"
CONTACTS_PATH = f"/v1/accounts/{ACCOUNT}/contacts"
CONTACTS_OK = {
    "success": True,
    "data": [{"id": "c1", "firstName": "Ann"}],
    "pagination": {"offset": 0, "limit": 10, "totalCount": 1},
}


class FakeTime:
    """A clock that only moves when the client sleeps (or a test says so)."""

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


class Server:
    """A scripted server: a token endpoint handing out tokens in turn, and an API handler."""

    def __init__(self, api, tokens=(TOKEN_1, TOKEN_2, "tok-3", "tok-4"), token_extra=None):
        self.api = api
        self.tokens = list(tokens)
        self.token_extra = token_extra or {}
        self.token_requests: list[httpx.Request] = []
        self.api_requests: list[httpx.Request] = []

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/oauth2/token":
            self.token_requests.append(request)
            await asyncio.sleep(0)  # let concurrent callers pile up behind the lock
            token = self.tokens[len(self.token_requests) - 1]
            return httpx.Response(200, json={"access_token": token, "token_type": "bearer", **self.token_extra})
        self.api_requests.append(request)
        return self.api(request)


def make_client(server, time: FakeTime | None = None, **retry) -> SakariClient:
    time = time or FakeTime()
    policy = RetryPolicy(
        **{"max_attempts": 4, "base_delay": 0.5, "max_delay": 8.0, "max_total": 30.0, **retry},
        sleep=time.sleep,
        clock=time.clock,
        jitter=lambda: 0.5,
    )
    return SakariClient(
        api_url="https://api.test",
        client_id="client-1",
        client_secret=SECRET,
        account_id=ACCOUNT,
        transport=httpx.MockTransport(server),
        retry=policy,
        clock=time.clock,
    )


def bearer(request: httpx.Request) -> str:
    return request.headers.get("Authorization", "").removeprefix("Bearer ")


def jwt(exp: float) -> str:
    def part(obj):
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'HS256'})}.{part({'exp': exp, 'sub': 'x'})}.c2lnbmF0dXJl"


def scripted(*responses):
    """An API handler answering with ``responses`` in turn (the last one repeats);
    an exception instance is raised instead of answered."""
    calls = iter(range(10_000))

    def handler(request):
        answer = responses[min(next(calls), len(responses) - 1)]
        if isinstance(answer, Exception):
            raise answer
        return answer

    return handler


def ok_contacts() -> httpx.Response:
    return httpx.Response(200, json=CONTACTS_OK)


# --- tokens -------------------------------------------------------------------------------


async def test_token_request_is_client_credentials_json():
    server = Server(scripted(ok_contacts()))
    async with make_client(server) as client:
        await client.contacts.fetch_all()
    (request,) = server.token_requests
    assert request.method == "POST" and request.url == "https://api.test/oauth2/token"
    assert request.headers["Content-Type"] == "application/json"
    assert "chunked" not in request.headers.get("Transfer-Encoding", "")
    assert json.loads(request.content) == {
        "client_id": "client-1",
        "client_secret": SECRET,
        "grant_type": "client_credentials",
    }
    assert bearer(server.api_requests[0]) == TOKEN_1


async def test_token_is_cached_across_calls():
    server = Server(scripted(ok_contacts()))
    async with make_client(server) as client:
        for _ in range(3):
            await client.contacts.fetch_all()
    assert len(server.token_requests) == 1
    assert [bearer(r) for r in server.api_requests] == [TOKEN_1] * 3


async def test_concurrent_calls_share_one_token_fetch():
    server = Server(scripted(ok_contacts()))
    async with make_client(server) as client:
        pages = await asyncio.gather(*(client.contacts.fetch_all() for _ in range(10)))
    assert len(pages) == 10
    assert len(server.token_requests) == 1


async def test_token_refreshed_shortly_before_expires_in():
    time = FakeTime()
    server = Server(scripted(ok_contacts()), token_extra={"expires_in": 3600})
    async with make_client(server, time) as client:
        await client.contacts.fetch_all()
        time.now += 3600 - 120  # two minutes left: still used
        await client.contacts.fetch_all()
        assert len(server.token_requests) == 1
        time.now += 90  # thirty seconds left: inside the refresh margin
        await client.contacts.fetch_all()
    assert len(server.token_requests) == 2
    assert [bearer(r) for r in server.api_requests] == [TOKEN_1, TOKEN_1, TOKEN_2]


async def test_token_expiry_read_from_jwt_exp():
    time = FakeTime()
    tokens = (jwt(time.now + 600), jwt(time.now + 1200))
    server = Server(scripted(ok_contacts()), tokens=tokens)
    async with make_client(server, time) as client:
        token = await client.authentication.auth_token()
        assert token.expires_at == datetime.fromtimestamp(time.now + 600, timezone.utc)
        await client.contacts.fetch_all()
        time.now += 599  # past exp minus the margin
        await client.contacts.fetch_all()
    assert len(server.token_requests) == 2
    assert [bearer(r) for r in server.api_requests] == [tokens[0], tokens[1]]


async def test_jwt_expired_by_the_local_clock_is_not_fetched_again_before_every_call():
    # The server's clock is behind ours (no Date header, no iat to tell by how much): its
    # token looks expired here, but the server takes it. Fetching a new one before every
    # call would double the requests; the token is kept for the default lifetime instead,
    # and a 401 would still bring a new one.
    time = FakeTime()
    tokens = (jwt(time.now - 10), jwt(time.now + 600))
    server = Server(scripted(ok_contacts()), tokens=tokens)
    async with make_client(server, time) as client:
        for _ in range(3):
            await client.contacts.fetch_all()
    assert len(server.token_requests) == 1
    assert [bearer(r) for r in server.api_requests] == [tokens[0]] * 3


async def test_auth_token_fetches_fresh_and_caches_it():
    server = Server(scripted(ok_contacts()))
    async with make_client(server) as client:
        await client.contacts.fetch_all()
        token = await client.authentication.auth_token()
        await client.contacts.fetch_all()
    assert token.access_token == TOKEN_2
    assert [bearer(r) for r in server.api_requests] == [TOKEN_1, TOKEN_2]


async def test_401_refreshes_token_and_retries_once():
    server = Server(lambda r: ok_contacts() if bearer(r) == TOKEN_2 else httpx.Response(401))
    async with make_client(server) as client:
        page = await client.contacts.fetch_all()
    assert [c.id for c in page.items] == ["c1"]
    assert len(server.token_requests) == 2
    assert [bearer(r) for r in server.api_requests] == [TOKEN_1, TOKEN_2]


async def test_simultaneous_401s_share_one_refresh():
    server = Server(lambda r: ok_contacts() if bearer(r) == TOKEN_2 else httpx.Response(401))
    async with make_client(server) as client:
        await client.authentication.auth_token()  # everyone starts with TOKEN_1
        pages = await asyncio.gather(*(client.contacts.fetch_all() for _ in range(5)))
    assert all(page.items for page in pages)
    assert len(server.token_requests) == 2


async def test_second_401_is_auth_error():
    body = {"success": False, "error": {"code": "AUTH-001", "message": "Not authorised"}}
    server = Server(scripted(httpx.Response(401, json=body)))
    async with make_client(server) as client:
        with pytest.raises(AuthError) as caught:
            await client.contacts.fetch_all()
    assert str(caught.value) == "AUTH-001: Not authorised"
    assert caught.value.status == 401
    assert len(server.token_requests) == 2 and len(server.api_requests) == 2


async def test_403_is_auth_error_without_refresh():
    server = Server(scripted(httpx.Response(403, json={"success": False, "error": {}})))
    async with make_client(server) as client:
        with pytest.raises(AuthError):
            await client.contacts.fetch_all()
    assert len(server.token_requests) == 1 and len(server.api_requests) == 1


async def test_401_refresh_also_applies_to_a_send():
    sent = {"success": True, "data": {"jobId": "j1", "messages": [], "queued": 1}}
    server = Server(lambda r: httpx.Response(200, json=sent) if bearer(r) == TOKEN_2 else httpx.Response(401))
    async with make_client(server) as client:
        result = await client.messages.send("hi", contacts=[{"id": "c1"}])
    assert result.job_id == "j1"
    assert len(server.api_requests) == 2  # refused once, then accepted


@pytest.mark.parametrize(
    "status, body",
    [
        (401, {"success": False, "error": {"code": "AUTH-002", "message": "Bad credentials"}}),
        (400, {"error": "invalid_client", "error_description": "Bad credentials"}),
    ],
)
async def test_token_endpoint_refusal_is_auth_error_with_server_message(status, body):
    def handler(request):
        return httpx.Response(status, json=body)

    async with make_client(handler) as client:
        with pytest.raises(AuthError) as caught:
            await client.contacts.fetch_all()
    assert "Bad credentials" in str(caught.value)
    assert caught.value.status == status


async def test_token_response_without_access_token_is_bad_response():
    def handler(request):
        return httpx.Response(200, json={"token_type": "bearer"})

    async with make_client(handler) as client:
        with pytest.raises(BadResponse, match="access_token"):
            await client.authentication.auth_token()


# --- throttling and flaky servers -----------------------------------------------------------


async def test_429_retry_after_seconds_is_honoured():
    time = FakeTime()
    events = []
    server = Server(scripted(httpx.Response(429, headers={"Retry-After": "3"}), ok_contacts()))
    async with make_client(server, time) as client:
        client.add_listener(events.append)
        page = await client.contacts.fetch_all()
    assert page.items[0].id == "c1"
    assert time.sleeps == [3.0]
    retry = next(e for e in events if isinstance(e, RetryScheduled))
    assert (retry.delay, retry.reason, retry.attempt) == (3.0, "rate limited", 1)
    assert isinstance(retry.error, RateLimited) and retry.error.retry_after == 3.0
    assert isinstance(events[-1], RequestSucceeded)


async def test_429_retry_after_http_date_is_honoured():
    time = FakeTime()
    when = datetime.now(timezone.utc) + timedelta(seconds=6)
    header = {"Retry-After": format_datetime(when, usegmt=True)}
    server = Server(scripted(httpx.Response(429, headers=header), ok_contacts()))
    async with make_client(server, time) as client:
        await client.contacts.fetch_all()
    (slept,) = time.sleeps
    assert 4.0 <= slept <= 6.0


async def test_429_asking_longer_than_the_policy_allows_raises_rate_limited():
    time = FakeTime()
    body = {"success": False, "error": {"code": "RATE-1", "message": "Slow down"}}
    server = Server(scripted(httpx.Response(429, json=body, headers={"Retry-After": "120"})))
    async with make_client(server, time) as client:
        with pytest.raises(RateLimited) as caught:
            await client.contacts.fetch_all()
    assert caught.value.retry_after == 120.0
    assert str(caught.value) == "RATE-1: Slow down (retry after 120 s)"
    assert time.sleeps == [] and len(server.api_requests) == 1


async def test_503_is_retried_then_succeeds():
    time = FakeTime()
    server = Server(scripted(httpx.Response(503), ok_contacts()))
    async with make_client(server, time) as client:
        page = await client.contacts.fetch_all()
    assert page.items[0].first_name == "Ann"
    assert len(server.api_requests) == 2
    assert time.sleeps == [0.25]  # full jitter: jitter() * base_delay, jitter() = 0.5


async def test_backoff_grows_exponentially_and_is_capped():
    time = FakeTime()
    server = Server(scripted(httpx.Response(504)))
    async with make_client(server, time, max_attempts=6, max_delay=3.0, max_total=100) as client:
        with pytest.raises(ApiError):
            await client.contacts.fetch_all()
    assert time.sleeps == [0.25, 0.5, 1.0, 1.5, 1.5]


async def test_html_502_is_bad_response_after_retries():
    time = FakeTime()
    page = "<html><body><h1>502 Bad Gateway</h1></body></html>"
    server = Server(scripted(httpx.Response(502, text=page, headers={"Content-Type": "text/html"})))
    async with make_client(server, time) as client:
        with pytest.raises(BadResponse) as caught:
            await client.contacts.fetch_all()
    assert caught.value.status == 502
    assert "502 Bad Gateway" in caught.value.excerpt
    assert len(server.api_requests) == 4 and len(time.sleeps) == 3


async def test_retries_are_bounded_by_max_attempts():
    time = FakeTime()
    server = Server(scripted(httpx.Response(503)))
    async with make_client(server, time, max_attempts=3) as client:
        with pytest.raises(ApiError) as caught:
            await client.contacts.fetch_all()
    assert caught.value.status == 503 and str(caught.value) == "HTTP 503"
    assert len(server.api_requests) == 3


async def test_retries_are_bounded_by_max_total():
    time = FakeTime()
    server = Server(scripted(httpx.Response(503)))
    retry = {"max_attempts": 10, "base_delay": 4.0, "max_delay": 100.0, "max_total": 5.0}
    async with make_client(server, time, **retry) as client:
        with pytest.raises(ApiError):
            await client.contacts.fetch_all()
    # waits of 2 s, then 4 s would end past 5 s in total: stop after the second attempt
    assert time.sleeps == [2.0]
    assert len(server.api_requests) == 2


async def test_500_is_not_retried():
    body = {"success": False, "error": {"code": "SRV-1", "message": "Boom"}}
    server = Server(scripted(httpx.Response(500, json=body)))
    async with make_client(server) as client:
        with pytest.raises(ApiError) as caught:
            await client.contacts.fetch_all()
    assert str(caught.value) == "SRV-1: Boom"
    assert len(server.api_requests) == 1


async def test_timeout_is_network_error_that_may_have_been_sent():
    time = FakeTime()
    server = Server(scripted(httpx.ReadTimeout("read timed out")))
    async with make_client(server, time) as client:
        with pytest.raises(NetworkError) as caught:
            await client.contacts.fetch_all()
    assert caught.value.may_have_been_sent is True
    assert "Timed out" in str(caught.value)
    assert len(server.api_requests) == 4  # a GET is retried


async def test_connect_error_is_network_error_not_sent():
    server = Server(scripted(httpx.ConnectError("[Errno 111] Connection refused")))
    async with make_client(server) as client:
        with pytest.raises(NetworkError) as caught:
            await client.contacts.fetch_all()
    assert caught.value.may_have_been_sent is False
    assert "Could not connect to api.test" in str(caught.value)


async def test_dropped_connection_then_success():
    server = Server(scripted(httpx.RemoteProtocolError("Server disconnected"), ok_contacts()))
    async with make_client(server) as client:
        page = await client.contacts.fetch_all()
    assert len(page.items) == 1 and len(server.api_requests) == 2


async def test_connect_error_on_token_endpoint_ends_the_call():
    def handler(request):
        raise httpx.ConnectError("refused")

    time = FakeTime()
    async with make_client(handler, time, max_attempts=3) as client:
        with pytest.raises(NetworkError) as caught:
            await client.contacts.fetch_all()
    assert caught.value.may_have_been_sent is False
    assert len(time.sleeps) == 2  # the token POST is retried, the outer call is not


# --- calls that must never be repeated ----------------------------------------------------


def _non_idempotent_calls():
    return {
        "messages.send": lambda c: c.messages.send("hi", contacts=[{"id": "c1"}]),
        "contacts.create": lambda c: c.contacts.create({"firstName": "Ann"}),
        "templates.create": lambda c: c.templates.create("t", "Hello"),
        "campaigns.create": lambda c: c.campaigns.create({"template": "Hello"}),
        "webhooks.subscribe": lambda c: c.webhooks.subscribe("https://x.test/h", ["message-received"]),
        "tools.share_file": lambda c: c.tools.share_file(b"data", "a.txt"),
    }


@pytest.mark.parametrize("operation", sorted(_non_idempotent_calls()))
@pytest.mark.parametrize(
    "failure, error_type, may_have_been_sent",
    [
        (httpx.Response(503), ApiError, None),
        (httpx.Response(429, headers={"Retry-After": "1"}), RateLimited, None),
        (httpx.ReadTimeout("timed out"), NetworkError, True),
        (httpx.RemoteProtocolError("Server disconnected"), NetworkError, True),
        (httpx.ConnectError("refused"), NetworkError, False),
    ],
    ids=["503", "429", "timeout", "dropped", "refused"],
)
async def test_non_idempotent_calls_are_never_retried(operation, failure, error_type, may_have_been_sent):
    time = FakeTime()
    server = Server(scripted(failure))
    async with make_client(server, time) as client:
        with pytest.raises(error_type) as caught:
            await _non_idempotent_calls()[operation](client)
    assert len(server.api_requests) == 1
    assert time.sleeps == []
    if may_have_been_sent is not None:
        assert caught.value.may_have_been_sent is may_have_been_sent


# --- events ---------------------------------------------------------------------------------


async def test_request_failed_event_and_broken_listener_is_ignored():
    events = []

    def broken(event):
        raise RuntimeError("listener bug")

    server = Server(scripted(httpx.ConnectError("refused")))
    async with make_client(server, max_attempts=2) as client:
        client.add_listener(broken)
        client.add_listener(events.append)
        with pytest.raises(NetworkError) as caught:
            await client.contacts.fetch_all()
    kinds = [type(e).__name__ for e in events]
    assert kinds == ["RequestSucceeded", "RetryScheduled", "RequestFailed"]  # token ok first
    assert events[1].reason == "connection failed"
    assert isinstance(events[-1], RequestFailed) and events[-1].error is caught.value
    assert events[-1].path == CONTACTS_PATH


# --- secrets stay secret --------------------------------------------------------------------


def _all_text_of(error: BaseException) -> str:
    """Everything a crash report could show, local variables included."""
    return "".join(traceback.TracebackException.from_exception(error, capture_locals=True).format())


async def test_secret_and_tokens_never_leak(caplog):
    caplog.set_level(logging.DEBUG)
    server = Server(
        scripted(
            httpx.Response(401),  # forces a refresh: both tokens are in play
            httpx.Response(502, text="<html>Bad Gateway</html>"),
        )
    )
    async with make_client(server, max_attempts=2) as client:
        with pytest.raises(BadResponse) as bad:
            await client.contacts.fetch_all()
        token = client._auth.cached
        texts = [repr(client), str(client), repr(token), str(token), repr(client.contacts),
                 str(bad.value), repr(bad.value), _all_text_of(bad.value)]  # fmt: skip

    def drop(request):
        raise httpx.ReadTimeout("timed out")

    async with make_client(Server(drop), max_attempts=1) as client:
        with pytest.raises(NetworkError) as dropped:
            await client.messages.send("hi", contacts=[{"id": "c1"}])
        texts += [str(dropped.value), repr(dropped.value), _all_text_of(dropped.value)]

    def refuse(request):
        return httpx.Response(401, json={"success": False, "error": {"code": "AUTH"}})

    async with make_client(refuse) as client:
        with pytest.raises(AuthError) as refused:
            await client.authentication.auth_token()
        texts += [str(refused.value), repr(refused.value), _all_text_of(refused.value)]

    texts += [record.getMessage() for record in caplog.records]
    assert any("/v1/accounts/acc1/contacts" in t for t in texts)  # the log did say something
    for text in texts:
        for secret in (SECRET, TOKEN_1, TOKEN_2):
            assert secret not in text


async def test_secret_echoed_by_the_server_is_masked_in_errors(caplog):
    caplog.set_level(logging.DEBUG)
    server = Server(scripted(httpx.Response(502, text=f"<html>{TOKEN_1} {SECRET}</html>")))
    async with make_client(server, max_attempts=1) as client:
        with pytest.raises(BadResponse) as bad:
            await client.contacts.fetch_all()
    assert "<html>*** ***</html>" in str(bad.value)

    def refuse(request):
        error = {"code": "AUTH", "message": f"unknown secret {SECRET}"}
        return httpx.Response(401, json={"success": False, "error": error})

    async with make_client(refuse) as client:
        with pytest.raises(AuthError) as refused:
            await client.authentication.auth_token()
    assert str(refused.value) == "AUTH: unknown secret ***"
    for text in (str(bad.value), repr(bad.value), str(refused.value), repr(refused.value),
                 *(record.getMessage() for record in caplog.records)):  # fmt: skip
        assert SECRET not in text and TOKEN_1 not in text


async def test_debug_log_line_per_request(caplog):
    caplog.set_level(logging.DEBUG, logger="sakari_tui.api")
    server = Server(scripted(ok_contacts()))
    async with make_client(server) as client:
        await client.contacts.fetch_all()
    lines = [r.getMessage() for r in caplog.records if r.name == "sakari_tui.api"]
    assert any(line.startswith("POST /oauth2/token -> 200") for line in lines)
    assert any(line.startswith(f"GET {CONTACTS_PATH} -> 200") and "ms" in line for line in lines)
