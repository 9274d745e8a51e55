"""Feedback 👍/👎 under answers in Telegram, through the fake Bot API with the real
Application: a vote is stored without the question, the chat or the user, counted once
per answer, and /status names the sections with the most 👎 (tests/test_feedback.py
tests the store and the button data)."""

from __future__ import annotations

from datetime import datetime

import pytest
from telegram_harness import MutableClock, running_bot

from bot.engine.dates import STOCKHOLM
from bot.subscriptions.store import StoreUnavailable

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=STOCKHOLM)
CHAT, ADMIN = 9191, 9999


@pytest.fixture
async def bot(api, tmp_path, assistant):
    async with running_bot(api, tmp_path / "bot.sqlite3", assistant, MutableClock(NOW),
                           admin_ids=frozenset({ADMIN})) as b:  # fmt: skip
        b.db = tmp_path / "bot.sqlite3"
        yield b


def buttons(markup: dict | None) -> list[tuple[str, str]]:
    rows = (markup or {}).get("inline_keyboard", [])
    return [(b["text"], b["callback_data"]) for row in rows for b in row]


async def press(api, message: dict, data: str, n: int, chat: int = CHAT) -> str:
    """Press a button of `message` (as Telegram has it); returns the notice shown."""
    api.push_callback(chat, data, message=message)
    return (await api.wait_for("answerCallbackQuery", count=n))[-1].params["text"]


def rows(store) -> list[tuple]:
    return store._conn.execute("SELECT * FROM feedback").fetchall()


async def test_a_vote_is_stored_without_the_question_once_and_the_buttons_say_thanks(bot):
    api = bot.api
    answer = (await api.reply_to(CHAT, "När ska RSA rapporteras?")).result
    shown = buttons(answer["reply_markup"])
    assert [t for t, _ in shown] == ["Bevaka RSA", "Visa källtext", "👍", "👎"]
    up = dict(shown)["👍"]
    assert await press(api, answer, up, 1) == (
        "Tack! Omdömet sparas utan din fråga och utan vem du är."
    )
    assert rows(bot.store) == [("2026-11-24", "deadline", "msb-samlat-stod", "Viktiga datum", 1)]
    [edit] = await api.wait_for("editMessageReplyMarkup")
    after = buttons(edit.params["reply_markup"])
    assert [t for t, _ in after] == ["Bevaka RSA", "Visa källtext", "✓ Tack för omdömet"]
    stored = b"".join(p.read_bytes() for p in bot.db.parent.glob("bot.sqlite3*"))
    assert b"rapporteras" not in stored and str(CHAT).encode() not in stored

    # the same message's buttons pressed again before they changed (a double tap), the
    # other thumb too, and the "Tack" that replaced them: nothing more is counted
    assert await press(api, answer, up, 2) == "Omdömet är redan registrerat – tack!"
    assert await press(api, answer, dict(shown)["👎"], 3) == "Omdömet är redan registrerat – tack!"
    assert await press(api, answer, dict(after)["✓ Tack för omdömet"], 4) == (
        "Omdömet är redan registrerat – tack!"
    )
    assert len(rows(bot.store)) == 1 and len(api.sent("editMessageReplyMarkup")) == 1


async def test_two_taps_at_once_count_once(bot):
    api = bot.api
    answer = (await api.reply_to(CHAT, "Vilket stöd finns inom säkerhetsskydd?")).result
    down = dict(buttons(answer["reply_markup"]))["👎"]
    api.push_callback(CHAT, down, message=answer)
    api.push_callback(CHAT, down, message=answer)
    notices = await api.wait_for("answerCallbackQuery", count=2)
    assert sorted(n.params["text"][:4] for n in notices) == ["Omdö", "Tack"]
    assert rows(bot.store) == [("2026-11-24", "support", "msb-samlat-stod", "Säkerhetsskydd", -1)]


async def test_status_shows_the_votes_and_the_weakest_sections(bot):
    api = bot.api
    before = await api.reply_to(ADMIN, "/status")
    assert "Omdömen om svaren (senaste året): inga ännu" in before.text
    assert "👍" not in buttons(before.params.get("reply_markup"))  # none under /status

    for chat, question, thumb in [
        (CHAT, "När ska RSA rapporteras?", "👎"),
        (CHAT + 1, "När ska RSA lämnas?", "👎"),
        (CHAT + 2, "Vad menas med allvarlig händelse?", "👍"),
        (CHAT + 3, "Vad kostar en kopp kaffe på stationen?", "👎"),  # "vet inte"
    ]:
        answer = (await api.reply_to(chat, question)).result
        n = len(api.sent("answerCallbackQuery")) + 1
        await press(api, answer, dict(buttons(answer["reply_markup"]))[thumb], n, chat)
    status = (await api.reply_to(ADMIN, "/status")).text
    assert "Omdömen om svaren (senaste året): 1 👍, 3 👎" in status
    weakest = "Avsnitt med flest 👎:\n  – Samlat stöd till regioner, Viktiga datum: 2 👎, 0 👍"
    assert weakest in status
    assert "Svar utan källa (t.ex. ”vet inte”): 1 👎, 0 👍" in status
    assert "allvarlig" not in status.casefold()  # the question never, the section only if 👎


async def test_english_answers_are_thanked_in_english(bot):
    api = bot.api
    answer = (await api.reply_to(CHAT, "When is the RSA due?")).result
    up = dict(buttons(answer["reply_markup"]))["👍"]
    assert ":en:" in up
    assert await press(api, answer, up, 1) == (
        "Thanks! It is kept without your question and without who you are."
    )
    [edit] = await api.wait_for("editMessageReplyMarkup")
    assert "✓ Thanks for the feedback" in [t for t, _ in buttons(edit.params["reply_markup"])]


async def test_no_feedback_under_help_and_forged_or_failed_votes_store_nothing(bot, monkeypatch):
    api = bot.api
    assert buttons((await api.reply_to(CHAT, "/hjalp")).params.get("reply_markup")) == []
    assert "👍" not in dict(buttons((await api.reply_to(CHAT, "hjälp")).params.get("reply_markup")))
    answer = (await api.reply_to(CHAT, "När ska RSA rapporteras?")).result
    assert "fungerar inte längre" in await press(api, answer, "omdome:+:sv:<b>:-", 1)

    def unavailable(*args):
        raise StoreUnavailable(bot.store.path, "locked")

    monkeypatch.setattr(bot.store, "add_feedback", unavailable)
    up = dict(buttons(answer["reply_markup"]))["👍"]
    assert "kunde inte sparas" in await press(api, answer, up, 2)
    monkeypatch.undo()
    assert "Tack!" in await press(api, answer, up, 3)  # the buttons were left for a retry
    assert len(rows(bot.store)) == 1

    await api.reply_to(CHAT, "/bevaka rsa")
    assert "raderat allt" in (await api.reply_to(CHAT, "/glom")).text
    assert len(rows(bot.store)) == 1  # /glom deletes nothing of the feedback: it is nobody's
    privacy = (await api.reply_to(CHAT, "/integritet")).text
    assert "👍 eller 👎" in privacy and "därför raderar /glom dem inte" in privacy
