"""The store, SQLite and PostgreSQL alike (each test that takes `store` or `store_url`
runs on both): subscriptions, exactly-once reminder claims, transactions, forget."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime

import psycopg
import pytest
from store_sql import columns, sql

from bot.engine.dates import STOCKHOLM
from bot.subscriptions.database import open_store
from bot.subscriptions.reminders import ReminderKey
from bot.subscriptions.store import Forgotten, SubscriptionStore
from bot.subscriptions.store_base import Store

NOW = datetime(2027, 9, 1, 10, tzinfo=STOCKHOLM)
KEY = ReminderKey(42, "rsa", date(2027, 10, 31), 30)


@pytest.fixture
def store(store_url):
    s = open_store(store_url)
    yield s
    s.close()


def test_creates_folders_and_runs_in_wal_mode(tmp_path):
    path = tmp_path / "a" / "b" / "bot.sqlite3"
    s = SubscriptionStore.open(path)
    assert path.exists()
    assert s._conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    s.close()


def test_subscribe_is_idempotent_and_survives_reopening(store_url):
    s = open_store(store_url)
    assert s.subscribe(42, ["rsa", "indikatorer"], NOW) == ["rsa", "indikatorer"]
    assert s.subscribe(42, ["rsa"], NOW) == []
    s.close()
    s = open_store(store_url)
    subs = s.subscriptions(42)
    assert {x.deadline_id for x in subs} == {"rsa", "indikatorer"}
    assert subs[0].created == NOW  # aware, same instant
    assert s.subscriptions(7) == []
    s.close()


def test_each_backend_implements_the_whole_interface(store):
    assert isinstance(store, Store)
    public = {name for name in dir(Store) if not name.startswith("_")}
    assert public <= set(dir(type(store)))


def test_unsubscribe_returns_what_was_watched(store):
    store.subscribe(42, ["rsa", "indikatorer"], NOW)
    assert store.unsubscribe(42, ["rsa", "arlig-uppfoljning"]) == ["rsa"]
    assert [x.deadline_id for x in store.subscriptions()] == ["indikatorer"]


def test_a_failing_write_leaves_nothing_behind(store):
    def ids():
        yield "rsa"
        raise RuntimeError("crash mid-transaction")

    with pytest.raises(RuntimeError):
        store.subscribe(42, ids(), NOW)
    assert store.subscriptions() == []


def test_a_reminder_is_claimed_once_even_by_two_connections(store_url):
    a, b = open_store(store_url), open_store(store_url)
    a.subscribe(42, ["rsa"], NOW)
    assert a.claim([KEY], NOW) == [KEY]
    assert b.claim([KEY], NOW) == []  # another process (or run) cannot take it
    assert a.claim([KEY], NOW) == []
    a.close()
    b.close()


def test_unique_key_is_enforced_by_the_schema(store):
    store.subscribe(42, ["rsa"], NOW)
    store.claim([KEY], NOW)
    with pytest.raises((sqlite3.IntegrityError, psycopg.errors.UniqueViolation)):
        sql(
            store,
            "INSERT INTO reminders VALUES (42, 'rsa', '2027-10-31', 30, 'sent', "
            "'2027-10-01T07:00:00+00:00', '2027-10-01T07:00:01+00:00')",
        )


def test_no_claim_for_a_chat_that_no_longer_watches(store):
    assert store.claim([KEY], NOW) == []


def test_release_makes_a_reminder_due_again_but_sent_ones_stay(store):
    store.subscribe(42, ["rsa"], NOW)
    other = ReminderKey(42, "rsa", date(2027, 10, 31), 7)
    store.claim([KEY, other], NOW)
    store.mark_sent([KEY], NOW)
    store.release([KEY, other])  # KEY is sent: not released
    assert store.recorded(date(2027, 10, 1)) == {KEY}
    assert store.claim([other], NOW) == [other]


def test_unsent_claims_are_kept_and_listed(store):
    store.subscribe(42, ["rsa"], NOW)
    store.claim([KEY], NOW)  # a crash before mark_sent
    assert store.unsent_claims() == [KEY]
    assert KEY in store.recorded(date(2027, 10, 1))  # never claimed again
    store.mark_sent([KEY], NOW)
    assert store.unsent_claims() == []


def test_recorded_and_prune_by_occurrence(store):
    store.subscribe(42, ["rsa"], NOW)
    store.claim([KEY], NOW)
    assert store.recorded(date(2027, 11, 1)) == set()
    assert store.prune(before=date(2027, 10, 31)) == 0
    assert store.prune(before=date(2027, 11, 1)) == 1
    assert store.recorded(date(2020, 1, 1)) == set()


def test_forget_deletes_everything_about_the_chat_only(store):
    store.subscribe(42, ["rsa", "indikatorer"], NOW)
    store.subscribe(7, ["rsa"], NOW)
    store.claim([KEY, ReminderKey(7, "rsa", date(2027, 10, 31), 30)], NOW)
    by_source = {"msb-samlat-stod": ["rsa", "indikatorer"]}
    store.record_versions({"msb-samlat-stod": "v1"}, by_source, NOW)
    store.record_versions({"msb-samlat-stod": "v2"}, by_source, NOW)  # queues notices
    gone = store.forget(42)
    assert (gone.subscriptions, gone.reminders, gone.notices) == (2, 1, 1)
    assert [x.chat_id for x in store.subscriptions()] == [7]
    assert {k.chat_id for k in store.recorded(date(2000, 1, 1))} == {7}
    assert {k.chat_id for k in store.pending_notices()} == {7}
    assert sql(store, "SELECT COUNT(*) FROM change_notices WHERE chat_id = 42") == [(0,)]
    assert store.forget(42) == Forgotten(0, 0, 0)


def test_only_chat_ids_and_ids_are_stored(store):
    # Privacy: ids, states and times only - never a message text. Every table: a new one
    # cannot slip past this test (nor be added to one backend only).
    found = columns(store)
    if "schema_migrations" in found:  # PostgreSQL's record of its migrations
        assert found.pop("schema_migrations") == ["version", "name", "applied_at"]
    assert found == {
        "subscriptions": ["chat_id", "deadline_id", "created"],
        "reminders": [
            "chat_id",
            "deadline_id",
            "occurrence",
            "offset_days",
            "state",
            "claimed_at",
            "sent_at",
        ],
        "source_versions": ["source_id", "version", "seen_at"],
        "change_notices": [
            "chat_id",
            "source_id",
            "version",
            "deadline_id",
            "state",
            "queued_at",
            "sent_at",
        ],
        "reminder_replies": [
            "chat_id",
            "deadline_id",
            "occurrence",
            "done_at",
            "again_at",
            "again_state",
        ],
        # votes on answers: no chat, no user, no question (tests/test_feedback.py)
        "feedback": ["day", "kind", "doc", "section", "vote"],
    }
