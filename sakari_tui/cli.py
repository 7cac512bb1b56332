"""The ``sakari-tui`` command.

    sakari-tui [--config PATH] [--profile NAME]   the app, on a profile of the config file
    sakari-tui --demo                             the app against an in-process sandbox
    sakari-tui sandbox [options]                  a local Sakari API server (see --help)
    sakari-tui send | conversations | contacts | webhooks | config | serve ...
                                                  one-shot commands (sakari_tui.commands)

Every error a user can cause ends as one line on stderr and an exit code:
1 when the API refused, 2 for usage and config errors, 130 when interrupted; never a
traceback. Commands are imported lazily: the app's start-up and ``--help`` load no more
than they need, and no one-shot command imports Textual.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import NoReturn

from sakari_tui import __version__
from sakari_tui.core import heap  # only gc: the command line pauses the collector first thing

EXIT_OK = 0
EXIT_API_ERROR = 1
EXIT_USAGE = 2


# Commands that run to their end with the garbage collector off (sakari_tui.core.heap): a
# quick reply, which imports most of what it costs and holds little. The others turn it on
# before they run: paging through an account leaves cycles behind with every page.
WITHOUT_COLLECTOR = frozenset({("send",)})

# Where the command names of the subparsers land, outermost first.
_COMMAND_DESTS = ("command", "config_command", "contacts_command", "conversations_command", "webhooks_command")


def _command_path(args: argparse.Namespace) -> tuple[str, ...]:
    """The command and subcommand given, e.g. ("webhooks", "listen")."""
    return tuple(part for part in (getattr(args, name, None) for name in _COMMAND_DESTS) if part)


class _Parser(argparse.ArgumentParser):
    """Usage errors as one line, naming the command and where its help is."""

    def error(self, message: str) -> NoReturn:
        command = self.prog.removeprefix("sakari-tui").strip()
        where = f"{command}: " if command else ""
        hint = f"sakari-tui {command} --help" if command else "sakari-tui --help"
        self.exit(EXIT_USAGE, f"sakari-tui: error: {where}{message} (see '{hint}')\n")

    def parse_args(self, args=None, namespace=None):
        # Unknown options are reported by the top parser; name the command they were given to.
        parsed, extras = self.parse_known_args(args, namespace)
        if extras:
            command = " ".join(_command_path(parsed))
            where = self.prog + (f" {command}" if command else "")
            self.prog, prog = where, self.prog
            try:
                self.error(f"unrecognized arguments: {' '.join(extras)}")
            finally:
                self.prog = prog
        return parsed


# The app's own options, and whether each takes a value.
_APP_OPTIONS = {"--config": True, "--profile": True, "--demo": False}


def _after_app_options(argv: Sequence[str]) -> int | None:
    """Where the first token that is neither one of the app's options nor an option's value
    stands in ``argv``: ``len(argv)`` when there is none, None when the last option lacks
    its value."""
    wants_value = False
    for index, token in enumerate(argv):
        if wants_value:
            wants_value = False
            continue
        name, equals, _ = token.partition("=")
        if name not in _APP_OPTIONS:
            return index
        wants_value = _APP_OPTIONS[name] and not equals
    return None if wants_value else len(argv)


def _only_app_options(argv: Sequence[str]) -> bool:
    """True when ``argv`` holds nothing but the app's own options, as when the app is
    started: then the commands' parsers, and their modules, need not be built."""
    return _after_app_options(argv) == len(argv)


def _command_named(argv: Sequence[str]) -> str | None:
    """The command ``argv`` runs when only the app's options come before its name (as in
    ``sakari-tui --profile work send ...``), else None. Then only that command's parser,
    and module, need be built: a quick ``send`` loads none of the other commands."""
    from sakari_tui.commands import COMMANDS

    index = _after_app_options(argv)
    if index is None or index == len(argv):
        return None
    token = argv[index]
    return token if token in COMMANDS or token == "sandbox" else None


def _app_parser(with_commands: bool = True, only: str | None = None) -> argparse.ArgumentParser:
    parser = _Parser(
        prog="sakari-tui",
        description="A terminal client for the Sakari SMS platform. Without a command it opens "
        "the app; the commands below do one thing and exit, for scripts and quick replies.",
        epilog="Exit codes: 0 ok, 1 the API refused, 2 usage or config error. "
        "'sakari-tui COMMAND --help' describes a command.",
    )
    parser.add_argument(
        "--config", metavar="PATH", help="config file (default: the user config dir; env SAKARI_TUI_CONFIG)"
    )
    parser.add_argument("--profile", metavar="NAME", help="profile of the config file to use (env SAKARI_PROFILE)")
    parser.add_argument(
        "--demo",
        action="store_true",
        help="run against a built-in sandbox with simulated customers; touches no config or data of yours",
    )
    parser.add_argument("--version", action="version", version=f"sakari-tui {__version__}")
    if not with_commands:
        parser.set_defaults(command=None)
        return parser
    from sakari_tui.commands import add_parsers

    commands = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")
    add_parsers(commands, only=only)
    if only in (None, "sandbox"):
        sandbox = commands.add_parser("sandbox", help="serve a local Sakari API for trying things out (see its --help)",
                                      add_help=False)  # fmt: skip
        sandbox.add_argument("sandbox_args", nargs=argparse.REMAINDER)
    return parser


def _error(message: str, code: int = EXIT_USAGE) -> int:
    print(f"sakari-tui: error: {message}", file=sys.stderr)
    return code


def run_app(args: argparse.Namespace) -> int:
    """The app. The collector is still off (``main``); the app turns it on once it has
    painted (sakari_tui.core.heap says why)."""
    from sakari_tui.config import (
        ConfigError,
        config_named_by,
        config_path,
        default_data_dir,
        load_config,
        permission_warning,
        resolve_profile,
    )

    if args.demo:
        from sakari_tui.demo import demo_app

        app = demo_app()
    else:
        path = config_path(args.config)
        try:
            config = load_config(path, required=config_named_by(args.config) or False)
            profile = resolve_profile(config, args.profile)
        except ConfigError as exc:
            return _error(str(exc))
        # Shown in the app: printed here, it would only be seen after quitting.
        warning = permission_warning(path)
        # An incomplete profile opens the first-run setup screen, which writes the file.
        from sakari_tui.app import SakariApp

        app = SakariApp(profile=profile, config=config, data_dir=default_data_dir(),
                        warnings=[warning] if warning else [])  # fmt: skip
    app.run()
    return app.return_code or EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    # The collector is off from here while the app starts or a quick reply runs
    # (sakari_tui.core.heap says why); other commands turn it back on before they run.
    with heap.paused():
        return _main(list(sys.argv[1:] if argv is None else argv))


def _main(argv: list[str]) -> int:
    try:
        if argv[:1] == ["sandbox"]:
            from sakari_tui.sandbox.serve import main as sandbox_main

            heap.resume()
            return sandbox_main(argv[1:])
        if _only_app_options(argv):
            parser = _app_parser(with_commands=False)
        else:
            parser = _app_parser(only=_command_named(argv))
        args = parser.parse_args(argv)
        if args.command is None:
            return run_app(args)
        if args.command == "sandbox":
            from sakari_tui.sandbox.serve import main as sandbox_main

            heap.resume()
            return sandbox_main(args.sandbox_args)
        if args.demo and args.command != "serve":
            return _error(f"--demo is for the app and 'serve', not '{args.command}'")
        from sakari_tui.commands.common import run_command

        if _command_path(args) not in WITHOUT_COLLECTOR:
            heap.resume()
        return run_command(args.run, args)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
