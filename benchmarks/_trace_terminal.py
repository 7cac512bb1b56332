"""Launched by startup_terminal.py --trace: an app in a real terminal, with timestamps.

    _trace_terminal.py OUT.json minimal
    _trace_terminal.py OUT.json sakari CONFIG_TOML

Runs the minimal app (``_minimal_app.py``) or sakari-tui (through ``sakari_tui.cli.main``,
as the command does) in the terminal it is given, and writes perf_counter readings
(CLOCK_MONOTONIC, comparable with the parent's) to OUT.json once the text is drawn:
interpreter start, imports done, the driver started (its terminal set-up written), the
first frame, the frame that drew the text, and the time spent writing frames to the
terminal. The app keeps running until the terminal closes. Hooks are put in place as the
modules load, so nothing is imported ahead of the command line.
"""

import time

T_START = time.perf_counter()

import json  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from _after_import import AfterImport  # noqa: E402

out_path, which = sys.argv[1], sys.argv[2]
marks: dict = {"start": T_START, "frames": [], "write_s": 0.0, "writes": 0}
state = {"drawn": False, "done": False}


AFTER = os.environ.get("SAKARI_TRACE_AFTER")  # a path: cProfile for 0.3 s after the text is drawn
PROFILE = os.environ.get("SAKARI_TRACE_PROFILE")  # a path: cProfile until the text is drawn
if PROFILE:
    import cProfile

    profiler = cProfile.Profile()
    profiler.enable()


def write_marks() -> None:
    if not state["done"]:
        state["done"] = True
        if PROFILE:
            profiler.disable()
            profiler.dump_stats(PROFILE)
        marks["cpu"] = time.process_time()
        partial = Path(out_path + ".partial")  # whole or not at all: the parent polls for it
        partial.write_text(json.dumps(marks))
        os.replace(partial, out_path)


def mark_calls(owner, name: str, label: str) -> None:  # type: ignore[no-untyped-def]
    """Note when ``owner.name`` is first called (work scheduled for after the first frame)."""
    original = getattr(owner, name)

    def wrapper(*args, **kwargs):  # type: ignore[no-untyped-def]
        marks.setdefault(label, time.perf_counter())
        return original(*args, **kwargs)

    setattr(owner, name, wrapper)


def patch_app_class(app_class) -> None:  # type: ignore[no-untyped-def]
    original_display = app_class._display
    if hasattr(app_class, "_settle"):
        mark_calls(app_class, "_settle", "settle_called")

    def _display(self, screen, renderable) -> None:  # type: ignore[no-untyped-def]
        t0 = time.perf_counter()
        original_display(self, screen, renderable)
        if renderable is None:
            return
        now = time.perf_counter()
        if self._batch_count:  # inside App.batch_update(): Textual drops the frame
            marks.setdefault("dropped_frames", []).append(now)
            return
        marks["frames"].append((t0, now))
        if state["drawn"] and "drawn" not in marks:
            marks["drawn"] = now
            if AFTER:  # profile what the app does in the 0.3 s after the frame with the text
                import cProfile

                after = cProfile.Profile()
                after.enable()

                def dump() -> None:
                    after.disable()
                    after.dump_stats(AFTER)
                    write_marks()

                self.set_timer(0.3, dump)
            else:
                self.call_later(write_marks)

    app_class._display = _display


def patch_driver(module) -> None:  # type: ignore[no-untyped-def]
    driver_class = module.LinuxDriver
    original_start, original_write = driver_class.start_application_mode, driver_class.write

    def start_application_mode(self):  # type: ignore[no-untyped-def]
        marks["driver_start"] = time.perf_counter()
        original_start(self)
        marks["driver_started"] = time.perf_counter()

    def write(self, data):  # type: ignore[no-untyped-def]
        t0 = time.perf_counter()
        original_write(self, data)
        marks["write_s"] += time.perf_counter() - t0
        marks["writes"] += 1

    driver_class.start_application_mode, driver_class.write = start_application_mode, write


def patch_list(module) -> None:  # type: ignore[no-untyped-def]
    original = module.ConversationList.render_line

    def render_line(self, y):  # type: ignore[no-untyped-def]
        if self.rows:
            state["drawn"] = True
        return original(self, y)

    module.ConversationList.render_line = render_line


def mark(name: str) -> Callable:
    def patch(module) -> None:  # type: ignore[no-untyped-def]
        marks[name] = time.perf_counter()

    return patch


def main() -> None:
    sys.meta_path.insert(0, AfterImport("textual.drivers.linux_driver", patch_driver))
    sys.meta_path.insert(0, AfterImport("textual.app", mark("textual_imported")))
    if which == "minimal":
        import _minimal_app

        marks["imported"] = time.perf_counter()
        state["drawn"] = True
        patch_app_class(_minimal_app.Minimal)
        _minimal_app.Minimal().run()
        return
    sys.meta_path.insert(0, AfterImport("sakari_tui.widgets.conversation_list", patch_list))

    def patch_screen(module) -> None:  # type: ignore[no-untyped-def]
        marks["screen_imported"] = time.perf_counter()
        mark_calls(module.ConversationsScreen, "_paint_rest_from_cache", "rest_called")

    sys.meta_path.insert(0, AfterImport("sakari_tui.screens.conversations", patch_screen))

    def patch_sakari(module) -> None:  # type: ignore[no-untyped-def]
        marks["app_imported"] = time.perf_counter()
        patch_app_class(module.SakariApp)

    sys.meta_path.insert(0, AfterImport("sakari_tui.app", patch_sakari))
    from sakari_tui import cli

    marks["imported"] = time.perf_counter()
    cli.main(["--config", sys.argv[3]])


if __name__ == "__main__":
    main()
