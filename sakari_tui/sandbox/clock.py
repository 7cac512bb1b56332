"""Time as the API shows it: ISO 8601 in UTC with milliseconds, e.g. 2026-11-27T08:20:00.000Z."""

from __future__ import annotations

import time
from datetime import datetime, timezone


def now() -> float:
    return time.time()


def iso(timestamp: float) -> str:
    moment = datetime.fromtimestamp(timestamp, timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def stamp(timestamp: float) -> dict[str, str]:
    """The ``{"at": ...}`` object the API uses for created/updated."""
    return {"at": iso(timestamp)}
