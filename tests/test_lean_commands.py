"""A quick reply from the shell loads what it needs and nothing else.

``sakari-tui send`` runs as a user runs it, in a subprocess against the sandbox over real
HTTP; a probe lists what was imported when it has finished. The parser of one command
must read a command line exactly as the full parser does.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from sakari_tui.sandbox import Faults, Sandbox, SandboxConfig, serve_in_background

# Modules a quick send has no use for: the other commands, the UI, SQLite, httpx's own
# command-line client (click, rich, pygments), importlib.metadata, and anyio's asyncio
# backend (the send's requests go by httpx's blocking transport: sakari_tui.api.blocking).
NOT_FOR_A_SEND = (
    "sakari_tui.commands.config_cmd", "sakari_tui.commands.contacts", "sakari_tui.commands.conversations",
    "sakari_tui.commands.webhooks", "sakari_tui.commands.serve", "sakari_tui.core.csv_mapping",
    "sakari_tui.core.store", "textual", "rich", "click", "pygments", "httpx._main", "sqlite3",
    "importlib.metadata", "anyio._backends",
)  # fmt: skip

PROBE = """\
import json, sys
from sakari_tui.cli import main
code = main(sys.argv[2:])
with open(sys.argv[1], "w") as out:
    json.dump(sorted(name for name, module in sys.modules.items() if module is not None), out)
raise SystemExit(code)
"""


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    sandbox = Sandbox(SandboxConfig(seed=7, error_share=0.0), faults=Faults())
    with serve_in_background(sandbox, "127.0.0.1", 0) as url:
        yield url


def test_send_imports_nothing_it_does_not_need(base_url: str, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SAKARI_")}
    env.update(XDG_CONFIG_HOME=str(tmp_path / "config"), XDG_DATA_HOME=str(tmp_path / "data"),
               SAKARI_API_URL=base_url, SAKARI_CLIENT_ID="demo-client", SAKARI_CLIENT_SECRET="demo-secret",
               SAKARI_ACCOUNT_ID="demo-account")  # fmt: skip
    listing = tmp_path / "modules.json"
    argv = ["send", "--to", "+16025550178", "--text", "Lean"]
    done = subprocess.run([sys.executable, "-c", PROBE, str(listing), *argv], env=env, capture_output=True,
                          text=True, timeout=60, stdin=subprocess.DEVNULL)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("sent to +16025550178")
    loaded = set(json.loads(listing.read_text()))
    assert "httpx" in loaded and "phonenumbers" in loaded  # what it does need
    unwanted = sorted(name for name in loaded if any(name == n or name.startswith(n + ".") for n in NOT_FOR_A_SEND))
    assert unwanted == []


def runs_clean(code: str) -> None:
    """``code`` in a fresh interpreter exits 0 (its assertions hold there)."""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


def test_httpx_works_without_its_command_line_client() -> None:
    # sakari_tui.api keeps httpx from importing its CLI (click, rich, pygments); this fails
    # if an httpx release stops falling back when that import fails.
    code = (
        "import sys, sakari_tui.api.client, httpx\n"
        "assert 'click' not in sys.modules and 'rich' not in sys.modules, 'the CLI was imported'\n"
        "transport = httpx.MockTransport(lambda request: httpx.Response(200, json={'ok': True}))\n"
        "assert httpx.Client(transport=transport).get('https://example.invalid/').json() == {'ok': True}\n"
    )
    runs_clean(code)


@pytest.mark.parametrize(
    "argv",
    [
        ["send", "--to", "+14155550123", "--to", "4155550124", "--text", "hi", "--json"],
        ["--profile", "work", "send", "--conversation", "abc", "--template", "Order ready"],
        ["--config=c.toml", "conversations", "--unread", "--limit", "5"],
        ["contacts", "import", "people.csv", "--column", "Cell=mobile"],
        ["config", "show"],
        ["webhooks", "listen", "--port", "8787"],
        ["serve", "--port", "8000"],
    ],
)
def test_the_parser_of_one_command_reads_its_line_as_the_full_parser_does(argv: list[str]) -> None:
    from sakari_tui import cli as sakari_cli

    name = sakari_cli._command_named(argv)
    assert name is not None and name in argv
    one = sakari_cli._app_parser(only=name).parse_args(argv)
    full = sakari_cli._app_parser().parse_args(argv)
    assert vars(one) == vars(full)


@pytest.mark.parametrize("argv", [["--help"], ["--version", "send"], ["sned", "--to", "x"], ["--bogus", "send"], []])
def test_anything_but_a_command_after_the_app_options_gets_every_parser(argv: list[str]) -> None:
    from sakari_tui import cli as sakari_cli

    assert sakari_cli._command_named(argv) is None


def test_the_inbox_screen_is_imported_without_the_outbox_reconciliation() -> None:
    # The app and its first screen load before the first frame; reconciling sends of unknown
    # outcome (and the template rendering it matches with) runs only once the client exists.
    code = (
        "import sys\n"
        "import sakari_tui.cli, sakari_tui.app, sakari_tui.screens.conversations\n"
        "loaded = {'sakari_tui.core.reconcile', 'sakari_tui.core.templates'} & set(sys.modules)\n"
        "assert not loaded, loaded\n"
    )
    runs_clean(code)


@pytest.mark.parametrize(
    ("argv", "module", "function", "collects"),
    [
        (["send", "--to", "+16025550178", "--text", "Quick"], "send", "run", False),
        (["conversations"], "conversations", "run", True),
        (["contacts", "--json", "--limit", "0"], "contacts", "run_list", True),
        (["conversations", "index"], "conversations", "run_index", True),
        (["webhooks", "listen"], "webhooks", "run_listen", True),
        (["serve"], "serve", "run", True),
    ],
)
def test_a_quick_reply_runs_without_the_collector_and_the_other_commands_with_it(
    monkeypatch: pytest.MonkeyPatch, argv: list[str], module: str, function: str, collects: bool
) -> None:
    """A quick reply skips the garbage collector's passes over its imports; a command that
    pages through an account, or runs until stopped, keeps it; either way it is on after."""
    import gc
    import importlib

    from sakari_tui import cli

    seen: list[bool] = []
    monkeypatch.setattr(importlib.import_module(f"sakari_tui.commands.{module}"), function,
                        lambda args: seen.append(gc.isenabled()) or 0)  # fmt: skip
    assert cli.main(argv) == 0
    assert seen == [collects]
    assert gc.isenabled()
