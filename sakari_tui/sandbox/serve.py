"""``sakari-tui sandbox``: serve a local Sakari API with uvicorn."""

from __future__ import annotations

import argparse
import sys

import uvicorn

from .app import Sandbox
from .config import Faults, SandboxConfig
from .server import quiet_injected_faults


def _share(text: str) -> float:
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError("must be between 0 and 1")
    return value


def _non_negative(text: str) -> float:
    value = float(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must be >= 0")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sakari-tui sandbox",
        description="Serve a local imitation of the Sakari Messaging API v1 with seeded demo data.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--client-id", default="demo-client")
    parser.add_argument("--client-secret", default="demo-secret")
    parser.add_argument("--account-id", default="demo-account")
    parser.add_argument("--seed", type=int, default=7, help="same seed, same demo data")
    parser.add_argument("--live", action="store_true", help="simulated customers write in and answer")
    faults = parser.add_argument_group("faults")
    faults.add_argument("--latency", type=_non_negative, default=0.0, metavar="SECONDS")
    faults.add_argument("--rate-429", type=_share, default=0.0, metavar="P", help="share answered 429")
    faults.add_argument("--retry-after", type=int, default=1, metavar="S", help="Retry-After of the 429s")
    faults.add_argument("--rate-5xx", type=_share, default=0.0, metavar="P", help="share answered 503/502")
    faults.add_argument("--rate-drop", type=_share, default=0.0, metavar="P", help="share dropped after processing")
    faults.add_argument("--token-lifetime", type=_non_negative, default=3600, metavar="S")
    faults.add_argument("--error-share", type=_share, default=0.05, metavar="P",
                        help="share of sent messages that end in Error")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    config = SandboxConfig(
        client_id=args.client_id,
        client_secret=args.client_secret,
        account_id=args.account_id,
        seed=args.seed,
        live=args.live,
        token_lifetime=args.token_lifetime,
        error_share=args.error_share,
    )
    faults = Faults(
        latency=args.latency,
        rate_429=args.rate_429,
        retry_after=args.retry_after,
        rate_5xx=args.rate_5xx,
        rate_drop=args.rate_drop,
    )
    sandbox = Sandbox(config, faults=faults)
    base_url = f"http://{args.host}:{args.port}"
    print("Sakari sandbox (local test server, not the real service)")
    print(f"  base URL       {base_url}   (API under {base_url}/v1)")
    print(f"  client id      {config.client_id}")
    print(f"  client secret  {config.client_secret}")
    print(f"  account id     {config.account_id}")
    print(f"  seed           {config.seed}{'  live customers on' if config.live else ''}")
    print(f"  tokens         expire after {config.token_lifetime:g}s")
    print(f"  faults         {faults.describe()} error_share={config.error_share}")
    sys.stdout.flush()
    quiet_injected_faults()
    uvicorn.run(sandbox.app, host=args.host, port=args.port, log_level="info", lifespan="on")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
