"""Where the TCSS files are.

In a wheel, ``styles/`` is shipped inside the package (``sakari_tui/styles``);
in a source checkout it sits at the project root, beside ``sakari_tui/``.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def styles_dir() -> Path:
    for candidate in (_PACKAGE / "styles", _PACKAGE.parent / "styles"):
        if (candidate / "base.tcss").is_file():
            return candidate
    raise FileNotFoundError("sakari-tui's styles/ directory is missing from this installation")


def style(name: str) -> Path:
    return styles_dir() / f"{name}.tcss"
