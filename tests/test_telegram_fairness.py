"""One chat cannot stall the others: chats are handled concurrently, each chat's
messages in order, answers off the event loop; a flooding chat is told once to slow
down."""

from __future__ import annotations

import time
from datetime import datetime

from telegram_harness import MutableClock, running_bot

from bot.engine.dates import STOCKHOLM
from bot.telegram.fair_answers import MAX_WAITING
from bot.telegram.handlers import FLOODED

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=STOCKHOLM)
FLOODER, OTHER = 5001, 5002
# long and rambling, with many clauses the engine reads one by one: slow to answer
LONG = " ".join(
    f"Vi har möte {i} och jag undrar hur mycket region {r} får, när ska RSA rapporteras och "
    f"vilket stöd finns för ledningsplatser, och vad menas med höjd beredskap?"
    for i, r in zip(range(40), ["Skåne", "Gotland", "Blekinge", "Dalarna"] * 10, strict=True)
)[:4000]  # Telegram's messages end at 4,096 characters


async def test_another_chats_question_is_answered_while_one_chat_floods(api, tmp_path, assistant):
    async with running_bot(api, tmp_path / "b.sqlite3", assistant, MutableClock(NOW)):
        for n in range(30):
            api.push_text(FLOODER, f"{n}: {LONG}")
        await api.wait_for("sendMessage", FLOODER, count=1, timeout=60)  # it is being served
        asked = time.monotonic()
        api.push_text(OTHER, "När ska RSA rapporteras?")
        answer = (await api.wait_for("sendMessage", OTHER, timeout=30))[0]
        waited = time.monotonic() - asked
        assert "31 oktober 2027" in answer.text
        assert waited < 2.0, waited
        flood = await api.wait_for("sendMessage", FLOODER, count=MAX_WAITING + 1, timeout=120)
    texts = [c.text for c in api.sent("sendMessage", FLOODER)]
    told = [t for t in texts if t == FLOODED]
    assert len(told) == 1  # told once, not once per message
    answers = [t for t in texts if t != FLOODED]
    assert len(answers) == MAX_WAITING and len(flood) == len(texts)  # the rest unanswered


async def test_a_chats_messages_are_handled_in_the_order_sent(api, tmp_path, assistant):
    sent = ["Vad menas med höjd beredskap?", "/frister", "Hur mycket får Region Gotland 2023?",
            "/hjalp", "När ska RSA rapporteras?"]  # fmt: skip
    async with running_bot(api, tmp_path / "b.sqlite3", assistant, MutableClock(NOW)):
        for text in sent:
            api.push_text(FLOODER, text)
        calls = await api.wait_for("sendMessage", FLOODER, count=5, timeout=60)
    assert "höjd beredskap" in calls[0].text.casefold()
    assert "Kommande frister" in calls[1].text and "Gotland" in calls[2].text
    assert "/bevaka" in calls[3].text and "31 oktober 2027" in calls[4].text
