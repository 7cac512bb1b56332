"""One-shot commands of ``sakari-tui``: one module per command group.

Each module has ``add_parser(subparsers)``, which sets ``run`` on its parsers. Modules
import only the standard library at import time, so ``sakari-tui --help`` stays fast and
no command pulls in Textual; httpx, phonenumbers and the rest load when a command runs.
"""

from __future__ import annotations

import argparse
import importlib

# Command name -> its module, in the order ``--help`` lists them. A module is imported only
# when its parser is built: all of them for ``--help``, one for a command line naming it.
COMMANDS = {
    "send": "send",
    "conversations": "conversations",
    "contacts": "contacts",
    "webhooks": "webhooks",
    "config": "config_cmd",
    "serve": "serve",
}


def add_parsers(subparsers: argparse._SubParsersAction, only: str | None = None) -> None:
    """Every command's parser, or only the one named ``only`` (when it is a command)."""
    for name, module in COMMANDS.items():
        if only is None or only == name:
            importlib.import_module(f".{module}", __name__).add_parser(subparsers)
