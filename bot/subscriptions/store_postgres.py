"""The store in PostgreSQL (DATABASE_URL=postgresql://…): the semantics of the SQLite
store (store.py) - the same methods, answers and privacy promises - in one database
that several bot instances share. Driver: psycopg 3.

Transactions and concurrency
----------------------------
Each write is one transaction (READ COMMITTED), committed whole or rolled back whole.
SQLite runs one write at a time; here two instances write at the same moment, so every
write that depends on what it read locks what it read:

- A reminder is claimed by `INSERT … ON CONFLICT DO NOTHING` under the UNIQUE key
  (chat, deadline, occurrence, offset): of two instances claiming the same key, the
  second waits for the first to commit and then inserts nothing. Keys are claimed in one
  fixed order, so two claims never deadlock.
- A claim, a "Klar"/"Påminn igen" and a queued change notice hold a lock on the chat's
  subscription row (FOR KEY SHARE / FOR NO KEY UPDATE): an /avbevaka or /glom running at
  the same time waits for them and then deletes what they wrote, or has already deleted
  the subscription and they write nothing. So nothing about a chat survives /glom.
- "Påminn igen" and "Klar" lock the subscription row FOR NO KEY UPDATE: a double tap
  that reaches both instances is booked once, as in SQLite.
- A change notice is claimed by locking all its rows in one order (SELECT … FOR UPDATE)
  before marking them: one instance gets the whole notice, never half of it.
- Recording source versions locks `source_versions` (self-exclusive): two instances
  seeing a new version at once queue its notices once.

A deadlock PostgreSQL breaks (it aborts one side) is retried, up to three attempts. A
lock held longer than BUSY_TIMEOUT (lock_timeout) raises StoreUnavailable("locked").

Connections: one per store, used under a lock (the store is called from the event loop
and from worker threads, as SQLite's). A connection lost (server restarted, network cut)
is replaced at the next call; a call that failed before its commit was sent is retried
once on the new connection, so a restart of the server costs no user action. A failure
while committing is not retried: its outcome is unknown (a claim then stays claimed:
at-most-once, as after a crash). tcp_user_timeout and keepalives bound how long a call
can hang on a dead network.

Schema: created and migrated at start by MIGRATIONS, each applied once and recorded in
`schema_migrations` (under an advisory lock: two instances starting together migrate
once). Their numbers are SQLite's PRAGMA user_version numbers (store.SCHEMA_VERSION).

Times are stored as timestamptz to the second (SQLite's ISO text has seconds too), dates
as date, ids as text in the C collation (byte order, SQLite's), chat ids as bigint.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar, overload

import psycopg
from psycopg.conninfo import conninfo_to_dict

from .change_notices import NoticeKey
from .feedback import KEPT_DAYS
from .reminders import ReminderKey, Replies, Subscription
from .store_base import (
    BUSY_TIMEOUT,
    Counts,
    Failure,
    FeedbackCounts,
    Forgotten,
    ReplyResult,
    StoreUnavailable,
    VoteValue,
    feedback_counts,
    masked,
)

log = logging.getLogger(__name__)

T = TypeVar("T")
BACKEND = "PostgreSQL"
ATTEMPTS = 3  # of a transaction PostgreSQL aborted to break a deadlock
CONNECT_TIMEOUT = 5  # seconds


@dataclass(frozen=True)
class Migration:
    version: int  # the same number as SQLite's user_version for the same schema
    name: str
    sql: str


# Version 1: the tables of SQLite's user_version 1.
V1_BASE = """
CREATE TABLE subscriptions (
    chat_id     BIGINT      NOT NULL,
    deadline_id TEXT        COLLATE "C" NOT NULL,
    created     TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (chat_id, deadline_id)
);
CREATE TABLE reminders (
    chat_id     BIGINT      NOT NULL,
    deadline_id TEXT        COLLATE "C" NOT NULL,
    occurrence  DATE        NOT NULL,  -- the deadline's date
    offset_days INTEGER     NOT NULL,
    state       TEXT        NOT NULL CHECK (state IN ('claimed', 'sent')),
    claimed_at  TIMESTAMPTZ NOT NULL,
    sent_at     TIMESTAMPTZ,
    UNIQUE (chat_id, deadline_id, occurrence, offset_days)
);
CREATE INDEX reminders_by_occurrence ON reminders (occurrence);
CREATE TABLE source_versions (
    source_id   TEXT        COLLATE "C" PRIMARY KEY,
    version     TEXT        COLLATE "C" NOT NULL,
    seen_at     TIMESTAMPTZ NOT NULL
);
CREATE TABLE change_notices (
    chat_id     BIGINT      NOT NULL,
    source_id   TEXT        COLLATE "C" NOT NULL,
    version     TEXT        COLLATE "C" NOT NULL,  -- the source's new version
    deadline_id TEXT        COLLATE "C" NOT NULL,  -- a watched deadline drawn from it
    state       TEXT        NOT NULL CHECK (state IN ('pending', 'claimed', 'sent')),
    queued_at   TIMESTAMPTZ NOT NULL,
    sent_at     TIMESTAMPTZ,
    UNIQUE (chat_id, source_id, version, deadline_id)
);
CREATE INDEX change_notices_by_source ON change_notices (source_id);
CREATE TABLE reminder_replies (
    chat_id     BIGINT      NOT NULL,
    deadline_id TEXT        COLLATE "C" NOT NULL,
    occurrence  DATE        NOT NULL,  -- the deadline's date the reminder was about
    done_at     TIMESTAMPTZ,           -- "Klar": no more reminders for this occurrence
    again_at    TIMESTAMPTZ,           -- "Påminn igen": when the extra reminder is due
    again_state TEXT CHECK (again_state IN ('pending', 'claimed', 'sent')),
    PRIMARY KEY (chat_id, deadline_id, occurrence)
);
"""

# Version 2: votes on answers (SQLite's user_version 2), no chat, user or question.
V2_FEEDBACK = """
CREATE TABLE feedback (
    day         DATE        NOT NULL,  -- the vote's date (Stockholm): no time of day
    kind        TEXT        COLLATE "C" NOT NULL,  -- the answer's kind
    doc         TEXT        COLLATE "C",  -- the first cited section's document (NULL: none)
    section     TEXT        COLLATE "C",
    vote        SMALLINT    NOT NULL CHECK (vote IN (-1, 1))
);
CREATE INDEX feedback_day ON feedback (day);
"""

# Applied in order, each once. A new table is one more entry, with the number SQLite's
# SCHEMA_VERSION gets for it.
MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "base", V1_BASE),
    Migration(2, "feedback", V2_FEEDBACK),
)

MIGRATIONS_TABLE = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER     PRIMARY KEY,
    name       TEXT        NOT NULL,
    applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
)
"""

# SQLSTATEs (by class or exact code) that mean "the database cannot be used now".
UNAVAILABLE_STATES: dict[str, Failure] = {
    "55P03": "locked",  # lock_not_available: lock_timeout passed
    "40P01": "locked",  # deadlock_detected, after the retries
    "40001": "locked",  # serialization_failure, after the retries
    "25006": "readonly",  # read_only_sql_transaction
    "42501": "denied",  # insufficient_privilege
    "3D000": "nodb",  # invalid_catalog_name
    "3F000": "nodb",  # invalid_schema_name: the search_path's schema does not exist
    "53": "full",  # insufficient resources: disk full, out of memory, too many connections
    "57P": "unreachable",  # admin or crash shutdown, cannot connect now
    "08": "unreachable",  # connection exception
    "28": "login",  # invalid authorization
}
RETRIED_STATES = ("40P01", "40001")


def _stamp(moment: datetime) -> datetime:
    """To the second, in UTC: what SQLite's ISO text keeps."""
    return moment.astimezone(UTC).replace(microsecond=0)


@overload
def _utc(moment: datetime) -> datetime: ...
@overload
def _utc(moment: None) -> None: ...
def _utc(moment: datetime | None) -> datetime | None:
    return None if moment is None else moment.astimezone(UTC)


def _one(cur: psycopg.Cursor) -> tuple[Any, ...]:
    """The row of a query that always has one (an aggregate, a function)."""
    row = cur.fetchone()
    assert row is not None, "the query has a row"
    return row


class PostgresStore:
    """The PostgreSQL implementation of store_base.Store."""

    def __init__(self, url: str, busy_timeout: float = BUSY_TIMEOUT):
        self._url = url  # holds the password: never logged, never in a message
        self.path: str | Path = masked(url)  # typed as Store.path (here always a str)
        self._password = str(conninfo_to_dict(url).get("password") or "")
        self._busy_ms = max(1, int(busy_timeout * 1000))
        self._lock = threading.RLock()
        self._conn: psycopg.Connection | None = None
        self._leased = False

    def __repr__(self) -> str:
        return f"PostgresStore({self.path!r})"

    @classmethod
    def open(cls, url: str, busy_timeout: float = BUSY_TIMEOUT) -> PostgresStore:
        """Connect and bring the schema up to date. Raises StoreUnavailable, naming the
        URL without its password, when the server cannot be reached or refuses."""
        store = cls(url, busy_timeout)
        store._write(store._migrate)
        return store

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    # -- connections, transactions, errors ---------------------------------------------

    def _unavailable(self, exc: psycopg.Error) -> StoreUnavailable | None:
        """StoreUnavailable for `exc` if it means the database cannot be used now, else
        None (a bug in a statement is raised as psycopg's own error)."""
        state = exc.sqlstate
        reason: Failure | None = None
        if state:
            for prefix in (state, state[:3], state[:2]):  # the code, then its class
                reason = reason or UNAVAILABLE_STATES.get(prefix)
        elif isinstance(exc, psycopg.OperationalError):  # from libpq: no SQLSTATE
            text = str(exc)
            if "password authentication failed" in text or 'role "' in text:
                reason = "login"
            elif 'database "' in text and "does not exist" in text:
                reason = "nodb"
            else:
                reason = "unreachable"
        if reason is None:
            return None
        detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        if self._password:
            detail = detail.replace(self._password, "***")
        return StoreUnavailable(self.path, reason, detail, backend=BACKEND)

    def _connection(self) -> psycopg.Connection:
        if self._conn is not None and not self._conn.closed and not self._conn.broken:
            return self._conn
        if self._conn is not None:
            self._conn.close()
            self._conn = None
            if self._leased:
                log.warning("The database connection was lost; its reminder-run lease with it")
                self._leased = False
        params = conninfo_to_dict(self._url)
        # what a URL leaves unset: a bounded wait for the server, and a dead network
        # noticed within seconds instead of TCP's quarter of an hour
        defaults: dict[str, str | int] = {
                    "connect_timeout": CONNECT_TIMEOUT, "application_name": "beredskapsboten",
                    "keepalives": 1, "keepalives_idle": 30, "keepalives_interval": 10,
                    "keepalives_count": 3, "tcp_user_timeout": 15_000}  # fmt: skip
        for key, value in defaults.items():
            params.setdefault(key, value)
        try:
            # libpq's parameters, as keywords (psycopg types them only as its own)
            conn = psycopg.connect(**params, autocommit=True)  # type: ignore[arg-type]
        except psycopg.Error as exc:
            raise self._unavailable(exc) or exc from None  # the URL is not in the chain
        try:
            conn.execute(
                "SELECT set_config('lock_timeout', %s, false), "
                "set_config('TimeZone', 'UTC', false)",
                (f"{self._busy_ms}ms",),
            )
        except psycopg.Error as exc:
            conn.close()
            raise self._unavailable(exc) or exc from None
        self._conn = conn
        return conn

    def _run(self, body: Callable[[psycopg.Cursor], T], write: bool) -> T:
        """`body` in one transaction (write) or in autocommit (a read: one statement is
        one snapshot, like SQLite's reads). Retries a deadlock, and once a connection
        found dead before the commit was sent."""
        with self._lock:
            reconnected = False
            for attempt in range(1, ATTEMPTS + 1):
                conn = self._connection()
                committing = False
                try:
                    if not write:
                        return body(conn.cursor())
                    with conn.transaction():
                        result = body(conn.cursor())
                        committing = True
                    return result
                except psycopg.Error as exc:
                    lost = conn.broken or conn.closed
                    if not committing and exc.sqlstate in RETRIED_STATES and attempt < ATTEMPTS:
                        log.info("Database: a deadlock was broken; transaction retried")
                        continue
                    if not committing and lost and not reconnected:
                        reconnected = True  # the server restarted since the last call
                        log.warning("Database connection lost; reconnecting: %s",
                                    self._unavailable(exc) or type(exc).__name__)  # fmt: skip
                        continue
                    unavailable = self._unavailable(exc)
                    if unavailable is None:
                        raise
                    raise unavailable from None
            raise AssertionError("unreachable")  # pragma: no cover

    def _write(self, body: Callable[[psycopg.Cursor], T]) -> T:
        return self._run(body, write=True)

    def _read(self, body: Callable[[psycopg.Cursor], T]) -> T:
        return self._run(body, write=False)

    def check(self) -> None:
        """Raise StoreUnavailable if the server cannot be used (for /status)."""
        self._read(lambda cur: cur.execute("SELECT 1").fetchone())

    # -- schema -----------------------------------------------------------------------

    def _migrate(self, cur: psycopg.Cursor) -> None:
        # one instance at a time (per schema): the other waits, then finds it done
        cur.execute("SELECT pg_advisory_xact_lock(hashtext(current_schema() || ':schema'))")
        if _one(cur.execute("SELECT current_schema()"))[0] is None:
            raise StoreUnavailable(self.path, "nodb", "no schema in search_path", BACKEND)
        cur.execute(MIGRATIONS_TABLE)
        applied = {v for (v,) in cur.execute("SELECT version FROM schema_migrations")}
        for m in MIGRATIONS:
            if m.version in applied:
                continue
            cur.execute(m.sql)
            cur.execute("INSERT INTO schema_migrations (version, name) VALUES (%s, %s)",
                        (m.version, m.name))  # fmt: skip
            log.info("Database schema migrated to version %d (%s)", m.version, m.name)
        newer = sorted(v for v in applied if v > MIGRATIONS[-1].version)
        if newer:  # a newer bot migrated it: its tables only grew, so this one still works
            log.info("The database schema is at version %d, newer than this bot's %d",
                     newer[-1], MIGRATIONS[-1].version)  # fmt: skip

    def schema_version(self) -> int:
        return self._read(
            lambda cur: _one(
                cur.execute("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")
            )[0]
        )

    # -- subscriptions ----------------------------------------------------------------

    def subscribe(self, chat_id: int, deadline_ids: Iterable[str], now: datetime) -> list[str]:
        """Watch the deadlines; returns those that were not watched already."""
        ids = list(deadline_ids)

        def body(cur: psycopg.Cursor) -> list[str]:
            added = []
            for deadline_id in ids:
                cur.execute(
                    "INSERT INTO subscriptions (chat_id, deadline_id, created) "
                    "VALUES (%s, %s, %s) ON CONFLICT DO NOTHING",
                    (chat_id, deadline_id, _stamp(now)),
                )
                if cur.rowcount:
                    added.append(deadline_id)
            return added

        return self._write(body)

    def unsubscribe(self, chat_id: int, deadline_ids: Iterable[str]) -> list[str]:
        """Stop watching; returns those that were watched. Their reminder records go too."""
        ids = list(dict.fromkeys(deadline_ids))

        def body(cur: psycopg.Cursor) -> set[str]:
            removed = set()
            for deadline_id in sorted(ids):  # the order claims lock in: no deadlock
                cur.execute(
                    "DELETE FROM subscriptions WHERE chat_id = %s AND deadline_id = %s",
                    (chat_id, deadline_id),
                )
                if cur.rowcount:
                    removed.add(deadline_id)
                for table in ("reminders", "change_notices", "reminder_replies"):
                    cur.execute(
                        f"DELETE FROM {table} WHERE chat_id = %s AND deadline_id = %s",
                        (chat_id, deadline_id),
                    )
            return removed

        removed = self._write(body)
        return [d for d in ids if d in removed]

    def subscriptions(self, chat_id: int | None = None) -> list[Subscription]:
        """A chat's subscriptions, or everyone's; oldest first."""
        sql = "SELECT chat_id, deadline_id, created FROM subscriptions"
        args: tuple = ()
        if chat_id is not None:
            sql += " WHERE chat_id = %s"
            args = (chat_id,)
        sql += " ORDER BY created, chat_id, deadline_id"
        rows = self._read(lambda cur: cur.execute(sql, args).fetchall())
        return [Subscription(c, d, _utc(t)) for c, d, t in rows]

    def forget(self, chat_id: int) -> Forgotten:
        """Delete everything stored about a chat."""

        def body(cur: psycopg.Cursor) -> Forgotten:
            subs = cur.execute("DELETE FROM subscriptions WHERE chat_id = %s", (chat_id,)).rowcount
            rems = cur.execute("DELETE FROM reminders WHERE chat_id = %s", (chat_id,)).rowcount
            # Counted per message (chat, source, version), not per deadline row.
            notices = _one(cur.execute(
                "SELECT COUNT(*) FROM (SELECT DISTINCT source_id, version FROM change_notices "
                "WHERE chat_id = %s) AS n",
                (chat_id,),
            ))[0]
            cur.execute("DELETE FROM change_notices WHERE chat_id = %s", (chat_id,))
            replies = cur.execute(
                "DELETE FROM reminder_replies WHERE chat_id = %s", (chat_id,)
            ).rowcount
            return Forgotten(subs, rems, notices, replies)

        return self._write(body)

    def counts(self) -> Counts:
        row = self._read(
            lambda cur: _one(cur.execute(
                "SELECT (SELECT COUNT(DISTINCT chat_id) FROM subscriptions), "
                "(SELECT COUNT(*) FROM subscriptions), "
                "(SELECT COUNT(*) FILTER (WHERE state = 'sent') FROM reminders) + "
                "(SELECT COUNT(*) FILTER (WHERE again_state = 'sent') FROM reminder_replies), "
                "(SELECT COUNT(*) FILTER (WHERE state = 'claimed') FROM reminders) + "
                "(SELECT COUNT(*) FILTER (WHERE again_state = 'claimed') FROM reminder_replies)"
            ))
        )
        return Counts(*row)

    # -- reminders ----------------------------------------------------------------------

    def recorded(self, since: date) -> set[ReminderKey]:
        """Reminders claimed or sent for occurrences on or after `since`."""
        rows = self._read(
            lambda cur: cur.execute(
                "SELECT chat_id, deadline_id, occurrence, offset_days FROM reminders "
                "WHERE occurrence >= %s",
                (since,),
            ).fetchall()
        )
        return {ReminderKey(*r) for r in rows}

    def claim(self, keys: Iterable[ReminderKey], now: datetime) -> list[ReminderKey]:
        """Record the reminders as being sent, in one transaction; returns the ones this
        caller claimed (a key already claimed or sent by anyone - any instance - is left
        out)."""
        keys = list(keys)
        if not keys:
            return []

        def body(cur: psycopg.Cursor) -> set[ReminderKey]:
            pairs = sorted({(k.chat_id, k.deadline_id) for k in keys})
            # Only a chat that still watches the deadline can be claimed for; the lock
            # keeps an /avbevaka or /glom from deleting the subscription under the claim.
            watched = set(
                cur.execute(
                    "SELECT chat_id, deadline_id FROM subscriptions WHERE (chat_id, deadline_id) "
                    "IN (SELECT * FROM unnest(%s::bigint[], %s::text[])) "
                    "ORDER BY chat_id, deadline_id FOR KEY SHARE",
                    ([c for c, _ in pairs], [d for _, d in pairs]),
                ).fetchall()
            )
            got = set()
            for k in sorted(keys, key=_order):  # one order for everyone: no deadlock
                if (k.chat_id, k.deadline_id) not in watched:
                    continue
                if k.again:
                    # pending only, so no two senders take it; not after "Klar"
                    cur.execute(
                        "UPDATE reminder_replies SET again_state = 'claimed' WHERE chat_id = %s "
                        "AND deadline_id = %s AND occurrence = %s AND again_state = 'pending' "
                        "AND done_at IS NULL",
                        self._occurrence(k),
                    )
                else:
                    cur.execute(
                        "INSERT INTO reminders (chat_id, deadline_id, occurrence, offset_days, "
                        "state, claimed_at) VALUES (%s, %s, %s, %s, 'claimed', %s) "
                        "ON CONFLICT DO NOTHING",
                        (*self._key(k), _stamp(now)),
                    )
                if cur.rowcount:
                    got.add(k)
            return got

        got = self._write(body)
        return [k for k in keys if k in got]

    def mark_sent(self, keys: Iterable[ReminderKey], now: datetime) -> None:
        keys = list(keys)

        def body(cur: psycopg.Cursor) -> None:
            usual = [(_stamp(now), *self._key(k)) for k in keys if not k.again]
            extra = [self._occurrence(k) for k in keys if k.again]
            if usual:
                cur.executemany(
                    "UPDATE reminders SET state = 'sent', sent_at = %s WHERE chat_id = %s "
                    "AND deadline_id = %s AND occurrence = %s AND offset_days = %s",
                    usual,
                )
            if extra:
                cur.executemany(
                    "UPDATE reminder_replies SET again_state = 'sent' WHERE again_state = "
                    "'claimed' AND chat_id = %s AND deadline_id = %s AND occurrence = %s",
                    extra,
                )

        self._write(body)

    def release(self, keys: Iterable[ReminderKey]) -> None:
        """Undo a claim whose message certainly did not reach Telegram: a later run retries."""
        keys = list(keys)

        def body(cur: psycopg.Cursor) -> None:
            usual = [self._key(k) for k in keys if not k.again]
            extra = [self._occurrence(k) for k in keys if k.again]
            if usual:
                cur.executemany(
                    "DELETE FROM reminders WHERE state = 'claimed' AND chat_id = %s "
                    "AND deadline_id = %s AND occurrence = %s AND offset_days = %s",
                    usual,
                )
            if extra:
                cur.executemany(
                    "UPDATE reminder_replies SET again_state = 'pending' WHERE again_state = "
                    "'claimed' AND chat_id = %s AND deadline_id = %s AND occurrence = %s",
                    extra,
                )

        self._write(body)

    def unsent_claims(self) -> list[ReminderKey]:
        """Claims never marked sent: a crash came between claim and confirmation. They are
        not retried (the message may have gone out); listed so operators can see them."""

        def body(cur: psycopg.Cursor) -> tuple[list, list]:
            rows = cur.execute(
                "SELECT chat_id, deadline_id, occurrence, offset_days FROM reminders "
                "WHERE state = 'claimed' ORDER BY claimed_at, chat_id, deadline_id, "
                "occurrence, offset_days"
            ).fetchall()
            extra = cur.execute(
                "SELECT chat_id, deadline_id, occurrence FROM reminder_replies "
                "WHERE again_state = 'claimed' ORDER BY again_at, chat_id, deadline_id, "
                "occurrence"
            ).fetchall()
            return rows, extra

        rows, extra = self._read(body)
        return [ReminderKey(*r) for r in rows] + [ReminderKey.extra(*r) for r in extra]

    def prune(self, before: date) -> int:
        """Drop reminder records (and replies) of occurrences before `before`; they can
        never be due again."""

        def body(cur: psycopg.Cursor) -> int:
            cur.execute("DELETE FROM reminder_replies WHERE occurrence < %s", (before,))
            kept_from = before - timedelta(days=KEPT_DAYS)
            cur.execute("DELETE FROM feedback WHERE day < %s", (kept_from,))
            return cur.execute("DELETE FROM reminders WHERE occurrence < %s", (before,)).rowcount

        return self._write(body)

    # -- feedback on answers ------------------------------------------------------------

    def add_feedback(
        self, kind: str, doc: str | None, section: str | None, vote: VoteValue, day: date
    ) -> None:
        """One vote (+1 or -1) on an answer of `kind` citing `section` of `doc` first."""
        self._write(
            lambda cur: cur.execute(
                "INSERT INTO feedback (day, kind, doc, section, vote) "
                "VALUES (%s, %s, %s, %s, %s)",
                (day, kind, doc, section, 1 if vote > 0 else -1),
            )
        )

    def feedback_counts(self, since: date, limit: int = 5) -> FeedbackCounts:
        """The votes on or after `since`: in all, per cited section with the most 👎
        first (at most `limit`), and on answers citing nothing."""
        rows = self._read(
            lambda cur: cur.execute(
                "SELECT doc, section, COUNT(*) FILTER (WHERE vote = 1), "
                "COUNT(*) FILTER (WHERE vote = -1) FROM feedback WHERE day >= %s "
                "GROUP BY doc, section",
                (since,),
            ).fetchall()
        )
        return feedback_counts(rows, limit)

    # -- replies to reminders -----------------------------------------------------------

    def replies(self, since: date) -> Replies:
        """Occurrences on or after `since` marked done, and the extra reminders waiting
        to be sent (pending: not claimed yet, not cancelled by "Klar")."""
        rows = self._read(
            lambda cur: cur.execute(
                "SELECT chat_id, deadline_id, occurrence, done_at, again_at, again_state "
                "FROM reminder_replies WHERE occurrence >= %s",
                (since,),
            ).fetchall()
        )
        done, again = set(), {}
        for c, d, o, done_at, again_at, state in rows:
            if done_at is not None:
                done.add((c, d, o))
            elif state == "pending":
                again[ReminderKey.extra(c, d, o)] = _utc(again_at)
        return Replies(frozenset(done), again)

    def mark_done(
        self, chat_id: int, deadline_id: str, occurrence: date, now: datetime
    ) -> ReplyResult:
        """ "Klar": no more reminders for the occurrence (an extra one pending is dropped
        with them). Returns "done", "already" (done before) or "not watched"."""

        def body(cur: psycopg.Cursor) -> ReplyResult:
            if not self._watches(cur, chat_id, deadline_id):
                return "not watched"
            cur.execute(
                "INSERT INTO reminder_replies (chat_id, deadline_id, occurrence, done_at) "
                "VALUES (%s, %s, %s, %s) ON CONFLICT (chat_id, deadline_id, occurrence) "
                "DO UPDATE SET done_at = excluded.done_at WHERE reminder_replies.done_at IS NULL",
                (chat_id, deadline_id, occurrence, _stamp(now)),
            )
            return "done" if cur.rowcount else "already"

        return self._write(body)

    def remind_again(
        self, chat_id: int, deadline_id: str, occurrence: date, due: datetime
    ) -> ReplyResult:
        """ "Påminn igen": one extra reminder of the occurrence at `due`. Returns "booked",
        "already" (one is pending: a double tap), "done" ("Klar" was pressed) or
        "not watched". One already claimed or sent is booked anew."""
        key = (chat_id, deadline_id, occurrence)

        def body(cur: psycopg.Cursor) -> ReplyResult:
            if not self._watches(cur, chat_id, deadline_id):
                return "not watched"
            row = cur.execute(
                "SELECT done_at, again_state FROM reminder_replies WHERE chat_id = %s "
                "AND deadline_id = %s AND occurrence = %s FOR UPDATE",
                key,
            ).fetchone()
            if row and row[0] is not None:
                return "done"
            if row and row[1] == "pending":
                return "already"
            cur.execute(
                "INSERT INTO reminder_replies (chat_id, deadline_id, occurrence, again_at, "
                "again_state) VALUES (%s, %s, %s, %s, 'pending') ON CONFLICT (chat_id, "
                "deadline_id, occurrence) DO UPDATE SET again_at = excluded.again_at, "
                "again_state = 'pending'",
                (*key, _stamp(due)),
            )
            return "booked"

        return self._write(body)

    @staticmethod
    def _watches(cur: psycopg.Cursor, chat_id: int, deadline_id: str) -> bool:
        """Whether the chat watches the deadline, locking the subscription: presses of
        the same chat and deadline (on any instance) take turns, and an /avbevaka waits."""
        return bool(
            cur.execute(
                "SELECT 1 FROM subscriptions WHERE chat_id = %s AND deadline_id = %s "
                "FOR NO KEY UPDATE",
                (chat_id, deadline_id),
            ).fetchone()
        )

    @staticmethod
    def _key(k: ReminderKey) -> tuple:
        return (k.chat_id, k.deadline_id, k.occurrence, k.offset_days)

    @staticmethod
    def _occurrence(k: ReminderKey) -> tuple:
        return (k.chat_id, k.deadline_id, k.occurrence)

    # -- change notices -------------------------------------------------------------------

    def source_versions(self) -> dict[str, str]:
        """The version of each source document last seen."""
        rows = self._read(
            lambda cur: cur.execute("SELECT source_id, version FROM source_versions").fetchall()
        )
        return dict(rows)

    def record_versions(
        self,
        versions: Mapping[str, str],
        deadlines_by_source: Mapping[str, Iterable[str]],
        now: datetime,
    ) -> list[NoticeKey]:
        """Record the sources' current versions and queue a notice to every chat watching
        a deadline drawn from a source whose version changed; returns the notices queued.
        A source seen for the first time is recorded silently."""
        by_source = {s: sorted(set(ids)) for s, ids in deadlines_by_source.items()}

        def body(cur: psycopg.Cursor) -> list[NoticeKey]:
            # Two instances seeing a new version at once: the second waits here, then
            # reads the version the first recorded and queues nothing.
            cur.execute("LOCK TABLE source_versions IN SHARE ROW EXCLUSIVE MODE")
            known: dict[str, str] = dict(
                cur.execute("SELECT source_id, version FROM source_versions").fetchall()
            )
            queued = []
            for source_id, version in sorted(versions.items()):
                before = known.get(source_id)
                if before == version:
                    continue
                cur.execute(
                    "INSERT INTO source_versions (source_id, version, seen_at) "
                    "VALUES (%s, %s, %s) ON CONFLICT (source_id) DO UPDATE SET "
                    "version = excluded.version, seen_at = excluded.seen_at",
                    (source_id, version, _stamp(now)),
                )
                if before is None:
                    continue
                # Older notices of this source are done with (see bot/subscriptions/store.py).
                cur.execute("DELETE FROM change_notices WHERE source_id = %s", (source_id,))
                deadline_ids = by_source.get(source_id, [])
                if not deadline_ids:
                    continue
                cur.execute(
                    "INSERT INTO change_notices "
                    "(chat_id, source_id, version, deadline_id, state, queued_at) "
                    "SELECT chat_id, %s, %s, deadline_id, 'pending', %s FROM subscriptions "
                    "WHERE deadline_id = ANY(%s) ORDER BY chat_id, deadline_id FOR KEY SHARE "
                    "ON CONFLICT DO NOTHING",
                    (source_id, version, _stamp(now), deadline_ids),
                )
                chats = cur.execute(
                    "SELECT DISTINCT chat_id FROM change_notices WHERE source_id = %s "
                    "AND version = %s ORDER BY chat_id",
                    (source_id, version),
                ).fetchall()
                queued += [NoticeKey(c, source_id, version) for (c,) in chats]
            return queued

        return self._write(body)

    def pending_notices(self) -> dict[NoticeKey, list[str]]:
        """Notices waiting to be sent, each with the deadline ids it names."""
        rows = self._read(
            lambda cur: cur.execute(
                "SELECT chat_id, source_id, version, deadline_id FROM change_notices "
                "WHERE state = 'pending' ORDER BY chat_id, source_id, deadline_id"
            ).fetchall()
        )
        pending: dict[NoticeKey, list[str]] = {}
        for c, s, v, d in rows:
            pending.setdefault(NoticeKey(c, s, v), []).append(d)
        return pending

    def claim_notice(self, key: NoticeKey) -> list[str]:
        """Claim a pending notice for sending; returns the deadline ids it names, or []
        when someone else claimed (or sent, or removed) it first."""

        def body(cur: psycopg.Cursor) -> list[str]:
            # all its rows locked in one order first: one claimer gets the whole notice
            cur.execute(
                "SELECT deadline_id FROM change_notices WHERE state = 'pending' AND "
                "chat_id = %s AND source_id = %s AND version = %s ORDER BY deadline_id "
                "FOR UPDATE",
                self._notice(key),
            )
            rows = cur.execute(
                "UPDATE change_notices SET state = 'claimed' WHERE state = 'pending' "
                "AND chat_id = %s AND source_id = %s AND version = %s RETURNING deadline_id",
                self._notice(key),
            ).fetchall()
            return sorted(d for (d,) in rows)

        return self._write(body)

    def mark_notice_sent(self, key: NoticeKey, now: datetime) -> None:
        self._write(
            lambda cur: cur.execute(
                "UPDATE change_notices SET state = 'sent', sent_at = %s WHERE state = 'claimed' "
                "AND chat_id = %s AND source_id = %s AND version = %s",
                (_stamp(now), *self._notice(key)),
            )
        )

    def release_notice(self, key: NoticeKey) -> None:
        """Undo a claim whose message certainly did not reach Telegram: a later run retries."""
        self._write(
            lambda cur: cur.execute(
                "UPDATE change_notices SET state = 'pending' WHERE state = 'claimed' "
                "AND chat_id = %s AND source_id = %s AND version = %s",
                self._notice(key),
            )
        )

    def unsent_notice_claims(self) -> list[NoticeKey]:
        """Notices claimed but never confirmed (a crash): not retried, like reminders."""
        rows = self._read(
            lambda cur: cur.execute(
                "SELECT DISTINCT chat_id, source_id, version FROM change_notices "
                "WHERE state = 'claimed' ORDER BY chat_id, source_id, version"
            ).fetchall()
        )
        return [NoticeKey(*r) for r in rows]

    @staticmethod
    def _notice(k: NoticeKey) -> tuple:
        return (k.chat_id, k.source_id, k.version)

    # -- one reminder run at a time -------------------------------------------------------

    def take_run_lease(self) -> bool:
        """True when no other instance is in a reminder run (on this database and schema),
        and from now on none will start one until release_run_lease. A session-level
        advisory lock: it goes with the connection, so an instance that dies frees it."""

        def body(cur: psycopg.Cursor) -> bool:
            return _one(cur.execute(
                "SELECT pg_try_advisory_lock(hashtext(current_schema() || ':reminder-run'))"
            ))[0]

        with self._lock:
            if self._leased:
                return True
            self._leased = self._read(body)
            return self._leased

    def release_run_lease(self) -> None:
        with self._lock:
            if not self._leased:
                return
            self._leased = False
            self._read(
                lambda cur: cur.execute(
                    "SELECT pg_advisory_unlock(hashtext(current_schema() || ':reminder-run'))"
                )
            )


def _order(k: ReminderKey) -> tuple[Any, ...]:
    return (k.chat_id, k.deadline_id, k.occurrence, k.offset_days, k.again)
