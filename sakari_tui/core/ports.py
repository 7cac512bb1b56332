"""What core needs of the API client, as Protocols.

``Outbox`` and ``InboxSync`` take any object with these methods: ``SakariClient`` in the app,
a small fake in a test. Until the app has made its client (just after the first frame, so
that the cache paints first), they hold ``NOT_CONNECTED``, which fails every call as a
network error that never left the machine: the outbox then keeps the message and retries.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Protocol

from sakari_tui.api import NetworkError

if TYPE_CHECKING:
    from sakari_tui.api import Contact, Conversation, Message, Page, SendResult
    from sakari_tui.api.resources.messages import Recipient


class MessagesPort(Protocol):
    # The keyword arguments core passes, of SakariClient's messages.fetch_all and send.
    async def fetch_all(
        self, offset: int = 0, limit: int = 10, *, conversation_id: str | None = None, contact_id: str | None = None
    ) -> Page[Message]: ...

    async def fetch(self, message_id: str) -> Message: ...

    async def send(
        self,
        template: str,
        *,
        media: Iterable[str | Mapping[str, Any]] | None = None,
        type: str | None = None,
        conversations: Iterable[str] | None = None,
        contacts: Iterable[Recipient] | None = None,
    ) -> SendResult: ...


class ConversationsPort(Protocol):
    async def fetch_all(self, offset: int = 0, limit: int = 10) -> Page[Conversation]: ...

    async def fetch(self, conversation_id: str) -> Conversation: ...

    async def close(self, conversation_id: str) -> Conversation: ...


class ContactsPort(Protocol):
    async def fetch_all(self, offset: int = 0, limit: int = 10, *, mobile: str | None = None) -> Page[Contact]: ...

    async def fetch(self, contact_id: str) -> Contact: ...


class InboxClient(Protocol):
    """The part of the API the inbox (core/inbox.py, core/sync.py) and the outbox use."""

    @property
    def messages(self) -> MessagesPort: ...

    @property
    def conversations(self) -> ConversationsPort: ...

    @property
    def contacts(self) -> ContactsPort: ...


class NotConnected:
    """Stands in for the client before there is one; any use is a network error."""

    def _fail(self) -> NetworkError:
        return NetworkError("not connected yet", may_have_been_sent=False)

    @property
    def messages(self) -> MessagesPort:
        raise self._fail()

    @property
    def conversations(self) -> ConversationsPort:
        raise self._fail()

    @property
    def contacts(self) -> ContactsPort:
        raise self._fail()

    def __repr__(self) -> str:
        return "NOT_CONNECTED"


NOT_CONNECTED: InboxClient = NotConnected()
