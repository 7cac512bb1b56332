"""Campaigns: their filters, who they reach, and running a manual one now.

A campaign (``CampaignRequest``) holds a message text (``template``), a trigger
(``M`` manual, ``S`` scheduled, ``FU`` file upload) and filters: ``tags``, ``contacts``
(contact ids) and ``attributes`` (rules ``{name, comparator, value}``, comparators
``= < <= > >= !=``).

The API has no "run campaign" operation. Running a manual campaign now is one bulk
``messages.send`` with the campaign's text: its ``tags`` and ``attributes`` go as the
send's ``filters`` (the only filters ``SendMessagesRequest`` takes) and its ``contacts``
as the send's recipients by id. The server decides who gets it and says who it refused
(opted out, bad number) in the answer.

Before that, the recipients are previewed here, client-side, by the same rules:
a contact is in when it is one of the listed ``contacts``, or when it has any of the
``tags`` (case-insensitive, whole tag) and matches every attribute rule. With no tags,
the attribute rules alone select. The contact list is read through ``contacts.iterate``,
narrowed by the API's ``tags`` filter when there are tags; that filter matches "contains",
so the exact tag test is done here. Attribute rules compare numbers as numbers and
anything else as case-insensitive text; a contact without the attribute matches only
``!=``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sakari_tui.api import ApiError, Contact, SendSummary

if TYPE_CHECKING:
    from sakari_tui.api import SakariClient

TRIGGERS = {"M": "Manual", "S": "Scheduled", "FU": "File Upload"}
MANUAL = "M"
COMPARATORS = ("=", "<", "<=", ">", ">=", "!=")
# Longest first, so "plan<=3" is read as "<=" and not "<".
_RULE_TEXT = re.compile(r"^\s*([^<>=!]+?)\s*(<=|>=|!=|=|<|>)\s*(.*?)\s*$")


def trigger_label(code: object) -> str:
    return TRIGGERS.get(str(code), str(code or "—"))


@dataclass(frozen=True)
class AttributeRule:
    name: str
    comparator: str = "="
    value: str = ""

    @classmethod
    def from_json(cls, data: object) -> AttributeRule | None:
        """A rule as the API sends it (an object), or as ``"name>=value"`` text; None when
        it is neither."""
        if isinstance(data, Mapping):
            name = data.get("name")
            comparator = data.get("comparator") or "="
            if not isinstance(name, str) or comparator not in COMPARATORS:
                return None
            value = data.get("value")
            return cls(name, comparator, "" if value is None else str(value))
        if isinstance(data, str):
            match = _RULE_TEXT.match(data)
            if match:
                return cls(match.group(1), match.group(2), match.group(3))
        return None

    def to_json(self) -> dict[str, str]:
        return {"name": self.name, "comparator": self.comparator, "value": self.value}

    def __str__(self) -> str:
        return f"{self.name} {self.comparator} {self.value}"

    def matches(self, contact: Contact) -> bool:
        lowered = {str(key).lower(): value for key, value in contact.attributes.items()}
        key = self.name.lower()
        if key not in lowered or lowered[key] is None:
            return self.comparator == "!="
        have: Any = lowered[key]
        want: Any = self.value
        try:
            have, want = float(have), float(want)
        except (TypeError, ValueError):
            have, want = str(have).lower(), str(want).lower()
        if self.comparator == "=":
            return bool(have == want)
        if self.comparator == "!=":
            return bool(have != want)
        if self.comparator == "<":
            return bool(have < want)
        if self.comparator == "<=":
            return bool(have <= want)
        if self.comparator == ">":
            return bool(have > want)
        return bool(have >= want)


def _strings(value: object) -> tuple[str, ...]:
    if not isinstance(value, list | tuple):
        return ()
    return tuple(str(item).strip() for item in value if isinstance(item, str | int) and str(item).strip())


@dataclass(frozen=True)
class CampaignFilters:
    tags: tuple[str, ...] = ()
    contacts: tuple[str, ...] = ()  # contact ids
    attributes: tuple[AttributeRule, ...] = ()
    not_understood: tuple[str, ...] = field(default=(), compare=False)  # attribute rules we could not read

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> CampaignFilters:
        data = data or {}
        rules, odd = [], []
        raw_rules = data.get("attributes")
        for item in raw_rules if isinstance(raw_rules, list) else ():
            rule = AttributeRule.from_json(item)
            if rule is None:
                odd.append(str(item))
            else:
                rules.append(rule)
        return cls(_strings(data.get("tags")), _strings(data.get("contacts")), tuple(rules), tuple(odd))

    def to_json(self) -> dict[str, Any]:
        return {
            "tags": list(self.tags),
            "contacts": list(self.contacts),
            "attributes": [rule.to_json() for rule in self.attributes],
        }

    @property
    def is_empty(self) -> bool:
        return not (self.tags or self.contacts or self.attributes)

    @property
    def selects_by_filter(self) -> bool:
        return bool(self.tags or self.attributes)

    def send_filters(self) -> dict[str, Any] | None:
        """The ``filters`` of the bulk send: tags and attribute rules, or None when neither."""
        if not self.selects_by_filter:
            return None
        return {"tags": list(self.tags), "attributes": [rule.to_json() for rule in self.attributes]}

    def matches(self, contact: Contact) -> bool:
        """Whether the tag and attribute rules select ``contact`` (listed ids aside)."""
        if not self.selects_by_filter:
            return False
        if self.tags:
            wanted = {tag.lower() for tag in self.tags}
            if not any((tag.name or "").lower() in wanted for tag in contact.tags):
                return False
        return all(rule.matches(contact) for rule in self.attributes)


def campaign_fields(*, name: str, template: str, trigger: str, filters: CampaignFilters) -> dict[str, Any]:
    """The body of ``campaigns.create`` / ``campaigns.update``."""
    if trigger not in TRIGGERS:
        raise ValueError(f"trigger must be one of {', '.join(TRIGGERS)}")
    return {"name": name, "template": template, "trigger": {"code": trigger}, "filters": filters.to_json()}


@dataclass(frozen=True)
class Audience:
    """Who a campaign reaches, as far as the client can tell before sending."""

    recipients: tuple[Contact, ...]
    missing: tuple[str, ...] = ()  # listed contact ids the API does not know

    @property
    def blocked(self) -> tuple[Contact, ...]:
        return tuple(c for c in self.recipients if c.blocked)

    @property
    def sendable(self) -> tuple[Contact, ...]:
        return tuple(c for c in self.recipients if not c.blocked)


async def campaign_audience(client: SakariClient, filters: CampaignFilters) -> Audience:
    found: dict[str, Contact] = {}
    missing: list[str] = []
    for contact_id in filters.contacts:
        try:
            contact = await client.contacts.fetch(contact_id)
        except ApiError as exc:
            if exc.status == 404:
                missing.append(contact_id)
                continue
            raise
        found.setdefault(contact.id or contact_id, contact)
    if filters.selects_by_filter:
        narrowed: dict[str, Any] = {"tags": list(filters.tags)} if filters.tags else {}
        async for contact in client.contacts.iterate(**narrowed):
            if contact.id and contact.id not in found and filters.matches(contact):
                found[contact.id] = contact
    return Audience(tuple(found.values()), tuple(missing))


async def run_now(client: SakariClient, template: str, filters: CampaignFilters) -> SendSummary:
    """Send ``template`` to everyone the filters select, in one ``messages.send``; the
    answer is read as counts and refusals only (it lists a message per recipient).

    Not retried: the API has no idempotency key, so a send whose outcome is unknown must
    not go again blindly (the caller says so)."""
    contacts = [{"id": contact_id} for contact_id in filters.contacts] or None
    return await client.messages.send_bulk(template, contacts=contacts, filters=filters.send_filters())
