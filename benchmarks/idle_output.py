"""Bytes written to the terminal per idle minute, in a real pseudo-terminal.

Starts the real app (not headless) in a pty (120x40, TERM=xterm-256color) against an
in-process sandbox with 1,000 conversations and no simulated customers
(benchmarks/_launch_demo.py), default poll intervals, the newest conversation open.
Lets it settle, then counts every byte the app writes during an idle window in which
nothing changes in the sandbox (polls keep running), then quits it with ctrl+q.

Target: zero bytes per idle minute (a clock aside). Writes are grouped into bursts
(writes less than 100 ms apart) and listed with their time since the app's first output and
the screen rows and columns they move the cursor to. Bursts within 3 s of a whole minute
after start are counted apart, as the once-a-minute refresh of relative times ("5m") is
this app's clock.

    .venv/bin/python benchmarks/idle_output.py [--seconds 60] [--settle 10]
"""

from __future__ import annotations

import fcntl
import os
import re
import select
import struct
import subprocess
import sys
import termios
import threading
import time

import _common
from _common import Result

COLUMNS, LINES = 120, 40


class PtyApp:
    def __init__(self, argv: list[str]) -> None:
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", LINES, COLUMNS, 0, 0))
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TEXTUAL", "COLUMNS", "LINES"))}
        env.update(TERM="xterm-256color", COLORTERM="")
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        self.proc = subprocess.Popen(
            [sys.executable, *argv], stdin=slave, stdout=slave, stderr=slave,
            env=env, cwd=_common.ROOT, start_new_session=True, close_fds=True,
        )  # fmt: skip
        os.close(slave)
        self.writes: list[tuple[float, bytes]] = []
        self._lock = threading.Lock()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while True:
            try:
                ready, _, _ = select.select([self.master], [], [], 0.2)
                if not ready:
                    if self.proc.poll() is not None:
                        return
                    continue
                data = os.read(self.master, 65536)
            except OSError:  # EIO: the child closed the terminal
                return
            if not data:
                return
            with self._lock:
                self.writes.append((time.perf_counter(), data))

    def bytes_between(self, t0: float, t1: float) -> list[tuple[float, bytes]]:
        with self._lock:
            return [(t, d) for t, d in self.writes if t0 <= t < t1]

    def first_output(self, timeout: float) -> float:
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            with self._lock:
                if self.writes:
                    return self.writes[0][0]
            time.sleep(0.05)
        raise RuntimeError(f"no output from the app within {timeout} s")

    def quit(self) -> int:
        os.write(self.master, b"\x11")  # ctrl+q
        try:
            return self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.terminate()
            try:
                return self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                return self.proc.wait()
        finally:
            self._reader.join(timeout=2)
            os.close(self.master)


MINUTE_TICK_SLACK = 3.0  # seconds either side of a whole minute after start


def bursts(writes: list[tuple[float, bytes]], gap: float = 0.1) -> list[tuple[float, bytes]]:
    """(start, bytes) of groups of writes less than ``gap`` apart."""
    groups: list[tuple[float, bytes]] = []
    last = None
    for t, data in writes:
        if last is not None and t - last < gap:
            groups[-1] = (groups[-1][0], groups[-1][1] + data)
        else:
            groups.append((t, data))
        last = t
    return groups


def cells_touched(data: bytes) -> tuple[set[int], set[int]]:
    """Rows and columns the burst moves the cursor to (CSI row;col H)."""
    moves = [(int(r), int(c)) for r, c in re.findall(rb"\x1b\[(\d+);(\d+)H", data)]
    return {r for r, _ in moves}, {c for _, c in moves}


def at_whole_minute(seconds: float) -> bool:
    offset = seconds % 60.0
    return seconds > 30 and (offset < MINUTE_TICK_SLACK or offset > 60.0 - MINUTE_TICK_SLACK)


def main() -> None:
    p = _common.parser(__doc__.splitlines()[0])
    p.add_argument("--seconds", type=float, default=60.0, help="length of the idle window (default 60)")
    p.add_argument("--settle", type=float, default=10.0, help="seconds to let the app settle first (default 10)")
    p.add_argument("--conversations", type=int, default=1000, help="conversations in the sandbox (default 1000)")
    args = p.parse_args()

    app = PtyApp([str(_common.BENCH_DIR / "_launch_demo.py"), str(args.conversations)])
    try:
        started = app.first_output(timeout=60)
        print(f"app running in a {COLUMNS}x{LINES} pty; settling {args.settle:g} s, then {args.seconds:g} s idle...")
        time.sleep(max(0.0, started + args.settle - time.perf_counter()))
        t0 = time.perf_counter()
        time.sleep(args.seconds)
        t1 = time.perf_counter()
        startup_bytes = sum(len(d) for _, d in app.bytes_between(started, t0))
        idle = app.bytes_between(t0, t1)
    finally:
        code = app.quit()
    window = t1 - t0
    idle_bytes = sum(len(d) for _, d in idle)
    groups = bursts(idle)
    ticks = [(t, data) for t, data in groups if at_whole_minute(t - started)]
    other = sum(len(data) for t, data in groups if not at_whole_minute(t - started))
    results = [
        Result(
            "idle output",
            f"bytes per idle minute besides whole-minute refreshes, {args.conversations:,} conversations",
            other * 60.0 / window,
            "bytes/min",
            "0 (a clock aside)",
            other == 0,
        ),
        Result("idle output", "bytes per idle minute, everything", idle_bytes * 60.0 / window, "bytes/min"),
        Result("idle output", f"  bytes in the {window:.0f} s idle window", idle_bytes, "bytes"),
        Result(
            "idle output",
            "  bursts of writes in the window",
            len(groups),
            "bursts",
            note=f"{len(ticks)} at a whole minute after start" if groups else "",
        ),
        Result(
            "idle output", f"  bytes written while starting and settling ({args.settle:g} s)", startup_bytes, "bytes"
        ),
    ]
    for start, data in groups:
        rows, columns = cells_touched(data)
        where = f"rows {min(rows)}-{max(rows)}, columns {sorted(columns)[:6]}" if rows else "no cursor moves"
        when = "  (whole minute)" if at_whole_minute(start - started) else ""
        print(f"  burst at {start - started:6.1f} s after the first output: {len(data):6d} bytes, {where}{when}")
        print(f"    begins {data[:100]!r}")
    if code not in (0, None):
        print(f"note: the app exited with code {code}")
    _common.report("Terminal output while idle (pty)", results, args.json,
                   {"bursts": [(t - started, len(data)) for t, data in groups]})  # fmt: skip


if __name__ == "__main__":
    main()
