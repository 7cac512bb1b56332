"""Launched by startup.py: sakari-tui on a profile whose SQLite cache is filled, headless,
exiting right after the first frame in which the conversation list drew cached rows.

    _launch_cached.py CONFIG_TOML DATA_DIR

The profile's api_url points at a local socket that the benchmark holds open but never
answers (the connection is accepted by the kernel, no reply ever comes), so the app's real
HTTP client is built as usual, and whatever is painted came from the cache.

The hooks live here, not in the package: a subclass of SakariApp that timestamps frames,
and a wrapper around ConversationList.render_line that notes rows drawn. The widget's
module is imported here, a little earlier than the app would import it (it is small).
Prints one JSON line of perf_counter readings (CLOCK_MONOTONIC, comparable across processes).
"""

import time

T_START = time.perf_counter()

# Imports come after the first clock reading, on purpose.
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sakari_tui.app import SakariApp
from sakari_tui.config import load_config, resolve_profile
from sakari_tui.widgets.conversation_list import ConversationList

T_IMPORTED = time.perf_counter()


rows_drawn = False


_original_render_line = ConversationList.render_line


def render_line(self, y):  # type: ignore[no-untyped-def]
    global rows_drawn
    if self.rows:
        rows_drawn = True
    return _original_render_line(self, y)


ConversationList.render_line = render_line


class FirstPaint(SakariApp):
    painted: float | None = None
    cpu: float | None = None
    rows_at_paint = 0

    def _display(self, screen, renderable) -> None:  # type: ignore[no-untyped-def]
        super()._display(screen, renderable)
        if renderable is None or self.painted is not None:
            return
        if not rows_drawn:
            return
        renderable.render_segments(self.console)  # as a real terminal run would
        self.painted = time.perf_counter()
        self.cpu = time.process_time()  # CPU seconds of this process so far
        self.rows_at_paint = len(self.screen.query_one(ConversationList).rows)
        self.exit()


def main() -> None:
    config_path, data_dir = Path(sys.argv[1]), Path(sys.argv[2])
    config = load_config(config_path)
    profile = resolve_profile(config, None, env={})
    app = FirstPaint(profile=profile, config=config, data_dir=data_dir)
    app.run(headless=True, size=(120, 40))
    print(json.dumps({"start": T_START, "imported": T_IMPORTED, "painted": app.painted, "cpu": app.cpu, "rows": app.rows_at_paint}))


main()
