"""The app's outbox in a process of its own, to be killed with SIGKILL and started again.

    python tests/outbox_process.py --db PATH --url URL [--enqueue N --conversation ID --prefix TEXT]

It does at start what the app does (``Store.recover_interrupted_sends``: a send in flight when
the last process died has an unknown outcome), writes ``N`` replies to the outbox when asked,
then runs outbox passes, as the conversations screen does, until nothing waits. One line per
pass on stdout: ``pass SENT WAITING``; ``done`` at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sakari_tui.api import RetryPolicy, SakariClient
from sakari_tui.core.outbox import Outbox
from sakari_tui.core.store import OutboxState, Store


async def run(args: argparse.Namespace) -> None:
    store = Store(args.db)
    recovered = store.recover_interrupted_sends()
    print(f"recovered {recovered}", flush=True)
    async with SakariClient(
        api_url=args.url,
        client_id="demo-client",
        client_secret="demo-secret",
        account_id="demo-account",
        retry=RetryPolicy(max_attempts=3, base_delay=0.01, max_delay=0.1, max_total=2.0),
    ) as client:
        outbox = Outbox(store, client)
        for i in range(args.enqueue):
            outbox.enqueue(f"{args.prefix} {i}", conversation_id=args.conversation)
        while outbox.waiting():
            await outbox.flush()
            sent = len(store.outbox_items(OutboxState.SENT))
            print(f"pass {sent} {len(outbox.waiting())}", flush=True)
            if outbox.waiting():
                await asyncio.sleep(0.05)
        print("done", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--url", required=True)
    parser.add_argument("--enqueue", type=int, default=0)
    parser.add_argument("--conversation")
    parser.add_argument("--prefix", default="reply")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
