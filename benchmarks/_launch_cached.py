"""Launched by startup.py: sakari-tui on a profile whose SQLite cache is filled, headless,
exiting right after the first frame in which the conversation list drew cached rows.

    _launch_cached.py CONFIG_TOML XDG_DATA_HOME

It starts the app the way the `sakari-tui` command does, through ``sakari_tui.cli.main``
(which tunes the garbage collector for start-up), with ``--config CONFIG_TOML``; the data
dir comes from XDG_DATA_HOME, as platformdirs reads it. The profile's api_url points at a
local socket that the benchmark holds open but never answers (the kernel accepts the
connection, no reply ever comes), so the app's real HTTP client is built as usual and
whatever is painted came from the cache.

The hooks live here, not in the package, and are put in place as the modules they patch
are imported, so this script imports nothing before the command line does:
- SakariApp._display timestamps frames, and runs headless at 120x40;
- ConversationList.render_line notes whether rows were drawn.
Prints one JSON line of perf_counter readings (CLOCK_MONOTONIC, comparable across processes).
"""

import time

T_START = time.perf_counter()

# Imports come after the first clock reading, on purpose.
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _after_import import AfterImport

from sakari_tui import cli

T_IMPORTED = time.perf_counter()

result: dict = {"start": T_START, "imported": T_IMPORTED, "painted": None, "cpu": None, "rows": 0}
rows_drawn = False


def patch_list(module) -> None:  # type: ignore[no-untyped-def]
    original = module.ConversationList.render_line

    def render_line(self, y):  # type: ignore[no-untyped-def]
        global rows_drawn
        if self.rows:
            rows_drawn = True
        return original(self, y)

    module.ConversationList.render_line = render_line


def patch_app(module) -> None:  # type: ignore[no-untyped-def]
    app_class = module.SakariApp
    original_display, original_run = app_class._display, app_class.run

    def _display(self, screen, renderable) -> None:  # type: ignore[no-untyped-def]
        original_display(self, screen, renderable)
        # A frame made during App.batch_update() (the app's mount, a mode switch's
        # delay_update) is dropped by Textual: a terminal never gets it.
        if renderable is None or self._batch_count or result["painted"] is not None or not rows_drawn:
            return
        renderable.render_segments(self.console)  # as a real terminal run would
        result["painted"] = time.perf_counter()
        result["cpu"] = time.process_time()  # CPU seconds of this process so far
        from sakari_tui.widgets.conversation_list import ConversationList

        result["rows"] = len(self.screen.query_one(ConversationList).rows)
        self.exit()

    def run(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return original_run(self, *args, **{**kwargs, "headless": True, "size": (120, 40)})

    app_class._display, app_class.run = _display, run


def main() -> None:
    config_path, xdg_data_home = sys.argv[1], sys.argv[2]
    os.environ["XDG_DATA_HOME"] = xdg_data_home
    sys.meta_path.insert(0, AfterImport("sakari_tui.widgets.conversation_list", patch_list))
    sys.meta_path.insert(0, AfterImport("sakari_tui.app", patch_app))
    code = cli.main(["--config", config_path])
    if code:
        raise SystemExit(code)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
