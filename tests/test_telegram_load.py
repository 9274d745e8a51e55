"""Load end to end (the real Application against the fake Bot API, the clock pinned):
a reminder run to 5,000 subscribers, and 200 users asking different questions at once.

The rate limiter is raised to 1,000 msg/s here (the stack's own pace, not Telegram's 30/s;
`python -m benchmarks.load` measures the run under the real default limiter), so these
tests take seconds (~20 s for the 5,000). Their duration is printed (pytest -s), not
asserted; they are marked `load` (`pytest -m "not load"` leaves them out)."""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from datetime import datetime

import pytest
from telegram_harness import MutableClock, running_bot

from benchmarks.load import distinct_questions
from bot.engine.dates import STOCKHOLM, today
from bot.telegram.send import render_html, split_message, watchable


def at(y, m, d, hh=9, mm=0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=STOCKHOLM)


@pytest.mark.load
async def test_a_reminder_run_to_5000_subscribers_sends_exactly_one_each(api, tmp_path, assistant):
    clock = MutableClock(at(2027, 9, 1, 10))
    chats = range(1_000_000, 1_005_000)
    async with running_bot(api, tmp_path / "bot.sqlite3", assistant, clock) as bot:
        bot.store._conn.executemany(  # bulk: the test is about sending
            "INSERT INTO subscriptions VALUES (?, 'rsa', ?)",
            [(c, clock().isoformat()) for c in chats],
        )
        clock.set(at(2027, 10, 1, 9, 0))
        started = time.perf_counter()
        report = await bot.run_reminders()
        seconds = time.perf_counter() - started
        again = await bot.run_reminders()
        assert len(report.sent) == 5000 and not report.failed and not again.sent
        assert bot.store.unsent_claims() == []
    print(f"5,000-subscriber run: {seconds:.1f} s ({5000 / seconds:.0f} msg/s)")
    per_chat = Counter(c.chat_id for c in api.sent("sendMessage"))
    assert set(per_chat) == set(chats) and set(per_chat.values()) == {1}


@pytest.mark.load
async def test_200_users_asking_at_once_each_get_their_own_answer_once(api, tmp_path, assistant):
    clock = MutableClock(at(2026, 11, 24, 10))
    questions = distinct_questions(200)
    chats = [2_000_000 + i for i in range(200)]
    expected = {}
    for chat, q in zip(chats, questions, strict=True):
        answer = assistant.ask(q, today(clock))
        watch = watchable(answer, assistant.knowledge, today(clock))
        expected[chat] = split_message(render_html(answer, watch))
    total = sum(map(len, expected.values()))
    async with running_bot(api, tmp_path / "bot.sqlite3", assistant, clock):
        started = time.perf_counter()
        for chat, q in zip(chats, questions, strict=True):
            api.push_text(chat, q)
        await api.wait_for("sendMessage", count=total, timeout=60)
        seconds = time.perf_counter() - started
    print(f"200 askers: all answered in {seconds:.1f} s")
    got: dict[int, list[str]] = defaultdict(list)
    for call in api.sent("sendMessage"):
        got[call.chat_id].append(call.text)
    assert dict(got) == expected  # every chat: its own answer, exactly once, nobody else's
