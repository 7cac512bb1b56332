"""Templates and campaigns: validation of create and update requests."""

from __future__ import annotations

from typing import Any

from .audience import parse_attribute_filters
from .clock import now
from .errors import ApiError
from .records import Campaign, Template
from .store import Store

TEMPLATE_TYPES = ("SMS", "Web")
TRIGGER_CODES = ("M", "S", "FU")  # Manual, Scheduled, File Upload


def _string(body: dict[str, Any], name: str) -> str | None:
    value = body.get(name)
    if value is not None and not isinstance(value, str):
        raise ApiError(400, "REQ-002", f"{name} must be a string")
    return value


def _required_name(body: dict[str, Any], code: str, noun: str) -> str:
    """The trimmed name of a record being created: a 400 with ``code`` when it is missing."""
    name = _string(body, "name")
    if not name or not name.strip():
        raise ApiError(400, code, f"{noun} name is required")
    return name.strip()


def _new_name(body: dict[str, Any], code: str, noun: str) -> str | None:
    """The trimmed name of a record being updated, None when not given: a 400 when empty."""
    name = _string(body, "name")
    if name is not None and not name.strip():
        raise ApiError(400, code, f"{noun} name cannot be empty")
    return None if name is None else name.strip()


def _apply(record: Template | Campaign, **changes: Any) -> None:
    """An update: each field given (not None) set on ``record``, and its update time."""
    for field_name, value in changes.items():
        if value is not None:
            setattr(record, field_name, value)
    record.updated_at = now()


# -- templates ------------------------------------------------------------------------------


def create_template(store: Store, body: dict[str, Any]) -> Template:
    name = _required_name(body, "TMPL-002", "Template")
    text = _string(body, "template") or ""
    template_type = body.get("type", "SMS")
    if template_type not in TEMPLATE_TYPES:
        raise ApiError(400, "TMPL-003", "Template type must be SMS or Web")
    at = now()
    template = Template(store.new_id(), name, text, template_type, at, at)
    store.templates[template.id] = template
    return template


def update_template(template: Template, body: dict[str, Any]) -> None:
    name = _new_name(body, "TMPL-002", "Template")
    text = _string(body, "template")
    template_type = body.get("type")
    if template_type is not None and template_type not in TEMPLATE_TYPES:
        raise ApiError(400, "TMPL-003", "Template type must be SMS or Web")
    _apply(template, name=name, text=text, type=template_type)


# -- campaigns ------------------------------------------------------------------------------


def _trigger_code(body: dict[str, Any]) -> str | None:
    trigger = body.get("trigger")
    if trigger is None:
        return None
    code = trigger.get("code") if isinstance(trigger, dict) else None
    if code not in TRIGGER_CODES:
        raise ApiError(400, "CAMP-003", "trigger.code must be M, S or FU")
    return code


def _campaign_filters(value: object) -> dict[str, Any]:
    if value is None:
        return {"tags": [], "contacts": [], "attributes": []}
    if not isinstance(value, dict):
        raise ApiError(400, "CAMP-004", "filters must be an object")
    filters: dict[str, Any] = {}
    for name in ("tags", "contacts"):
        items = value.get(name) or []
        if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
            raise ApiError(400, "CAMP-004", f"filters.{name} must be a list of strings")
        filters[name] = list(items)
    filters["attributes"] = parse_attribute_filters(value.get("attributes"), "CAMP-004")
    return filters


def create_campaign(store: Store, body: dict[str, Any]) -> Campaign:
    name = _required_name(body, "CAMP-002", "Campaign")
    code = _trigger_code(body) or "M"
    template = _string(body, "template") or ""
    filters = _campaign_filters(body.get("filters"))
    at = now()
    campaign = Campaign(store.new_id(), name, code, template, filters, at, at)
    store.campaigns[campaign.id] = campaign
    return campaign


def update_campaign(campaign: Campaign, body: dict[str, Any]) -> None:
    name = _new_name(body, "CAMP-002", "Campaign")
    code = _trigger_code(body)
    template = _string(body, "template")
    filters = _campaign_filters(body["filters"]) if body.get("filters") is not None else None
    _apply(campaign, name=name, trigger_code=code, template=template, filters=filters)
