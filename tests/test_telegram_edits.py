"""An edited question edits the bot's earlier answer (editMessageText, keyboard too)
instead of getting a second one; when that answer is unknown or cannot be edited, a new
one is sent. Through the fake Bot API with the real Application."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import datetime

import pytest
from fake_bot_api import BOT_USER
from telegram_harness import MutableClock, running_bot
from telegram_html import problems

from bot.engine.answer import FAILED
from bot.engine.dates import STOCKHOLM
from bot.telegram.commands import HELP
from bot.telegram.services import services_of

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=STOCKHOLM)
CHAT = 8181
GROUP = -100818
MENTION = f"@{BOT_USER['username']}"


@pytest.fixture
async def bot(api, tmp_path, assistant):
    clock = MutableClock(NOW)
    async with running_bot(api, tmp_path / "bot.sqlite3", assistant, clock) as b:
        b.clock = clock
        yield b


async def ask(api, text: str, chat: int = CHAT, **kw) -> tuple[int, dict]:
    """The user asks; returns their message's id and the bot's answer as Telegram has it."""
    before = len(api.sent("sendMessage", chat))
    api.push_text(chat, text, **kw)
    asked = api.last_message["message_id"]
    answer = (await api.wait_for("sendMessage", chat, before + 1))[before]
    return asked, answer.result


async def settled(api, chat: int = CHAT) -> None:
    """Each chat's updates are handled in order: once this /hjalp is answered, all
    pushed before it have been."""
    helps = len([c for c in api.sent("sendMessage", chat) if c.text.startswith(HELP[:20])])
    api.push_text(chat, "/hjalp")
    while len([c for c in api.sent("sendMessage", chat) if c.text.startswith(HELP[:20])]) == helps:
        await asyncio.sleep(0.01)


async def until(condition, timeout: float = 5.0) -> None:
    """Waits for what the handler does after its message is sent; fails after `timeout`."""
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.01)


def labels(markup: dict | None) -> list[str]:
    return [b["text"] for row in (markup or {}).get("inline_keyboard", []) for b in row]


async def test_an_edited_question_edits_the_earlier_answer_and_its_buttons(bot):
    api = bot.api
    asked, answer = await ask(api, "När ska RSA rapporteras?")
    assert "Bevaka RSA" in labels(answer["reply_markup"])
    api.push_edit(CHAT, asked, "När ska indikatorerna lämnas?")
    [edit] = await api.wait_for("editMessageText")
    assert int(edit.params["message_id"]) == answer["message_id"]
    assert int(edit.params["chat_id"]) == CHAT and edit.params["parse_mode"] == "HTML"
    assert "31 oktober 2027" in edit.text and "Indikatorer" in edit.text
    assert problems(edit.text) == []
    keyboard = labels(edit.params["reply_markup"])
    assert "Bevaka Indikatorer" in keyboard and "Bevaka RSA" not in keyboard
    assert "👍" in keyboard and "Visa källtext" in keyboard
    await settled(api)
    assert len(api.sent("sendMessage", CHAT)) == 2  # the first answer and the /hjalp only
    # edited again: the same answer message again
    api.push_edit(CHAT, asked, "Hur mycket får Region Uppsala?")
    second = (await api.wait_for("editMessageText", count=2))[-1]
    assert int(second.params["message_id"]) == answer["message_id"]
    assert "16 525 798 kr" in second.text
    assert "Bevaka Indikatorer" not in labels(second.params["reply_markup"])


async def test_an_edit_that_changes_nothing_in_the_answer_is_no_new_message(bot):
    api = bot.api
    asked, _ = await ask(api, "När ska RSA rapporteras?")
    api.push_edit(CHAT, asked, "När ska RSA rapporteras ?")  # the same answer: not modified
    await settled(api)
    [refused] = api.attempts("editMessageText")
    assert refused.status == 400  # Telegram's "message is not modified", taken as done
    sent = api.sent("sendMessage", CHAT)
    assert len(sent) == 2 and FAILED not in [c.text for c in sent]


async def test_an_unknown_or_uneditable_earlier_answer_gets_a_new_answer(bot):
    api = bot.api
    # too old: the map holds an answer half an hour, like the follow-up context
    asked, _ = await ask(api, "När ska RSA rapporteras?")
    await settled(api)  # the answer is remembered (after it is sent) before time passes
    bot.clock.advance(minutes=31)
    before = len(api.sent("sendMessage", CHAT))
    api.push_edit(CHAT, asked, "När ska indikatorerna lämnas?")
    new = (await api.wait_for("sendMessage", CHAT, before + 1))[before]
    assert "Indikatorer" in new.text and api.attempts("editMessageText") == []

    # the earlier answer cannot be edited (deleted, say): Telegram refuses, a new one goes
    api.fail_next("editMessageText", kind="400 message to edit not found")
    api.push_edit(CHAT, asked, "När ska RSA rapporteras?")
    newer = (await api.wait_for("sendMessage", CHAT, before + 2))[before + 1]
    assert "(RSA)" in newer.text and len(api.attempts("editMessageText")) == 1
    # ... and that new answer is the one a further edit changes
    api.push_edit(CHAT, asked, "Hur mycket får Region Uppsala?")
    [edit] = await api.wait_for("editMessageText")
    assert int(edit.params["message_id"]) == newer.result["message_id"]

    # a message never answered (sent before a restart): answered anew
    api.push_edit(CHAT, 4, "När ska indikatorerna lämnas?")
    await api.wait_for("sendMessage", CHAT, before + 3)


async def test_a_restart_forgets_which_answer_was_whose(api, tmp_path, assistant):
    db = tmp_path / "bot.sqlite3"
    async with running_bot(api, db, assistant, MutableClock(NOW)):
        asked, _ = await ask(api, "När ska RSA rapporteras?")
    async with running_bot(api, db, assistant, MutableClock(NOW)):
        api.push_edit(CHAT, asked, "När ska indikatorerna lämnas?")
        new = (await api.wait_for("sendMessage", CHAT, 2))[1]
        assert "Indikatorer" in new.text and api.attempts("editMessageText") == []


async def test_edits_of_commands_are_not_run_and_glom_forgets_the_map(bot):
    api = bot.api
    asked, _ = await ask(api, "/frister")
    api.push_edit(CHAT, asked, "/bevaka rsa")  # an edited command is not run
    question, _ = await ask(api, "När ska RSA rapporteras?")
    api.push_edit(CHAT, question, "/glom")  # a question edited into a command: left alone
    await settled(api)
    assert api.attempts("editMessageText") == [] and len(api.sent("sendMessage", CHAT)) == 3
    assert bot.store.subscriptions(CHAT) == []

    # a command edited into a question: its answer is the one that changes
    api.push_edit(CHAT, asked, "När ska indikatorerna lämnas?")
    [edit] = await api.wait_for("editMessageText")
    assert "Indikatorer" in edit.text

    await ask(api, "/glom")  # forgets which answer was whose, with the rest
    # only /glom's own answer, remembered just after it is sent
    replies = services_of(bot.app).replies
    await until(lambda: len(replies) == 1)
    before = len(api.sent("sendMessage", CHAT))
    api.push_edit(CHAT, question, "Hur mycket får Region Uppsala?")
    await api.wait_for("sendMessage", CHAT, before + 1)
    assert len(api.sent("editMessageText")) == 1


async def test_in_a_group_the_answer_to_an_edited_mention_is_edited(bot):
    api = bot.api
    asked, answer = await ask(
        api, f"{MENTION} När ska RSA rapporteras?", chat=GROUP, user_id=11, chat_type="supergroup"
    )
    api.push_edit(GROUP, asked, f"{MENTION} När ska indikatorerna lämnas?", 11, "supergroup")
    [edit] = await api.wait_for("editMessageText")
    assert int(edit.params["message_id"]) == answer["message_id"] and "Indikatorer" in edit.text
    # the mention edited away: no longer for the bot, and its answer is left as it was
    api.push_edit(GROUP, asked, "När ska RSA rapporteras?", 11, "supergroup")
    await settled(api, GROUP)
    assert len(api.sent("editMessageText")) == 1


async def test_an_edited_follow_up_is_read_in_the_context_it_was_asked_in(bot):
    api = bot.api
    await ask(api, "När ska indikatorerna lämnas?")
    follow_up, answer = await ask(api, "och 2028?")
    assert "År 2028: 31 oktober 2028" in answer["text"]
    await ask(api, "Hur mycket får Region Uppsala?")  # the chat has moved on
    api.push_edit(CHAT, follow_up, "och 2029?")  # still about the indicators, not Uppsala
    [edit] = await api.wait_for("editMessageText")
    assert "Indikatorer" in edit.text and "År 2029: 31 oktober 2029" in edit.text
    # ... and the chat's context is still the newest answer's
    _, latest = await ask(api, "och per invånare?")
    assert "Per invånare: 41,31 kr" in latest["text"]


class LongAnswers:
    """The real assistant, but `ask` answers "lång" with a text of two messages."""

    def __init__(self, assistant):
        self._real = assistant

    def __getattr__(self, name):
        return getattr(self._real, name)

    def ask(self, text, today, topic=None):
        answer = self._real.ask("När ska RSA rapporteras?", today, topic)
        if text.startswith("lång"):
            body = "\n".join(f"Rad {i}: " + "ord " * 20 for i in range(80))
            return replace(answer, text=f"{text}\n{body}\n{text}")  # both parts change
        return answer


async def test_an_answer_of_another_number_of_messages_is_sent_anew(api, tmp_path, assistant):
    async with running_bot(api, tmp_path / "b.sqlite3", LongAnswers(assistant), MutableClock(NOW)):
        asked, _ = await ask(api, "lång fråga")
        # the answer in two messages (ask returns when the first is sent)
        assert len(await api.wait_for("sendMessage", CHAT, 2)) == 2
        api.push_edit(CHAT, asked, "lång fråga, rättad")  # two again: both are edited
        edits = await api.wait_for("editMessageText", count=2)
        assert [int(e.params["message_id"]) for e in edits] == [
            c.result["message_id"] for c in api.sent("sendMessage", CHAT)
        ]
        assert "reply_markup" not in edits[0].params and edits[1].params["reply_markup"]
        api.push_edit(CHAT, asked, "kort fråga")  # one message now: a new answer
        new = (await api.wait_for("sendMessage", CHAT, 3))[2]
        assert "(RSA)" in new.text and len(api.sent("editMessageText")) == 2
