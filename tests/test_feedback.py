"""Feedback 👍/👎 on answers: the votes in the store (the `feedback` table: no question,
chat or user), its migration, the button data and the double-tap
guard (bot/subscriptions/feedback.py).
tests/test_telegram_feedback.py presses the buttons through Telegram."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime, timedelta

import pytest
from store_sql import columns, sql

from bot.engine.dates import STOCKHOLM
from bot.engine.source_text import section_key
from bot.subscriptions.database import open_store
from bot.subscriptions.feedback import KEPT_DAYS, Votes, parse_vote, thanked_data, vote_data
from bot.subscriptions.store import SCHEMA_VERSION, SectionVotes, SubscriptionStore
from bot.telegram.send import MAX_CALLBACK_DATA

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=STOCKHOLM)
DAY = NOW.date()
CHAT = 9191
RSA = ("msb-samlat-stod", "Viktiga datum")


@pytest.fixture
def store(store_url):
    """Each store test runs on SQLite and on PostgreSQL."""
    s = open_store(store_url)
    yield s
    s.close()


# -- the store ----------------------------------------------------------------------------


def test_votes_are_counted_with_the_sections_with_most_thumbs_down_first(store):
    for vote, doc, section in [
        (1, *RSA), (-1, *RSA), (-1, *RSA),
        (-1, "msb-samlat-stod", "Säkerhetsskydd"), (1, "msb-samlat-stod", "Säkerhetsskydd"),
        (1, "msb-samlat-stod", "Säkerhetsskydd"),
        (1, "msb-samlat-stod", "Kontakt"),  # no 👎: not among the weak ones
        (-1, None, None),  # "vet inte": cites nothing
    ]:  # fmt: skip
        store.add_feedback("deadline" if doc else "out_of_scope", doc, section, vote, DAY)
    store.add_feedback("deadline", *RSA, -1, DAY - timedelta(days=400))  # before `since`
    counts = store.feedback_counts(since=DAY - timedelta(days=365))
    assert (counts.up, counts.down) == (4, 4)
    assert counts.worst == (
        SectionVotes(*RSA, up=1, down=2),
        SectionVotes("msb-samlat-stod", "Säkerhetsskydd", up=2, down=1),
    )
    assert counts.uncited == SectionVotes(None, None, up=0, down=1)
    assert store.feedback_counts(since=DAY, limit=1).worst == (SectionVotes(*RSA, 1, 2),)


def test_glom_leaves_votes_and_pruning_keeps_a_year(store):
    store.subscribe(CHAT, ["rsa"], NOW)
    store.add_feedback("deadline", *RSA, 1, DAY - timedelta(days=KEPT_DAYS))
    store.add_feedback("deadline", *RSA, -1, DAY - timedelta(days=KEPT_DAYS + 1))
    store.forget(CHAT)  # nothing in the votes is the chat's
    assert store.feedback_counts(since=date(2000, 1, 1)).up == 1
    store.prune(before=DAY)
    counts = store.feedback_counts(since=date(2000, 1, 1))
    assert (counts.up, counts.down) == (1, 0)  # the vote older than a year is gone


def test_a_vote_row_holds_no_question_chat_user_or_time_of_day(store):
    store.add_feedback("deadline", *RSA, 1, DAY)
    assert columns(store)["feedback"] == ["day", "kind", "doc", "section", "vote"]
    [(day, *rest)] = sql(store, "SELECT * FROM feedback")
    assert str(day) == "2026-11-24"  # a date, no time of day (SQLite: text; PostgreSQL: DATE)
    assert tuple(rest) == ("deadline", "msb-samlat-stod", "Viktiga datum", 1)


# Tables as user_version 1 made them (the reminder_replies migration), with some rows.
VERSION_1 = """
CREATE TABLE subscriptions (chat_id INTEGER NOT NULL, deadline_id TEXT NOT NULL,
    created TEXT NOT NULL, PRIMARY KEY (chat_id, deadline_id));
CREATE TABLE reminders (chat_id INTEGER NOT NULL, deadline_id TEXT NOT NULL,
    occurrence TEXT NOT NULL, offset_days INTEGER NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('claimed', 'sent')), claimed_at TEXT NOT NULL,
    sent_at TEXT, UNIQUE (chat_id, deadline_id, occurrence, offset_days));
CREATE TABLE source_versions (source_id TEXT PRIMARY KEY, version TEXT NOT NULL,
    seen_at TEXT NOT NULL);
CREATE TABLE change_notices (chat_id INTEGER NOT NULL, source_id TEXT NOT NULL,
    version TEXT NOT NULL, deadline_id TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'claimed', 'sent')),
    queued_at TEXT NOT NULL, sent_at TEXT, UNIQUE (chat_id, source_id, version, deadline_id));
CREATE TABLE reminder_replies (chat_id INTEGER NOT NULL, deadline_id TEXT NOT NULL,
    occurrence TEXT NOT NULL, done_at TEXT, again_at TEXT,
    again_state TEXT CHECK (again_state IN ('pending', 'claimed', 'sent')),
    PRIMARY KEY (chat_id, deadline_id, occurrence));
INSERT INTO subscriptions VALUES (42, 'rsa', '2027-09-01T08:00:00+00:00');
INSERT INTO reminder_replies VALUES (42, 'rsa', '2027-10-31', '2027-10-01T07:00:00+00:00',
    NULL, NULL);
PRAGMA user_version = 1;
"""


def test_a_version_1_database_gets_the_feedback_table_and_keeps_its_rows(tmp_path):
    path = tmp_path / "v1.sqlite3"
    old = sqlite3.connect(path)
    old.executescript(VERSION_1)
    old.close()

    s = SubscriptionStore.open(path)
    assert s._conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 2
    assert [x.deadline_id for x in s.subscriptions(42)] == ["rsa"]
    assert s.replies(date(2027, 10, 31)).done == {(42, "rsa", date(2027, 10, 31))}
    s.add_feedback("deadline", *RSA, -1, DAY)
    s.close()

    s = SubscriptionStore.open(path)  # opened again: the vote is kept, the version too
    assert s.feedback_counts(since=DAY).worst == (SectionVotes(*RSA, 0, 1),)
    assert s._conn.execute("PRAGMA user_version").fetchone()[0] == 2
    s.close()


# -- the button data and the double-tap guard ------------------------------------------------


def test_vote_data_round_trips_fits_telegram_and_refuses_what_it_cannot_carry():
    key = section_key(*RSA)
    data = vote_data(-1, "sv", "deadline", key)
    assert data == f"omdome:-:sv:deadline:{key}"
    vote = parse_vote(data)
    assert (vote.value, vote.language, vote.kind, vote.section_key) == (-1, "sv", "deadline", key)
    assert parse_vote(vote_data(1, "en", "out_of_scope", None)).section_key is None
    longest = vote_data(1, "en", "k" * 24, key)
    assert len(longest.encode()) <= MAX_CALLBACK_DATA
    assert vote_data(1, "sv", "k" * 25, key) is None and vote_data(1, "sv", "Fel'", key) is None
    for forged in ("omdome:+:sv:deadline", "omdome:0:sv:x:-", "omdome:+:de:x:-", "", "bevaka:x",
                   "omdome:+:sv:<b>:-", thanked_data("sv")):  # fmt: skip
        assert parse_vote(forged) is None, forged


def test_an_answer_is_claimed_for_a_vote_once_within_the_hour():
    now = [0.0]
    votes = Votes(clock=lambda: now[0], max_voted=2)
    assert votes.claim((CHAT, 1)) and not votes.claim((CHAT, 1))
    votes.release((CHAT, 1))  # not stored after all: may be voted again
    assert votes.claim((CHAT, 1))
    now[0] += 3601
    assert votes.claim((CHAT, 1))  # an hour on: the buttons are long gone anyway
    votes.claim((CHAT, 2))
    votes.claim((CHAT + 1, 3))
    assert len(votes) == 2  # bounded
    votes.forget_chat(CHAT)
    assert len(votes) == 1
