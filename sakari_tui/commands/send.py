"""``sakari-tui send``: one message to numbers or a conversation, from a script or a shell.

sakari-tui send --to +14155550123 --text "Your order is ready"
sakari-tui send --to 4155550123 --template "Order ready"
sakari-tui send --conversation 8f2c... --text "On our way" --file map.png
echo "Back at 3" | sakari-tui send --to +14155550123 --text -
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
import unicodedata
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from .common import (
    EXIT_API_ERROR,
    EXIT_MAYBE_SENT,
    CommandError,
    UsageError,
    clean,
    command,
    error,
    info,
    load_profile,
    open_client,
    print_json_line,
    run_async,
)

if TYPE_CHECKING:
    from sakari_tui.api import Message, RecipientFailure, SakariClient, SendResult, Template

T = TypeVar("T")

# Sends in all, when an unknown outcome was checked and the message was not on the server.
SEND_TRIES = 4
# Seconds of looking at the server's messages after an unknown outcome, before giving up (exit 3).
CHECK_TIMEOUT = 30.0
# Seconds of waiting in all for the 429s of the send (Retry-After, or a back-off without one).
RATE_LIMIT_BUDGET = 120.0


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = command(subparsers, "send", run, help="send a message to numbers or a conversation")
    to = parser.add_mutually_exclusive_group(required=True)
    to.add_argument(
        "--to",
        metavar="NUMBER",
        action="append",
        help="a mobile number; repeat for more recipients (one request for all)",
    )
    to.add_argument("--conversation", metavar="ID", help="reply in this conversation")
    body = parser.add_mutually_exclusive_group()
    body.add_argument("--text", metavar="TEXT", help="the message; '-' reads it from stdin")
    body.add_argument("--template", metavar="NAME", help="send the text of the template of this name")
    parser.add_argument("--file", metavar="PATH", help="attach a file: uploaded, then sent as MMS media")
    parser.add_argument("--json", action="store_true", help="print the API's answer as one JSON line")
    parser.add_argument(
        "--check-timeout",
        type=float,
        default=CHECK_TIMEOUT,
        metavar="SECONDS",
        help="when the answer to the send is lost, how long to look for the message "
        f"on the server before giving up with exit 3 (default {CHECK_TIMEOUT:g})",
    )


# Characters of a value shown back in an error: a pasted 10,000-digit "number" is cut.
SHOWN_CHARS = 40

# Control characters people meet, by name; others are shown as U+XXXX.
_CONTROL_NAMES = {
    0x00: "NUL", 0x07: "BEL (bell)", 0x08: "BS (backspace)", 0x0B: "VT", 0x0C: "FF (form feed)",
    0x0D: "CR (carriage return)", 0x1B: "ESC (a terminal escape sequence)", 0x7F: "DEL",
    0x9B: "CSI (a terminal escape sequence)", 0x9D: "OSC (a terminal escape sequence)",
}  # fmt: skip


def shown(value: str) -> str:
    """A value given on the command line, as an error quotes it: one clean line, cut."""
    return "'" + clean(value.encode("utf-8", "replace").decode("utf-8"), SHOWN_CHARS) + "'"


def read_stdin_text() -> str:
    """The message from stdin, which must be UTF-8 (a UTF-8 BOM and CRLF line ends are fine)."""
    stream = getattr(sys.stdin, "buffer", None)
    if stream is None:  # replaced by a text stream (tests, embedding): already decoded
        return sys.stdin.read() if sys.stdin is not None else ""
    data = stream.read()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UsageError(
            f"--text -: the input is not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start});"
            " convert it first, e.g. iconv -f LATIN1 -t UTF-8"
        ) from None
    return text.removeprefix("\ufeff").replace("\r\n", "\n")


def check_text(text: str, option: str) -> None:
    """Refuse what an SMS cannot carry as typed: text that is not UTF-8 (undecodable bytes
    on the command line), and control characters other than newline and tab, which the
    phone would show as garbage or a terminal showing the message would obey."""
    for index, char in enumerate(text):
        code = ord(char)
        if 0xD800 <= code <= 0xDFFF:
            raise UsageError(f"{option}: the text is not UTF-8 (an undecodable byte at character {index + 1})")
        if char in "\n\t" or unicodedata.category(char) != "Cc":
            continue
        name = _CONTROL_NAMES.get(code, f"U+{code:04X}")
        raise UsageError(
            f"{option}: control character {name} at character {index + 1}: an SMS cannot carry it;"
            " only newlines and tabs are allowed"
        )


def run(args: argparse.Namespace) -> int:
    """Send one message (SMS, or MMS with --file) in one request. Numbers are checked and
    written as E.164 with the profile's default_region. A recipient who has opted out (texted
    STOP) is refused by the API and reported; the others get it. A 429 is sent again after its Retry-After; when
    the answer is lost (a dropped connection, a timeout, a 5xx) the server's messages are
    checked before anything is sent again. Exit 0 when every recipient got the message, 1 when
    it was not sent to some (the API refused them, or the request never left), 2 for a usage or
    config error, 3 when it may have been sent but the check could not tell: look at the
    conversation before sending again."""
    if args.text is None and args.template is None and args.file is None:
        raise UsageError("give --text, --template or --file: there is nothing to send")
    text = args.text
    option = "--text"
    if text == "-":
        text, option = read_stdin_text().rstrip("\n"), "--text -"
    if text is not None:
        check_text(text, option)
    if text is not None and not text.strip() and args.file is None:
        raise UsageError("the message text is empty")
    attachment = None
    if args.file is not None:
        attachment = Path(args.file).expanduser()
        if not attachment.is_file():
            raise UsageError(f"--file {args.file}: no such file")
        try:
            with attachment.open("rb"):
                pass
        except OSError as exc:
            raise UsageError(f"--file {args.file}: {exc.strerror or exc}") from None

    profile = load_profile(args)
    numbers = normalize_all(args.to or [], profile.default_region)

    async def work() -> int:
        async with open_client(profile, blocking=True) as client:
            return await send(client, args, numbers, text, attachment)

    return run_async(work)


def normalize_all(raw: list[str], region: str) -> list[str]:
    from sakari_tui.api.phone import InvalidNumber, normalize_number

    numbers: list[str] = []
    for value in raw:
        try:
            number = normalize_number(value, region)
        except InvalidNumber as exc:
            raise UsageError(f"--to {shown(value)}: {exc.reason}") from None
        if number not in numbers:
            numbers.append(number)
    return numbers


async def find_template(client: SakariClient, name: str) -> Template:
    """The template called ``name``: an exact match, else the only one whose name matches
    ignoring case. The API's name filter matches parts of names, so several may come back."""
    page = await client.templates.fetch_all(name=name, limit=100)
    found = [t for t in page.items if t.name is not None]
    for candidates in (
        [t for t in found if t.name == name],
        [t for t in found if (t.name or "").casefold() == name.casefold()],
    ):
        if len(candidates) == 1:
            return candidates[0]
        if len(candidates) > 1:
            raise UsageError(f"{len(candidates)} templates are named {name!r}; rename one in the app")
    if found:
        names = ", ".join(repr(t.name) for t in found[:5])
        raise UsageError(f"no template named {name!r} (did you mean {names}?)")
    raise UsageError(f"no template named {name!r}")


async def send(
    client: SakariClient,
    args: argparse.Namespace,
    numbers: list[str],
    text: str | None,
    attachment: Path | None,
) -> int:
    from sakari_tui.core.reconcile import accepted_count

    if args.template is not None:
        template = await patiently(lambda: find_template(client, args.template), args.check_timeout)
        text = template.template or ""

    options: dict[str, Any] = {}
    if attachment is not None:
        shared = await client.tools.share_file(attachment)
        if not shared.link:
            raise CommandError(f"the upload of {attachment.name} returned no link", EXIT_API_ERROR)
        options = {"media": [{"url": shared.link}], "type": "MMS"}

    recipients = [args.conversation] if args.conversation else numbers
    media = tuple(m["url"] for m in options.get("media", ()))
    outcome = await deliver(client, text or "", options, recipients, media,
                            by_conversation=bool(args.conversation), check_timeout=args.check_timeout)  # fmt: skip
    result = outcome.result

    if args.json:
        print_json_line(result.to_json())
    failures = result.failures
    for message in result.messages:
        if message.error is not None or args.json:
            continue
        who = _recipient(message.contact) or args.conversation or "?"
        parts = [f"message {message.id}" if message.id else "message"]
        if message.conversation_id:
            parts.append(f"conversation {message.conversation_id}")
        if message.status_text:
            parts.append(message.status_text)
        if message.segments:
            parts.append(f"{message.segments} segment{'s' if message.segments != 1 else ''}")
        if message.media:
            parts.append("with " + ", ".join(m.url or "media" for m in message.media))
        if message.id in outcome.found:
            parts.append("found on the server after the answer was lost")
        print(f"sent to {clean(who)}: {', '.join(parts)}", flush=True)
    for failure in failures:
        who = _recipient(failure.contact) or (
            f"conversation {args.conversation}" if args.conversation else "a recipient"
        )
        if _opted_out(failure):
            error(f"{who}: opted out (texted STOP); not sent")
        else:
            error(f"{who}: not sent: {failure}")
    if not result.messages and not failures and not args.json:
        # An answer with counters only (no message ids).
        count = accepted_count(result.messages, result.valid, result.queued)
        print(f"accepted: {count if count is not None else 'unknown'}", flush=True)
    return EXIT_API_ERROR if failures else 0


# -- the outcome of the send ----------------------------------------------------------------


async def patiently(read: Callable[[], Awaitable[T]], timeout: float) -> T:
    """``read()``, a step that only reads (the template, the opt-out check), tried again
    after a passing failure (a drop, a timeout, a 429, a 5xx) until ``timeout`` seconds have
    passed, so that a flaky network fails the send less often before it starts. A refused
    connection (nothing listening) is reported at once."""
    import httpx

    from sakari_tui.api import ApiError, AuthError, SakariError

    deadline = time.monotonic() + timeout
    attempt = 0
    while True:
        try:
            return await read()
        except AuthError:
            raise
        except SakariError as exc:
            if isinstance(exc, ApiError) and exc.status < 500 and exc.status != 429:
                raise
            if isinstance(exc.__cause__, httpx.ConnectError):
                raise  # nothing listens there: say so at once
            attempt += 1
            left = deadline - time.monotonic()
            if left <= 0:
                raise
            await asyncio.sleep(min(0.5 * 2 ** (attempt - 1), 8.0, left))


@dataclass
class Outcome:
    result: SendResult
    found: set[str] = field(default_factory=set)  # ids found on the server after an unknown outcome


async def deliver(
    client: SakariClient,
    text: str,
    options: dict[str, Any],
    recipients: list[str],
    media: tuple[str, ...],
    *,
    by_conversation: bool,
    check_timeout: float = CHECK_TIMEOUT,
) -> Outcome:
    """Send once, exactly: a 429 is sent again after its Retry-After (nothing was stored); an
    unknown outcome (dropped after it left, a timeout, a 5xx, an unreadable answer) is
    settled as the outbox does, by looking for the message on the server, and sent again
    only to the recipients it did not reach. ``CommandError`` with ``EXIT_MAYBE_SENT`` when
    it cannot tell; with ``EXIT_API_ERROR`` when it was not sent."""
    from sakari_tui.api import AuthError, RateLimited, SakariError, SendResult
    from sakari_tui.core.reconcile import accepted_count, outcome_unknown

    found: list[Message] = []
    pending = list(recipients)
    since: float | None = None
    waited = 0.0
    throttled = 0
    tries = 0
    while True:
        if by_conversation:
            options["conversations"] = pending
        else:
            options["contacts"] = [{"mobile": {"number": n}} for n in pending]
        if since is None:
            since = time.time()
        tries += 1
        try:
            result = await client.messages.send(text, **options)
        except RateLimited as exc:
            if exc.while_authenticating:
                raise CommandError(f"{exc}; not sent{_also(found)}", EXIT_API_ERROR) from None
            # Throttled before anything was stored: the same request again, after the wait.
            tries -= 1
            throttled += 1
            delay = exc.retry_after if exc.retry_after is not None else min(2.0**throttled, 30.0)
            if waited + delay > RATE_LIMIT_BUDGET:
                raise CommandError(f"{exc}; not sent: try again later{_also(found)}", EXIT_API_ERROR) from None
            info(f"rate limited; sending again in {delay:g} s")
            waited += delay
            await asyncio.sleep(delay)
            continue
        except AuthError:
            raise
        except SakariError as exc:
            if not outcome_unknown(exc):
                raise CommandError(f"{exc}; not sent{_also(found)}", EXIT_API_ERROR) from None
            reason = str(exc)
        else:
            if accepted_count(result.messages, result.valid, result.queued) is not None:
                if found:
                    result = SendResult(
                        job_id=result.job_id, messages=tuple(found) + result.messages, queued=result.queued,
                        estimated_price=result.estimated_price, requested=result.requested,
                        valid=result.valid, invalid=result.invalid, extra=result.extra,
                    )  # fmt: skip
                return Outcome(result, {m.id for m in found if m.id})
            reason = "the answer did not say whether it was sent"

        # Unknown: look for it before anything is sent again.
        try:
            matches = await look_for(client, text, pending, media, since, by_conversation, reason,
                                     claimed={m.id for m in found if m.id}, timeout=check_timeout)  # fmt: skip
        except CommandError as exc:
            raise CommandError(f"{exc}{_also(found)}", exc.code) from None
        found.extend(m for m in matches if m is not None)
        pending = [r for r, m in zip(pending, matches, strict=True) if m is None]
        if not pending:
            return Outcome(SendResult(messages=tuple(found)), {m.id for m in found if m.id})
        if tries >= SEND_TRIES:
            raise CommandError(
                f"{reason}; not sent to {', '.join(pending)} after {tries} tries (not found on the server)"
                f"{_also(found)}",
                EXIT_API_ERROR,
            )
        info(f"{reason}; not on the server: sending again to {', '.join(pending)}")


def _also(found: list[Message]) -> str:
    """What did go, for an error that ends a send to several recipients part way."""
    if not found:
        return ""
    who = ", ".join(_recipient(m.contact) or m.conversation_id or m.id or "?" for m in found)
    return f" (sent to {who}: found on the server)"


async def look_for(
    client: SakariClient,
    text: str,
    recipients: list[str],
    media: tuple[str, ...],
    since: float,
    by_conversation: bool,
    reason: str,
    *,
    claimed: set[str],
    timeout: float,
) -> list[Message | None]:
    """The server's copy of the send for each recipient, or None where it is not there;
    looked for again after a failure until ``timeout`` seconds have passed."""
    from sakari_tui.api import SakariError
    from sakari_tui.core.reconcile import MessageLookup, StillUnknown, Wanted, find_sent

    deadline = time.monotonic() + timeout
    last: Exception | None = None
    attempt = 0
    while True:
        lookup = MessageLookup(client)
        taken = set(claimed)
        try:
            matches: list[Message | None] = []
            for recipient in recipients:
                wanted = Wanted(
                    text=text, since=since, media=media,
                    conversation_id=recipient if by_conversation else None,
                    mobile=None if by_conversation else recipient,
                )  # fmt: skip
                match = await find_sent(lookup, wanted, claimed=taken)
                if match is not None and match.id:
                    taken.add(match.id)
                matches.append(match)
            return matches
        except (SakariError, StillUnknown) as exc:
            last = exc
        attempt += 1
        left = deadline - time.monotonic()
        if left <= 0:
            break
        await asyncio.sleep(min(0.5 * 2 ** (attempt - 1), 8.0, left))
    raise CommandError(
        f"{reason}; the message may have been sent (checking failed: {last}): look at the conversation "
        "before sending again",
        EXIT_MAYBE_SENT,
    )


# The API's refusal of a recipient who opted out (texted STOP): the send goes out without a
# look-up first, so that a quick reply is one request; the API refuses such a recipient
# itself, in its answer, and the others get the message.
OPTED_OUT_CODE = "CONT-010"


def _opted_out(failure: RecipientFailure) -> bool:
    contact = failure.contact
    return failure.code == OPTED_OUT_CODE or (contact is not None and bool(contact.blocked))


def _recipient(contact: Any) -> str:
    if contact is None:
        return ""
    number = contact.mobile.number if contact.mobile and contact.mobile.number else ""
    name = " ".join(p for p in (contact.first_name, contact.last_name) if p)
    if number and name:
        return f"{number} ({name})"
    return number or name or contact.id or ""
