from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Mapping
from typing import Any, TypedDict, Unpack

from ..envelope import data_object
from ..jsonstream import loads_filtered
from ..models import Contact, Message, SendResult, SendSummary, is_refusal
from ..pagination import MAX_PAGE_SIZE, Page, iterate_pages
from .base import Resource, query

Recipient = Mapping[str, Any] | Contact


def recipient_json(recipient: Recipient) -> dict[str, Any]:
    """A recipient for ``messages.send``: a dict as the API takes it (``{"id": ...}`` or
    ``{"mobile": {"number": ..., "country": ...}}``), or a ``Contact``."""
    if not isinstance(recipient, Contact):
        return dict(recipient)
    if recipient.id:
        return {"id": recipient.id}
    if recipient.mobile and recipient.mobile.number:
        mobile = {"number": recipient.mobile.number}
        if recipient.mobile.country:
            mobile["country"] = recipient.mobile.country
        return {"mobile": mobile}
    raise ValueError("a contact to send to needs an id or a mobile number")


class SendOptions(TypedDict, total=False):
    """Who a send goes to and how, for ``Messages.send`` and ``send_bulk``: contacts,
    conversations and/or ``filters`` (one at least); ``media`` URLs or ``{"url": ...}``
    objects; ``type`` "SMS" or "MMS"; ``extra`` body fields the 1.0.1 document does not list."""

    contacts: Iterable[Recipient] | None
    conversations: Iterable[str] | None
    filters: Mapping[str, Any] | None
    media: Iterable[str | Mapping[str, Any]] | None
    type: str | None
    conversation_strategy: str | None
    extra: Mapping[str, Any] | None


class Messages(Resource):
    async def fetch_all(
        self,
        offset: int = 0,
        limit: int = 10,
        *,
        contact_id: str | None = None,
        conversation_id: str | None = None,
    ) -> Page[Message]:
        params = query(offset=offset, limit=limit, contactId=contact_id, conversationId=conversation_id)
        body = await self._api.call("GET", self._api.account_path("messages"), params=params)
        return Page.from_json(body, Message.from_json, offset=offset, limit=limit)

    def iterate(self, *, page_size: int = MAX_PAGE_SIZE, **filters: Any) -> AsyncIterator[Message]:
        """Every message matching ``filters`` (``contact_id``, ``conversation_id``)."""
        return iterate_pages(self.fetch_all, page_size=page_size, **filters)

    async def fetch(self, message_id: str) -> Message:
        path = self._api.account_path("messages", message_id)
        return Message.from_json(data_object(await self._api.call("GET", path)))

    async def send(self, template: str, **options: Unpack[SendOptions]) -> SendResult:
        """Send ``template`` (the message text, placeholders allowed) to contacts,
        conversations and/or everyone matching ``filters``, in one request.

        ``media`` takes URLs or ``{"url": ...}`` objects; ``type`` is "SMS" or "MMS";
        ``extra`` adds body fields the 1.0.1 document does not list (e.g. ``sendAt``).

        Never retried here: the API has no idempotency key, so only the caller can tell
        whether a send whose outcome is unknown should go again (see ``NetworkError``).
        """
        payload = send_payload(template, options)
        body = await self._api.call("POST", self._api.account_path("messages"), json=payload)
        return SendResult.from_json(data_object(body))

    async def send_bulk(self, template: str, **options: Unpack[SendOptions]) -> SendSummary:
        """``send``, for many recipients: the answer is read as a ``SendSummary`` (counts,
        price, the recipients refused) instead of a ``Message`` per recipient, which for
        10,000 recipients would hold the caller's event loop for a third of a second. It is
        read in a worker thread, one message at a time, keeping only the refused ones."""
        payload = send_payload(template, options)
        return await self._api.call("POST", self._api.account_path("messages"), json=payload, read=read_send_summary)


def read_send_summary(raw: bytes) -> SendSummary:
    """The answer to a send, as JSON text, read as a ``SendSummary``: each message is decoded
    and dropped unless it carries an error. Raises ``ValueError`` when it is not JSON."""
    return SendSummary.from_json(data_object(loads_filtered(raw, ("data", "messages"), is_refusal)))


def send_payload(template: str, options: SendOptions) -> dict[str, Any]:
    """The body of ``messages.send``; ValueError when it names nobody to send to."""
    contacts, conversations, filters = options.get("contacts"), options.get("conversations"), options.get("filters")
    media, type, strategy = options.get("media"), options.get("type"), options.get("conversation_strategy")
    payload: dict[str, Any] = {"template": template}
    if contacts is not None:
        payload["contacts"] = [recipient_json(r) for r in contacts]
    if conversations is not None:
        payload["conversations"] = list(conversations)
    if filters is not None:
        payload["filters"] = dict(filters)
    if not payload.keys() & {"contacts", "conversations", "filters"}:
        raise ValueError("send needs contacts, conversations or filters")
    if media is not None:
        payload["media"] = [{"url": m} if isinstance(m, str) else dict(m) for m in media]
    if type is not None:
        payload["type"] = type
    if strategy is not None:
        payload["conversationStrategy"] = strategy
    payload.update(options.get("extra") or {})
    return payload
