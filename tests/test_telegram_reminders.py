"""Reminders end to end with a controllable clock: 30/7/1 days before, restarts on the
same database, downtime, crashes, blocked users, 429s and thousands of subscribers."""

from __future__ import annotations

import logging
from collections import Counter
from datetime import date, datetime

import pytest
from fake_bot_api import FakeBotApi
from telegram_harness import MutableClock, running_bot

from bot.engine.dates import STOCKHOLM
from bot.subscriptions.reminders import ReminderKey
from bot.telegram.handlers import STALE_BUTTON

CHAT = 4242
RSA_2027 = date(2027, 10, 31)
SOURCE_LINE = (
    "<i>Källa: Samlat stöd till regioner, Viktiga datum (senast granskad 20 december 2021)</i>"
)


def at(y, m, d, hh=9, mm=0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=STOCKHOLM)


def reminders(api: FakeBotApi, chat_id: int = CHAT) -> list[str]:
    return [c.text for c in api.sent("sendMessage", chat_id) if c.text.startswith("Påminnelse")]


def reminder_calls(api: FakeBotApi, chat_id: int = CHAT):
    return [c for c in api.sent("sendMessage", chat_id) if c.text.startswith("Påminnelse")]


def buttons(markup_or_call) -> list[tuple[str, str]]:
    markup = getattr(markup_or_call, "params", {}).get("reply_markup", markup_or_call)
    return [(b["text"], b["callback_data"]) for row in markup["inline_keyboard"] for b in row]


def as_received(api: FakeBotApi, call) -> dict:
    """The message a user sees (and presses a button of), as Telegram would pass it."""
    message = api.message(call.chat_id, call.text, from_bot=True)
    message["reply_markup"] = call.params["reply_markup"]
    return message


async def press(api: FakeBotApi, data: str, message: dict | None = None) -> str:
    """Press a button; the notice the bot answered it with."""
    before = len(api.sent("answerCallbackQuery"))
    api.push_callback(CHAT, data, message=message)
    return (await api.wait_for("answerCallbackQuery", count=before + 1))[before].params["text"]


async def settled(api: FakeBotApi) -> None:
    """Once /hjalp is answered, every update pushed before it has been handled."""
    await api.reply_to(CHAT, "/hjalp")


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
    assert SOURCE_LINE in last.text
    assert "/avbevaka rsa" in last.text
    assert buttons(last) == [("Klar", "klar:rsa:2027-10-31"),
                             ("Påminn igen om 1 dag", "igen:rsa:2027-10-31")]  # fmt: skip


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


async def test_klar_stops_that_occurrence_and_a_second_press_changes_nothing(api, db, assistant):
    clock = MutableClock(at(2027, 9, 1, 10))
    async with running_bot(api, db, assistant, clock) as bot:
        await api.reply_to(CHAT, "/bevaka rsa")
        clock.set(at(2027, 10, 1, 9, 0))
        await bot.run_reminders()
        (reminder,) = reminder_calls(api)
        pressed = as_received(api, reminder)
        clock.set(at(2027, 10, 1, 10, 0))
        notice = await press(api, "klar:rsa:2027-10-31", pressed)
        assert notice == "Klart – inga fler påminnelser om RSA 31 oktober 2027"
        (edit,) = await api.wait_for("editMessageReplyMarkup")
        assert buttons(edit.params["reply_markup"]) == [("✓ Klar", "klar")]
        assert await press(api, "klar:rsa:2027-10-31", pressed) == "Redan markerad som klar"
        assert await press(api, "klar", pressed) == "Redan valt"  # the ✓ button itself
        await settled(api)
        assert len(api.sent("editMessageReplyMarkup")) == 1  # nothing changed again
    async with running_bot(api, db, assistant, clock) as bot:  # restart, same database
        for day in (24, 30):
            clock.set(at(2027, 10, day, 9, 0))
            await bot.run_reminders()
        assert len(reminders(api)) == 1  # neither the 7- nor the 1-day reminder
        clock.set(at(2031, 10, 1, 9, 0))  # the next RSA, four years on: as usual
        await bot.run_reminders()
    assert len(reminders(api)) == 2
    assert "söndag 31 oktober 2027" not in reminders(api)[1]
    assert "fredag 31 oktober 2031 (om 30 dagar)" in reminders(api)[1]


async def test_paminn_igen_sends_one_extra_reminder_a_day_later_across_restarts(api, db, assistant):
    clock = MutableClock(at(2027, 9, 1, 10))
    async with running_bot(api, db, assistant, clock) as bot:
        await api.reply_to(CHAT, "/bevaka rsa")
        clock.set(at(2027, 10, 1, 9, 0))
        await bot.run_reminders()
        pressed = as_received(api, reminder_calls(api)[0])
        clock.set(at(2027, 10, 1, 10, 30))
        notice = await press(api, "igen:rsa:2027-10-31", pressed)
        assert notice == "Jag påminner om RSA igen i morgon"
        (edit,) = await api.wait_for("editMessageReplyMarkup")
        assert buttons(edit.params["reply_markup"]) == [
            ("Klar", "klar:rsa:2027-10-31"),
            ("✓ Påminner i morgon", "igen"),
        ]
        assert await press(api, "igen:rsa:2027-10-31", pressed) == "Redan bokad"  # double tap
        await settled(api)
        assert len(api.sent("editMessageReplyMarkup")) == 1
        clock.set(at(2027, 10, 2, 10, 29))
        await bot.run_reminders()
        assert len(reminders(api)) == 1  # not yet: 24 hours after the press
    async with running_bot(api, db, assistant, clock) as bot:  # restarted meanwhile
        clock.set(at(2027, 10, 2, 10, 30))
        await bot.run_reminders()
        await bot.run_reminders()
        assert len(reminders(api)) == 2
    async with running_bot(api, db, assistant, clock) as bot:
        clock.advance(hours=3)
        await bot.run_reminders()
        assert len(reminders(api)) == 2  # exactly once
        extra = reminder_calls(api)[1]
        assert "söndag 31 oktober 2027 (om 29 dagar)" in extra.text
        assert ("Påminn igen om 1 dag", "igen:rsa:2027-10-31") in buttons(extra)
        clock.set(at(2027, 10, 24, 9, 0))  # the usual 7-day reminder still comes
        await bot.run_reminders()
    assert len(reminders(api)) == 3 and "(om 7 dagar)" in reminders(api)[2]


async def test_an_extra_reminder_claimed_when_the_bot_died_is_not_resent(
    api, db, assistant, caplog
):
    clock = MutableClock(at(2027, 9, 1, 10))
    async with running_bot(api, db, assistant, clock) as bot:
        await api.reply_to(CHAT, "/bevaka rsa")
        clock.set(at(2027, 10, 1, 9, 0))
        await bot.run_reminders()
        await press(api, "igen:rsa:2027-10-31", as_received(api, reminder_calls(api)[0]))
        clock.set(at(2027, 10, 2, 9, 30))
        # kill -9 between the claim at the wire and Telegram's answer
        extra = ReminderKey.extra(CHAT, "rsa", RSA_2027)
        assert bot.store.claim([extra], clock()) == [extra]
    with caplog.at_level(logging.WARNING):
        async with running_bot(api, db, assistant, clock) as bot:
            await bot.run_reminders()
            assert bot.store.unsent_claims() == [extra]
    assert len(reminders(api)) == 1  # at-most-once: never a duplicate
    assert "1 reminder(s)" in caplog.text and "may not have arrived" in caplog.text


async def test_a_failed_extra_reminder_is_retried_and_sent_once(api, db, assistant):
    clock = MutableClock(at(2027, 9, 1, 10))
    async with running_bot(api, db, assistant, clock) as bot:
        await api.reply_to(CHAT, "/bevaka rsa")
        clock.set(at(2027, 10, 1, 9, 0))
        await bot.run_reminders()
        await press(api, "igen:rsa:2027-10-31", as_received(api, reminder_calls(api)[0]))
        clock.set(at(2027, 10, 2, 9, 30))
        api.fail_next("sendMessage", times=5, kind="500")
        report = await bot.run_reminders()
        assert report.failed == [ReminderKey.extra(CHAT, "rsa", RSA_2027)]
        clock.advance(minutes=15)
        await bot.run_reminders()
        await bot.run_reminders()
    assert len(reminders(api)) == 2


async def test_forged_reminder_buttons_get_a_notice_and_store_nothing(api, db, assistant):
    clock = MutableClock(at(2027, 10, 1, 10))
    async with running_bot(api, db, assistant, clock) as bot:
        await api.reply_to(CHAT, "/bevaka rsa")
        for data in (
            "klar:rsa:2027-10-30",  # no RSA that day
            "igen:kaffe:2027-10-31",  # no such deadline
            "klar:rsa:2031-10-31",  # no reminder is about an occurrence that far off
            "igen:rsa:2027-13-01",
            "klar:rsa:2027-10-31;DROP TABLE",
            "klar:" + "x" * 60,
        ):
            assert await press(api, data) == STALE_BUTTON
        api.push_callback(4343, "klar:rsa:2027-10-31")  # a chat that does not watch RSA
        answered = await api.wait_for("answerCallbackQuery", count=7)
        assert answered[-1].params["text"] == "Du bevakar inte RSA längre"
        await settled(api)
        assert bot.store._conn.execute("SELECT COUNT(*) FROM reminder_replies").fetchone() == (0,)
        assert api.sent("editMessageReplyMarkup") == []


async def test_glom_deletes_the_replies_too(api, db, assistant):
    clock = MutableClock(at(2027, 10, 1, 10))
    async with running_bot(api, db, assistant, clock) as bot:
        await api.reply_to(CHAT, "/bevaka rsa")
        await press(api, "klar:rsa:2027-10-31")
        gone = await api.reply_to(CHAT, "/glom")
        assert "1 svar på påminnelser" in gone.text
        assert bot.store._conn.execute("SELECT COUNT(*) FROM reminder_replies").fetchone() == (0,)
