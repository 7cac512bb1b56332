"""What every one-shot command shares: the profile, the client, output and exit codes.

Exit codes: 0 ok, 1 the API (or the network) said no, 2 a usage or config error, 3 a send
that may have been sent (check before sending again), 130 when interrupted. Every error is one line on stderr, ``sakari-tui: error: ...``; secrets never
appear in it. Heavy modules (httpx, phonenumbers) are imported where they are used.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from sakari_tui.api import SakariClient
    from sakari_tui.config import Config, Profile

T = TypeVar("T")

EXIT_OK = 0
EXIT_API_ERROR = 1
EXIT_USAGE = 2
EXIT_MAYBE_SENT = 3  # the outcome of a send is unknown: look before sending again
EXIT_INTERRUPTED = 130

PROG = "sakari-tui"
DEBUG_ENV = "SAKARI_TUI_DEBUG"  # set to show a traceback for an unexpected error


class CommandError(Exception):
    """A failure worded for the user, with its exit code."""

    def __init__(self, message: str, code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.code = code


class UsageError(CommandError):
    def __init__(self, message: str) -> None:
        super().__init__(message, EXIT_USAGE)


class Failed(CommandError):
    """The work was done and its problems already reported: only the exit code is left."""

    def __init__(self, code: int = EXIT_API_ERROR) -> None:
        super().__init__("", code)


# -- output -----------------------------------------------------------------------------


def clean(text: object, width: int | None = None) -> str:
    """Text from outside (names, bodies, server errors) as one safe line."""
    from sakari_tui.core.text import one_line

    return one_line(str(text), width)


def error(message: str) -> None:
    print(f"{PROG}: error: {clean(message)}", file=sys.stderr, flush=True)


def warn(message: str) -> None:
    print(f"{PROG}: warning: {clean(message)}", file=sys.stderr, flush=True)


def info(message: str) -> None:
    """A note for people that is not the command's output (stderr, so pipes stay clean)."""
    print(message, file=sys.stderr, flush=True)


def print_json_line(value: object) -> None:
    import json

    print(json.dumps(value, ensure_ascii=True, separators=(",", ":")), flush=True)


def print_table(headers: Sequence[str], rows: Sequence[Sequence[str]], *, stretch: int | None = None) -> None:
    """Columns padded to their widest cell; column ``stretch`` (default the last) is cut
    so a row fits the terminal."""
    if not rows:
        return
    cells = [[clean(c) for c in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) for i, h in enumerate(headers)]
    stretch = len(headers) - 1 if stretch is None else stretch
    total = shutil.get_terminal_size((120, 24)).columns
    others = sum(w for i, w in enumerate(widths) if i != stretch) + 2 * (len(widths) - 1)
    widths[stretch] = max(min(widths[stretch], total - others), len(headers[stretch]), 10)

    def line(row: Sequence[str]) -> str:
        parts = []
        for i, cell in enumerate(row):
            if len(cell) > widths[i]:
                cell = cell[: widths[i] - 1] + "…"
            parts.append(cell if i == len(row) - 1 else cell.ljust(widths[i]))
        return "  ".join(parts).rstrip()

    print(line(headers))
    for row in cells:
        print(line(row))
    sys.stdout.flush()


def local_time(at: datetime | None) -> str:
    if at is None:
        return ""
    return at.astimezone().strftime("%Y-%m-%d %H:%M")


# -- profile and client -----------------------------------------------------------------


def load_config_and_profile(args: argparse.Namespace) -> tuple[Config, Profile]:
    """The config file and the profile the command uses: ``--config``/``SAKARI_TUI_CONFIG``,
    ``--profile``/``SAKARI_PROFILE``, then the ``SAKARI_*`` overrides. ConfigError on trouble."""
    from sakari_tui.config import config_named_by, config_path, load_config, permission_warning, resolve_profile

    named = getattr(args, "config", None)
    path = config_path(named)
    config = load_config(path, required=config_named_by(named) or False)
    profile = resolve_profile(config, getattr(args, "profile", None))
    for warning in (permission_warning(path), *config.warnings):
        if warning:
            warn(warning)
    return config, profile


def missing_fields(profile: Profile) -> list[str]:
    missing = [name for name in ("api_url", "client_id", "account_id") if not getattr(profile, name)]
    if not (profile.client_secret or profile.client_secret_command):
        missing.append("client_secret (or client_secret_command)")
    return missing


def require_complete(profile: Profile) -> None:
    from sakari_tui.config import ConfigError

    missing = missing_fields(profile)
    if missing:
        raise ConfigError(
            f"profile {profile.name!r} is incomplete: no {', '.join(missing)}; run 'sakari-tui config init'"
            " or set SAKARI_CLIENT_ID, SAKARI_CLIENT_SECRET and SAKARI_ACCOUNT_ID"
        )
    if not profile.api_url.startswith(("http://", "https://")):
        raise ConfigError(
            f"profile {profile.name!r}: api_url must start with https:// (or http://), not {profile.api_url!r}"
        )


def load_profile(args: argparse.Namespace) -> Profile:
    """The complete profile the command talks to the API with."""
    _, profile = load_config_and_profile(args)
    require_complete(profile)
    return profile


@asynccontextmanager
async def open_client(profile: Profile, *, blocking: bool = False) -> AsyncIterator[SakariClient]:
    """The profile's client, with the access token kept from the command before while it is
    fresh (``sakari_tui.core.token_cache``): a quick reply then costs no token request.

    ``blocking`` makes its requests on httpx's blocking transport, one at a time on a thread
    (``sakari_tui.api.blocking``): for a command of a few short calls, which then does not
    import anyio's asyncio backend. Not for a streamed list."""
    import time

    from sakari_tui.api.client import SakariClient
    from sakari_tui.config import default_data_dir
    from sakari_tui.core.token_cache import TokenCache, token_path

    secret = profile.resolve_secret()
    kept = TokenCache(
        token_path(default_data_dir(), profile.name), profile.api_url, profile.client_id, profile.account_id, secret
    )
    transport = None
    if blocking:
        from sakari_tui.api.blocking import BlockingTransport

        transport = BlockingTransport()
    async with SakariClient(
        api_url=profile.api_url,
        client_id=profile.client_id,
        client_secret=secret,
        account_id=profile.account_id,
        token=kept.load(time.time()),
        on_token=kept.save,
        transport=transport,
    ) as client:
        yield client


def run_async(work: Callable[[], Coroutine[Any, Any, int | None]]) -> int:
    return asyncio.run(work()) or EXIT_OK


def call_api(args: argparse.Namespace, call: Callable[[SakariClient], Awaitable[T]]) -> T:
    """What ``call`` answers, made with a client of the command's profile."""
    profile = load_profile(args)

    async def work() -> T:
        async with open_client(profile) as client:
            return await call(client)

    return asyncio.run(work())


# -- running a command --------------------------------------------------------------------


def run_command(run: Callable[[argparse.Namespace], int | None], args: argparse.Namespace) -> int:
    """Run one command; turn every failure into one line on stderr and an exit code."""
    from sakari_tui.config import ConfigError

    try:
        return run(args) or EXIT_OK
    except Failed as exc:
        return exc.code
    except CommandError as exc:
        error(str(exc))
        return exc.code
    except ConfigError as exc:
        error(str(exc))
        return EXIT_USAGE
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (``| head``): stop quietly, and keep Python's exit from
        # complaining about the unflushed rest.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    except Exception as exc:
        api_error = _api_error_message(exc)
        if api_error is not None:
            error(api_error)
            return EXIT_API_ERROR
        if os.environ.get(DEBUG_ENV):
            raise
        error(f"unexpected {type(exc).__name__}: {exc} (set {DEBUG_ENV}=1 to see where)")
        return EXIT_API_ERROR


def _api_error_message(exc: Exception) -> str | None:
    if "sakari_tui.api" not in sys.modules:
        return None
    from sakari_tui.api import AuthError, SakariError

    if isinstance(exc, AuthError):
        return f"the API refused the credentials: {exc}"
    if isinstance(exc, SakariError):
        return str(exc)
    return None


def command(
    subparsers: argparse._SubParsersAction,
    name: str,
    run: Callable[[argparse.Namespace], int],
    help: str,
    **options: Any,
) -> argparse.ArgumentParser:
    """The parser of a command that runs ``run``: ``help`` in the list of commands, ``run``'s
    docstring as the description (unless ``description`` is given; argparse reflows it), and
    ``--config``/``--profile`` (``add_common``)."""
    options.setdefault("description", run.__doc__)
    parser: argparse.ArgumentParser = subparsers.add_parser(name, help=help, **options)
    add_common(parser)
    parser.set_defaults(run=run)
    return parser


def add_common(parser: argparse.ArgumentParser) -> None:
    """``--config`` and ``--profile`` after the command name too; SUPPRESS keeps a value
    given before the command name."""
    parser.add_argument(
        "--config",
        metavar="PATH",
        default=argparse.SUPPRESS,
        help="config file (default: the user config dir; env SAKARI_TUI_CONFIG)",
    )
    parser.add_argument(
        "--profile", metavar="NAME", default=argparse.SUPPRESS, help="profile of the config file (env SAKARI_PROFILE)"
    )
