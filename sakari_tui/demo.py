"""``sakari-tui --demo``: the app against an in-process sandbox with simulated customers.

The demo reads and writes nothing of the user's: its profile lives in memory
and its data dir is a temporary directory removed at exit.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx

from sakari_tui.api.redaction import Secret
from sakari_tui.app import SakariApp
from sakari_tui.config import Profile
from sakari_tui.sandbox import Sandbox, SandboxConfig

DEMO_CLIENT_ID = "demo-client"
DEMO_CLIENT_SECRET = "demo-secret"
DEMO_ACCOUNT_ID = "demo-account"
# ASGITransport never resolves this host: requests go straight to the sandbox app.
DEMO_API_URL = "http://sandbox.invalid"


def demo_profile(**overrides: Any) -> Profile:
    profile = Profile(
        name="demo",
        api_url=DEMO_API_URL,
        client_id=DEMO_CLIENT_ID,
        client_secret=Secret(DEMO_CLIENT_SECRET),
        account_id=DEMO_ACCOUNT_ID,
    )
    return replace(profile, **overrides) if overrides else profile


def demo_sandbox(*, seed: int = 7, live: bool = True, **config: Any) -> Sandbox:
    return Sandbox(
        SandboxConfig(
            client_id=DEMO_CLIENT_ID,
            client_secret=DEMO_CLIENT_SECRET,
            account_id=DEMO_ACCOUNT_ID,
            seed=seed,
            live=live,
            **config,
        )
    )


def demo_app(
    *,
    seed: int = 7,
    live: bool = True,
    data_dir: Path | None = None,
    sandbox: Sandbox | None = None,
    **profile: Any,
) -> SakariApp:
    """The demo app; tests pass their own sandbox, data dir and faster poll intervals."""
    if data_dir is None:
        data_dir = Path(tempfile.mkdtemp(prefix="sakari-tui-demo-"))
        atexit.register(shutil.rmtree, data_dir, ignore_errors=True)
    sandbox = sandbox or demo_sandbox(seed=seed, live=live)
    return SakariApp(
        profile=demo_profile(**profile),
        data_dir=data_dir,
        transport=httpx.ASGITransport(app=sandbox.app),
        sandbox=sandbox,
    )


class HostRoutes(httpx.AsyncBaseTransport):
    """Sends each request to the transport of its URL's host: one app, several profiles,
    each against a sandbox of its own (a sandbox serves one account)."""

    def __init__(self, routes: Mapping[str, httpx.AsyncBaseTransport]) -> None:
        self.routes = dict(routes)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        transport = self.routes.get(request.url.host)
        if transport is None:
            raise httpx.ConnectError(f"no sandbox for {request.url.host}", request=request)
        return await transport.handle_async_request(request)

    async def aclose(self) -> None:
        for transport in self.routes.values():
            await transport.aclose()
