"""The garbage collector's policy, in one place.

CPython's collector walks every tracked object in its full passes. The app builds a great
deal that lives as long as it does (modules, styles, widgets, cached rows), so left alone
those passes grow long and stall frames. The policy, with the numbers in BENCHMARKS.md:

1. **Start-up: off.** The command line turns the collector off before the app is imported
   (``paused``): start-up allocates a great deal and frees almost nothing, so
   the passes over it were wasted, about a fifth of the time to the first frame.
2. **After the first frame: settle, then on** (``startup_done``): one full collection (it
   finds some 13,000 objects of start-up garbage), then what is left is frozen out of every
   later pass (``gc.freeze``), and the collector is turned back on. A form that is shown
   instead of the inbox (the first-run setup) turns it on at once (``resume``).
3. **A screen that has built something big and long-lived settles again** (the contacts
   list once its first page is painted: its later full passes went from 26-40 ms to 17-21 ms).
4. **A job that holds a big, short-lived structure holds it out of the passes** (``hold``:
   the parsed file of a CSV import, ~175,000 objects, whose full passes took ~110 ms each),
   and once it has been let go the heap is settled with a thaw first
   (``settle(thaw=True)``), so that the cycles it held can be freed.

5. **A quick reply from the shell runs with the collector off** (``paused``, from the
   first line of the command line's ``main``, to its end): ``sakari-tui send`` spent 12.5 ms
   in 74 collections over what its imports leave behind, and holds little else. Every other
   command turns it back on before it runs (``resume``): paging through an account leaves
   cycles behind with each page (``contacts --json --limit 0`` over 100,000 contacts peaked
   at 80.7 MB without the collector, 33.0 MB with it), and ``serve`` runs until stopped.

Frozen objects are still freed by reference counting when their last reference goes; only
cyclic garbage among them waits for a thaw. Nothing here imports anything but ``gc``, so
the command line can use it before the app is loaded.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused() -> Iterator[None]:
    """The collector off for the block: the command line runs everything in one, so the app
    starts and a one-shot command runs without it. ``startup_done`` or ``resume`` turns it
    back on earlier; it is on again, whatever happens, when the block ends."""
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def startup_done() -> None:
    """After the first frame: collect once, freeze what is alive, collector on."""
    settle()
    gc.enable()


def resume() -> None:
    """Collector on, nothing frozen: for a start that shows no inbox (the setup form)."""
    gc.enable()


def settle(*, thaw: bool = False) -> None:
    """Collect, then move everything alive out of later full passes (``gc.freeze``).

    ``thaw`` first lets the collector see everything again, once something frozen that
    holds cycles (a closed dialog: widgets point at their parents) has been let go. About
    40 ms after start-up, up to about 100 ms with big pages held."""
    if thaw:
        gc.unfreeze()
    gc.collect()
    gc.freeze()


def hold() -> None:
    """Keep what is alive now (a big structure a job is about to walk for a while) out of
    the full passes until the next ``settle(thaw=True)``."""
    gc.freeze()
