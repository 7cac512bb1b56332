"""Records as the API's JSON (the 1.0.1 shapes, plus the fields the product needs)."""

from __future__ import annotations

from typing import Any

from .clock import iso, stamp
from .records import Campaign, Contact, Conversation, Message, Template, Webhook
from .store import Store


def contact_view(contact: Contact) -> dict[str, Any]:
    view = identifiers_of(contact)
    view["tags"] = [{"tag": tag, "visible": True} for tag in contact.tags]
    view["attributes"] = dict(contact.attributes)
    view["valid"] = True
    if contact.blocked_at is not None:
        view["blocked"] = iso(contact.blocked_at)
    if contact.opt_in_at is not None:
        view["optIn"] = iso(contact.opt_in_at)
    view["created"] = stamp(contact.created_at)
    view["updated"] = stamp(contact.updated_at)
    return view


def identifiers_of(contact: Contact) -> dict[str, Any]:
    view: dict[str, Any] = {"id": contact.id}
    if contact.first_name:
        view["firstName"] = contact.first_name
    if contact.last_name:
        view["lastName"] = contact.last_name
    if contact.email:
        view["email"] = contact.email
    view["mobile"] = {"number": contact.mobile, "country": contact.country}
    return view


def identifiers_view(store: Store, contact_id: str) -> dict[str, Any]:
    """ContactIdentifiers of a contact, still known after it was removed."""
    contact = store.contacts.get(contact_id)
    if contact is not None:
        return identifiers_of(contact)
    return dict(store.former_contacts.get(contact_id, {"id": contact_id}))


def message_view(store: Store, message: Message, at: float | None = None) -> dict[str, Any]:
    status, changed_at = store.status_of(message, at)
    conversation = store.conversations.get(message.conversation_id)
    view: dict[str, Any] = {
        "id": message.id,
        "conversation": {"id": message.conversation_id},
        "contact": identifiers_view(store, message.contact_id),
        "message": message.text,
        "outgoing": message.outgoing,
        "status": status,
        "type": message.type,
        "segments": message.segments,
        "price": message.price,
        "phoneNumber": store.sender_number,
        "read": message.outgoing or conversation is None or message.id not in conversation.unread,
        "media": [dict(item) for item in message.media],
    }
    if message.template is not None:
        view["template"] = message.template
    if status == "Error" and message.error is not None:
        view["error"] = {"code": message.error[0], "description": message.error[1]}
    view["created"] = stamp(message.created_at)
    view["updated"] = stamp(changed_at)
    return view


def conversation_view(store: Store, conversation: Conversation) -> dict[str, Any]:
    view: dict[str, Any] = {
        "id": conversation.id,
        "contact": identifiers_view(store, conversation.contact_id),
        "phoneNumber": {
            "number": store.sender_number,
            "country": store.sender_country,
            "active": True,
        },
        "unread": list(conversation.unread),
        "closed": conversation.closed_at is not None,
        "created": stamp(conversation.created_at),
        "updated": stamp(conversation.updated_at),
    }
    if conversation.message_ids:
        last = store.messages.get(conversation.message_ids[-1])
        if last is not None:
            view["lastMessage"] = message_view(store, last)
    return view


def template_view(template: Template) -> dict[str, Any]:
    return {
        "id": template.id,
        "name": template.name,
        "template": template.text,
        "type": template.type,
        "created": stamp(template.created_at),
        "updated": stamp(template.updated_at),
    }


def campaign_view(campaign: Campaign) -> dict[str, Any]:
    return {
        "id": campaign.id,
        "name": campaign.name,
        "trigger": {"code": campaign.trigger_code},
        "template": campaign.template,
        "filters": {
            "tags": list(campaign.filters.get("tags", [])),
            "contacts": list(campaign.filters.get("contacts", [])),
            "attributes": [dict(item) for item in campaign.filters.get("attributes", [])],
        },
        "created": stamp(campaign.created_at),
        "updated": stamp(campaign.updated_at),
    }


def webhook_view(webhook: Webhook) -> dict[str, Any]:
    return {"url": webhook.url, "eventTypes": list(webhook.event_types)}
