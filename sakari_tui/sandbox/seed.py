"""Fill a store with believable demo data. The same seed always gives the same data.

Timestamps are offsets back from a base time (now, unless the config fixes one), so the texts,
names and ids repeat exactly while the dates stay recent.
"""

from __future__ import annotations

import random
from datetime import datetime, timezone

from . import seed_text as text
from .clock import now
from .config import SandboxConfig
from .records import Campaign, Contact, Message, Template
from .store import Store

DEFAULT_CONTACTS = 64
DEFAULT_CONVERSATIONS = 25
MINUTE = 60.0
HOUR = 60 * MINUTE
DAY = 24 * HOUR


def fictional_mobile(index: int) -> str:
    """The index-th fictional US mobile: +1 <area> 555 01xx first, then further 555 lines."""
    area = text.AREA_CODES[index % len(text.AREA_CODES)]
    row = index // len(text.AREA_CODES)
    # 9,900 lines per exchange (0100-9999); very large data sets move on to 556, 557...
    exchange = 555 + row // 9900
    line = 100 + row % 9900
    return f"+1{area}{exchange}{line:04d}"


def seed_store(store: Store, config: SandboxConfig) -> None:
    rng = random.Random(config.seed)
    base = config.base_time if config.base_time is not None else now()
    conversation_count = DEFAULT_CONVERSATIONS if config.conversations is None else config.conversations
    contact_count = DEFAULT_CONTACTS if config.contacts is None else config.contacts
    contact_count = max(contact_count, conversation_count)

    contacts = [_make_contact(store, rng, index, base) for index in range(contact_count)]
    talkers = rng.sample(range(contact_count), conversation_count)
    _block_some(rng, contacts, exclude=set(talkers), base=base)
    if conversation_count > text.HOSTILE_CONTACT_STORY:
        contacts[talkers[text.HOSTILE_CONTACT_STORY]].last_name = text.HOSTILE_LAST_NAME
    for contact in contacts:
        store.add_contact(contact)

    _seed_conversations(store, rng, [contacts[i] for i in talkers], base)
    _seed_templates_and_campaigns(store, rng, base)


def _make_contact(store: Store, rng: random.Random, index: int, base: float) -> Contact:
    first = rng.choice(text.FIRST_NAMES)
    last = rng.choice(text.LAST_NAMES)
    email = ""
    if rng.random() < 0.8:
        local = f"{first}.{last}".lower().replace("'", "")
        email = f"{local}{rng.randint(1, 99) if rng.random() < 0.3 else ''}@{rng.choice(text.EMAIL_DOMAINS)}"
    tags = rng.sample(text.TAGS, rng.choice((0, 1, 1, 2, 2, 3)))
    since = base - rng.uniform(30, 900) * DAY
    attributes = {
        "city": rng.choice(text.CITIES),
        "plan": rng.choice(text.PLANS),
        "customerSince": _date(since),
        "favourite": rng.choice(text.FAVOURITES),
    }
    return Contact(
        id=store.new_id(),
        mobile=fictional_mobile(index),
        country="US",
        first_name=first,
        last_name=last,
        email=email,
        tags=tags,
        attributes=attributes,
        created_at=since,
        updated_at=since + rng.uniform(0, 20) * DAY,
    )


def _date(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, timezone.utc).strftime("%Y-%m-%d")


def _block_some(rng: random.Random, contacts: list[Contact], exclude: set[int], base: float) -> None:
    """Two customers who texted STOP at some point (no conversation of theirs is seeded)."""
    candidates = [i for i in range(len(contacts)) if i not in exclude]
    for index in rng.sample(candidates, min(2, len(candidates))):
        blocked_at = contacts[index].blocked_at = base - rng.uniform(2, 60) * DAY
        contacts[index].updated_at = max(contacts[index].updated_at, blocked_at)


def _seed_conversations(store: Store, rng: random.Random, talkers: list[Contact], base: float) -> None:
    # Plan every message first, then add them in time order so the store's orderings
    # (conversations by last message, messages by time) come out right without sorting.
    planned: list[tuple[float, int, bool, str]] = []  # (time, conversation index, outgoing, text)
    states: list[str] = []
    for index, contact in enumerate(talkers):
        _title, state, lines = text.CONVERSATIONS[index % len(text.CONVERSATIONS)]
        states.append(state)
        if state == "unread":
            end = base - rng.uniform(2 * MINUTE, 3 * HOUR)
        elif state == "read":
            end = base - rng.uniform(3 * HOUR, 3 * DAY)
        else:
            end = base - rng.uniform(1 * DAY, 10 * DAY)
        if index >= len(text.CONVERSATIONS):
            end -= rng.uniform(0, 30 * DAY)
        staff = rng.choice(text.STAFF)
        at = end
        timeline = []
        for line in reversed(lines):
            outgoing = line.startswith(">")
            body = line[2:].format(first=contact.first_name, staff=staff)
            timeline.append((at, index, outgoing, body))
            at -= rng.uniform(1, 25) * MINUTE
        planned.extend(reversed(timeline))
    planned.sort(key=lambda item: item[0])

    conversations = {}
    for at, index, outgoing, body in planned:
        contact = talkers[index]
        if index not in conversations:
            conversations[index], _ = store.open_conversation(contact, at)
        message = Message.counted(
            store.new_id(),
            conversations[index],
            contact,
            body,
            at,
            outgoing=outgoing,
            final_status="Delivered" if outgoing else "Received",
            settled=True,
            announced_status="Delivered" if outgoing else "Received",
        )
        store.add_message(message, conversations[index])

    for index, conversation in conversations.items():
        if states[index] != "unread":
            conversation.unread.clear()
        if states[index] == "closed":
            closed_at = conversation.updated_at + rng.uniform(5, 120) * MINUTE
            store.close_conversation(conversation, min(closed_at, base))


def _seed_templates_and_campaigns(store: Store, rng: random.Random, base: float) -> None:
    templates = []
    for name, template_type, body in text.TEMPLATES:
        at = base - rng.uniform(20, 200) * DAY
        template = Template(store.new_id(), name, body, template_type, at, at + rng.uniform(0, 10) * DAY)
        store.templates[template.id] = template
        templates.append(template)
    for name, code, template_index, filters in text.CAMPAIGNS:
        at = base - rng.uniform(5, 60) * DAY
        campaign = Campaign(
            store.new_id(),
            name,
            code,
            templates[template_index].text,
            {key: [dict(v) if isinstance(v, dict) else v for v in value] for key, value in filters.items()},
            at,
            at,
        )
        store.campaigns[campaign.id] = campaign
