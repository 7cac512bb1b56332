"""The raw answers of the calls made inside one block of code, for tools that show them
(an API console, a debug view) next to the parsed models the methods return.

    with client.capture() as captured:
        page = await client.contacts.fetch_all(first_name="Ann")
    captured.last.status, captured.last.body      # 200, {"success": true, "data": [...]}

Only the calls made by the current asyncio task (and the tasks it starts inside the block)
are recorded, so background polling on the same client never mixes in. Bodies are kept
with secrets masked: the client secret, the tokens the client knows, and the values of
fields such as ``access_token`` wherever they appear.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from .redaction import MASK

# Field names whose values are credentials, whatever the server or the document calls them.
SECRET_FIELDS = frozenset({
    "access_token", "refresh_token", "id_token", "client_secret", "password", "secret",
    "api_key", "apikey", "authorization",
})  # fmt: skip
TEXT_LIMIT = 65536  # characters of a body that is not JSON


@dataclass(frozen=True)
class Exchange:
    """One answer: what was asked (method, path and query), its status, time and body."""

    method: str
    url: str
    status: int
    elapsed_ms: float
    body: object = None  # the decoded JSON, secrets masked; None when empty or not JSON
    text: str | None = None  # the body when it is not JSON (truncated), secrets masked


@dataclass
class Capture:
    """The exchanges recorded while a ``capture()`` block runs."""

    owner: object
    exchanges: list[Exchange] = field(default_factory=list)

    @property
    def last(self) -> Exchange | None:
        return self.exchanges[-1] if self.exchanges else None


_active: ContextVar[Capture | None] = ContextVar("sakari_tui_api_capture", default=None)


@contextmanager
def capturing(owner: object) -> Iterator[Capture]:
    """Record what ``owner`` (a transport) answers inside the block."""
    captured = Capture(owner)
    token = _active.set(captured)
    try:
        yield captured
    finally:
        _active.reset(token)


def active_for(owner: object) -> Capture | None:
    captured = _active.get()
    return captured if captured is not None and captured.owner is owner else None


def mask_secrets(value: object, redact: Callable[[str], str | None] = lambda text: text) -> Any:
    """``value`` (decoded JSON) with credential fields masked and ``redact`` applied to
    every string; containers are copied, never changed in place."""
    if isinstance(value, dict):
        return {
            key: MASK if _is_secret_field(key) and value[key] not in (None, "") else mask_secrets(item, redact)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [mask_secrets(item, redact) for item in value]
    if isinstance(value, str):
        return redact(value) or value
    return value


def _is_secret_field(key: object) -> bool:
    return isinstance(key, str) and key.lower().replace("-", "_") in SECRET_FIELDS


def decode_body(raw: bytes, redact: Callable[[str], str | None]) -> tuple[Any, str | None]:
    """(JSON body, None) or (None, text) for a body that is not JSON, both masked."""
    if not raw.strip():
        return None, None
    try:
        return mask_secrets(json.loads(raw), redact), None
    except RecursionError:
        return None, "(JSON nested too deeply to show)"
    except ValueError:  # includes UnicodeDecodeError
        # Redacted before it is cut, so a secret crossing the cut cannot leave its start.
        text = raw.decode("utf-8", "replace")
        return None, (redact(text) or text)[:TEXT_LIMIT]
