"""Sending one API call: authentication, retries, error mapping, logging, events.

Every request goes through ``Transport.request``. It returns the decoded JSON body (None
for an empty one) or raises a ``SakariError``:

- a 401 on an authenticated call: fetch a new token and send once more (safe even for
  sends: a 401 means the server refused the request); a second 401 is an ``AuthError``;
- 429/502/503/504 and network failures: retried only when ``retryable`` (idempotent calls),
  with the ``RetryPolicy``; otherwise raised at once;
- everything the server says is scrubbed of the secret and tokens before it is raised.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable, Mapping
from typing import Any

import httpx

from .auth import Authenticator, BearerAuth, Token
from .capture import Exchange, active_for, decode_body
from .envelope import answered, api_error_from_body, excerpt
from .errors import ApiError, AuthError, BadResponse, NetworkError, RateLimited, SakariError
from .events import Listeners, RequestFailed, RequestSucceeded, RetryScheduled
from .redaction import Redactor
from .retry import NO_RETRY, RETRYABLE_STATUSES, RetryPolicy, parse_retry_after
from .values import MAX_JSON_DEPTH, nesting_depth

logger = logging.getLogger("sakari_tui.api")

# Failures that happen before a single byte reaches the server.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.ProxyError, httpx.UnsupportedProtocol)

_NOT_JSON = object()
_TOO_DEEP = object()


class Transport:
    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        retry: RetryPolicy,
        listeners: Listeners,
        redactor: Redactor,
    ) -> None:
        self._http = http
        self._retry = retry
        self._listeners = listeners
        self._redact = redactor

    def __repr__(self) -> str:
        return f"Transport(base_url={str(self._http.base_url)!r})"

    async def request(
        self,
        method: str,
        path: str,
        *,
        auth: Authenticator | None,
        retryable: bool,
        refused_is_auth_error: bool = False,
        read: Callable[[bytes], Any] | None = None,
        quote_body: bool = True,
        **options: Any,
    ) -> Any:
        """Send ``method path`` and return the decoded JSON body, or ``read(body)``.

        ``options`` go to ``httpx.AsyncClient.request`` (params, json, content, files,
        headers). ``refused_is_auth_error`` makes 400 an ``AuthError`` too, for the token
        endpoint, which answers bad credentials with 400 or 401.

        ``read`` replaces the decoding of a successful answer, for big answers: it is given
        the raw body and runs in a worker thread, so the event loop keeps running meanwhile.
        A ``ValueError`` from it means the body is not JSON (``BadResponse``); a
        ``SakariError`` from it ends the call.

        ``quote_body=False`` keeps a successful answer's body out of any error (the token
        endpoint's: a cut-off answer would show the start of the token).
        """
        policy = self._retry if retryable else NO_RETRY
        started = policy.clock()
        attempt = 0
        refreshed = False
        rejected: Token | None = None
        while True:
            token = None
            if auth is not None:
                # Token failures (already retried on their own) end the call, marked as
                # failing before its own request left.
                try:
                    token = await (auth.refresh(rejected) if rejected is not None else auth.token())
                except SakariError as error:
                    _mark_before_request(error)
                    raise
                rejected = None
            response: httpx.Response | None = None
            try:
                response = await self._send(method, path, token, options)
                self._capture(method, response, quote_body)
                if response.status_code == 401 and auth is not None and not refreshed:
                    rejected, refreshed = token, True
                    continue  # once: new token, same request; not counted as a retry
                if read is not None and response.is_success:
                    body = await self._read_in_thread(response, read, quote_body)
                else:
                    body = self._read(response, refused_is_auth_error, quote_body)
            except SakariError as error:
                attempt += 1
                delay = self._delay_before_retry(policy, error, response, attempt, started)
                if delay is None:
                    self._listeners.emit(RequestFailed(method, path, error))
                    raise
                logger.debug("%s %s: %s; retry %d in %.2f s", method, path, error, attempt, delay)
                self._listeners.emit(RetryScheduled(method, path, delay, _reason(error), attempt, error))
                await policy.sleep(delay)
                continue
            self._listeners.emit(RequestSucceeded(method, path, response.status_code, _elapsed_ms(response)))
            return body

    async def _send(self, method: str, path: str, token: Token | None, options: Mapping[str, Any]) -> httpx.Response:
        started = time.monotonic()
        auth = BearerAuth(token) if token is not None else httpx.USE_CLIENT_DEFAULT
        try:
            response = await self._http.request(method, path, auth=auth, **options)
        except httpx.TransportError as exc:
            elapsed_ms = (time.monotonic() - started) * 1000
            logger.debug("%s %s failed after %.0f ms: %s", method, path, elapsed_ms, type(exc).__name__)
            raise self._network_error(exc) from exc
        except httpx.DecodingError as exc:
            raise BadResponse("the body could not be decoded") from exc
        elapsed_ms = (time.monotonic() - started) * 1000
        logger.debug("%s %s -> %d (%.0f ms)", method, path, response.status_code, elapsed_ms)
        answered(response.status_code, self._redact, response.headers.get("Date"))
        return response

    def _capture(self, method: str, response: httpx.Response, quote_body: bool = True) -> None:
        """Keep the answer for a ``capture()`` block of this task, if one is open. An answer
        whose body is not to be quoted (the token endpoint's) is kept only if it is JSON,
        where its credential fields are masked: cut off, its text would show the token."""
        captured = active_for(self)
        if captured is None:
            return
        body, text = decode_body(response.content, self._redact)
        if text is not None and not quote_body and response.is_success:
            text = f"(not shown: {len(response.content)} bytes that are not JSON, from the token endpoint)"
        url = response.request.url.raw_path.decode("ascii", "replace")
        captured.exchanges.append(Exchange(method, url, response.status_code, _elapsed_ms(response), body, text))

    def _read(self, response: httpx.Response, refused_is_auth_error: bool, quote_body: bool = True) -> Any:
        """The decoded body of a successful answer, or the error an unsuccessful one means."""
        status = response.status_code
        raw = response.content
        body = _decode_json(raw)
        if body is _TOO_DEEP:
            # Hostile or broken: nothing of it is worth reading, or quoting.
            raise BadResponse("JSON nested too deeply to read", status=status)
        if response.is_success:
            if not raw.strip():
                return None
            if body is _NOT_JSON:
                raise self._bad_response("expected JSON", response, quote_body)
            return body
        if body is _NOT_JSON and raw.strip() and status not in (401, 403, 429):
            # A proxy's HTML error page, say: the API itself did not answer.
            raise self._bad_response("expected a JSON error", response)
        error = api_error_from_body(body if body is not _NOT_JSON else None, status)
        code, message = self._redact(error.code), self._redact(error.message)
        if status == 429:
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            raise RateLimited(status, code, message, retry_after=retry_after)
        if status in (401, 403) or (status == 400 and refused_is_auth_error):
            raise AuthError(status, code, message)
        raise ApiError(status, code, message)

    async def _read_in_thread(
        self, response: httpx.Response, read: Callable[[bytes], Any], quote_body: bool = True
    ) -> Any:
        try:
            return await asyncio.to_thread(read, response.content)
        except RecursionError:
            raise BadResponse("JSON nested too deeply to read", status=response.status_code) from None
        except ValueError as exc:  # includes JSONDecodeError and UnicodeDecodeError
            raise self._bad_response("expected JSON", response, quote_body) from exc

    def _delay_before_retry(
        self,
        policy: RetryPolicy,
        error: SakariError,
        response: httpx.Response | None,
        attempt: int,
        started: float,
    ) -> float | None:
        if isinstance(error, NetworkError):
            retry_after = None
        elif isinstance(error, ApiError | BadResponse) and error.status in RETRYABLE_STATUSES:
            retry_after = parse_retry_after(response.headers.get("Retry-After")) if response else None
        else:
            return None
        return policy.next_delay(attempt, policy.clock() - started, retry_after)

    def _bad_response(self, reason: str, response: httpx.Response, quote_body: bool = True) -> BadResponse:
        if not quote_body:
            return BadResponse(reason, status=response.status_code)
        # Redact the whole body, then cut: a secret crossing the cut must not leave its start.
        text = self._redact(response.content.decode("utf-8", "replace")) or ""
        return BadResponse(reason, status=response.status_code, excerpt=excerpt(text))

    def _network_error(self, exc: httpx.TransportError) -> NetworkError:
        host = exc.request.url.host if _has_request(exc) else "the server"
        detail = self._redact(str(exc).strip()) or ""
        name = type(exc).__name__
        if isinstance(exc, httpx.TimeoutException):
            text = f"Timed out talking to {host} ({name})"
        elif isinstance(exc, _NOT_SENT):
            text = f"Could not connect to {host}"
        else:
            text = f"Connection to {host} failed ({name})"
        if detail:
            text += f": {detail}"
        return NetworkError(text, may_have_been_sent=not isinstance(exc, _NOT_SENT))


def _mark_before_request(error: SakariError) -> None:
    """Make ``error``, from the token request, the failure of a call whose request never left."""
    error.while_authenticating = True
    if isinstance(error, NetworkError):
        error.may_have_been_sent = False


def _decode_json(raw: bytes) -> Any:
    if not raw.strip():
        return None
    try:
        value = json.loads(raw)
    except ValueError:  # includes UnicodeDecodeError
        return _NOT_JSON
    except RecursionError:  # thousands of nested brackets: hostile, or broken
        return _TOO_DEEP
    return value if nesting_depth(value) <= MAX_JSON_DEPTH else _TOO_DEEP


def _has_request(exc: httpx.TransportError) -> bool:
    try:
        exc.request  # noqa: B018 - raises RuntimeError when the exception has none
    except RuntimeError:
        return False
    return True


def _elapsed_ms(response: httpx.Response) -> float:
    try:
        return response.elapsed.total_seconds() * 1000
    except RuntimeError:  # not available before the body is read; ours always is
        return 0.0


def _reason(error: SakariError) -> str:
    """A short label for a retry, for status lines: "rate limited", "HTTP 503", "timeout"."""
    if isinstance(error, RateLimited):
        return "rate limited"
    if isinstance(error, ApiError | BadResponse) and error.status is not None:
        return f"HTTP {error.status}"
    if isinstance(error, NetworkError):
        return "timeout" if isinstance(error.__cause__, httpx.TimeoutException) else "connection failed"
    return type(error).__name__
