"""``sakari-tui sandbox``: serve a local Sakari API with uvicorn."""

from __future__ import annotations

import argparse
import socket
import sys
from dataclasses import fields
from typing import TYPE_CHECKING, NoReturn, TypeVar

import uvicorn

from sakari_tui.options import CannotListen, listening_socket, port_number, whole_number

from .app import Sandbox
from .config import Faults, SandboxConfig
from .seed import DEFAULT_CONTACTS, DEFAULT_CONVERSATIONS
from .server import quiet_injected_faults

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

S = TypeVar("S", bound="DataclassInstance")

EXIT_USAGE = 2


class UsageError(Exception):
    """A bad option value: one line on stderr and exit code 2."""


class _Parser(argparse.ArgumentParser):
    """Usage errors as one line, like the rest of the sakari-tui command."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"sakari-tui: error: sandbox: {message} (see 'sakari-tui sandbox --help')\n")


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
    parser = _Parser(
        prog="sakari-tui sandbox",
        description="Serve a local imitation of the Sakari Messaging API v1 with seeded demo data.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument(
        "--port", type=port_number, default=8765, help="0 lets the system pick a free port (default 8765)"
    )
    parser.add_argument("--client-id", default="demo-client")
    parser.add_argument("--client-secret", default="demo-secret")
    parser.add_argument("--account-id", default="demo-account")
    parser.add_argument("--seed", type=int, default=7, help="same seed, same demo data")
    parser.add_argument("--live", action="store_true", help="simulated customers write in and answer")
    parser.add_argument(
        "--contacts",
        type=whole_number,
        metavar="N",
        help=f"contacts seeded (default {DEFAULT_CONTACTS}, or --conversations if more)",
    )
    parser.add_argument(
        "--conversations",
        type=whole_number,
        metavar="N",
        help=f"conversations seeded, each with a contact of its own, so not more than "
        f"--contacts (default {DEFAULT_CONVERSATIONS})",
    )
    faults = parser.add_argument_group("faults")
    faults.add_argument("--latency", type=_non_negative, default=0.0, metavar="SECONDS")
    faults.add_argument("--rate-429", type=_share, default=0.0, metavar="P", help="share answered 429")
    faults.add_argument("--retry-after", type=int, default=1, metavar="S", help="Retry-After of the 429s")
    faults.add_argument("--rate-5xx", type=_share, default=0.0, metavar="P", help="share answered 503/502")
    faults.add_argument("--rate-drop", type=_share, default=0.0, metavar="P", help="share dropped after processing")
    faults.add_argument(
        "--send-counters-only",
        action="store_true",
        help="answer accepted sends with counts only (requested, valid, invalid), "
        "no messages and so no message ids, as later API versions may",
    )
    faults.add_argument("--token-lifetime", type=_non_negative, default=3600, metavar="S")
    faults.add_argument(
        "--error-share", type=_share, default=0.05, metavar="P", help="share of sent messages that end in Error"
    )
    return parser


def check_counts(args: argparse.Namespace) -> None:
    if args.contacts is not None and args.conversations is not None and args.conversations > args.contacts:
        raise UsageError(
            f"--conversations {args.conversations} is more than --contacts {args.contacts}: "
            "each conversation needs a contact of its own"
        )


def base_url(host: str, sock: socket.socket) -> str:
    port = sock.getsockname()[1]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def from_options(settings: type[S], args: argparse.Namespace) -> S:
    """``settings`` (a dataclass) with each field that has an option of its name set from
    it (``--rate-429`` sets ``rate_429``); the others keep their defaults."""
    options = vars(args)
    return settings(**{field.name: options[field.name] for field in fields(settings) if field.name in options})


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        check_counts(args)
        # Bound before the banner, so the banner shows the real port (with --port 0 too);
        # uvicorn then serves on this socket.
        sock = listening_socket(args.host, args.port)
    except (UsageError, CannotListen) as exc:
        print(f"sakari-tui: error: sandbox: {exc}", file=sys.stderr)
        return EXIT_USAGE
    config = from_options(SandboxConfig, args)
    faults = from_options(Faults, args)
    sandbox = Sandbox(config, faults=faults)
    url = base_url(args.host, sock)
    seeded = f"{len(sandbox.store.contacts)} contacts, {len(sandbox.store.conversations)} conversations"
    print("Sakari sandbox (local test server, not the real service)")
    print(f"  base URL       {url}   (API under {url}/v1)")
    print(f"  client id      {config.client_id}")
    print(f"  client secret  {config.client_secret}")
    print(f"  account id     {config.account_id}")
    print(f"  seed           {config.seed}  ({seeded}){'  live customers on' if config.live else ''}")
    print(f"  tokens         expire after {config.token_lifetime:g}s")
    print(f"  faults         {faults.describe()} error_share={config.error_share}")
    sys.stdout.flush()
    quiet_injected_faults()
    server = uvicorn.Server(
        uvicorn.Config(sandbox.app, host=args.host, port=sock.getsockname()[1], log_level="info", lifespan="on")
    )
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        pass
    finally:
        sock.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
