"""A sandbox served over HTTP from a process of its own, for benchmarks that measure the app alone.

A real run talks to a remote API: the server's data, its work on each request and its memory
are not in the app's process. Run in-process (``httpx.ASGITransport``), the sandbox would add
its 100,000 contacts to the app's memory and its filtering, imports and sends to the app's
event loop. Here a child process seeds a sandbox, serves it with uvicorn
(``sakari_tui.sandbox.run_in_thread``, port 0) and answers a few commands on stdin, one JSON
line each: what it handled and how long each request took, its memory, counts.

    with SandboxProcess(contacts=100_000) as server:
        app = SakariApp(profile=demo_profile(api_url=server.url), data_dir=..., )
        ...
        server.log()        # [(method, path, query, seconds), ...] since the start
        server.memory()     # {"rss_mb": ..., "peak_mb": ...}

Benchmark-only changes to the seeded data (``marks``) are made in the child after seeding:
e.g. ``{"every": 10, "offset": 3, "tag": "tenth"}`` adds the tag to contacts 3, 13, 23, ...;
``{"every": 10, "offset": 7, "email_domain": "tenth.example"}`` moves their emails there.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Self

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def proc_memory(pid: int | str = "self") -> dict[str, float]:
    """Resident set size now and its high-water mark (VmHWM: the peak of this process image,
    unlike ru_maxrss, which can carry the RSS of the process it was forked from), in MB."""
    values: dict[str, float] = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values[key] = int(rest.split()[0]) / 1024
    except OSError:
        pass
    return {"rss_mb": values.get("VmRSS", float("nan")), "peak_mb": values.get("VmHWM", float("nan"))}


class SandboxProcess:
    def __init__(self, *, contacts: int | None = None, conversations: int | None = None,
                 marks: list[dict[str, Any]] | None = None, timeout: float = 60.0) -> None:  # fmt: skip
        spec = {"contacts": contacts, "conversations": conversations, "marks": marks or []}
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join([str(ROOT), str(HERE), env.get("PYTHONPATH", "")])
        self.process = subprocess.Popen(
            [sys.executable, str(HERE / "_sandbox_proc.py"), json.dumps(spec)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT, env=env,
        )  # fmt: skip
        started = time.monotonic()
        line = self.process.stdout.readline() if self.process.stdout else ""
        if not line:
            self.close()
            raise RuntimeError(f"the sandbox process did not start (exit {self.process.poll()})")
        self.ready: dict[str, Any] = json.loads(line)
        self.url: str = self.ready["url"]
        self.start_seconds = time.monotonic() - started
        if self.start_seconds > timeout:  # pragma: no cover
            raise RuntimeError("the sandbox process took too long to start")

    def ask(self, command: str, **args: Any) -> Any:
        assert self.process.stdin and self.process.stdout
        self.process.stdin.write(json.dumps({"command": command, **args}) + "\n")
        self.process.stdin.flush()
        answer = json.loads(self.process.stdout.readline())
        if "error" in answer:
            raise RuntimeError(f"sandbox process: {answer['error']}")
        return answer["result"]

    def log(self, since: int = 0) -> list[tuple[str, str, str, float]]:
        """(method, path, query string, seconds in the server) of every request, from ``since``."""
        return [tuple(entry) for entry in self.ask("log", since=since)]  # type: ignore[misc]

    def log_size(self) -> int:
        return int(self.ask("log_size"))

    def memory(self) -> dict[str, float]:
        return self.ask("memory")

    def close(self) -> None:
        if self.process.poll() is None:
            try:
                if self.process.stdin:
                    self.process.stdin.close()
                self.process.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                self.process.kill()
                self.process.wait()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# -- the child --------------------------------------------------------------------------


class _Timed:
    """ASGI wrapper: records (method, path, query, seconds) of each HTTP request it serves."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.entries: list[tuple[str, str, str, float]] = []

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope.get("type") != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        try:
            await self.app(scope, receive, send)
        finally:
            query = scope.get("query_string", b"").decode("latin-1")
            self.entries.append((scope["method"], scope["path"], query, time.perf_counter() - started))


def _apply_marks(sandbox: Any, marks: list[dict[str, Any]]) -> dict[str, int]:
    contacts = list(sandbox.store.contacts.values())
    counts: dict[str, int] = {}
    for n, mark in enumerate(marks):
        chosen = contacts[mark.get("offset", 0) :: mark.get("every", 1)]
        for contact in chosen:
            if mark.get("tag") and mark["tag"] not in contact.tags:
                contact.tags.append(mark["tag"])
            if mark.get("email_domain"):
                local = (contact.email.split("@")[0] if contact.email else "") or f"c{contact.id[-6:]}"
                contact.email = f"{local}@{mark['email_domain']}"
        counts[f"mark{n}"] = len(chosen)
        counts[f"mark{n}_blocked"] = sum(1 for c in chosen if c.blocked_at is not None)
    return counts


def _serve(spec: dict[str, Any]) -> None:
    from types import SimpleNamespace

    from sakari_tui.demo import demo_sandbox
    from sakari_tui.sandbox import run_in_thread

    started = time.perf_counter()
    config: dict[str, Any] = {"base_time": 1_795_000_000.0, "status_step": 0.05, "error_share": 0.0}
    for key in ("contacts", "conversations"):
        if spec.get(key) is not None:
            config[key] = spec[key]
    sandbox = demo_sandbox(seed=7, live=False, **config)
    marked = _apply_marks(sandbox, spec.get("marks", []))
    seeded = time.perf_counter() - started
    timed = _Timed(sandbox.app)
    url, stop = run_in_thread(SimpleNamespace(app=timed))  # type: ignore[arg-type]
    print(json.dumps({"url": url, "seed_seconds": seeded, "contacts": len(sandbox.store.contacts),
                      "marked": marked, **proc_memory()}), flush=True)  # fmt: skip
    try:
        for line in sys.stdin:
            if not line.strip():
                continue
            request = json.loads(line)
            command = request["command"]
            try:
                if command == "log":
                    result: Any = timed.entries[request.get("since", 0) :]
                elif command == "log_size":
                    result = len(timed.entries)
                elif command == "memory":
                    result = proc_memory()
                elif command == "contacts":
                    result = len(sandbox.store.contacts)
                elif command == "messages_with_text":
                    text = request["text"]
                    result = sum(1 for m in list(sandbox.store.messages.values()) if m.text == text)
                else:
                    raise ValueError(f"unknown command {command!r}")
                answer = {"result": result}
            except Exception as exc:  # report it, keep serving
                answer = {"error": f"{type(exc).__name__}: {exc}"}
            print(json.dumps(answer), flush=True)
    finally:
        stop()


if __name__ == "__main__":
    _serve(json.loads(sys.argv[1]))
