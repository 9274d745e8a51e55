"""The store's interface and types, shared by its two implementations.

`Store` is what the bot asks of a store (subscriptions, claims, sent records, change
notices, replies to reminders, /glom). Two implementations keep the same semantics:

- bot/subscriptions/store.py, SQLite (`SqliteStore`): one file, no set-up; the default.
- bot/subscriptions/store_postgres.py, PostgreSQL (`PostgresStore`): one database that several bot
  instances share (two machines behind one webhook address).

database.py's `open_store` picks one from DATABASE_URL (or a plain path). Nothing here,
nor in either implementation, knows Telegram.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Literal, Protocol, TypeGuard, runtime_checkable
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from .change_notices import NoticeKey
from .reminders import ReminderKey, Replies, Subscription

BUSY_TIMEOUT = 3.0  # seconds a write waits for another connection's lock

POSTGRES_SCHEMES = ("postgresql", "postgres")

# The states the tables keep (their CHECK constraints): a reminder is claimed by one
# sender, then sent (table reminders); a change notice and an extra reminder ("Påminn
# igen") wait as pending first (change_notices.state, reminder_replies.again_state).
ReminderState = Literal["claimed", "sent"]
QueuedState = Literal["pending", "claimed", "sent"]
# What a press on a reminder's buttons did: "Klar" (Store.mark_done) or "Påminn igen"
# (Store.remind_again, the only one that books)
ReplyResult = Literal["booked", "already", "done", "not watched"]
# A vote on an answer (👍 +1, 👎 -1; table feedback)
VoteValue = Literal[1, -1]
# Why the database cannot be used (StoreUnavailable.reason): REASONS' and
# POSTGRES_REASONS' keys
Failure = Literal[
    "locked", "readonly", "cantopen", "ioerror", "full", "deleted", "corrupt",
    "unreachable", "login", "nodb", "denied",
]  # fmt: skip

REASONS: dict[Failure, str] = {
    "locked": "är låst av en annan process",
    "readonly": "är skrivskyddad: filen eller mappen går inte att skriva till",
    "cantopen": "går inte att öppna (finns mappen och får boten skriva i den?)",
    "ioerror": "gick inte att läsa eller skriva (in- och utmatningsfel)",
    "full": "får inte plats: disken är full",
    "deleted": "har tagits bort eller bytts ut medan boten körde: starta om boten, så skapas "
    "eller öppnas filen igen (det som sparats sedan dess gick förlorat)",
    "corrupt": "är skadad eller ingen SQLite-databas: återställ en säkerhetskopia, eller flytta "
    "undan filen så skapar boten en ny (bevakningarna i den är då borta)",
}
# PostgreSQL's: the same keys where the meaning is the same
POSTGRES_REASONS: dict[Failure, str] = {
    "locked": "är låst av en annan transaktion (en annan instans eller ett underhållsjobb)",
    "readonly": "tar bara emot läsningar (en skrivskyddad server eller en replik)",
    "unreachable": "går inte att nå: servern är nere, startar om eller nätet är brutet",
    "login": "vägrade inloggningen: kontrollera användare och lösenord i DATABASE_URL",
    "nodb": "finns inte: skapa databasen (createdb) och schemat, eller rätta DATABASE_URL",
    "denied": "nekar boten behörighet: användaren behöver få skapa och skriva tabeller",
    "full": "har slut på utrymme, minne eller anslutningar",
}


class StoreUnavailable(Exception):
    """The database cannot be used right now; nothing was changed. `reason` is one of
    REASONS' (SQLite) or POSTGRES_REASONS' keys; the message (Swedish, for operators)
    names the file, or the URL with its password masked."""

    def __init__(
        self, path: Path | str, reason: Failure, detail: str = "", backend: str = "SQLite"
    ):
        self.path = str(path)
        self.reason = reason
        self.detail = detail
        self.backend = backend
        reasons = POSTGRES_REASONS if backend == "PostgreSQL" else REASONS
        text = f"Databasen {self.path} {reasons.get(reason, 'går inte att använda')}"
        super().__init__(f"{text} ({backend}: {detail})." if detail else f"{text}.")

    @property
    def locked(self) -> bool:
        return self.reason == "locked"


@dataclass(frozen=True)
class Counts:
    """For the admin's /status: how much is stored, never whose."""

    chats: int
    subscriptions: int
    reminders_sent: int
    unconfirmed_claims: int


@dataclass(frozen=True)
class Forgotten:
    subscriptions: int
    reminders: int
    notices: int = 0
    replies: int = 0  # answers to reminders ("Klar", "Påminn igen")


@dataclass(frozen=True)
class SectionVotes:
    """The votes on answers citing one section first (doc and section None: answers
    that cite nothing, such as "vet inte")."""

    doc: str | None
    section: str | None
    up: int
    down: int


@dataclass(frozen=True)
class FeedbackCounts:
    """For /status: all votes since a day, and the sections with the most 👎."""

    up: int
    down: int
    worst: tuple[SectionVotes, ...]  # most 👎 first, then fewest 👍; none without a 👎
    uncited: SectionVotes  # the answers that cite no section


def feedback_counts(rows: Iterable[tuple], limit: int) -> FeedbackCounts:
    """FeedbackCounts from (doc, section, up, down) rows, one per cited section (both
    backends group the same way)."""
    per = [SectionVotes(*r) for r in rows]
    uncited = next((v for v in per if v.doc is None), SectionVotes(None, None, 0, 0))
    cited = sorted((v for v in per if v.doc is not None and v.down),
                   key=lambda v: (-v.down, v.up, v.doc, v.section or ""))  # fmt: skip
    return FeedbackCounts(
        sum(v.up for v in per), sum(v.down for v in per), tuple(cited[:limit]), uncited
    )


@runtime_checkable
class Store(Protocol):
    """What the bot asks of a store. Every write is one transaction, committed whole or
    not at all; StoreUnavailable (nothing changed) when the database cannot be used."""

    path: str | Path  # what messages name: the file, or the URL without its password

    def close(self) -> None: ...
    def check(self) -> None:
        """Raise StoreUnavailable if the database is not usable (for /status)."""

    # subscriptions
    def subscribe(self, chat_id: int, deadline_ids: Iterable[str], now: datetime) -> list[str]: ...
    def unsubscribe(self, chat_id: int, deadline_ids: Iterable[str]) -> list[str]: ...
    def subscriptions(self, chat_id: int | None = None) -> list[Subscription]: ...
    def forget(self, chat_id: int) -> Forgotten: ...
    def counts(self) -> Counts: ...

    # reminders: claimed (by exactly one sender), then marked sent or released
    def recorded(self, since: date) -> set[ReminderKey]: ...
    def claim(self, keys: Iterable[ReminderKey], now: datetime) -> list[ReminderKey]: ...
    def mark_sent(self, keys: Iterable[ReminderKey], now: datetime) -> None: ...
    def release(self, keys: Iterable[ReminderKey]) -> None: ...
    def unsent_claims(self) -> list[ReminderKey]: ...
    def prune(self, before: date) -> int: ...

    # replies to reminders
    def replies(self, since: date) -> Replies: ...
    def mark_done(
        self, chat_id: int, deadline_id: str, occurrence: date, now: datetime
    ) -> ReplyResult: ...
    def remind_again(
        self, chat_id: int, deadline_id: str, occurrence: date, due: datetime
    ) -> ReplyResult: ...

    # change notices
    def source_versions(self) -> dict[str, str]: ...
    def record_versions(
        self,
        versions: Mapping[str, str],
        deadlines_by_source: Mapping[str, Iterable[str]],
        now: datetime,
    ) -> list[NoticeKey]: ...
    def pending_notices(self) -> dict[NoticeKey, list[str]]: ...
    def claim_notice(self, key: NoticeKey) -> list[str]: ...
    def mark_notice_sent(self, key: NoticeKey, now: datetime) -> None: ...
    def release_notice(self, key: NoticeKey) -> None: ...
    def unsent_notice_claims(self) -> list[NoticeKey]: ...

    # feedback on answers: no chat, user or question, only what was voted on
    def add_feedback(
        self, kind: str, doc: str | None, section: str | None, vote: VoteValue, day: date
    ) -> None: ...
    def feedback_counts(self, since: date, limit: int = 5) -> FeedbackCounts: ...

    # one reminder run at a time across instances (paces them at Telegram's 30/s)
    def take_run_lease(self) -> bool: ...
    def release_run_lease(self) -> None: ...


def is_postgres_url(target: str | Path | None) -> TypeGuard[str]:
    return isinstance(target, str) and urlsplit(target).scheme in POSTGRES_SCHEMES


def masked(url: str) -> str:
    """The URL as it may be logged or shown: the password (in the address or as a
    `password=` parameter) replaced by ***."""
    parts = urlsplit(url)
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, _, host = netloc.rpartition("@")
        user, sep, _password = userinfo.partition(":")
        netloc = f"{user}:***@{host}" if sep else netloc
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        if any(k == "password" for k, _ in pairs):
            query = urlencode([(k, "***" if k == "password" else v) for k, v in pairs], safe="*")
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))
