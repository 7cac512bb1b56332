"""Simulated customers for a live demo.

Every few seconds someone texts in: usually a customer with a recent conversation asking
something new, sometimes a new customer. A few seconds after the business replies, the
customer answers briefly. Everything goes through the same path as Sandbox.inject_inbound.
"""

from __future__ import annotations

import asyncio
import random

from . import seed_text as text
from .clock import now
from .messaging import receive_message
from .seed import fictional_mobile
from .store import Store

TICK = 0.2
NEW_CUSTOMER_SHARE = 0.25
RECENT_CONVERSATIONS = 30


class LiveCustomers:
    def __init__(self, store: Store, seed: int, interval: tuple[float, float]) -> None:
        self._store = store
        self._rng = random.Random(f"live:{seed}")
        self._interval = interval
        # Customers answer sooner than they write in unprompted: 2-6 s with the default 4-10 s.
        self._reply_delay = (interval[0] / 2, interval[0] * 1.5)
        self._tick = min(TICK, interval[0] / 4) if interval[0] > 0 else TICK
        # conversation id -> when its customer answers the business's last reply
        self._replies_due: dict[str, float] = {}
        self._next_number = 5000  # fictional numbers beyond the seeded ones

    async def run(self) -> None:
        next_message = now() + self._rng.uniform(*self._interval)
        while True:
            await asyncio.sleep(self._tick)
            moment = now()
            self._note_replies(moment)
            self._send_due_replies(moment)
            if moment >= next_message:
                self.write_in()
                next_message = moment + self._rng.uniform(*self._interval)

    def _note_replies(self, moment: float) -> None:
        feed = self._store.outbound_feed
        while feed:
            message = feed.popleft()
            contact = self._store.contacts.get(message.contact_id)
            if contact is None or contact.blocked_at is not None or message.final_status == "Error":
                continue
            # One answer per burst of replies: the first reply sets the time.
            self._replies_due.setdefault(message.conversation_id, moment + self._rng.uniform(*self._reply_delay))

    def _send_due_replies(self, moment: float) -> None:
        for conversation_id, due in list(self._replies_due.items()):
            if due > moment:
                continue
            del self._replies_due[conversation_id]
            conversation = self._store.conversations.get(conversation_id)
            contact = self._store.contacts.get(conversation.contact_id) if conversation else None
            if contact is not None and contact.blocked_at is None:
                receive_message(self._store, contact.mobile, self._rng.choice(text.REPLIES))

    def write_in(self) -> None:
        """One customer writes in, new or known."""
        recent = []
        for conversation in self._store.conversations_newest_first():
            contact = self._store.contacts.get(conversation.contact_id)
            if contact is not None and contact.blocked_at is None:
                recent.append(contact)
            if len(recent) >= RECENT_CONVERSATIONS:
                break
        if recent and self._rng.random() >= NEW_CUSTOMER_SHARE:
            contact = self._rng.choice(recent)
            receive_message(self._store, contact.mobile, self._rng.choice(text.FOLLOW_UP_QUESTIONS))
            return
        while True:
            number = fictional_mobile(self._next_number)
            self._next_number += 1
            if self._store.contact_by_mobile(number) is None:
                break
        receive_message(self._store, number, self._rng.choice(text.FIRST_MESSAGES))
