"""The text behind a citation: the section itself with its document's details
(bot/engine/source_text.py), and the "Visa källtext" button in Telegram."""

from __future__ import annotations

from datetime import datetime

import pytest
from conftest import TODAY
from telegram_harness import MutableClock, running_bot

from bot.engine.dates import STOCKHOLM
from bot.engine.source_text import MAX_TEXT, showable, source_text
from bot.telegram.handlers import SOURCE_GONE
from bot.telegram.send import SOURCE_PREFIX

CHAT = 6161


def test_a_cited_section_is_shown_with_its_documents_details(assistant, kb):
    a = assistant.ask("När ska RSA lämnas?", TODAY)
    # the source line says how current the document is
    assert "Källa: Samlat stöd till regioner, Viktiga datum (senast granskad 20 december 2021)" in (
        a.full_text()
    )
    [(key, section)] = showable(kb, a.sources)
    assert section == "Viktiga datum"
    shown = source_text(kb, key)
    head = shown.text.split("\n\n")[0].split("\n")
    assert head == [
        "Samlat stöd till regioner",
        "MSB · webbsida · senast granskad 20 december 2021",
        "Avsnitt: Viktiga datum",
    ]
    assert "31 oktober, vart fjärde år: Rapportering av risk- och sårbarhetsanalys" in shown.text
    assert len(SOURCE_PREFIX + key) <= 64  # Telegram's limit for callback data


def test_document_number_is_given_and_a_long_section_is_trimmed(assistant, kb):
    a = assistant.ask("Hur mycket får Region Uppsala?", TODAY)
    shown = [source_text(kb, key) for key, _ in showable(kb, a.sources)]
    assert len(shown) == 2 and all(s is not None for s in shown)
    assert "· nr SKR2022/00762" in shown[0].text and "27 januari 2023" in shown[0].text
    longest = max((source_text(kb, k) for k in _every_key(kb)), key=lambda s: len(s.text))
    assert longest.text.endswith("(avsnittet fortsätter i dokumentet)")
    assert len(longest.full_text()) < MAX_TEXT + 600 < 4096


def test_an_unknown_key_is_no_section(kb):
    assert source_text(kb, "0" * 12) is None and source_text(kb, "") is None


def _every_key(kb):
    from bot.engine.source_text import _sections

    return list(_sections(kb))


@pytest.fixture
async def bot(api, tmp_path, assistant):
    async with running_bot(
        api,
        tmp_path / "bot.sqlite3",
        assistant,
        MutableClock(datetime(2026, 11, 24, 10, 0, tzinfo=STOCKHOLM)),
    ) as b:
        yield b


def _buttons(call) -> list[tuple[str, str]]:
    markup = call.params.get("reply_markup") or {"inline_keyboard": []}
    return [(b["text"], b["callback_data"]) for row in markup["inline_keyboard"] for b in row]


async def test_the_source_button_replies_with_the_section(bot):
    api = bot.api
    answer = await api.reply_to(CHAT, "När ska RSA lämnas?")
    [data] = [d for t, d in _buttons(answer) if t == "Visa källtext"]
    shown_before = len(api.sent("sendMessage", CHAT))
    message = api.message(CHAT, answer.text, from_bot=True)
    api.push_callback(CHAT, data, message=message)
    await api.wait_for("answerCallbackQuery", count=1)
    shown = (await api.wait_for("sendMessage", CHAT, count=shown_before + 1))[-1]
    assert "Samlat stöd till regioner" in shown.text and "Avsnitt: Viktiga datum" in shown.text
    assert shown.params["reply_parameters"]["message_id"] == message["message_id"]
    assert not _buttons(shown)  # the section's own text has no button to itself

    api.push_callback(CHAT, SOURCE_PREFIX + "f" * 12, message=message)  # forged / outdated
    gone = (await api.wait_for("answerCallbackQuery", count=2))[-1]
    assert gone.params["text"] == SOURCE_GONE
    assert len(api.sent("sendMessage", CHAT)) == shown_before + 1


async def test_several_sources_have_a_numbered_button_each(bot):
    answer = await bot.api.reply_to(CHAT, "Hur mycket får Region Uppsala?")
    labels = [t for t, d in _buttons(answer) if d.startswith(SOURCE_PREFIX)]
    assert labels == ["Källtext 1", "Källtext 2"]
