"""Launched by startup.py: a minimal Textual app (one Static), headless, that exits on its first frame.

Prints one JSON line: perf_counter (CLOCK_MONOTONIC, comparable across processes on Linux)
at interpreter start, after imports, and when the first frame was produced.
"""

import time

T_START = time.perf_counter()

import json

from textual.app import App, ComposeResult
from textual.widgets import Static

T_IMPORTED = time.perf_counter()


class Minimal(App[None]):
    painted: float | None = None
    cpu: float | None = None

    def compose(self) -> ComposeResult:
        yield Static("Hello from a minimal Textual app")

    def _display(self, screen, renderable) -> None:  # type: ignore[no-untyped-def]
        super()._display(screen, renderable)
        if renderable is None or self._batch_count or self.painted is not None:
            return
        # Headless skips encoding the frame for the terminal; do it, as a real run would.
        renderable.render_segments(self.console)
        self.painted = time.perf_counter()
        self.cpu = time.process_time()  # CPU seconds of this process so far
        self.exit()


app = Minimal()
app.run(headless=True, size=(120, 40))
print(json.dumps({"start": T_START, "imported": T_IMPORTED, "painted": app.painted, "cpu": app.cpu}))
