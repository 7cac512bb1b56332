"""Lenient readers for JSON values, and the writer for date-times.

The API's schema is open and its shapes have drifted, so a field of the wrong type is read
as "absent" instead of failing the whole response. Each reader returns its default when the
value is missing or of a type it cannot use.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from types import MappingProxyType
from typing import Any

EMPTY: Mapping[str, object] = MappingProxyType({})


def empty_mapping() -> Mapping[str, object]:
    """Default for mapping fields of frozen dataclasses (which refuse a shared default)."""
    return EMPTY


def as_str(value: object, default: str | None = None) -> str | None:
    # Ids sometimes arrive as numbers; anything else (dicts, lists, bools) is not text.
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return str(value)
    return default


def as_bool(value: object, default: bool | None = None) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return default


def as_int(value: object, default: int | None = None) -> int | None:
    if isinstance(value, bool):
        return default
    if isinstance(value, int):
        return value
    if isinstance(value, float) and math.isfinite(value) and value == int(value):
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            return default
    return default


def as_float(value: object, default: float | None = None) -> float | None:
    if isinstance(value, bool):
        return default
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return default
    else:
        return default
    return number if math.isfinite(number) else default


def as_dict(value: object) -> Mapping[str, object]:
    """A read-only view of ``value`` if it is a JSON object, else an empty mapping."""
    return MappingProxyType(value) if isinstance(value, dict) else EMPTY


def as_list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def as_datetime(value: object) -> datetime | None:
    """An aware datetime from ISO 8601 text (``Z``, offsets, fractions) or epoch
    seconds/milliseconds. Naive times are taken as UTC. Anything unreadable is None."""
    try:
        if isinstance(value, str):
            text = value.strip()
            if not text or not text[0].isdigit():
                return None
            parsed = datetime.fromisoformat(text.replace("z", "Z"))
        elif isinstance(value, int | float) and not isinstance(value, bool):
            seconds = float(value)
            if seconds > 1e11:  # more digits than epoch seconds will have for millennia: ms
                seconds /= 1000
            parsed = datetime.fromtimestamp(seconds, tz=timezone.utc)
        else:
            return None
    except (ValueError, OverflowError, OSError):
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed


def datetime_text(value: datetime) -> str:
    """ISO 8601 text that ``as_datetime`` reads back unchanged: milliseconds unless finer
    digits are set (so nothing is lost), ``Z`` for UTC (and naive times, which it reads as
    UTC), any other offset as it is."""
    precision = "milliseconds" if value.microsecond % 1000 == 0 else "microseconds"
    text = value.isoformat(timespec=precision)
    if value.utcoffset() in (None, timedelta(0)):
        text = text.removesuffix("+00:00") + "Z"
    return text


def leftovers(data: Mapping[str, object], known: set[str] | frozenset[str]) -> Mapping[str, object]:
    """The fields of ``data`` a model does not read, kept so nothing the server sent is lost."""
    return MappingProxyType({k: v for k, v in data.items() if k not in known})


# Sakari's answers nest a few levels deep; far deeper is hostile or broken, and would make the
# recursive code that later walks it (json.dumps into the cache, rendering) fail.
MAX_JSON_DEPTH = 64


def nesting_depth(value: Any, limit: int = MAX_JSON_DEPTH) -> int:
    """How deep ``value`` (decoded JSON) nests; counting stops past ``limit``. No recursion."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if not isinstance(item, dict | list):
            continue
        deepest = max(deepest, depth)
        if deepest > limit:
            return deepest
        children = item.values() if isinstance(item, dict) else item
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return deepest
