"""Sending and receiving messages: recipients, templates, segments, opt-out keywords."""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from . import sms
from .audience import attribute_matches, parse_attribute_filters
from .clock import now
from .contacts import new_contact, parse_contact
from .errors import ApiError, item_error
from .phones import normalise_mobile
from .records import Contact, Conversation, Message
from .store import Store
from .templating import PLACEHOLDER, render
from .views import contact_view, conversation_view, identifiers_of, message_view

OPT_OUT_KEYWORDS = frozenset({"STOP", "CANCEL", "END", "OPTOUT", "OPT-OUT", "QUIT", "REVOKE", "UNSUBSCRIBE"})
OPT_IN_KEYWORDS = frozenset({"START", "UNSTOP"})

BLOCKED = ("CONT-010", "Contact has requested no further communication")


@dataclass
class Recipient:
    contact: Contact | None
    # Set when the recipient is refused before a message is made.
    refusal: dict[str, Any] | None = None


# -- sending ------------------------------------------------------------------------------


def send_messages(store: Store, body: dict[str, Any]) -> dict[str, Any]:
    """messages.send: one message per recipient; refused recipients come back with an error."""
    message_type = body.get("type", "SMS")
    if message_type not in ("SMS", "MMS"):
        raise ApiError(400, "MSG-004", "type must be SMS or MMS")
    media = _media(body.get("media"))
    if media:
        message_type = "MMS"
    template = body.get("template")
    if template is None:
        template = ""
    if not isinstance(template, str):
        raise ApiError(400, "REQ-002", "template must be a string (the message text)")
    if not template.strip() and not media:
        raise ApiError(400, "MSG-003", "template is empty: nothing to send")

    recipients = _recipients(store, body)
    has_placeholders = bool(PLACEHOLDER.search(template))
    at = now()
    entries: list[dict[str, Any]] = []
    created: list[Message] = []
    for recipient in recipients:
        if recipient.refusal is not None:
            entries.append(recipient.refusal)
            continue
        contact = recipient.contact
        assert contact is not None
        text = _render_for(template, contact) if has_placeholders else template
        if contact.blocked_at is not None:
            entries.append(_refused(contact, text, BLOCKED))
            continue
        counted = sms.count_segments(text)
        if counted.segments > sms.MAX_SEGMENTS:
            reason = ("MSG-005", f"Message is {counted.segments} segments; the limit is {sms.MAX_SEGMENTS}")
            entries.append(_refused(contact, text, reason))
            continue
        conversation = _open_conversation(store, contact, at)
        status, error = store.decide_fate()
        message = Message.counted(
            store.new_id(),
            conversation,
            contact,
            text,
            at,
            outgoing=True,
            type=message_type,
            segments=counted,
            media=[dict(item) for item in media],
            template=template if has_placeholders else None,
            final_status=status,
            error=error,
            announced_status="Queued",
        )
        store.add_message(message, conversation)
        created.append(message)
        entries.append(message_view(store, message, at))
    return {
        "messages": entries,
        "jobId": store.new_id(),
        "queued": len(created),
        "estimatedPrice": round(sum(m.price for m in created), 4),
    }


def _render_for(template: str, contact: Contact) -> str:
    fields = {
        "firstName": contact.first_name,
        "lastName": contact.last_name,
        "email": contact.email,
        "mobile": contact.mobile,
        "id": contact.id,
    }
    return render(template, fields, contact.attributes)


def _refused(contact: Contact, text: str, reason: tuple[str, str]) -> dict[str, Any]:
    return {
        "contact": identifiers_of(contact),
        "message": text,
        "outgoing": True,
        "error": item_error(*reason),
    }


def _media(value: object) -> list[dict[str, str]]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ApiError(400, "MSG-004", "media must be a list of {url} objects")
    items = []
    for item in value:
        url = item.get("url") if isinstance(item, dict) else None
        if not isinstance(url, str) or urlsplit(url).scheme not in ("http", "https"):
            raise ApiError(400, "MSG-004", "each media item needs an http(s) url")
        filename = urlsplit(url).path.rsplit("/", 1)[-1] or "media"
        content_type = mimetypes.guess_type(filename)[0] or "application/octet-stream"
        items.append({"url": url, "filename": filename, "type": content_type})
    return items


def _list_field(body: dict[str, Any], name: str) -> list[Any]:
    value = body.get(name)
    if value is None:
        return []
    if not isinstance(value, list):
        raise ApiError(400, "REQ-002", f"{name} must be a list")
    return value


def _recipients(store: Store, body: dict[str, Any]) -> list[Recipient]:
    """Everyone the send is for, once each, in the order given."""
    contacts_given = _list_field(body, "contacts")
    conversations_given = _list_field(body, "conversations")
    filters = body.get("filters")
    if filters is not None and not isinstance(filters, dict):
        raise ApiError(400, "REQ-002", "filters must be an object")
    tags = _string_list(filters, "tags") if filters else []
    attribute_filters = parse_attribute_filters(filters.get("attributes"), "REQ-002") if filters else []
    if not (contacts_given or conversations_given or tags or attribute_filters):
        raise ApiError(400, "MSG-002", "No recipients: give contacts, conversations or filters")

    found: list[Recipient] = []
    for index, item in enumerate(contacts_given):
        found.append(_recipient_from_contact_request(store, item, index))
    for conversation_id in conversations_given:
        conversation = store.conversations.get(conversation_id) if isinstance(conversation_id, str) else None
        contact = store.contacts.get(conversation.contact_id) if conversation else None
        if contact is not None:
            found.append(Recipient(contact))
            continue
        if conversation is None:
            reason = item_error("CONV-001", "Invalid conversation id")
        else:
            reason = item_error("CONT-003", "The conversation's contact was removed")
        refusal = {"conversation": {"id": str(conversation_id)}, "outgoing": True, "error": reason}
        found.append(Recipient(None, refusal))
    if tags or attribute_filters:
        wanted = {tag.lower() for tag in tags}
        for contact in store.contacts.values():
            if wanted and not any(tag.lower() in wanted for tag in contact.tags):
                continue
            if all(attribute_matches(contact, rule) for rule in attribute_filters):
                found.append(Recipient(contact))

    unique: list[Recipient] = []
    seen: set[str] = set()
    for recipient in found:
        if recipient.contact is not None:
            if recipient.contact.id in seen:
                continue
            seen.add(recipient.contact.id)
        unique.append(recipient)
    return unique


def _recipient_from_contact_request(store: Store, item: object, index: int) -> Recipient:
    if not isinstance(item, dict):
        raise ApiError(400, "REQ-002", f"contacts[{index}] must be an object")
    contact_id = item.get("id")
    if contact_id is not None:
        contact = store.contacts.get(contact_id) if isinstance(contact_id, str) else None
        if contact is None:
            refusal = {
                "contact": {"id": str(contact_id)},
                "outgoing": True,
                "error": item_error("CONT-003", "Contact not found"),
            }
            return Recipient(None, refusal)
        return Recipient(contact)
    try:
        given = parse_contact(item, require_mobile=True, where=f"contacts[{index}].")
    except ApiError as exc:
        if exc.code == "REQ-002":
            raise
        refusal = {"contact": _echo(item), "outgoing": True, "error": item_error(exc.code, exc.message)}
        return Recipient(None, refusal)
    assert given.mobile is not None
    existing = store.contact_by_mobile(given.mobile)
    return Recipient(existing if existing is not None else new_contact(store, given))


def _echo(item: dict[str, Any]) -> dict[str, Any]:
    """The identifying part of a refused ContactRequest, safe to send back."""
    echo = {k: item[k] for k in ("firstName", "lastName", "email") if isinstance(item.get(k), str)}
    mobile = item.get("mobile")
    if isinstance(mobile, dict):
        echo["mobile"] = {k: str(v) for k, v in mobile.items() if k in ("number", "country")}
    elif isinstance(mobile, str):
        echo["mobile"] = {"number": mobile}
    return echo


def _string_list(container: dict[str, Any], name: str) -> list[str]:
    value = container.get(name)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ApiError(400, "REQ-002", f"filters.{name} must be a list of strings")
    return [v for v in value if v.strip()]


def _open_conversation(store: Store, contact: Contact, at: float) -> Conversation:
    conversation, is_new = store.open_conversation(contact, at)
    if is_new:
        store.emit("conversation-started", lambda: conversation_view(store, conversation))
    return conversation


# -- receiving ----------------------------------------------------------------------------


def receive_message(store: Store, mobile: str, text: str) -> Message:
    """A customer texts in. Raises ValueError for a number that is not a mobile number."""
    number = normalise_mobile(mobile)
    at = now()
    contact = store.contact_by_mobile(number)
    if contact is None:
        given = parse_contact({"mobile": number}, require_mobile=True)
        contact = new_contact(store, given, at)
    _apply_keyword(store, contact, text, at)
    conversation = _open_conversation(store, contact, at)
    message = Message.counted(store.new_id(), conversation, contact, text, at, outgoing=False, final_status="Received")
    store.add_message(message, conversation)
    store.emit("message-received", lambda: message_view(store, message))
    return message


def keyword_of(text: str) -> str:
    """The text as a keyword: one word, any case, surrounding punctuation ignored."""
    word = text.strip().strip(".!").upper()
    return "" if not word or any(ch.isspace() for ch in word) else word


def _apply_keyword(store: Store, contact: Contact, text: str, at: float) -> None:
    keyword = keyword_of(text)
    if keyword in OPT_OUT_KEYWORDS and contact.blocked_at is None:
        contact.blocked_at = at
        contact.opt_in_at = None
        event = "contact-opt-out"
    elif keyword in OPT_IN_KEYWORDS:
        contact.blocked_at = None
        contact.opt_in_at = at
        event = "contact-opt-in"
    else:
        return
    contact.updated_at = at
    store.emit(event, lambda: contact_view(contact))
    store.emit("contact-updated", lambda: contact_view(contact))
