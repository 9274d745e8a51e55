"""Replies to reminders ("Klar", "Påminn igen om 1 dag") in the store (SQLite files and
PostgreSQL schemas: tests taking `store` or `store_url` run on both), the planner and
watching.answer_reminder; and the migration of a SQLite database made before the
replies existed."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime, timedelta

import pytest
from store_sql import sql

from bot.engine.dates import STOCKHOLM
from bot.subscriptions.database import open_store
from bot.subscriptions.reminders import (
    NO_REPLIES,
    ReminderKey,
    Replies,
    Subscription,
    due_reminders,
    reminder_answer,
)
from bot.subscriptions.store import SCHEMA_VERSION, Forgotten, SubscriptionStore
from bot.telegram import watching
from bot.telegram.send import (
    AGAIN_PREFIX,
    DONE_PREFIX,
    MAX_CALLBACK_DATA,
    parse_reply_data,
    reminder_keyboard,
    reply_data,
)

RSA_2027 = date(2027, 10, 31)
NEXT_RSA = date(2031, 10, 31)  # RSA falls every fourth year
CHAT = 42


def at(y, m, d, hh=9, mm=0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=STOCKHOLM)


SUBSCRIBED = at(2027, 9, 1, 10)
AGAIN = ReminderKey.extra(CHAT, "rsa", RSA_2027)


@pytest.fixture
def store(store_url):
    s = open_store(store_url)
    s.subscribe(CHAT, ["rsa"], SUBSCRIBED)
    yield s
    s.close()


def rows(store) -> list[tuple]:
    return sql(store, "SELECT * FROM reminder_replies ORDER BY chat_id")


# -- the store ------------------------------------------------------------------------


def test_klar_is_stored_once_and_only_for_a_watching_chat(store):
    assert store.mark_done(CHAT, "rsa", RSA_2027, at(2027, 10, 1, 10)) == "done"
    assert store.mark_done(CHAT, "rsa", RSA_2027, at(2027, 10, 1, 11)) == "already"
    assert store.mark_done(7, "rsa", RSA_2027, at(2027, 10, 1)) == "not watched"
    assert store.replies(RSA_2027).done == {(CHAT, "rsa", RSA_2027)}
    assert len(rows(store)) == 1  # nothing for chat 7


def test_an_extra_reminder_is_claimed_once_even_by_two_connections(store_url):
    a, b = open_store(store_url), open_store(store_url)
    a.subscribe(CHAT, ["rsa"], SUBSCRIBED)
    due = at(2027, 10, 2, 10)
    assert a.remind_again(CHAT, "rsa", RSA_2027, due) == "booked"
    assert b.remind_again(CHAT, "rsa", RSA_2027, due + timedelta(hours=1)) == "already"
    assert b.replies(RSA_2027).again == {AGAIN: due}  # the double tap did not move it
    assert a.claim([AGAIN], due) == [AGAIN]
    assert b.claim([AGAIN], due) == []
    assert a.replies(RSA_2027).again == {}  # claimed: no longer waiting
    assert a.unsent_claims() == [AGAIN]  # a crash now: listed, never resent
    a.mark_sent([AGAIN], due)
    assert a.unsent_claims() == [] and b.claim([AGAIN], due) == []
    assert a.counts().reminders_sent == 1
    a.close()
    b.close()


def test_a_failed_extra_reminder_is_released_and_claimed_again(store):
    due = at(2027, 10, 2, 10)
    store.remind_again(CHAT, "rsa", RSA_2027, due)
    assert store.claim([AGAIN], due) == [AGAIN]
    store.release([AGAIN])
    assert store.replies(RSA_2027).again == {AGAIN: due}
    assert store.claim([AGAIN], due) == [AGAIN]


def test_claim_is_all_in_one_transaction_with_the_usual_reminders(store):
    usual = ReminderKey(CHAT, "rsa", RSA_2027, 30)
    store.remind_again(CHAT, "rsa", RSA_2027, at(2027, 10, 2))
    assert store.claim([usual, AGAIN], at(2027, 10, 2)) == [usual, AGAIN]
    store.mark_sent([usual, AGAIN], at(2027, 10, 2))
    assert store.recorded(RSA_2027) == {usual}  # the extra one is not a usual reminder
    assert store.unsent_claims() == []


def test_klar_cancels_a_pending_extra_reminder_and_blocks_a_new_one(store):
    store.remind_again(CHAT, "rsa", RSA_2027, at(2027, 10, 2))
    store.mark_done(CHAT, "rsa", RSA_2027, at(2027, 10, 1, 12))
    assert store.replies(RSA_2027).again == {}
    assert store.claim([AGAIN], at(2027, 10, 2)) == []
    assert store.remind_again(CHAT, "rsa", RSA_2027, at(2027, 10, 3)) == "done"


def test_the_extra_reminder_itself_can_be_snoozed_again(store):
    store.remind_again(CHAT, "rsa", RSA_2027, at(2027, 10, 2))
    store.claim([AGAIN], at(2027, 10, 2))
    store.mark_sent([AGAIN], at(2027, 10, 2))
    assert store.remind_again(CHAT, "rsa", RSA_2027, at(2027, 10, 3)) == "booked"
    assert store.replies(RSA_2027).again == {AGAIN: at(2027, 10, 3)}


def test_unsubscribe_forget_and_prune_remove_replies(store):
    store.subscribe(7, ["rsa"], SUBSCRIBED)
    store.mark_done(CHAT, "rsa", RSA_2027, at(2027, 10, 1))
    store.remind_again(7, "rsa", RSA_2027, at(2027, 10, 2))
    assert store.forget(CHAT) == Forgotten(1, 0, 0, 1)
    assert [r[0] for r in rows(store)] == [7]
    store.subscribe(CHAT, ["rsa"], SUBSCRIBED)
    store.mark_done(CHAT, "rsa", RSA_2027, at(2027, 10, 1))
    store.unsubscribe(CHAT, ["rsa"])
    assert [r[0] for r in rows(store)] == [7]
    store.prune(before=RSA_2027)
    assert len(rows(store)) == 1  # the deadline day itself is kept
    store.prune(before=RSA_2027 + timedelta(days=1))
    assert rows(store) == []


# Tables as the released bot created them, before reminder_replies (user_version 0).
OLD_SCHEMA = """
CREATE TABLE subscriptions (
    chat_id INTEGER NOT NULL, deadline_id TEXT NOT NULL, created TEXT NOT NULL,
    PRIMARY KEY (chat_id, deadline_id));
CREATE TABLE reminders (
    chat_id INTEGER NOT NULL, deadline_id TEXT NOT NULL, occurrence TEXT NOT NULL,
    offset_days INTEGER NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('claimed', 'sent')),
    claimed_at TEXT NOT NULL, sent_at TEXT,
    UNIQUE (chat_id, deadline_id, occurrence, offset_days));
CREATE TABLE source_versions (
    source_id TEXT PRIMARY KEY, version TEXT NOT NULL, seen_at TEXT NOT NULL);
CREATE TABLE change_notices (
    chat_id INTEGER NOT NULL, source_id TEXT NOT NULL, version TEXT NOT NULL,
    deadline_id TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'claimed', 'sent')),
    queued_at TEXT NOT NULL, sent_at TEXT,
    UNIQUE (chat_id, source_id, version, deadline_id));
INSERT INTO subscriptions VALUES (42, 'rsa', '2027-09-01T08:00:00+00:00');
INSERT INTO reminders VALUES (42, 'rsa', '2027-10-31', 30, 'sent',
    '2027-10-01T07:00:00+00:00', '2027-10-01T07:00:01+00:00');
INSERT INTO source_versions VALUES ('msb-samlat-stod', 'v1', '2027-09-01T08:00:00+00:00');
"""


def test_a_database_made_with_the_old_schema_is_migrated_and_keeps_its_rows(tmp_path):
    path = tmp_path / "old.sqlite3"
    old = sqlite3.connect(path)
    old.executescript(OLD_SCHEMA)
    old.close()

    s = SubscriptionStore.open(path)
    assert [x.deadline_id for x in s.subscriptions(CHAT)] == ["rsa"]
    assert s.recorded(RSA_2027) == {ReminderKey(CHAT, "rsa", RSA_2027, 30)}  # not resent
    assert s.source_versions() == {"msb-samlat-stod": "v1"}
    assert s._conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert s.mark_done(CHAT, "rsa", RSA_2027, at(2027, 10, 1, 10)) == "done"
    s.close()

    s = SubscriptionStore.open(path)  # opened again: the new table and its row are kept
    assert s.replies(RSA_2027).done == {(CHAT, "rsa", RSA_2027)}
    assert s._conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    s.close()


def test_a_newer_databases_version_number_is_not_lowered(tmp_path):
    path = tmp_path / "newer.sqlite3"
    SubscriptionStore.open(path).close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 7")
    conn.close()
    s = SubscriptionStore.open(path)
    assert s._conn.execute("PRAGMA user_version").fetchone()[0] == 7
    s.close()


# -- the planner ------------------------------------------------------------------------


def plan(kb, now, replies=NO_REPLIES, recorded=()):
    subs = [Subscription(CHAT, "rsa", SUBSCRIBED)]
    return due_reminders(subs, {d.id: d for d in kb.deadlines}, set(recorded), now, replies)


def test_klar_stops_that_occurrence_only(kb):
    done = Replies(frozenset({(CHAT, "rsa", RSA_2027)}))
    assert plan(kb, at(2027, 10, 24)) == [ReminderKey(CHAT, "rsa", RSA_2027, 7)]
    assert plan(kb, at(2027, 10, 24), done) == []
    assert plan(kb, at(2027, 10, 30), done) == []
    # the next occurrence, four years on, is reminded as usual
    assert plan(kb, at(2031, 10, 1), done) == [ReminderKey(CHAT, "rsa", NEXT_RSA, 30)]


def test_the_extra_reminder_is_due_at_its_time_on_top_of_the_usual_ones(kb):
    sent = [ReminderKey(CHAT, "rsa", RSA_2027, 30)]
    replies = Replies(again={AGAIN: at(2027, 10, 2, 10)})
    assert plan(kb, at(2027, 10, 2, 9, 59), replies, sent) == []
    assert plan(kb, at(2027, 10, 2, 10), replies, sent) == [AGAIN]
    week = ReminderKey(CHAT, "rsa", RSA_2027, 7)
    assert plan(kb, at(2027, 10, 24), replies, sent) == [AGAIN, week]  # both, one message
    assert plan(kb, at(2027, 11, 1), replies, sent) == []  # the deadline has passed
    unwatched = due_reminders([], {d.id: d for d in kb.deadlines}, set(), at(2027, 10, 3),
                              replies)  # fmt: skip
    assert unwatched == []


def test_one_text_when_the_extra_and_a_usual_reminder_coincide(kb):
    keys = [ReminderKey(CHAT, "rsa", RSA_2027, 7), AGAIN]
    a = reminder_answer(kb, keys, date(2027, 10, 24))
    assert a.text.startswith("Påminnelse om en frist:") and a.text.count("RSA") == 1


# -- the buttons ------------------------------------------------------------------------


def test_callback_data_fits_telegrams_64_bytes_for_every_deadline(kb):
    longest = date(2027, 10, 31)
    for d in kb.deadlines:
        for prefix in (DONE_PREFIX, AGAIN_PREFIX):
            data = reply_data(prefix, d.id, longest)
            assert len(data.encode()) <= MAX_CALLBACK_DATA
            assert parse_reply_data(data) == (prefix, d.id, longest)
    for forged in ("klar:rsa", "klar:rsa:2027-02-30", "igen::2027-10-31", "bort:rsa:2027-10-31",
                   "klar:rsa:2027-10-31:x", ""):  # fmt: skip
        assert parse_reply_data(forged) is None


def test_a_reminder_of_several_deadlines_has_a_row_each_naming_it(kb):
    keys = [ReminderKey(1, "indikatorer", RSA_2027, 7), ReminderKey(1, "rsa", RSA_2027, 7)]
    markup = reminder_keyboard(kb, keys)
    labels = [[b.text for b in row] for row in markup.inline_keyboard]
    assert labels == [
        ["Klar – Indikatorer", "Påminn igen om 1 dag – Indikatorer"],
        ["Klar – RSA", "Påminn igen om 1 dag – RSA"],
    ]
    one = reminder_keyboard(kb, keys[1:])
    assert [b.text for b in one.inline_keyboard[0]] == ["Klar", "Påminn igen om 1 dag"]


# -- watching.answer_reminder: what a press does ------------------------------------------


def test_answer_reminder_stores_only_real_occurrences_in_range(kb, store):
    now = at(2027, 10, 1, 10)

    def press(action, deadline_id="rsa", occurrence=RSA_2027, chat=CHAT, when=now):
        return watching.answer_reminder(kb, store, chat, action, deadline_id, occurrence, when)

    assert press("done", occurrence=date(2027, 10, 30)).notice is None  # not an occurrence
    assert press("done", deadline_id="kaffe").notice is None
    assert press("again", occurrence=NEXT_RSA).notice is None  # no reminder that early
    assert press("done", when=at(2027, 11, 1)).notice == "Fristen har redan passerat"
    assert press("again", when=at(2027, 10, 31, 8)).notice.startswith("Fristen är i dag")
    assert press("done", chat=7).notice == "Du bevakar inte RSA längre"
    assert rows(store) == []

    booked = press("again")
    assert booked == watching.ReminderReply("Jag påminner om RSA igen i morgon", True)
    assert press("again") == watching.ReminderReply("Redan bokad", False)
    assert store.replies(RSA_2027).again == {AGAIN: now + timedelta(days=1)}
    done = press("done")
    assert done.changed and done.notice == "Klart – inga fler påminnelser om RSA 31 oktober 2027"
    assert press("done") == watching.ReminderReply("Redan markerad som klar", False)
    assert press("again").notice == "Du har redan markerat RSA som klar"
