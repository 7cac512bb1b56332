"""Start-up to the first painted conversations screen, from the cache, headless.

Times, in fresh subprocesses (alternating, after one warm-up run of each), from just before
the process is spawned to the first frame:

  (a) a minimal Textual app: one Static, headless, exits on its first frame
      (benchmarks/_launch_minimal.py);
  (b) sakari-tui, started through its command line, on a profile whose SQLite cache holds
      1,000 conversations, headless, until the first frame in which the conversation list
      drew cached rows; the network never answers, so the rows come from the cache
      (benchmarks/_launch_cached.py).

Target: (b) at most 1.5x (a). Also shown for context: a bare interpreter (python -c pass).

    .venv/bin/python benchmarks/startup.py [--runs 11]
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import _common
from _common import Result, median, ms

TARGET_RATIO = 1.5


def child_env(pycache: Path) -> dict[str, str]:
    """As a user's shell would have it: bytecode cached (in a private folder, so the
    work tree is not touched), whatever PYTHONDONTWRITEBYTECODE this shell has."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(pycache)
    return env


ENV: dict[str, str] = {}


def spawn(args: list[str]) -> dict:
    t0 = time.perf_counter()
    done = subprocess.run(
        [sys.executable, *args], check=False, capture_output=True, text=True, timeout=60, cwd=_common.ROOT, env=ENV
    )
    t_exit = time.perf_counter()
    if done.returncode != 0:
        raise RuntimeError(f"{args[0]} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    line = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else "{}"
    data = json.loads(line) if line.startswith("{") else {}
    data["spawned"] = t0
    data["exited"] = t_exit
    return data


def main() -> None:
    p = _common.parser(__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=11, help="measured runs of each app (default 11)")
    p.add_argument("--conversations", type=int, default=1000, help="conversations in the cache (default 1000)")
    args = p.parse_args()

    from _fixtures import big_sandbox, fill_cache, write_config

    silent = socket.socket()  # accepts connections (kernel backlog), never answers
    silent.bind(("127.0.0.1", 0))
    silent.listen(64)
    with silent, tempfile.TemporaryDirectory(prefix="sakari-bench-startup-") as tmp:
        tmp_path = Path(tmp)
        xdg_data_home = tmp_path / "data"  # the app's data dir is XDG_DATA_HOME/sakari-tui
        cached, cached_messages = fill_cache(xdg_data_home / "sakari-tui", big_sandbox(args.conversations))
        ENV.update(child_env(tmp_path / "pycache"))
        config = write_config(tmp_path / "config.toml", api_url=f"http://127.0.0.1:{silent.getsockname()[1]}")
        minimal = [str(_common.BENCH_DIR / "_launch_minimal.py")]
        sakari = [str(_common.BENCH_DIR / "_launch_cached.py"), str(config), str(xdg_data_home)]
        bare = ["-c", "pass"]
        print(f"cache: {cached} conversations, {cached_messages} messages; {args.runs} runs each after a warm-up")

        for argv in (minimal, sakari, bare):
            spawn(argv)  # warm-up: the OS file cache, .pyc files, the SQLite pages
        runs: dict[str, list[dict]] = {"minimal": [], "sakari": [], "bare": []}
        for n in range(args.runs):
            runs["minimal"].append(spawn(minimal))
            runs["sakari"].append(spawn(sakari))
            runs["bare"].append(spawn(bare))
            m, s = runs["minimal"][-1], runs["sakari"][-1]
            print(
                f"  run {n + 1}: minimal {ms(m['painted'] - m['spawned']):6.1f} ms, "
                f"sakari-tui {ms(s['painted'] - s['spawned']):6.1f} ms ({s['rows']} rows)"
            )

    def to_paint(name: str) -> float:
        return median([ms(r["painted"] - r["spawned"]) for r in runs[name]])

    def phase(name: str, a: str, b: str) -> float:
        return median([ms(r[b] - r[a]) for r in runs[name]])

    def cpu(name: str) -> float:
        return median([ms(r["cpu"]) for r in runs[name]])

    minimal_ms, sakari_ms = to_paint("minimal"), to_paint("sakari")
    ratio = sakari_ms / minimal_ms
    bare_ms = median([ms(r["exited"] - r["spawned"]) for r in runs["bare"]])
    results = [
        Result("start-up", "minimal Textual app: spawn to first frame (median)", minimal_ms, "ms"),
        Result("start-up", "sakari-tui from cache: spawn to list painted (median)", sakari_ms, "ms"),
        Result("start-up", "ratio sakari-tui / minimal", ratio, "x", f"<= {TARGET_RATIO}x", ratio <= TARGET_RATIO),
        Result("start-up", "  CPU time to first paint: minimal (median)", cpu("minimal"), "ms"),
        Result("start-up", "  CPU time to first paint: sakari-tui (median)", cpu("sakari"), "ms"),
        Result("start-up", "  CPU time ratio (less sensitive to other load)", cpu("sakari") / cpu("minimal"), "x"),
        Result("start-up", "  context: bare interpreter, spawn to exit (median)", bare_ms, "ms"),
        Result("start-up", "  minimal: spawn to imports done", phase("minimal", "spawned", "imported"), "ms"),
        Result("start-up", "  minimal: imports done to first frame", phase("minimal", "imported", "painted"), "ms"),
        Result("start-up", "  sakari-tui: spawn to imports done", phase("sakari", "spawned", "imported"), "ms"),
        Result("start-up", "  sakari-tui: imports done to list painted", phase("sakari", "imported", "painted"), "ms"),
        Result("start-up", "  rows in the list at first paint", median([r["rows"] for r in runs["sakari"]]), "rows"),
    ]
    _common.report("Start-up from cache, headless", results, args.json)


if __name__ == "__main__":
    main()
