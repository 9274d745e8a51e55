"""PostgreSQL only: migrations, several connections (instances) at once, locks held by
others, a read-only server, a lost connection, a server that is not there, and the
password never shown. The semantics shared with SQLite are in test_store.py,
test_reminder_replies.py and test_change_notices.py, which run on both backends."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from datetime import date, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
from pg_server import free_port
from store_sql import sql, with_search_path

from bot.engine.dates import STOCKHOLM
from bot.subscriptions.database import open_store
from bot.subscriptions.reminders import ReminderKey
from bot.subscriptions.store import SCHEMA_VERSION
from bot.subscriptions.store_base import StoreUnavailable, masked
from bot.subscriptions.store_postgres import MIGRATIONS, PostgresStore

NOW = datetime(2027, 9, 1, 10, tzinfo=STOCKHOLM)
OCCURRENCE = date(2027, 10, 31)
KEY = ReminderKey(42, "rsa", OCCURRENCE, 30)
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def store(pg_url):
    s = open_store(pg_url, busy_timeout=0.3)
    yield s
    s.close()


@pytest.fixture
def other(pg_url):
    """Another session on the same database: another instance, or an operator's psql."""
    conn = psycopg.connect(pg_url)  # not autocommit: holds what it locks until rollback
    yield conn
    conn.close()


# -- schema and migrations ----------------------------------------------------------------


def test_the_schema_is_created_versioned_and_migrated_once(pg_url):
    assert MIGRATIONS[-1].version == SCHEMA_VERSION  # a new version goes into both backends
    assert [m.version for m in MIGRATIONS] == list(range(1, len(MIGRATIONS) + 1))
    s = open_store(pg_url)
    assert s.schema_version() == SCHEMA_VERSION
    s.subscribe(42, ["rsa"], NOW)
    s.close()
    s = open_store(pg_url)  # opened again: nothing re-run, nothing lost
    assert sql(s, "SELECT version, name FROM schema_migrations") == [
        (m.version, m.name) for m in MIGRATIONS
    ]
    assert [x.chat_id for x in s.subscriptions()] == [42]
    s.close()


def test_two_instances_starting_at_once_migrate_once(pg_url):
    opened, failed = [], []
    barrier = threading.Barrier(4)

    def start():
        barrier.wait()
        try:
            opened.append(open_store(pg_url))
        except Exception as exc:  # noqa: BLE001 - the test reports any failure
            failed.append(exc)

    threads = [threading.Thread(target=start) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failed and len(opened) == 4
    assert sql(opened[0], "SELECT COUNT(*) FROM schema_migrations") == [(len(MIGRATIONS),)]
    for s in opened:
        s.close()


def test_a_newer_bots_schema_version_is_kept_and_still_works(store, pg_url):
    sql(store, "INSERT INTO schema_migrations (version, name) VALUES (99, 'from a newer bot')")
    again = open_store(pg_url)
    assert again.schema_version() == 99
    assert again.subscribe(1, ["rsa"], NOW) == ["rsa"]
    again.close()


def test_times_come_back_as_the_same_instants_to_the_second(store):
    moment = NOW + timedelta(microseconds=123_456)
    store.subscribe(42, ["rsa"], moment)
    (sub,) = store.subscriptions()
    assert sub.created == NOW and sub.created.utcoffset() == timedelta(0)


# -- several instances at once ------------------------------------------------------------


def in_threads(*jobs):
    """Run the jobs at the same moment, each in its own thread; their results."""
    barrier = threading.Barrier(len(jobs))
    results: list = [None] * len(jobs)
    errors: list = []

    def run(i, job):
        barrier.wait()
        try:
            results[i] = job()
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i, j)) for i, j in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    return results


def test_two_instances_claiming_the_same_reminders_at_once_get_each_once(pg_url):
    a, b = open_store(pg_url), open_store(pg_url)
    chats = range(1, 1201)
    for chat in chats:
        a.subscribe(chat, ["rsa"], NOW)
    keys = [ReminderKey(c, "rsa", OCCURRENCE, 30) for c in chats]

    def claim_all(store, order):
        return [k for key in order for k in store.claim([key], NOW)]

    got_a, got_b = in_threads(lambda: claim_all(a, keys), lambda: claim_all(b, keys[::-1]))
    assert not set(got_a) & set(got_b)
    assert set(got_a) | set(got_b) == set(keys)
    assert got_a and got_b  # they really ran at the same time
    assert len(a.unsent_claims()) == len(keys)
    a.close()
    b.close()


def test_a_double_tap_reaching_both_instances_is_booked_once(pg_url, other):
    a, b = open_store(pg_url), open_store(pg_url)
    a.subscribe(42, ["rsa"], NOW)
    # An operator's transaction holds the chat's subscription: both taps queue behind it
    # and then run at the same moment.
    other.execute("SELECT 1 FROM subscriptions WHERE chat_id = 42 FOR UPDATE")
    due = NOW + timedelta(days=1)
    releaser = threading.Timer(0.3, other.rollback)
    releaser.start()
    results = in_threads(
        lambda: a.remind_again(42, "rsa", OCCURRENCE, due),
        lambda: b.remind_again(42, "rsa", OCCURRENCE, due + timedelta(hours=1)),
    )
    releaser.join()
    assert sorted(results) == ["already", "booked"]
    assert len(a.replies(OCCURRENCE).again) == 1
    a.close()
    b.close()


def test_glom_racing_claims_on_another_instance_leaves_nothing_about_the_chat(pg_url):
    a, b = open_store(pg_url), open_store(pg_url)
    chats = list(range(1, 301))
    for chat in chats:
        a.subscribe(chat, ["rsa", "indikatorer"], NOW)
    keys = {c: [ReminderKey(c, d, OCCURRENCE, 30) for d in ("indikatorer", "rsa")] for c in chats}

    def claims():
        for chat in chats:
            a.claim(keys[chat], NOW)

    def forgets():
        for chat in reversed(chats):
            b.forget(chat)

    in_threads(claims, forgets)
    assert a.subscriptions() == []
    assert sql(a, "SELECT COUNT(*) FROM reminders") == [(0,)]  # no claim outlived /glom
    a.close()
    b.close()


def test_two_instances_seeing_a_new_source_version_queue_one_notice(pg_url):
    a, b = open_store(pg_url), open_store(pg_url)
    by_source = {"msb": ["rsa"]}
    for chat in range(1, 51):
        a.subscribe(chat, ["rsa"], NOW)
    a.record_versions({"msb": "v1"}, by_source, NOW)
    queued_a, queued_b = in_threads(
        lambda: a.record_versions({"msb": "v2"}, by_source, NOW),
        lambda: b.record_versions({"msb": "v2"}, by_source, NOW),
    )
    assert sorted([len(queued_a), len(queued_b)]) == [0, 50]
    claims = in_threads(*[lambda s=s, k=k: s.claim_notice(k) for k in queued_a or queued_b
                          for s in (a, b)])  # fmt: skip
    assert sorted(claims) == [[]] * 50 + [["rsa"]] * 50  # each notice to one claimer
    a.close()
    b.close()


def test_the_run_lease_is_held_by_one_instance_and_freed_with_its_connection(pg_url):
    a, b = open_store(pg_url), open_store(pg_url)
    assert a.take_run_lease() and a.take_run_lease()  # taken, and still held
    assert not b.take_run_lease()
    a.release_run_lease()
    assert b.take_run_lease()
    b.close()  # an instance that dies frees it: as soon as the server has ended its session
    deadline = time.monotonic() + 5
    while not a.take_run_lease():
        assert time.monotonic() < deadline, "the lease outlived its connection"
        time.sleep(0.02)
    a.close()


# -- faults -------------------------------------------------------------------------------


def test_a_lasting_lock_raises_store_unavailable_and_changes_nothing(store, other):
    store.subscribe(42, ["rsa"], NOW)
    store.claim([KEY], NOW)
    other.execute("SELECT 1 FROM subscriptions WHERE chat_id = 42 FOR UPDATE")
    for write in (
        lambda: store.unsubscribe(42, ["rsa"]),
        lambda: store.forget(42),
        lambda: store.claim([ReminderKey(42, "rsa", OCCURRENCE, 7)], NOW),
        lambda: store.mark_done(42, "rsa", OCCURRENCE, NOW),
    ):
        started = time.monotonic()
        with pytest.raises(StoreUnavailable) as caught:
            write()
        assert time.monotonic() - started < 2  # the busy timeout, 0.3 s, not forever
        assert caught.value.locked and caught.value.backend == "PostgreSQL"
        assert "låst" in str(caught.value) and store.path in str(caught.value)
    assert [s.deadline_id for s in store.subscriptions(42)] == ["rsa"]  # reads go on
    other.rollback()
    assert store.unsent_claims() == [KEY]  # nothing changed
    assert store.unsubscribe(42, ["rsa"]) == ["rsa"]  # and it works again


def test_a_read_only_server_raises_and_keeps_what_was_stored(store):
    store.subscribe(42, ["rsa"], NOW)
    sql(store, "SET default_transaction_read_only = on")  # as on a standby
    with pytest.raises(StoreUnavailable) as caught:
        store.subscribe(42, ["indikatorer"], NOW)
    assert caught.value.reason == "readonly" and "läsningar" in str(caught.value)
    assert [s.deadline_id for s in store.subscriptions(42)] == ["rsa"]
    sql(store, "SET default_transaction_read_only = off")
    assert store.subscribe(42, ["indikatorer"], NOW) == ["indikatorer"]


def test_a_write_failing_half_way_leaves_nothing_half_written(store):
    def body(cur):
        cur.execute("INSERT INTO subscriptions VALUES (42, 'rsa', now())")
        raise RuntimeError("crash mid-transaction")

    with pytest.raises(RuntimeError):
        store._write(body)
    assert store.subscriptions() == []


def test_a_statement_bug_is_not_disguised_as_unavailable(store):
    with pytest.raises(psycopg.errors.UndefinedTable):
        store._write(lambda cur: cur.execute("SELECT * FROM no_such_table"))
    assert store.subscribe(42, ["rsa"], NOW) == ["rsa"]  # the transaction was closed


def test_a_lost_connection_is_replaced_without_the_caller_noticing(store, pg_url):
    store.subscribe(42, ["rsa"], NOW)
    (pid,) = sql(store, "SELECT pg_backend_pid()")[0]
    with psycopg.connect(pg_url, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))  # as a server restart does
    assert store.subscribe(42, ["indikatorer"], NOW) == ["indikatorer"]
    assert sql(store, "SELECT pg_backend_pid()")[0][0] != pid
    assert len(store.subscriptions(42)) == 2


def test_a_server_that_is_not_there_names_the_url_without_its_password():
    url = f"postgresql://bot:hemligt-lösen@127.0.0.1:{free_port()}/bot"
    with pytest.raises(StoreUnavailable) as caught:
        open_store(url)
    text = str(caught.value)
    assert caught.value.reason == "unreachable" and "går inte att nå" in text
    assert "hemligt" not in text and "postgresql://bot:***@127.0.0.1" in text
    assert caught.value.__suppress_context__  # psycopg's error (and its URL) not chained


def test_a_wrong_user_and_a_missing_schema_are_named(postgres_server):
    wrong = postgres_server.replace("://bot@", "://ingen:fel@")
    with pytest.raises(StoreUnavailable) as caught:
        open_store(wrong)
    assert caught.value.reason == "login" and "fel" not in str(caught.value).split("(")[0]
    with pytest.raises(StoreUnavailable) as caught:
        open_store(with_search_path(postgres_server, "finns_inte"))
    assert caught.value.reason == "nodb"


def test_masked_hides_the_password_wherever_it_is():
    assert masked("postgresql://bot:s3cr%40t@db:5432/bot") == "postgresql://bot:***@db:5432/bot"
    assert masked("postgresql://db/bot?user=bot&password=s3cret") == (
        "postgresql://db/bot?user=bot&password=***"
    )
    assert masked("postgresql://bot@db/bot") == "postgresql://bot@db/bot"
    assert "s3cret" not in repr(PostgresStore("postgresql://bot:s3cret@db/bot"))


def test_the_bot_does_not_start_on_an_unreachable_database_and_says_why(tmp_path):
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": "123456:TEST-token-never-logged",
           "TELEGRAM_API_BASE_URL": "http://127.0.0.1:9",
           "DATABASE_URL": f"postgresql://bot:hemligt@127.0.0.1:{free_port()}/bot"}  # fmt: skip
    env.pop("DATABASE_PATH", None)
    p = subprocess.run([sys.executable, "-m", "bot", "telegram"], cwd=ROOT, env=env,
                       capture_output=True, text=True, timeout=120)  # fmt: skip
    assert p.returncode == 4, p.stderr[-1000:]
    assert "går inte att nå" in p.stderr and "DATABASE_URL" in p.stderr
    assert "hemligt" not in p.stderr and "Traceback" not in p.stderr
