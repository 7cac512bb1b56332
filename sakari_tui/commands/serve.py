"""``sakari-tui serve``: the app in a web browser, through textual-serve.

Each browser tab runs its own ``sakari-tui`` process (this Python, ``-m sakari_tui.cli``)
with the same ``--config``, ``--profile`` and ``--demo``. The server listens on 127.0.0.1
unless ``--host`` says otherwise: whoever reaches it uses the account, without a login.
"""

from __future__ import annotations

import argparse
import shlex
import socket
import sys

from sakari_tui.options import port_number

from .common import UsageError, command, load_config_and_profile, warn

DEFAULT_PORT = 8000
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = command(subparsers, "serve", run, help="use the app in a web browser")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=port_number, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})")
    parser.add_argument(
        "--demo", action="store_true", default=argparse.SUPPRESS, help="serve the demo (a built-in sandbox)"
    )
    parser.add_argument(
        "--public-url",
        metavar="URL",
        help="the address browsers use, when it is not http://HOST:PORT (a proxy, or --host 0.0.0.0)",
    )


def is_local(host: str) -> bool:
    return host in LOCAL_HOSTS or host.startswith("127.")


def app_command(args: argparse.Namespace) -> str:
    """The shell command textual-serve runs for each browser session."""
    command = [sys.executable, "-m", "sakari_tui.cli"]
    if args.demo:
        command.append("--demo")
    else:
        if getattr(args, "config", None):
            command += ["--config", args.config]
        if getattr(args, "profile", None):
            command += ["--profile", args.profile]
    return shlex.join(command)


def check_port(host: str, port: int) -> None:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise UsageError(f"--host {host}: {exc.strerror or exc}") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(address)
        except OSError as exc:
            raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


def run(args: argparse.Namespace) -> int:
    """Serve the app to web browsers with textual-serve; every browser tab runs its own copy of
    the app. It listens on 127.0.0.1 unless --host names another address; anyone who can reach
    that address can use the account, as there is no login."""
    if args.port == 0:
        raise UsageError("--port 0: give the port browsers will use")
    if args.public_url and not args.public_url.startswith(("http://", "https://")):
        raise UsageError(f"--public-url {args.public_url!r} must start with http:// or https://")
    profile_name = "demo"
    if not args.demo:
        # Config errors now, once, rather than in every browser tab.
        _, profile = load_config_and_profile(args)
        profile_name = profile.name
    check_port(args.host, args.port)
    if not is_local(args.host):
        warn(
            f"serving on {args.host}: anyone who can reach {args.host}:{args.port} can use "
            + ("the demo" if args.demo else f"the account of profile {profile_name!r}")
            + " without logging in; put it behind a proxy with authentication"
        )
    from textual_serve.server import Server

    shown_host = f"[{args.host}]" if ":" in args.host else args.host
    public_url = args.public_url or f"http://{shown_host}:{args.port}"
    server = Server(app_command(args), host=args.host, port=args.port, title="sakari-tui", public_url=public_url)
    try:
        server.serve()
    except OSError as exc:
        raise UsageError(f"cannot serve on {args.host}:{args.port}: {exc.strerror or exc}") from None
    return 0
