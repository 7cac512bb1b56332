"""A bulk send to 10,000 contacts selected on the contacts screen: requests and wall time.

The sandbox holds 100,000 contacts (served over HTTP from a process of its own, see
``_sandbox_proc``). For the benchmark, every tenth contact from the 8th on (7, 17, 27, ...)
has its email moved to the domain ``tenth.example``, and every tenth from the 4th on
(3, 13, 23, ...) is given the tag ``tenth``: each filter matches exactly 10,000 contacts.

Driven by keys on the contacts screen (120x40, headless, the app's real HTTP client):
slash and tab to the filter, the filter typed and Enter, "a" (select all matching), "s" (the
bulk send dialog), the message typed, F2, "y" in the confirmation, until the outcome shows.

1. By id: the email filter "tenth.example". ``messages.send`` has no email filter, so the
   dialog reads the ids of every matching contact page by page (``contacts.fetchAll``, 100 a
   page), leaves out the opted-out ones, and sends by id in batches of ``SEND_BATCH``.
2. By tag: the tag filter "tenth". Every listed row carries the tag whole, so the dialog
   sends one request with ``filters: {"tags": ["tenth"]}`` and the server picks the contacts.

Counted from the server's own log (each request's time in the server too): POST
``/messages`` (messages.send) and GET ``/contacts`` (reading the ids). The wall time is from
"y" to the first frame showing the outcome. While it runs the benchmark asks for a repaint
of one line of the dialog every 1/60 s, and reports the longest gap between frames: over the
whole send, and from the first frame showing "Sending" (the ids read, the request about to
go) to the outcome, which covers the request and reading its answer.

Target: messages.send requests at most ceil(10,000 / the largest batch) = 1: the app's
batch is ``SEND_BATCH`` = 10,000 recipients (``sakari_tui/screens/bulk_send.py``; Sakari
publishes no limit, the sandbox refuses JSON bodies over 5 MiB, MAX_JSON_BODY in
``sakari_tui/sandbox/http.py``, about 150,000 ids).

    .venv/bin/python benchmarks/bulk_send_10k.py [--contacts 100000]
"""

from __future__ import annotations

import asyncio
import itertools
import math
import tempfile
import time
from pathlib import Path
from typing import Any

import _common
from _common import Result, median, ms

BENCH = "bulk send 10k"
MESSAGE = "Fresh rye today"
# input id, how many tabs from the first filter, filter text, the sandbox mark it matches
CASES = (
    ("by id", "filter-email", 3, "tenth.example"),
    ("by tag", "filter-tags", 4, "tenth"),
)


async def send_case(
    pilot: Any, server: Any, label: str, input_id: str, tabs: int, text: str, expected: int
) -> dict[str, Any]:
    from _screens import (
        CONTACTS_PATH,
        MESSAGES_PATH,
        Heartbeat,
        Watch,
        memory,
        send_key,
        wait_until,
    )
    from textual.widgets import Input, Static

    from sakari_tui.screens.bulk_send import BulkSendScreen
    from sakari_tui.screens.contacts import ContactsScreen
    from sakari_tui.screens.dialogs import ConfirmScreen

    app = pilot.app
    screen = app.screen
    assert isinstance(screen, ContactsScreen)
    listing = screen.listing
    out: dict[str, Any] = {"case": label, "filter": f"{input_id.removeprefix('filter-')} {text!r}"}

    async def keys(*names: str) -> None:
        for name in names:
            send_key(app, name)
            await pilot.pause()

    await keys("slash", *["tab"] * tabs)
    assert app.focused is screen.query_one(f"#{input_id}", Input), app.focused
    await keys(*text, "enter")
    await wait_until(pilot, lambda: screen.filters and listing.total == expected and listing.highlighted is not None,
                     timeout=30, what=f"{expected:,} matching")  # fmt: skip
    await pilot.pause(0.3)
    out["total"] = listing.total
    await keys("a")
    out["selected"] = listing.selection.count(listing.total)
    await keys("s")
    await wait_until(pilot, lambda: isinstance(app.screen, BulkSendScreen), what="the send dialog")
    dialog = app.screen
    await pilot.pause(0.5)  # the dialog fetches recent messages for the price
    await keys(*["space" if ch == " " else ch for ch in MESSAGE])
    assert dialog.text == MESSAGE, dialog.text
    await keys("f2")
    await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the confirmation")
    out["audience"] = " ".join(dialog.audience_text().plain.split())

    watch = Watch(app)
    done_at: dict[str, float] = {}

    status = dialog.query_one("#send-status", Static)

    def observe(now: float, drew: frozenset[type]) -> None:
        if "sending" not in done_at and str(status.content).startswith("Sending"):
            done_at["sending"] = now
        if "done" not in done_at and dialog.state == "done":
            done_at["done"] = now

    watch.observers.append(observe)
    beat = Heartbeat()
    beat.start()
    ticker = app.set_interval(1 / 60, dialog.query_one("#send-to", Static).refresh)
    mark = server.log_size()
    t0 = time.perf_counter()
    send_key(app, "y")
    await wait_until(pilot, lambda: "done" in done_at, timeout=300, what="the outcome")
    t_done = done_at["done"]
    ticker.stop()
    beat.stop()
    out["wall_ms"] = ms(t_done - t0)
    gaps = watch.gaps(t0, t_done)
    out["longest_gap_ms"] = ms(max(gaps))
    out["loop_busy_ms"] = ms(beat.longest(t0, t_done))
    t_sending = done_at.get("sending", t0)
    out["sending_gap_ms"] = ms(max(watch.gaps(t_sending, t_done)))
    out["sending_busy_ms"] = ms(beat.longest(t_sending, t_done))
    out["sending_wall_ms"] = ms(t_done - t_sending)
    times = [t0] + [t for t, _ in watch.frames if t0 <= t <= t_done] + [t_done]
    out["long_gaps"] = [(round(ms(a - t0)), round(ms(b - a))) for a, b in itertools.pairwise(times) if b - a > 0.1]
    watch.close()
    log = server.log(mark)
    sends = [e for e in log if e[0] == "POST" and e[1] == MESSAGES_PATH]
    reads = [e for e in log if e[0] == "GET" and e[1] == CONTACTS_PATH]
    out["sends"] = len(sends)
    out["send_server_ms"] = [ms(e[3]) for e in sends]
    out["reads"] = len(reads)
    out["read_server_ms"] = [ms(e[3]) for e in reads]
    out["other_requests"] = len(log) - len(sends) - len(reads)
    outcome = dialog.outcome
    out["outcome"] = {
        "queued": outcome.queued, "skipped": len(outcome.skipped), "failures": len(outcome.failures),
        "batches": outcome.sent_batches, "error": outcome.error,
    } if outcome else None  # fmt: skip
    out["delivered_in_sandbox"] = server.ask("messages_with_text", text=MESSAGE)
    out["mem"] = memory()
    await pilot.pause(0.3)
    await keys("escape")
    await wait_until(pilot, lambda: app.screen is screen, what="back on the contacts screen")
    await keys("ctrl+u")
    await wait_until(pilot, lambda: not screen.filters and listing.total is not None and listing.total > expected,
                     what="the filters cleared")  # fmt: skip
    await pilot.pause(0.3)
    return out


async def measure(contacts: int) -> dict[str, Any]:
    from _sandbox_proc import SandboxProcess
    from _screens import app_ready, http_app, memory, send_key, wait_until

    marks = [{"every": 10, "offset": 7, "email_domain": "tenth.example"}, {"every": 10, "offset": 3, "tag": "tenth"}]
    out: dict[str, Any] = {"contacts": contacts}
    with SandboxProcess(contacts=contacts, conversations=25, marks=marks) as server, \
            tempfile.TemporaryDirectory(prefix="sakari-bench-send-") as tmp:  # fmt: skip
        out["marked"] = server.ready["marked"]
        app = http_app(server.url, Path(tmp) / "data")
        async with app.run_test(size=(120, 40)) as pilot:
            await app_ready(pilot)
            send_key(app, "2")
            await wait_until(pilot, lambda: type(app.screen).__name__ == "ContactsScreen"
                             and app.screen.query("#contacts-list") and app.screen.listing.total is not None,
                             what="the contacts list")  # fmt: skip
            await pilot.pause(0.5)
            from sakari_tui.screens.bulk_send import SEND_BATCH, SEND_BODY_LIMIT

            out["send_batch"] = SEND_BATCH
            out["send_body_limit"] = SEND_BODY_LIMIT
            out["cases"] = []
            before = 0
            for n, (label, input_id, tabs, text) in enumerate(CASES):
                expected = out["marked"][f"mark{n}"]
                case = await send_case(pilot, server, label, input_id, tabs, text, expected)
                case["blocked_in_set"] = out["marked"][f"mark{n}_blocked"]
                delivered = case["delivered_in_sandbox"]
                case["delivered_in_sandbox"] = delivered - before
                before = delivered
                out["cases"].append(case)
            out["mem_end"] = memory()
    return out


def results_of(out: dict[str, Any], load: str, load_avg: float) -> list[Result]:
    batch = out["send_batch"]
    results: list[Result] = []
    for case in out["cases"]:
        label = case["case"]
        selected = case["selected"]
        allowed = math.ceil(selected / batch)
        outcome = case["outcome"] or {}
        results.append(Result(BENCH, f"{label} ({case['filter']}): messages.send requests", case["sends"], "requests",
                              f"<= ceil({selected:,} / {batch:,}) = {allowed}", case["sends"] <= allowed,
                              note=f"{sum(case['send_server_ms']) / 1000:.1f} s in the server"))  # fmt: skip
        results.append(Result(BENCH, f"{label}: y to the outcome shown (wall)", case["wall_ms"], "ms",
                              note=f"queued {outcome.get('queued', 0):,}, left out {outcome.get('skipped', 0)}, "
                                   f"refused {outcome.get('failures', 0)}; the sandbox made {case['delivered_in_sandbox']:,} messages"))  # fmt: skip
        if case["reads"]:
            reads = case["read_server_ms"]
            results.append(Result(BENCH, f"{label}:   contacts.fetchAll requests reading the ids", case["reads"], "requests",
                                  note=f"{sum(reads) / 1000:.1f} s in the server, median {median(reads):.0f} ms a page"))  # fmt: skip
        else:
            results.append(Result(BENCH, f"{label}:   contacts.fetchAll requests reading the ids", 0, "requests"))
        results.append(Result(BENCH, f"{label}:   longest gap between frames while sending", case["longest_gap_ms"], "ms",
                              note=f"event loop busy at most {case['loop_busy_ms']:.0f} ms"))  # fmt: skip
        results.append(Result(BENCH, f"{label}:     of which from 'Sending' to the outcome", case["sending_gap_ms"], "ms",
                              note=f"event loop busy at most {case['sending_busy_ms']:.0f} ms; "
                                   f"{case['sending_wall_ms']:,.0f} ms from 'Sending' to the outcome"))  # fmt: skip
    results.append(Result(BENCH, "app process peak RSS", out["mem_end"]["peak_mb"], "MB"))
    results.append(Result(BENCH, "machine load (1-minute average) at the start", load_avg, "load", note=load))
    return results


def main() -> None:
    from _screens import load_average, load_note

    p = _common.parser(__doc__.splitlines()[0])
    p.add_argument("--contacts", type=int, default=100_000, help="contacts in the sandbox (default 100000)")
    args = p.parse_args()
    load, load_avg = load_note(), load_average()
    out = asyncio.run(measure(args.contacts))
    for case in out["cases"]:
        print(f"{case['case']}: {case['audience']}")
        if case["long_gaps"]:
            print(f"  gaps over 100 ms (ms after y, length): {case['long_gaps'][:20]}")
        if case["outcome"] and case["outcome"]["error"]:
            print(f"  stopped: {case['outcome']['error']}")
    results = results_of(out, f"{load} at start, {load_note()} at end", load_avg)
    _common.report(f"Bulk send to 10,000 of {args.contacts:,} contacts", results, args.json,
                   {"cases": out["cases"], "send_batch": out["send_batch"]})  # fmt: skip


if __name__ == "__main__":
    main()
