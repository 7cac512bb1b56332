"""The API's objects as small frozen dataclasses.

Every model has ``from_json(data)`` that never raises on odd field values: a missing or
wrongly typed field becomes its default, and fields the model does not know are kept in
``extra``. Both the 1.0.1 shapes and the later ones (see the spec README) are read.

``to_json()`` writes a model back in the API's shape, ``extra`` included, so that
``Model.from_json(model.to_json()) == model`` for anything ``from_json`` made; models are
cached that way. Date-times are written as ISO 8601 text.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol, Self, TypeVar

from .values import (
    EMPTY,
    as_bool,
    as_datetime,
    as_dict,
    as_float,
    as_int,
    as_list,
    as_str,
    datetime_text,
    empty_mapping,
    leftovers,
)


class _Model(Protocol):
    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> Self: ...


M = TypeVar("M", bound=_Model)


def _object(model: type[M], value: object) -> M | None:
    """``model.from_json(value)`` when value is a JSON object, else None."""
    return model.from_json(value) if isinstance(value, dict) else None


def _objects(model: type[M], value: object) -> tuple[M, ...]:
    """Parse each JSON object in a list; skip anything that is not an object."""
    return tuple(model.from_json(item) for item in as_list(value) if isinstance(item, dict))


def _strings(value: object) -> tuple[str, ...]:
    return tuple(text for item in as_list(value) if (text := as_str(item)) is not None)


def _json(value: object) -> Any:
    """``value`` as plain JSON: models through their ``to_json``, date-times as text, and
    mappings and tuples as new dicts and lists, so the result can be changed and dumped."""
    if hasattr(value, "to_json"):
        return value.to_json()
    if isinstance(value, datetime):
        return datetime_text(value)
    if isinstance(value, Mapping):
        return {key: _json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_json(item) for item in value]
    return value


def _document(fields: Mapping[str, object], extra: Mapping[str, object] = EMPTY) -> dict[str, Any]:
    """A model's JSON object: the unknown fields it was read with, overlaid with its own.
    Fields that are None or empty are left out, as ``from_json`` reads their absence back
    as the same value."""
    document: dict[str, Any] = _json(extra)
    for name, value in fields.items():
        if value is not None and not (isinstance(value, tuple | Mapping) and not value):
            document[name] = _json(value)
    return document


@dataclass(frozen=True)
class Actor:
    """Who made a change: a user (id and names) or, in later API versions, a ``source``."""

    id: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    source: str | None = None
    extra: Mapping[str, object] = field(default_factory=empty_mapping, repr=False)

    _KEYS = frozenset({"id", "firstName", "lastName", "source"})

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> Self:
        return cls(
            id=as_str(data.get("id")),
            first_name=as_str(data.get("firstName")),
            last_name=as_str(data.get("lastName")),
            source=as_str(data.get("source")),
            extra=leftovers(data, cls._KEYS),
        )

    def to_json(self) -> dict[str, Any]:
        return _document(
            {
                "id": self.id, "firstName": self.first_name, "lastName": self.last_name,
                "source": self.source,
            },
            self.extra,
        )  # fmt: skip


@dataclass(frozen=True)
class Stamp:
    """The spec's ``Updated`` object, used for ``created`` and ``updated``: when and by whom."""

    at: datetime | None = None
    by: Actor | None = None
    extra: Mapping[str, object] = field(default_factory=empty_mapping, repr=False)

    _KEYS = frozenset({"at", "by"})

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> Self:
        return cls(
            at=as_datetime(data.get("at")),
            by=_object(Actor, data.get("by")),
            extra=leftovers(data, cls._KEYS),
        )

    def to_json(self) -> dict[str, Any]:
        return _document({"at": self.at, "by": self.by}, self.extra)


@dataclass(frozen=True)
class ErrorDetail:
    """A per-contact or per-message error inside a successful response: ``{code, description}``."""

    code: str | None = None
    description: str | None = None

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> Self:
        # Top-level API errors say "message"; accept it here too rather than lose the text.
        return cls(
            code=as_str(data.get("code")),
            description=as_str(data.get("description"), as_str(data.get("message"))),
        )

    def to_json(self) -> dict[str, Any]:
        return _document({"code": self.code, "description": self.description})

    def __str__(self) -> str:
        if self.code and self.description:
            return f"{self.code}: {self.description}"
        return self.description or self.code or "unknown error"


@dataclass(frozen=True)
class Tag:
    """A tag on a contact: its name and whether it shows."""

    name: str | None = None
    visible: bool | None = None

    @classmethod
    def from_json(cls, data: object) -> Self:
        # The spec has {tag, visible}; plain strings are accepted as the tag name.
        if isinstance(data, str):
            return cls(name=data)
        data = as_dict(data)
        return cls(name=as_str(data.get("tag")), visible=as_bool(data.get("visible")))

    def to_json(self) -> dict[str, Any]:
        return _document({"tag": self.name, "visible": self.visible})


@dataclass(frozen=True)
class ContactList:
    """A list the contact belongs to (later API versions)."""

    id: str | None = None
    name: str | None = None
    extra: Mapping[str, object] = field(default_factory=empty_mapping, repr=False)

    _KEYS = frozenset({"id", "name"})

    @classmethod
    def from_json(cls, data: object) -> Self:
        if isinstance(data, str):
            return cls(id=data)
        data = as_dict(data)
        return cls(
            id=as_str(data.get("id")),
            name=as_str(data.get("name")),
            extra=leftovers(data, cls._KEYS),
        )

    def to_json(self) -> dict[str, Any]:
        return _document({"id": self.id, "name": self.name}, self.extra)


@dataclass(frozen=True)
class Mobile:
    """A contact's mobile number (E.164) and its country."""

    number: str | None = None
    country: str | None = None
    verified: bool | None = None
    valid: bool | None = None
    line_type: str | None = None
    extra: Mapping[str, object] = field(default_factory=empty_mapping, repr=False)

    _KEYS = frozenset({"number", "country", "verified", "valid", "lineType"})

    @classmethod
    def from_json(cls, data: object) -> Self:
        if isinstance(data, str):  # a bare number instead of {number, country}
            return cls(number=data)
        data = as_dict(data)
        return cls(
            number=as_str(data.get("number")),
            country=as_str(data.get("country")),
            verified=as_bool(data.get("verified")),
            valid=as_bool(data.get("valid")),
            line_type=as_str(data.get("lineType")),
            extra=leftovers(data, cls._KEYS),
        )

    def to_json(self) -> dict[str, Any]:
        return _document(
            {
                "number": self.number, "country": self.country, "verified": self.verified,
                "valid": self.valid, "lineType": self.line_type,
            },
            self.extra,
        )  # fmt: skip


@dataclass(frozen=True)
class Contact:
    """A contact. Also used for the spec's ``ContactIdentifiers`` (the contact inside a
    message or conversation), whose fields are a subset."""

    id: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    mobile: Mobile | None = None
    attributes: Mapping[str, object] = field(default_factory=empty_mapping)
    tags: tuple[Tag, ...] = ()
    lists: tuple[ContactList, ...] = ()
    valid: bool | None = None
    error: ErrorDetail | None = None
    blocked: bool = False
    blocked_at: datetime | None = None
    opted_in_at: datetime | None = None
    created: Stamp | None = None
    updated: Stamp | None = None
    extra: Mapping[str, object] = field(default_factory=empty_mapping, repr=False)

    _KEYS = frozenset(
        {
            "id", "firstName", "lastName", "email", "mobile", "attributes", "tags", "lists",
            "valid", "error", "blocked", "optIn", "created", "updated",
        }
    )  # fmt: skip

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> Self:
        # ``blocked`` is a boolean in some answers and the date-time of blocking in others.
        blocked_raw = data.get("blocked")
        blocked_at = as_datetime(blocked_raw)
        blocked = blocked_at is not None or as_bool(blocked_raw, False)
        mobile = data.get("mobile")
        return cls(
            id=as_str(data.get("id")),
            first_name=as_str(data.get("firstName")),
            last_name=as_str(data.get("lastName")),
            email=as_str(data.get("email")),
            mobile=Mobile.from_json(mobile) if isinstance(mobile, dict | str) else None,
            attributes=as_dict(data.get("attributes")),
            tags=tuple(Tag.from_json(item) for item in as_list(data.get("tags"))),
            lists=tuple(ContactList.from_json(item) for item in as_list(data.get("lists"))),
            valid=as_bool(data.get("valid")),
            error=_object(ErrorDetail, data.get("error")),
            blocked=bool(blocked),
            blocked_at=blocked_at,
            opted_in_at=as_datetime(data.get("optIn")),
            created=_object(Stamp, data.get("created")),
            updated=_object(Stamp, data.get("updated")),
            extra=leftovers(data, cls._KEYS),
        )

    def to_json(self) -> dict[str, Any]:
        return _document(
            {
                "id": self.id, "firstName": self.first_name, "lastName": self.last_name,
                "email": self.email, "mobile": self.mobile, "attributes": self.attributes,
                "tags": self.tags, "lists": self.lists, "valid": self.valid, "error": self.error,
                # The date-time when known, else the boolean; not blocked is left out.
                "blocked": self.blocked_at or self.blocked or None,
                "optIn": self.opted_in_at, "created": self.created, "updated": self.updated,
            },
            self.extra,
        )  # fmt: skip

    @property
    def display_name(self) -> str:
        """The name if there is one, else the mobile number, else the id."""
        name = " ".join(part for part in (self.first_name, self.last_name) if part)
        return name or (self.mobile.number if self.mobile and self.mobile.number else "") or (self.id or "")


@dataclass(frozen=True)
class PhoneNumber:
    """One of the account's sending numbers."""

    number: str | None = None
    country: str | None = None
    active: bool | None = None
    extra: Mapping[str, object] = field(default_factory=empty_mapping, repr=False)

    _KEYS = frozenset({"number", "country", "active"})

    @classmethod
    def from_json(cls, data: object) -> Self:
        if isinstance(data, str):
            return cls(number=data)
        data = as_dict(data)
        return cls(
            number=as_str(data.get("number")),
            country=as_str(data.get("country")),
            active=as_bool(data.get("active")),
            extra=leftovers(data, cls._KEYS),
        )

    def to_json(self) -> dict[str, Any]:
        return _document({"number": self.number, "country": self.country, "active": self.active}, self.extra)


class MessageStatus(StrEnum):
    """A message's delivery status. The API's casing is not documented, so parsing ignores
    case; an unrecognised status is UNKNOWN and the server's text stays in
    ``Message.status_text``."""

    NEW = "New"
    VALIDATED = "Validated"
    QUEUED = "Queued"
    SENT = "Sent"
    DELIVERED = "Delivered"
    ERROR = "Error"
    UNDELIVERED = "Undelivered"
    RECEIVED = "Received"
    UNKNOWN = "Unknown"

    @classmethod
    def parse(cls, text: str | None) -> MessageStatus:
        if not text:
            return cls.UNKNOWN
        return _STATUS_BY_LOWER.get(text.strip().lower(), cls.UNKNOWN)

    @property
    def is_failure(self) -> bool:
        return self in (MessageStatus.ERROR, MessageStatus.UNDELIVERED)


_STATUS_BY_LOWER = {status.value.lower(): status for status in MessageStatus}


@dataclass(frozen=True)
class MediaItem:
    """A file sent or received with a message (MMS)."""

    url: str | None = None
    filename: str | None = None
    name: str | None = None
    type: str | None = None
    extra: Mapping[str, object] = field(default_factory=empty_mapping, repr=False)

    _KEYS = frozenset({"url", "filename", "name", "type"})

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> Self:
        return cls(
            url=as_str(data.get("url")),
            filename=as_str(data.get("filename")),
            name=as_str(data.get("name")),
            type=as_str(data.get("type")),
            extra=leftovers(data, cls._KEYS),
        )

    def to_json(self) -> dict[str, Any]:
        return _document(
            {"url": self.url, "filename": self.filename, "name": self.name, "type": self.type},
            self.extra,
        )


@dataclass(frozen=True)
class Message:
    """One message, sent or received, with its status and the contact it went to or came from."""

    id: str | None = None
    text: str | None = None  # the JSON field "message"
    outgoing: bool = False
    status: MessageStatus = MessageStatus.UNKNOWN
    status_text: str | None = None  # the server's status text, as sent
    contact: Contact | None = None
    conversation_id: str | None = None
    phone_number: str | None = None
    price: float | None = None
    segments: int | None = None
    read: bool | None = None
    template: str | None = None
    type: str | None = None
    send_at: datetime | None = None
    media: tuple[MediaItem, ...] = ()
    error: ErrorDetail | None = None
    created: Stamp | None = None
    updated: Stamp | None = None
    extra: Mapping[str, object] = field(default_factory=empty_mapping, repr=False)

    _KEYS = frozenset(
        {
            "id", "message", "outgoing", "status", "contact", "conversation", "phoneNumber",
            "price", "segments", "read", "template", "type", "sendAt", "media", "error",
            "created", "updated",
        }
    )  # fmt: skip

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> Self:
        status_text = as_str(data.get("status"))
        segments = as_float(data.get("segments"))  # the spec says "number"
        return cls(
            id=as_str(data.get("id")),
            text=as_str(data.get("message")),
            outgoing=bool(as_bool(data.get("outgoing"), False)),
            status=MessageStatus.parse(status_text),
            status_text=status_text,
            contact=_object(Contact, data.get("contact")),
            conversation_id=as_str(as_dict(data.get("conversation")).get("id")),
            phone_number=as_str(data.get("phoneNumber")),
            price=as_float(data.get("price")),
            segments=int(segments) if segments is not None and abs(segments) < 1e15 else None,
            read=as_bool(data.get("read")),
            template=as_str(data.get("template")),
            type=as_str(data.get("type")),
            send_at=as_datetime(data.get("sendAt")),
            media=_objects(MediaItem, data.get("media")),
            error=_object(ErrorDetail, data.get("error")),
            created=_object(Stamp, data.get("created")),
            updated=_object(Stamp, data.get("updated")),
            extra=leftovers(data, cls._KEYS),
        )

    def to_json(self) -> dict[str, Any]:
        # The server's text as sent, unless the status was changed after reading; UNKNOWN
        # without text stands for no status at all.
        status = self.status_text
        if status is None or MessageStatus.parse(status) is not self.status:
            status = None if self.status is MessageStatus.UNKNOWN else self.status.value
        conversation = None if self.conversation_id is None else {"id": self.conversation_id}
        return _document(
            {
                "id": self.id, "message": self.text, "outgoing": self.outgoing, "status": status,
                "contact": self.contact, "conversation": conversation,
                "phoneNumber": self.phone_number, "price": self.price, "segments": self.segments,
                "read": self.read, "template": self.template, "type": self.type,
                "sendAt": self.send_at, "media": self.media, "error": self.error,
                "created": self.created, "updated": self.updated,
            },
            self.extra,
        )  # fmt: skip

    @property
    def created_at(self) -> datetime | None:
        return self.created.at if self.created else None


@dataclass(frozen=True)
class Conversation:
    """A conversation with one contact: its messages are fetched apart."""

    id: str | None = None
    contact: Contact | None = None
    closed: bool = False
    closed_at: datetime | None = None
    last_message: Message | None = None
    phone_number: PhoneNumber | None = None
    unread: tuple[str, ...] = ()
    created: Stamp | None = None
    updated: Stamp | None = None
    extra: Mapping[str, object] = field(default_factory=empty_mapping, repr=False)

    _KEYS = frozenset({"id", "contact", "closed", "lastMessage", "phoneNumber", "unread", "created", "updated"})

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> Self:
        # ``closed`` is a boolean in 1.0.1; later it is the date-time of closing, or
        # absent/null while the conversation is open. Any other value, in whatever format
        # (a date we cannot read, a number, an object), still means closed.
        closed_raw = data.get("closed")
        closed_at = as_datetime(closed_raw)
        closed = closed_raw is not None and as_bool(closed_raw) is not False
        phone = data.get("phoneNumber")
        return cls(
            id=as_str(data.get("id")),
            contact=_object(Contact, data.get("contact")),
            closed=closed,
            closed_at=closed_at,
            last_message=_object(Message, data.get("lastMessage")),
            phone_number=PhoneNumber.from_json(phone) if isinstance(phone, dict | str) else None,
            unread=_strings(data.get("unread")),
            created=_object(Stamp, data.get("created")),
            updated=_object(Stamp, data.get("updated")),
            extra=leftovers(data, cls._KEYS),
        )

    def to_json(self) -> dict[str, Any]:
        return _document(
            {
                "id": self.id, "contact": self.contact,
                "closed": self.closed_at or self.closed,  # the date-time when known
                "lastMessage": self.last_message, "phoneNumber": self.phone_number,
                "unread": self.unread, "created": self.created, "updated": self.updated,
            },
            self.extra,
        )  # fmt: skip


@dataclass(frozen=True)
class Template:
    """A reusable message text, placeholders allowed."""

    id: str | None = None
    name: str | None = None
    template: str | None = None  # the text, with mustache placeholders
    type: str | None = None  # "SMS" or "Web"
    extra: Mapping[str, object] = field(default_factory=empty_mapping, repr=False)

    _KEYS = frozenset({"id", "name", "template", "type"})

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> Self:
        return cls(
            id=as_str(data.get("id")),
            name=as_str(data.get("name")),
            template=as_str(data.get("template")),
            type=as_str(data.get("type")),
            extra=leftovers(data, cls._KEYS),
        )

    def to_json(self) -> dict[str, Any]:
        return _document(
            {"id": self.id, "name": self.name, "template": self.template, "type": self.type},
            self.extra,
        )


@dataclass(frozen=True)
class Campaign:
    """The 1.0.1 document only promises ``id``; the request fields are read when present."""

    id: str | None = None
    name: str | None = None
    template: str | None = None
    filters: Mapping[str, object] = field(default_factory=empty_mapping)
    trigger: Mapping[str, object] = field(default_factory=empty_mapping)
    extra: Mapping[str, object] = field(default_factory=empty_mapping, repr=False)

    _KEYS = frozenset({"id", "name", "template", "filters", "trigger"})

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> Self:
        return cls(
            id=as_str(data.get("id")),
            name=as_str(data.get("name")),
            template=as_str(data.get("template")),
            filters=as_dict(data.get("filters")),
            trigger=as_dict(data.get("trigger")),
            extra=leftovers(data, cls._KEYS),
        )

    def to_json(self) -> dict[str, Any]:
        return _document(
            {
                "id": self.id, "name": self.name, "template": self.template,
                "filters": self.filters, "trigger": self.trigger,
            },
            self.extra,
        )  # fmt: skip


# Event types a webhook can subscribe to: the seven of the 1.0.1 document, then the ones
# Sakari's later reference adds.
WEBHOOK_EVENT_TYPES: tuple[str, ...] = (
    "message-received", "message-status", "message-sent", "conversation-closed",
    "contact-created", "contact-updated", "contact-removed",
    "conversation-started", "contact-opt-out", "contact-opt-in", "list-opt-out", "list-opt-in",
)  # fmt: skip


@dataclass(frozen=True)
class Webhook:
    """A webhook subscription: 1.0.1 sends ``{url, eventTypes}``, later versions
    ``{id, type, eventTypes, destination}``; ``url`` is filled from either."""

    url: str | None = None
    event_types: tuple[str, ...] = ()
    id: str | None = None
    type: str | None = None
    extra: Mapping[str, object] = field(default_factory=empty_mapping, repr=False)

    _KEYS = frozenset({"url", "eventTypes", "id", "type", "destination"})

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> Self:
        destination = data.get("destination")
        url = as_str(data.get("url"))
        if url is None:
            url = as_str(destination, as_str(as_dict(destination).get("url")))
        return cls(
            url=url,
            event_types=_strings(data.get("eventTypes")),
            id=as_str(data.get("id")),
            type=as_str(data.get("type")),
            extra=leftovers(data, cls._KEYS),
        )

    def to_json(self) -> dict[str, Any]:
        return _document(
            {"url": self.url, "eventTypes": self.event_types, "id": self.id, "type": self.type},
            self.extra,
        )


@dataclass(frozen=True)
class RecipientFailure:
    """One recipient a send could not go to, with the server's reason."""

    code: str | None = None
    description: str | None = None
    contact: Contact | None = None

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> Self:
        # Seen as a contact carrying ``error: {code, description}``, or as
        # ``{contact, error}``, or with ``code``/``description`` at the top.
        error = ErrorDetail.from_json(as_dict(data.get("error")))
        top = ErrorDetail.from_json(data)
        nested_contact = data.get("contact")
        contact = Contact.from_json(nested_contact if isinstance(nested_contact, dict) else data)
        return cls(
            code=error.code if error.code is not None else top.code,
            description=error.description if error.description is not None else top.description,
            contact=contact,
        )

    def to_json(self) -> dict[str, Any]:
        # As ``{contact, error}``: in the other shapes the contact's own fields, its own
        # ``error`` among them, would mix with the failure's.
        error = ErrorDetail(self.code, self.description).to_json()
        return _document({"contact": self.contact, "error": error})

    def __str__(self) -> str:
        return str(ErrorDetail(self.code, self.description))


def is_refusal(message: Any) -> bool:
    """Whether an item of a send answer's ``messages`` carries an error: the only items
    ``SendSummary`` reads."""
    return isinstance(message, dict) and isinstance(message.get("error"), dict)


def _refusals(messages: Any) -> tuple[RecipientFailure, ...]:
    failures = []
    for item in as_list(messages):
        if is_refusal(item):
            error = ErrorDetail.from_json(item["error"])
            contact = _object(Contact, item.get("contact"))
            failures.append(RecipientFailure(error.code, error.description, contact))
    return tuple(failures)


@dataclass(frozen=True)
class SendResult:
    """The answer to ``messages.send``. 1.0.1 sends ``queued`` and ``estimatedPrice``; later
    versions ``requested``, ``valid`` and ``invalid[]``. Absent numbers are None."""

    job_id: str | None = None
    messages: tuple[Message, ...] = ()
    queued: int | None = None
    estimated_price: float | None = None
    requested: int | None = None
    valid: int | None = None
    invalid: tuple[RecipientFailure, ...] = ()
    extra: Mapping[str, object] = field(default_factory=empty_mapping, repr=False)

    _KEYS = frozenset({"jobId", "messages", "queued", "estimatedPrice", "requested", "valid", "invalid"})

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> Self:
        return cls(
            job_id=as_str(data.get("jobId")),
            messages=_objects(Message, data.get("messages")),
            queued=as_int(data.get("queued")),
            estimated_price=as_float(data.get("estimatedPrice")),
            requested=as_int(data.get("requested")),
            valid=as_int(data.get("valid")),
            invalid=_objects(RecipientFailure, data.get("invalid")),
            extra=leftovers(data, cls._KEYS),
        )

    def to_json(self) -> dict[str, Any]:
        return _document(
            {
                "jobId": self.job_id, "messages": self.messages, "queued": self.queued,
                "estimatedPrice": self.estimated_price, "requested": self.requested,
                "valid": self.valid, "invalid": self.invalid,
            },
            self.extra,
        )  # fmt: skip

    @property
    def failures(self) -> tuple[RecipientFailure, ...]:
        """Every recipient that failed: the ``invalid`` list plus messages carrying an error."""
        from_messages = tuple(
            RecipientFailure(m.error.code, m.error.description, m.contact) for m in self.messages if m.error is not None
        )
        return self.invalid + from_messages

    def summary(self) -> SendSummary:
        """What ``SendSummary.from_json`` reads from the same answer."""
        return SendSummary(
            job_id=self.job_id, queued=self.queued, estimated_price=self.estimated_price,
            requested=self.requested, valid=self.valid, failures=self.failures, extra=self.extra,
        )  # fmt: skip


@dataclass(frozen=True)
class SendSummary:
    """The answer to ``messages.send`` without a ``Message`` per recipient: its numbers and
    the recipients it could not go to, as ``SendResult`` has them.

    Reading 10,000 ``Message`` models takes a third of a second; this reads only the
    messages that carry an error (``is_refusal``). ``to_json`` writes the failures as such
    messages.
    """

    job_id: str | None = None
    queued: int | None = None
    estimated_price: float | None = None
    requested: int | None = None
    valid: int | None = None
    failures: tuple[RecipientFailure, ...] = ()
    extra: Mapping[str, object] = field(default_factory=empty_mapping, repr=False)

    _KEYS = SendResult._KEYS

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> Self:
        return cls(
            job_id=as_str(data.get("jobId")),
            queued=as_int(data.get("queued")),
            estimated_price=as_float(data.get("estimatedPrice")),
            requested=as_int(data.get("requested")),
            valid=as_int(data.get("valid")),
            failures=(_objects(RecipientFailure, data.get("invalid")) + _refusals(data.get("messages"))),
            extra=leftovers(data, cls._KEYS),
        )

    def to_json(self) -> dict[str, Any]:
        # Every failure as a message carrying an error: read back the same, with or without
        # a contact, wherever it came from.
        refusals = tuple(
            {**_document({"contact": f.contact}), "error": ErrorDetail(f.code, f.description).to_json()}
            for f in self.failures
        )
        return _document(
            {
                "jobId": self.job_id, "messages": refusals, "queued": self.queued,
                "estimatedPrice": self.estimated_price, "requested": self.requested,
                "valid": self.valid,
            },
            self.extra,
        )  # fmt: skip


@dataclass(frozen=True)
class ContactUpload:
    """The answer to a bulk (CSV) contact upload."""

    contacts: tuple[Contact, ...] = ()
    errors: tuple[Contact, ...] = ()  # contacts that failed validation, each with .error
    submitted: int | None = None
    inserted: int | None = None
    updated: int | None = None
    succeeded: int | None = None  # the JSON field "success"
    extra: Mapping[str, object] = field(default_factory=empty_mapping, repr=False)

    _KEYS = frozenset({"contacts", "errors", "submitted", "inserted", "updated", "success"})

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> Self:
        return cls(
            contacts=_objects(Contact, data.get("contacts")),
            errors=_objects(Contact, data.get("errors")),
            submitted=as_int(data.get("submitted")),
            inserted=as_int(data.get("inserted")),
            updated=as_int(data.get("updated")),
            succeeded=as_int(data.get("success")),
            extra=leftovers(data, cls._KEYS),
        )

    def to_json(self) -> dict[str, Any]:
        return _document(
            {
                "contacts": self.contacts, "errors": self.errors, "submitted": self.submitted,
                "inserted": self.inserted, "updated": self.updated, "success": self.succeeded,
            },
            self.extra,
        )  # fmt: skip


@dataclass(frozen=True)
class SharedFile:
    """A hosted file: ``link`` goes in a message or as MMS media until ``expires_at``."""

    link: str | None = None
    expires_at: datetime | None = None
    extra: Mapping[str, object] = field(default_factory=empty_mapping, repr=False)

    _KEYS = frozenset({"link", "expires"})

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> Self:
        return cls(
            link=as_str(data.get("link")),
            expires_at=as_datetime(data.get("expires")),
            extra=leftovers(data, cls._KEYS),
        )

    def to_json(self) -> dict[str, Any]:
        return _document({"link": self.link, "expires": self.expires_at}, self.extra)
