"""Full-text search over every message the app has seen, in the profile's SQLite store.

Three tables beside the cache (created by ``install``, called when the store opens):

- ``search_messages``: one compact row per message (its id, conversation, direction and
  text), keyed by a number that orders messages by time, newest first (``time_key``),
  whatever order they were indexed in: polls bring the newest, scrollback and the history
  fill older ones. Newest first is also the order the history fill reads in, so its rows,
  the bulk of the table, are appended at the end of the B-tree, which packs pages full.
- ``search_text``: an FTS5 index of that text, with ``search_messages`` as its external
  content, so the text is stored once. FTS5 walks a match in key order, so "newest first,
  the first 100" stops after 100 hits instead of sorting every match.
- ``search_conversations``: each conversation's contact name and number, matched as
  substrings (numbers are typed in pieces: "0103", "555 01").

Nothing here imports Textual; the screens call ``SearchIndex`` and ``HistoryFill``.
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
import unicodedata
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sakari_tui.api.values import as_datetime

SEARCH_SCHEMA_VERSION = 1

# A key is (seconds from the time to HORIZON) * SLOTS + a slot: the newest message has the
# smallest key. Up to SLOTS messages of the same second keep their own key; more spill into
# the next free keys (a second earlier). Seconds, not milliseconds, keep the gaps between
# neighbouring keys small, and so the FTS index's varints short.
EPOCH = 1_577_836_800  # 2020-01-01T00:00:00Z
HORIZON = 2**31  # seconds after EPOCH: the year 2088
SLOTS = 64

# Searching: the newest RECENT messages are checked here first, which finds the newest 100
# of anything common (a word in one message of 50) at once. Rarer queries go to FTS5 for
# what is older, where a word being typed counts as a prefix only from SHORT_PREFIX
# letters: a shorter prefix ("t*") merges the lists of thousands of words, a third of a
# second over a million messages, and is checked here on the messages found instead.
RECENT = 5000
SHORT_PREFIX = 3
SCAN_LIMIT = 5000  # messages checked here at most, after FTS5 found them

_SCHEMA = """
CREATE TABLE IF NOT EXISTS search_messages (
    key INTEGER PRIMARY KEY,            -- time_key(created): newest is smallest
    message_id TEXT NOT NULL UNIQUE,
    conversation_id TEXT,
    outgoing INTEGER NOT NULL DEFAULT 0,
    text TEXT NOT NULL
);
CREATE VIRTUAL TABLE IF NOT EXISTS search_text USING fts5(
    text,
    content='search_messages',
    content_rowid='key',
    tokenize='unicode61 remove_diacritics 2',
    detail=none,      -- which messages hold a word, not where: no phrase search, a third of the size
    columnsize=0      -- no per-message token counts: nothing here ranks by relevance
);
CREATE TABLE IF NOT EXISTS search_conversations (
    conversation_id TEXT PRIMARY KEY,
    name TEXT NOT NULL DEFAULT '',
    folded TEXT NOT NULL DEFAULT '',    -- the name in lower case without accents, to match in
    number TEXT NOT NULL DEFAULT '',
    last_key INTEGER                    -- the key of its newest message indexed, for ordering
);
CREATE TABLE IF NOT EXISTS search_meta (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""


def install(db: sqlite3.Connection) -> bool:
    """Create the search tables in an existing store (a migration: nothing else changes).
    True when they were made just now, so what the cache holds can be indexed. Raises
    sqlite3.OperationalError when this SQLite has no FTS5."""
    db.executescript(_SCHEMA)
    made = db.execute(
        "INSERT OR IGNORE INTO search_meta(name, value) VALUES ('schema', ?)", (str(SEARCH_SCHEMA_VERSION),)
    ).rowcount
    return bool(made)


def time_key(when: datetime | None) -> int:
    """The first key of the second ``when`` falls in."""
    seconds = int(when.timestamp()) if when is not None else int(datetime.now(timezone.utc).timestamp())
    return min(max(EPOCH + HORIZON - seconds, 0), HORIZON) * SLOTS


def key_time(key: int) -> datetime:
    return datetime.fromtimestamp(EPOCH + HORIZON - key // SLOTS, tz=timezone.utc)


def contact_name(contact: Mapping[str, Any] | None) -> str:
    if not isinstance(contact, Mapping):
        return ""
    return " ".join(str(part) for part in (contact.get("firstName"), contact.get("lastName")) if part)


def contact_number(contact: Mapping[str, Any] | None) -> str:
    mobile = contact.get("mobile") if isinstance(contact, Mapping) else None
    number = mobile.get("number") if isinstance(mobile, Mapping) else None
    return number if isinstance(number, str) else ""


def _fold(text: str) -> str:
    """Lower case without accents, as the FTS tokenizer compares."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


# Letters and digits: what the FTS tokenizer (unicode61) keeps as one token; "_" separates.
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


@dataclass(frozen=True)
class Query:
    """What was typed, as words: all must match; the last one as a prefix while it is
    being typed (no space after it yet)."""

    words: tuple[str, ...]
    last_is_prefix: bool

    @classmethod
    def parse(cls, typed: str) -> Query:
        words = tuple(_fold(word) for word in _WORD.findall(typed))
        return cls(words, bool(words) and not typed[-1:].isspace())

    @property
    def prefix(self) -> str | None:
        return self.words[-1] if self.last_is_prefix else None

    @property
    def whole_words(self) -> tuple[str, ...]:
        return self.words[:-1] if self.last_is_prefix else self.words

    def fts(self, *, short_prefix: bool = True) -> str:
        """An FTS5 MATCH expression: every word quoted, so nothing typed is syntax. Without
        ``short_prefix`` a prefix shorter than SHORT_PREFIX is left out (see ``matches``)."""
        parts = [f'"{word}"' for word in self.whole_words]
        prefix = self.prefix
        if prefix is not None and (short_prefix or len(prefix) >= SHORT_PREFIX):
            parts.append(f'"{prefix}"*')
        return " ".join(parts)

    def matches(self, text: str) -> bool:
        """Whether ``text`` has every word, as the FTS index would say."""
        folded = text.lower() if text.isascii() else _fold(text)
        if not all(word in folded for word in self.words):
            return False  # the cheap test first: most texts fail it
        tokens = set(_WORD.findall(folded))
        if not all(word in tokens for word in self.whole_words):
            return False
        prefix = self.prefix
        return prefix is None or any(token.startswith(prefix) for token in tokens)

    def __bool__(self) -> bool:
        return bool(self.words)


def match_spans(text: str, query: Query) -> list[tuple[int, int]]:
    """Where the query's words start words of ``text`` (for highlighting), as (start, end)."""
    folded = _fold(text)
    if len(folded) != len(text):  # an accent folded into a different length: no reliable spans
        folded = text.casefold()
        if len(folded) != len(text):
            return []
    spans = []
    for match in _WORD.finditer(folded):
        word = match.group()
        for index, wanted in enumerate(query.words):
            prefix = query.last_is_prefix and index == len(query.words) - 1
            if word == wanted or (prefix and word.startswith(wanted)):
                spans.append((match.start(), match.start() + (len(wanted) if prefix else len(word))))
                break
    return spans


@dataclass(frozen=True)
class Hit:
    """One search result: a message, or (``message_id`` None) a conversation whose contact's
    name or number matched."""

    conversation_id: str
    message_id: str | None
    name: str
    number: str
    text: str
    when: datetime | None
    outgoing: bool = False


@dataclass(frozen=True)
class Results:
    conversations: list[Hit]
    messages: list[Hit]
    more: bool  # more messages match than were returned


@dataclass(frozen=True)
class IndexSize:
    messages: int
    text_bytes: int  # what the messages hold: the text of search_messages
    index_bytes: int  # what FTS5 adds: its data, doclist index, sizes and config


class SearchIndex:
    """Adds messages and conversations to the index and answers queries. Each call is
    one short transaction on the store's connection."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    # -- adding --------------------------------------------------------------

    def add_messages(self, messages: Iterable[Mapping[str, Any]]) -> int:
        """Index messages in the API's JSON shape (what ``messages.fetchAll`` lists).
        A message already indexed with the same text costs one lookup. Returns how many
        were new or changed."""
        rows = []
        for body in messages:
            message_id = body.get("id")
            if not isinstance(message_id, str) or not message_id:
                continue
            conversation = body.get("conversation")
            conversation_id = conversation.get("id") if isinstance(conversation, Mapping) else None
            text = body.get("message") if isinstance(body.get("message"), str) else ""
            when = _stamp_time(body.get("created")) or _stamp_time(body.get("updated"))
            rows.append((message_id, conversation_id, bool(body.get("outgoing")), text, when, body.get("contact")))
        if not rows:
            return 0
        db = self._db
        conversations: dict[str, tuple[str, str, int | None]] = {}
        to_index: list[tuple[int, str | None]] = []
        db.execute("BEGIN")
        try:
            known = self._known(message_id for message_id, *_ in rows)
            for message_id, conversation_id, outgoing, text, when, contact in rows:
                old = known.get(message_id)
                if old is not None and old[1] == text:
                    key = old[0]
                else:
                    if old is not None:
                        key = old[0]
                        db.execute("INSERT INTO search_text(search_text, rowid, text) VALUES ('delete', ?, ?)", old)
                        db.execute("UPDATE search_messages SET text = ? WHERE key = ?", (text, key))
                    else:
                        key = self._free_key(time_key(when))
                        db.execute(
                            "INSERT INTO search_messages(key, message_id, conversation_id, outgoing, text) "
                            "VALUES (?, ?, ?, ?, ?)",
                            (key, message_id, conversation_id, int(outgoing), text),
                        )
                    to_index.append((key, text))
                    known[message_id] = (key, text)
                if conversation_id:
                    previous = conversations.get(conversation_id)
                    name, number = contact_name(contact), contact_number(contact)
                    if previous is None or key < (previous[2] or 0):
                        old_name, old_number = previous[:2] if previous else ("", "")
                        conversations[conversation_id] = (name or old_name, number or old_number, key)
            # In key order: FTS5 writes out what it holds whenever a rowid is lower than the
            # one before, and a page in any other order would make one tiny segment per message.
            to_index.sort()
            db.executemany("INSERT INTO search_text(rowid, text) VALUES (?, ?)", to_index)
            self._save_conversations(conversations)
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
        return len(to_index)

    def add_conversations(self, conversations: Iterable[Mapping[str, Any]]) -> None:
        """Conversations in the API's JSON shape: their contact's name and number, and their
        last message, which is indexed too."""
        last_messages = []
        found: dict[str, tuple[str, str, int | None]] = {}
        for body in conversations:
            conversation_id = body.get("id")
            if not isinstance(conversation_id, str) or not conversation_id:
                continue
            contact = body.get("contact")
            found[conversation_id] = (contact_name(contact), contact_number(contact), None)
            last = body.get("lastMessage")
            if isinstance(last, Mapping) and last.get("id"):
                last_messages.append({**last, "conversation": {"id": conversation_id}, "contact": contact})
        if found:
            self._db.execute("BEGIN")
            try:
                self._save_conversations(found)
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")
        self.add_messages(last_messages)

    def _save_conversations(self, conversations: Mapping[str, tuple[str, str, int | None]]) -> None:
        """Upsert names and numbers; a blank one never replaces a known one; last_key only
        moves to a newer message (a smaller key); None leaves it."""
        self._db.executemany(
            "INSERT INTO search_conversations(conversation_id, name, folded, number, last_key) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT(conversation_id) DO UPDATE SET "
            "name = CASE WHEN excluded.name != '' THEN excluded.name ELSE name END, "
            "folded = CASE WHEN excluded.name != '' THEN excluded.folded ELSE folded END, "
            "number = CASE WHEN excluded.number != '' THEN excluded.number ELSE number END, "
            "last_key = min(coalesce(last_key, excluded.last_key), coalesce(excluded.last_key, last_key))",
            [(cid, name, _fold(name), number, key) for cid, (name, number, key) in conversations.items()],
        )

    def _known(self, message_ids: Iterable[str]) -> dict[str, tuple[int, str | None]]:
        ids = list(dict.fromkeys(message_ids))
        known: dict[str, tuple[int, str | None]] = {}
        for start in range(0, len(ids), 500):  # SQLite caps the number of parameters
            chunk = ids[start : start + 500]
            placeholders = ", ".join("?" for _ in chunk)
            for message_id, key, text in self._db.execute(
                f"SELECT message_id, key, text FROM search_messages WHERE message_id IN ({placeholders})", chunk
            ):
                known[message_id] = (key, text)
        return known

    def _free_key(self, base: int) -> int:
        """The first free key of the second starting at ``base``; when that second is full
        (a bulk send), the first free key after it."""
        row = self._db.execute(
            "SELECT max(key) FROM search_messages WHERE key >= ? AND key < ?", (base, base + SLOTS)
        ).fetchone()
        key = base if row[0] is None else row[0] + 1
        while self._db.execute("SELECT 1 FROM search_messages WHERE key = ?", (key,)).fetchone():
            # The second is full, or the next key belongs to a later second: jump past the run.
            row = self._db.execute(
                "SELECT max(key) FROM search_messages WHERE key >= ? AND key < ?", (key, key + SLOTS * 60)
            ).fetchone()
            key = row[0] + 1
        return key

    # -- asking --------------------------------------------------------------

    def search(self, typed: str, *, limit: int = 100, conversation_limit: int = 20) -> Results:
        """Conversations whose name or number matches, and messages whose text has every word,
        each newest first."""
        query = Query.parse(typed)
        if not query:
            return Results([], [], False)
        return Results(self._conversation_hits(typed, query, conversation_limit), *self._message_hits(query, limit))

    def _message_hits(self, query: Query, limit: int) -> tuple[list[Hit], bool]:
        """The newest ``limit`` messages with every word, and whether more may match."""
        # The newest RECENT first. SQLite's LIKE (case-blind for ASCII) passes over the texts
        # that cannot match; texts with other characters (accents, emoji) are all checked here.
        likes = " AND ".join("text LIKE ?" for _ in query.words)
        sql = (
            "SELECT key, text FROM (SELECT key, text FROM search_messages ORDER BY key LIMIT ?) "
            f"WHERE ({likes}) OR text GLOB '*[^ -~]*' ORDER BY key"
        )
        keys = []
        for key, text in self._db.execute(sql, (RECENT, *(f"%{word}%" for word in query.words))):
            if query.matches(text):
                keys.append(key)
                if len(keys) > limit:
                    return self._hits(keys[:limit]), True
        row = self._db.execute(
            "SELECT key FROM search_messages ORDER BY key LIMIT 1 OFFSET ?", (RECENT - 1,)
        ).fetchone()
        more = False
        if row is not None:  # else there are no more than RECENT messages, and all were checked
            older, more = self._older_keys(query, row[0], limit + 1 - len(keys))
            keys.extend(older)
        return self._hits(keys[:limit]), more or len(keys) > limit

    def _common_in_recent(self, prefix: str) -> bool:
        """Whether one in a hundred of the newest messages has ``prefix`` (anywhere: a cheap
        over-estimate): then FTS5 would merge the lists of many words for it."""
        count = self._db.execute(
            "SELECT count(*) FROM (SELECT text FROM search_messages ORDER BY key LIMIT ?) WHERE text LIKE ?",
            (RECENT, f"%{prefix}%"),
        ).fetchone()[0]
        return bool(count * 100 >= RECENT)

    def _older_keys(self, query: Query, after: int, wanted: int) -> tuple[list[int], bool]:
        """Keys of matches older than the message of key ``after``, newest first, from FTS5; and True when the
        look stopped at SCAN_LIMIT messages before finding ``wanted``."""
        expression = query.fts(short_prefix=False) or query.fts()
        if expression != query.fts() and query.prefix is not None and not self._common_in_recent(query.prefix):
            expression = query.fts()  # a rare short prefix: FTS5 merges few lists for it
        if expression == query.fts():
            sql = "SELECT rowid FROM search_text WHERE search_text MATCH ? AND rowid > ? ORDER BY rowid LIMIT ?"
            try:
                return [row[0] for row in self._db.execute(sql, (expression, after, wanted))], False
            except sqlite3.OperationalError:
                return [], False  # a query FTS5 cannot read: nothing found rather than an error
        # A short prefix is left out of the FTS5 query and checked on what it finds.
        sql = (
            "SELECT m.key, m.text FROM search_text JOIN search_messages AS m ON m.key = search_text.rowid "
            "WHERE search_text MATCH ? AND search_text.rowid > ? ORDER BY search_text.rowid LIMIT ?"
        )
        found = []
        try:
            for key, text in self._db.execute(sql, (expression, after, SCAN_LIMIT)):
                if query.matches(text):
                    found.append(key)
                    if len(found) >= wanted:
                        return found, False
        except sqlite3.OperationalError:
            return [], False
        return found, len(found) < wanted and self._db.execute(
            "SELECT count(*) FROM (SELECT 1 FROM search_text WHERE search_text MATCH ? AND rowid > ? LIMIT ?)",
            (expression, after, SCAN_LIMIT + 1),
        ).fetchone()[0] > SCAN_LIMIT

    def _hits(self, keys: list[int]) -> list[Hit]:
        """The messages of these keys, in this order, with their conversation's name and number."""
        if not keys:
            return []
        placeholders = ", ".join("?" for _ in keys)
        rows = {
            row[0]: row
            for row in self._db.execute(
                "SELECT m.key, m.message_id, m.conversation_id, m.outgoing, m.text, c.name, c.number "
                "FROM search_messages AS m LEFT JOIN search_conversations AS c ON c.conversation_id = m.conversation_id "
                f"WHERE m.key IN ({placeholders})",
                keys,
            )
        }
        return [
            Hit(
                conversation_id=conversation_id or "",
                message_id=message_id,
                name=name or "",
                number=number or "",
                text=text,
                when=key_time(key),
                outgoing=bool(outgoing),
            )
            for key, message_id, conversation_id, outgoing, text, name, number in (rows[k] for k in keys if k in rows)
        ]

    def _conversation_hits(self, typed: str, query: Query, limit: int) -> list[Hit]:
        """Every word in the name, or the digits typed within the number."""
        digits = "".join(ch for ch in typed if ch.isdigit())
        clauses: list[str] = []
        params: list[object] = []
        name_clause = " AND ".join("(' ' || folded) LIKE ?" for _ in query.words)
        params.extend(f"% {word}%" for word in query.words)
        clauses.append(f"({name_clause})")
        if len(digits) >= 3 and not any(ch.isalpha() for ch in typed):
            clauses.append("replace(number, '+', '') LIKE ?")
            params.append(f"%{digits}%")
        sql = (
            "SELECT conversation_id, name, number, last_key FROM search_conversations "
            f"WHERE {' OR '.join(clauses)} ORDER BY last_key IS NULL, last_key LIMIT ?"
        )
        hits = []
        for conversation_id, name, number, last_key in self._db.execute(sql, (*params, limit)):
            hits.append(
                Hit(conversation_id, None, name, number, "", key_time(last_key) if last_key is not None else None)
            )
        return hits

    def message_count(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM search_messages").fetchone()[0])

    def size(self) -> IndexSize:
        """What the index costs on disk next to the text it holds (needs the dbstat table)."""
        text_bytes = self._db.execute(
            "SELECT coalesce(sum(length(CAST(text AS BLOB))), 0) FROM search_messages"
        ).fetchone()[0]
        index_bytes = self._db.execute(
            "SELECT coalesce(sum(pgsize), 0) FROM dbstat WHERE name LIKE 'search_text%' AND name != 'search_text'"
        ).fetchone()[0]
        return IndexSize(self.message_count(), text_bytes, index_bytes)

    # -- state of the history fill -------------------------------------------

    def meta(self, name: str) -> str | None:
        row = self._db.execute("SELECT value FROM search_meta WHERE name = ?", (name,)).fetchone()
        return row[0] if row else None

    def set_meta(self, **values: str | None) -> None:
        for name, value in values.items():
            if value is None:
                self._db.execute("DELETE FROM search_meta WHERE name = ?", (name,))
            else:
                self._db.execute(
                    "INSERT INTO search_meta(name, value) VALUES (?, ?) "
                    "ON CONFLICT(name) DO UPDATE SET value = excluded.value",
                    (name, value),
                )


@dataclass(frozen=True)
class FillProgress:
    done: int  # messages of the account walked so far (this run and earlier ones)
    total: int | None  # as the API counts them, when it says
    indexed: int  # new to the index, this run
    waiting: float | None = None  # seconds of back-off after a 429, while waiting
    finished: bool = False


class HistoryFill:
    """Walks ``messages.fetchAll`` for the whole account, newest first, into the index.

    Resumable: the offset reached is saved after every page, and a later run starts there.
    The API only adds messages at the newest end, which pushes old ones to higher offsets,
    so restarting at a saved offset may read a few messages again but never skips one.
    Once the whole history has been read, a run only catches up: it stops at the first
    page whose messages are all indexed already.

    Polite: one page at a time; on a 429 the client's own retries come first, then this
    waits ``Retry-After`` (or doubles its wait, up to a minute) and asks for the same page.
    """

    PAGE = 100

    def __init__(
        self,
        client: Any,
        index: SearchIndex,
        *,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.client = client
        self.index = index
        self._sleep = sleep

    async def run(self, progress: Callable[[FillProgress], None] = lambda _: None) -> FillProgress:
        from sakari_tui.api import RateLimited  # the API layer, imported when a fill runs

        catching_up = self.index.meta("fill_complete") is not None
        offset = 0 if catching_up else int(self.index.meta("fill_offset") or 0)
        total: int | None = None
        indexed = 0
        wait = 1.0
        while True:
            try:
                page = await self.client.messages.fetch_all(offset=offset, limit=self.PAGE)
            except RateLimited as exc:
                delay = exc.retry_after if exc.retry_after else wait
                wait = min(wait * 2, 60.0)
                progress(FillProgress(offset, total, indexed, waiting=delay))
                await self._sleep(delay)
                continue
            wait = 1.0
            total = page.total_count if page.total_count is not None else total
            new = self.index.add_messages([message.to_json() for message in page.items])
            indexed += new
            offset += len(page.items)
            finished = not page.has_next or not page.items or (catching_up and new == 0)
            if not catching_up:
                self.index.set_meta(fill_offset=str(offset))
            if finished:
                self.index.set_meta(fill_offset=None, fill_complete=datetime.now(timezone.utc).isoformat())
            state = FillProgress(offset, total, indexed, finished=finished)
            progress(state)
            if finished:
                return state


def _stamp_time(stamp: Any) -> datetime | None:
    """The time of an API stamp (``{"at": ..., "by": ...}``), read as the models read times."""
    return as_datetime(stamp.get("at")) if isinstance(stamp, Mapping) else None
