"""One test that runs the commands and the app the way people do, failures included, and
greps everything they produced for the client secret and every access token issued:
stdout and stderr of each command, the client's debug log, the app's screens, notices and
exit message, and the bytes of the local store (with its -wal file).

The sandbox (served over HTTP on 127.0.0.1) runs with a secret of its own and records each
token it issues. A hostile server on 127.0.0.1 echoes the secret and the token back in its
error answers, as a badly written proxy might.
"""

from __future__ import annotations

import json
import logging
import os
import stat
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

from conftest import wait_for
from hostile import Hostile, reply

from sakari_tui.app import SakariApp
from sakari_tui.config import Profile
from sakari_tui.core.store import database_path
from sakari_tui.sandbox import Faults, Sandbox, SandboxConfig, serve_in_background
from sakari_tui.textual_private import exit_renderables, notifications

ACCOUNT = "leak-account"
CLIENT_ID = "leak-client"

# Runs a command with the client's log (DEBUG, every logger) written to a file.
LOGGED = (
    "import logging, sys\n"
    "logging.basicConfig(level=logging.DEBUG, filename=sys.argv[1], "
    "format='%(name)s %(levelname)s %(message)s %(args)s')\n"
    "from sakari_tui.cli import main\n"
    "sys.exit(main(sys.argv[2:]))\n"
)


class Outputs:
    """Everything produced, by where it came from."""

    def __init__(self) -> None:
        self.texts: dict[str, str] = {}

    def add(self, where: str, text: str | bytes) -> None:
        if isinstance(text, bytes):
            text = text.decode("utf-8", "replace")
        self.texts[f"{len(self.texts):02d} {where}"] = text

    def leaks(self, values: list[str]) -> list[str]:
        found = []
        for where, text in self.texts.items():
            for value in values:
                # The whole value, or a start of it long enough to be a leak.
                if value in text or value[:12] in text:
                    found.append(f"{where}: {value[:12]}…")
        return found


def run(outputs: Outputs, env: dict[str, str], log: Path, *args: str, stdin: str | None = None) -> int:
    done = subprocess.run(
        [sys.executable, "-c", LOGGED, str(log), *args], env=env, input=stdin or "",
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    label = " ".join(args)[:60]
    outputs.add(f"stdout of {label}", done.stdout)
    outputs.add(f"stderr of {label}", done.stderr)
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode


async def test_no_output_of_any_run_holds_the_secret_or_a_token(tmp_path: Path) -> None:
    secret = f"LEAKCHECK-{uuid.uuid4().hex}"
    sandbox = Sandbox(
        SandboxConfig(client_id=CLIENT_ID, client_secret=secret, account_id=ACCOUNT, seed=7, error_share=0.0,
                      status_step=0.05, token_lifetime=30),
        faults=Faults(),
    )  # fmt: skip
    issued: list[str] = []
    issue = sandbox.tokens.issue

    def recording_issue() -> str:
        issued.append(issue())
        return issued[-1]

    sandbox.tokens.issue = recording_issue  # type: ignore[method-assign]
    outputs = Outputs()
    log = tmp_path / "client.log"
    home = {k: v for k, v in os.environ.items() if not k.startswith("SAKARI_")}
    home.update(XDG_CONFIG_HOME=str(tmp_path / "config"), XDG_DATA_HOME=str(tmp_path / "data"), COLUMNS="200")

    with serve_in_background(sandbox, "127.0.0.1", 0) as base_url:
        env = {**home, "SAKARI_API_URL": base_url, "SAKARI_CLIENT_ID": CLIENT_ID,
               "SAKARI_CLIENT_SECRET": secret, "SAKARI_ACCOUNT_ID": ACCOUNT}  # fmt: skip
        taken = {c["mobile"]["number"] for c in sandbox.contacts()}
        number = next(f"+1602555{n:04d}" for n in range(9000, 9999) if f"+1602555{n:04d}" not in taken)
        config = tmp_path / "config" / "sakari-tui" / "config.toml"
        answers = f"leak\n{base_url}\n{CLIENT_ID}\n{secret}\n{ACCOUNT}\nUS\n"
        assert run(outputs, home, log, "config", "init", stdin=answers) == 0
        assert run(outputs, home, log, "config", "show") == 0
        assert run(outputs, home, log, "config", "check") == 0
        config.chmod(0o644)  # the warning names the file, never its content
        assert run(outputs, home, log, "config", "show") == 0
        config.chmod(0o600)
        assert run(outputs, env, log, "send", "--to", number, "--text", "Leak check", "--json") == 0
        assert run(outputs, env, log, "send", "--to", "12", "--text", "x") == 2
        assert run(outputs, env, log, "send", "--to", number, "--text", "-", stdin="bell \x07") == 2
        assert run(outputs, env, log, "contacts", "--json", "--limit", "0") == 0
        assert run(outputs, env, log, "conversations", "--json") == 0
        assert run(outputs, env, log, "conversations", "--unread") == 0
        assert run(outputs, env, log, "webhooks", "list", "--json") == 0
        assert run(outputs, {**env, "SAKARI_CLIENT_SECRET": secret + "-wrong"}, log, "conversations") == 1

        # A server that echoes what it was sent: the secret from the token request, the token
        # from the Authorization header.
        with Hostile() as hostile:

            def token_echo(request: Any) -> Any:
                sent = json.loads(request.body)
                if sent["client_secret"] != secret:
                    return reply(401, {"message": f"bad secret {sent['client_secret']}"})
                token = f"echoed-{uuid.uuid4().hex}"
                issued.append(token)
                return reply(200, {"access_token": token, "token_type": "bearer"})

            def api_echo(request: Any) -> Any:
                header = request.headers.get("authorization", "")
                return reply(400, {"errors": [{"code": "ECHO", "message": f"you sent {header} and {secret}"}]})

            hostile.route("POST", "/oauth2/token", token_echo)
            hostile.route("GET", f"/v1/accounts/{ACCOUNT}/conversations", api_echo)
            hostile.route("GET", f"/v1/accounts/{ACCOUNT}/contacts",
                          lambda r: reply(502, f"<html>{'x' * 150}{secret} {issued[-1]}</html>"))  # fmt: skip
            hostile_env = {**env, "SAKARI_API_URL": hostile.url}
            assert run(outputs, hostile_env, log, "conversations") == 1
            assert run(outputs, hostile_env, log, "contacts") == 1
            assert run(outputs, {**hostile_env, "SAKARI_CLIENT_SECRET": "x" + secret}, log, "contacts") == 1

        # The app: the inbox, a reply, the contacts screen; with the client's log captured.
        records: list[str] = []

        class Keep(logging.Handler):
            def emit(self, record: logging.LogRecord) -> None:
                records.append(self.format(record) + " " + repr(record.args))

        handler = Keep(level=logging.DEBUG)
        root = logging.getLogger()
        old_level = root.level
        root.addHandler(handler)
        root.setLevel(logging.DEBUG)
        data_dir = tmp_path / "data" / "sakari-tui"
        profile = Profile(name="leak", api_url=base_url, client_id=CLIENT_ID, client_secret=secret,
                          account_id=ACCOUNT, poll_conversations=0.3, poll_thread=0.2)  # fmt: skip
        app = SakariApp(profile, data_dir=data_dir, warnings=[f"{config} is readable by other users"])
        try:
            async with app.run_test(size=(120, 40), notifications=True) as pilot:
                from sakari_tui.widgets.conversation_list import ConversationList

                screen = app.screen
                await wait_for(pilot, lambda: screen.query(ConversationList) and screen.query_one(ConversationList).rows,
                               timeout=15, what="the inbox")  # fmt: skip
                await wait_for(pilot, lambda: screen.open_id, timeout=15, what="a thread")
                outputs.add("app: the inbox", app.export_screenshot())
                await pilot.press("r", *"leak", "enter")
                await wait_for(pilot, lambda: any(m["message"] == "leak" for m in sandbox.messages() if m["outgoing"]),
                               timeout=15, what="the reply sent")  # fmt: skip
                await pilot.press("escape", "2")
                await wait_for(pilot, lambda: app.current_mode == "contacts", what="contacts")
                await pilot.pause(0.5)
                outputs.add("app: contacts", app.export_screenshot())
                await pilot.press("6")
                await wait_for(pilot, lambda: app.current_mode == "console", what="the API console")
                await pilot.pause(0.3)
                outputs.add("app: console", app.export_screenshot())
                outputs.add("app: notices", "\n".join(f"{n.title} {n.message}" for n in notifications(app)))
                await pilot.press("ctrl+q")
            outputs.add("app: exit", "\n".join(map(str, exit_renderables(app))))
        finally:
            root.removeHandler(handler)
            root.setLevel(old_level)
        outputs.add("app: log", "\n".join(records))

    outputs.add("client log of the commands", log.read_text() if log.exists() else "")
    store = database_path(data_dir, "leak")
    for path in sorted(store.parent.iterdir()):
        if path.suffix == ".token":
            # The kept access token (by design the one place a token is written,
            # for the next command to reuse). Private to its owner, and no secret in it.
            assert stat.S_IMODE(path.stat().st_mode) == 0o600
            assert secret.encode() not in path.read_bytes()
            continue
        outputs.add(f"store file {path.name}", path.read_bytes())

    assert issued, "no token was issued: the runs did not reach the servers"
    assert len(records) > 10 and log.stat().st_size > 1000, "the logs captured nothing"
    assert outputs.leaks([secret, *issued]) == []
    # The echoes did come back, masked.
    echoed = [
        text for where, text in outputs.texts.items() if where.endswith("stderr of conversations") and "ECHO" in text
    ]
    assert echoed and all("***" in text for text in echoed)
