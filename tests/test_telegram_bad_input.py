"""End to end: odd, hostile and non-text input through the real Application. Each gets a
short Swedish reply or is ignored on purpose; every reply is valid Telegram HTML."""

from __future__ import annotations

import asyncio
from datetime import datetime

import pytest
from fake_bot_api import BOT_USER
from telegram_harness import MutableClock, running_bot
from telegram_html import problems

from bot.engine.dates import STOCKHOLM
from bot.telegram.commands import HELP
from bot.telegram.handlers import EMPTY_QUESTION, NOT_TEXT, STALE_BUTTON
from bot.telegram.send import SUBSCRIBE_PREFIX

CHAT = 5151
GROUP = -100888
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=STOCKHOLM)
MENTION = f"@{BOT_USER['username']}"


@pytest.fixture
async def bot(api, tmp_path, assistant):
    async with running_bot(api, tmp_path / "bot.sqlite3", assistant, MutableClock(NOW)) as b:
        yield b


async def settled(api, chat=CHAT) -> int:
    """Updates are handled in order: once a /hjalp pushed now is answered, everything
    pushed before it has been handled. Returns how many messages the chat had got then."""

    def helps():
        sent = api.sent("sendMessage", chat)
        return [i for i, c in enumerate(sent) if c.text.startswith(HELP[:30])]

    before = len(helps())
    api.push_text(chat, "/hjalp")
    deadline = asyncio.get_running_loop().time() + 20
    while len(helps()) == before:
        assert asyncio.get_running_loop().time() < deadline, "the bot stopped answering"
        await asyncio.sleep(0.01)
    return helps()[-1]


def assert_valid(api):
    for call in api.sent("sendMessage"):
        assert problems(call.text) == [], call.text[:200]


HOSTILE = [
    "<b>fet</b> & <script>alert('x')</script> när ska RSA rapporteras?",
    "*fet* _kursiv_ `kod` [länk](http://exempel.invalid) ~~bort~~ ||dold|| > citat",
    "&amp; &lt; &#0; &unknown; < > \" '",
    "🚒🔥🧯",
    "👨‍👩‍👧 ",
    "a" * 5000,
    "När ska RSA rapporteras? " * 200,
    "Hur mycket får Region Uppsala 2023? </i></b><a href='javascript:x'>",
    "\u202eRSA\u202c när",
    "SELECT * FROM subscriptions; DROP TABLE subscriptions; --",
    "../../etc/passwd",
]


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
async def test_hostile_or_odd_questions_get_valid_html_answers(bot, text):
    call = await bot.api.reply_to(CHAT, text)
    assert call.text.strip()
    assert_valid(bot.api)
    await bot.api.reply_to(CHAT, "/bevaka rsa")
    assert [s.deadline_id for s in bot.store.subscriptions(CHAT)] == ["rsa"]  # tables intact


async def test_control_and_invisible_characters_do_not_change_the_answer(bot):
    clean = await bot.api.reply_to(CHAT, "När ska RSA rapporteras?")
    dirty = await bot.api.reply_to(
        CHAT, "När\x00 ska\u200b R\u200dSA\x07\x1b[31m rapporteras?\ufeff"
    )
    assert "31 oktober 2027" in clean.text
    assert dirty.text == clean.text


async def test_empty_and_whitespace_only_messages_ask_for_a_question(bot):
    for text in ("   ", "\u200b\u200b", "\x00\t\n"):
        assert (await bot.api.reply_to(CHAT, text)).text == EMPTY_QUESTION
    bot.api.push_text(GROUP, MENTION, user_id=CHAT, chat_type="supergroup")
    assert (await bot.api.wait_for("sendMessage", GROUP))[0].text == EMPTY_QUESTION


async def test_wrong_and_extra_arguments_get_explanations(bot):
    cases = {
        "/frister alla nu direkt": "Kommande frister",  # extra words are ignored
        "/tilldelning Uppsala 2023 2024 extra": "Region Uppsala",
        "/tilldelning Uppsala 1850": "2023",  # a year without a table: which years exist
        "/uppgifter " + "x" * 300: "område",
        "/bevaka rsa kaffepaus indikatorer": "",  # answered, whichever way it matches
        "/avbevaka ''' \" <>": "Jag hittar ingen frist som heter",
        "/kalender whatever": "",  # sends all deadlines as a file
    }
    for command, expected in cases.items():
        before = len(bot.api.sent())
        bot.api.push_text(CHAT, command)
        await settled(bot.api)
        got = bot.api.sent()[before:]
        answers = [c for c in got if c.method in ("sendMessage", "sendDocument")][:-1]
        assert answers, command
        assert expected in (answers[0].text or answers[0].params.get("caption", "")), command
    assert_valid(bot.api)


async def test_forged_and_stale_buttons_are_answered_and_change_nothing(bot):
    for data in (f"{SUBSCRIBE_PREFIX}finns-inte", "x" * 64, "", f"{SUBSCRIBE_PREFIX}" + "'" * 50):
        bot.api.push_callback(CHAT, data)
    notes = await bot.api.wait_for("answerCallbackQuery", count=4)
    texts = [c.params.get("text") for c in notes]
    assert texts.count("Den fristen finns inte längre.") == 2
    assert texts.count(STALE_BUTTON) == 2
    assert bot.store.subscriptions() == []
    # a button pressed in another chat's message acts for the chat it is in, not the user
    bot.api.push_callback(CHAT, f"{SUBSCRIBE_PREFIX}rsa", user_id=CHAT + 1)
    await bot.api.wait_for("answerCallbackQuery", count=5)
    await settled(bot.api)
    assert [(s.chat_id, s.deadline_id) for s in bot.store.subscriptions()] == [(CHAT, "rsa")]


async def test_an_edited_question_is_answered_again_an_edited_command_is_not_rerun(bot):
    await bot.api.reply_to(CHAT, "/bevaka rsa")
    bot.api.push_message(CHAT, {"text": "När ska indikatorerna lämnas?"}, edited=True)
    answer = (await bot.api.wait_for("sendMessage", CHAT, count=2))[1]
    assert "31 oktober" in answer.text
    bot.api.push_message(
        CHAT,
        {"text": "/glom", "entities": [{"type": "bot_command", "offset": 0, "length": 5}]},
        edited=True,
    )
    before = await settled(bot.api)
    assert before == 2  # nothing for the edited /glom ...
    assert [s.deadline_id for s in bot.store.subscriptions(CHAT)] == ["rsa"]  # ... and kept


NON_TEXT = {
    "sticker": {"sticker": {"file_id": "s1", "file_unique_id": "u1", "type": "regular",
                            "width": 512, "height": 512, "is_animated": False,
                            "is_video": False}},
    "photo": {"photo": [{"file_id": "p1", "file_unique_id": "u2", "width": 90, "height": 90}]},
    "document": {"document": {"file_id": "d1", "file_unique_id": "u3", "file_name": "x.pdf",
                              "mime_type": "application/pdf"}},
    "voice": {"voice": {"file_id": "v1", "file_unique_id": "u4", "duration": 3}},
    "location": {"location": {"latitude": 59.3, "longitude": 18.0}},
}  # fmt: skip


@pytest.mark.parametrize("kind", NON_TEXT)
async def test_non_text_gets_a_short_note_in_private_and_silence_in_groups(bot, kind):
    bot.api.push_message(GROUP, NON_TEXT[kind], user_id=CHAT, chat_type="supergroup")
    bot.api.push_message(CHAT, NON_TEXT[kind])
    assert (await bot.api.wait_for("sendMessage", CHAT))[0].text == NOT_TEXT
    await settled(bot.api)
    assert bot.api.sent("sendMessage", GROUP) == []


async def test_group_chatter_is_ignored_but_replies_to_the_bot_are_answered(bot):
    bot.api.push_text(GROUP, "Fika kl 15?", user_id=1, chat_type="supergroup")
    bot.api.push_text(GROUP, "/glom@AnnanBot", user_id=1, chat_type="supergroup")  # not ours
    ours = bot.api.message(GROUP, "Kommande frister …", from_bot=True, chat_type="supergroup")
    bot.api.push_text(GROUP, "och RSA?", user_id=1, chat_type="supergroup", reply_to=ours)
    calls = await bot.api.wait_for("sendMessage", GROUP)
    await settled(bot.api)
    assert len(bot.api.sent("sendMessage", GROUP)) == 1
    assert "RSA" in calls[0].text


def test_the_html_check_itself_catches_what_telegram_refuses():
    assert problems('<b>fet</b> &amp; <a href="https://x.se">länk</a> &#128658;') == []
    for bad in ("<script>x</script>", "a & b", "<b>öppen", "<i>fel</b>", "&nbsp;", "1 < 2"):
        assert problems(bad), bad
