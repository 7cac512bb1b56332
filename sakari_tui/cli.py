"""The ``sakari-tui`` command.

    sakari-tui [--config PATH] [--profile NAME]   the app, on a profile of the config file
    sakari-tui --demo                             the app against an in-process sandbox
    sakari-tui sandbox [options]                  a local Sakari API server (see --help)

Every error a user can cause ends as one line on stderr and an exit code:
2 for usage and config errors, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from sakari_tui import __version__

EXIT_OK = 0
EXIT_API_ERROR = 1
EXIT_USAGE = 2


def _app_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sakari-tui",
        description="A terminal client for the Sakari SMS platform.",
        epilog="Other commands: 'sakari-tui sandbox --help' runs a local Sakari API server.",
    )
    parser.add_argument("--config", metavar="PATH", help="config file (default: the user config dir; env SAKARI_TUI_CONFIG)")
    parser.add_argument("--profile", metavar="NAME", help="profile of the config file to use (env SAKARI_PROFILE)")
    parser.add_argument(
        "--demo",
        action="store_true",
        help="run against a built-in sandbox with simulated customers; touches no config or data of yours",
    )
    parser.add_argument("--version", action="version", version=f"sakari-tui {__version__}")
    return parser


def _error(message: str, code: int = EXIT_USAGE) -> int:
    print(f"sakari-tui: error: {message}", file=sys.stderr)
    return code


def run_app(args: argparse.Namespace) -> int:
    from sakari_tui.config import (
        ConfigError,
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
            config = load_config(path)
            profile = resolve_profile(config, args.profile)
        except ConfigError as exc:
            return _error(str(exc))
        warning = permission_warning(path)
        if warning:
            print(f"sakari-tui: warning: {warning}", file=sys.stderr)
        # An incomplete profile opens the first-run setup screen, which writes the file.
        from sakari_tui.app import SakariApp

        app = SakariApp(profile=profile, config=config, data_dir=default_data_dir())
    app.run()
    return app.return_code or EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if argv[:1] == ["sandbox"]:
            from sakari_tui.sandbox.serve import main as sandbox_main

            return sandbox_main(argv[1:])
        return run_app(_app_parser().parse_args(argv))
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
