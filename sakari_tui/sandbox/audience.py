"""Attribute filters, shared by sends (filters.attributes) and campaigns.

A rule is ``{"name": "plan", "comparator": ">=", "value": "3"}``. Numbers compare as numbers,
anything else as case-insensitive text. A contact without the attribute only matches ``!=``.
"""

from __future__ import annotations

from typing import Any

from .errors import ApiError
from .records import Contact

COMPARATORS = ("=", "<", "<=", ">", ">=", "!=")


def parse_attribute_filters(value: object, error_code: str) -> list[dict[str, str]]:
    """Validate a list of rules; raise a 400 with ``error_code`` naming the bad one."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise ApiError(400, error_code, "filters.attributes must be a list")
    rules = []
    for index, rule in enumerate(value):
        where = f"filters.attributes[{index}]"
        if not isinstance(rule, dict) or not isinstance(rule.get("name"), str) or not rule["name"]:
            raise ApiError(400, error_code, f"{where} needs a name")
        comparator = rule.get("comparator", "=")
        if comparator not in COMPARATORS:
            raise ApiError(400, error_code, f"{where}.comparator must be one of {' '.join(COMPARATORS)}")
        wanted = rule.get("value", "")
        if isinstance(wanted, bool) or not isinstance(wanted, (str, int, float)):
            raise ApiError(400, error_code, f"{where}.value must be a string or a number")
        rules.append({"name": rule["name"], "comparator": comparator, "value": str(wanted)})
    return rules


def attribute_matches(contact: Contact, rule: dict[str, str]) -> bool:
    lowered = {str(k).lower(): v for k, v in contact.attributes.items()}
    name = rule["name"].lower()
    comparator = rule["comparator"]
    if name not in lowered:
        return comparator == "!="
    have: Any = lowered[name]
    want: Any = rule["value"]
    try:
        have, want = float(have), float(want)
    except (TypeError, ValueError):
        have, want = str(have).lower(), str(want).lower()
    if comparator == "=":
        return have == want
    if comparator == "!=":
        return have != want
    if comparator == "<":
        return have < want
    if comparator == "<=":
        return have <= want
    if comparator == ">":
        return have > want
    return have >= want
