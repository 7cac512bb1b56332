"""``sakari-tui contacts --json --limit 0`` over 100,000 contacts: first line, total, memory.

The sandbox (100,000 contacts) is served from a process of its own (``_sandbox_proc``); the
command runs as a user runs it, in a fresh ``python`` process, its output read from a pipe.
Reported: the time from start to the first JSON line and to the last, the lines printed, the
requests made, and the command's peak RSS (VmHWM, read by the process itself as it exits).

``--code DIR`` runs the command from another copy of the package (e.g. an older commit,
``git archive COMMIT sakari_tui | tar -x -C DIR``), for before-and-after numbers.

    .venv/bin/python benchmarks/contacts_json.py [--contacts 100000] [--code DIR]
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time

import _common
from _sandbox_proc import SandboxProcess

# Runs the command, then prints its peak RSS to stderr as it exits.
LAUNCH = (
    "import atexit, sys\n"
    "def peak():\n"
    "    for line in open('/proc/self/status'):\n"
    "        if line.startswith('VmHWM:'):\n"
    "            sys.stderr.write('PEAK_KB ' + line.split()[1] + '\\n')\n"
    "atexit.register(peak)\n"
    "from sakari_tui.cli import main\n"
    "sys.exit(main(sys.argv[1:]))\n"
)


def measure(url: str, code: str | None) -> dict[str, float]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SAKARI_")}
    env.update(SAKARI_API_URL=url, SAKARI_CLIENT_ID="demo-client", SAKARI_CLIENT_SECRET="demo-secret",
               SAKARI_ACCOUNT_ID="demo-account", XDG_CONFIG_HOME="/nonexistent", PYTHONPATH=code or str(_common.ROOT))  # fmt: skip
    started = time.perf_counter()
    # Run from elsewhere: "python -c" puts the working directory first on sys.path.
    process = subprocess.Popen([sys.executable, "-c", LAUNCH, "contacts", "--json", "--limit", "0"], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=tempfile.gettempdir())  # fmt: skip
    assert process.stdout is not None and process.stderr is not None
    first = None
    lines = 0
    for _ in process.stdout:
        if first is None:
            first = time.perf_counter() - started
        lines += 1
    total = time.perf_counter() - started
    stderr = process.stderr.read().decode()
    process.wait()
    peak_kb = next((int(line.split()[1]) for line in stderr.splitlines() if line.startswith("PEAK_KB")), 0)
    return {"first": first or float("nan"), "total": total, "lines": lines, "peak_mb": peak_kb / 1024,
            "exit": process.returncode}  # fmt: skip


def main() -> None:
    p = _common.parser(__doc__.splitlines()[0])
    p.add_argument("--contacts", type=int, default=100_000, help="contacts in the sandbox (default 100000)")
    p.add_argument("--code", metavar="DIR", help="run the command from the package in DIR instead")
    args = p.parse_args()
    with SandboxProcess(contacts=args.contacts, conversations=25) as server:
        before = server.log_size()
        found = measure(server.url, args.code)
        requests = server.log_size() - before
    results = [
        _common.Result("contacts_json", "first line after", _common.ms(found["first"]), "ms"),
        _common.Result("contacts_json", "last line after", _common.ms(found["total"]), "ms"),
        _common.Result("contacts_json", "lines printed", found["lines"], ""),
        _common.Result("contacts_json", "requests", requests, "", note="token and pages"),
        _common.Result("contacts_json", "peak RSS of the command", found["peak_mb"], "MB"),
        _common.Result("contacts_json", "exit code", found["exit"], ""),
    ]
    _common.report(
        f"contacts --json --limit 0 over {args.contacts:,} contacts", results, args.json, {"machine": _common.machine()}
    )


if __name__ == "__main__":
    main()
