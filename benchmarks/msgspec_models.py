"""Would msgspec read the API's models with less code and no start-up cost?

api/models.py reads about 20 frozen dataclasses by hand: lenient (a wrongly typed field
becomes its default), keeping unknown fields in ``extra``, accepting the 1.0.1 and later
shapes. This script measures the question with msgspec installed (it is not a dependency:
``pip install msgspec`` to run it); it reports numbers and never asserts.

  (a) import cost: in a fresh interpreter that has imported Textual and the models, what
      ``-X importtime`` counts for importing msgspec (with what it imports that was not
      loaded yet), median of the runs: what msgspec would add to the app's start-up;
  (b) reading 1,000 seeded messages: ``Message.from_json`` against ``msgspec.convert`` into a
      Struct with the same fields (``strict=False``), the Struct being the best case since it
      does none of the leniency;
  (c) what msgspec does with the API's drift, one message each: a field of the wrong type
      (the whole message is refused, not the field) and an unknown field (dropped, not kept).

    .venv/bin/python benchmarks/msgspec_models.py [--runs 15]
"""

import subprocess
import sys
import time

import _common
from _common import Result, median, ms

BEFORE = "import textual.app, sakari_tui.api.models"


def import_cost(runs: int) -> float:
    """Median seconds ``-X importtime`` gives msgspec's import (cumulative), after BEFORE."""
    times = []
    for _ in range(runs):
        done = subprocess.run([sys.executable, "-X", "importtime", "-c", f"{BEFORE}; import msgspec"],
                              check=True, cwd=_common.ROOT, capture_output=True, text=True)  # fmt: skip
        line = next(line for line in done.stderr.splitlines() if line.rstrip().endswith("| msgspec"))
        times.append(int(line.split("|")[1]) / 1e6)
    return median(times)


def main() -> None:
    cli = _common.parser(__doc__)
    cli.add_argument("--runs", type=int, default=15)
    args = cli.parse_args()
    runs = args.runs
    try:
        import msgspec
    except ImportError:
        print("msgspec is not installed: pip install msgspec")
        return

    from sakari_tui.api.models import Message
    from sakari_tui.sandbox import Sandbox, SandboxConfig

    class Contact(msgspec.Struct, frozen=True, rename="camel"):
        id: str | None = None
        first_name: str | None = None
        last_name: str | None = None

    class MessageStruct(msgspec.Struct, frozen=True, rename="camel"):
        id: str | None = None
        message: str | None = None
        outgoing: bool = False
        status: str | None = None
        contact: Contact | None = None
        phone_number: str | None = None
        price: float | None = None
        segments: float | None = None
        template: str | None = None
        type: str | None = None

    sandbox = Sandbox(SandboxConfig(seed=7, contacts=200, conversations=200, base_time=_common.BASE_TIME))
    bodies = sandbox.messages()[:1000]
    reps = 20

    started = time.perf_counter()
    for _ in range(reps):
        for body in bodies:
            Message.from_json(body)
    ours = (time.perf_counter() - started) / reps

    started = time.perf_counter()
    for _ in range(reps):
        for body in bodies:
            msgspec.convert(body, MessageStruct, strict=False)
    theirs = (time.perf_counter() - started) / reps

    drift = {"id": "m1", "message": "hi", "price": {"amount": 1}, "someNewField": 1}
    ours_drift = Message.from_json(drift)
    try:
        msgspec.convert(drift, MessageStruct, strict=False)
        refused = "read"
    except msgspec.ValidationError as exc:
        refused = f"refused: {exc}"
    kept = "kept in extra" if "someNewField" in ours_drift.extra else "dropped"

    imported = import_cost(runs)
    results = [
        Result("msgspec", "import msgspec after Textual and the models, fresh process", ms(imported), "ms"),
        Result("msgspec", f"read {len(bodies):,} messages: Message.from_json", ms(ours), "ms"),
        Result("msgspec", f"read {len(bodies):,} messages: msgspec.convert (no leniency)", ms(theirs), "ms"),
        Result(
            "msgspec",
            "a message with price {...}: ours",
            None,
            "",
            note=f"read, price={ours_drift.price}, unknown field {kept}",
        ),
        Result("msgspec", "a message with price {...}: msgspec strict=False", None, "", note=refused),
    ]
    _common.report("msgspec and the models", results, args.json)


if __name__ == "__main__":
    main()
