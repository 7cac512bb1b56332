"""The error answers of the sandbox.

Errors come as ``{"success": false, "error": {"code": "CONT-001", "message": "..."}}``.
Errors about one recipient inside a successful answer use ``{"code", "description"}``
instead (see :func:`item_error`).
"""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """Raised anywhere in a handler; turned into a JSON error answer."""

    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(f"{code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


def error_body(code: str, message: str) -> dict[str, Any]:
    return {"success": False, "error": {"code": code, "message": message}}


def item_error(code: str, description: str) -> dict[str, str]:
    return {"code": code, "description": description}


# Every code the sandbox answers with, for reference.
ERROR_CODES: dict[str, str] = {
    # Authentication and account
    "AUTH-001": "401 wrong client id or secret",
    "AUTH-002": "401 missing or malformed bearer token",
    "AUTH-003": "401 token not issued by this sandbox (bad signature)",
    "AUTH-004": "401 token expired",
    "AUTH-005": "400 grant_type is not client_credentials",
    "ACCT-001": "403 the account in the path is not the token's account",
    # Requests in general
    "REQ-001": "400 body is empty or not valid JSON",
    "REQ-002": "400 body or field has the wrong shape or type",
    "REQ-003": "415 unsupported content type",
    "REQ-004": "413 body too large",
    "PAGE-001": "400 offset is not an integer >= 0",
    "PAGE-002": "400 limit is not an integer between 1 and 100",
    "GEN-404": "404 no such route",
    "GEN-405": "405 method not allowed on this route",
    "GEN-500": "500 unexpected error inside the sandbox (a bug: please report)",
    # Injected faults
    "RATE-001": "429 too many requests (with Retry-After)",
    "SRV-503": "503 service unavailable",
    # Contacts
    "CONT-001": "400 invalid mobile number",
    "CONT-002": "400 invalid email address",
    "CONT-003": "404 contact not found (or per recipient in a send)",
    "CONT-004": "409 mobile number already belongs to another contact",
    "CONT-005": "400 mergeStrategy is not append, core or remove",
    "CONT-006": "400 CSV upload has no mobile column or no rows",
    "CONT-010": "per recipient: contact has requested no further communication",
    # Conversations and messages
    "CONV-001": "404 invalid conversation id (or per recipient in a send)",
    "MSG-001": "404 message not found",
    "MSG-002": "400 no recipients given",
    "MSG-003": "400 template (message text) is empty",
    "MSG-004": "400 type is not SMS or MMS, or media is malformed",
    "MSG-005": "per recipient: message longer than 10 segments",
    "MSG-101": "delivery error: carrier rejected the message",
    "MSG-102": "delivery error: handset unreachable",
    "MSG-103": "delivery error: number cannot receive SMS",
    # Templates and campaigns
    "TMPL-001": "404 template not found",
    "TMPL-002": "400 template name is required",
    "TMPL-003": "400 template type is not SMS or Web",
    "CAMP-001": "404 campaign not found",
    "CAMP-002": "400 campaign name is required",
    "CAMP-003": "400 trigger code is not M, S or FU",
    "CAMP-004": "400 campaign filters are malformed (comparator not = < <= > >= !=)",
    # Webhooks and files
    "HOOK-001": "400 webhook url is not an http(s) URL with a host",
    "HOOK-002": "400 unknown webhook event type",
    "HOOK-003": "404 no webhook subscribed at that url",
    "FILE-001": "400 no file in the request",
    "FILE-002": "413 file too large",
    "FILE-003": "404 shared file not found",
}
