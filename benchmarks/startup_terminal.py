"""Start-up as a person sees it: from launching the command in a terminal to the first
conversation's name on the screen, against a minimal Textual app to its one line.

Both run in a real terminal, a tmux pane of 120x40 (``_tmux.TmuxPane``: tmux draws what the
program writes, answers its queries, and the screen it drew is read after every write, so
the moment the text is on screen is known within one round trip to tmux). Pairs alternate
(minimal then sakari-tui, then sakari-tui then minimal, ...) after a warm-up of each; the
ratio is taken per pair, and its median reported with the spread. ``--compare DIR`` adds a
third app to every round: the same command importing another checkout's package ("before").

  (a) ``python benchmarks/_minimal_app.py``: one Static, until "Hello from a minimal" shows;
  (b) the ``sakari-tui`` command (``--config``), on a profile whose SQLite cache holds 1,000
      conversations, until the newest conversation's name shows. The profile's api_url is a
      local socket that accepts and never answers, so what is painted came from the cache.

Bytecode is cached (a private PYTHONPYCACHEPREFIX), as in a normal install.

    .venv/bin/python benchmarks/startup_terminal.py [--pairs 15]
"""

from __future__ import annotations

import json
import os
import shlex
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path

import _common
from _common import Result, median, ms
from _tmux import ControlLost, TmuxPane

TARGET_RATIO = 1.3
MINIMAL_TEXT = "Hello from a minimal"
# The last line of sakari-tui's screen (the footer's palette key): the whole screen is drawn.
WHOLE_SCREEN = "palette"


def sakari_command(config: Path) -> str:
    script = Path(sys.executable).parent / "sakari-tui"
    if script.exists():
        return f"{shlex.quote(str(script))} --config {shlex.quote(str(config))}"
    return f"{shlex.quote(sys.executable)} -m sakari_tui.cli --config {shlex.quote(str(config))}"


def newest_name(data_dir: Path) -> str:
    from _fixtures import PROFILE

    from sakari_tui.api import Conversation
    from sakari_tui.core.store import Store
    from sakari_tui.screens.conversations import conversation_name

    store = Store.for_profile(data_dir, PROFILE)
    try:
        return conversation_name(Conversation.from_json(store.conversations(limit=1)[0]))
    finally:
        store.close()


def trace_marks(raw: dict, started: float) -> dict[str, float]:
    """The launcher's readings as seconds after the launch (or lengths, for *_s)."""
    marks = {k: v - started for k, v in raw.items() if isinstance(v, float) and k not in ("cpu", "write_s")}
    frames = raw["frames"]
    if frames:
        marks["first_frame_begun"], marks["first_frame"] = frames[0][0] - started, frames[0][1] - started
        marks["frames_s"] = sum(end - begin for begin, end in frames)
    marks["frames"] = len(frames)
    dropped = raw.get("dropped_frames", [])
    marks["dropped"] = len(dropped)
    if dropped:
        marks["first_dropped"] = dropped[0] - started
    for label, (_count, total) in raw.get("spans", {}).items():  # SAKARI_TRACE_SPANS=1
        marks[f"span: {label}"] = total
    marks["cpu_s"] = raw["cpu"]
    marks["write_s"] = raw["write_s"]
    return marks


TRACE_ROWS = [  # (label, from mark, to mark); "launch" is 0
    ("launch to interpreter running the launcher", "launch", "start"),
    ("to textual.app imported", "launch", "textual_imported"),
    ("to the app's module imported (sakari-tui)", "launch", "app_imported"),
    ("to the driver starting (terminal set-up written)", "launch", "driver_start"),
    ("driver start-up (modes, threads, queries)", "driver_start", "driver_started"),
    ("to the conversations screen imported (sakari-tui)", "launch", "screen_imported"),
    ("to the first frame Textual dropped (made inside a batch update)", "launch", "first_dropped"),
    ("to the first frame", "launch", "first_frame"),
    ("to the frame with the text", "launch", "drawn"),
    ("the rest of the cache read, after the first frame (sakari-tui)", "first_frame", "rest_called"),
    ("the API client made, after the first frame (sakari-tui)", "first_frame", "settle_called"),
]


def trace_results(runs: dict[str, list[dict]]) -> list[Result]:
    results = []
    for which in runs:
        all_marks = [r["marks"] for r in runs[which]]
        for label, a, b in TRACE_ROWS:
            values = [
                ms(m[b] - (0.0 if a == "launch" else m[a])) for m in all_marks if b in m and (a == "launch" or a in m)
            ]
            if values:
                results.append(Result("start-up (terminal)", f"  trace {which}: {label}", median(values), "ms"))
        for key, label in (("frames_s", "time in frames (build and write) until the text"),
                           ("write_s", "of which handing bytes to the writer thread"),
                           ("cpu_s", "CPU time until the text")):  # fmt: skip
            results.append(
                Result(
                    "start-up (terminal)", f"  trace {which}: {label}", median([ms(m[key]) for m in all_marks]), "ms"
                )
            )
        for key in sorted({k for m in all_marks for k in m if k.startswith("span: ")}):
            values = [ms(m.get(key, 0.0)) for m in all_marks]
            results.append(Result("start-up (terminal)", f"  trace {which}: in {key[6:]}", median(values), "ms"))
        results.append(
            Result(
                "start-up (terminal)",
                f"  trace {which}: frames until the text",
                median([m["frames"] for m in all_marks]),
                "frames",
            )
        )
        results.append(
            Result(
                "start-up (terminal)",
                f"  trace {which}: frames dropped before it",
                median([m["dropped"] for m in all_marks]),
                "frames",
            )
        )
    return results


def main() -> None:
    p = _common.parser(__doc__.splitlines()[0])
    p.add_argument("--pairs", type=int, default=15, help="measured pairs (default 15)")
    p.add_argument(
        "--trace",
        action="store_true",
        help="run both through _trace_terminal.py and report where the time goes (the hooks cost a little)",
    )
    p.add_argument("--conversations", type=int, default=1000, help="conversations in the cache (default 1000)")
    p.add_argument("--compare", metavar="DIR",
                   help="also run the sakari_tui package of another checkout (e.g. an export of an older commit) "
                        "in every round, reported as 'before'")  # fmt: skip
    args = p.parse_args()

    from _fixtures import big_sandbox, fill_cache, write_config

    silent = socket.socket()  # accepts connections (kernel backlog), never answers
    silent.bind(("127.0.0.1", 0))
    silent.listen(64)
    with silent, tempfile.TemporaryDirectory(prefix="sakari-bench-term-") as tmp, TmuxPane(120, 40) as pane:
        tmp_path = Path(tmp)
        data_home = tmp_path / "data"
        fill_cache(data_home / "sakari-tui", big_sandbox(args.conversations))
        config = write_config(tmp_path / "config.toml", api_url=f"http://127.0.0.1:{silent.getsockname()[1]}")
        name = newest_name(data_home / "sakari-tui")
        env = {
            "PYTHONPYCACHEPREFIX": str(tmp_path / "pycache"),
            "XDG_DATA_HOME": str(data_home),
            "XDG_CONFIG_HOME": str(tmp_path / "config"),
            "PYTHONPATH": str(_common.ROOT),
        }
        if "PYTHONDONTWRITEBYTECODE" in os.environ:
            env["PYTHONDONTWRITEBYTECODE"] = ""
        python = shlex.quote(sys.executable)
        apps = {
            "minimal": (f"{python} {shlex.quote(str(_common.BENCH_DIR / '_minimal_app.py'))}", MINIMAL_TEXT),
            "sakari": (sakari_command(config), name),
        }
        if args.compare:  # the same command; PYTHONPATH makes it import the other checkout's package
            apps["before"] = apps["sakari"]
        trace_file = tmp_path / "trace.json"
        if args.trace:
            tracer = (
                f"{python} {shlex.quote(str(_common.BENCH_DIR / '_trace_terminal.py'))} {shlex.quote(str(trace_file))}"
            )
            apps = {
                "minimal": (f"{tracer} minimal", MINIMAL_TEXT),
                "sakari": (f"{tracer} sakari {shlex.quote(str(config))}", name),
            }

        def run(which: str) -> dict:
            command, text = apps[which]
            trace_file.unlink(missing_ok=True)
            app_env = {**env, "PYTHONPATH": str(Path(args.compare).resolve())} if which == "before" else env
            for _attempt in range(3):
                try:
                    seen = pane.launch(command, until=text, env=app_env, cwd=str(_common.ROOT),
                                       also=(WHOLE_SCREEN,) if which != "minimal" else ())  # fmt: skip
                    break
                except ControlLost as lost:  # this launch is not counted; the next one is
                    print(f"  ({lost}; attached again)", flush=True)
                    pane.reattach()
                    trace_file.unlink(missing_ok=True)
            else:
                raise RuntimeError("tmux kept dropping the control client")
            if args.trace:  # the marks are written just after the frame that drew the text
                for _ in range(200):
                    if trace_file.exists():
                        break
                    time.sleep(0.01)
            try:
                pane.stop()
            except ControlLost:
                pane.reattach()
            if seen.found is None:
                raise RuntimeError(f"{which}: {text!r} never showed; the screen:\n{seen.screen}")
            run = {"found": seen.found, "first_output": seen.first_output, "bytes": seen.bytes,
                   "whole": seen.also.get(WHOLE_SCREEN)}  # fmt: skip
            if args.trace:
                run["marks"] = trace_marks(json.loads(trace_file.read_text()), seen.started)
            return run

        print(f"cache: {args.conversations} conversations; waiting for {name!r}; {args.pairs} pairs after a warm-up")
        names = list(apps)
        for which in names * 2:
            run(which)  # warm-up: the OS file cache, .pyc files, the SQLite pages
        runs: dict[str, list[dict]] = {which: [] for which in names}
        ratios: list[float] = []
        before_ratios: list[float] = []
        for n in range(args.pairs):
            for which in names if n % 2 == 0 else names[::-1]:
                runs[which].append(run(which))
            m, s = runs["minimal"][-1], runs["sakari"][-1]
            ratios.append(s["found"] / m["found"])
            line = f"  round {n + 1}: minimal {ms(m['found']):6.1f} ms, sakari-tui {ms(s['found']):6.1f} ms, ratio {ratios[-1]:.2f}"
            if args.compare:
                b = runs["before"][-1]
                before_ratios.append(b["found"] / m["found"])
                line += f"; before {ms(b['found']):6.1f} ms, ratio {before_ratios[-1]:.2f}"
            print(line, flush=True)

    def med(which: str, key: str) -> float:
        return median([ms(r[key]) for r in runs[which] if r.get(key) is not None])

    ratio = median(ratios)
    q = statistics.quantiles(ratios, n=4) if len(ratios) >= 2 else [ratio, ratio, ratio]
    spread = f"rounds {min(ratios):.2f}-{max(ratios):.2f}, middle half {q[0]:.2f}-{q[2]:.2f}"
    results = [
        Result("start-up (terminal)", "minimal Textual app: launch to its text on screen (median)", med("minimal", "found"), "ms"),
        Result("start-up (terminal)", "sakari-tui: launch to the newest cached name on screen (median)", med("sakari", "found"), "ms"),
        Result("start-up (terminal)", "ratio sakari-tui / minimal, median of rounds", ratio, "x", f"<= {TARGET_RATIO}x",
               ratio <= TARGET_RATIO, spread),
        Result("start-up (terminal)", "  sakari-tui: launch to the whole screen drawn (the footer), median", med("sakari", "whole"), "ms"),
        Result("start-up (terminal)", "  minimal: launch to its first write", med("minimal", "first_output"), "ms"),
        Result("start-up (terminal)", "  sakari-tui: launch to its first write", med("sakari", "first_output"), "ms"),
        Result("start-up (terminal)", "  minimal: bytes written until the text showed", median([r["bytes"] for r in runs["minimal"]]), "bytes"),
        Result("start-up (terminal)", "  sakari-tui: bytes written until the name showed", median([r["bytes"] for r in runs["sakari"]]), "bytes"),
    ]  # fmt: skip
    if args.compare:
        bq = statistics.quantiles(before_ratios, n=4) if len(before_ratios) >= 2 else [0.0] * 3
        results += [
            Result("start-up (terminal)", f"before ({args.compare}): launch to the name on screen (median)", med("before", "found"), "ms"),
            Result("start-up (terminal)", "  before: launch to the whole screen drawn (the footer), median", med("before", "whole"), "ms"),
            Result("start-up (terminal)", "before: ratio to minimal, median of rounds", median(before_ratios), "x", "", None,
                   f"rounds {min(before_ratios):.2f}-{max(before_ratios):.2f}, middle half {bq[0]:.2f}-{bq[2]:.2f}"),
        ]  # fmt: skip
    if args.trace:
        results += trace_results(runs)
    _common.report("Start-up in a terminal (tmux, 120x40)", results, args.json)


if __name__ == "__main__":
    main()
