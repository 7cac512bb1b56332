"""``sakari-tui conversations``: the inbox as a table, or as JSON lines for scripts.

Unread is judged as the app judges it: a conversation is unread when the API lists
``unread`` message ids that this profile's local read markers do not hold, or when it was
marked unread in the app.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from sakari_tui.options import whole_number

from .common import (
    UsageError,
    add_common,
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

    sub = parser.add_subparsers(dest="conversations_command", metavar="export")
    export = sub.add_parser(
        "export",
        help="write a conversation's whole thread as text or JSON",
        description="Write the whole thread of conversation ID, oldest message first: as plain "
        "text (who, when, what: for pasting into a ticket) or as JSON (the API's conversation "
        "and message objects). To stdout, or to a file with --output.",
    )
    export.add_argument("conversation_id", metavar="ID", help="the conversation's id (see 'sakari-tui conversations')")
    export.add_argument("--format", choices=("text", "json"), default="text", help="text (default) or json")
    export.add_argument("--output", "-o", metavar="FILE", help="write to FILE instead of stdout")
    export.add_argument("--force", action="store_true", help="replace FILE if it exists")
    add_common(export)
    export.set_defaults(run=run_export)


def read_state(profile: Profile) -> dict[str, tuple[set[str], bool]]:
    """The profile's read markers; none when the app has never run for this profile."""
    from sakari_tui.config import default_data_dir
    from sakari_tui.core.store import Store, database_path

    path = database_path(default_data_dir(), profile.name)
    if not path.exists():
        return {}
    store = Store(path)
    try:
        return store.all_read_state()
    finally:
        store.close()


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


def run_export(args: argparse.Namespace) -> int:
    import sys
    from pathlib import Path

    from sakari_tui.core.export import fetch_thread, render

    profile = load_profile(args)
    target = Path(args.output).expanduser() if args.output and args.output != "-" else None
    if target is not None and target.exists() and not args.force:
        raise UsageError(f"{target} exists; add --force to replace it")

    async def work() -> int:
        async with open_client(profile) as client:
            thread = await fetch_thread(client, args.conversation_id)
        text = render(thread, args.format)
        if target is None:
            sys.stdout.write(text)
        else:
            target.write_text(text, encoding="utf-8")
            print(f"{len(thread.messages)} messages written to {target}", file=sys.stderr)
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
    print_table(["ID", "NAME", "NUMBER", "UNREAD", "LAST", "STATE", "LAST MESSAGE"], rows)
