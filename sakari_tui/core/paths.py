"""Where a profile's local files live: its SQLite store, and beside it the kept access token.

Only the standard library's ``re``: a one-shot command can find its files without loading
SQLite. A profile's name is made safe for a file name (``../x`` cannot leave the folder).
"""

from __future__ import annotations

import re
from pathlib import Path


def _safe_name(profile: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", profile) or "default"


def database_path(data_dir: Path, profile: str) -> Path:
    return data_dir / "profiles" / f"{_safe_name(profile)}.sqlite3"


def token_path(data_dir: Path, profile: str) -> Path:
    return database_path(data_dir, profile).with_suffix(".token")
