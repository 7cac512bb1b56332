"""Run every benchmark, one after another, each in its own process, and print a markdown table.

    .venv/bin/python benchmarks/run_all.py            # full runs (about 13 minutes, 7 of them exactly_once)
    .venv/bin/python benchmarks/run_all.py --quick    # shorter windows, fewer runs (about 5 minutes)
    .venv/bin/python benchmarks/run_all.py startup polling   # only some

Each script's own output is shown as it runs; the table at the end collects the results.
With --quick the idle window (20 s) ends before the list's once-a-minute refresh, the
contacts benchmark skips its second run with the sandbox in the app's process, and
exactly_once runs sakari-tui send 20 and 10 times instead of 100 and 40.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import _common

BENCHMARKS = {
    "startup": ("startup.py", [], ["--runs", "5"]),
    "startup_terminal": ("startup_terminal.py", [], ["--pairs", "7"]),
    "send_cli": ("send_cli.py", [], ["--rounds", "7"]),
    "polling": ("polling.py", [], ["--seconds", "20"]),
    "profiles": ("profiles.py", [], ["--seconds", "60"]),
    "idle_output": ("idle_output.py", [], ["--seconds", "20", "--settle", "5"]),
    "thread_5000": ("thread_5000.py", [], ["--budget", "20"]),
    "filter_5000": ("filter_5000.py", [], ["--rounds", "1"]),
    "contacts_100k": ("contacts_100k.py", [], ["--modes", "http"]),
    "csv_import_50k": ("csv_import_50k.py", [], []),
    "bulk_send_10k": ("bulk_send_10k.py", [], []),
    "exactly_once": ("exactly_once.py", [], ["--cli", "20", "--wrapped", "10"]),
    "search_1m": ("search_1m.py", [], ["--messages", "200000"]),
    "contacts_json": ("contacts_json.py", [], []),
}


def table(runs: list[dict]) -> str:
    lines = ["| benchmark | metric | result | target | met |", "| --- | --- | ---: | --- | --- |"]
    for run in runs:
        for r in run["results"]:
            result = _common.Result(**r)
            value = f"{result.shown_value()} {result.unit}"
            if result.note:
                value += f" ({result.note})"
            lines.append(
                f"| {result.benchmark} | {result.metric.strip()} | {value} | {result.target} | "
                f"{_common.verdict(result.met)} |"
            )
    return "\n".join(lines)


def main() -> int:
    p = _common.parser(__doc__.splitlines()[0])
    p.add_argument(
        "names", nargs="*", metavar="NAME", help=f"benchmarks to run: {', '.join(BENCHMARKS)} (default: all)"
    )
    p.add_argument("--quick", action="store_true", help="shorter windows and fewer runs")
    args = p.parse_args()
    names = args.names or list(BENCHMARKS)
    unknown = [name for name in names if name not in BENCHMARKS]
    if unknown:
        p.error(f"unknown benchmark(s): {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}")

    info = _common.machine()
    print(
        f"machine: {info['cpu']}, {info['cores']} cores; Python {info['python']}; Textual {info['textual']}; {info['os']}"
    )
    runs: list[dict] = []
    failed: list[str] = []
    with tempfile.TemporaryDirectory(prefix="sakari-bench-") as tmp:
        for name in names:
            script, full, quick = BENCHMARKS[name]
            out = Path(tmp) / f"{name}.json"
            argv = [
                sys.executable,
                str(_common.BENCH_DIR / script),
                *(quick if args.quick else full),
                "--json",
                str(out),
            ]
            print(f"\n### {name}: {' '.join(Path(a).name if a.endswith('.py') else a for a in argv[1:])}", flush=True)
            started = time.perf_counter()
            done = subprocess.run(argv, check=False, cwd=_common.ROOT)
            took = time.perf_counter() - started
            if done.returncode != 0 or not out.exists():
                failed.append(name)
                print(f"{name} failed (exit {done.returncode})")
                continue
            run = json.loads(out.read_text())
            run["seconds"] = took
            runs.append(run)
            print(f"({name}: {took:.0f} s)")

    print("\n## Results\n")
    print(
        f"Machine: {info['cpu']}, {info['cores']} cores, Python {info['python']}, Textual {info['textual']}, {info['os']}."
    )
    print()
    print(table(runs))
    if failed:
        print(f"\nfailed: {', '.join(failed)}")
    if args.json:
        Path(args.json).write_text(json.dumps({"machine": info, "runs": runs}))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
