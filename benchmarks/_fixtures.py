"""Data the benchmarks run on: large seeded sandboxes, a filled cache, long threads."""

from __future__ import annotations

import asyncio
import random
from pathlib import Path
from typing import Any

import _common
import httpx

from sakari_tui.api import SakariClient
from sakari_tui.core.store import Store
from sakari_tui.demo import (
    DEMO_ACCOUNT_ID,
    DEMO_API_URL,
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    demo_sandbox,
)
from sakari_tui.sandbox import Sandbox

PROFILE = "bench"


def big_sandbox(conversations: int, *, contacts: int | None = None) -> Sandbox:
    """A quiet sandbox (no simulated customers) with ``conversations`` seeded conversations."""
    return demo_sandbox(
        seed=7,
        live=False,
        conversations=conversations,
        contacts=contacts or conversations,
        base_time=_common.BASE_TIME,
        status_step=0.05,
        error_share=0.0,
    )


def client_for(sandbox: Sandbox) -> SakariClient:
    return SakariClient(
        api_url=DEMO_API_URL,
        client_id=DEMO_CLIENT_ID,
        client_secret=DEMO_CLIENT_SECRET,
        account_id=DEMO_ACCOUNT_ID,
        transport=httpx.ASGITransport(app=sandbox.app),
    )


async def fetch_all_conversations(sandbox: Sandbox) -> list[Any]:
    """Every conversation as the client's models, newest first, walked page by page."""
    async with client_for(sandbox) as client:
        return [c async for c in client.conversations.iterate()]


def fill_cache(data_dir: Path, sandbox: Sandbox, profile: str = PROFILE) -> tuple[int, int]:
    """Fill the profile's SQLite cache as the app would: every conversation (the client's
    models, saved with ``to_json``), and the newest page of messages of the newest one
    (the conversation the app opens at start). Returns (conversations, messages) saved."""

    async def fetch() -> tuple[list[Any], list[Any]]:
        async with client_for(sandbox) as client:
            conversations = [c async for c in client.conversations.iterate()]
            page = await client.messages.fetch_all(conversation_id=conversations[0].id, limit=50)
            return conversations, list(page.items)

    conversations, messages = asyncio.run(fetch())
    store = Store.for_profile(data_dir, profile)
    try:
        store.save_conversations(c.to_json() for c in conversations)
        store.save_messages(m.to_json() for m in messages)
    finally:
        store.close()
    return len(conversations), len(messages)


def write_config(path: Path, profile: str = PROFILE, **settings: Any) -> Path:
    lines = [f'default_profile = "{profile}"', "", f"[profiles.{profile}]"]
    values = {
        "api_url": "http://sakari.invalid",
        "client_id": DEMO_CLIENT_ID,
        "client_secret": DEMO_CLIENT_SECRET,
        "account_id": DEMO_ACCOUNT_ID,
        **settings,
    }
    for key, value in values.items():
        lines.append(f"{key} = {value!r}".replace("'", '"') if isinstance(value, str) else f"{key} = {value}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    path.chmod(0o600)
    return path


def lengthen_thread(sandbox: Sandbox, conversation_id: str, total: int) -> int:
    """Add seeded-style messages to a conversation until it holds ``total``, spread over the
    weeks before its first message (so they sort as older history). Returns the count."""
    from sakari_tui.sandbox import seed_text
    from sakari_tui.sandbox.records import Message

    store = sandbox.store
    conversation = store.conversations[conversation_id]
    existing = [store.messages[i] for i in conversation.message_ids]
    missing = total - len(existing)
    if missing <= 0:
        return len(existing)
    rng = random.Random(5000)
    lines = [line[2:] for _, _, story in seed_text.CONVERSATIONS for line in story]
    start = min(m.created_at for m in existing) if existing else _common.BASE_TIME
    older = []
    for n in range(missing):
        outgoing = n % 3 == 0
        body = rng.choice(lines).format(first="Sam", staff="Alex")
        if n % 7 == 0:
            body = " ".join([body] * rng.randint(2, 4))  # some long messages that wrap
        older.append(
            Message(
                id=store.new_id(),
                conversation_id=conversation_id,
                contact_id=conversation.contact_id,
                text=body,
                outgoing=outgoing,
                created_at=start - (missing - n) * 600.0,
                segments=1,
                encoding="GSM-7",
                price=0.0,
                final_status="Delivered" if outgoing else "Received",
                settled=True,
                announced_status="Delivered" if outgoing else "Received",
            )
        )
    for message in older:
        store.messages[message.id] = message
        store.message_ids_by_contact.setdefault(message.contact_id, []).append(message.id)
    # Oldest first, as the store keeps them.
    conversation.message_ids[:0] = [m.id for m in older]
    return len(conversation.message_ids)


def freeze_sandbox_objects() -> None:
    """Move every object alive now (the in-process sandbox's data above all) out of the
    garbage collector's sight, so its pauses measure the app's own heap: a real run talks
    to a remote API and has no sandbox in its process. Objects made later are tracked as usual."""
    import gc

    gc.collect()
    gc.freeze()
