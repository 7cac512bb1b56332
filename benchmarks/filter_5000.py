"""A list of 5,000 conversations: keystroke-to-repaint while filtering.

Runs the app headless (120x40) against an in-process sandbox with 5,000 conversations.
The list is given all 5,000 (fetched page by page and handed to the screen as one list
update, the way the poller hands over a page), shown with "all" (open and closed), then
filters are typed into #conversation-filter one key at a time and erased with backspace:
a name, a last name, a phone number with spaces, a word from the messages. Each sample is
the time from sending the key to the first frame in which the conversation list drew lines
(a headless frame here includes encoding it for the terminal; see _common.probed).
The sandbox's own objects are hidden from the garbage collector (gc.freeze), as a real
run has no sandbox in its process; the app's objects are collected as usual.

Target: median under 50 ms.

    .venv/bin/python benchmarks/filter_5000.py [--rounds 2]
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path

import _common
from _common import FrameWatch, GcWatch, Result, median, ms, percentile

TARGET_MS = 50.0
QUERIES = ("sofia", "patel", "512 555 01", "thank")


def keys_of(text: str) -> list[str]:
    return ["space" if ch == " " else ch for ch in text]


async def measure(conversations: int, rounds: int) -> tuple[list[Result], dict]:
    import httpx
    from _fixtures import big_sandbox, fetch_all_conversations, freeze_sandbox_objects

    from sakari_tui.app import SakariApp
    from sakari_tui.core.sync import ListUpdate
    from sakari_tui.demo import demo_profile
    from sakari_tui.screens.conversations import ConversationsScreen, Show
    from sakari_tui.widgets.conversation_list import ConversationList

    sandbox = big_sandbox(conversations)
    freeze_sandbox_objects()
    everything = await fetch_all_conversations(sandbox)
    with tempfile.TemporaryDirectory(prefix="sakari-bench-filter-") as tmp:
        app = _common.probed(SakariApp)(
            profile=demo_profile(),
            data_dir=Path(tmp) / "data",
            transport=httpx.ASGITransport(app=sandbox.app),
            sandbox=sandbox,
        )
        async with app.run_test(size=(120, 40)) as pilot:
            deadline = time.monotonic() + 30
            while not (isinstance(app.screen, ConversationsScreen) and app.screen.open_id):
                if time.monotonic() > deadline:
                    raise RuntimeError("the app did not open its first conversation within 30 s")
                await pilot.pause(0.05)
            await pilot.pause(0.5)
            screen = app.screen
            screen.apply_list_update(ListUpdate(conversations=everything, first=True))
            while screen.show is not Show.ALL:
                await pilot.press("s")
            await pilot.pause(0.5)
            listing = screen.query_one(ConversationList)
            rows = len(listing.rows)
            await pilot.press("slash")
            await pilot.pause()

            watch = FrameWatch(app, ConversationList)
            gc_watch = GcWatch()
            typing: list[float | None] = []
            erasing: list[float | None] = []
            shown: dict[str, int] = {}
            for _ in range(rounds):
                for query in QUERIES:
                    for key in keys_of(query):
                        typing.append(await watch.press(pilot, key))
                    shown[query] = len(listing.rows)
                    for _ in query:
                        erasing.append(await watch.press(pilot, "backspace"))
                    await pilot.pause()
            watch.close()
            gc_watch.close()
            still_all = len(listing.rows)

    every = [ms(v) for v in typing + erasing if v is not None]
    typed = [ms(v) for v in typing if v is not None]
    erased = [ms(v) for v in erasing if v is not None]
    missing = len(typing) + len(erasing) - len(every)
    med = median(every)
    full = gc_watch.full()
    results = [
        Result(
            "filter 5,000",
            f"keystroke-to-repaint, median ({len(every)} keys)",
            med,
            "ms",
            f"< {TARGET_MS:g} ms",
            med < TARGET_MS,
            f"{missing} keys without a repaint" if missing else "",
        ),
        Result("filter 5,000", "keystroke-to-repaint, p95", percentile(every, 95), "ms"),
        Result("filter 5,000", "  typing a character: median", median(typed), "ms"),
        Result("filter 5,000", "  typing a character: p95", percentile(typed, 95), "ms"),
        Result("filter 5,000", "  backspace: median", median(erased), "ms"),
        Result("filter 5,000", "  backspace: p95", percentile(erased, 95), "ms"),
        Result("filter 5,000", "  slowest key", max(every) if every else None, "ms"),
        Result(
            "filter 5,000",
            "  full garbage collections while typing",
            len(full),
            "collections",
            note=f"longest {ms(max(full)):.0f} ms" if full else "",
        ),
        Result("filter 5,000", "  rows in the list before filtering", rows, "rows"),
    ]
    return results, {"matches": shown, "rows_after": still_all}


def main() -> None:
    p = _common.parser(__doc__.splitlines()[0])
    p.add_argument("--rounds", type=int, default=2, help="times to type each filter (default 2)")
    p.add_argument("--conversations", type=int, default=5000, help="conversations in the list (default 5000)")
    args = p.parse_args()
    results, extra = asyncio.run(measure(args.conversations, args.rounds))
    print("rows matching each filter: " + ", ".join(f"{q!r}: {n}" for q, n in extra["matches"].items()))
    _common.report(f"Filtering a list of {args.conversations:,} conversations", results, args.json, extra)


if __name__ == "__main__":
    main()
