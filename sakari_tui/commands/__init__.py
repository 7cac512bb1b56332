"""One-shot commands of ``sakari-tui``: one module per command group.

Each module has ``add_parser(subparsers)``, which sets ``run`` on its parsers. Modules
import only the standard library at import time, so ``sakari-tui --help`` stays fast and
no command pulls in Textual; httpx, phonenumbers and the rest load when a command runs.
"""

from __future__ import annotations

import argparse

from . import config_cmd, contacts, conversations, send, serve, webhooks

MODULES = (send, conversations, contacts, webhooks, config_cmd, serve)


def add_parsers(subparsers: argparse._SubParsersAction) -> None:
    for module in MODULES:
        module.add_parser(subparsers)
