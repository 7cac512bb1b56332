"""The outbox: nothing typed is lost, nothing is sent twice.

A reply is written to the store before it is sent. Then:

- the request never left (no connection, 429, 401): it stays pending and is
  retried automatically after a back-off;
- the outcome is unknown (timeout or connection lost after the request went
  out, a 5xx, an answer we cannot read): before any resend, the conversation's
  messages are fetched and searched for it, since the API has no idempotency key;
- the server refused it (4xx, or a per-recipient error such as an opt-out): it is
  failed, with the reason, until the agent retries or discards it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

from sakari_tui.api import (
    ApiError,
    AuthError,
    BadResponse,
    Message,
    NetworkError,
    RateLimited,
)

from .store import OutboxItem, OutboxState, Store

# How far the server's clock may be behind ours when matching a message after an unknown outcome.
CLOCK_SKEW = 300.0
# Back-off between automatic retries of a send that never left, capped.
RETRY_BASE, RETRY_CAP = 2.0, 60.0
# How many of a conversation's newest messages are searched for a send of unknown outcome.
LOOKBACK = 50


class Outbox:
    def __init__(self, store: Store, client: Any, *, clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.client = client
        self.clock = clock

    def enqueue(
        self,
        text: str,
        *,
        conversation_id: str | None = None,
        contact_id: str | None = None,
        mobile: str | None = None,
        media: list[str] | None = None,
    ) -> OutboxItem:
        """Write a reply to the outbox; ``media`` URLs (from tools.shareFile) make it an MMS."""
        if not (conversation_id or contact_id or mobile):
            raise ValueError("a message needs a conversation, a contact or a mobile number")
        return self.store.outbox_add(
            text, conversation_id=conversation_id, contact_id=contact_id, mobile=mobile, media=media or ()
        )

    def retry(self, item_id: str) -> OutboxItem:
        """The agent asks to try a failed message again."""
        return self.store.outbox_update(item_id, state=OutboxState.PENDING, not_before=0, error=None)

    def discard(self, item_id: str) -> None:
        self.store.outbox_remove(item_id)

    def waiting(self, conversation_id: str | None = None) -> list[OutboxItem]:
        """Items not yet known to be on the server, to show in the thread."""
        return self.store.outbox_items(
            OutboxState.PENDING, OutboxState.SENDING, OutboxState.UNKNOWN, OutboxState.FAILED,
            conversation_id=conversation_id,
        )  # fmt: skip

    async def flush(self) -> list[OutboxItem]:
        """One pass: settle unknown outcomes, then send what is due. Returns the items touched."""
        touched = []
        for item in self.store.outbox_items(OutboxState.UNKNOWN):
            touched.append(await self.resolve_unknown(item))
        now = self.clock()
        for item in self.store.outbox_items(OutboxState.PENDING):
            if item.not_before <= now:
                touched.append(await self.deliver(item))
        return touched

    async def deliver(self, item: OutboxItem) -> OutboxItem:
        """One attempt at sending ``item``; the state is saved before the request goes out."""
        # ``item`` may be stale: discarded, or taken by another pass, while this one waited.
        current = self.store.outbox_get(item.id)
        if current is None or current.state is not OutboxState.PENDING:
            return current or item
        item = self.store.outbox_update(item.id, state=OutboxState.SENDING, attempts=current.attempts + 1)
        try:
            result = await self.client.messages.send(item.text, **self._recipient(item), **self._media(item))
        except RateLimited as exc:
            return self._later(item, exc, exc.retry_after)
        except AuthError as exc:
            return self._later(item, exc, None)
        except NetworkError as exc:
            if exc.may_have_been_sent:
                return self.store.outbox_update(item.id, state=OutboxState.UNKNOWN, error=str(exc))
            return self._later(item, exc, None)
        except ApiError as exc:
            if exc.status >= 500:
                # A 5xx may come after the server stored the message: check before resending.
                return self.store.outbox_update(item.id, state=OutboxState.UNKNOWN, error=str(exc))
            return self.store.outbox_update(item.id, state=OutboxState.FAILED, error=str(exc))
        except BadResponse as exc:
            return self.store.outbox_update(item.id, state=OutboxState.UNKNOWN, error=str(exc))
        except BaseException:
            # Cancelled or broken mid-request: it may have gone out, as after a crash.
            self.store.outbox_update(item.id, state=OutboxState.UNKNOWN)
            raise

        accepted = [m for m in result.messages if m.id and m.error is None]
        if accepted:
            return self.store.outbox_update(item.id, state=OutboxState.SENT, message_id=accepted[0].id, error=None)
        failures = result.failures
        reason = str(failures[0]) if failures else "the server accepted no message"
        return self.store.outbox_update(item.id, state=OutboxState.FAILED, error=reason)

    async def resolve_unknown(self, item: OutboxItem) -> OutboxItem:
        """Find out whether a send of unknown outcome reached the server; resend only if not."""
        try:
            page = await self.client.messages.fetch_all(limit=LOOKBACK, **self._lookup(item))
        except (NetworkError, ApiError, BadResponse) as exc:
            # Still unknown; try again on the next pass.
            return self.store.outbox_update(item.id, error=str(exc))
        current = self.store.outbox_get(item.id)
        if current is None or current.state is not OutboxState.UNKNOWN:
            return current or item  # settled by another pass, or discarded, meanwhile
        claimed = self.store.claimed_message_ids()
        match = next((m for m in page.items if self._is_ours(m, item) and m.id not in claimed), None)
        if match is not None:
            return self.store.outbox_update(item.id, state=OutboxState.SENT, message_id=match.id, error=None)
        item = self.store.outbox_update(item.id, state=OutboxState.PENDING, not_before=0)
        return await self.deliver(item)

    def _later(self, item: OutboxItem, error: Exception, retry_after: float | None) -> OutboxItem:
        delay = retry_after if retry_after is not None else min(RETRY_BASE * 2 ** (item.attempts - 1), RETRY_CAP)
        return self.store.outbox_update(
            item.id, state=OutboxState.PENDING, error=str(error), not_before=self.clock() + delay
        )

    @staticmethod
    def _recipient(item: OutboxItem) -> dict[str, Any]:
        if item.conversation_id:
            return {"conversations": [item.conversation_id]}
        if item.contact_id:
            return {"contacts": [{"id": item.contact_id}]}
        return {"contacts": [{"mobile": {"number": item.mobile}}]}

    @staticmethod
    def _media(item: OutboxItem) -> dict[str, Any]:
        if not item.media:
            return {}
        return {"media": [{"url": url} for url in item.media], "type": "MMS"}

    @staticmethod
    def _lookup(item: OutboxItem) -> dict[str, Any]:
        if item.conversation_id:
            return {"conversation_id": item.conversation_id}
        if item.contact_id:
            return {"contact_id": item.contact_id}
        return {}

    def _is_ours(self, message: Message, item: OutboxItem) -> bool:
        if not message.outgoing or message.text != item.text:
            return False
        if item.mobile and not item.conversation_id and not item.contact_id:
            number = message.contact.mobile.number if message.contact and message.contact.mobile else None
            if number != item.mobile:
                return False
        created = message.created_at
        if created is None:
            return True
        return created >= datetime.fromtimestamp(item.created - CLOCK_SKEW, tz=timezone.utc)
