"""Reading the response envelope: ``{"success": ..., "data": ..., "pagination": ...}``.

This is the one place that decides a response is the wrong shape. The rules:

- ``success: false`` in any answer is an ``ApiError`` with the body's ``error`` code/message,
  whatever the HTTP status said.
- An operation that returns an object needs ``data`` to be a JSON object, and one that
  returns a list needs ``data`` to be a list of objects; otherwise ``BadResponse``.
- Inside ``data``, every field is read leniently by the models.
"""

from __future__ import annotations

import json
from typing import Any

from .errors import ApiError, BadResponse
from .values import as_dict, as_str

EXCERPT_CHARS = 160  # enough to recognise a proxy page, short enough for a status line


def excerpt(value: object) -> str:
    """The first characters of a body, for error messages."""
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    text = " ".join(text.split())
    return text if len(text) <= EXCERPT_CHARS else text[: EXCERPT_CHARS - 1] + "…"


def api_error_from_body(body: Any, status: int) -> ApiError:
    """An ``ApiError`` from an error body: Sakari's ``{"success": false, "error": {code,
    message}}``, or OAuth's ``{"error": "invalid_client", "error_description": ...}``."""
    body = as_dict(body)
    if isinstance(body.get("error"), str):
        return ApiError(status, body["error"], as_str(body.get("error_description")))
    error = as_dict(body.get("error"))
    message = as_str(error.get("message")) or as_str(error.get("description"))
    return ApiError(status, as_str(error.get("code")), message)


def expect_success(body: object, status: int = 200) -> None:
    """Raise ``ApiError`` if the body says ``success: false``; nothing else is required."""
    if isinstance(body, dict) and body.get("success") is False:
        raise api_error_from_body(body, status)


def data_object(body: object, status: int = 200) -> dict[str, Any]:
    """The ``data`` object of an answer that must carry one."""
    expect_success(body, status)
    if not isinstance(body, dict):
        raise BadResponse("expected a JSON object", status=status, excerpt=excerpt(body))
    data = body.get("data")
    if not isinstance(data, dict):
        raise BadResponse('expected "data" to be an object', status=status, excerpt=excerpt(body))
    return data


def data_list(body: object, status: int = 200) -> list[dict[str, Any]]:
    """The ``data`` list of an answer that must carry one, every item an object."""
    expect_success(body, status)
    if not isinstance(body, dict):
        raise BadResponse("expected a JSON object", status=status, excerpt=excerpt(body))
    data = body.get("data")
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise BadResponse(
            'expected "data" to be a list of objects', status=status, excerpt=excerpt(body)
        )
    return data
