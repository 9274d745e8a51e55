"""Subscriptions, sent reminders and change notices in SQLite. Stores a chat id and what
it watches, nothing else (never a message text). This is the default store; the same
interface (bot/subscriptions/store_base.py: Store) has a PostgreSQL implementation in
bot/subscriptions/store_postgres.py for several instances sharing one database.

Every write is one transaction (BEGIN IMMEDIATE ... COMMIT), the database runs in WAL
mode, and a reminder is recorded under a UNIQUE key (chat, deadline, occurrence,
offset), so two runs - or two processes - can never both claim the same reminder.
See bot/subscriptions/delivery.py for how claims make sending at-most-once.

Change notices (change_notices.py): `source_versions` remembers the version of each
source document last seen; when it differs, one notice per (chat, source, version) is
queued in `change_notices` - one row per watched deadline it names - in the same
transaction that records the new version, so a change is queued exactly once.

Replies to reminders (the "Klar" and "Påminn igen om 1 dag" buttons) are one row per
(chat, deadline, occurrence) in `reminder_replies`: when "Klar" was pressed, and when the
one extra reminder is due and how far it got (pending, claimed, sent) - claimed and
marked like the usual reminders, in the same transaction as them.

Feedback on answers (👍/👎, bot/subscriptions/feedback.py) is one row per vote in `feedback`: the
day, the answer's kind, the first cited section (document and section) and the vote -
no chat, no user, no question, no time of day, so it is nobody's data: /glom leaves it
(there is nothing of the chat's in it) and `prune` drops what is older than a year.
`feedback_counts` is what /status shows: the sections with the most 👎 first.

The schema only grows: every table is created IF NOT EXISTS when the database is opened,
so a database made by an earlier version gets the new tables and keeps its rows;
`PRAGMA user_version` records SCHEMA_VERSION for changes that are more than a new table.

When the database cannot be used - another connection holds a write lock longer than
the busy timeout, the file or its folder is read-only, the disk is full - every method
raises StoreUnavailable instead of sqlite3's error, after rolling back: nothing is ever
half-written. A short lock is simply waited out (the busy timeout). bot/telegram/watching.py turns
StoreUnavailable into a Swedish "try again" answer; the reminder run skips and retries.

The store is called from the event loop, so a lock blocks the bot for up to the busy
timeout; it is kept short (BUSY_TIMEOUT) for that reason.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager, suppress
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from .change_notices import NoticeKey
from .feedback import KEPT_DAYS
from .reminders import ReminderKey, Replies, Subscription
from .store_base import (  # noqa: F401 (re-exported: callers import them from here too)
    BUSY_TIMEOUT,
    REASONS,
    Counts,
    Failure,
    FeedbackCounts,
    Forgotten,
    ReplyResult,
    SectionVotes,
    Store,
    StoreUnavailable,
    VoteValue,
    feedback_counts,
)

# 1: reminder_replies (no number before it); 2: feedback. PostgreSQL's migrations
# (store_postgres.MIGRATIONS) carry the same numbers: a new version is added to both.
SCHEMA_VERSION = 2

# SQLite's primary result codes that mean "the database cannot be used now", as opposed
# to a bug in a statement (which still raises sqlite3's own error).
log = logging.getLogger(__name__)

UNAVAILABLE_CODES: dict[int, Failure] = {
    sqlite3.SQLITE_BUSY: "locked",
    sqlite3.SQLITE_LOCKED: "locked",
    sqlite3.SQLITE_READONLY: "readonly",
    sqlite3.SQLITE_CANTOPEN: "cantopen",
    sqlite3.SQLITE_IOERR: "ioerror",
    sqlite3.SQLITE_FULL: "full",
    sqlite3.SQLITE_PERM: "readonly",
    sqlite3.SQLITE_CORRUPT: "corrupt",
    sqlite3.SQLITE_NOTADB: "corrupt",
}

SCHEMA = """
CREATE TABLE IF NOT EXISTS subscriptions (
    chat_id     INTEGER NOT NULL,
    deadline_id TEXT    NOT NULL,
    created     TEXT    NOT NULL,  -- ISO 8601, UTC
    PRIMARY KEY (chat_id, deadline_id)
);
CREATE TABLE IF NOT EXISTS reminders (
    chat_id     INTEGER NOT NULL,
    deadline_id TEXT    NOT NULL,
    occurrence  TEXT    NOT NULL,  -- the deadline's date, ISO 8601
    offset_days INTEGER NOT NULL,
    state       TEXT    NOT NULL CHECK (state IN ('claimed', 'sent')),
    claimed_at  TEXT    NOT NULL,
    sent_at     TEXT,
    UNIQUE (chat_id, deadline_id, occurrence, offset_days)
);
CREATE TABLE IF NOT EXISTS source_versions (
    source_id   TEXT PRIMARY KEY,
    version     TEXT NOT NULL,
    seen_at     TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS change_notices (
    chat_id     INTEGER NOT NULL,
    source_id   TEXT    NOT NULL,
    version     TEXT    NOT NULL,  -- the source's new version
    deadline_id TEXT    NOT NULL,  -- a watched deadline drawn from the source
    state       TEXT    NOT NULL CHECK (state IN ('pending', 'claimed', 'sent')),
    queued_at   TEXT    NOT NULL,
    sent_at     TEXT,
    UNIQUE (chat_id, source_id, version, deadline_id)
);
CREATE TABLE IF NOT EXISTS reminder_replies (
    chat_id     INTEGER NOT NULL,
    deadline_id TEXT    NOT NULL,
    occurrence  TEXT    NOT NULL,  -- the deadline's date the reminder was about
    done_at     TEXT,              -- "Klar": no more reminders for this occurrence
    again_at    TEXT,              -- "Påminn igen": when the extra reminder is due, UTC
    again_state TEXT CHECK (again_state IN ('pending', 'claimed', 'sent')),
    PRIMARY KEY (chat_id, deadline_id, occurrence)
);
CREATE TABLE IF NOT EXISTS feedback (
    day         TEXT    NOT NULL,  -- the vote's date (Stockholm), ISO 8601: no time of day
    kind        TEXT    NOT NULL,  -- the answer's kind: deadline, allocation, out_of_scope …
    doc         TEXT,              -- the first cited section's document (NULL: none cited)
    section     TEXT,
    vote        INTEGER NOT NULL CHECK (vote IN (-1, 1))
);
CREATE INDEX IF NOT EXISTS feedback_day ON feedback (day);
"""


def unavailable_reason(exc: BaseException) -> Failure | None:
    """The REASONS key when `exc` means the database cannot be used now, else None."""
    if not isinstance(exc, sqlite3.Error):
        return None
    code = getattr(exc, "sqlite_errorcode", None)
    if code is None:
        return None
    return UNAVAILABLE_CODES.get(code & 0xFF)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


class SqliteStore:
    """The SQLite implementation of store_base.Store."""

    def __init__(self, conn: sqlite3.Connection, path: Path | str = ":memory:"):
        self._conn = conn
        self._lock = threading.Lock()
        self.path = path
        self._file = self._identity()  # which file was opened: see _still_there

    @classmethod
    def open(cls, path: Path | str, busy_timeout: float = BUSY_TIMEOUT) -> SqliteStore:
        """Open (creating folders, file and tables as needed) the database at `path`.
        Raises StoreUnavailable, naming the path, when it cannot be opened for writing
        (a read-only file or folder, a folder that cannot be created)."""
        conn = None
        try:
            if str(path) != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(
                path, isolation_level=None, check_same_thread=False, timeout=busy_timeout
            )
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")  # durable at each WAL checkpoint
            conn.executescript(SCHEMA)
            # Can we write? A read-only file opens, reads and even BEGINs without
            # complaint; only a real write tells. Write the header's user_version (never
            # lowered: a newer bot's database keeps its number).
            conn.execute("BEGIN IMMEDIATE")
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            conn.execute(f"PRAGMA user_version = {max(int(version), SCHEMA_VERSION)}")
            conn.execute("COMMIT")
        except OSError as exc:
            raise StoreUnavailable(path, "cantopen", exc.strerror or str(exc)) from exc
        except sqlite3.Error as exc:
            if conn is not None:
                conn.close()
            reason = unavailable_reason(exc)
            if reason is None:
                raise
            raise StoreUnavailable(path, reason, str(exc)) from exc
        return cls(conn, path)

    def close(self) -> None:
        self._conn.close()

    def _identity(self) -> tuple[int, int] | None:
        if str(self.path) == ":memory:":
            return None
        try:
            st = os.stat(self.path)
        except OSError:
            return None
        return st.st_dev, st.st_ino

    def check(self) -> None:
        """Raise StoreUnavailable if the database file is gone (for /status)."""
        self._still_there()

    def _still_there(self) -> None:
        """A database file deleted (or replaced) under a running bot: SQLite keeps
        writing to the open, unlinked file and everything is gone at the next start. So
        every write first checks that the path is still the file that was opened."""
        if self._file is not None and self._identity() != self._file:
            log.error("The database file %s was deleted or replaced; restart the bot", self.path)
            raise StoreUnavailable(self.path, "deleted")

    def _check(self, exc: sqlite3.Error) -> None:
        """Raise StoreUnavailable for `exc` if it means the database cannot be used now
        (the caller re-raises any other sqlite3 error as it is)."""
        reason = unavailable_reason(exc)
        if reason is not None:
            raise StoreUnavailable(self.path, reason, str(exc)) from exc

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            try:
                yield self._conn
            except sqlite3.Error as exc:
                self._check(exc)
                raise

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: committed whole, or rolled back whole."""
        with self._lock:
            self._still_there()
            try:
                self._conn.execute("BEGIN IMMEDIATE")  # waits out a lock up to busy_timeout
            except sqlite3.Error as exc:
                self._check(exc)
                raise
            try:
                yield self._conn
                self._conn.execute("COMMIT")
            except BaseException as exc:
                if self._conn.in_transaction:
                    # (SQLite may have rolled back itself when a statement failed hard)
                    with suppress(sqlite3.Error):
                        self._conn.execute("ROLLBACK")
                if isinstance(exc, sqlite3.Error):
                    self._check(exc)
                raise

    # -- subscriptions ----------------------------------------------------------------

    def subscribe(self, chat_id: int, deadline_ids: Iterable[str], now: datetime) -> list[str]:
        """Watch the deadlines; returns those that were not watched already."""
        added = []
        with self._tx() as db:
            for deadline_id in deadline_ids:
                cur = db.execute(
                    "INSERT OR IGNORE INTO subscriptions (chat_id, deadline_id, created) "
                    "VALUES (?, ?, ?)",
                    (chat_id, deadline_id, _iso(now)),
                )
                if cur.rowcount:
                    added.append(deadline_id)
        return added

    def unsubscribe(self, chat_id: int, deadline_ids: Iterable[str]) -> list[str]:
        """Stop watching; returns those that were watched. Their reminder records go too."""
        removed = []
        with self._tx() as db:
            for deadline_id in deadline_ids:
                cur = db.execute(
                    "DELETE FROM subscriptions WHERE chat_id = ? AND deadline_id = ?",
                    (chat_id, deadline_id),
                )
                if cur.rowcount:
                    removed.append(deadline_id)
                for table in ("reminders", "change_notices", "reminder_replies"):
                    db.execute(
                        f"DELETE FROM {table} WHERE chat_id = ? AND deadline_id = ?",
                        (chat_id, deadline_id),
                    )
        return removed

    def subscriptions(self, chat_id: int | None = None) -> list[Subscription]:
        """A chat's subscriptions, or everyone's; oldest first."""
        sql = "SELECT chat_id, deadline_id, created FROM subscriptions"
        args: tuple = ()
        if chat_id is not None:
            sql += " WHERE chat_id = ?"
            args = (chat_id,)
        with self._read() as db:
            rows = db.execute(sql + " ORDER BY created, chat_id, deadline_id", args)
            return [Subscription(c, d, datetime.fromisoformat(t)) for c, d, t in rows]

    def forget(self, chat_id: int) -> Forgotten:
        """Delete everything stored about a chat."""
        with self._tx() as db:
            subs = db.execute("DELETE FROM subscriptions WHERE chat_id = ?", (chat_id,)).rowcount
            rems = db.execute("DELETE FROM reminders WHERE chat_id = ?", (chat_id,)).rowcount
            # Counted per message (chat, source, version), not per deadline row.
            notices = db.execute(
                "SELECT COUNT(*) FROM (SELECT DISTINCT source_id, version FROM change_notices "
                "WHERE chat_id = ?)",
                (chat_id,),
            ).fetchone()[0]
            db.execute("DELETE FROM change_notices WHERE chat_id = ?", (chat_id,))
            replies = db.execute(
                "DELETE FROM reminder_replies WHERE chat_id = ?", (chat_id,)
            ).rowcount
        return Forgotten(subs, rems, notices, replies)

    def counts(self) -> Counts:
        with self._read() as db:
            q = db.execute
            chats, subs = q(
                "SELECT COUNT(DISTINCT chat_id), COUNT(*) FROM subscriptions"
            ).fetchone()
            sent, claimed = q(
                "SELECT COALESCE(SUM(state = 'sent'), 0), COALESCE(SUM(state = 'claimed'), 0) "
                "FROM reminders"
            ).fetchone()
            extra_sent, extra_claimed = q(
                "SELECT COALESCE(SUM(again_state = 'sent'), 0), "
                "COALESCE(SUM(again_state = 'claimed'), 0) FROM reminder_replies"
            ).fetchone()
        return Counts(chats, subs, sent + extra_sent, claimed + extra_claimed)

    # -- feedback on answers ------------------------------------------------------------

    def add_feedback(
        self, kind: str, doc: str | None, section: str | None, vote: VoteValue, day: date
    ) -> None:
        """One vote (+1 or -1) on an answer of `kind` citing `section` of `doc` first."""
        with self._tx() as db:
            db.execute(
                "INSERT INTO feedback (day, kind, doc, section, vote) VALUES (?, ?, ?, ?, ?)",
                (day.isoformat(), kind, doc, section, 1 if vote > 0 else -1),
            )

    def feedback_counts(self, since: date, limit: int = 5) -> FeedbackCounts:
        """The votes on or after `since`: in all, per cited section with the most 👎
        first (at most `limit`), and on answers citing nothing."""
        with self._read() as db:
            rows = db.execute(
                "SELECT doc, section, COALESCE(SUM(vote = 1), 0), COALESCE(SUM(vote = -1), 0) "
                "FROM feedback WHERE day >= ? GROUP BY doc, section",
                (since.isoformat(),),
            ).fetchall()
        return feedback_counts(rows, limit)

    # -- reminders ----------------------------------------------------------------------

    def recorded(self, since: date) -> set[ReminderKey]:
        """Reminders claimed or sent for occurrences on or after `since`."""
        with self._read() as db:
            rows = db.execute(
                "SELECT chat_id, deadline_id, occurrence, offset_days FROM reminders "
                "WHERE occurrence >= ?",
                (since.isoformat(),),
            ).fetchall()
        return {ReminderKey(c, d, date.fromisoformat(o), n) for c, d, o, n in rows}

    def claim(self, keys: Iterable[ReminderKey], now: datetime) -> list[ReminderKey]:
        """Record the reminders as being sent, in one transaction; returns the ones this
        caller claimed (a key already claimed or sent by anyone is left out)."""
        claimed = []
        with self._tx() as db:
            for k in keys:
                if k.again:
                    # pending only, so no two senders take it; not after "Klar"
                    cur = db.execute(
                        "UPDATE reminder_replies SET again_state = 'claimed' WHERE "
                        "chat_id = ? AND deadline_id = ? AND occurrence = ? AND "
                        "again_state = 'pending' AND done_at IS NULL AND EXISTS (SELECT 1 "
                        "FROM subscriptions WHERE chat_id = ? AND deadline_id = ?)",
                        (*self._occurrence(k), k.chat_id, k.deadline_id),
                    )
                    if cur.rowcount:
                        claimed.append(k)
                    continue
                # Only a chat that still watches the deadline can be claimed for.
                cur = db.execute(
                    "INSERT OR IGNORE INTO reminders "
                    "(chat_id, deadline_id, occurrence, offset_days, state, claimed_at) "
                    "SELECT ?, ?, ?, ?, 'claimed', ? WHERE EXISTS (SELECT 1 FROM subscriptions "
                    "WHERE chat_id = ? AND deadline_id = ?)",
                    (
                        k.chat_id,
                        k.deadline_id,
                        k.occurrence.isoformat(),
                        k.offset_days,
                        _iso(now),
                        k.chat_id,
                        k.deadline_id,
                    ),
                )
                if cur.rowcount:
                    claimed.append(k)
        return claimed

    def mark_sent(self, keys: Iterable[ReminderKey], now: datetime) -> None:
        keys = list(keys)
        with self._tx() as db:
            db.executemany(
                "UPDATE reminders SET state = 'sent', sent_at = ? WHERE chat_id = ? "
                "AND deadline_id = ? AND occurrence = ? AND offset_days = ?",
                [(_iso(now), *self._key(k)) for k in keys if not k.again],
            )
            db.executemany(
                "UPDATE reminder_replies SET again_state = 'sent' WHERE again_state = "
                "'claimed' AND chat_id = ? AND deadline_id = ? AND occurrence = ?",
                [self._occurrence(k) for k in keys if k.again],
            )

    def release(self, keys: Iterable[ReminderKey]) -> None:
        """Undo a claim whose message certainly did not reach Telegram: a later run retries."""
        keys = list(keys)
        with self._tx() as db:
            db.executemany(
                "DELETE FROM reminders WHERE state = 'claimed' AND chat_id = ? "
                "AND deadline_id = ? AND occurrence = ? AND offset_days = ?",
                [self._key(k) for k in keys if not k.again],
            )
            db.executemany(
                "UPDATE reminder_replies SET again_state = 'pending' WHERE again_state = "
                "'claimed' AND chat_id = ? AND deadline_id = ? AND occurrence = ?",
                [self._occurrence(k) for k in keys if k.again],
            )

    def unsent_claims(self) -> list[ReminderKey]:
        """Claims never marked sent: a crash came between claim and confirmation. They are
        not retried (the message may have gone out); listed so operators can see them."""
        with self._read() as db:
            rows = db.execute(
                "SELECT chat_id, deadline_id, occurrence, offset_days FROM reminders "
                "WHERE state = 'claimed' ORDER BY claimed_at"
            ).fetchall()
            extra = db.execute(
                "SELECT chat_id, deadline_id, occurrence FROM reminder_replies "
                "WHERE again_state = 'claimed' ORDER BY again_at"
            ).fetchall()
        return [ReminderKey(c, d, date.fromisoformat(o), n) for c, d, o, n in rows] + [
            ReminderKey.extra(c, d, date.fromisoformat(o)) for c, d, o in extra
        ]

    def prune(self, before: date) -> int:
        """Drop reminder records (and replies) of occurrences before `before`; they can
        never be due again. Votes on answers are kept for a year before `before`."""
        with self._tx() as db:
            db.execute("DELETE FROM reminder_replies WHERE occurrence < ?", (before.isoformat(),))
            kept_from = before - timedelta(days=KEPT_DAYS)
            db.execute("DELETE FROM feedback WHERE day < ?", (kept_from.isoformat(),))
            return db.execute(
                "DELETE FROM reminders WHERE occurrence < ?", (before.isoformat(),)
            ).rowcount

    # -- replies to reminders -----------------------------------------------------------

    def replies(self, since: date) -> Replies:
        """Occurrences on or after `since` marked done, and the extra reminders waiting
        to be sent (pending: not claimed yet, not cancelled by "Klar")."""
        with self._read() as db:
            rows = db.execute(
                "SELECT chat_id, deadline_id, occurrence, done_at, again_at, again_state "
                "FROM reminder_replies WHERE occurrence >= ?",
                (since.isoformat(),),
            ).fetchall()
        done, again = set(), {}
        for c, d, o, done_at, again_at, state in rows:
            if done_at is not None:
                done.add((c, d, date.fromisoformat(o)))
            elif state == "pending":
                again[ReminderKey.extra(c, d, date.fromisoformat(o))] = datetime.fromisoformat(
                    again_at
                )
        return Replies(frozenset(done), again)

    def mark_done(
        self, chat_id: int, deadline_id: str, occurrence: date, now: datetime
    ) -> ReplyResult:
        """ "Klar": no more reminders for the occurrence (an extra one pending is dropped
        with them). Returns "done", "already" (done before) or "not watched" (nothing is
        stored for a chat that does not watch the deadline)."""
        key = (chat_id, deadline_id, occurrence.isoformat())
        with self._tx() as db:
            if not self._watches(db, chat_id, deadline_id):
                return "not watched"
            cur = db.execute(
                "INSERT INTO reminder_replies (chat_id, deadline_id, occurrence, done_at) "
                "VALUES (?, ?, ?, ?) ON CONFLICT (chat_id, deadline_id, occurrence) "
                "DO UPDATE SET done_at = excluded.done_at WHERE done_at IS NULL",
                (*key, _iso(now)),
            )
        return "done" if cur.rowcount else "already"

    def remind_again(
        self, chat_id: int, deadline_id: str, occurrence: date, due: datetime
    ) -> ReplyResult:
        """ "Påminn igen": one extra reminder of the occurrence at `due`. Returns "booked",
        "already" (one is pending: a double tap), "done" ("Klar" was pressed) or
        "not watched". One already claimed or sent (a press on the extra reminder
        itself) is booked anew: a claim still on the wire then marks nothing."""
        key = (chat_id, deadline_id, occurrence.isoformat())
        with self._tx() as db:
            if not self._watches(db, chat_id, deadline_id):
                return "not watched"
            row = db.execute(
                "SELECT done_at, again_state FROM reminder_replies WHERE chat_id = ? "
                "AND deadline_id = ? AND occurrence = ?",
                key,
            ).fetchone()
            if row and row[0] is not None:
                return "done"
            if row and row[1] == "pending":
                return "already"
            db.execute(
                "INSERT INTO reminder_replies (chat_id, deadline_id, occurrence, again_at, "
                "again_state) VALUES (?, ?, ?, ?, 'pending') ON CONFLICT (chat_id, "
                "deadline_id, occurrence) DO UPDATE SET again_at = excluded.again_at, "
                "again_state = 'pending'",
                (*key, _iso(due)),
            )
        return "booked"

    @staticmethod
    def _watches(db: sqlite3.Connection, chat_id: int, deadline_id: str) -> bool:
        return bool(
            db.execute(
                "SELECT 1 FROM subscriptions WHERE chat_id = ? AND deadline_id = ?",
                (chat_id, deadline_id),
            ).fetchone()
        )

    @staticmethod
    def _key(k: ReminderKey) -> tuple:
        return (k.chat_id, k.deadline_id, k.occurrence.isoformat(), k.offset_days)

    @staticmethod
    def _occurrence(k: ReminderKey) -> tuple:
        return (k.chat_id, k.deadline_id, k.occurrence.isoformat())

    # -- change notices -------------------------------------------------------------------

    def source_versions(self) -> dict[str, str]:
        """The version of each source document last seen."""
        with self._read() as db:
            return dict(db.execute("SELECT source_id, version FROM source_versions"))

    def record_versions(
        self,
        versions: Mapping[str, str],
        deadlines_by_source: Mapping[str, Iterable[str]],
        now: datetime,
    ) -> list[NoticeKey]:
        """Record the sources' current versions and queue a notice to every chat watching
        a deadline drawn from a source whose version changed; returns the notices queued.
        A source seen for the first time is recorded silently: there is no earlier version
        a subscriber could have read."""
        queued = []
        with self._tx() as db:
            known = dict(db.execute("SELECT source_id, version FROM source_versions"))
            for source_id, version in sorted(versions.items()):
                before = known.get(source_id)
                if before == version:
                    continue
                db.execute(
                    "INSERT INTO source_versions (source_id, version, seen_at) VALUES (?, ?, ?) "
                    "ON CONFLICT (source_id) DO UPDATE SET version = excluded.version, "
                    "seen_at = excluded.seen_at",
                    (source_id, version, _iso(now)),
                )
                if before is None:
                    continue
                # Older notices of this source are done with: a pending one is superseded
                # by this one (same news, newer), and dropping sent ones lets a source
                # that returns to an earlier version (A -> B -> A) be announced again.
                db.execute("DELETE FROM change_notices WHERE source_id = ?", (source_id,))
                deadline_ids = sorted(set(deadlines_by_source.get(source_id, ())))
                if not deadline_ids:
                    continue
                marks = ",".join("?" * len(deadline_ids))
                db.execute(
                    "INSERT OR IGNORE INTO change_notices "
                    "(chat_id, source_id, version, deadline_id, state, queued_at) "
                    f"SELECT chat_id, ?, ?, deadline_id, 'pending', ? FROM subscriptions "
                    f"WHERE deadline_id IN ({marks})",
                    (source_id, version, _iso(now), *deadline_ids),
                )
                chats = db.execute(
                    "SELECT DISTINCT chat_id FROM change_notices WHERE source_id = ? "
                    "AND version = ? ORDER BY chat_id",
                    (source_id, version),
                )
                queued += [NoticeKey(c, source_id, version) for (c,) in chats]
        return queued

    def pending_notices(self) -> dict[NoticeKey, list[str]]:
        """Notices waiting to be sent, each with the deadline ids it names."""
        with self._read() as db:
            rows = db.execute(
                "SELECT chat_id, source_id, version, deadline_id FROM change_notices "
                "WHERE state = 'pending' ORDER BY chat_id, source_id, deadline_id"
            ).fetchall()
        pending: dict[NoticeKey, list[str]] = {}
        for c, s, v, d in rows:
            pending.setdefault(NoticeKey(c, s, v), []).append(d)
        return pending

    def claim_notice(self, key: NoticeKey) -> list[str]:
        """Claim a pending notice for sending; returns the deadline ids it names, or []
        when someone else claimed (or sent, or removed) it first."""
        with self._tx() as db:
            rows = db.execute(
                "UPDATE change_notices SET state = 'claimed' WHERE state = 'pending' "
                "AND chat_id = ? AND source_id = ? AND version = ? RETURNING deadline_id",
                self._notice(key),
            ).fetchall()
        return sorted(d for (d,) in rows)

    def mark_notice_sent(self, key: NoticeKey, now: datetime) -> None:
        with self._tx() as db:
            db.execute(
                "UPDATE change_notices SET state = 'sent', sent_at = ? WHERE state = 'claimed' "
                "AND chat_id = ? AND source_id = ? AND version = ?",
                (_iso(now), *self._notice(key)),
            )

    def release_notice(self, key: NoticeKey) -> None:
        """Undo a claim whose message certainly did not reach Telegram: a later run retries."""
        with self._tx() as db:
            db.execute(
                "UPDATE change_notices SET state = 'pending' WHERE state = 'claimed' "
                "AND chat_id = ? AND source_id = ? AND version = ?",
                self._notice(key),
            )

    def unsent_notice_claims(self) -> list[NoticeKey]:
        """Notices claimed but never confirmed (a crash): not retried, like reminders."""
        with self._read() as db:
            rows = db.execute(
                "SELECT DISTINCT chat_id, source_id, version FROM change_notices "
                "WHERE state = 'claimed' ORDER BY chat_id, source_id"
            ).fetchall()
        return [NoticeKey(*r) for r in rows]

    @staticmethod
    def _notice(k: NoticeKey) -> tuple:
        return (k.chat_id, k.source_id, k.version)

    # -- one reminder run at a time -------------------------------------------------------

    def take_run_lease(self) -> bool:
        """Always granted: one process uses a SQLite file (and its claims would still keep
        a second one from sending anything twice)."""
        return True

    def release_run_lease(self) -> None:
        """Nothing to release."""


SubscriptionStore = SqliteStore  # the name callers and tests have used
