"""Background work that reports to the outside: webhook delivery and status announcements.

Handlers never wait for a webhook: events go into a queue that a background task drains,
POSTing each event as JSON to the subscribed URLs with a short timeout. Failures are logged
at debug level and otherwise ignored, as a real provider's retries are out of scope here.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections import deque
from functools import partial
from typing import Any

import httpx

from .store import Store
from .views import message_view

log = logging.getLogger("sakari_tui.sandbox")

DELIVERY_TIMEOUT = 2.0
MAX_PENDING_EVENTS = 10_000
MAX_PARALLEL_DELIVERIES = 8


class WebhookDelivery:
    def __init__(self, store: Store, account_id: str, transport: httpx.AsyncBaseTransport | None) -> None:
        self._store = store
        self._account_id = account_id
        self._transport = transport
        # (urls, event) waiting to be delivered; events made before start() wait here too.
        self._pending: deque[tuple[list[str], dict[str, Any]]] = deque(maxlen=MAX_PENDING_EVENTS)
        self._wakeup: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.delivered = 0
        self.failed = 0

    def enqueue(self, event_type: str, payload: dict[str, Any]) -> None:
        urls = [hook.url for hook in self._store.webhooks.values() if event_type in hook.event_types]
        if not urls:
            return
        event = {
            "eventId": uuid.uuid4().hex,
            "accountId": self._account_id,
            "type": event_type,
            "data": payload,
        }
        self._pending.append((urls, event))
        if self._loop is not None and self._wakeup is not None:
            # Safe from any thread; wakes the delivery task on its own loop.
            self._loop.call_soon_threadsafe(self._wakeup.set)

    async def run(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._wakeup = asyncio.Event()
        limit = asyncio.Semaphore(MAX_PARALLEL_DELIVERIES)
        in_flight: set[asyncio.Task[None]] = set()
        async with httpx.AsyncClient(transport=self._transport, timeout=DELIVERY_TIMEOUT) as client:
            try:
                while True:
                    while self._pending:
                        urls, event = self._pending.popleft()
                        for url in urls:
                            await limit.acquire()
                            task = asyncio.create_task(self._post(client, url, event, limit))
                            in_flight.add(task)
                            task.add_done_callback(in_flight.discard)
                    self._wakeup.clear()
                    if not self._pending:
                        await self._wakeup.wait()
            finally:
                for task in in_flight:
                    task.cancel()
                self._loop = None

    async def _post(self, client: httpx.AsyncClient, url: str, event: dict[str, Any], limit: asyncio.Semaphore) -> None:
        try:
            response = await client.post(url, json=event)
            self.delivered += 1
            log.debug("webhook %s -> %s: %s", event["type"], url, response.status_code)
        except Exception as exc:  # any failure of someone else's server is theirs
            self.failed += 1
            log.debug("webhook %s -> %s failed: %r", event["type"], url, exc)
        finally:
            limit.release()


class StatusWatcher:
    """Announces outbound status changes (message-sent, message-status) as time moves them.

    Status itself is computed from timestamps when read; this only tells webhooks about it.
    """

    def __init__(self, store: Store) -> None:
        self._store = store

    def tick(self) -> None:
        store = self._store
        for message in list(store.unsettled.values()):
            status, _ = store.status_of(message)
            if status != message.announced_status:
                if message.announced_status == "Queued" and status != "Queued":
                    store.emit("message-sent", partial(message_view, store, message))
                message.announced_status = status
                store.emit("message-status", partial(message_view, store, message))
            if status in ("Delivered", "Error"):
                store.unsettled.pop(message.id, None)

    async def run(self) -> None:
        interval = min(0.25, max(0.01, self._store.status_step / 2))
        while True:
            await asyncio.sleep(interval)
            self.tick()
