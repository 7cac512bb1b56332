"""A hook for the launch scripts (_launch_cached.py, _trace_terminal.py): patch a module as
it is imported, whoever imports it, so the scripts import nothing ahead of the command line."""

import importlib.machinery
import sys
from collections.abc import Callable


class AfterImport:
    """Calls ``patch(module)`` once the named module has been imported, whoever imports it.
    (A meta path finder; importlib.abc is not imported for it, as it costs the launch 15 ms.)"""

    def __init__(self, name: str, patch: Callable) -> None:
        self.name, self.patch = name, patch

    def find_spec(self, name, path, target=None):  # type: ignore[no-untyped-def]
        if name != self.name:
            return None
        sys.meta_path.remove(self)
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        exec_module = spec.loader.exec_module

        def exec_and_patch(module):  # type: ignore[no-untyped-def]
            exec_module(module)
            self.patch(module)

        spec.loader.exec_module = exec_and_patch
        return spec
