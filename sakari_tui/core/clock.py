"""The current time, in one place, so snapshots and tests can freeze it."""

from __future__ import annotations

from datetime import datetime, timezone


def now() -> datetime:
    return datetime.now(timezone.utc)
