"""A thread of 5,000 messages: time to open it, and frame time while scrolling.

Part A, the widget: a headless app holding one MessageThread (120x40) is given 5,000
bubbles (made from a sandbox conversation's messages the way the app makes them) with
``set_bubbles``. Reports the time to lay them out and paint, the time to draw one full
screen of lines, and key-to-repaint latency (median, p95) for up, pageup, home and end.

Part B, the app: a sandbox conversation holds 5,000 messages. In the app (headless,
120x40) it is opened from the list (down key: the newest page of 50 is fetched and
painted), then home is pressed once: the thread goes to its oldest message, loading the
older pages of 50 one after another until all 5,000 are shown or the time budget runs out.
Reports the time to the first older page, the time per page over the whole climb, then
key-to-repaint for up with everything loaded.

A repaint is the first frame after the key in which the thread drew lines; a headless frame
here includes encoding it for the terminal (see _common.probed). The sandbox's own objects
are hidden from the garbage collector (gc.freeze), as a real run has no sandbox in its
process; the app's objects are collected as usual.

    .venv/bin/python benchmarks/thread_5000.py [--messages 5000] [--budget 75]
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path

import _common
from _common import FrameWatch, GcWatch, Result, median, ms, percentile


def latency_rows(prefix: str, name: str, values: list[float | None]) -> list[Result]:
    got = [ms(v) for v in values if v is not None]
    missing = len(values) - len(got)
    note = f"{len(got)} presses" + (f", {missing} without a repaint" if missing else "")
    if not got:
        return [Result("thread 5,000", f"{prefix}{name}: no repaint", None, "ms", note=note)]
    return [
        Result("thread 5,000", f"{prefix}{name} key-to-repaint, median", median(got), "ms", note=note),
        Result("thread 5,000", f"{prefix}{name} key-to-repaint, p95", percentile(got, 95), "ms"),
        Result("thread 5,000", f"{prefix}{name} key-to-repaint, slowest", max(got), "ms"),
    ]


def gc_rows(prefix: str, watch: GcWatch) -> list[Result]:
    full = watch.full()
    return [
        Result("thread 5,000", f"{prefix}full garbage collections while pressing keys", len(full), "collections"),
        Result("thread 5,000", f"{prefix}longest full collection pause", ms(max(full)) if full else 0.0, "ms"),
    ]


def make_bubbles(count: int):
    from _fixtures import big_sandbox, freeze_sandbox_objects, lengthen_thread

    from sakari_tui.api import Message
    from sakari_tui.screens.conversations import message_bubble

    sandbox = big_sandbox(25)
    conversation_id = next(iter(sandbox.store.conversations_newest_first())).id
    lengthen_thread(sandbox, conversation_id, count)
    freeze_sandbox_objects()
    messages = [Message.from_json(body) for body in reversed(sandbox.messages(conversation_id=conversation_id))]
    return [message_bubble(m, "Sam Carter") for m in messages]


async def widget_part(count: int) -> list[Result]:
    from textual.app import App, ComposeResult

    from sakari_tui.widgets.thread import MessageThread

    bubbles = make_bubbles(count)

    class ThreadOnly(App[None]):
        def compose(self) -> ComposeResult:
            yield MessageThread(id="thread")

    app = _common.probed(ThreadOnly)()
    results: list[Result] = []
    async with app.run_test(size=(120, 40)) as pilot:
        thread = app.query_one(MessageThread)
        watch = FrameWatch(app, MessageThread)
        await pilot.pause()
        n = len(watch.frames)
        t0 = time.perf_counter()
        thread.set_bubbles(bubbles)
        t_layout = time.perf_counter() - t0
        while not any(drew for _, drew in watch.frames[n:]):  # noqa: ASYNC110 - the frame log has no event
            await asyncio.sleep(0.001)
        t_paint = next(t for t, drew in watch.frames[n:] if drew) - t0
        lines = len(thread._layout.lines) if thread._layout else 0
        results += [
            Result("thread 5,000", f"A. set_bubbles({len(bubbles):,}): lay out {lines:,} lines", ms(t_layout), "ms"),
            Result("thread 5,000", "A. set_bubbles to first frame (open)", ms(t_paint), "ms"),
        ]

        # One full screen of lines, drawn directly, at positions through the thread.
        height = thread.scrollable_content_region.height
        costs = []
        for step in range(20):
            thread.scroll_to(y=int(thread.max_scroll_y * step / 19), animate=False, immediate=True)
            t = time.perf_counter()
            for y in range(height):
                thread.render_line(y)
            costs.append(time.perf_counter() - t)
        results.append(Result("thread 5,000", f"A. draw one screen ({height} lines), median", ms(median(costs)), "ms"))
        thread.scroll_end(animate=False, immediate=True)
        thread.focus()
        await pilot.pause()

        gc_watch = GcWatch()
        ups = [await watch.press(pilot, "up") for _ in range(100)]
        await pilot.pause()
        pageups = []
        for _ in range(20):
            pageups.append(await watch.press(pilot, "pageup"))
            await pilot.pause(0.3)  # let the scroll animation finish
        jumps = []
        for key in ("home", "end") * 5:
            jumps.append(await watch.press(pilot, key))
            await pilot.pause()
        watch.close()
        gc_watch.close()
    results += latency_rows("A. ", "up (previous message)", ups)
    results += latency_rows("A. ", "pageup (first frame)", pageups)
    results += latency_rows("A. ", "home/end", jumps)
    results += gc_rows("A. ", gc_watch)
    return results


OLDER_PAGE = 50  # messages a "load older" step fetches


async def app_part(count: int, budget: float) -> list[Result]:
    import httpx
    from _fixtures import big_sandbox, freeze_sandbox_objects, lengthen_thread

    from sakari_tui.app import SakariApp
    from sakari_tui.demo import demo_profile
    from sakari_tui.screens.conversations import ConversationsScreen
    from sakari_tui.widgets.conversation_list import ConversationList
    from sakari_tui.widgets.thread import MessageThread

    sandbox = big_sandbox(1000)
    newest = [conversation for _, conversation in zip(range(2), sandbox.store.conversations_newest_first())]
    target = newest[1].id  # the second row: one key down from the conversation opened at start
    lengthen_thread(sandbox, target, count)
    freeze_sandbox_objects()

    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="sakari-bench-thread-") as tmp:
        app = _common.probed(SakariApp)(
            profile=demo_profile(),
            data_dir=Path(tmp) / "data",
            transport=httpx.ASGITransport(app=sandbox.app),
            sandbox=sandbox,
        )
        async with app.run_test(size=(120, 40)) as pilot:
            deadline = time.monotonic() + 30
            while not (
                isinstance(app.screen, ConversationsScreen)
                and app.screen.open_id
                and app.screen.query_one(MessageThread).bubbles
            ):
                if time.monotonic() > deadline:
                    raise RuntimeError("the app did not open its first conversation within 30 s")
                await pilot.pause(0.05)
            await pilot.pause(0.5)
            screen = app.screen
            thread = screen.query_one(MessageThread)
            screen.query_one(ConversationList).focus()
            await pilot.pause()
            watch = FrameWatch(app, MessageThread)

            def opened() -> bool:
                return screen.open_id == target and len(thread.bubbles) > 0

            t_open = await watch.press(pilot, "down", timeout=10, condition=opened)
            results.append(Result("thread 5,000", "B. open from the list (down key) to the newest messages painted",
                                  ms(t_open) if t_open is not None else None, "ms", note=f"{len(thread.bubbles)} messages"))  # fmt: skip
            thread.focus()
            await pilot.pause()

            # Home goes to the oldest message, loading older pages one after another until
            # there are none: one press, then the pages as they come.
            started = time.perf_counter()
            before = len(thread.bubbles)
            first_t = await watch.press(pilot, "home", timeout=30, condition=lambda b=before: len(thread.bubbles) > b)
            while first_t is not None and thread.has_older and time.perf_counter() - started < budget:
                await pilot.pause(0.05)
            total = time.perf_counter() - started
            loaded = len(thread.bubbles)
            pages = -(-(loaded - before) // OLDER_PAGE)
            if first_t is not None:
                results += [
                    Result(
                        "thread 5,000", f"B. home: the first older page painted (thread of {before})", ms(first_t), "ms"
                    ),
                    Result(
                        "thread 5,000",
                        "B. home: every older page loaded, per page",
                        ms(total / max(pages, 1)),
                        "ms",
                        note=f"{pages} pages",
                    ),
                    Result(
                        "thread 5,000",
                        "B. messages loaded by one home press",
                        loaded,
                        "messages",
                        note=f"in {total:.0f} s",
                    ),
                ]
            await pilot.pause(0.5)
            await watch.press(pilot, "end")
            await pilot.pause()
            gc_watch = GcWatch()
            ups = [await watch.press(pilot, "up") for _ in range(100)]
            watch.close()
            gc_watch.close()
    results += latency_rows(f"B. in the app, {loaded:,} loaded: ", "up", ups)
    results += gc_rows("B. ", gc_watch)
    return results


def main() -> None:
    p = _common.parser(__doc__.splitlines()[0])
    p.add_argument("--messages", type=int, default=5000, help="messages in the thread (default 5000)")
    p.add_argument(
        "--budget", type=float, default=75.0, help="seconds allowed for loading older pages in part B (default 75)"
    )
    args = p.parse_args()
    results = asyncio.run(widget_part(args.messages))
    results += asyncio.run(app_part(args.messages, args.budget))
    _common.report(f"A thread of {args.messages:,} messages", results, args.json)


if __name__ == "__main__":
    main()
