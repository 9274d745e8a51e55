"""Change notices end to end: the knowledge's copy of a source document is replaced
between two starts of the bot on the same database, and every chat watching a deadline
drawn from it gets exactly one message - despite reruns, restarts, 500s and crashes."""

from __future__ import annotations

import copy
import dataclasses
import logging
from datetime import datetime

import pytest
from fake_bot_api import FakeBotApi
from telegram_harness import MutableClock, running_bot

from bot.engine.dates import STOCKHOLM
from bot.subscriptions.change_notices import NoticeKey, deadlines_by_source, source_versions

MSB = "msb-samlat-stod"
WATCHER, SECOND, UNRELATED = 4242, 4343, 4444
NOW = datetime(2026, 11, 24, 10, tzinfo=STOCKHOLM)  # no reminder is due around this day
SOURCE_LINE = (
    "<i>Källa: Samlat stöd till regioner, Viktiga datum (senast granskad 20 december 2021)</i>"
)


def notices(api: FakeBotApi, chat_id: int | None = None) -> list:
    return [c for c in api.sent("sendMessage", chat_id) if c.text.startswith("Källdokumentet")]


def replaced(assistant, doc_id: str = MSB, sha: str = "0123456789abcdef"):
    """The assistant as after `python -m index add` replaced `doc_id` with a new version."""
    kb = assistant.knowledge
    docs = dict(kb.documents)
    docs[doc_id] = dataclasses.replace(docs[doc_id], sha256=sha)
    new = copy.copy(assistant)
    new.knowledge = dataclasses.replace(kb, documents=docs)
    return new


@pytest.fixture
def db(tmp_path):
    return tmp_path / "bot.sqlite3"


async def subscribe_and_see_first_version(api, db, assistant, clock) -> None:
    async with running_bot(api, db, assistant, clock) as bot:
        await api.reply_to(WATCHER, "/bevaka rsa")
        await api.reply_to(WATCHER, "/bevaka indikatorer")
        await api.reply_to(SECOND, "/bevaka rsa")
        # Watches a deadline of another document (a past one-off: set up directly).
        bot.store.subscribe(UNRELATED, ["rekvisition-2023"], clock())
        report = await bot.run_reminders()  # first sighting: recorded, nothing sent
        assert report.notices_sent == [] and notices(api) == []


async def test_each_subscriber_gets_one_message_after_a_restart(api, db, assistant):
    clock = MutableClock(NOW)
    await subscribe_and_see_first_version(api, db, assistant, clock)
    new = replaced(assistant)
    # The scheduled job (not the test) finds the change, right after start.
    async with running_bot(api, db, new, clock, reminder_interval=0.05) as bot:
        await api.wait_for("sendMessage", WATCHER, count=3)  # two confirmations + notice
        await api.wait_for("sendMessage", SECOND, count=2)
        for _ in range(3):
            report = await bot.run_reminders()
            assert report.notices_sent == []
    async with running_bot(api, db, new, clock) as bot:  # restart on the new version
        await bot.run_reminders()

    assert len(notices(api, WATCHER)) == 1 and len(notices(api, SECOND)) == 1
    assert notices(api, UNRELATED) == [] and len(notices(api)) == 2
    one = notices(api, WATCHER)[0]
    assert one.params["parse_mode"] == "HTML" and "reply_markup" not in one.params
    assert "”Samlat stöd till regioner” har ersatts av en ny version" in one.text
    assert "Fristerna du bevakar kan ha ändrats" in one.text
    assert "• RSA: Rapportering av risk- och sårbarhetsanalys (RSA). Nästa datum: " in one.text
    assert "31 oktober 2027 (om 341 dagar)" in one.text and "• Indikatorer:" in one.text
    assert "/frister" in one.text
    assert SOURCE_LINE in one.text
    assert "Fristen du bevakar kan ha ändrats" in notices(api, SECOND)[0].text


async def test_a_second_replacement_gives_a_second_message(api, db, assistant):
    clock = MutableClock(NOW)
    await subscribe_and_see_first_version(api, db, assistant, clock)
    for sha in ("aaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbb"):
        async with running_bot(api, db, replaced(assistant, sha=sha), clock) as bot:
            await bot.run_reminders()
            await bot.run_reminders()
    assert len(notices(api, WATCHER)) == 2 and len(notices(api, SECOND)) == 2


async def test_a_500_is_released_and_delivered_once_later(api, db, assistant):
    clock = MutableClock(NOW)
    await subscribe_and_see_first_version(api, db, assistant, clock)
    new = replaced(assistant)
    async with running_bot(api, db, new, clock) as bot:
        bot.store.unsubscribe(SECOND, ["rsa"])  # one chat, so the failures are its own
        api.fail_next("sendMessage", times=5, kind="500")  # all five attempts fail
        report = await bot.run_reminders()
        key = NoticeKey(WATCHER, MSB, "0123456789abcdef")
        assert report.notices_failed == [key] and notices(api) == []
        assert bot.sleeps == [0.5, 1.0, 2.0, 4.0]  # retried with backoff first
        assert list(bot.store.pending_notices()) == [key]  # released, not lost
        clock.advance(minutes=15)
        report = await bot.run_reminders()
        assert report.notices_sent == [key]
        await bot.run_reminders()
    assert len(notices(api, WATCHER)) == 1
    assert len([c for c in api.attempts("sendMessage") if c.status == 500]) == 5


async def test_a_chat_that_blocked_the_bot_is_forgotten(api, db, assistant):
    clock = MutableClock(NOW)
    await subscribe_and_see_first_version(api, db, assistant, clock)
    async with running_bot(api, db, replaced(assistant), clock) as bot:
        bot.store.unsubscribe(SECOND, ["rsa"])
        api.fail_next("sendMessage", kind="403")
        report = await bot.run_reminders()
        assert report.blocked_chats == 1 and report.notices_failed == []
        assert bot.store.subscriptions(WATCHER) == []
        assert bot.store.pending_notices() == {}
        await bot.run_reminders()
    assert len([c for c in api.attempts("sendMessage") if c.status == 403]) == 1
    assert notices(api) == []


async def test_a_claim_left_by_a_crash_is_not_resent(api, db, assistant, caplog):
    clock = MutableClock(NOW)
    await subscribe_and_see_first_version(api, db, assistant, clock)
    new = replaced(assistant)
    async with running_bot(api, db, new, clock) as bot:
        # The process dies after queueing and claiming, while the message is on its way.
        queued = bot.store.record_versions(
            source_versions(new.knowledge), deadlines_by_source(new.knowledge), clock()
        )
        crashed = NoticeKey(WATCHER, MSB, "0123456789abcdef")
        assert crashed in queued
        bot.store.claim_notice(crashed)
    with caplog.at_level(logging.WARNING):
        async with running_bot(api, db, new, clock) as bot:
            await bot.run_reminders()
            await bot.run_reminders()
    assert notices(api, WATCHER) == []  # at-most-once: never a duplicate
    assert len(notices(api, SECOND)) == 1  # the other chat's notice was not claimed
    assert "1 change notice(s)" in caplog.text and "may not have arrived" in caplog.text


async def test_glom_deletes_the_chats_notices(api, db, assistant):
    clock = MutableClock(NOW)
    await subscribe_and_see_first_version(api, db, assistant, clock)
    async with running_bot(api, db, replaced(assistant), clock) as bot:
        bot.store.record_versions(
            source_versions(bot.app.bot_data["services"].assistant.knowledge),
            deadlines_by_source(assistant.knowledge),
            clock(),
        )  # queued, not yet sent
        gone = await api.reply_to(WATCHER, "/glom")
        assert "2 bevakningar" in gone.text
        assert "1 uppgift om meddelanden om ändrade källdokument" in gone.text
        await bot.run_reminders()
    assert notices(api, WATCHER) == [] and len(notices(api, SECOND)) == 1
