"""A quick reply from the shell reuses the access token the command before it was given.

The commands run as the user runs them, ``sakari-tui`` in a subprocess against the sandbox
over real HTTP; the requests are counted on the sandbox, and the kept token is read from
the file beside the profile's store. It must be private (0600) and never printed.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest

from sakari_tui.api.auth import Token
from sakari_tui.api.redaction import Secret
from sakari_tui.core.token_cache import TokenCache, token_path
from sakari_tui.sandbox import Faults, Sandbox, SandboxConfig, serve_in_background

CLIENT_ID, CLIENT_SECRET, ACCOUNT = "demo-client", "demo-secret", "demo-account"
TOKEN_POST = ("POST", "/oauth2/token")
MESSAGES_POST = ("POST", f"/v1/accounts/{ACCOUNT}/messages")


@pytest.fixture(scope="module")
def sandbox() -> Sandbox:
    return Sandbox(SandboxConfig(seed=7, error_share=0.0, status_step=0.05), faults=Faults())


@pytest.fixture(scope="module")
def base_url(sandbox: Sandbox) -> Iterator[str]:
    with serve_in_background(sandbox, "127.0.0.1", 0) as url:
        yield url


@pytest.fixture
def env(tmp_path: Path, base_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SAKARI_")}
    env.update(
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        XDG_DATA_HOME=str(tmp_path / "data"),
        SAKARI_API_URL=base_url,
        SAKARI_CLIENT_ID=CLIENT_ID,
        SAKARI_CLIENT_SECRET=CLIENT_SECRET,
        SAKARI_ACCOUNT_ID=ACCOUNT,
    )
    return env


def kept_file(env: dict[str, str]) -> Path:
    return token_path(Path(env["XDG_DATA_HOME"]) / "sakari-tui", "default")


def send(env: dict[str, str], text: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "sakari_tui.cli", "send", "--to", "+16025550177", "--text", text],
        env=env, capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert "Traceback" not in done.stderr, done.stderr
    return done


def test_a_second_send_reuses_the_kept_token_and_never_shows_it(sandbox: Sandbox, env: dict[str, str]) -> None:
    before = list(sandbox.requests)
    first = send(env, "First reply")
    assert first.returncode == 0, first.stderr
    made = sandbox.requests[len(before) :]
    assert made.count(TOKEN_POST) == 1 and made.count(MESSAGES_POST) == 1

    kept = kept_file(env)
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    access_token = json.loads(kept.read_text())["access_token"]

    before = list(sandbox.requests)
    second = send(env, "Second reply")
    assert second.returncode == 0, second.stderr
    made = sandbox.requests[len(before) :]
    # One round trip: the kept token is used, and nothing is looked up before the send.
    assert made == [MESSAGES_POST]
    for done in (first, second):
        assert access_token not in done.stdout + done.stderr


def test_a_refused_token_is_dropped_and_fetched_again_once(sandbox: Sandbox, env: dict[str, str]) -> None:
    assert send(env, "To get a token kept").returncode == 0
    kept = kept_file(env)
    stale = json.loads(kept.read_text())
    # Fresh by its own account, but not a token the server issued (revoked, say).
    stale["access_token"] = "not-a-token-the-server-issued"
    kept.write_text(json.dumps(stale))

    before = list(sandbox.requests)
    done = send(env, "After the refusal")
    assert done.returncode == 0, done.stderr
    made = sandbox.requests[len(before) :]
    # The send with the kept token is refused (401: nothing stored), a new token is fetched
    # once and the send made again: one message on the server.
    assert made == [MESSAGES_POST, TOKEN_POST, MESSAGES_POST]
    assert [m["message"] for m in sandbox.messages() if m["message"] == "After the refusal"] == ["After the refusal"]
    now_kept = json.loads(kept.read_text())["access_token"]
    assert now_kept != "not-a-token-the-server-issued"
    assert "not-a-token-the-server-issued" not in done.stdout + done.stderr

    before = list(sandbox.requests)
    assert send(env, "And the new one is kept").returncode == 0
    assert sandbox.requests[len(before) :].count(TOKEN_POST) == 0


def test_a_refused_token_is_gone_even_when_no_new_one_can_be_had(sandbox: Sandbox, env: dict[str, str]) -> None:
    assert send(env, "To get a token kept").returncode == 0
    kept = kept_file(env)
    stale = json.loads(kept.read_text())
    stale["access_token"] = "not-a-token-the-server-issued"
    kept.write_text(json.dumps(stale))
    # The kept token is refused, and a new one cannot be had: the account's secret was
    # rotated on the server, and this profile still has the old one.
    sandbox.config.client_secret, rotated_from = "rotated-secret", sandbox.config.client_secret
    try:
        done = send(env, "Refused twice")
    finally:
        sandbox.config.client_secret = rotated_from
    assert done.returncode != 0
    assert not kept.exists()


def test_a_changed_secret_is_not_served_the_old_secrets_token(sandbox: Sandbox, env: dict[str, str]) -> None:
    assert send(env, "To get a token kept").returncode == 0
    kept = kept_file(env)
    assert CLIENT_SECRET not in kept.read_text()  # a salted hash of it, not the secret
    before = list(sandbox.requests)
    done = send({**env, "SAKARI_CLIENT_SECRET": "wrong-secret"}, "Not with the kept token")
    assert done.returncode != 0
    assert not any(r == MESSAGES_POST for r in sandbox.requests[len(before) :])  # nothing sent


def test_wrong_credentials_leave_no_token_behind(sandbox: Sandbox, env: dict[str, str]) -> None:
    assert send(env, "To get a token kept").returncode == 0
    kept = kept_file(env)
    assert kept.exists()
    # Another client id: the kept token is not for it, so it is not offered; the server
    # refuses the credentials, and nothing is kept for them.
    done = send({**env, "SAKARI_CLIENT_ID": "someone-else"}, "Refused")
    assert done.returncode != 0
    assert json.loads(kept.read_text())["client_id"] == CLIENT_ID  # the good one stays


def cache(path: Path, secret: str = "s3cret", **key: str) -> TokenCache:
    fields = {"api_url": "https://api.example", "client_id": "c", "account_id": "a", **key}
    return TokenCache(path, secret=Secret(secret), **fields)


def token(issued: float, expires: float, value: str = "t0ken") -> Token:
    return Token(
        value, "Bearer", datetime.fromtimestamp(issued, timezone.utc), datetime.fromtimestamp(expires, timezone.utc)
    )


def test_the_kept_token_is_used_only_while_fresh_and_only_for_its_profile(tmp_path: Path) -> None:
    path = tmp_path / "profiles" / "p.token"
    now = time.time()
    cache(path).save(token(now, now + 3600))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert cache(path).load(now) == token(now, now + 3600)
    assert cache(path).load(now + 3600 - 30) is None  # inside the refresh margin
    assert cache(path, account_id="other").load(now) is None
    assert cache(path, api_url="https://elsewhere.example").load(now) is None
    assert cache(path, client_id="other").load(now) is None
    assert cache(path, secret="a changed secret").load(now) is None  # a new secret fetches anew
    assert "s3cret" not in path.read_text()  # only a salted hash of it is kept
    cache(path).save(None)  # refused: gone
    assert not path.exists() and cache(path).load(now) is None
    path.write_text("{not json")
    assert cache(path).load(now) is None
    assert [p.name for p in path.parent.iterdir()] == ["p.token"]  # no partial files left
