"""Change notices without Telegram: versions of the source documents, the store's queue
(first sighting silent, one notice per chat and version, claims; on SQLite and
PostgreSQL alike) and the message text."""

from __future__ import annotations

import dataclasses
import hashlib
from datetime import date, datetime

import pytest

from bot.engine.dates import STOCKHOLM
from bot.subscriptions import change_notices
from bot.subscriptions.change_notices import (
    NoticeKey,
    deadlines_by_source,
    source_versions,
)
from bot.subscriptions.database import open_store
from bot.telegram.texts import notice_answer  # with the command line, as sent

NOW = datetime(2026, 11, 24, 10, tzinfo=STOCKHOLM)
TODAY = NOW.date()
MSB = "msb-samlat-stod"
OVK = "overenskommelse-hsv-civilt-forsvar-2023"


@pytest.fixture
def store(store_url):
    s = open_store(store_url)
    yield s
    s.close()


@pytest.fixture
def by_source(kb):
    return deadlines_by_source(kb)


def with_sha(kb, doc_id: str, sha: str):
    """The knowledge as after `python -m index add` replaced `doc_id`."""
    docs = dict(kb.documents)
    docs[doc_id] = dataclasses.replace(docs[doc_id], sha256=sha)
    return dataclasses.replace(kb, documents=docs)


def test_versions_are_the_sha256_or_a_hash_of_the_text(kb):
    versions = source_versions(kb)
    text = kb.texts[MSB]
    assert versions[MSB] == hashlib.sha256(text.encode()).hexdigest()[:16]
    assert "redaktionen" not in versions  # no text, nothing that can be replaced
    assert source_versions(with_sha(kb, MSB, "abc123"))[MSB] == "abc123"


def test_deadlines_by_source(kb, by_source):
    assert by_source[MSB] == ["rsa", "indikatorer", "arlig-uppfoljning", "utbetalning-ersattning"]
    assert "rsa" not in by_source[OVK]


def test_first_sighting_is_recorded_silently(store, by_source):
    store.subscribe(1, ["rsa"], NOW)
    assert store.record_versions({MSB: "v1", OVK: "w1"}, by_source, NOW) == []
    assert store.source_versions() == {MSB: "v1", OVK: "w1"}
    assert store.pending_notices() == {}


def test_a_new_version_queues_one_notice_per_watching_chat(store, by_source):
    store.subscribe(1, ["rsa", "indikatorer"], NOW)
    store.subscribe(2, ["utbetalning-ersattning"], NOW)
    store.subscribe(3, ["rekvisition-2023"], NOW)  # watches only the other document
    store.record_versions({MSB: "v1", OVK: "w1"}, by_source, NOW)
    queued = store.record_versions({MSB: "v2", OVK: "w1"}, by_source, NOW)
    assert queued == [NoticeKey(1, MSB, "v2"), NoticeKey(2, MSB, "v2")]
    assert store.pending_notices() == {
        NoticeKey(1, MSB, "v2"): ["indikatorer", "rsa"],
        NoticeKey(2, MSB, "v2"): ["utbetalning-ersattning"],
    }
    assert store.source_versions()[MSB] == "v2"
    # Seen again (every run, every restart): nothing more is queued.
    assert store.record_versions({MSB: "v2", OVK: "w1"}, by_source, NOW) == []
    assert len(store.pending_notices()) == 2


def test_claim_send_and_rerun_sends_nothing(store, by_source):
    store.subscribe(1, ["rsa"], NOW)
    store.record_versions({MSB: "v1"}, by_source, NOW)
    (key,) = store.record_versions({MSB: "v2"}, by_source, NOW)
    assert store.claim_notice(key) == ["rsa"]
    assert store.claim_notice(key) == []  # an overlapping run cannot take it too
    assert store.pending_notices() == {}
    store.mark_notice_sent(key, NOW)
    store.release_notice(key)  # sent: a release changes nothing
    assert store.pending_notices() == {}
    assert store.record_versions({MSB: "v2"}, by_source, NOW) == []
    assert store.unsent_notice_claims() == []


def test_release_makes_a_notice_pending_again_and_a_crash_claim_is_kept(store, by_source):
    store.subscribe(1, ["rsa"], NOW)
    store.subscribe(2, ["rsa"], NOW)
    store.record_versions({MSB: "v1"}, by_source, NOW)
    a, b = store.record_versions({MSB: "v2"}, by_source, NOW)
    store.claim_notice(a)
    store.release_notice(a)  # certainly not delivered: retried
    store.claim_notice(b)  # and the process dies here
    assert list(store.pending_notices()) == [a]
    assert store.unsent_notice_claims() == [b]  # never resent, only reported


def test_two_changes_give_two_notices(store, by_source):
    store.subscribe(1, ["rsa"], NOW)
    store.record_versions({MSB: "v1"}, by_source, NOW)
    sent = []
    for version in ("v2", "v3"):
        (key,) = store.record_versions({MSB: version}, by_source, NOW)
        store.claim_notice(key)
        store.mark_notice_sent(key, NOW)
        sent.append(key)
    assert sent == [NoticeKey(1, MSB, "v2"), NoticeKey(1, MSB, "v3")]


def test_an_unsent_notice_is_superseded_by_a_newer_version(store, by_source):
    store.subscribe(1, ["rsa"], NOW)
    store.record_versions({MSB: "v1"}, by_source, NOW)
    store.record_versions({MSB: "v2"}, by_source, NOW)  # not yet sent (say, Telegram down)
    store.record_versions({MSB: "v3"}, by_source, NOW)
    assert list(store.pending_notices()) == [NoticeKey(1, MSB, "v3")]


def test_a_return_to_an_earlier_version_is_announced_again(store, by_source):
    store.subscribe(1, ["rsa"], NOW)
    store.record_versions({MSB: "A"}, by_source, NOW)
    for version in ("B", "A"):
        (key,) = store.record_versions({MSB: version}, by_source, NOW)
        assert store.claim_notice(key) == ["rsa"]
        store.mark_notice_sent(key, NOW)


def test_unsubscribing_and_forgetting_remove_notices(store, by_source):
    store.subscribe(1, ["rsa", "indikatorer"], NOW)
    store.subscribe(2, ["rsa"], NOW)
    store.record_versions({MSB: "v1"}, by_source, NOW)
    store.record_versions({MSB: "v2"}, by_source, NOW)
    store.unsubscribe(1, ["rsa"])
    assert store.pending_notices()[NoticeKey(1, MSB, "v2")] == ["indikatorer"]
    gone = store.forget(1)
    assert (gone.subscriptions, gone.reminders, gone.notices) == (1, 0, 1)
    assert list(store.pending_notices()) == [NoticeKey(2, MSB, "v2")]
    store.unsubscribe(2, ["rsa"])
    assert store.pending_notices() == {}


def test_the_notice_names_document_deadline_and_next_date(kb):
    answer = notice_answer(kb, MSB, ["rsa"], TODAY)
    assert answer.text == (
        "Källdokumentet ”Samlat stöd till regioner” har ersatts av en ny version. "
        "Fristen du bevakar kan ha ändrats:\n"
        "• RSA: Rapportering av risk- och sårbarhetsanalys (RSA). "
        "Nästa datum: 31 oktober 2027 (om 341 dagar).\n\n"
        "Skriv /frister för aktuella datum."
    )
    assert [(c.title, c.section) for c in answer.sources] == [
        ("Samlat stöd till regioner", "Viktiga datum")
    ]
    assert answer.deadline_ids == ()  # already watched: no "Bevaka" buttons


def test_the_command_line_is_the_front_ends(kb):
    facts = change_notices.notice_answer(kb, MSB, ["rsa"], TODAY)
    assert "/frister" not in facts.text
    assert notice_answer(kb, MSB, ["rsa"], TODAY).text == (
        facts.text + "\n\nSkriv /frister för aktuella datum."
    )
    assert change_notices.notice_answer(kb, "no-such-doc", ["rsa"], TODAY) is None


def test_several_deadlines_and_a_passed_one(kb):
    two = notice_answer(kb, MSB, ["rsa", "indikatorer"], TODAY)
    assert "Fristerna du bevakar kan ha ändrats" in two.text
    assert "• Indikatorer:" in two.text and "• RSA:" in two.text
    passed = notice_answer(kb, OVK, ["rekvisition-2023"], TODAY)
    assert "Fristen har passerat." in passed.text
    assert "Nästa datum" not in passed.text  # never a date the knowledge does not give


def test_nothing_to_say_when_the_deadlines_are_gone(kb):
    assert notice_answer(kb, MSB, ["no-such-deadline"], TODAY) is None
    assert notice_answer(kb, "no-such-doc", ["rsa"], TODAY) is None


def test_the_next_date_follows_today(kb):
    text = notice_answer(kb, MSB, ["rsa"], date(2027, 11, 1)).text
    assert "31 oktober 2031" in text
