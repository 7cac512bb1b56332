"""contacts.create with a text/csv body: one contact per row.

Known columns (matched ignoring case, spaces and underscores): firstName, lastName, email,
mobile (or phone), country and tags (split on ';' or '|'). Every other column becomes an
attribute. A row that fails validation is reported in ``errors`` and the rest still go in.
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from .contacts import create_or_merge, parse_contact
from .errors import ApiError, item_error
from .store import Store
from .views import contact_view

_COLUMN_ALIASES = {
    "firstname": "firstName",
    "first": "firstName",
    "lastname": "lastName",
    "last": "lastName",
    "surname": "lastName",
    "email": "email",
    "emailaddress": "email",
    "mobile": "mobile",
    "mobilenumber": "mobile",
    "phone": "mobile",
    "phonenumber": "mobile",
    "country": "country",
    "tags": "tags",
}
_TAG_SEPARATORS = re.compile(r"[;|]")


def _column_key(header: str) -> str:
    return re.sub(r"[\s_\-]", "", header).lower()


def import_csv(store: Store, text: str, strategy: str) -> dict[str, Any]:
    try:
        return _import_rows(store, csv.reader(io.StringIO(text.lstrip("\ufeff"))), strategy)
    except csv.Error as exc:  # e.g. a field over the csv module's size limit
        raise ApiError(400, "REQ-002", f"CSV upload is malformed: {exc}") from None


def _import_rows(store: Store, reader: Any, strategy: str) -> dict[str, Any]:
    header = next(reader, None)
    if not header or not any(cell.strip() for cell in header):
        raise ApiError(400, "CONT-006", "CSV upload is empty: expected a header row")
    columns = [(_COLUMN_ALIASES.get(_column_key(h)), h.strip()) for h in header]
    if not any(known == "mobile" for known, _ in columns):
        raise ApiError(400, "CONT-006", "CSV upload has no mobile column")

    submitted = inserted = updated = 0
    applied: dict[str, Any] = {}  # contact id -> contact, in upload order
    errors: list[dict[str, Any]] = []
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue  # blank line
        submitted += 1
        data: dict[str, Any] = {}
        attributes: dict[str, str] = {}
        for (known, original), cell in zip(columns, row):
            cell = cell.strip()
            if not cell:
                continue
            if known == "tags":
                data["tags"] = [t.strip() for t in _TAG_SEPARATORS.split(cell) if t.strip()]
            elif known:
                data[known] = cell
            elif original:
                attributes[original] = cell
        if attributes:
            data["attributes"] = attributes
        try:
            given = parse_contact(data, require_mobile=True)
        except ApiError as exc:
            errors.append(_rejected_row(data, exc))
            continue
        contact, is_new = create_or_merge(store, given, strategy)
        if is_new:
            inserted += 1
        else:
            updated += 1
        applied[contact.id] = contact

    if submitted == 0:
        raise ApiError(400, "CONT-006", "CSV upload has a header but no rows")
    return {
        "submitted": submitted,
        "inserted": inserted,
        "updated": updated,
        "success": inserted + updated,
        "contacts": [contact_view(contact) for contact in applied.values()],
        "errors": errors,
    }


def _rejected_row(data: dict[str, Any], error: ApiError) -> dict[str, Any]:
    entry: dict[str, Any] = {key: data[key] for key in ("firstName", "lastName", "email") if key in data}
    entry["mobile"] = {"number": data.get("mobile", ""), "country": data.get("country", "")}
    entry["tags"] = [{"tag": tag, "visible": True} for tag in data.get("tags", [])]
    entry["attributes"] = data.get("attributes", {})
    entry["valid"] = False
    entry["error"] = item_error(error.code, error.message)
    return entry
