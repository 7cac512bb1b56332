"""What the benchmark scripts share: the machine, statistics, result rows, frame probes.

Every script prints its own results and, given ``--json PATH``, also writes them there
for ``run_all.py``. Benchmarks report numbers; they never assert.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "benchmarks"
# Measure the checkout's code, whatever the venv has installed.
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

BASE_TIME = 1_795_000_000.0  # fixed seeded timestamps, as the tests use


@dataclass
class Result:
    benchmark: str
    metric: str
    value: float | None
    unit: str
    target: str = ""
    met: bool | None = None  # None: no target for this number
    note: str = ""

    def shown_value(self) -> str:
        if self.value is None:
            return "n/a"
        if self.unit in ("x", "requests/min", "bytes/min") and not float(self.value).is_integer():
            return f"{self.value:,.2f}"
        if self.unit != "ms" and float(self.value).is_integer():
            return f"{self.value:,.0f}"
        return f"{self.value:,.1f}"


def machine() -> dict[str, str]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        cpu = platform.processor() or "unknown"
    try:
        import textual

        textual_version = textual.__version__
    except ImportError:  # pragma: no cover
        textual_version = "?"
    return {
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "python": platform.python_version(),
        "textual": textual_version,
        "os": f"{platform.system()} {platform.release()}",
    }


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def ms(seconds: float) -> float:
    return seconds * 1000.0


def parser(description: str) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--json", metavar="PATH", help="also write the results as JSON to PATH (for run_all.py)")
    return p


def verdict(met: bool | None) -> str:
    return {True: "met", False: "MISSED", None: ""}[met]


def report(title: str, results: list[Result], json_path: str | None, extra: dict[str, Any] | None = None) -> None:
    print()
    print(f"== {title} ==")
    width = max((len(r.metric) for r in results), default=10)
    for r in results:
        line = f"  {r.metric:<{width}}  {r.shown_value():>10} {r.unit}"
        if r.target:
            line += f"   target {r.target}: {verdict(r.met)}"
        if r.note:
            line += f"   ({r.note})"
        print(line)
    if json_path:
        Path(json_path).write_text(
            json.dumps({"title": title, "results": [asdict(r) for r in results], **(extra or {})})
        )


def probed(app_class: type) -> type:
    """A subclass of ``app_class`` that timestamps every frame it produces.

    Headless apps build each frame (every widget's ``render_line`` for the dirty regions)
    but skip turning it into terminal escape sequences; the probe does that step too,
    so a headless frame costs what a real one does, less the write to the terminal.
    ``frames`` holds (perf_counter, frame number); ``on_frame`` is called after each one.
    """
    from textual.app import App

    assert issubclass(app_class, App)

    class Probed(app_class):  # type: ignore[misc, valid-type]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.frames: list[float] = []
            self.frame_bytes = 0
            self.on_frame: Any = None

        def _display(self, screen: Any, renderable: Any) -> None:
            super()._display(screen, renderable)
            if renderable is None or self._batch_count:
                return
            if self.is_headless and hasattr(renderable, "render_segments"):
                self.frame_bytes += len(renderable.render_segments(self.console).encode("utf-8"))
            now = time.perf_counter()
            self.frames.append(now)
            if self.on_frame is not None:
                self.on_frame(now)

    Probed.__name__ = f"Probed{app_class.__name__}"
    return Probed


class RenderCounter:
    """Counts ``render_line`` calls of a widget class (patched on the class, in this process only)."""

    def __init__(self, widget_class: type) -> None:
        self.widget_class = widget_class
        self.calls = 0
        self.last_call = 0.0
        self._original = widget_class.render_line
        counter = self

        def render_line(widget: Any, y: int) -> Any:
            counter.calls += 1
            counter.last_call = time.perf_counter()
            return counter._original(widget, y)

        widget_class.render_line = render_line

    def restore(self) -> None:
        self.widget_class.render_line = self._original


class FrameWatch:
    """Key-to-repaint latency in a running (probed) app.

    A repaint is a frame, produced after the key was sent, in which ``widget_class``
    drew at least one line (and, if given, ``condition()`` holds when the frame is made).
    """

    def __init__(self, app: Any, widget_class: type) -> None:
        self.counter = RenderCounter(widget_class)
        self.frames: list[tuple[float, bool]] = []  # (time, widget drew in this frame)
        self._seen = 0
        self._condition: Any = None
        self._met_at: float | None = None
        app.on_frame = self._frame

    def _frame(self, now: float) -> None:
        drew = self.counter.calls > self._seen
        self._seen = self.counter.calls
        self.frames.append((now, drew))
        if drew and self._condition is not None and self._met_at is None and self._condition():
            self._met_at = now

    async def press(self, pilot: Any, key: str, *, timeout: float = 2.0, condition: Any = None) -> float | None:
        """Seconds from sending ``key`` to the repaint, or None if none came within ``timeout``."""
        import asyncio

        self._condition, self._met_at = condition, None
        n = len(self.frames)
        t0 = time.perf_counter()
        await pilot.press(key)
        try:
            while True:
                if condition is not None:
                    if self._met_at is not None:
                        return self._met_at - t0
                else:
                    for t, drew in self.frames[n:]:
                        if drew:
                            return t - t0
                if time.perf_counter() - t0 > timeout:
                    return None
                await asyncio.sleep(0.001)
        finally:
            self._condition = None

    def close(self) -> None:
        self.counter.restore()


class GcWatch:
    """Pauses of Python's cyclic garbage collector while active (a source of slow frames)."""

    def __init__(self) -> None:
        import gc

        self._gc = gc
        self.pauses: list[tuple[int, float]] = []  # (generation, seconds)
        self._started = 0.0
        gc.callbacks.append(self._callback)

    def _callback(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.pauses.append((info["generation"], time.perf_counter() - self._started))

    def full(self) -> list[float]:
        return [seconds for generation, seconds in self.pauses if generation == 2]

    def close(self) -> None:
        if self._callback in self._gc.callbacks:
            self._gc.callbacks.remove(self._callback)
