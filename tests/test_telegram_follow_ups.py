"""Follow-ups in Telegram: each chat's last answer is its own; /glom and time forget it."""

from __future__ import annotations

import asyncio
from datetime import datetime

import pytest
from telegram_harness import MutableClock, running_bot

from bot.engine.dates import STOCKHOLM

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=STOCKHOLM)
A, B = 5101, 5102


@pytest.fixture
async def bot(api, tmp_path, assistant):
    clock = MutableClock(NOW)
    async with running_bot(api, tmp_path / "bot.sqlite3", assistant, clock) as b:
        b.clock = clock
        yield b


async def test_two_chats_follow_up_at_once_each_on_its_own_answer(bot):
    first = await asyncio.gather(
        bot.api.reply_to(A, "Hur mycket får Region Uppsala?"),
        bot.api.reply_to(B, "När ska indikatorerna lämnas?"),
    )
    assert "16 525 798 kr" in first[0].text and "31 oktober 2027" in first[1].text
    a, b = await asyncio.gather(
        bot.api.reply_to(A, "och Skåne då?"), bot.api.reply_to(B, "till vem?")
    )
    assert "Region Skåne får 41 911 938 kr" in a.text and "Mottagare" not in a.text
    assert "Mottagare: MSB, Socialstyrelsen, länsstyrelsen." in b.text and "Skåne" not in b.text


async def test_glom_and_half_an_hour_forget_the_topic(bot):
    await bot.api.reply_to(A, "När ska indikatorerna lämnas?")
    assert "Mottagare: MSB" in (await bot.api.reply_to(A, "till vem?")).text
    await bot.api.reply_to(A, "/glom")
    assert "Mottagare: MSB" not in (await bot.api.reply_to(A, "till vem?")).text

    await bot.api.reply_to(A, "När ska indikatorerna lämnas?")
    bot.clock.advance(minutes=31)
    assert "Mottagare: MSB" not in (await bot.api.reply_to(A, "till vem?")).text
