"""Was it sent? Finding a send of unknown outcome among the server's messages.

The API has no idempotency key. When a send's outcome is unknown (the connection dropped
after the request went out, a timeout, a 5xx, an answer that could not be read), the only
way to know is to look: ``messages.fetchAll`` for the recipient, newest first, paged back
until the messages are older than the first attempt. A fixed window is not enough: a burst
of replies, campaigns and customers writing in all push the message further back.

A message matches what was sent when it is outgoing, to that recipient, created no earlier
than the first attempt (less ``CLOCK_SKEW``), with the same text once the server has filled
in the ``{{...}}`` placeholders (matched as a pattern, since the client does not know every
value the server has), and not already taken by another send (``claimed``): two identical
replies sent on purpose are two messages.

The outbox and ``sakari-tui send`` both use this.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from sakari_tui.api import ApiError, AuthError, Message, NetworkError, RateLimited, SakariError

from .ports import InboxClient
from .templates import PLACEHOLDER

# How far the server's clock may be behind ours when matching a message after an unknown outcome.
CLOCK_SKEW = 300.0
# Messages per page when paging back (the API's maximum).
PAGE_SIZE = 100
# A bound on the paging, for a server whose messages carry no time to stop at: this many
# pages without reaching the first attempt leaves the outcome unknown (never a resend).
MAX_PAGES = 200


def outcome_unknown(error: SakariError) -> bool:
    """Whether a send that failed with ``error`` may still have reached the server.

    Not when it failed getting a token, could not connect, was throttled (429 comes before
    anything is stored) or refused (4xx). Yes after the request left and the connection
    dropped or timed out, on a 5xx (a server may fail after storing), and on an answer that
    could not be read.
    """
    if error.while_authenticating:
        return False
    if isinstance(error, NetworkError):
        return error.may_have_been_sent
    if isinstance(error, RateLimited | AuthError):
        return False
    if isinstance(error, ApiError):
        return error.status >= 500
    return True


def accepted_count(messages: Collection[Message], valid: int | None, queued: int | None) -> int | None:
    """How many messages an answer to a send says were accepted: the messages listed
    without an error, else ``valid``, else ``queued``; None when it says nothing."""
    listed = sum(1 for m in messages if m.error is None)
    if listed:
        return listed
    for count in (valid, queued):
        if count is not None:
            return count
    return 0 if messages else None


class StillUnknown(Exception):
    """The messages could not be searched far enough to tell."""


@dataclass(frozen=True)
class Wanted:
    """A send to look for: its text (placeholders as written), one recipient, and when it
    was first tried (epoch seconds)."""

    text: str
    since: float
    conversation_id: str | None = None
    contact_id: str | None = None
    mobile: str | None = None
    media: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not (self.conversation_id or self.contact_id or self.mobile):
            raise ValueError("a send to look for needs a conversation, a contact or a mobile number")

    @property
    def key(self) -> tuple[str | None, str | None, str | None]:
        """The recipient, as the messages are looked up by."""
        if self.conversation_id:
            return (self.conversation_id, None, None)
        if self.contact_id:
            return (None, self.contact_id, None)
        return (None, None, self.mobile)


def normalize(text: str) -> str:
    """Text as compared: line endings unified and the ends trimmed, which servers may do."""
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def text_pattern(template: str) -> re.Pattern[str]:
    """What the server may store for ``template``: its literal parts as written, each
    placeholder as any text (a value, or nothing for a field the contact lacks)."""
    parts: list[str] = []
    position = 0
    template = normalize(template)
    for match in PLACEHOLDER.finditer(template):
        parts.append(re.escape(template[position : match.start()]))
        parts.append("(?:.*?)")
        position = match.end()
    parts.append(re.escape(template[position:]))
    return re.compile("".join(parts), re.DOTALL)


@dataclass
class Matcher:
    """Tells whether a server message is a copy of ``wanted``."""

    wanted: Wanted
    pattern: re.Pattern[str] = field(init=False)
    earliest: datetime = field(init=False)

    def __post_init__(self) -> None:
        self.pattern = text_pattern(self.wanted.text)
        self.earliest = datetime.fromtimestamp(self.wanted.since - CLOCK_SKEW, tz=timezone.utc)

    def too_old(self, message: Message) -> bool:
        created = message.created_at
        return created is not None and created < self.earliest

    def matches(self, message: Message) -> bool:
        if not message.outgoing:
            return False
        if self.too_old(message):
            return False
        wanted = self.wanted
        if wanted.mobile and not (wanted.conversation_id or wanted.contact_id):
            number = message.contact.mobile.number if message.contact and message.contact.mobile else None
            if number != wanted.mobile:
                return False
        if wanted.media and message.media:
            urls = {m.url for m in message.media}
            if not set(wanted.media) <= urls:
                return False
        return self.pattern.fullmatch(normalize(message.text or "")) is not None


class MessageLookup:
    """The messages of each recipient since a time, fetched once and kept for one pass:
    settling twenty unknown replies to one conversation costs one walk back, not twenty."""

    def __init__(self, client: InboxClient) -> None:
        self.client = client
        self._found: dict[tuple[str | None, str | None, str | None], tuple[float, list[Message]]] = {}

    async def messages_since(self, wanted: Wanted) -> list[Message]:
        """The recipient's messages, newest first, back to the first older than
        ``wanted.since`` less the clock skew. Raises a ``SakariError`` or ``StillUnknown``."""
        key = wanted.key
        cached = self._found.get(key)
        if cached is not None and cached[0] <= wanted.since:
            return cached[1]
        messages = await self._walk_back(wanted)
        self._found[key] = (wanted.since, messages)
        return messages

    async def _walk_back(self, wanted: Wanted) -> list[Message]:
        filters: dict[str, Any] = {}
        if wanted.conversation_id:
            filters["conversation_id"] = wanted.conversation_id
        elif wanted.contact_id:
            filters["contact_id"] = wanted.contact_id
        else:
            contact_id = await self._contact_of(wanted.mobile or "")
            if contact_id is not None:
                filters["contact_id"] = contact_id
            # else: no such contact (yet); walk the whole account's messages, bounded by time
        matcher = Matcher(wanted)
        found: list[Message] = []
        seen: set[str] = set()
        offset = 0
        for _ in range(MAX_PAGES):
            page = await self.client.messages.fetch_all(offset=offset, limit=PAGE_SIZE, **filters)
            reached_older = False
            for message in page.items:
                if matcher.too_old(message):
                    reached_older = True
                    continue
                # New messages arriving while we page push older ones down: a message may
                # show up on two pages, never on none.
                if message.id and message.id in seen:
                    continue
                if message.id:
                    seen.add(message.id)
                found.append(message)
            if reached_older or not page.has_next or not page.items:
                return found
            offset += len(page.items)
        raise StillUnknown(f"{MAX_PAGES * PAGE_SIZE} messages back and still not before the first attempt")

    async def _contact_of(self, mobile: str) -> str | None:
        page = await self.client.contacts.fetch_all(mobile=mobile, limit=PAGE_SIZE)
        for contact in page.items:
            if contact.id and contact.mobile and contact.mobile.number == mobile:
                return contact.id
        return None


async def find_sent(
    lookup: MessageLookup,
    wanted: Wanted,
    *,
    claimed: Collection[str] = (),
    owned_elsewhere: int = 0,
) -> Message | None:
    """The server's copy of ``wanted``, or None when it is not there (so sending again is
    safe). ``claimed`` are message ids other sends already matched; ``owned_elsewhere`` is
    how many matching messages belong to sends accepted without a message id, which are
    then not ours either. Raises a ``SakariError`` or ``StillUnknown`` when it cannot tell.
    """
    matcher = Matcher(wanted)
    messages = await lookup.messages_since(wanted)
    # Oldest first: of several copies, a send settled earlier took the earlier one.
    candidates = [m for m in reversed(messages) if matcher.matches(m) and m.id not in claimed]
    if len(candidates) > owned_elsewhere:
        return candidates[owned_elsewhere]
    return None
