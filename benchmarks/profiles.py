"""What a second profile costs: requests to its account and the app's CPU time, idle.

Runs the app headless (App.run_test, 120x40) twice, each after start-up has settled, for the
same measured window of real time:

  (1) one profile, against an in-process sandbox of 1,000 conversations (no simulated
      customers), default poll intervals, the newest conversation open;
  (2) the same, plus a second profile against a sandbox of its own (also 1,000
      conversations), polled in the background at its default pace (poll_background, 60 s).

Reports the requests the background profile's sandbox handled per minute, the requests of the
profile on screen, and the process's CPU time per minute in each run (the sandboxes are in
the same process, so their share of the work is included, as it is in polling.py).

Target (from the design: only the profile on screen polls at full speed): the background
profile at most 60 / poll_background + 1 requests a minute (2, the token exchange aside).

    .venv/bin/python benchmarks/profiles.py [--seconds 120]
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path

import _common
import httpx
from _common import Result


def sandbox_for(account: str, client_id: str, seed: int, conversations: int):
    from sakari_tui.sandbox import Sandbox, SandboxConfig

    return Sandbox(
        SandboxConfig(
            client_id=client_id,
            client_secret=f"{client_id}-secret",
            account_id=account,
            seed=seed,
            live=False,
            conversations=conversations,
            contacts=conversations,
            base_time=_common.BASE_TIME,
            status_step=0.05,
            error_share=0.0,
        )
    )


async def run(seconds: float, conversations: int, two: bool) -> dict:
    from sakari_tui.app import SakariApp
    from sakari_tui.config import Config, Profile
    from sakari_tui.demo import HostRoutes
    from sakari_tui.screens.conversations import ConversationsScreen

    work = sandbox_for("work-account", "work-client", 7, conversations)
    shop = sandbox_for("shop-account", "shop-client", 11, conversations)
    profiles = {
        "work": Profile(
            name="work",
            api_url="http://work.invalid",
            client_id="work-client",
            client_secret="work-client-secret",
            account_id="work-account",
        ),
    }
    if two:
        profiles["shop"] = Profile(name="shop", api_url="http://shop.invalid", client_id="shop-client",
                                   client_secret="shop-client-secret", account_id="shop-account")  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="sakari-bench-profiles-") as tmp:
        config = Config(path=Path(tmp) / "config.toml", profiles=profiles, default_profile="work")
        transport = HostRoutes({"work.invalid": httpx.ASGITransport(app=work.app),
                                "shop.invalid": httpx.ASGITransport(app=shop.app)})  # fmt: skip
        app = SakariApp(profiles["work"], config=config, data_dir=Path(tmp) / "data", transport=transport)
        async with app.run_test(size=(120, 40)) as pilot:
            deadline = time.monotonic() + 60
            while not (
                isinstance(app.screen, ConversationsScreen)
                and app.screen.open_id
                and (not two or ("shop" in app._background and app._background["shop"].polls))
            ):
                if time.monotonic() > deadline:
                    raise RuntimeError("the app did not settle within 60 s")
                await pilot.pause(0.05)
            await pilot.pause(2.0)  # let the start-up requests and the first counts finish
            work_start, shop_start = len(work.requests), len(shop.requests)
            cpu0, t0 = time.process_time(), time.perf_counter()
            await asyncio.sleep(seconds)
            cpu, window = time.process_time() - cpu0, time.perf_counter() - t0
            shop_handled = shop.requests[shop_start:]
            work_handled = work.requests[work_start:]
    return {
        "window": window,
        "cpu_per_min": cpu * 60.0 / window,
        "work_per_min": len(work_handled) * 60.0 / window,
        "shop_per_min": len(shop_handled) * 60.0 / window,
        "shop_requests": len(shop_handled),
        "shop_paths": sorted({path for _, path in shop_handled}),
    }


async def measure(seconds: float, conversations: int) -> list[Result]:
    from sakari_tui.config import Profile

    background = Profile().poll_background
    one = await run(seconds, conversations, two=False)
    two = await run(seconds, conversations, two=True)
    target = 60.0 / background + 1
    return [
        Result(
            "profiles",
            f"background profile: requests per minute ({two['window']:.0f} s window)",
            two["shop_per_min"],
            "requests/min",
            f"<= {target:g}",
            two["shop_per_min"] <= target,
        ),
        Result(
            "profiles",
            f"  requests in the window: {two['shop_requests']} to {', '.join(two['shop_paths'])}",
            two["shop_requests"],
            "requests",
        ),
        Result("profiles", "profile on screen: requests per minute, one profile", one["work_per_min"], "requests/min"),
        Result("profiles", "profile on screen: requests per minute, two profiles", two["work_per_min"], "requests/min"),
        Result("profiles", "CPU time per minute idle, one profile", one["cpu_per_min"] * 1000, "ms/min"),
        Result("profiles", "CPU time per minute idle, two profiles", two["cpu_per_min"] * 1000, "ms/min"),
    ]


def main() -> None:
    p = _common.parser(__doc__.splitlines()[0])
    p.add_argument("--seconds", type=float, default=120.0, help="length of each measured window (default 120)")
    p.add_argument("--conversations", type=int, default=1000, help="conversations in each sandbox (default 1000)")
    args = p.parse_args()
    results = asyncio.run(measure(args.seconds, args.conversations))
    _common.report("A second profile in the background", results, args.json)


if __name__ == "__main__":
    main()
