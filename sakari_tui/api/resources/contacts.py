from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from typing import Any

from ..envelope import data_object, expect_success
from ..models import Contact, ContactUpload
from ..pagination import MAX_PAGE_SIZE, Page, iterate_pages
from .base import Resource, query

# Fields only an upload summary has (a contact's "updated" is a stamp object, not a count).
_UPLOAD_FIELDS = frozenset({"contacts", "errors", "submitted", "inserted", "success"})


def parse_created_contacts(body: object) -> list[Contact] | ContactUpload:
    """``contacts.create`` answers a list of contacts (ContactsResponse), an upload summary
    (ContactUploadResponse), or (as some servers do for one contact) the contact itself:
    a ``data`` list, a ``data`` summary object, or a ``data`` contact object."""
    expect_success(body)
    if isinstance(body, dict) and isinstance(body.get("data"), list):
        return list(Page.from_json(body, Contact.from_json).items)
    data = data_object(body)
    if _is_one_contact(data):
        return [Contact.from_json(data)]
    return ContactUpload.from_json(data)


def _is_one_contact(data: dict[str, Any]) -> bool:
    if _UPLOAD_FIELDS & data.keys() or isinstance(data.get("updated"), int | float):
        return False
    return any(data.get(key) for key in ("id", "mobile", "firstName", "lastName", "email"))


class Contacts(Resource):
    async def fetch_all(
        self,
        offset: int = 0,
        limit: int = 10,
        *,
        first_name: str | None = None,
        last_name: str | None = None,
        mobile: str | None = None,
        email: str | None = None,
        tags: str | Iterable[str] | None = None,
    ) -> Page[Contact]:
        """One page of contacts; every filter matches "contains"."""
        params = query(
            offset=offset, limit=limit, firstName=first_name, lastName=last_name, mobile=mobile, email=email, tags=tags
        )
        body = await self._api.call("GET", self._api.account_path("contacts"), params=params)
        return Page.from_json(body, Contact.from_json, offset=offset, limit=limit)

    def iterate(self, *, page_size: int = MAX_PAGE_SIZE, **filters: Any) -> AsyncIterator[Contact]:
        """Every contact matching ``filters`` (the keyword filters of ``fetch_all``)."""
        return iterate_pages(self.fetch_all, page_size=page_size, **filters)

    async def create(
        self,
        contact: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None = None,
        *,
        csv: str | bytes | None = None,
        merge_strategy: str | None = None,
    ) -> list[Contact] | ContactUpload:
        """Create one contact, a list of them, or upload CSV text.

        ``merge_strategy`` ("append", "core" or "remove") says what happens to existing
        contacts with the same mobile number. Never retried: it is not idempotent.
        """
        if (contact is None) == (csv is None):
            raise ValueError("pass either contact data or csv, not both or neither")
        params = query(mergeStrategy=merge_strategy)
        path = self._api.account_path("contacts")
        if csv is not None:
            content = csv.encode() if isinstance(csv, str) else csv
            body = await self._api.call(
                "POST", path, params=params, content=content, headers={"Content-Type": "text/csv"}
            )
        else:
            assert contact is not None  # one of the two, checked above
            payload = dict(contact) if isinstance(contact, Mapping) else [dict(c) for c in contact]
            body = await self._api.call("POST", path, params=params, json=payload)
        return parse_created_contacts(body)

    async def fetch(self, contact_id: str) -> Contact:
        body = await self._api.call("GET", self._api.account_path("contacts", contact_id))
        return Contact.from_json(data_object(body))

    async def update(self, contact_id: str, fields: Mapping[str, Any]) -> Contact:
        """Update a contact with the given API fields (e.g. ``{"firstName": "Ann"}``)."""
        path = self._api.account_path("contacts", contact_id)
        body = await self._api.call("PUT", path, json=dict(fields))
        return Contact.from_json(data_object(body))

    async def remove(self, contact_id: str) -> None:
        body = await self._api.call("DELETE", self._api.account_path("contacts", contact_id))
        expect_success(body)
