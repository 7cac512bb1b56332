"""The contacts screen over 100,000 contacts: opening it, scrolling to row 10,000, filtering, memory.

The app runs headless (120x40) with its real HTTP client against a sandbox of 100,000
contacts (25 conversations) served from a process of its own (``_sandbox_proc``), so the
app's process holds only what the app holds; each request's time in the server is logged
there. A second fresh process runs the same steps with the sandbox in-process (as
``sakari-tui --demo`` does), for the memory of both together. Each mode runs in its own
fresh process (``--child``); peak RSS is the process's VmHWM.

Steps, after the inbox is up and the client connected:

1. Press "2": time to the first frame showing the contacts list with its first page
   (the screen's module is imported at that moment, as in a real session); then "1" and "2"
   again (the screen kept, rows in view fetched again).
2. Row 10,000 by keys. The list has no jump to a row number (home and end only; ``select_index``
   is not bound to a key), so: pagedown pressed one at a time, each waiting for the frame in
   which every row in view is loaded (key-to-repaint, requests); then again from the top with
   pagedown pressed at a key-repeat rate (30 a second) without waiting, to the frame with
   row 10,000's screen loaded; then end (the last row).
3. Typing into the filters (first name "sofia", last name "nguyen", mobile "415555"), one key at
   a time, then erasing with backspace: for each key, the time to the frame in which the
   input shows it (echo), and to the frame in which the list shows the server's answer for
   the new filter (results). The screen waits for a pause in typing (TYPING_PAUSE, 0.3 s)
   before it asks the server, so results include that pause; filtering is server-side, and
   the server's time for the filtered pages is reported from its own log.
4. Memory: peak RSS (VmHWM) of the app's process, and tracemalloc's peak with --tracemalloc
   (a separate run: tracing slows everything).

Target: peak RSS under 300 MB.

    .venv/bin/python benchmarks/contacts_100k.py [--modes http,in-process] [--row 10000] [--tracemalloc]
"""

from __future__ import annotations

import asyncio
import gc
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import _common
from _common import Result, median, ms, percentile

CONTACTS = 100_000
TARGET_MB = 300.0
REPEAT = 1 / 30  # seconds between presses of a held key
QUERIES = (("filter-first", "first_name", "sofia"), ("filter-last", "last_name", "nguyen"),
           ("filter-mobile", "mobile", "415555"))  # fmt: skip
BENCH = "contacts 100k"


async def measure(mode: str, contacts: int, row: int, trace: bool) -> dict[str, Any]:
    from _screens import app_ready, http_app, in_process_app, memory

    out: dict[str, Any] = {"mode": mode, "contacts": contacts}
    out["mem_start"] = memory()
    server = sandbox = timed = None
    if mode == "http":
        from _sandbox_proc import SandboxProcess

        server = SandboxProcess(contacts=contacts, conversations=25)
        out["server_ready"] = server.ready

        def log(since: int = 0) -> list[tuple[str, str, str, float]]:
            return server.log(since)

        def log_size() -> int:
            return server.log_size()
    else:
        from _fixtures import freeze_sandbox_objects
        from _sandbox_proc import _Timed

        import sakari_tui.app  # noqa: F401  (imported first: the sandbox's share is its data alone)
        from sakari_tui.demo import demo_sandbox

        out["mem_imported"] = memory()
        t0 = time.perf_counter()
        sandbox = demo_sandbox(seed=7, live=False, contacts=contacts, conversations=25,
                               base_time=_common.BASE_TIME, status_step=0.05, error_share=0.0)  # fmt: skip
        out["seed_seconds"] = time.perf_counter() - t0
        freeze_sandbox_objects()
        out["mem_seeded"] = memory()
        timed = _Timed(sandbox.app)

        def log(since: int = 0) -> list[tuple[str, str, str, float]]:
            return timed.entries[since:]

        def log_size() -> int:
            return len(timed.entries)

    if trace:
        import tracemalloc

        tracemalloc.start()
    try:
        with tempfile.TemporaryDirectory(prefix="sakari-bench-contacts-") as tmp:
            if server is not None:
                app = http_app(server.url, Path(tmp) / "data")
            else:
                app = in_process_app(sandbox, Path(tmp) / "data", asgi=timed)
            async with app.run_test(size=(120, 40)) as pilot:
                await app_ready(pilot)
                out["mem_inbox"] = memory()
                await steps(pilot, out, row, log, log_size)
                out["mem_end"] = memory()
                if trace:
                    import tracemalloc

                    out["traced_peak_mb"] = tracemalloc.get_traced_memory()[1] / 1024 / 1024
        if server is not None:
            out["server_mem"] = server.memory()
    finally:
        if server is not None:
            server.close()
    return out


async def steps(pilot: Any, out: dict[str, Any], row: int, log: Any, log_size: Any) -> None:
    from _common import GcWatch
    from _screens import CONTACTS_PATH, Watch, memory, send_key, wait_until

    app = pilot.app

    # 1. "2": first page painted. The screen's module is not imported yet: watch frames only.
    def first_page() -> bool:
        screen = app.screen
        if type(screen).__name__ != "ContactsScreen":
            return False
        if not screen.query("#contacts-list"):  # not composed yet
            return False
        listing = screen.listing
        return listing.total is not None and listing.item_at(0) is not None

    shown: dict[str, float] = {}

    def frame(now: float) -> None:
        if "first" not in shown and first_page():
            shown["first"] = now

    app.on_frame = frame
    mark = log_size()
    t0 = time.perf_counter()
    send_key(app, "2")
    await wait_until(pilot, lambda: "first" in shown, timeout=30, what="the first page of contacts")
    out["open_ms"] = ms(shown["first"] - t0)
    out["open_requests"] = [(m, p, q) for m, p, q, _ in log(mark)]
    await pilot.pause(0.5)

    from textual.widgets import Input

    from sakari_tui.screens.contacts import ContactsScreen
    from sakari_tui.widgets.paged_list import PagedList

    screen = app.screen
    assert isinstance(screen, ContactsScreen)
    listing = screen.listing
    out["total"] = listing.total

    def view_loaded() -> bool:
        total = listing.total
        if total is None:
            return False
        top = int(listing.scroll_y)
        height = listing.scrollable_content_region.height
        return all(listing.item_at(i) is not None for i in range(top, min(top + height, total)))

    watch = Watch(app, PagedList, Input)

    # Back to the inbox and again: the screen is kept; its rows in view are fetched again.
    await pilot.press("1")
    await pilot.pause(0.5)
    mark = log_size()
    expect = watch.expect(PagedList, lambda: app.screen is screen and view_loaded())
    t0 = time.perf_counter()
    send_key(app, "2")
    await watch.settle(expect, timeout=10)
    out["reopen_ms"] = ms(expect.at - t0) if expect.at else None
    await wait_until(pilot, lambda: not listing.fetching, what="the refresh")
    out["reopen_requests"] = sum(1 for m, p, _, _ in log(mark) if p == CONTACTS_PATH)
    await pilot.pause(0.3)

    # 2a. pagedown, one at a time, each to its loaded repaint.
    listing.focus()
    await pilot.pause(0.3)
    mark, pages_before = log_size(), listing.requests
    latencies: list[float] = []
    gc_watch = GcWatch()
    t0 = time.perf_counter()
    while listing.cursor < row:
        height = listing.scrollable_content_region.height
        wanted = min(listing.cursor + max(height - 1, 1), (listing.total or 1) - 1)
        expect = watch.expect(PagedList, lambda w=wanted: listing.cursor == w and view_loaded())
        tk = time.perf_counter()
        send_key(app, "pagedown")
        if await watch.settle(expect, timeout=10):
            latencies.append(expect.at - tk)
    out["step_seconds"] = time.perf_counter() - t0
    gc_watch.close()
    out["step_gc_full_ms"] = [ms(v) for v in gc_watch.full()]
    out["step_latencies_ms"] = [ms(v) for v in latencies]
    out["step_presses"] = len(latencies)
    out["step_cursor"] = listing.cursor
    entries = [e for e in log(mark) if e[1] == CONTACTS_PATH]
    out["step_requests"] = len(entries)
    out["step_server_ms"] = [ms(e[3]) for e in entries]
    out["step_pages"] = listing.requests - pages_before
    out["cached_pages"] = len(listing.cached_pages)

    # 2b. From the top again, pagedown held (30 presses a second), to row 10,000's screen loaded.
    expect = watch.expect(PagedList, lambda: listing.cursor == 0 and view_loaded())
    send_key(app, "home")
    await watch.settle(expect, timeout=10)
    await pilot.pause(0.3)
    height = listing.scrollable_content_region.height
    presses = -(-row // max(height - 1, 1))
    list_frames = {"all": 0, "placeholders": 0}

    def observe(now: float, drew: frozenset[type]) -> None:
        if PagedList in drew:
            list_frames["all"] += 1
            list_frames["placeholders"] += not view_loaded()

    watch.observers.append(observe)
    mark = log_size()
    t0 = time.perf_counter()
    for n in range(presses):
        delay = t0 + n * REPEAT - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        send_key(app, "pagedown")
    t_keys = time.perf_counter() - t0
    await wait_until(pilot, lambda: listing.cursor >= row and view_loaded() and not listing.fetching,
                     timeout=30, what="row 10,000 loaded")  # fmt: skip
    await pilot.pause(0.2)
    watch.observers.remove(observe)
    painted = watch.last_drawn(PagedList) or time.perf_counter()
    out["held_presses"] = presses
    out["held_keys_seconds"] = t_keys
    out["held_seconds"] = painted - t0
    out["held_after_last_key_ms"] = ms(painted - t0 - t_keys)
    out["held_requests"] = sum(1 for e in log(mark) if e[1] == CONTACTS_PATH)
    out["held_cursor"] = listing.cursor
    out["held_frames"] = list_frames

    # 2c. end: the last row.
    await pilot.pause(0.3)
    mark = log_size()
    last = (listing.total or 1) - 1
    expect = watch.expect(PagedList, lambda: listing.cursor == last and view_loaded())
    t0 = time.perf_counter()
    send_key(app, "end")
    await watch.settle(expect, timeout=10)
    out["end_ms"] = ms(expect.at - t0) if expect.at else None
    out["end_requests"] = sum(1 for e in log(mark) if e[1] == CONTACTS_PATH)
    out["mem_scrolled"] = memory()

    # 3. Filters, key by key.
    send_key(app, "home")
    await pilot.pause(0.5)
    mark = log_size()
    echo: list[float] = []
    results: list[float] = []
    matches: dict[str, int] = {}
    missing = 0
    for input_id, keyword, text in QUERIES:
        field = screen.query_one(f"#{input_id}", Input)
        field.focus()
        await pilot.pause()
        sequence = [(ch, text[: i + 1]) for i, ch in enumerate(text)]
        sequence += [("backspace", text[:i]) for i in range(len(text) - 1, -1, -1)]
        for key, value in sequence:
            wanted = {keyword: value} if value else {}
            e_echo = watch.expect(Input, lambda f=field, v=value: f.value == v)
            e_list = watch.expect(PagedList, lambda w=wanted: screen.filters == w and view_loaded())
            tk = time.perf_counter()
            send_key(app, key)
            ok = await watch.settle(e_echo, e_list, timeout=10)
            if e_echo.at is not None:
                echo.append(e_echo.at - tk)
            if e_list.at is not None:
                results.append(e_list.at - tk)
            missing += not ok
            if value == text:
                matches[f"{keyword} {text!r}"] = listing.total or 0
            await pilot.pause(0.05)
        await pilot.pause(0.3)
    entries = [e for e in log(mark) if e[1] == CONTACTS_PATH]
    out["echo_ms"] = [ms(v) for v in echo]
    out["results_ms"] = [ms(v) for v in results]
    out["filter_missing"] = missing
    out["filter_matches"] = matches
    filtered = [e for e in entries if any(k in e[2] for k in ("firstName=", "lastName=", "mobile="))]
    plain = [e for e in entries if e not in filtered]
    out["filter_requests"] = len(entries)
    out["filter_server_ms"] = [ms(e[3]) for e in filtered]
    out["plain_server_ms"] = [ms(e[3]) for e in plain]
    out["all_server_ms"] = [ms(e[3]) for e in log(0) if e[1] == CONTACTS_PATH]
    watch.close()
    gc.collect()


def child(args: Any) -> None:
    out = asyncio.run(measure(args.child, args.contacts, args.row, args.tracemalloc))
    Path(args.child_json).write_text(json.dumps(out))


def spawn(mode: str, args: Any, trace: bool = False) -> dict[str, Any] | None:
    with tempfile.TemporaryDirectory(prefix="sakari-bench-contacts-") as tmp:
        path = Path(tmp) / "out.json"
        argv = [sys.executable, __file__, "--child", mode, "--child-json", str(path),
                "--contacts", str(args.contacts), "--row", str(args.row)]  # fmt: skip
        if trace:
            argv.append("--tracemalloc")
        started = time.perf_counter()
        done = subprocess.run(argv, check=False, cwd=_common.ROOT)
        if done.returncode != 0 or not path.exists():
            print(f"{mode} run failed (exit {done.returncode})", file=sys.stderr)
            return None
        out = json.loads(path.read_text())
        out["seconds"] = time.perf_counter() - started
        return out


def latency(prefix: str, values: list[float], note: str = "") -> list[Result]:
    if not values:
        return [Result(BENCH, f"{prefix}: no samples", None, "ms")]
    return [
        Result(BENCH, f"{prefix}, median", median(values), "ms", note=note or f"{len(values)} keys"),
        Result(BENCH, f"{prefix}, p95", percentile(values, 95), "ms"),
        Result(BENCH, f"{prefix}, slowest", max(values), "ms"),
    ]


def results_of(
    runs: dict[str, dict[str, Any]], traced: dict[str, Any] | None, load_avg: float, load: str
) -> list[Result]:
    from _screens import CONTACTS_PATH

    results: list[Result] = []
    http = runs.get("http")
    inproc = runs.get("in-process")
    for label, run in (("", http), ("in-process sandbox: ", inproc)):
        if run is None:
            continue
        short = label == ""
        opened = [p for _, p, _ in run["open_requests"] if p == CONTACTS_PATH]
        results.append(Result(BENCH, f"{label}press 2 to the first page painted (first visit)", run["open_ms"], "ms",
                              note=f"{len(opened)} contacts request(s); {run['total']:,} contacts"))  # fmt: skip
        if short:
            results.append(Result(BENCH, "press 2 again (screen kept) to rows painted", run["reopen_ms"], "ms",
                                  note=f"{run['reopen_requests']} request(s): rows in view fetched again"))  # fmt: skip
        steps = run["step_latencies_ms"]
        results.append(Result(BENCH, f"{label}pagedown x{run['step_presses']} to row {run['step_cursor']:,}, each to its rows painted",
                              run["step_seconds"] * 1000, "ms",
                              note=f"{run['step_requests']} page requests"))  # fmt: skip
        results += latency(f"{label}  pagedown key-to-repaint (rows loaded)", steps, f"{len(steps)} keys")
        full = run["step_gc_full_ms"]
        results.append(Result(BENCH, f"{label}  full garbage collections while paging", len(full), "collections",
                              note=f"longest {max(full, default=0):.0f} ms"))  # fmt: skip
        if short:
            server = run["step_server_ms"]
            results.append(Result(BENCH, "  server time per page (unfiltered), median", median(server), "ms",
                                  note=f"{len(server)} pages"))  # fmt: skip
            results.append(Result(BENCH, f"pagedown held (30/s) x{run['held_presses']} to row {run['held_cursor']:,} painted",
                                  run["held_seconds"] * 1000, "ms",
                                  note=f"{run['held_requests']} page requests; painted {run['held_after_last_key_ms']:.0f} ms after the "
                                       f"last key; {run['held_frames']['placeholders']} of {run['held_frames']['all']} "
                                       "list frames on the way showed placeholder rows"))  # fmt: skip
            results.append(Result(BENCH, "end (row 100,000) key-to-repaint", run["end_ms"], "ms",
                                  note=f"{run['end_requests']} request(s)"))  # fmt: skip
            results.append(Result(BENCH, "pages cached after scrolling (bound 30)", run["cached_pages"], "pages"))
        echo = run["echo_ms"]
        res = run["results_ms"]
        results += latency(f"{label}filter keystroke-to-echo (input repainted)", echo)
        results += latency(f"{label}filter keystroke-to-results (list repainted, filtered)", res,
                           note=f"{len(res)} keys; includes the 0.3 s typing pause")  # fmt: skip
        if res:
            results.append(
                Result(BENCH, f"{label}  results less the 0.3 s typing pause, median", median(res) - 300.0, "ms")
            )
        server = run["filter_server_ms"]
        if server:
            results.append(Result(BENCH, f"{label}  server time per filtered page (100k scanned), median", median(server), "ms",
                                  note=f"p95 {percentile(server, 95):.1f} ms; {len(server)} requests"))  # fmt: skip
    if http:
        peak = http["mem_end"]["peak_mb"]
        results.append(Result(BENCH, "app process peak RSS (sandbox in its own process)", peak, "MB",
                              f"< {TARGET_MB:g} MB", peak < TARGET_MB,
                              note=f"RSS {http['mem_start']['rss_mb']:.0f} MB at start, {http['mem_inbox']['rss_mb']:.0f} "
                                   f"with the inbox, {http['mem_scrolled']['rss_mb']:.0f} after scrolling"))  # fmt: skip
        results.append(Result(BENCH, "  sandbox process RSS (100,000 contacts)", http["server_mem"]["peak_mb"], "MB"))
    if traced and "traced_peak_mb" in traced:
        results.append(Result(BENCH, "app's tracemalloc peak (separate traced run)", traced["traced_peak_mb"], "MB",
                              note="Python allocations from app start to the end, sandbox in its own process"))  # fmt: skip
    if inproc:
        peak = inproc["mem_end"]["peak_mb"]
        share = inproc["mem_seeded"]["rss_mb"] - inproc["mem_imported"]["rss_mb"]
        results.append(Result(BENCH, "in-process sandbox: process peak RSS, app and sandbox", peak, "MB",
                              f"< {TARGET_MB:g} MB", peak < TARGET_MB,
                              note=f"the seeded sandbox takes {share:.0f} MB of it (seeded in {inproc['seed_seconds']:.1f} s)"))  # fmt: skip
        results.append(
            Result(BENCH, "in-process sandbox: peak RSS less the sandbox's share (estimate)", peak - share, "MB")
        )
    results.append(Result(BENCH, "machine load (1-minute average) at the start", load_avg, "load", note=load))
    return results


def main() -> None:
    p = _common.parser(__doc__.splitlines()[0])
    p.add_argument("--modes", default="http,in-process", help="http, in-process or both (default both)")
    p.add_argument("--contacts", type=int, default=CONTACTS, help="contacts in the sandbox (default 100000)")
    p.add_argument("--row", type=int, default=10_000, help="row to scroll to (default 10000)")
    p.add_argument("--tracemalloc", action="store_true", help="also a traced run (http) for tracemalloc's peak")
    p.add_argument("--child", choices=("http", "in-process"), help=argparse_hidden())
    p.add_argument("--child-json", help=argparse_hidden())
    args = p.parse_args()
    if args.child:
        child(args)
        return
    from _screens import load_average, load_note

    load, load_avg = load_note(), load_average()
    runs: dict[str, dict[str, Any]] = {}
    for mode in [m.strip() for m in args.modes.split(",") if m.strip()]:
        print(f"-- {mode} ({load_note()})", flush=True)
        run = spawn(mode, args)
        if run is not None:
            runs[mode] = run
            print(f"   {run['seconds']:.0f} s", flush=True)
    traced = spawn("http", args, trace=True) if args.tracemalloc else None
    if not runs:
        sys.exit(1)
    results = results_of(runs, traced, load_avg, f"{load} at start, {load_note()} at end")
    extra = {mode: {k: run[k] for k in ("filter_matches", "open_requests", "seconds") if k in run}
             for mode, run in runs.items()}  # fmt: skip
    for mode, run in runs.items():
        print(f"{mode}: rows matching each filter: {run['filter_matches']}")
    _common.report(f"Contacts screen over {args.contacts:,} contacts", results, args.json, extra)


def argparse_hidden() -> str:
    import argparse

    return argparse.SUPPRESS


if __name__ == "__main__":
    main()
