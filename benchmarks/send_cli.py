"""A quick reply from the shell: ``sakari-tui send`` against a bare httpx call making one request.

The sandbox runs in a process of its own (``sakari-tui sandbox --port 0``), as a remote API
would. In alternating rounds (after a warm-up of each), wall time from spawning to exit of:

  (a) ``python -c "import httpx; httpx.post(...)"``: one ``messages.send`` request with a
      token obtained beforehand, the least any client can do for the same message;
  (b) ``sakari-tui --config CFG send --to NUMBER --text ...``, the command as a person types
      it, with its token kept from the previous invocation (the warm-up made the first one).

The ratio is taken per round; its median is reported with the spread. The sandbox's access
log gives the requests each ``send`` made. ``--compare DIR`` adds the same command importing
another checkout's package ("before") to every round.

    .venv/bin/python benchmarks/send_cli.py [--rounds 15]
"""

from __future__ import annotations

import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import _common
from _common import Result, median, ms

TARGET_RATIO = 1.2
CLIENT_ID, CLIENT_SECRET, ACCOUNT_ID = "bench-client", "bench-secret", "bench-account"
NUMBER = "+14155550123"

BARE = """\
import httpx
httpx.post(
    {url!r} + "/v1/accounts/" + {account!r} + "/messages",
    json={{"template": "On my way", "contacts": [{{"mobile": {{"number": {number!r}}}}}]}},
    headers={{"Authorization": "Bearer " + {token!r}}},
).raise_for_status()
"""


class Sandbox:
    """``sakari-tui sandbox --port 0`` in its own process; its access log counts requests."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "sakari_tui.cli", "sandbox", "--port", "0", "--client-id", CLIENT_ID,
             "--client-secret", CLIENT_SECRET, "--account-id", ACCOUNT_ID, "--error-share", "0"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=_common.ROOT,
            env={**os.environ, "PYTHONPATH": str(_common.ROOT)},
        )  # fmt: skip
        assert self.process.stdout is not None
        self.lines: list[str] = []
        self.url = ""
        while not self.url:
            line = self.process.stdout.readline()
            if not line:
                raise RuntimeError("the sandbox did not start:\n" + "".join(self.lines))
            self.lines.append(line)
            if match := re.search(r"base URL\s+(http://\S+)", line):
                self.url = match.group(1)
        os.set_blocking(self.process.stdout.fileno(), False)

    def requests(self) -> list[str]:
        """The request lines logged since the last call, e.g. 'POST /oauth2/token'."""
        assert self.process.stdout is not None
        out = self.process.stdout.read() or ""
        return re.findall(r'"((?:GET|POST|PUT|DELETE|PATCH) \S+) HTTP', out)

    def close(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


CPU: dict[int, float] = {}  # id(argv) -> CPU seconds (user + system) of its last run


def timed(argv: list[str], env: dict[str, str], name: str = "") -> float:
    """Wall seconds from spawn to exit; the child's CPU time is left in ``CPU``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=_common.ROOT, timeout=60, check=False)
    took = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU[id(argv)] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if done.returncode != 0:
        # Not the command line: the bare call's holds the token.
        raise RuntimeError(f"{name or argv[0]} failed ({done.returncode}): {done.stderr[-1500:]}")
    return took


def main() -> None:
    p = _common.parser(__doc__.splitlines()[0])
    p.add_argument("--rounds", type=int, default=15, help="measured rounds (default 15)")
    p.add_argument("--compare", metavar="DIR", help="also run another checkout's package in every round ('before')")
    args = p.parse_args()

    import httpx

    sandbox = Sandbox()
    try:
        token = httpx.post(sandbox.url + "/oauth2/token", json={
            "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "grant_type": "client_credentials",
        }).json()["access_token"]  # fmt: skip
        with tempfile.TemporaryDirectory(prefix="sakari-bench-send-") as tmp:
            tmp_path = Path(tmp)
            config = tmp_path / "config.toml"
            config.write_text(
                'default_profile = "bench"\n\n[profiles.bench]\n'
                f'api_url = "{sandbox.url}"\nclient_id = "{CLIENT_ID}"\nclient_secret = "{CLIENT_SECRET}"\n'
                f'account_id = "{ACCOUNT_ID}"\n',
                encoding="utf-8",
            )
            config.chmod(0o600)
            env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
            env.update(PYTHONPYCACHEPREFIX=str(tmp_path / "pycache"), XDG_DATA_HOME=str(tmp_path / "data"),
                       XDG_CONFIG_HOME=str(tmp_path / "config"), PYTHONPATH=str(_common.ROOT))  # fmt: skip
            script = Path(sys.executable).parent / "sakari-tui"
            command = [str(script)] if script.exists() else [sys.executable, "-m", "sakari_tui.cli"]
            send = [*command, "--config", str(config), "send", "--to", NUMBER, "--text", "On my way"]
            bare = [sys.executable, "-c", BARE.format(url=sandbox.url, account=ACCOUNT_ID, number=NUMBER, token=token)]
            cases: dict[str, tuple[list[str], dict[str, str]]] = {"bare": (bare, env), "send": (send, env)}
            if args.compare:
                cases["before"] = (send, {**env, "PYTHONPATH": str(Path(args.compare).resolve())})
            names = list(cases)
            for name in names * 2:
                timed(*cases[name])  # warm-up: .pyc files, the token kept by the first send
            sandbox.requests()
            times: dict[str, list[float]] = {name: [] for name in names}
            cpu: dict[str, list[float]] = {name: [] for name in names}
            requests: dict[str, list[list[str]]] = {name: [] for name in names}
            for n in range(args.rounds):
                for name in names if n % 2 == 0 else names[::-1]:
                    times[name].append(timed(*cases[name]))
                    cpu[name].append(CPU[id(cases[name][0])])
                    time.sleep(0.05)  # the access log line is written after the answer
                    requests[name].append(sandbox.requests())
                line = f"  round {n + 1}: bare {ms(times['bare'][-1]):6.1f} ms, send {ms(times['send'][-1]):6.1f} ms"
                if args.compare:
                    line += f", before {ms(times['before'][-1]):6.1f} ms"
                print(line, flush=True)
    finally:
        sandbox.close()

    def ratios(name: str) -> list[float]:
        return [s / b for s, b in zip(times[name], times["bare"], strict=True)]

    def spread(values: list[float]) -> str:
        q = statistics.quantiles(values, n=4) if len(values) >= 2 else [values[0]] * 3
        return f"rounds {min(values):.2f}-{max(values):.2f}, middle half {q[0]:.2f}-{q[2]:.2f}"

    def per_send(name: str) -> str:
        counts: dict[str, int] = {}
        for made in requests[name]:
            for request in made:
                key = re.sub(r"/[0-9a-f]{24}\b", "/ID", request.split("?")[0])
                counts[key] = counts.get(key, 0) + 1
        return ", ".join(f"{c / len(requests[name]):.1f} x {k}" for k, c in sorted(counts.items()))

    send_ratio = median(ratios("send"))
    results = [
        Result("send", "bare httpx, one request: spawn to exit (median)", median([ms(t) for t in times["bare"]]), "ms"),
        Result("send", "sakari-tui send: spawn to exit (median)", median([ms(t) for t in times["send"]]), "ms",
               note=f"requests per send: {per_send('send')}"),
        Result("send", "ratio sakari-tui send / bare httpx, median of rounds", send_ratio, "x", f"<= {TARGET_RATIO}x",
               send_ratio <= TARGET_RATIO, spread(ratios("send"))),
        Result("send", "  CPU time: bare httpx (median)", median([ms(t) for t in cpu["bare"]]), "ms"),
        Result("send", "  CPU time: sakari-tui send (median)", median([ms(t) for t in cpu["send"]]), "ms"),
        Result("send", "  CPU time ratio, median of rounds (less sensitive to other load)",
               median([s / b for s, b in zip(cpu["send"], cpu["bare"], strict=True)]), "x"),
    ]  # fmt: skip
    if args.compare:
        results += [
            Result("send", "  before: CPU time ratio, median of rounds",
                   median([s / b for s, b in zip(cpu["before"], cpu["bare"], strict=True)]), "x"),
            Result("send", f"before ({args.compare}): spawn to exit (median)", median([ms(t) for t in times["before"]]),
                   "ms", note=f"requests per send: {per_send('before')}"),
            Result("send", "before: ratio to bare httpx, median of rounds", median(ratios("before")), "x",
                   note=spread(ratios("before"))),
        ]  # fmt: skip
    _common.report("A quick reply from the shell", results, args.json, {"requests": json.dumps(requests["send"][:3])})


if __name__ == "__main__":
    main()
