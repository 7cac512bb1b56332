"""The Sandbox: a local imitation of the Sakari Messaging API v1 as a Starlette app."""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import random
import threading
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import httpx
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response

from .config import Faults, SandboxConfig
from .delivery import StatusWatcher, WebhookDelivery
from .errors import ApiError
from .faults import FaultMiddleware
from .http import error_response
from .live import LiveCustomers
from .messaging import receive_message
from .routes import all_routes
from .seed import seed_store
from .store import Store
from .tokens import TokenIssuer
from .views import (
    campaign_view,
    contact_view,
    conversation_view,
    message_view,
    template_view,
    webhook_view,
)

log = logging.getLogger("sakari_tui.sandbox")
T = TypeVar("T")


class Sandbox:
    """One sandbox: its data, its faults, its ASGI app and its background work.

    Use ``sandbox.app`` in-process through ``httpx.ASGITransport`` or serve it with uvicorn.
    Nothing needs ``start()`` to answer requests (message status is computed from time);
    ``start()`` adds the background work: webhook delivery, status events, live customers.
    """

    def __init__(
        self,
        config: SandboxConfig | None = None,
        faults: Faults | None = None,
        *,
        webhook_transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.config = config or SandboxConfig()
        self.faults = faults or Faults()
        # (method, path) of every request that reached the sandbox.
        self.requests: list[tuple[str, str]] = []
        self.store = Store(self.config.seed, self.config.status_step, self.config.error_share)
        seed_store(self.store, self.config)
        self.tokens = TokenIssuer(self.config.client_id, self.config.account_id, self.config.token_lifetime)
        self.webhook_delivery = WebhookDelivery(self.store, self.config.account_id, webhook_transport)
        self.store.event_sink = self.webhook_delivery.enqueue
        self._status_watcher = StatusWatcher(self.store)
        self._live = LiveCustomers(self.store, self.config.seed, self.config.live_interval)
        self._background: list[asyncio.Task[None]] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._loop_thread: int | None = None

        fault_rng = random.Random(f"faults:{self.config.seed}")
        self.app = Starlette(
            routes=all_routes(),
            middleware=[Middleware(FaultMiddleware, faults=lambda: self.faults, rng=fault_rng, record=self._record)],
            exception_handlers={HTTPException: _http_error},
            lifespan=self._lifespan,
        )
        self.app.state.sandbox = self

    # -- background work ---------------------------------------------------------------

    async def start(self) -> None:
        """Start webhook delivery, status events and (when live) simulated customers.

        Idempotent; under uvicorn the app's lifespan calls it.
        """
        loop = asyncio.get_running_loop()
        if self._loop is loop and any(not task.done() for task in self._background):
            return
        await self.stop()
        self._loop = loop
        self._loop_thread = threading.get_ident()
        jobs: list[tuple[str, Callable[[], Coroutine[Any, Any, None]]]] = [
            ("webhook delivery", self.webhook_delivery.run),
            ("status events", self._status_watcher.run),
        ]
        if self.config.live:
            jobs.append(("live customers", self._live.run))
        self._background = [asyncio.create_task(_keep_running(name, job)) for name, job in jobs]

    async def stop(self) -> None:
        running, self._background = self._background, []
        current = asyncio.get_running_loop()
        for task in running:
            if task.get_loop() is current:
                task.cancel()
        await asyncio.gather(*(t for t in running if t.get_loop() is current), return_exceptions=True)
        self._loop = None
        self._loop_thread = None

    @asynccontextmanager
    async def _lifespan(self, app: Starlette) -> AsyncIterator[None]:
        await self.start()
        try:
            yield
        finally:
            await self.stop()

    def _record(self, method: str, path: str) -> None:
        self.requests.append((method, path))

    def _on_loop(self, work: Callable[[], T]) -> T:
        """Run ``work`` on the thread that serves the app, so the store has one writer."""
        loop = self._loop
        if loop is None or not loop.is_running() or threading.get_ident() == self._loop_thread:
            return work()
        future: concurrent.futures.Future[T] = concurrent.futures.Future()

        def run() -> None:
            try:
                future.set_result(work())
            except BaseException as exc:
                future.set_exception(exc)

        loop.call_soon_threadsafe(run)
        return future.result(timeout=30)

    # -- inspection and injection for tests and the demo ----------------------------------

    def issue_token(self) -> str:
        return self.tokens.issue()

    def contacts(self) -> list[dict[str, Any]]:
        return self._on_loop(lambda: [contact_view(c) for c in self.store.contacts.values()])

    def conversations(self) -> list[dict[str, Any]]:
        store = self.store
        return self._on_loop(lambda: [conversation_view(store, c) for c in store.conversations_newest_first()])

    def messages(self, conversation_id: str | None = None, contact_id: str | None = None) -> list[dict[str, Any]]:
        """Messages newest first, optionally of one conversation and/or one contact."""
        store = self.store

        def collect() -> list[dict[str, Any]]:
            if conversation_id is not None:
                conversation = store.conversations.get(conversation_id)
                ids = conversation.message_ids if conversation else []
            elif contact_id is not None:
                ids = store.message_ids_by_contact.get(contact_id, [])
            else:
                ids = list(store.messages)
            chosen = (store.messages[i] for i in reversed(ids))
            return [message_view(store, m) for m in chosen if contact_id is None or m.contact_id == contact_id]

        return self._on_loop(collect)

    def templates(self) -> list[dict[str, Any]]:
        return self._on_loop(lambda: [template_view(t) for t in self.store.templates.values()])

    def campaigns(self) -> list[dict[str, Any]]:
        return self._on_loop(lambda: [campaign_view(c) for c in self.store.campaigns.values()])

    def webhooks(self) -> list[dict[str, Any]]:
        return self._on_loop(lambda: [webhook_view(w) for w in self.store.webhooks.values()])

    def inject_inbound(self, mobile: str, text: str) -> dict[str, Any]:
        """A customer texts in: contact created if unknown, conversation opened or reused and
        marked unread, STOP/START keywords applied, webhooks fired. Returns the message."""
        store = self.store
        return self._on_loop(lambda: message_view(store, receive_message(store, mobile, text)))


async def _keep_running(name: str, job: Callable[[], Coroutine[Any, Any, None]]) -> None:
    """Run a background job; if it fails (a bug), log it and start it again."""
    while True:
        try:
            await job()
            return
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("sandbox %s failed; restarting it", name)
            await asyncio.sleep(1.0)


async def _http_error(request: Request, exc: Exception) -> Response:
    """Unknown routes and wrong methods answer the API's JSON error body too."""
    assert isinstance(exc, HTTPException)
    code = {404: "GEN-404", 405: "GEN-405"}.get(exc.status_code, "REQ-002")
    error = ApiError(exc.status_code, code, str(exc.detail), dict(exc.headers or {}))
    return error_response(error)
