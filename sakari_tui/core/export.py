"""A conversation handed on: its whole thread as plain text (for pasting into a ticket) or
as JSON (the API's objects, for a program).

Used by the inbox's export dialog and by ``sakari-tui conversations export ID``. Message
texts are untrusted: the text form strips terminal control sequences (a ticket system or
a ``cat`` in a terminal must not obey them); the JSON form keeps the text as sent, every
character outside ASCII written as a JSON escape.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sakari_tui.api.values import as_datetime

from . import clock
from .text import one_line, strip_control

FORMATS = ("text", "json")


@dataclass(frozen=True)
class Thread:
    conversation: dict[str, Any]  # the API's conversation object
    messages: list[dict[str, Any]]  # the API's message objects, oldest first


async def fetch_thread(client: Any, conversation_id: str, *, page_size: int = 100) -> Thread:
    """The conversation and every one of its messages, oldest first (all pages)."""
    conversation = await client.conversations.fetch(conversation_id)
    newest_first = [m async for m in client.messages.iterate(conversation_id=conversation_id, page_size=page_size)]
    messages = [m.to_json() for m in newest_first]
    messages.reverse()
    return Thread(conversation.to_json(), messages)


def _name(contact: Any) -> str:
    if not isinstance(contact, Mapping):
        return ""
    return one_line(" ".join(str(p) for p in (contact.get("firstName"), contact.get("lastName")) if p))


def _number(contact: Any) -> str:
    mobile = contact.get("mobile") if isinstance(contact, Mapping) else None
    number = mobile.get("number") if isinstance(mobile, Mapping) else None
    return one_line(number) if isinstance(number, str) else ""


def as_text(thread: Thread, *, tz: timezone | None = None, exported: datetime | None = None) -> str:
    """The thread as a person reads it: who, when, what; times in ``tz`` (default local)."""
    contact = thread.conversation.get("contact")
    name, number = _name(contact), _number(contact)
    who = f"{name} ({number})" if name and number else name or number or str(thread.conversation.get("id", ""))
    exported = exported or clock.now()

    def at(when: datetime | None) -> str:
        return when.astimezone(tz).strftime("%Y-%m-%d %H:%M %Z").strip() if when else "(no time)"

    lines = [f"Conversation with {who}"]
    state = "closed" if thread.conversation.get("closed") else "open"
    lines.append(f"{len(thread.messages)} messages · {state} · id {one_line(str(thread.conversation.get('id', '')))}")
    lines.append(f"Exported {at(exported)}")
    lines.append("")
    for message in thread.messages:
        outgoing = bool(message.get("outgoing"))
        author = "Agent" if outgoing else (name or number or "Customer")
        head = f"[{at(_stamp_time(message.get('created')))}] {author}"
        status = message.get("status")
        if outgoing and isinstance(status, str) and status:
            head += f" ({one_line(status).lower()})"
        text = strip_control(message.get("message") or "") if isinstance(message.get("message"), str) else ""
        body = text.split("\n") if text else []
        if len(body) <= 1:
            lines.append(f"{head}: {body[0] if body else ''}".rstrip())
        else:
            lines.append(f"{head}:")
            lines.extend(f"    {line}" for line in body)
        for media in message.get("media") or ():
            if isinstance(media, Mapping):
                label = one_line(str(media.get("filename") or media.get("name") or "attachment"))
                lines.append(f"    attachment: {label} {one_line(str(media.get('url') or ''))}".rstrip())
    return "\n".join(lines) + "\n"


def as_json(thread: Thread, *, exported: datetime | None = None) -> str:
    document = {
        "exported": (exported or clock.now()).isoformat(),
        "conversation": thread.conversation,
        "messages": thread.messages,
    }
    # ASCII only: JSON escapes C0 controls either way, but C1 ones (U+009B, a CSI to some
    # terminals) only as \u escapes; a program reading it gets the same text.
    return json.dumps(document, ensure_ascii=True, indent=2) + "\n"


def render(thread: Thread, format: str) -> str:
    if format == "json":
        return as_json(thread)
    if format == "text":
        return as_text(thread)
    raise ValueError(f"unknown export format {format!r}: {' or '.join(FORMATS)}")


def suggested_name(thread: Thread | Mapping[str, Any], format: str) -> str:
    """A file name for the export: the contact's name (or number) and the date."""
    conversation = thread.conversation if isinstance(thread, Thread) else thread
    contact = conversation.get("contact")
    base = _name(contact) or _number(contact) or str(conversation.get("id", "conversation"))
    safe = "".join(ch if ch.isalnum() or ch in "+-_" else "-" for ch in base).strip("-") or "conversation"
    day = clock.now().astimezone().strftime("%Y-%m-%d")
    return f"sakari-{safe}-{day}.{'json' if format == 'json' else 'txt'}"


def _stamp_time(stamp: Any) -> datetime | None:
    """The time of an API stamp (``{"at": ..., "by": ...}``), read as the models read times."""
    return as_datetime(stamp.get("at")) if isinstance(stamp, Mapping) else None
