"""The outbox: nothing typed is lost, nothing is sent twice.

A reply is written to the store before it is sent. Then:

- the request never left (no connection, 429, 401, no token): it stays pending and
  is retried automatically after a back-off;
- the outcome is unknown (timeout or connection lost after the request went out, a
  5xx, an answer we cannot read): before any resend, the recipient's messages are
  searched for it, paging back to the first attempt (see ``reconcile``), since the
  API has no idempotency key; it is resent only when it is not there;
- the server accepted it: sent, with the message id, or without one when the answer
  lists only counters (the id is then looked up, never by resending);
- the server refused it (4xx, or a per-recipient error such as an opt-out): it is
  failed, with the reason, until the agent retries or discards it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sakari_tui.api import AuthError, NetworkError, RateLimited, SakariError, SendResult

from .ports import NOT_CONNECTED, InboxClient
from .store import OutboxItem, OutboxState, Store

if TYPE_CHECKING:
    from .reconcile import MessageLookup, Wanted

# ``reconcile`` (and ``templates``, which it uses) is imported where a pass needs it, not with
# this module: the app imports the outbox before its first frame, and passes run only once
# the client exists, after it (about 8 ms of start-up, collector off).

# Back-off between automatic retries of a send that never left, capped.
RETRY_BASE, RETRY_CAP = 2.0, 60.0
# How long the id of a reply accepted without one is looked for (seconds from its first attempt).
ID_SEARCH_WINDOW = 600.0


class Outbox:
    def __init__(self, store: Store, client: InboxClient | None, *, clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.client: InboxClient = client or NOT_CONNECTED
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
        """One pass: find the ids of sends accepted without one, settle unknown outcomes,
        then send what is due. Returns the items touched."""
        from .reconcile import MessageLookup

        touched = []
        lookup = MessageLookup(self.client)  # each recipient's messages fetched once a pass
        for item in self.store.outbox_items(OutboxState.SENT):
            if item.message_id is None and time.time() - item.since < ID_SEARCH_WINDOW:
                touched.append(await self.find_id(item, lookup))
        for item in self.store.outbox_items(OutboxState.UNKNOWN):
            touched.append(await self.resolve_unknown(item, lookup))
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
        except SakariError as exc:
            from .reconcile import outcome_unknown

            if outcome_unknown(exc):
                # Dropped or timed out after it left, a 5xx (which may come after the server
                # stored it), an answer we cannot read: check before resending.
                return self.store.outbox_update(item.id, state=OutboxState.UNKNOWN, error=str(exc))
            if exc.while_authenticating or isinstance(exc, RateLimited | AuthError | NetworkError):
                # No token, throttled, refused credentials, no connection: it never left.
                return self._later(item, exc, getattr(exc, "retry_after", None))
            return self.store.outbox_update(item.id, state=OutboxState.FAILED, error=str(exc))
        except BaseException:
            # Cancelled or broken mid-request: it may have gone out, as after a crash.
            self.store.outbox_update(item.id, state=OutboxState.UNKNOWN)
            raise
        return await self._accepted(item, result)

    async def _accepted(self, item: OutboxItem, result: SendResult) -> OutboxItem:
        """Settle ``item`` from the server's answer to its send."""
        from .reconcile import MessageLookup, accepted_count

        with_id = [m for m in result.messages if m.id and m.error is None]
        if with_id:
            return self.store.outbox_update(item.id, state=OutboxState.SENT, message_id=with_id[0].id, error=None)
        failures = result.failures
        if failures:
            return self.store.outbox_update(item.id, state=OutboxState.FAILED, error=str(failures[0]))
        accepted = accepted_count(result.messages, result.valid, result.queued)
        if accepted:
            # Accepted, but the answer lists no message id (only counters): sent. Its id is
            # looked up, so that a later identical reply is never taken for it.
            item = self.store.outbox_update(item.id, state=OutboxState.SENT, error=None)
            return await self.find_id(item, MessageLookup(self.client))
        if accepted == 0:
            return self.store.outbox_update(item.id, state=OutboxState.FAILED, error="the server accepted no message")
        # An answer that says nothing either way: check before resending.
        return self.store.outbox_update(
            item.id, state=OutboxState.UNKNOWN, error="the answer did not say whether it was sent"
        )

    async def find_id(self, item: OutboxItem, lookup: MessageLookup) -> OutboxItem:
        """The server's id of a reply it accepted without naming one; never resends."""
        from .reconcile import StillUnknown, find_sent

        try:
            match = await find_sent(lookup, self._wanted(item), claimed=self.store.claimed_message_ids(),
                                    owned_elsewhere=self._accepted_without_id(item))  # fmt: skip
        except (SakariError, StillUnknown):
            return item  # the next pass looks again
        current = self.store.outbox_get(item.id)
        if match is None or current is None or current.state is not OutboxState.SENT or current.message_id:
            return current or item
        return self.store.outbox_update(item.id, message_id=match.id)

    async def resolve_unknown(self, item: OutboxItem, lookup: MessageLookup | None = None) -> OutboxItem:
        """Find out whether a send of unknown outcome reached the server; resend only if not."""
        from .reconcile import MessageLookup, StillUnknown, find_sent

        try:
            match = await find_sent(
                lookup or MessageLookup(self.client),
                self._wanted(item),
                claimed=self.store.claimed_message_ids(),
                owned_elsewhere=self._accepted_without_id(item),
            )
        except (SakariError, StillUnknown) as exc:
            # Still unknown; try again on the next pass.
            return self.store.outbox_update(item.id, error=str(exc))
        current = self.store.outbox_get(item.id)
        if current is None or current.state is not OutboxState.UNKNOWN:
            return current or item  # settled by another pass, or discarded, meanwhile
        if match is not None:
            return self.store.outbox_update(item.id, state=OutboxState.SENT, message_id=match.id, error=None)
        item = self.store.outbox_update(item.id, state=OutboxState.PENDING, not_before=0)
        return await self.deliver(item)

    def _later(self, item: OutboxItem, error: Exception, retry_after: float | None) -> OutboxItem:
        delay = retry_after if retry_after is not None else min(RETRY_BASE * 2 ** (item.attempts - 1), RETRY_CAP)
        return self.store.outbox_update(
            item.id, state=OutboxState.PENDING, error=str(error), not_before=self.clock() + delay
        )

    def _accepted_without_id(self, item: OutboxItem) -> int:
        """Other replies like ``item`` the server accepted without naming their message:
        that many matching messages are theirs."""
        from .reconcile import normalize

        text = normalize(item.text)
        return sum(
            1
            for other in self.store.outbox_items(OutboxState.SENT)
            if other.id != item.id
            and other.message_id is None
            and normalize(other.text) == text
            and self._wanted(other).key == self._wanted(item).key
        )

    @staticmethod
    def _wanted(item: OutboxItem) -> Wanted:
        from .reconcile import Wanted

        return Wanted(
            text=item.text,
            since=item.since,
            conversation_id=item.conversation_id,
            contact_id=item.contact_id,
            mobile=item.mobile,
            media=item.media,
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
