"""Local state in SQLite, one database per profile.

- a cache of conversations, messages and contacts (as the API's JSON), so the
  first screen paints before the network answers;
- read markers, since the API has no mark-as-read call;
- drafts per conversation, saved as they are typed;
- the outbox (see ``outbox.py``), written before anything is sent.

WAL mode lets the UI read while a write commits; every write is its own short
transaction, so a crash loses at most the keystroke being saved.

The file holds customers' messages and numbers: it is created 0600, and the profile's
directory 0700. A file that is not a database, or is cut short, raises ``StoreDamaged``
when opened, and so does any damage found later by a read or ``check()``: the caller
offers ``move_aside`` (which keeps what can still be read of the outbox and drafts).
"""

from __future__ import annotations

import functools
import json
import os
import sqlite3
import stat
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import datetime, timezone
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

from .paths import database_path

SCHEMA_VERSION = 4

_SCHEMA = """
CREATE TABLE IF NOT EXISTS conversations (
    id TEXT PRIMARY KEY,
    sort_key TEXT NOT NULL,          -- last activity, ISO 8601, for newest-first order
    body TEXT NOT NULL               -- the API's JSON
);
CREATE INDEX IF NOT EXISTS conversations_by_time ON conversations(sort_key DESC);

CREATE TABLE IF NOT EXISTS messages (
    id TEXT PRIMARY KEY,
    conversation_id TEXT,
    contact_id TEXT,
    created TEXT NOT NULL,
    body TEXT NOT NULL,
    seq INTEGER                      -- place in the conversation counted from its first message, if known
);

CREATE TABLE IF NOT EXISTS contacts (
    id TEXT PRIMARY KEY,
    body TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS read_state (
    conversation_id TEXT PRIMARY KEY,
    read_ids TEXT NOT NULL DEFAULT '[]',   -- inbound message ids the agent has seen
    marked_unread INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE IF NOT EXISTS drafts (
    conversation_id TEXT PRIMARY KEY,
    text TEXT NOT NULL,
    updated REAL NOT NULL
);

CREATE TABLE IF NOT EXISTS outbox (
    id TEXT PRIMARY KEY,
    conversation_id TEXT,
    contact_id TEXT,
    mobile TEXT,
    text TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    error TEXT,
    created REAL NOT NULL,
    updated REAL NOT NULL,
    not_before REAL NOT NULL DEFAULT 0,
    message_id TEXT,
    media TEXT NOT NULL DEFAULT '[]',    -- URLs sent as MMS media, JSON
    first_attempt REAL                   -- when a request first went out (epoch seconds)
);
CREATE INDEX IF NOT EXISTS outbox_by_state ON outbox(state);

-- Server messages that outbox items were matched to. Kept after the item is removed, so
-- a later reply with the same text is never taken for one of them.
CREATE TABLE IF NOT EXISTS claimed (
    message_id TEXT PRIMARY KEY,
    at REAL NOT NULL
);

-- Bulk sends and campaign runs made from this app: the template and when. Their messages
-- have no outbox item; one with that text appearing soon after is this app's (core/inbox.py).
CREATE TABLE IF NOT EXISTS bulk_sends (
    template TEXT NOT NULL,
    at REAL NOT NULL
);
"""

# How long a claimed message id is remembered, in seconds.
CLAIM_KEEP = 30 * 86400
# How long a bulk send is remembered, in seconds: its messages appear within minutes.
BULK_KEEP = 86400


class OutboxState(StrEnum):
    PENDING = "pending"  # written, not yet sent (or the last try never left this machine)
    SENDING = "sending"  # a request is in flight; after a crash this means "unknown"
    UNKNOWN = "unknown"  # the request may have reached the server: check before resending
    FAILED = "failed"  # the server refused it; the agent may retry or discard
    SENT = "sent"  # the server has it


@dataclass(frozen=True)
class OutboxItem:
    """A reply in the outbox, as the store holds it: what to send, to whom, and how far it got."""

    id: str
    conversation_id: str | None
    contact_id: str | None
    mobile: str | None
    text: str
    state: OutboxState
    attempts: int
    error: str | None
    created: float
    updated: float
    not_before: float
    message_id: str | None
    media: tuple[str, ...] = ()
    first_attempt: float | None = None

    @property
    def since(self) -> float:
        """From when a copy of this item may be on the server."""
        return self.first_attempt if self.first_attempt is not None else self.created

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> OutboxItem:
        return cls(**{**dict(row), "state": OutboxState(row["state"]), "media": tuple(json.loads(row["media"]))})


class StoreError(Exception):
    """The local store cannot be used. ``str()`` is one line naming the file."""

    def __init__(self, path: Path | str, reason: str) -> None:
        self.path = Path(path)
        self.reason = reason
        super().__init__(str(path), reason)

    def __str__(self) -> str:
        return f"cannot open the local store {self.path}: {self.reason}"


class StoreDamaged(StoreError):
    """The file is not a readable SQLite database (garbage, cut short, corrupt pages).
    ``move_aside`` puts it out of the way and starts a fresh one."""

    def __str__(self) -> str:
        return f"the local store {self.path} is damaged: {self.reason}"


# SQLite's primary result codes that mean the file itself is damaged.
_SQLITE_CORRUPT = 11
_SQLITE_NOTADB = 26
_HEADER = b"SQLite format 3\x00"


def _is_damage(exc: sqlite3.Error) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (_SQLITE_CORRUPT, _SQLITE_NOTADB)
    text = str(exc)
    return "malformed" in text or "not a database" in text


def _damage_reason(exc: sqlite3.Error) -> str:
    return str(exc) or type(exc).__name__


def _check_header(path: Path) -> str | None:
    """Why the file cannot be a whole SQLite database, or None if its header says it can."""
    try:
        with path.open("rb") as file:
            header = file.read(100)
            size = os.fstat(file.fileno()).st_size
    except OSError:
        return None  # sqlite3 reports what is wrong with opening it
    if size == 0:
        return None
    if len(header) < 100 or not header.startswith(_HEADER):
        return "the file is not an SQLite database"
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    # The page count in the header is valid when the change counter matches this field.
    if header[24:28] == header[92:96] and pages and size < pages * page_size:
        return f"the file is cut short ({size} of {pages * page_size} bytes)"
    return None


def _private_dir(path: Path) -> None:
    """Create ``path`` (and parents) and make it 0700: only its owner may list or enter it."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    if stat.S_IMODE(path.stat().st_mode) != 0o700:
        os.chmod(path, 0o700)


def _private_file(path: Path) -> bool:
    """Create ``path`` if missing, with mode 0600 whatever the umask; tighten an existing one.
    True when the file was there already but empty."""
    existed = path.exists()
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        info = os.fstat(fd)
        if stat.S_IMODE(info.st_mode) != 0o600:
            os.fchmod(fd, 0o600)
    finally:
        os.close(fd)
    return existed and info.st_size == 0


def suspect_marker(path: Path | str) -> Path:
    """A file next to the store saying damage was met in it: the next start reads the whole
    file (``Store.check``) before anything else does, so a damaged page that a first read
    always hits cannot end every start before the damage is offered to be dealt with."""
    path = Path(path)
    return path.with_name(f"{path.name}.suspect")


class Store:
    """Synchronous and fast: each call is one small SQLite transaction.

    Raises ``StoreDamaged`` (from opening, or from any call that reads a damaged page) or
    ``StoreError`` (the file or its directory cannot be created or opened).
    """

    # True when the file existed but was empty: whatever it held (the outbox, drafts) is gone.
    was_empty: bool = False

    def __init__(self, path: Path | str) -> None:
        self.path = path
        if path != ":memory:":
            file = Path(path)
            try:
                file.parent.mkdir(parents=True, exist_ok=True)
                self.was_empty = _private_file(file)
            except OSError as exc:
                raise StoreError(file, exc.strerror or type(exc).__name__) from None
            damage = _check_header(file)
            if damage:
                raise StoreDamaged(file, damage)
        try:
            self._db = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        except sqlite3.Error as exc:
            raise StoreError(Path(path), _damage_reason(exc)) from None
        try:
            self._db.row_factory = sqlite3.Row
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SCHEMA)
            self._migrate()
            self._install_search()
            self._db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        except sqlite3.Error as exc:
            self._db.close()
            error = StoreDamaged if _is_damage(exc) else StoreError
            raise error(Path(path), _damage_reason(exc)) from None

    def _migrate(self) -> None:
        """Bring a database written by an earlier version up to this schema."""
        columns = {row["name"] for row in self._db.execute("PRAGMA table_info(outbox)")}
        if "media" not in columns:
            self._db.execute("ALTER TABLE outbox ADD COLUMN media TEXT NOT NULL DEFAULT '[]'")
        if "first_attempt" not in columns:
            # Items written before have none: their creation time is an earlier bound.
            self._db.execute("ALTER TABLE outbox ADD COLUMN first_attempt REAL")
        columns = {row["name"] for row in self._db.execute("PRAGMA table_info(messages)")}
        if "seq" not in columns:
            # Rows cached before have no known place until a page lists them again (see save_page).
            self._db.execute("ALTER TABLE messages ADD COLUMN seq INTEGER")
        # The index follows the thread's order; rowid, the last tie-break, is in every index.
        self._db.execute("DROP INDEX IF EXISTS messages_by_conversation")
        self._db.execute("CREATE INDEX IF NOT EXISTS messages_in_order ON messages(conversation_id, created, seq)")

    # -- full-text search (core/search.py owns its tables) ----------------------

    def _install_search(self) -> None:
        """The full-text index's tables; made for a database of an earlier version, they are
        filled from its cache. Without FTS5 in this SQLite, ``search`` is None."""
        from .search import SearchIndex, install

        self.search: SearchIndex | None = None
        try:
            made = install(self._db)
        except sqlite3.OperationalError:
            return
        self.search = SearchIndex(self._db)
        if made:
            self.search.add_conversations(
                json.loads(row["body"]) for row in self._db.execute("SELECT body FROM conversations")
            )
            self.search.add_messages(json.loads(row["body"]) for row in self._db.execute("SELECT body FROM messages"))

    @classmethod
    def for_profile(cls, data_dir: Path, profile: str) -> Store:
        """The profile's store, in a directory only its owner can enter (0700)."""
        path = database_path(data_dir, profile)
        try:
            _private_dir(data_dir)
            _private_dir(path.parent)
        except OSError as exc:
            blocker = next((p for p in (path.parent, *path.parent.parents) if p.exists()), None)
            if blocker is not None and not blocker.is_dir():
                reason = f"{blocker} is a file, not a directory (check XDG_DATA_HOME)"
            else:
                reason = f"cannot create {path.parent}: {exc.strerror or type(exc).__name__}"
            raise StoreError(path, reason) from None
        return cls(path)

    def close(self) -> None:
        self._db.close()

    def check(self) -> str | None:
        """Read every page (``PRAGMA quick_check``): None when the file is whole, else what
        is wrong. Takes about 50 ms for 30 MB, so callers run it off the UI thread; it uses
        a connection of its own."""
        if self.path == ":memory:":
            return None
        try:
            db = sqlite3.connect(f"file:{Path(self.path).as_posix()}?mode=ro", uri=True)
        except sqlite3.Error as exc:
            return _damage_reason(exc)
        try:
            rows = db.execute("PRAGMA quick_check(5)").fetchall()
        except sqlite3.Error as exc:
            return _damage_reason(exc)
        finally:
            db.close()
        problems = [str(row[0]) for row in rows if row and row[0] != "ok"]
        return "; ".join(problems) or None

    def _write(self, sql: str, params: Iterable[Any] = ()) -> None:
        self._db.execute(sql, tuple(params))

    def _write_many(self, sql: str, rows: Iterable[tuple[Any, ...]]) -> None:
        with self._transaction():
            self._db.executemany(sql, rows)

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        self._db.execute("BEGIN")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    # -- cache ---------------------------------------------------------------

    def save_conversations(self, conversations: Iterable[dict[str, Any]]) -> None:
        rows = []
        for body in conversations:
            if not body.get("id"):
                continue
            rows.append((body["id"], _activity_key(body), json.dumps(body)))
        self._write_many(
            "INSERT INTO conversations(id, sort_key, body) VALUES (?, ?, ?) "
            "ON CONFLICT(id) DO UPDATE SET sort_key=excluded.sort_key, body=excluded.body",
            rows,
        )

    def conversations(self, limit: int | None = None, offset: int = 0) -> list[dict[str, Any]]:
        """Cached conversations, newest first."""
        sql = "SELECT body FROM conversations ORDER BY sort_key DESC LIMIT ? OFFSET ?"
        rows = self._db.execute(sql, (-1 if limit is None else limit, offset))
        return [json.loads(row["body"]) for row in rows]

    def save_messages(self, messages: Iterable[dict[str, Any]]) -> None:
        """Messages from outside a page, oldest first. Their place among messages of the same
        millisecond is not known: they sort after (as older than) those whose place is, and
        among themselves in the order first saved. Use ``save_page`` for what a list returned."""
        self._save_messages([(body, None) for body in messages])

    def save_page(
        self,
        newest_first: Sequence[dict[str, Any]],
        *,
        offset: int,
        total: int | None = None,
        has_next: bool = True,
    ) -> None:
        """One page of a conversation's messages (``messages.fetchAll`` with ``conversationId``),
        in the order the API listed them: newest first, from ``offset``; ``total`` is the
        list's ``totalCount`` when the server sent one.

        Several messages can share a millisecond, and pages and polls arrive in any order, so
        neither the time nor the order rows were written in says which of them the server lists
        first. A message's place counted from the conversation's *first* message does: the
        API only ever adds messages at the newest end, so that number never changes, whichever
        page or poll it was read from (a place counted from the newest end, ``offset + i``,
        shifts with every new message). It needs the list's length: ``totalCount``, or the
        end of the list when this page reaches it, or else a message of this page whose place
        is already known. Without any of these the places stay unknown and those messages sort
        as ``save_messages`` would.
        """
        length = self._thread_length(newest_first, offset, total, has_next)
        rows = []
        for index, body in enumerate(newest_first):
            seq = None if length is None else length - 1 - (offset + index)
            rows.append((body, seq if seq is not None and seq >= 0 else None))
        # Written oldest first, so that messages whose place stays unknown sort as save_messages's.
        self._save_messages(reversed(rows))

    def _thread_length(
        self, newest_first: Sequence[dict[str, Any]], offset: int, total: int | None, has_next: bool
    ) -> int | None:
        """How many messages the conversation has, as of this page, or None if nothing tells."""
        conversations = {_conversation_id(body) for body in newest_first if body.get("id")}
        if len(conversations) != 1 or None in conversations:
            return None  # not one conversation's list: places in it mean nothing
        if total is not None:
            return total
        if not has_next:
            return offset + len(newest_first)
        ids = [body.get("id") for body in newest_first]
        wanted = [message_id for message_id in ids if message_id]
        placeholders = ", ".join("?" for _ in wanted)
        known = {
            row["id"]: row["seq"]
            for row in self._db.execute(
                f"SELECT id, seq FROM messages WHERE id IN ({placeholders}) AND seq IS NOT NULL AND conversation_id = ?",
                (*wanted, *conversations),
            )
        }
        for index, message_id in enumerate(ids):
            if message_id in known:
                return int(known[message_id]) + 1 + offset + index
        return None

    def _save_messages(self, rows: Iterable[tuple[dict[str, Any], int | None]]) -> None:
        values = []
        for body, seq in rows:
            if not body.get("id"):
                continue
            contact: dict[str, Any] = body["contact"] if isinstance(body.get("contact"), dict) else {}
            values.append(
                (body["id"], _conversation_id(body), contact.get("id"), _created_key(body), json.dumps(body), seq)
            )
        # A known place is never forgotten by a save that does not know it.
        self._write_many(
            "INSERT INTO messages(id, conversation_id, contact_id, created, body, seq) VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT(id) DO UPDATE SET conversation_id=excluded.conversation_id, "
            "contact_id=excluded.contact_id, created=excluded.created, body=excluded.body, "
            "seq=coalesce(excluded.seq, messages.seq)",
            values,
        )

    def messages(self, conversation_id: str, limit: int | None = None) -> list[dict[str, Any]]:
        """The newest ``limit`` messages of a conversation, oldest first: by time, then in the
        server's order for the same millisecond (see ``save_page``)."""
        sql = "SELECT body FROM messages WHERE conversation_id = ? ORDER BY created DESC, seq DESC, rowid DESC"
        params: tuple[Any, ...] = (conversation_id,)
        if limit is not None:
            sql += " LIMIT ?"
            params += (limit,)
        rows = [json.loads(row["body"]) for row in self._db.execute(sql, params)]
        rows.reverse()
        return rows

    def save_contacts(self, contacts: Iterable[dict[str, Any]]) -> None:
        self._write_many(
            "INSERT INTO contacts(id, body) VALUES (?, ?) ON CONFLICT(id) DO UPDATE SET body=excluded.body",
            ((c["id"], json.dumps(c)) for c in contacts if c.get("id")),
        )

    def contact(self, contact_id: str) -> dict[str, Any] | None:
        row = self._db.execute("SELECT body FROM contacts WHERE id = ?", (contact_id,)).fetchone()
        return json.loads(row["body"]) if row else None

    # -- read markers --------------------------------------------------------

    def read_ids(self, conversation_id: str) -> set[str]:
        row = self._db.execute(
            "SELECT read_ids FROM read_state WHERE conversation_id = ?", (conversation_id,)
        ).fetchone()
        return set(json.loads(row["read_ids"])) if row else set()

    def all_read_state(self) -> dict[str, tuple[set[str], bool]]:
        return self.read_state(None)

    def read_state(self, conversation_ids: Iterable[str] | None) -> dict[str, tuple[set[str], bool]]:
        """conversation id -> (message ids read, marked unread), for the given ids or all."""
        if conversation_ids is None:
            rows: list[sqlite3.Row] | sqlite3.Cursor = self._db.execute("SELECT * FROM read_state")
        else:
            ids = list(conversation_ids)
            rows = []
            for start in range(0, len(ids), 500):  # SQLite caps the number of parameters
                chunk = ids[start : start + 500]
                placeholders = ", ".join("?" for _ in chunk)
                rows.extend(
                    self._db.execute(f"SELECT * FROM read_state WHERE conversation_id IN ({placeholders})", chunk)
                )
        return {row["conversation_id"]: (set(json.loads(row["read_ids"])), bool(row["marked_unread"])) for row in rows}

    def mark_read(self, conversation_id: str, message_ids: Iterable[str]) -> None:
        """The agent has read these messages; this also clears a "mark unread"."""
        ids = sorted(self.read_ids(conversation_id) | set(message_ids))
        self._write(
            "INSERT INTO read_state(conversation_id, read_ids, marked_unread) VALUES (?, ?, 0) "
            "ON CONFLICT(conversation_id) DO UPDATE SET read_ids=excluded.read_ids, marked_unread=0",
            (conversation_id, json.dumps(ids)),
        )

    def mark_unread(self, conversation_id: str) -> None:
        self._write(
            "INSERT INTO read_state(conversation_id, marked_unread) VALUES (?, 1) "
            "ON CONFLICT(conversation_id) DO UPDATE SET marked_unread=1",
            (conversation_id,),
        )

    # -- drafts --------------------------------------------------------------

    def save_draft(self, conversation_id: str, text: str) -> None:
        if text:
            self._write(
                "INSERT INTO drafts(conversation_id, text, updated) VALUES (?, ?, ?) "
                "ON CONFLICT(conversation_id) DO UPDATE SET text=excluded.text, updated=excluded.updated",
                (conversation_id, text, time.time()),
            )
        else:
            self._write("DELETE FROM drafts WHERE conversation_id = ?", (conversation_id,))

    def draft(self, conversation_id: str) -> str:
        row = self._db.execute("SELECT text FROM drafts WHERE conversation_id = ?", (conversation_id,)).fetchone()
        return row["text"] if row else ""

    # -- outbox --------------------------------------------------------------

    def outbox_add(
        self,
        text: str,
        *,
        conversation_id: str | None = None,
        contact_id: str | None = None,
        mobile: str | None = None,
        media: Iterable[str] = (),
    ) -> OutboxItem:
        now = time.time()
        item_id = uuid.uuid4().hex
        self._write(
            "INSERT INTO outbox(id, conversation_id, contact_id, mobile, text, state, created, updated, media) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                item_id,
                conversation_id,
                contact_id,
                mobile,
                text,
                OutboxState.PENDING,
                now,
                now,
                json.dumps(list(media)),
            ),
        )
        item = self.outbox_get(item_id)
        assert item is not None
        return item

    def outbox_get(self, item_id: str) -> OutboxItem | None:
        row = self._db.execute("SELECT * FROM outbox WHERE id = ?", (item_id,)).fetchone()
        return OutboxItem.from_row(row) if row else None

    def outbox_update(self, item_id: str, **fields: Any) -> OutboxItem:
        allowed = {"state", "attempts", "error", "not_before", "message_id"}
        unknown = set(fields) - allowed
        if unknown:
            raise ValueError(f"cannot update outbox fields {sorted(unknown)}")
        now = fields["updated"] = time.time()
        assignments = ", ".join(f"{name} = ?" for name in fields)
        if fields.get("state") == OutboxState.SENDING:
            # The first request that may reach the server: a copy cannot be older.
            assignments += ", first_attempt = COALESCE(first_attempt, ?)"
            fields["first_attempt"] = now
        with self._transaction():
            self._write(f"UPDATE outbox SET {assignments} WHERE id = ?", (*fields.values(), item_id))
            if fields.get("message_id"):
                self._write("INSERT OR IGNORE INTO claimed(message_id, at) VALUES (?, ?)", (fields["message_id"], now))
                self._write("DELETE FROM claimed WHERE at < ?", (now - CLAIM_KEEP,))
        item = self.outbox_get(item_id)
        assert item is not None
        return item

    def outbox_items(self, *states: OutboxState, conversation_id: str | None = None) -> list[OutboxItem]:
        sql = "SELECT * FROM outbox"
        clauses: list[str] = []
        params: list[Any] = []
        if states:
            clauses.append(f"state IN ({', '.join('?' for _ in states)})")
            params.extend(states)
        if conversation_id is not None:
            clauses.append("conversation_id = ?")
            params.append(conversation_id)
        if clauses:
            sql += " WHERE " + " AND ".join(clauses)
        sql += " ORDER BY created"
        return [OutboxItem.from_row(row) for row in self._db.execute(sql, params)]

    def claimed_message_ids(self) -> set[str]:
        """Server messages already matched to an outbox item, removed items included."""
        return {row["message_id"] for row in self._db.execute("SELECT message_id FROM claimed")}

    def record_bulk_send(self, template: str, at: float | None = None) -> None:
        """A bulk send or campaign run of ``template`` is about to go (recorded before it
        goes: an answer lost on the way does not mean its messages were not made)."""
        now = time.time() if at is None else at
        with self._transaction():
            self._db.execute("DELETE FROM bulk_sends WHERE at < ?", (now - BULK_KEEP,))
            self._db.execute("INSERT INTO bulk_sends (template, at) VALUES (?, ?)", (template, now))

    def bulk_sends(self) -> list[tuple[str, float]]:
        """The bulk sends and campaign runs of the last ``BULK_KEEP`` seconds: (template, time)."""
        rows = self._db.execute("SELECT template, at FROM bulk_sends WHERE at >= ?", (time.time() - BULK_KEEP,))
        return [(row["template"], row["at"]) for row in rows]

    def outbox_remove(self, item_id: str) -> None:
        self._write("DELETE FROM outbox WHERE id = ?", (item_id,))

    def restore(self, saved: Salvage) -> tuple[int, int]:
        """Put salvaged outbox items and drafts back; returns how many of each went in.
        A send that was in flight comes back as UNKNOWN: it is checked before any resend."""
        now = time.time()
        outbox = drafts = 0
        with self._transaction():
            for row in saved.outbox:
                state = row.get("state")
                if state not in set(OutboxState) or state == OutboxState.SENDING:
                    state = OutboxState.UNKNOWN
                media = row.get("media") if isinstance(row.get("media"), str) else "[]"
                cursor = self._db.execute(
                    "INSERT OR IGNORE INTO outbox(id, conversation_id, contact_id, mobile, text, state, attempts, "
                    "error, created, updated, not_before, message_id, media) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (row["id"], row.get("conversation_id"), row.get("contact_id"), row.get("mobile"), row["text"],
                     state, row.get("attempts") or 0, row.get("error"), row.get("created") or now,
                     row.get("updated") or now, row.get("not_before") or 0, row.get("message_id"), media),
                )  # fmt: skip
                outbox += cursor.rowcount
            for row in saved.drafts:
                cursor = self._db.execute(
                    "INSERT OR IGNORE INTO drafts(conversation_id, text, updated) VALUES (?, ?, ?)",
                    (row["conversation_id"], row["text"], row.get("updated") or now),
                )
                drafts += cursor.rowcount
        return outbox, drafts

    def recover_interrupted_sends(self) -> int:
        """After a crash, a send that was in flight has an unknown outcome."""
        cursor = self._db.execute(
            "UPDATE outbox SET state = ? WHERE state = ?", (OutboxState.UNKNOWN, OutboxState.SENDING)
        )
        return cursor.rowcount


# Every public method turns damage found while it runs into StoreDamaged, naming the file.
_F = TypeVar("_F", bound=Callable[..., Any])


def _reports_damage(method: _F) -> _F:
    @functools.wraps(method)
    def wrapper(self: Store, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except sqlite3.DatabaseError as exc:
            if not _is_damage(exc):
                raise
            raise StoreDamaged(Path(self.path), _damage_reason(exc)) from None

    return wrapper  # type: ignore[return-value]


for _name, _member in list(vars(Store).items()):
    if not _name.startswith("_") and callable(_member) and _name not in {"for_profile", "check", "close"}:
        setattr(Store, _name, _reports_damage(_member))


# -- a damaged store: what can be saved, and moving it aside -----------------------------


@dataclass
class Salvage:
    """What could be read from a damaged store: outbox rows and drafts, as dicts."""

    outbox: list[dict[str, Any]] = field(default_factory=list)
    drafts: list[dict[str, Any]] = field(default_factory=list)


def _read_rows(db: sqlite3.Connection, table: str, key: str) -> list[dict[str, Any]]:
    """The rows of ``table`` that can still be read: front to back until a damaged page,
    then back to front, so only the rows on damaged pages are lost."""
    found: dict[Any, dict[str, Any]] = {}
    for order in ("ASC", "DESC"):
        try:
            for row in db.execute(f"SELECT * FROM {table} ORDER BY rowid {order}"):
                found.setdefault(row[key], dict(row))
        except sqlite3.Error:
            continue
    return list(found.values())


def salvage(path: Path) -> Salvage:
    """Read what can be read of the outbox and drafts of a (damaged) store, read-only."""
    saved = Salvage()
    try:
        db = sqlite3.connect(f"file:{path.as_posix()}?mode=ro", uri=True)
    except sqlite3.Error:
        return saved
    db.row_factory = sqlite3.Row
    # Lets SQLite read a file shorter than its header says (a cut-off copy) instead of refusing
    # it whole; the connection is read-only, so nothing is written.
    with suppress(sqlite3.Error):
        db.execute("PRAGMA writable_schema=ON")
    try:
        saved.outbox = [
            row for row in _read_rows(db, "outbox", "id") if row.get("id") and isinstance(row.get("text"), str)
        ]
        saved.drafts = [
            row
            for row in _read_rows(db, "drafts", "conversation_id")
            if row.get("conversation_id") and isinstance(row.get("text"), str)
        ]
    finally:
        db.close()
    return saved


@dataclass(frozen=True)
class MovedAside:
    """Where the damaged file went and what was carried over to the fresh store."""

    moved_to: Path
    outbox: int
    drafts: int


def move_aside(path: Path, *, now: float | None = None) -> tuple[Store, MovedAside]:
    """Save what can be read of ``path``'s outbox and drafts, rename it (and its -wal and
    -shm files) to ``NAME.damaged-TIMESTAMP``, and open a fresh store there holding them."""
    saved = salvage(path)
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(time.time() if now is None else now))
    target = path.with_name(f"{path.name}.damaged-{stamp}")
    counter = 1
    while target.exists():
        counter += 1
        target = path.with_name(f"{path.name}.damaged-{stamp}-{counter}")
    os.replace(path, target)
    for suffix in ("-wal", "-shm"):
        with suppress(FileNotFoundError):
            os.replace(f"{path}{suffix}", f"{target}{suffix}")
    suspect_marker(path).unlink(missing_ok=True)
    store = Store(path)
    outbox, drafts = store.restore(saved)
    return store, MovedAside(target, outbox, drafts)


def _at(stamp: Any) -> str:
    """A stamp's time as UTC ISO 8601, so that strings sort as times do."""
    text = stamp.get("at") if isinstance(stamp, dict) else None
    if not isinstance(text, str):
        return ""
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        return text
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return when.astimezone(timezone.utc).isoformat(timespec="microseconds")


def _conversation_id(message: dict[str, Any]) -> str | None:
    conversation = message.get("conversation")
    return conversation.get("id") if isinstance(conversation, dict) else None


def _created_key(message: dict[str, Any]) -> str:
    return _at(message.get("created")) or _at(message.get("updated"))


def _activity_key(conversation: dict[str, Any]) -> str:
    last = conversation.get("lastMessage")
    return (
        (isinstance(last, dict) and _created_key(last))
        or _at(conversation.get("updated"))
        or _at(conversation.get("created"))
    )
