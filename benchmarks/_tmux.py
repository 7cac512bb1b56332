"""A tmux pane as the terminal a person looks at: launch a command in it and time, from the
launch, when a given text is on the pane's screen.

One tmux server of its own (``-L``, no config file), one 120x40 window, and one control-mode
client (``tmux -C``) through which everything is done: ``respawn-pane`` launches a command,
and every ``%output`` notification (bytes the program wrote) is answered with a
``capture-pane`` of the screen as tmux has drawn it. Nothing is polled on a timer, no process
is spawned per look, and the text is found within one round trip of the write that drew it.
tmux answers the program's terminal queries as a terminal does.

    with TmuxPane(120, 40) as pane:
        seen = pane.launch("python app.py", until="Hello", env={...})
        seen.found, seen.first_output, seen.bytes   # seconds after the launch; bytes written
"""

from __future__ import annotations

import os
import queue
import shlex
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Self

IDLE_COMMAND = "exec sleep 100000"


class ControlLost(RuntimeError):
    """tmux dropped the control client: ``reattach()`` and launch again."""


@dataclass
class Seen:
    """One launch, in seconds from just before ``respawn-pane`` was sent."""

    started: float  # perf_counter just before the launch
    found: float | None  # the text was on the screen (the capture that showed it came back)
    first_output: float | None  # the program's first write reached tmux
    bytes: int  # bytes written up to the capture that showed the text
    screen: str  # the screen at the end
    outputs: list[tuple[float, int]] = field(default_factory=list)  # (seconds, bytes) of each write seen
    also: dict[str, float] = field(default_factory=dict)  # when each of ``launch(also=...)`` showed


def _ours(line: bytes) -> bool:
    """``%begin TIME NUMBER FLAGS``: flags 1 mark the answer to a command of this client."""
    return line.startswith(b"%begin") and line.rsplit(b" ", 1)[-1] == b"1"


def _unescape(data: bytes) -> bytes:
    """``%output`` data: bytes under 32 and the backslash come as three octal digits."""
    out = bytearray()
    i = 0
    while i < len(data):
        if data[i] == 0x5C and i + 3 <= len(data):
            out.append(int(data[i + 1 : i + 4], 8))
            i += 4
        else:
            out.append(data[i])
            i += 1
    return bytes(out)


class TmuxPane:
    def __init__(self, width: int = 120, height: int = 40, *, term: str = "tmux-256color") -> None:
        if shutil.which("tmux") is None:
            raise RuntimeError("tmux is not installed (Debian: apt-get install tmux)")
        self.socket = f"sakari-bench-{os.getpid()}"
        self.width, self.height = width, height
        self.term = term
        self._queue: queue.Queue[bytes | None] = queue.Queue()
        self._pending = 0  # answers still to come to commands sent by launch()
        self._client: subprocess.Popen[bytes] | None = None

    def _tmux(self, *args: str) -> None:
        subprocess.run(["tmux", "-L", self.socket, "-f", "/dev/null", *args], check=True, capture_output=True)

    def __enter__(self) -> Self:
        self._tmux("new-session", "-d", "-s", "bench", "-x", str(self.width), "-y", str(self.height), IDLE_COMMAND)
        self._tmux("set-option", "-g", "window-size", "manual")
        self._tmux("set-option", "-g", "default-terminal", self.term)
        self._tmux("set-option", "-g", "focus-events", "on")
        self._tmux("set-option", "-g", "status", "off")  # the pane is the whole window
        self._tmux("set-option", "-g", "remain-on-exit", "on")  # a program that exits leaves the pane
        self._tmux("resize-window", "-t", "bench", "-x", str(self.width), "-y", str(self.height))
        self._attach()
        return self

    def _attach(self) -> None:
        self._queue = queue.Queue()
        self._client = subprocess.Popen(
            ["tmux", "-L", self.socket, "-C", "attach", "-t", "bench"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0,
        )  # fmt: skip
        threading.Thread(target=self._read, args=(self._client, self._queue), name="tmux-control", daemon=True).start()
        self._command("display -p '#{window_width}x#{window_height}'")  # attached and answering

    def reattach(self) -> None:
        """A new server, session and control client, after the old client went away (tmux
        3.3 at times loses its server, or drops a client it thinks has fallen behind, under
        heavy load)."""
        if self._client is not None and self._client.poll() is None:
            self._client.kill()
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], check=False, capture_output=True)
        self._pending = 0
        self.__enter__()

    def __exit__(self, *exc: object) -> None:
        if self._client is not None:
            assert self._client.stdin is not None
            self._client.stdin.close()
            self._client.wait(timeout=5)
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], check=False, capture_output=True)
        # tmux leaves the socket file of a killed server behind.
        folder = Path(os.environ.get("TMUX_TMPDIR", "/tmp")) / f"tmux-{os.getuid()}"
        (folder / self.socket).unlink(missing_ok=True)

    # -- the control connection -------------------------------------------------------------

    def _send(self, command: str) -> None:
        assert self._client is not None and self._client.stdin is not None
        self._client.stdin.write(command.encode() + b"\n")

    @staticmethod
    def _read(client: subprocess.Popen[bytes], lines_to: queue.Queue[bytes | None]) -> None:
        """The reader thread: every line from the client, as soon as it comes (tmux drops a
        control client that falls behind, so output is read even while nobody waits for it)."""
        assert client.stdout is not None
        fd = client.stdout.fileno()
        buffer = b""
        while True:
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                lines_to.put(None)
                return
            buffer += chunk
            *lines, buffer = buffer.split(b"\n")
            for line in lines:
                lines_to.put(line)

    def _lines(self, timeout: float) -> list[bytes]:
        """Lines from the client, waiting up to ``timeout`` for the first."""
        try:
            first = self._queue.get(timeout=max(timeout, 0.0))
        except queue.Empty:
            return []
        lines = [first]
        while True:
            try:
                lines.append(self._queue.get_nowait())
            except queue.Empty:
                break
        if None in lines:
            raise ControlLost("the tmux control client went away: " + repr(lines[-4:]))
        return lines

    def _command(self, command: str, timeout: float = 5.0) -> list[bytes]:
        """Send one command and return its reply's lines (notifications meanwhile dropped)."""
        self._send(command)
        return self._reply(command, timeout)

    def _reply(self, command: str, timeout: float = 5.0) -> list[bytes]:
        block: list[bytes] | None = None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in self._lines(deadline - time.monotonic()):
                if block is None:
                    if _ours(line):
                        block = []
                elif line.startswith((b"%end", b"%error")):
                    return block
                else:
                    block.append(line)
        raise RuntimeError(f"tmux did not answer {command!r}")

    # -- launching ----------------------------------------------------------------------------

    def launch(self, command: str, *, until: str, env: dict[str, str] | None = None,
               timeout: float = 30.0, cwd: str | None = None, also: tuple[str, ...] = ()) -> Seen:  # fmt: skip
        """Run ``command`` in the pane (replacing whatever runs there) and wait until ``until``
        (and each text of ``also``) is on the screen. The program is left running: ``stop()``
        ends it."""
        seen_also: dict[str, float] = {}
        found: float | None = None
        found_bytes = 0
        prefix = f"cd {shlex.quote(cwd)} && " if cwd else ""
        exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in (env or {}).items())
        shell = f"{prefix}exec env {exports} {command}"
        t0 = time.perf_counter()
        self._send(f"respawn-pane -k -t bench {shlex.quote(shell)}")
        first_output: float | None = None
        written = 0
        replies = ["respawn"]  # what each coming %begin..%end block answers, in order
        block: list[bytes] | None = None
        dirty = False
        screen = ""
        outputs: list[tuple[float, int]] = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in self._lines(max(0.0, deadline - time.monotonic())):
                if block is not None:
                    if line.startswith((b"%end", b"%error")):
                        kind = replies.pop(0)
                        if kind == "capture":
                            screen = b"\n".join(block).decode("utf-8", "replace")
                            now = time.perf_counter() - t0
                            for text in also:
                                if text in screen:
                                    seen_also.setdefault(text, now)
                            if found is None and until in screen:
                                found, found_bytes = now, written
                            if found is not None and len(seen_also) == len(also):
                                self._pending = len(replies)
                                return Seen(t0, found, first_output, found_bytes, screen, outputs, seen_also)
                            if dirty:  # more was written while the capture was under way
                                self._capture(replies)
                                dirty = False
                        block = None
                    else:
                        block.append(line)
                elif line.startswith(b"%begin"):
                    block = [] if _ours(line) else None
                elif line.startswith(b"%output "):
                    data = _unescape(line.split(b" ", 2)[2]) if line.count(b" ") >= 2 else b""
                    if first_output is None:
                        first_output = time.perf_counter() - t0
                    written += len(data)
                    outputs.append((time.perf_counter() - t0, len(data)))
                    if "capture" in replies:
                        dirty = True
                    else:
                        self._capture(replies)
        self._pending = len(replies)
        return Seen(t0, found, first_output, written, screen, outputs, seen_also)

    def _capture(self, replies: list[str]) -> None:
        self._send("capture-pane -p -t bench")
        replies.append("capture")

    def stop(self) -> None:
        """End what runs in the pane (SIGHUP, as when a terminal is closed) and wait for
        the pane to be idle again."""
        for _ in range(self._pending):
            self._reply("capture-pane")
        self._pending = 0
        pid = int(self._command("display -p -t bench '#{pane_pid}'")[0])
        self._command(f"respawn-pane -k -t bench {shlex.quote(IDLE_COMMAND)}")
        self._command("clear-history -t bench")
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.01)
