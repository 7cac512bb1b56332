"""The wheel carries the styles: a non-editable install must find them."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.skipif(not (ROOT / "pyproject.toml").is_file(), reason="needs the source tree")
def test_wheel_ships_styles_and_entry_point(tmp_path: Path) -> None:
    # Build with the locked hatchling when it is installed (the README's test command and CI),
    # rather than whatever release an isolated build would fetch today.
    isolation = [] if importlib.util.find_spec("hatchling") is None else ["--no-build-isolation"]
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", *isolation, "--quiet", "-w", str(tmp_path), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    (wheel,) = tmp_path.glob("sakari_tui-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        entry_points = next(n for n in names if n.endswith("entry_points.txt"))
        assert "sakari-tui = sakari_tui.cli:main" in archive.read(entry_points).decode()
    tcss = {Path(n).name for n in names if n.startswith("sakari_tui/styles/") and n.endswith(".tcss")}
    assert tcss == {p.name for p in (ROOT / "styles").glob("*.tcss")}
    assert "sakari_tui/api/__init__.py" in names and "sakari_tui/sandbox/__init__.py" in names


def test_installed_package_finds_its_styles() -> None:
    from sakari_tui.styles import STYLES

    # In the package, whatever the install: the link in a checkout, files in a wheel.
    assert STYLES.parent.name == "sakari_tui"
    assert (STYLES / "base.tcss").is_file()
    if (ROOT / "styles").is_dir():
        assert {p.name for p in STYLES.glob("*.tcss")} == {p.name for p in (ROOT / "styles").glob("*.tcss")}
