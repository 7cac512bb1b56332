"""The layer rule: arrows point down only.

``api/`` and ``core/`` never import Textual; ``sandbox/`` imports nothing from
the client, the core or the UI, so it stays an independent reading of the contract.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import sakari_tui

PACKAGE = Path(sakari_tui.__file__).resolve().parent


def imported_modules(folder: Path) -> dict[str, set[str]]:
    """Module name -> every absolute module it imports, for the .py files under ``folder``."""
    found: dict[str, set[str]] = {}
    for path in sorted(folder.rglob("*.py")):
        names: set[str] = set()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        package_parts = path.relative_to(PACKAGE.parent).with_suffix("").parts[:-1]
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                if node.level:  # relative import: resolve against the file's package
                    base = package_parts[: len(package_parts) - node.level + 1]
                    names.add(".".join([*base, node.module] if node.module else base))
                else:
                    names.add(node.module or "")
        found[str(path.relative_to(PACKAGE.parent))] = names
    return found


def offenders(folder: str, forbidden: tuple[str, ...]) -> list[str]:
    bad = []
    for module, names in imported_modules(PACKAGE / folder).items():
        for name in names:
            if any(name == f or name.startswith(f + ".") for f in forbidden):
                bad.append(f"{module} imports {name}")
    return bad


def test_sandbox_imports_nothing_from_the_client_core_or_ui() -> None:
    forbidden = (
        "sakari_tui.api",
        "sakari_tui.core",
        "sakari_tui.app",
        "sakari_tui.screens",
        "sakari_tui.widgets",
        "sakari_tui.config",
        "textual",
    )
    assert (PACKAGE / "sandbox").is_dir()
    assert offenders("sandbox", forbidden) == []


@pytest.mark.parametrize("folder", ["api", "core"])
def test_api_and_core_never_import_textual(folder: str) -> None:
    forbidden = ("textual", "sakari_tui.app", "sakari_tui.screens", "sakari_tui.widgets", "sakari_tui.sandbox")
    assert offenders(folder, forbidden) == []


def test_api_does_not_reach_up_into_core() -> None:
    assert offenders("api", ("sakari_tui.core",)) == []


@pytest.mark.parametrize("module", ["sakari_tui.api", "sakari_tui.core", "sakari_tui.core.inbox", "sakari_tui.sandbox"])
def test_importing_leaves_textual_unloaded(module: str) -> None:
    code = f"import sys, {module}; sys.exit(1 if 'textual' in sys.modules else 0)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr or f"importing {module} loaded textual"
