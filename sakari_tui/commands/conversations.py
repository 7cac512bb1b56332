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
    UsageError,
    clean,
    command,
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
    parser = command(subparsers, "conversations", run, help="list conversations, newest first")
    parser.add_argument("--unread", action="store_true", help="only conversations with unread messages")
    parser.add_argument("--json", action="store_true", help="one JSON object per line (JSON lines)")
    parser.add_argument(
        "--limit",
        type=whole_number,
        default=DEFAULT_LIMIT,
        metavar="N",
        help=f"look at the newest N conversations (default {DEFAULT_LIMIT}; 0 for all)",
    )

    sub = parser.add_subparsers(dest="conversations_command", metavar="{export,index,search}")
    export = command(sub, "export", run_export, help="write a conversation's whole thread as text or JSON")
    export.add_argument("conversation_id", metavar="ID", help="the conversation's id (see 'sakari-tui conversations')")
    export.add_argument("--format", choices=("text", "json"), default="text", help="text (default) or json")
    export.add_argument("--output", "-o", metavar="FILE", help="write to FILE instead of stdout")
    export.add_argument("--force", action="store_true", help="replace FILE if it exists")

    command(sub, "index", run_index, help="read the account's whole message history into the local search index")

    search = command(sub, "search", run_search, help="search the local index: names, numbers, words of messages")
    search.add_argument("query", nargs="+", help="words (the last may be the start of a word), a name or digits")
    search.add_argument("--limit", type=whole_number, default=20, metavar="N", help="at most N messages (default 20)")
    search.add_argument("--json", action="store_true", help="one JSON object per line")


def read_state(profile: Profile) -> dict[str, tuple[set[str], bool]]:
    """The profile's read markers; none when the app has never run for this profile."""
    from sakari_tui.config import default_data_dir
    from sakari_tui.core.paths import database_path
    from sakari_tui.core.store import Store, StoreDamaged, StoreError

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
    """List conversations, newest first: a table, or with --json one JSON object per line (the
    API's conversation object). --unread keeps the conversations with messages not read in the
    app on this machine (the local read markers of the profile)."""
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
    """Write the whole thread of conversation ID, oldest message first: as plain text (who,
    when, what: for pasting into a ticket) or as JSON (the API's conversation and message
    objects). To stdout, or to a file with --output."""
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


def _profile_store(profile: Profile, *, create: bool):
    from sakari_tui.config import default_data_dir
    from sakari_tui.core.paths import database_path
    from sakari_tui.core.store import Store

    path = database_path(default_data_dir(), profile.name)
    if not create and not path.exists():
        raise UsageError(f"no local index for profile {profile.name!r} yet: run 'sakari-tui conversations index'")
    store = Store(path)
    if store.search is None:
        store.close()
        raise UsageError("this Python's sqlite3 has no FTS5, which search needs")
    return store


def progress_line(state, width: int = 30) -> str:
    """'[#########.....] 4,200 of 12,000 messages', or the wait after a 429."""
    if state.waiting:
        return f"rate limited: waiting {state.waiting:.0f} s ({state.done:,} messages read)"
    if state.total:
        filled = min(int(width * state.done / state.total), width)
        return f"[{'#' * filled}{'.' * (width - filled)}] {state.done:,} of {state.total:,} messages"
    return f"{state.done:,} messages read"


def run_index(args: argparse.Namespace) -> int:
    """Read every message of the account (100 a request, newest first) into the profile's search
    index, as ctrl+r in the app's search does; a progress bar on stderr. Resumable: stopped, the
    next run carries on where it left off; once everything is read, a run only catches up with
    what is new. On a 429 it waits as Retry-After asks."""
    import sys

    from sakari_tui.core.search import HistoryFill

    profile = load_profile(args)
    store = _profile_store(profile, create=True)
    live = sys.stderr.isatty()
    pages = 0

    def progress(state) -> None:
        nonlocal pages
        pages += 1
        if live:
            print("\r" + progress_line(state), end="", file=sys.stderr, flush=True)
        elif state.waiting or pages % 50 == 0:
            print(progress_line(state), file=sys.stderr, flush=True)

    async def work() -> int:
        async with open_client(profile) as client:
            state = await HistoryFill(client, store.search).run(progress)
        if live:
            print(file=sys.stderr)
        print(f"{state.done:,} messages read, {state.indexed:,} new to the index; "
              f"{store.search.message_count():,} in it", file=sys.stderr)  # fmt: skip
        return 0

    try:
        return run_async(work)
    finally:
        store.close()


def run_search(args: argparse.Namespace) -> int:
    """Search the profile's local index (what the app has seen, and what 'sakari-tui
    conversations index' read): conversations whose name or number matches, then messages with
    every word, newest first. Nothing is asked of the API."""
    from sakari_tui.api.phone import format_number

    profile = load_profile(args)
    store = _profile_store(profile, create=False)
    try:
        results = store.search.search(" ".join(args.query), limit=args.limit)
    finally:
        store.close()
    hits = [*results.conversations, *results.messages]
    if args.json:
        for hit in hits:
            print_json_line({
                "conversationId": hit.conversation_id, "messageId": hit.message_id, "name": hit.name,
                "number": hit.number, "text": hit.text, "outgoing": hit.outgoing,
                "created": hit.when.isoformat() if hit.when else None,
            })  # fmt: skip
        return 0
    if not hits:
        print("no match")
        return 0
    rows = [
        [local_time(hit.when), hit.name, format_number(hit.number, profile.default_region) if hit.number else "",
         hit.conversation_id, "(conversation)" if hit.message_id is None else ("you: " if hit.outgoing else "") + hit.text]
        for hit in hits
    ]  # fmt: skip
    print_table(["WHEN", "NAME", "NUMBER", "CONVERSATION", "MESSAGE"], rows)
    if results.more:
        print(f"(the newest {len(results.messages)} messages shown; --limit for more)")
    return 0


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
        rows.append(
            [
                c.id or "",
                name,
                format_number(number, region) if number else "",
                str(unread) if unread else ("*" if marked else ""),
                local_time(last.created_at if last else (c.updated.at if c.updated else None)),
                flags,
                preview,
            ]
        )
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
