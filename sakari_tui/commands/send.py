"""``sakari-tui send``: one message to numbers or a conversation, from a script or a shell.

    sakari-tui send --to +14155550123 --text "Your order is ready"
    sakari-tui send --to 4155550123 --template "Order ready"
    sakari-tui send --conversation 8f2c... --text "On our way" --file map.png
    echo "Back at 3" | sakari-tui send --to +14155550123 --text -
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .common import (
    EXIT_API_ERROR,
    CommandError,
    Failed,
    UsageError,
    add_common,
    clean,
    error,
    load_profile,
    open_client,
    print_json_line,
    run_async,
)

if TYPE_CHECKING:
    from sakari_tui.api import SakariClient, Template


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "send",
        help="send a message to numbers or a conversation",
        description="Send one message (SMS, or MMS with --file) in one request. Numbers are "
        "checked and written as E.164 with the profile's default_region. A recipient who has "
        "opted out (texted STOP) is refused before anything is sent. Exit 0 when every recipient "
        "got the message, 1 when the API refused any of them, 2 for a usage or config error.",
    )
    to = parser.add_mutually_exclusive_group(required=True)
    to.add_argument("--to", metavar="NUMBER", action="append",
                    help="a mobile number; repeat for more recipients (one request for all)")
    to.add_argument("--conversation", metavar="ID", help="reply in this conversation")
    body = parser.add_mutually_exclusive_group()
    body.add_argument("--text", metavar="TEXT", help="the message; '-' reads it from stdin")
    body.add_argument("--template", metavar="NAME", help="send the text of the template of this name")
    parser.add_argument("--file", metavar="PATH", help="attach a file: uploaded, then sent as MMS media")
    parser.add_argument("--json", action="store_true", help="print the API's answer as one JSON line")
    add_common(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.text is None and args.template is None and args.file is None:
        raise UsageError("give --text, --template or --file: there is nothing to send")
    text = args.text
    if text == "-":
        text = sys.stdin.read().rstrip("\n")
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
        async with open_client(profile) as client:
            return await send(client, args, numbers, text, attachment)

    return run_async(work)


def normalize_all(raw: list[str], region: str) -> list[str]:
    from sakari_tui.api.phone import InvalidNumber, normalize_number

    numbers: list[str] = []
    for value in raw:
        try:
            number = normalize_number(value, region)
        except InvalidNumber as exc:
            raise UsageError(f"--to {value!r}: {exc.reason}") from None
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
        [t for t in found if t.name.casefold() == name.casefold()],
    ):
        if len(candidates) == 1:
            return candidates[0]
        if len(candidates) > 1:
            raise UsageError(f"{len(candidates)} templates are named {name!r}; rename one in the app")
    if found:
        names = ", ".join(repr(t.name) for t in found[:5])
        raise UsageError(f"no template named {name!r} (did you mean {names}?)")
    raise UsageError(f"no template named {name!r}")


async def opted_out(client: SakariClient, args: argparse.Namespace, numbers: list[str]) -> set[str]:
    """The recipients who have opted out, by number (or the conversation id)."""
    refused: set[str] = set()
    if args.conversation:
        conversation = await client.conversations.fetch(args.conversation)
        contact = conversation.contact
        if contact is not None and contact.id:
            contact = await client.contacts.fetch(contact.id)
        if contact is not None and contact.blocked:
            refused.add(args.conversation)
        return refused
    for number in numbers:
        page = await client.contacts.fetch_all(mobile=number, limit=10)
        if any(c.blocked for c in page.items if c.mobile and c.mobile.number == number):
            refused.add(number)
    return refused


async def send(
    client: SakariClient,
    args: argparse.Namespace,
    numbers: list[str],
    text: str | None,
    attachment: Path | None,
) -> int:
    from sakari_tui.api import NetworkError

    if args.template is not None:
        template = await find_template(client, args.template)
        text = template.template or ""

    refused = await opted_out(client, args, numbers)
    for who in sorted(refused):
        label = f"conversation {who}" if args.conversation else who
        error(f"{label}: opted out (texted STOP); not sent")
    numbers = [n for n in numbers if n not in refused]
    if args.conversation in refused or (not args.conversation and not numbers):
        raise Failed(EXIT_API_ERROR)

    options: dict[str, Any] = {}
    if attachment is not None:
        shared = await client.tools.share_file(attachment)
        if not shared.link:
            raise CommandError(f"the upload of {attachment.name} returned no link", EXIT_API_ERROR)
        options = {"media": [{"url": shared.link}], "type": "MMS"}
    if args.conversation:
        options["conversations"] = [args.conversation]
    else:
        options["contacts"] = [{"mobile": {"number": n}} for n in numbers]

    try:
        result = await client.messages.send(text or "", **options)
    except NetworkError as exc:
        if exc.may_have_been_sent:
            raise CommandError(
                f"{exc}; the message may have been sent: look at the conversation before sending again",
                EXIT_API_ERROR,
            ) from None
        raise

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
        print(f"sent to {clean(who)}: {', '.join(parts)}", flush=True)
    for failure in failures:
        who = _recipient(failure.contact) or args.conversation or "a recipient"
        error(f"{who}: not sent: {failure}")
    if not result.messages and not failures and not args.json:
        print(f"queued: {result.queued if result.queued is not None else 'unknown'}", flush=True)
    return EXIT_API_ERROR if failures or refused else 0


def _recipient(contact: Any) -> str:
    if contact is None:
        return ""
    number = contact.mobile.number if contact.mobile and contact.mobile.number else ""
    name = " ".join(p for p in (contact.first_name, contact.last_name) if p)
    if number and name:
        return f"{number} ({name})"
    return number or name or contact.id or ""
