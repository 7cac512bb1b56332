"""Importing a 50,000-row CSV file through the contacts screen: wall time, memory, frames.

A CSV file of 50,000 contacts is generated (seeded): first and last names, unique valid US
mobiles (area codes 201-989 with a second digit 0-8 and no N11, exchanges 200-999 without N11
or 555, any line; written in a few usual formats), emails, a city column (a custom attribute)
and tags. None of them is in the sandbox yet, so every row is an insert.

The app runs headless (120x40) with its real HTTP client against a sandbox of 1,000 contacts
served from a process of its own (``_sandbox_proc``: its import work and memory are not in
the app's process). Driven by keys as in the tests: "2" (contacts), "i" (the import dialog),
the path put in the field, Enter (the file is read, parsed and cut in chunks in a thread),
F2 (the upload: ``contacts.create`` with a text/csv body, in chunks of CHUNK_ROWS rows, a frame
between chunks), until the report shows.

Frames: a headless app paints only when something changed, so while the import runs the
benchmark asks for a repaint of one line of the dialog every 1/60 s (as a spinner would);
the gaps between the frames that follow are how long the screen could not paint. The
longest time the event loop was busy (a 5 ms sleep woken late) is reported too.
Memory: peak RSS (VmHWM) of the app's process over the import, its high-water mark reset
after the file was generated.

Target: a frame at least every 100 ms while the import runs.

    .venv/bin/python benchmarks/csv_import_50k.py [--rows 50000] [--tracemalloc]
"""

from __future__ import annotations

import asyncio
import csv
import itertools
import random
import tempfile
import time
from pathlib import Path
from typing import Any

import _common
from _common import Result, median, ms, percentile

ROWS = 50_000
TARGET_GAP_MS = 100.0
BENCH = "CSV import 50k"


def area_codes() -> list[str]:
    """Area codes of the form NXX: N 2-9, the second digit 0-8, no N11 (201-989 in all)."""
    codes = []
    for a in range(2, 10):
        for b in range(9):
            for c in range(10):
                if b == 1 and c == 1:
                    continue
                codes.append(f"{a}{b}{c}")
    return codes


def unique_mobiles(count: int, seed: int = 50_000) -> list[str]:
    rng = random.Random(seed)
    areas = area_codes()
    seen: set[str] = set()
    numbers: list[str] = []
    while len(numbers) < count:
        area = rng.choice(areas)
        exchange = rng.randint(200, 999)
        if exchange == 555 or exchange % 100 == 11:
            continue
        number = f"{area}{exchange}{rng.randint(0, 9999):04d}"
        if number in seen:
            continue
        seen.add(number)
        numbers.append(number)
    return numbers


def write_csv(path: Path, rows: int) -> int:
    from sakari_tui.sandbox import seed_text as text

    rng = random.Random(7)
    formats = (
        lambda n: f"({n[:3]}) {n[3:6]}-{n[6:]}",
        lambda n: f"+1 {n[:3]} {n[3:6]} {n[6:]}",
        lambda n: f"{n[:3]}-{n[3:6]}-{n[6:]}",
        lambda n: f"+1{n}",
    )
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["firstName", "lastName", "mobile", "email", "city", "tags"])
        for i, number in enumerate(unique_mobiles(rows)):
            first = rng.choice(text.FIRST_NAMES)
            last = rng.choice(text.LAST_NAMES)
            email = f"{first}.{last}{i}@example.com".lower().replace("'", "")
            tags = ";".join(rng.sample(text.TAGS, rng.choice((0, 1, 2))))
            writer.writerow([first, last, formats[i % len(formats)](number), email, rng.choice(text.CITIES), tags])
    return path.stat().st_size


async def measure(rows: int, trace: bool) -> dict[str, Any]:
    from _sandbox_proc import SandboxProcess
    from _screens import (
        CONTACTS_PATH,
        Heartbeat,
        Watch,
        app_ready,
        http_app,
        memory,
        reset_peak,
        send_key,
        wait_until,
    )

    out: dict[str, Any] = {"rows": rows}
    with tempfile.TemporaryDirectory(prefix="sakari-bench-csv-") as tmp:
        path = Path(tmp) / f"contacts_{rows // 1000}k.csv"
        t0 = time.perf_counter()
        out["file_bytes"] = write_csv(path, rows)
        out["generate_seconds"] = time.perf_counter() - t0
        import gc

        gc.collect()
        out["peak_reset"] = reset_peak()
        out["mem_start"] = memory()
        server = SandboxProcess(contacts=1_000, conversations=25)
        if trace:
            import tracemalloc

            tracemalloc.start()
        try:
            app = http_app(server.url, Path(tmp) / "data")
            async with app.run_test(size=(120, 40)) as pilot:
                await app_ready(pilot)
                out["mem_inbox"] = memory()
                send_key(app, "2")
                await wait_until(pilot, lambda: type(app.screen).__name__ == "ContactsScreen"
                                 and app.screen.query("#contacts-list") and app.screen.listing.total is not None,
                                 what="the contacts list")  # fmt: skip
                await pilot.pause(0.5)
                from textual.widgets import Input, Static

                from sakari_tui.screens.csv_import import CHUNK_ROWS, CsvImportScreen

                out["chunk_rows"] = CHUNK_ROWS
                send_key(app, "i")
                await wait_until(pilot, lambda: isinstance(app.screen, CsvImportScreen), what="the import dialog")
                await pilot.pause(0.3)
                dialog = app.screen
                field = dialog.query_one("#csv-path", Input)
                assert app.focused is field
                field.value = str(path)  # as the tests do; the path's typing is not what is measured
                await pilot.pause(0.3)

                watch = Watch(app)
                beat = Heartbeat()
                beat.start()
                ticker_target = dialog.query_one("#csv-summary", Static)
                ticker = app.set_interval(1 / 60, ticker_target.refresh)

                # Enter: read, parse and cut the file (in a thread).
                t_enter = time.perf_counter()
                send_key(app, "enter")
                await wait_until(pilot, lambda: dialog.state == "ready", timeout=60, what="the file read")
                t_ready = time.perf_counter()
                await pilot.pause(0.3)
                out["read_ms"] = ms(t_ready - t_enter)
                out["read_gaps_ms"] = [ms(g) for g in watch.gaps(t_enter, t_ready)]
                out["read_loop_busy_ms"] = ms(beat.longest(t_enter, t_ready))
                out["chunks"] = len(dialog.data.chunks) if dialog.data else 0
                out["mem_read"] = memory()

                # F2: the upload, to the report.
                mark = server.log_size()
                done_at: dict[str, float] = {}

                def observe(now: float, drew: frozenset[type]) -> None:
                    if "done" not in done_at and dialog.state == "done":
                        done_at["done"] = now

                watch.observers.append(observe)
                from _common import GcWatch

                gc_watch = GcWatch()
                t_f2 = time.perf_counter()
                send_key(app, "f2")
                await wait_until(pilot, lambda: "done" in done_at, timeout=600, what="the import report")
                t_done = done_at["done"]
                ticker.stop()
                beat.stop()
                gc_watch.close()
                out["gc_full_ms"] = [ms(v) for v in gc_watch.full()]
                out["gc_all"] = len(gc_watch.pauses)
                out["import_ms"] = ms(t_done - t_f2)
                gaps = watch.gaps(t_f2, t_done)
                out["import_gaps_ms"] = [ms(g) for g in gaps]
                out["import_frames"] = sum(1 for t, _ in watch.frames if t_f2 <= t <= t_done)
                out["import_loop_busy_ms"] = ms(beat.longest(t_f2, t_done))
                out["import_loop_busy_over_100"] = beat.over(0.1, t_f2, t_done)
                # When the long gaps happened, relative to the start of the import.
                times = [t_f2] + [t for t, _ in watch.frames if t_f2 <= t <= t_done] + [t_done]
                out["long_gaps"] = [(round(ms(a - t_f2)), round(ms(b - a)))
                                    for a, b in itertools.pairwise(times) if b - a > TARGET_GAP_MS / 1000]  # fmt: skip
                report = dialog.report
                out["report"] = {
                    "submitted": report.submitted, "inserted": report.inserted, "updated": report.updated,
                    "failures": len(report.failures), "imported_rows": report.imported_rows, "stopped": report.stopped,
                } if report else None  # fmt: skip
                log = server.log(mark)
                posts = [e for e in log if e[0] == "POST" and e[1] == CONTACTS_PATH]
                out["posts"] = len(posts)
                out["server_ms"] = [ms(e[3]) for e in posts]
                out["mem_end"] = memory()
                if trace:
                    import tracemalloc

                    out["traced_peak_mb"] = tracemalloc.get_traced_memory()[1] / 1024 / 1024
                watch.close()
            out["server_contacts"] = server.ask("contacts")
            out["server_mem"] = server.memory()
        finally:
            server.close()
    return out


def results_of(out: dict[str, Any], load: str, load_avg: float) -> list[Result]:
    gaps = out["import_gaps_ms"]
    longest = max(gaps) if gaps else None
    over = sum(1 for g in gaps if g > TARGET_GAP_MS)
    report = out["report"] or {}
    server = sum(out["server_ms"])
    results = [
        Result(
            BENCH,
            f"file: {out['rows']:,} rows",
            out["file_bytes"] / 1024 / 1024,
            "MB",
            note=f"generated in {out['generate_seconds']:.1f} s",
        ),
        Result(
            BENCH,
            "Enter to the preview (read, parse, cut in a thread)",
            out["read_ms"],
            "ms",
            note=f"{out['chunks']} chunks of {out['chunk_rows']:,} rows",
        ),
        Result(
            BENCH,
            "  longest gap between frames while reading",
            max(out["read_gaps_ms"], default=0.0),
            "ms",
            note=f"event loop busy at most {out['read_loop_busy_ms']:.0f} ms",
        ),
        Result(
            BENCH,
            "F2 to the report (upload and report)",
            out["import_ms"],
            "ms",
            note=f"{out['posts']} POST /contacts; {server / 1000:.1f} s of it in the server",
        ),
        Result(
            BENCH,
            "  rows submitted / inserted / updated / failed",
            report.get("submitted"),
            "rows",
            note=f"{report.get('inserted', 0):,} / {report.get('updated', 0):,} / {report.get('failures', 0):,}; "
            f"the sandbox holds {out['server_contacts']:,} contacts after",
        ),
        Result(
            BENCH,
            "  server time per chunk, median",
            median(out["server_ms"]),
            "ms",
            note=f"p95 {percentile(out['server_ms'], 95):.0f} ms",
        ),
        Result(
            BENCH,
            "  longest gap between frames while importing",
            longest,
            "ms",
            f"<= {TARGET_GAP_MS:g} ms",
            longest is not None and longest <= TARGET_GAP_MS,
            note=f"{out['import_frames']} frames; {over} gaps over {TARGET_GAP_MS:g} ms",
        ),
        Result(
            BENCH, "  gap between frames, median / p95", median(gaps), "ms", note=f"p95 {percentile(gaps, 95):.1f} ms"
        ),
        Result(
            BENCH,
            "  event loop busy at most (5 ms sleep woken late)",
            out["import_loop_busy_ms"],
            "ms",
            note=f"{out['import_loop_busy_over_100']} wake-ups over 100 ms late",
        ),
        Result(
            BENCH,
            "  full garbage collections while importing",
            len(out["gc_full_ms"]),
            "collections",
            note=f"longest {max(out['gc_full_ms'], default=0):.0f} ms, median {median(out['gc_full_ms']) if out['gc_full_ms'] else 0:.0f} ms",
        ),
        Result(
            BENCH,
            "app process peak RSS (start to report)",
            out["mem_end"]["peak_mb"],
            "MB",
            note=f"RSS {out['mem_start']['rss_mb']:.0f} MB before the app, {out['mem_inbox']['rss_mb']:.0f} with the inbox, "
            f"{out['mem_read']['rss_mb']:.0f} with the file read, {out['mem_end']['rss_mb']:.0f} at the report",
        ),
    ]
    if "traced_peak_mb" in out:
        results.append(Result(BENCH, "  app's tracemalloc peak (traced run)", out["traced_peak_mb"], "MB"))
    results.append(Result(BENCH, "  sandbox process peak RSS", out["server_mem"]["peak_mb"], "MB"))
    results.append(Result(BENCH, "machine load (1-minute average) at the start", load_avg, "load", note=load))
    return results


def main() -> None:
    from _screens import load_average, load_note

    p = _common.parser(__doc__.splitlines()[0])
    p.add_argument("--rows", type=int, default=ROWS, help="rows in the file (default 50000)")
    p.add_argument("--tracemalloc", action="store_true", help="trace Python allocations (slower; adds a row)")
    args = p.parse_args()
    load, load_avg = load_note(), load_average()
    out = asyncio.run(measure(args.rows, args.tracemalloc))
    if out["long_gaps"]:
        print("gaps over 100 ms (ms into the import, length):", out["long_gaps"][:40])
    results = results_of(out, f"{load} at start, {load_note()} at end", load_avg)
    _common.report(f"Importing a CSV file of {args.rows:,} contacts", results, args.json,
                   {"long_gaps": out["long_gaps"], "report": out["report"]})  # fmt: skip


if __name__ == "__main__":
    main()
