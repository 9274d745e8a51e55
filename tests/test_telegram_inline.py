"""Inline mode: "@bot fråga" in any chat offers the chat answer as a result to send there
(bot/telegram/inline.py), through the fake Bot API with the real Application."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

import pytest
from conftest import TODAY
from fake_bot_api import BOT_USER
from telegram_harness import MutableClock, running_bot
from telegram_html import problems

from bot.engine.answer import Answer, Citation
from bot.engine.dates import STOCKHOLM
from bot.engine.source_text import showable
from bot.telegram.fair_answers import Newest
from bot.telegram.inline import CACHE_SECONDS, HELP_LINK, title_and_description
from bot.telegram.send import MAX_MESSAGE, fit_one_message, render_html

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=STOCKHOLM)
USER = 7301
LINK = f"https://t.me/{BOT_USER['username']}?start="


@pytest.fixture
async def bot(api, tmp_path, assistant):
    async with running_bot(api, tmp_path / "bot.sqlite3", assistant, MutableClock(NOW)) as b:
        yield b


def results(call) -> list[dict]:
    return call.params["results"]


def urls(result: dict) -> list[tuple[str, str]]:
    rows = (result.get("reply_markup") or {}).get("inline_keyboard", [])
    return [(b["text"], b["url"]) for row in rows for b in row]


async def test_an_inline_query_offers_the_chat_answer_with_its_sources(bot, assistant, kb):
    question = "När ska RSA rapporteras?"
    call = await bot.api.inline_answer(USER, question)
    [result] = results(call)
    content = result["input_message_content"]
    expected = assistant.ask(question, TODAY)
    # the very text and source lines of the chat answer, as the same HTML
    assert content["message_text"] == render_html(expected)
    assert content["parse_mode"] == "HTML" and problems(content["message_text"]) == []
    assert "<i>Källa: Samlat stöd till regioner, Viktiga datum" in content["message_text"]
    chat = await bot.api.reply_to(USER, question)
    assert chat.text.startswith(content["message_text"])  # the chat adds "/bevaka rsa"
    assert result["type"] == "article" and "(RSA)" in result["title"]
    assert result["description"] == (
        "Nästa gång: 31 oktober 2027 (om 341 dagar). · Källa: Samlat stöd till regioner"
    )
    # buttons into the bot's own chat: a callback could not act for the chat it is in
    [(key, _)] = showable(kb, expected.sources)
    assert urls(result) == [
        ("Bevaka RSA", LINK + "bevaka_rsa"),
        ("Visa källtext", LINK + f"kalla_{key}"),
    ]
    assert int(call.params["cache_time"]) == CACHE_SECONDS
    assert call.params.get("is_personal") in (None, False, "False", "false")
    assert call.params["button"]["start_parameter"] == HELP_LINK


async def test_the_source_link_of_a_result_shows_the_section_in_the_bots_chat(bot, kb):
    call = await bot.api.inline_answer(USER, "Hur mycket får Region Uppsala?")
    [result] = results(call)
    links = [u for t, u in urls(result) if t.startswith("Källtext")]
    assert len(links) == 2
    shown = await bot.api.reply_to(USER, "/start " + links[0].removeprefix(LINK))
    assert "Avsnitt: Bilaga 1" in shown.text and "nr SKR2022/00762" in shown.text
    gone = await bot.api.reply_to(USER, "/start kalla_" + "0" * 12)  # an outdated link
    assert "finns inte längre" in gone.text


@pytest.mark.parametrize("query", ["", "   ", "a", "rs", "?!…", f"@{BOT_USER['username']}"])
async def test_an_empty_or_short_query_gets_no_result_only_the_way_to_the_bot(bot, query):
    call = await bot.api.inline_answer(USER, query)
    assert results(call) == []
    assert call.params["button"] == {
        "text": "Skriv en fråga, t.ex. När ska RSA rapporteras?",
        "start_parameter": HELP_LINK,
    }
    assert bot.api.sent("sendMessage") == []


async def test_english_users_and_questions_get_english(bot):
    hint = await bot.api.inline_answer(USER, "", language_code="en")
    assert hint.params["button"]["text"] == "Type a question, e.g. When is the RSA due?"
    call = await bot.api.inline_answer(USER, "When is the RSA due?", language_code="en")
    [result] = results(call)
    assert "Source: " in result["input_message_content"]["message_text"]
    assert call.params["button"]["text"] == "❓ Help, reminders and more questions"


async def test_a_question_the_documents_do_not_answer_gets_an_honest_i_dont_know(bot):
    [result] = results(await bot.api.inline_answer(USER, "Vad kostar en kopp kaffe på stationen?"))
    assert result["title"] == "Det vet jag inte"
    text = result["input_message_content"]["message_text"]
    assert text.startswith("Det vet jag inte") and "Frågor om överenskommelsen" in text
    assert "reply_markup" not in result or not urls(result)


def test_titles_name_the_answer_not_its_lead_in():
    unknown = Answer("I don't know – the documents …", False, "out_of_scope", language="en")
    assert title_and_description(unknown) == ("I don't know", "I don't know – the documents …")
    quoted = Answer("The documents say (quoted in Swedish):\n- Anvisningar för ersättningen",
                    True, "fact", (Citation("Samlat stöd", "Avsnitt"),), language="en")  # fmt: skip
    assert title_and_description(quoted) == (
        "- Anvisningar för ersättningen", "Source: Samlat stöd"
    )


async def test_inline_answers_have_no_context_and_leave_nothing_behind(bot, caplog):
    api = bot.api
    await api.reply_to(USER, "När ska indikatorerna lämnas?")  # the user's chat has a topic
    with caplog.at_level(logging.DEBUG):
        [result] = results(await api.inline_answer(USER, "till vem?"))
        [other] = results(await api.inline_answer(USER, "Hur mycket får Region Uppsala?"))
    # not read as a follow-up to the chat's answer: an inline query is no conversation
    assert "Mottagare" not in result["input_message_content"]["message_text"]
    assert "16 525 798 kr" in other["input_message_content"]["message_text"]
    # ... nor did it become the chat's topic: the chat's follow-up still leans on its own
    assert "Mottagare: MSB" in (await api.reply_to(USER, "till vem?")).text
    for table in ("subscriptions", "reminders", "change_notices", "reminder_replies", "feedback"):
        assert bot.store._conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] == 0
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("bot"))
    assert "vem" not in ours and "Uppsala" not in ours  # (libraries' lines: see Redact)


async def test_a_closed_bot_answers_only_its_users_and_never_caches_for_others(
    api, tmp_path, assistant
):
    async with running_bot(api, tmp_path / "b.sqlite3", assistant, MutableClock(NOW),
                           allowed_user_ids=frozenset({USER})):  # fmt: skip
        refused = await api.inline_answer(USER + 1, "När ska RSA rapporteras?")
        assert results(refused) == []
        assert refused.params["button"]["text"] == "Boten är bara öppen för en begränsad krets"
        allowed = await api.inline_answer(USER, "När ska RSA rapporteras?")
        assert len(results(allowed)) == 1
        for call in (refused, allowed):  # Telegram may not hand these to anyone else
            assert call.params["is_personal"] in (True, "True", "true")


async def test_only_the_newest_of_a_users_queries_waits_for_its_turn():
    newest = Newest()
    first_in = asyncio.Event()
    release = asyncio.Event()
    seen = []

    async def query(name: str, user: int, hold: bool = False) -> None:
        async with newest.turn(user) as current:
            seen.append((name, current))
            if hold:
                first_in.set()
                await release.wait()

    first = asyncio.create_task(query("när", USER, hold=True))
    await first_in.wait()
    typed_on = [asyncio.create_task(query(q, USER)) for q in ("när ska", "när ska rsa")]
    other = asyncio.create_task(query("rsa", USER + 1))  # another user is not held up
    await other
    release.set()
    await asyncio.gather(first, *typed_on)
    assert seen == [("när", True), ("rsa", True), ("när ska", False), ("när ska rsa", True)]
    assert newest._newest == {} and newest._locks == {}  # nothing kept about the users


async def test_typing_on_gets_the_newest_query_answered(bot):
    api = bot.api
    typed = ("När ska", "När ska RSA", "När ska RSA lämnas?")
    ids = [api.push_inline_query(USER, q) for q in typed]
    call = await api.inline_answer(USER, "När ska RSA lämnas?")
    assert "31 oktober 2027" in results(call)[0]["input_message_content"]["message_text"]
    answered = {c.params["inline_query_id"] for c in api.sent("answerInlineQuery")}
    assert answered <= {*ids, call.params["inline_query_id"]}


def test_an_overlong_answer_is_shortened_to_one_message_and_keeps_its_sources():
    lines = "\n".join(f"Rad {i}: " + "x & y " * 30 for i in range(60))
    answer = Answer(lines, True, "fact", (Citation("Samlat stöd", "Viktiga datum"),))
    html = fit_one_message(answer)
    assert len(html) <= MAX_MESSAGE and problems(html) == []
    assert "… (förkortat – fråga mer specifikt för resten)" in html
    assert html.endswith("<i>Källa: Samlat stöd, Viktiga datum</i>")
    short = Answer("Kort & gott", True, "fact")
    assert fit_one_message(short) == render_html(short)
