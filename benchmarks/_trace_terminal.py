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


# Time spent inside these functions until the text is drawn: (module, "Class.function" or
# "function", label). Summed over calls (an inner call of the same function is not counted
# twice), so the phases of start-up that are not one call each (styles, layout, rendering)
# can be told apart.
SPANS = [
    ("dataclasses", "_process_class", "making dataclasses"),
    ("textual.css.stylesheet", "Stylesheet.parse", "parsing styles"),
    ("textual.css.stylesheet", "Stylesheet.apply", "applying styles to widgets"),
    ("textual.screen", "Screen._refresh_layout", "layout and rendering (Screen._refresh_layout)"),
    ("textual._compositor", "Compositor.render_update", "of which rendering the screen"),
    ("textual.app", "App._init_mode", "making the first screen (App._init_mode)"),
    ("sakari_tui.core.store", "Store.for_profile", "opening the store"),
    ("sakari_tui.app", "SakariApp.start_session", "starting the session"),
]


def patch_spans(module) -> None:  # type: ignore[no-untyped-def]
    spans = marks.setdefault("spans", {})
    for module_name, qualname, label in SPANS:
        if module_name != module.__name__:
            continue
        *owner_path, name = qualname.split(".")
        owner = module
        for part in owner_path:
            owner = getattr(owner, part)
        original = getattr(owner, name)
        depth = [0]

        def timed(*args, _original=original, _label=label, _depth=depth, **kwargs):  # type: ignore[no-untyped-def]
            if state["drawn"] and "drawn" in marks:
                return _original(*args, **kwargs)
            _depth[0] += 1
            t0 = time.perf_counter()
            try:
                result = _original(*args, **kwargs)
            finally:
                _depth[0] -= 1
                if not _depth[0]:
                    count, total = spans.get(_label, (0, 0.0))
                    spans[_label] = (count + 1, total + time.perf_counter() - t0)
            return result

        if hasattr(original, "__code__") and original.__code__.co_flags & 0x80:  # a coroutine function

            async def timed_async(*args, _original=original, _label=label, **kwargs):  # type: ignore[no-untyped-def]
                t0 = time.perf_counter()
                try:
                    return await _original(*args, **kwargs)
                finally:
                    count, total = spans.get(_label, (0, 0.0))
                    spans[_label] = (count + 1, total + time.perf_counter() - t0)

            setattr(owner, name, timed_async)
        else:
            setattr(owner, name, timed)


def mark(name: str) -> Callable:
    def patch(module) -> None:  # type: ignore[no-untyped-def]
        marks[name] = time.perf_counter()

    return patch


def install(patches: dict[str, list[Callable]]) -> None:
    """One import hook per module, running all its patches."""
    for module_name, patch_list in patches.items():

        def patch_all(module, _patches=patch_list) -> None:  # type: ignore[no-untyped-def]
            for patch in _patches:
                patch(module)

        sys.meta_path.insert(0, AfterImport(module_name, patch_all))


def main() -> None:
    patches: dict[str, list[Callable]] = {
        "textual.drivers.linux_driver": [patch_driver],
        "textual.app": [mark("textual_imported")],
    }
    if os.environ.get("SAKARI_TRACE_SPANS"):  # spans add a call's worth of cost to each call timed
        import dataclasses

        patch_spans(dataclasses)
        for module_name in {m for m, _, _ in SPANS} - {"dataclasses"}:
            patches.setdefault(module_name, []).append(patch_spans)
    if which == "minimal":
        install(patches)
        import _minimal_app

        marks["imported"] = time.perf_counter()
        state["drawn"] = True
        patch_app_class(_minimal_app.Minimal)
        _minimal_app.Minimal().run()
        return

    def patch_screen(module) -> None:  # type: ignore[no-untyped-def]
        marks["screen_imported"] = time.perf_counter()
        mark_calls(module.ConversationsScreen, "_paint_rest_from_cache", "rest_called")

    def patch_sakari(module) -> None:  # type: ignore[no-untyped-def]
        marks["app_imported"] = time.perf_counter()
        patch_app_class(module.SakariApp)

    for module_name, patch in (("sakari_tui.widgets.conversation_list", patch_list),
                               ("sakari_tui.screens.conversations", patch_screen),
                               ("sakari_tui.app", patch_sakari)):  # fmt: skip
        patches.setdefault(module_name, []).insert(0, patch)
    install(patches)
    from sakari_tui import cli

    marks["imported"] = time.perf_counter()
    cli.main(["--config", sys.argv[3]])


if __name__ == "__main__":
    main()
