"""Reminders end to end with a controllable clock: 30/7/1 days before, restarts on the
same database, downtime, crashes, blocked users, 429s and thousands of subscribers."""

from __future__ import annotations

import logging
from collections import Counter
from datetime import date, datetime

import pytest
from fake_bot_api import FakeBotApi
from telegram_harness import MutableClock, running_bot

from bot.dates import STOCKHOLM
from bot.reminders import ReminderKey

CHAT = 4242
RSA_2027 = date(2027, 10, 31)


def at(y, m, d, hh=9, mm=0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=STOCKHOLM)


def reminders(api: FakeBotApi, chat_id: int = CHAT) -> list[str]:
    return [c.text for c in api.sent("sendMessage", chat_id) if c.text.startswith("Påminnelse")]


@pytest.fixture
def db(tmp_path):
    return tmp_path / "bot.sqlite3"


async def test_30_7_1_days_before_exactly_once_across_restarts(api, db, assistant):
    clock = MutableClock(at(2027, 9, 1, 10))
    async with running_bot(api, db, assistant, clock) as bot:
        await api.reply_to(CHAT, "/bevaka rsa")
        clock.set(at(2027, 10, 1, 8, 59))
        await bot.run_reminders()
        assert reminders(api) == []
        clock.set(at(2027, 10, 1, 9, 0))
        await bot.run_reminders()
        await bot.run_reminders()  # a second run the same morning sends nothing
        assert len(reminders(api)) == 1
        assert "söndag 31 oktober 2027 (om 30 dagar)" in reminders(api)[0]

    async with running_bot(api, db, assistant, clock) as bot:  # restart, same database
        await bot.run_reminders()
        assert len(reminders(api)) == 1  # nothing re-sent after the restart
        clock.set(at(2027, 10, 24, 9, 0))
        await bot.run_reminders()
        await bot.run_reminders()
        assert len(reminders(api)) == 2
        assert "(om 7 dagar)" in reminders(api)[1]

    async with running_bot(api, db, assistant, clock) as bot:  # and once more
        clock.set(at(2027, 10, 30, 9, 0))
        await bot.run_reminders()
        clock.set(at(2027, 10, 31, 9, 0))
        await bot.run_reminders()
        clock.set(at(2027, 11, 1, 9, 0))
        await bot.run_reminders()
    texts = reminders(api)
    assert len(texts) == 3
    assert "söndag 31 oktober 2027 (i morgon)" in texts[2]
    last = api.sent("sendMessage", CHAT)[-1]
    assert last.params["parse_mode"] == "HTML"
    assert "<i>Källa: Samlat stöd till regioner, Viktiga datum</i>" in last.text
    assert "/avbevaka rsa" in last.text and "reply_markup" not in last.params


async def test_a_reminder_missed_while_down_is_sent_once_at_startup(api, db, assistant):
    clock = MutableClock(at(2027, 9, 1, 10))
    async with running_bot(api, db, assistant, clock):
        await api.reply_to(CHAT, "/bevaka rsa")
    clock.set(at(2027, 10, 26, 12, 0))  # down through the 30- and 7-day reminders
    # This time the scheduled job (not the test) runs the reminders, right after start.
    async with running_bot(api, db, assistant, clock, reminder_interval=0.05) as bot:
        await api.wait_for("sendMessage", CHAT, count=2)
        for _ in range(3):
            await bot.run_reminders()
    assert len(reminders(api)) == 1
    assert "31 oktober 2027 (om 5 dagar)" in reminders(api)[0]


async def test_nothing_after_the_deadline_has_passed(api, db, assistant):
    clock = MutableClock(at(2027, 9, 1, 10))
    async with running_bot(api, db, assistant, clock) as bot:
        await api.reply_to(CHAT, "/bevaka rsa")
        clock.set(at(2027, 11, 2, 9, 0))
        await bot.run_reminders()
    assert reminders(api) == []


async def test_a_claim_left_by_a_crash_is_not_resent(api, db, assistant, caplog):
    clock = MutableClock(at(2027, 9, 1, 10))
    async with running_bot(api, db, assistant, clock) as bot:
        await api.reply_to(CHAT, "/bevaka rsa")
        clock.set(at(2027, 10, 1, 9, 0))
        # The process dies after claiming, while the message is on its way.
        bot.store.claim([ReminderKey(CHAT, "rsa", RSA_2027, 30)], clock())
    with caplog.at_level(logging.WARNING):
        async with running_bot(api, db, assistant, clock) as bot:
            await bot.run_reminders()
    assert reminders(api) == []  # at-most-once: never a duplicate
    assert "may not have arrived" in caplog.text


async def test_a_user_who_blocked_the_bot_is_unsubscribed_not_retried(api, db, assistant):
    clock = MutableClock(at(2027, 9, 1, 10))
    async with running_bot(api, db, assistant, clock) as bot:
        await api.reply_to(CHAT, "/bevaka alla")
        clock.set(at(2027, 10, 1, 9, 0))
        api.fail_next("sendMessage", kind="403")
        report = await bot.run_reminders()
        assert report.blocked_chats == 1
        assert bot.store.subscriptions(CHAT) == []
        clock.set(at(2027, 10, 24, 9, 0))
        await bot.run_reminders()
    assert len([c for c in api.attempts("sendMessage") if c.status == 403]) == 1
    assert reminders(api) == []


async def test_a_429_during_a_reminder_run_is_waited_out(api, db, assistant):
    clock = MutableClock(at(2027, 9, 1, 10))
    async with running_bot(api, db, assistant, clock) as bot:
        await api.reply_to(CHAT, "/bevaka rsa")
        clock.set(at(2027, 10, 1, 9, 0))
        api.fail_next("sendMessage", times=2, kind="429", retry_after=2)
        report = await bot.run_reminders()
        assert bot.sleeps == [2.0, 2.0]
        assert report.sent == [ReminderKey(CHAT, "rsa", RSA_2027, 30)]
        assert bot.store.unsent_claims() == []  # confirmed as sent
    assert len(reminders(api)) == 1


async def test_a_failed_delivery_is_released_and_retried_next_run(api, db, assistant):
    clock = MutableClock(at(2027, 9, 1, 10))
    async with running_bot(api, db, assistant, clock) as bot:
        await api.reply_to(CHAT, "/bevaka rsa")
        clock.set(at(2027, 10, 1, 9, 0))
        api.fail_next("sendMessage", times=5, kind="500")  # all five attempts fail
        report = await bot.run_reminders()
        assert len(report.failed) == 1 and reminders(api) == []
        assert bot.store.recorded(RSA_2027) == set()  # the claim was released
        clock.advance(minutes=15)
        await bot.run_reminders()
        await bot.run_reminders()
    assert len(reminders(api)) == 1


async def test_a_run_to_many_subscribers_completes_despite_limits(api, db, assistant):
    clock = MutableClock(at(2027, 9, 1, 10))
    chats = range(10_000, 10_300)
    async with running_bot(api, db, assistant, clock) as bot:
        for chat in chats:
            bot.store.subscribe(chat, ["rsa", "indikatorer"], clock())
        clock.set(at(2027, 10, 1, 9, 0))
        api.fail_next("sendMessage", times=5, kind="429", retry_after=1)
        api.fail_next("sendMessage", times=3, kind="500")
        report = await bot.run_reminders()
        assert not report.failed
        assert len(report.sent) == 2 * len(chats)
    per_chat = Counter(
        c.chat_id for c in api.sent("sendMessage") if c.text.startswith("Påminnelse")
    )
    # RSA and Indikatorer fall on the same day: one message per chat, naming both
    assert set(per_chat) == set(chats) and set(per_chat.values()) == {1}
    assert "Påminnelse om frister:" in api.sent("sendMessage", 10_000)[0].text
