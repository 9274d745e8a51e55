"""Network faults end to end (the real Application against the fake Bot API, the clock
pinned): requests that time out or whose connection is dropped, a bot killed in the
middle of a reminder run and restarted on the same database, and load."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from datetime import date, datetime

import pytest
from fake_bot_api import FakeBotApi
from telegram.error import NetworkError, TimedOut
from telegram_harness import MutableClock, running_bot

from bot.engine.dates import STOCKHOLM
from bot.subscriptions.reminders import ReminderKey

SHORT = 0.25  # the client's read timeout in these tests; the fake API holds answers 1 s
RSA_2027 = date(2027, 10, 31)


def at(y, m, d, hh=9, mm=0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=STOCKHOLM)


def reminder_counts(api: FakeBotApi) -> Counter:
    return Counter(c.chat_id for c in api.sent("sendMessage") if c.text.startswith("Påminnelse"))


@pytest.fixture
def api():
    server = FakeBotApi(timeout_delay=1.0).start()
    yield server
    server.stop()


@pytest.fixture
def db(tmp_path):
    return tmp_path / "bot.sqlite3"


def subscribe_many(store, chats, deadlines, now) -> None:
    """Bulk subscriptions (one transaction) - the tests are about sending, not /bevaka."""
    store._conn.executemany(
        "INSERT INTO subscriptions (chat_id, deadline_id, created) VALUES (?, ?, ?)",
        [(c, d, now.isoformat()) for c in chats for d in deadlines],
    )


@pytest.mark.parametrize(("kind", "error"), [("timeout", TimedOut), ("drop", NetworkError)])
async def test_the_fault_kinds_raise_what_telegram_failures_raise(api, db, assistant, kind, error):
    clock = MutableClock(at(2027, 9, 1, 10))
    async with running_bot(api, db, assistant, clock, read_timeout=SHORT) as bot:
        api.fail_next("sendMessage", kind=kind)
        with pytest.raises(error):
            await bot.app.bot.send_message(1, "hej")
        assert (await bot.app.bot.send_message(1, "igen")).text == "igen"  # the next works
    assert [c.status for c in api.attempts("sendMessage")] == [0, 200]
    assert [c.text for c in api.sent("sendMessage")] == ["igen"]  # the lost one never arrived


@pytest.mark.parametrize("kind", ["timeout", "drop"])
async def test_a_question_is_answered_despite_a_lost_request(api, db, assistant, kind):
    clock = MutableClock(at(2027, 9, 1, 10))
    async with running_bot(api, db, assistant, clock, read_timeout=SHORT) as bot:
        api.fail_next("sendMessage", times=2, kind=kind)
        answer = await api.reply_to(77, "när ska RSA rapporteras?", timeout=10)
        assert "RSA" in answer.text
        assert bot.sleeps == [0.5, 1.0]  # two backoffs, then through
    assert len(api.sent("sendMessage", 77)) == 1


async def test_timeouts_and_drops_in_a_big_run_lose_and_duplicate_nothing(api, db, assistant):
    clock = MutableClock(at(2027, 9, 1, 10))
    chats = range(20_000, 20_400)
    async with running_bot(api, db, assistant, clock, read_timeout=SHORT) as bot:
        subscribe_many(bot.store, chats, ["rsa"], clock())
        clock.set(at(2027, 10, 1, 9, 0))
        # 12 lost requests spread over the run; with 5 attempts per message, 5 in a row
        # make one message fail for this run (released, not lost).
        api.fail_next("sendMessage", times=3, kind="timeout")
        api.fail_next("sendMessage", times=4, kind="drop")
        api.fail_next("sendMessage", times=5, kind="timeout")
        first = await bot.run_reminders()
        assert len(first.sent) + len(first.failed) == len(chats)
        assert bot.store.unsent_claims() == []  # every claim confirmed or released
        for _ in range(3):  # the catch-up runs that follow
            clock.advance(minutes=15)
            await bot.run_reminders()
    counts = reminder_counts(api)
    assert set(counts) == set(chats) and set(counts.values()) == {1}
    lost = [c for c in api.attempts("sendMessage") if c.status == 0]
    assert len(lost) == 12


async def test_a_drop_on_every_attempt_is_retried_by_the_next_run(api, db, assistant):
    clock = MutableClock(at(2027, 9, 1, 10))
    async with running_bot(api, db, assistant, clock, read_timeout=SHORT) as bot:
        subscribe_many(bot.store, [5], ["rsa"], clock())
        clock.set(at(2027, 10, 1, 9, 0))
        api.fail_next("sendMessage", times=5, kind="drop")
        report = await bot.run_reminders()
        assert report.failed == [ReminderKey(5, "rsa", RSA_2027, 30)] and not report.sent
        clock.advance(minutes=15)
        report = await bot.run_reminders()
        assert report.sent == [ReminderKey(5, "rsa", RSA_2027, 30)]
    assert reminder_counts(api) == {5: 1}


async def test_killed_mid_run_then_restarted_sends_no_second_message(api, db, assistant, caplog):
    clock = MutableClock(at(2027, 9, 1, 10))
    chats = list(range(30_000, 30_300))
    async with running_bot(api, db, assistant, clock, rate=200) as bot:
        subscribe_many(bot.store, chats, ["rsa", "indikatorer"], clock())
        clock.set(at(2027, 10, 1, 9, 0))
        run = asyncio.create_task(bot.run_reminders())
        await api.wait_for("sendMessage", count=100, timeout=30)
        run.cancel()  # the process is killed: in-flight sends never get confirmed
        with pytest.raises(asyncio.CancelledError):
            await run
        stale = bot.store.unsent_claims()
        before = reminder_counts(api)
    assert 0 < len(before) < len(chats) and set(before.values()) == {1}
    assert stale  # the sends that were in flight
    with caplog.at_level(logging.WARNING):
        async with running_bot(api, db, assistant, clock) as bot:  # restart, same database
            assert "may not have arrived" in caplog.text
            assert len(bot.store.subscriptions()) == 2 * len(chats)  # nothing a user set lost
            await bot.run_reminders()
            clock.advance(minutes=15)
            await bot.run_reminders()
    await asyncio.sleep(0.1)  # any request still in flight has landed
    counts = reminder_counts(api)
    assert set(counts.values()) == {1}  # nobody got a second message
    stale_chats = {k.chat_id for k in stale}
    # At-most-once: a chat whose send was cut off may have got nothing, but then the
    # operator was told (a stale claim); every other chat got its reminder.
    assert set(chats) - set(counts) <= stale_chats
    assert set(counts) | stale_chats == set(chats)
