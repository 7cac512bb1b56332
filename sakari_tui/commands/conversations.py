"""``sakari-tui conversations``: the inbox as a table, or as JSON lines for scripts.

Unread is judged as the app judges it: a conversation is unread when the API lists
``unread`` message ids that this profile's local read markers do not hold, or when it was
marked unread in the app.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from typing import TYPE_CHECKING

from sakari_tui.options import whole_number

from .common import (
    EXIT_API_ERROR,
    CommandError,
    add_common,
    clean,
    load_profile,
    local_time,
    open_client,
    print_json_line,
    print_table,
    run_async,
)

if TYPE_CHECKING:
    from sakari_tui.api import Conversation
    from sakari_tui.config import Profile

DEFAULT_LIMIT = 100


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "conversations",
        help="list conversations, newest first",
        description="List conversations, newest first: a table, or with --json one JSON object "
        "per line (the API's conversation object). --unread keeps the conversations with "
        "messages not read in the app on this machine (the local read markers of the profile).",
    )
    parser.add_argument("--unread", action="store_true", help="only conversations with unread messages")
    parser.add_argument("--json", action="store_true", help="one JSON object per line (JSON lines)")
    parser.add_argument("--limit", type=whole_number, default=DEFAULT_LIMIT, metavar="N",
                        help=f"look at the newest N conversations (default {DEFAULT_LIMIT}; 0 for all)")
    add_common(parser)
    parser.set_defaults(run=run)


def read_state(profile: Profile) -> dict[str, tuple[set[str], bool]]:
    """The profile's read markers; none when the app has never run for this profile."""
    from sakari_tui.config import default_data_dir
    from sakari_tui.core.store import Store, StoreDamaged, StoreError, database_path

    path = database_path(default_data_dir(), profile.name)
    if not path.exists():
        return {}
    try:
        store = Store(path)
        try:
            return store.all_read_state()
        finally:
            store.close()
    except StoreDamaged as exc:
        raise CommandError(f"{exc}; start sakari-tui (the app) to move it aside", EXIT_API_ERROR) from None
    except StoreError as exc:
        raise CommandError(str(exc), EXIT_API_ERROR) from None


def unread_ids(conversation: Conversation, state: dict[str, tuple[set[str], bool]]) -> list[str]:
    read, _ = state.get(conversation.id or "", (set(), False))
    return [mid for mid in conversation.unread if mid not in read]


def is_unread(conversation: Conversation, state: dict[str, tuple[set[str], bool]]) -> bool:
    _, marked = state.get(conversation.id or "", (set(), False))
    return marked or bool(unread_ids(conversation, state))


def run(args: argparse.Namespace) -> int:
    profile = load_profile(args)
    state = read_state(profile) if args.unread or not args.json else {}

    async def work() -> int:
        async with open_client(profile) as client:
            if args.limit == 0:
                conversations = [c async for c in client.conversations.iterate()]
            else:
                conversations = []
                async for conversation in client.conversations.iterate(page_size=min(args.limit, 100)):
                    conversations.append(conversation)
                    if len(conversations) >= args.limit:
                        break
        if args.unread:
            conversations = [c for c in conversations if is_unread(c, state)]
        if args.json:
            for conversation in conversations:
                print_json_line(conversation.to_json())
        else:
            show(conversations, state, profile.default_region)
        return 0

    return run_async(work)


def show(conversations: list[Conversation], state: dict[str, tuple[set[str], bool]], region: str) -> None:
    from sakari_tui.api.phone import format_number

    rows = []
    for c in conversations:
        contact = c.contact
        name = " ".join(p for p in (contact.first_name, contact.last_name) if p) if contact else ""
        number = contact.mobile.number if contact and contact.mobile and contact.mobile.number else ""
        last = c.last_message
        unread = len(unread_ids(c, state))
        _, marked = state.get(c.id or "", (set(), False))
        flags = "closed" if c.closed else ""
        if contact is not None and contact.blocked:
            flags = ", ".join(f for f in (flags, "opted out") if f)
        preview = ""
        if last is not None:
            preview = ("you: " if last.outgoing else "") + (last.text or ("[media]" if last.media else ""))
        rows.append([
            c.id or "",
            name,
            format_number(number, region) if number else "",
            str(unread) if unread else ("*" if marked else ""),
            local_time(last.created_at if last else (c.updated.at if c.updated else None)),
            flags,
            preview,
        ])
    if not rows:
        print("no conversations")
        return
    headers = ["ID", "NAME", "NUMBER", "UNREAD", "LAST", "STATE", "LAST MESSAGE"]
    width = shutil.get_terminal_size((120, 24)).columns
    others = sum(max(len(h), *(len(clean(r[i])) for r in rows)) + 2 for i, h in enumerate(headers[:-1]))
    if others + MESSAGE_ROOM <= width:
        print_table(headers, rows)
    else:
        print_narrow(headers, rows, width)


# Below this many columns for the message, the table takes two lines a conversation.
MESSAGE_ROOM = 30


def print_narrow(headers: list[str], rows: list[list[str]], width: int) -> None:
    """Two lines a conversation, for terminals too narrow for the table (80 columns): the id,
    name, unread count and time, then, indented, the number, state and the message."""
    firsts = [[row[0], row[1], row[3], row[4]] for row in rows]
    cells = [[clean(c) for c in row] for row in firsts]
    widths = [max(len(h), *(len(r[i]) for r in cells)) for i, h in enumerate(("ID", "NAME", "UNREAD", "LAST"))]
    room = max(width - 1, 20)

    def cut(text: str) -> str:
        return text if len(text) <= room else text[: room - 1] + "…"

    print(cut("  ".join(h.ljust(w) for h, w in zip(("ID", "NAME", "UNREAD", "LAST"), widths)).rstrip()))
    print(cut("    NUMBER · STATE · LAST MESSAGE"))
    for row, first in zip(rows, cells):
        print(cut("  ".join(c.ljust(w) for c, w in zip(first, widths)).rstrip()))
        detail = " · ".join(clean(part) for part in (row[2], row[5], row[6]) if part)
        print(cut("    " + detail))
    sys.stdout.flush()
