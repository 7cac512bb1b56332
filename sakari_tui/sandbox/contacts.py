"""Contacts: validating input, creating, merging duplicates, updating and filtering.

Duplicates are recognised by mobile number. How a duplicate is merged (``mergeStrategy``):
- ``append`` (default): given fields overwrite, tags are added, attributes are merged;
- ``core``: only firstName, lastName and email are updated; tags and attributes stay;
- ``remove``: the contact becomes exactly what was given; fields, tags and attributes
  that were not given are removed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from .clock import now
from .errors import ApiError
from .phones import InvalidNumber, country_of, is_valid_email, normalise_mobile
from .records import Contact
from .store import Store
from .views import contact_view, identifiers_of

MERGE_STRATEGIES = ("append", "core", "remove")


@dataclass
class ContactInput:
    """A validated contact from a request. None means "not given"."""

    mobile: str | None = None
    country: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    tags: list[str] | None = None
    attributes: dict[str, Any] | None = None
    given: dict[str, Any] = field(default_factory=dict)  # the raw request, for error entries


def _text_field(data: dict[str, Any], name: str, where: str) -> str | None:
    value = data.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ApiError(400, "REQ-002", f"{where}{name} must be a string")
    return value.strip()


def _tags(value: object, where: str) -> list[str]:
    if not isinstance(value, list):
        raise ApiError(400, "REQ-002", f"{where}tags must be a list")
    tags: list[str] = []
    for item in value:
        tag = item.get("tag") if isinstance(item, dict) else item
        if not isinstance(tag, str):
            raise ApiError(400, "REQ-002", f"{where}tags must hold strings or {{tag}} objects")
        tag = tag.strip()
        if tag and tag not in tags:
            tags.append(tag)
    return tags


def parse_contact(data: object, *, require_mobile: bool, where: str = "") -> ContactInput:
    """Validate one ContactRequest; raise ApiError (400) naming what is wrong.

    ``where`` names the contact in a list, e.g. "contacts[3]." in "contacts[3].email".
    """
    which = f"{where.rstrip('.')}: " if where else ""
    if not isinstance(data, dict):
        raise ApiError(400, "REQ-002", f"{where.rstrip('.') or 'contact'} must be a JSON object")
    result = ContactInput(given=data)
    result.first_name = _text_field(data, "firstName", where)
    result.last_name = _text_field(data, "lastName", where)
    result.email = _text_field(data, "email", where)
    if result.email and not is_valid_email(result.email):
        raise ApiError(400, "CONT-002", f"{which}Invalid email address: {result.email!r}")

    mobile = data.get("mobile")
    country = data.get("country")
    if isinstance(mobile, dict):
        country = mobile.get("country", country)
        mobile = mobile.get("number")
    if country is not None and not isinstance(country, str):
        raise ApiError(400, "REQ-002", f"{where}mobile.country must be a string")
    if mobile is None or mobile == "":
        if require_mobile:
            raise ApiError(400, "CONT-001", f"{which}Invalid mobile number (a mobile number is required)")
    else:
        if not isinstance(mobile, str):
            raise ApiError(400, "CONT-001", f"{which}Invalid mobile number (it must be a string)")
        try:
            result.mobile = normalise_mobile(mobile, country)
        except InvalidNumber as exc:
            raise ApiError(400, "CONT-001", f"{which}Invalid mobile number ({exc})") from None
        result.country = country_of(result.mobile, (country or "").upper())

    if data.get("tags") is not None:
        result.tags = _tags(data["tags"], where)
    attributes = data.get("attributes")
    if attributes is not None:
        if not isinstance(attributes, dict):
            raise ApiError(400, "REQ-002", f"{where}attributes must be an object")
        result.attributes = dict(attributes)
    return result


def new_contact(store: Store, given: ContactInput, at: float | None = None) -> Contact:
    assert given.mobile is not None
    at = now() if at is None else at
    contact = Contact(
        id=store.new_id(),
        mobile=given.mobile,
        country=given.country or "",
        first_name=given.first_name or "",
        last_name=given.last_name or "",
        email=given.email or "",
        tags=list(given.tags or []),
        attributes=dict(given.attributes or {}),
        created_at=at,
        updated_at=at,
    )
    store.add_contact(contact)
    store.emit("contact-created", lambda: contact_view(contact))
    return contact


def merge_into(contact: Contact, given: ContactInput, strategy: str) -> None:
    if strategy == "remove":
        contact.first_name = given.first_name or ""
        contact.last_name = given.last_name or ""
        contact.email = given.email or ""
        contact.tags = list(given.tags or [])
        contact.attributes = dict(given.attributes or {})
    else:
        if given.first_name:
            contact.first_name = given.first_name
        if given.last_name:
            contact.last_name = given.last_name
        if given.email:
            contact.email = given.email
        if strategy == "append":
            for tag in given.tags or []:
                if tag not in contact.tags:
                    contact.tags.append(tag)
            contact.attributes.update(given.attributes or {})
    if given.country:
        contact.country = given.country
    contact.updated_at = now()


def create_or_merge(store: Store, given: ContactInput, strategy: str) -> tuple[Contact, bool]:
    """Insert a contact, or merge it into the one with the same mobile. (contact, inserted)."""
    assert given.mobile is not None
    existing = store.contact_by_mobile(given.mobile)
    if existing is None:
        return new_contact(store, given), True
    merge_into(existing, given, strategy)
    store.emit("contact-updated", lambda: contact_view(existing))
    return existing, False


def update_contact(store: Store, contact: Contact, given: ContactInput) -> None:
    """contacts.update: the fields given replace the stored ones."""
    if given.mobile is not None and given.mobile != contact.mobile:
        owner = store.contact_by_mobile(given.mobile)
        if owner is not None and owner is not contact:
            raise ApiError(409, "CONT-004", f"Mobile number {given.mobile} belongs to another contact")
        store.change_mobile(contact, given.mobile)
        contact.country = given.country or contact.country
    if given.first_name is not None:
        contact.first_name = given.first_name
    if given.last_name is not None:
        contact.last_name = given.last_name
    if given.email is not None:
        contact.email = given.email
    if given.tags is not None:
        contact.tags = list(given.tags)
    if given.attributes is not None:
        contact.attributes = dict(given.attributes)
    contact.updated_at = now()
    store.emit("contact-updated", lambda: contact_view(contact))


def remove_contact(store: Store, contact: Contact) -> None:
    store.remove_contact(contact, identifiers_of(contact))
    store.emit("contact-removed", lambda: contact_view(contact))


def matching_contacts(store: Store, filters: dict[str, str]) -> Iterator[Contact]:
    """Contacts matching every given filter: case-insensitive substring matches.

    ``tags`` may hold several comma-separated values; a contact matches when any of its tags
    contains any of them. ``mobile`` compares digits only, so "(206) 555" finds +1206555....
    """
    checks: list[Callable[..., bool]] = []
    for name, attribute in (("firstName", "first_name"), ("lastName", "last_name"), ("email", "email")):
        wanted = filters.get(name, "").strip().lower()
        if wanted:
            checks.append(lambda c, a=attribute, w=wanted: w in getattr(c, a).lower())
    mobile = filters.get("mobile", "").strip()
    if mobile:
        digits = re.sub(r"\D", "", mobile)
        checks.append(lambda c, d=digits: bool(d) and d in c.mobile)
    tags = [t.strip().lower() for t in filters.get("tags", "").split(",") if t.strip()]
    if tags:
        checks.append(lambda c: any(w in tag.lower() for tag in c.tags for w in tags))
    contacts = store.contacts.values()
    if not checks:
        return iter(contacts)
    return (c for c in contacts if all(check(c) for check in checks))
