"""Reading the response envelope: ``{"success": ..., "data": ..., "pagination": ...}``.

This is the one place that decides a response is the wrong shape. The rules:

- ``success: false`` in any answer is an ``ApiError`` with the body's ``error`` code/message,
  whatever the HTTP status said.
- An operation that returns an object needs ``data`` to be a JSON object, and one that
  returns a list needs ``data`` to be a list of objects; otherwise ``BadResponse``.
- Inside ``data``, every field is read leniently by the models.

The status and the redactor of the answer being read come from ``answered()``, which the
transport calls for each response in the task that made the request: a badly shaped 201
is reported as a 201, and an excerpt never shows the secret or a token.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from typing import Any

from .errors import ApiError, BadResponse
from .values import as_dict, as_list, as_str

EXCERPT_CHARS = 160  # enough to recognise a proxy page, short enough for a status line
REASON_CHARS = 500  # of a server's reason, when it sends a long one

Redact = Callable[[str | None], str | None]

# (status, redactor) of the last answer the transport read in this task.
_answer: ContextVar[tuple[int, Redact] | None] = ContextVar("sakari_tui_api_answer", default=None)
# The server's clock (its Date header, epoch seconds) at that answer, if it sent one.
_server_date: ContextVar[float | None] = ContextVar("sakari_tui_api_server_date", default=None)


def answered(status: int, redact: Redact, date: str | None = None) -> None:
    """Record the answer being read, for the envelope's errors (called by the transport)."""
    _answer.set((status, redact))
    _server_date.set(_http_date(date))


def server_date() -> float | None:
    """The Date header of the last answer read in this task, as epoch seconds."""
    return _server_date.get()


def _http_date(value: str | None) -> float | None:
    if not value:
        return None
    from email.utils import parsedate_to_datetime

    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return when.timestamp() if when.tzinfo is not None else None


def answer_status() -> int | None:
    """The status of the last answer read in this task, for errors raised after reading it."""
    answer = _answer.get()
    return answer[0] if answer is not None else None


def _status(status: int | None) -> int:
    if status is not None:
        return status
    answer = _answer.get()
    return answer[0] if answer is not None else 200


def _redact(text: str) -> str:
    answer = _answer.get()
    return (answer[1](text) or text) if answer is not None else text


def excerpt(value: object) -> str:
    """The first characters of a body, for error messages. The caller redacts ``value``
    first: cutting first could leave the start of a secret that crosses the cut."""
    try:
        text = value if isinstance(value, str) else json.dumps(value, default=str)
    except (ValueError, RecursionError):
        text = f"({type(value).__name__})"
    text = " ".join(text.split())
    return text if len(text) <= EXCERPT_CHARS else text[: EXCERPT_CHARS - 1] + "…"


def redacted_excerpt(value: Any) -> str:
    """``excerpt`` of ``value`` with the secret and tokens masked before it is cut."""
    try:
        text = value if isinstance(value, str) else json.dumps(value, default=str)
    except (ValueError, RecursionError):
        text = f"({type(value).__name__})"
    return excerpt(_redact(text))


def _bad_shape(reason: str, body: Any, status: int | None) -> BadResponse:
    return BadResponse(reason, status=_status(status), excerpt=redacted_excerpt(body))


def _text(value: Any) -> str | None:
    text = as_str(value)
    if text is None:
        return None
    text = " ".join(_redact(text).split())
    if not text:
        return None
    return text if len(text) <= REASON_CHARS else text[: REASON_CHARS - 1] + "…"


def _first(mapping: Mapping[str, Any], *names: str) -> str | None:
    for name in names:
        text = _text(mapping.get(name))
        if text:
            return text
    return None


def _listed_errors(errors: Any) -> tuple[str | None, str | None]:
    """Code and message from ``errors``: a list of ``{code, message}`` objects or of
    strings, or an object of field -> message(s)."""
    codes: list[str] = []
    messages: list[str] = []
    if isinstance(errors, dict):
        for name, value in errors.items():
            texts = [t for t in map(_text, as_list(value) or [value]) if t]
            if texts:
                messages.append(f"{name}: {'; '.join(texts)}")
    for item in as_list(errors):
        if isinstance(item, dict):
            code = _first(item, "code", "type")
            text = _first(item, "message", "description", "detail", "title", "msg")
            field = _first(item, "field", "param", "path")
            if code:
                codes.append(code)
            if text:
                messages.append(f"{field}: {text}" if field else text)
        elif _text(item):
            messages.append(_text(item) or "")
    code = codes[0] if codes else None
    return code, ("; ".join(messages) or None)


def api_error_from_body(body: Any, status: int) -> ApiError:
    """An ``ApiError`` saying what the server said, in any of the shapes seen:

    - Sakari's ``{"success": false, "error": {code, message | description}}``;
    - OAuth's ``{"error": "invalid_client", "error_description": ...}``;
    - gateways' ``{"statusCode", "error", "message"}``, ``{"message": ...}``,
      ``{"errors": [{code, message}, ...]}``, problem details ``{"title", "detail"}``.

    A body that names no reason at all says so, rather than leaving only the status.
    """
    data = as_dict(body)
    nested = as_dict(data.get("error"))
    if nested:
        code = _first(nested, "code", "type", "name")
        message = _first(nested, "message", "description", "detail", "error_description")
        if not message:
            message = _listed_errors(nested.get("errors"))[1]
        if code or message:
            return ApiError(status, code, message)
    listed_code, listed = _listed_errors(data.get("errors"))
    error_word = _text(data.get("error")) if isinstance(data.get("error"), str) else None
    code = error_word or _first(data, "code", "errorCode", "title") or listed_code
    message = _first(data, "error_description", "message", "detail", "description", "msg") or listed
    if code and message and code == message:
        code = None
    if code or message:
        return ApiError(status, code, message)
    if data.get("success") is False:
        return ApiError(status, None, "the server said success: false and gave no reason")
    if body not in (None, {}, [], ""):
        # Some JSON we do not know: show it, cut short.
        return ApiError(status, None, redacted_excerpt(body))
    return ApiError(status)


def expect_success(body: object, status: int | None = None) -> None:
    """Raise ``ApiError`` if the body says ``success: false``; nothing else is required."""
    if isinstance(body, dict) and body.get("success") is False:
        raise api_error_from_body(body, _status(status))


def data_object(body: object, status: int | None = None) -> dict[str, Any]:
    """The ``data`` object of an answer that must carry one."""
    expect_success(body, status)
    if not isinstance(body, dict):
        raise _bad_shape("expected a JSON object", body, status)
    data = body.get("data")
    if not isinstance(data, dict):
        raise _bad_shape('expected "data" to be an object', body, status)
    return data


def data_list(body: object, status: int | None = None) -> list[dict[str, Any]]:
    """The ``data`` list of an answer that must carry one, every item an object."""
    expect_success(body, status)
    if not isinstance(body, dict):
        raise _bad_shape("expected a JSON object", body, status)
    data = body.get("data")
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise _bad_shape('expected "data" to be a list of objects', body, status)
    return data
