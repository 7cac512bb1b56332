"""``sakari-tui webhooks listen | subscribe | unsubscribe | list``.

``listen`` is a small local receiver (Starlette on uvicorn) for people wiring their own
systems: it prints one line per event it is POSTed (time, type, a short summary), or the
raw JSON with ``--json``. Against the sandbox, subscribe the printed URL (``--subscribe``
does it for the time the receiver runs) and watch events arrive live.
"""

from __future__ import annotations

import argparse
import json
import signal
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sakari_tui.options import CannotListen, listening_socket, port_number

from .common import (
    EXIT_INTERRUPTED,
    UsageError,
    call_api,
    clean,
    command,
    info,
    load_profile,
    open_client,
    print_json_line,
    print_table,
    run_async,
    warn,
)

if TYPE_CHECKING:
    from sakari_tui.api import SakariClient

DEFAULT_PORT = 8787
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
# Every event type, for a subscription that names none: the seven of the 1.0.1 document,
# then the ones Sakari added later.
ALL_EVENT_TYPES = (
    "message-received", "message-status", "message-sent", "conversation-closed",
    "contact-created", "contact-updated", "contact-removed",
    "conversation-started", "contact-opt-out", "contact-opt-in", "list-opt-out", "list-opt-in",
)  # fmt: skip
# Limits of the receiver, which anyone who can reach its port can talk to.
MAX_EVENT_BYTES = 1_000_000  # a webhook event is a few kB
MAX_EVENT_DEPTH = 64  # brackets inside brackets; real events nest three or four deep
REQUEST_TIMEOUT = 10.0  # seconds for a request to arrive whole (headers and body)
MAX_CONNECTIONS = 100  # open at once; more are answered 503


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "webhooks",
        help="receive webhook events locally, or manage subscriptions",
        description="Receive webhook events on this machine (listen), or subscribe, unsubscribe "
        "and list the account's webhook URLs.",
    )
    sub = parser.add_subparsers(dest="webhooks_command", metavar="{listen,subscribe,unsubscribe,list}", required=True)

    listen = command(sub, "listen", run_listen, help="print the webhook events POSTed to a local port")
    listen.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    listen.add_argument(
        "--port",
        type=port_number,
        default=DEFAULT_PORT,
        help=f"port to listen on (default {DEFAULT_PORT}; 0 picks a free one)",
    )
    listen.add_argument("--json", action="store_true", help="print each event's JSON on one line")
    listen.add_argument(
        "--subscribe", action="store_true", help="subscribe this receiver with the profile's account while it runs"
    )
    listen.add_argument("--events", metavar="TYPE[,TYPE]", help="event types for --subscribe (default: all)")

    subscribe = command(sub, "subscribe", run_subscribe, help="have the account POST events to a URL")
    subscribe.add_argument("url", metavar="URL")
    subscribe.add_argument("--events", metavar="TYPE[,TYPE]", help="event types (default: all)")

    unsubscribe = command(sub, "unsubscribe", run_unsubscribe, help="stop POSTing events to a URL")
    unsubscribe.add_argument("url", metavar="URL")

    listing = command(sub, "list", run_list, help="the account's webhook subscriptions")
    listing.add_argument("--json", action="store_true", help="one JSON object per line")


def event_types(text: str | None) -> list[str]:
    if not text:
        return list(ALL_EVENT_TYPES)
    types = [t.strip() for t in text.split(",") if t.strip()]
    unknown = [t for t in types if t not in ALL_EVENT_TYPES]
    if unknown:
        raise UsageError(f"unknown event type {unknown[0]!r}; known: {', '.join(ALL_EVENT_TYPES)}")
    return types


def check_url(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"{url!r} is not an http(s) URL")
    return url


# -- subscriptions ------------------------------------------------------------------------


def run_subscribe(args: argparse.Namespace) -> int:
    url = check_url(args.url)
    types = event_types(args.events)
    hook = call_api(args, lambda client: client.webhooks.subscribe(url, types))
    shown = ", ".join(hook.event_types) or ", ".join(types)
    print(f"subscribed {clean(hook.url or url)}: {shown}", flush=True)
    return 0


def run_unsubscribe(args: argparse.Namespace) -> int:
    call_api(args, lambda client: client.webhooks.unsubscribe(args.url))
    print(f"unsubscribed {clean(args.url)}", flush=True)
    return 0


def run_list(args: argparse.Namespace) -> int:
    page = call_api(args, lambda client: client.webhooks.fetch_all())
    if args.json:
        for hook in page.items:
            print_json_line(hook.to_json())
    elif not page.items:
        print("no webhook subscriptions")
    else:
        print_table(["URL", "EVENTS"], [[h.url or "", ", ".join(h.event_types)] for h in page.items], stretch=1)
    return 0


# -- the receiver -------------------------------------------------------------------------


def summary(event: dict[str, Any]) -> str:
    """A short description of an event's data: who, and the text or state."""
    from sakari_tui.api.models import Contact, Conversation, Message

    data = event.get("data")
    if not isinstance(data, dict):
        return ""
    kind = str(event.get("type", ""))

    def who(contact: Contact | None) -> str:
        if contact is None:
            return ""
        number = contact.mobile.number if contact.mobile and contact.mobile.number else ""
        name = " ".join(p for p in (contact.first_name, contact.last_name) if p)
        return f"{number} ({name})" if number and name else number or name or (contact.id or "")

    if kind.startswith("message") or ("message" in data and "outgoing" in data):
        message = Message.from_json(data)
        direction = "to" if message.outgoing else "from"
        parts = [f"{direction} {who(message.contact)}".strip()]
        if message.status_text and kind != "message-received":
            parts.append(message.status_text)
        if message.error is not None:
            parts.append(str(message.error))
        text = message.text or ("[media]" if message.media else "")
        return clean(", ".join(p for p in parts if p) + (f": {text}" if text else ""), 160)
    if kind.startswith("conversation"):
        conversation = Conversation.from_json(data)
        return clean(f"conversation {conversation.id or '?'} with {who(conversation.contact) or '?'}", 160)
    if kind.startswith(("contact", "list")):
        contact = Contact.from_json(data)
        state = " (opted out)" if contact.blocked else ""
        return clean(f"{who(contact) or contact.id or '?'}{state}", 160)
    return clean(", ".join(f"{k}={v}" for k, v in list(data.items())[:4]), 160)


def event_line(event: dict[str, Any], at: datetime | None = None) -> str:
    at = at or datetime.now().astimezone()
    kind = clean(event.get("type") or "event")
    return f"{at.strftime('%Y-%m-%d %H:%M:%S')}  {kind}  {summary(event)}".rstrip()


class Refused(Exception):
    """A POST the receiver does not take: its HTTP status and the reason."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


async def read_event(request: Any) -> dict[str, Any]:
    """The JSON object POSTed, read at most ``MAX_EVENT_BYTES``: a declared length over it
    is refused before a byte of the body is read. Raises ``Refused``."""
    declared = request.headers.get("content-length")
    if declared is not None:
        if not (declared.strip().isascii() and declared.strip().isdigit()):
            raise Refused(400, "bad Content-Length")
        if int(declared) > MAX_EVENT_BYTES:
            raise Refused(413, f"{int(declared)} bytes is more than {MAX_EVENT_BYTES}")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_EVENT_BYTES:
            raise Refused(413, f"more than {MAX_EVENT_BYTES} bytes")
        chunks.append(chunk)
    body = b"".join(chunks)
    try:
        event = json.loads(body)
    except RecursionError:
        raise Refused(400, "JSON nested too deeply") from None
    except ValueError:
        raise Refused(400, f"not JSON ({size} bytes)") from None
    if not isinstance(event, dict):
        raise Refused(400, "not a JSON object")
    from sakari_tui.api.values import nesting_depth

    if nesting_depth(event, MAX_EVENT_DEPTH) > MAX_EVENT_DEPTH:
        raise Refused(400, f"JSON nested more than {MAX_EVENT_DEPTH} deep")
    return event


def http_protocol() -> type:
    """uvicorn's h11 protocol, with a deadline: a request must arrive whole within
    ``REQUEST_TIMEOUT`` of its connection opening (or of the previous answer), else the
    connection is closed. Without it, clients that send half a request hold a connection
    (and its memory) for ever."""
    from uvicorn.protocols.http.h11_impl import H11Protocol

    class DeadlineProtocol(H11Protocol):
        _deadline: Any = None

        def _arm(self) -> None:
            self._disarm()
            self._deadline = self.loop.call_later(REQUEST_TIMEOUT, self._too_slow)

        def _disarm(self) -> None:
            if self._deadline is not None:
                self._deadline.cancel()
                self._deadline = None

        def _too_slow(self) -> None:
            self._deadline = None
            if not self.transport.is_closing():
                self.transport.close()

        def connection_made(self, transport: Any) -> None:
            super().connection_made(transport)
            self._arm()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            self._arm()

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            super().connection_lost(exc)

    return DeadlineProtocol


def make_app(*, as_json: bool, on_shutdown: Any = None) -> Any:
    from contextlib import asynccontextmanager

    from starlette.applications import Starlette
    from starlette.requests import ClientDisconnect, Request
    from starlette.responses import JSONResponse, PlainTextResponse
    from starlette.routing import Route

    async def receive(request: Request) -> Any:
        if request.method != "POST":
            return PlainTextResponse("sakari-tui webhook receiver: POST events here\n")
        try:
            event = await read_event(request)
        except ClientDisconnect:
            return PlainTextResponse("", status_code=400)
        except Refused as refused:
            warn(f"ignored a POST to {request.url.path} that is not a JSON event: {refused.reason}")
            headers = {"Connection": "close"} if refused.status == 413 else None
            return JSONResponse(
                {"success": False, "error": refused.reason}, status_code=refused.status, headers=headers
            )
        if as_json:
            print_json_line(event)
        else:
            print(event_line(event), flush=True)
        return JSONResponse({"success": True})

    @asynccontextmanager
    async def lifespan(app: Starlette) -> Any:
        try:
            yield
        finally:
            if on_shutdown is not None:
                await on_shutdown()

    routes = [Route("/{path:path}", receive, methods=["GET", "HEAD", "POST"])]
    return Starlette(routes=routes, lifespan=lifespan)


def run_listen(args: argparse.Namespace) -> int:
    """Serve a webhook receiver and print one line per event: time, type and a short summary
    (--json: the event as received, one JSON object per line). The URL to subscribe is printed
    on stderr; --subscribe subscribes it for as long as the receiver runs (the API must be able
    to reach it: a local sandbox can, the real service cannot reach 127.0.0.1)."""
    types = event_types(args.events) if args.subscribe else []
    if args.events and not args.subscribe:
        raise UsageError("--events goes with --subscribe")
    profile = load_profile(args) if args.subscribe else None
    try:
        sock = listening_socket(args.host, args.port)
    except CannotListen as exc:
        raise UsageError(str(exc)) from None
    port = sock.getsockname()[1]
    shown_host = f"[{args.host}]" if ":" in args.host else args.host
    url = f"http://{shown_host}:{port}/"
    if args.host not in LOCAL_HOSTS and not args.host.startswith("127."):
        warn(f"listening on {args.host}: anyone who can reach it can POST events that will be printed")

    async def work() -> int:
        import uvicorn

        client: SakariClient | None = None

        async def unsubscribe() -> None:
            if client is None:
                return
            try:
                await client.webhooks.unsubscribe(url)
                info(f"unsubscribed {url}")
            except Exception as exc:  # the receiver is stopping: report, do not fail
                warn(f"could not unsubscribe {url}: {exc}")

        class Server(uvicorn.Server):
            interrupted = False

            def handle_exit(self, sig: int, frame: Any) -> None:
                self.interrupted = self.interrupted or sig == signal.SIGINT
                super().handle_exit(sig, frame)

        app = make_app(as_json=args.json, on_shutdown=unsubscribe)
        config = uvicorn.Config(
            app, log_level="warning", access_log=False, lifespan="on", http=http_protocol(),
            limit_concurrency=MAX_CONNECTIONS, timeout_keep_alive=5,
        )  # fmt: skip
        server = Server(config)
        if profile is None:
            info(f"listening for webhook events on {url} (Ctrl+C to stop)")
            info(f"subscribe it with: sakari-tui webhooks subscribe {url}")
            await server.serve(sockets=[sock])
        else:
            async with open_client(profile) as opened:
                await opened.webhooks.subscribe(url, types)
                client = opened
                info(f"listening for webhook events on {url} (Ctrl+C to stop)")
                info(f"subscribed it for account {profile.account_id}; unsubscribed when this stops")
                await server.serve(sockets=[sock])
        return EXIT_INTERRUPTED if server.interrupted else 0

    try:
        return run_async(work)
    finally:
        sock.close()
