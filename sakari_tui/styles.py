"""Where the TCSS files are: ``sakari_tui/styles``.

The project keeps them in ``styles/`` at its root; ``sakari_tui/styles`` is a link to it, which
the wheel build follows, so a source checkout, an editable install and a wheel all find them
in the same place.
"""

from __future__ import annotations

from pathlib import Path

STYLES = Path(__file__).resolve().parent / "styles"


def style(name: str) -> Path:
    return STYLES / f"{name}.tcss"
