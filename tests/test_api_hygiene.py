"""The layer rule: sakari_tui.api stands alone (no Textual, nothing else from sakari_tui)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

API_DIR = Path(__file__).resolve().parent.parent / "sakari_tui" / "api"


def test_importing_the_api_does_not_import_textual_or_the_rest_of_the_app():
    code = (
        "import sys, sakari_tui.api, sakari_tui.api.phone\n"
        "assert 'textual' not in sys.modules, 'textual was imported'\n"
        "others = sorted(m for m in sys.modules if m.startswith('sakari_tui.')"
        " and not m.startswith('sakari_tui.api'))\n"
        "assert not others, others\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=API_DIR.parent.parent, timeout=60
    )
    assert result.returncode == 0, result.stderr


def test_api_modules_only_import_within_the_package():
    offenders = []
    for path in sorted(API_DIR.rglob("*.py")):
        package_depth = len(path.relative_to(API_DIR).parts) - 1  # resources/x.py -> 1
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level and node.level - 1 > package_depth:
                # climbs out of sakari_tui/api
                offenders.append(f"{path.name}: from {'.' * node.level}{node.module or ''}")
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module] if isinstance(node, ast.ImportFrom) and not node.level and node.module else []
            )  # fmt: skip
            for name in names:
                if name.split(".")[0] == "textual" or (
                    name.startswith("sakari_tui") and not name.startswith("sakari_tui.api")
                ):
                    offenders.append(f"{path.name}: import {name}")
    assert offenders == []
