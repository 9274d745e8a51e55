"""Inline mode: "@Beredskapsboten när ska RSA rapporteras?" typed in any chat offers the
answer as a result to send there, as python-telegram-bot's rules-bot offers its docs.

A result is the chat answer - the same text, source lines and HTML - in one message
(shortened, and said to be, if it would not fit). Its buttons open the bot's own chat
through deep links, since a button under a message in someone else's chat cannot act
for that chat: "Bevaka RSA" starts /bevaka rsa there, "Visa källtext" shows the cited
section. The handler is bot.telegram.handlers.inline_answer; this module only builds results.
"""

from __future__ import annotations

import hashlib
import re
from datetime import date

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InlineQueryResultsButton,
    InputTextMessageContent,
    LinkPreviewOptions,
)
from telegram.constants import ParseMode

from knowledge.models import Knowledge

from ..engine.answer import Answer
from ..engine.english import english
from ..engine.source_text import showable
from .send import MAX_SOURCE_BUTTONS, fit_one_message, said, source_labels, watchable

MIN_CHARS = 3  # a shorter query is no question yet (Telegram sends one per pause in typing)
# Seconds Telegram may hand the same results to anyone typing the same text: answers
# depend on nothing but the text and the day, and a date in one moves by five minutes
# at most around midnight.
CACHE_SECONDS = 300
SOURCE_LINK = "kalla"  # t.me/<bot>?start=kalla_<section key>: "Visa källtext" in the bot's chat
HELP_LINK = "inline"  # t.me/<bot>?start=inline: no command of that name, so the help
MAX_TITLE, MAX_DESCRIPTION = 80, 160
_PAYLOAD = re.compile(r"[A-Za-z0-9_-]{1,64}")  # what a deep link may carry


def language_of(language_code: str | None) -> str:
    """For texts said before there is a question to tell the language by."""
    return "en" if (language_code or "").casefold().startswith("en") else "sv"


def deep_link(bot_username: str, payload: str) -> str | None:
    return f"https://t.me/{bot_username}?start={payload}" if _PAYLOAD.fullmatch(payload) else None


def _shorten(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    return (cut[: cut.rfind(" ")] if " " in cut[limit // 2 :] else cut).rstrip(" ,;:–-") + "…"


def title_and_description(answer: Answer) -> tuple[str, str]:
    """What the result list shows: the answer's first line (or "Det vet jag inte"), and
    the rest of it with the first source."""
    lines = [x.strip() for x in answer.text.split("\n") if x.strip()]
    if lines[:1] == [english().lead_in]:  # "The documents say (quoted in Swedish):"
        lines = lines[1:]
    if answer.kind == "out_of_scope":
        title, rest = said("inline_unknown", answer.language), lines
    else:
        title, rest = (lines[0] if lines else ""), lines[1:]
    description = _shorten(" ".join(rest), MAX_DESCRIPTION)
    if answer.sources:
        source = f"{answer.source_label}: {answer.sources[0].title}"
        description = f"{description} · {source}" if description else source
    return _shorten(title, MAX_TITLE), description


def result_keyboard(
    answer: Answer, knowledge: Knowledge, today: date, bot_username: str | None
) -> InlineKeyboardMarkup | None:
    """Deep links into the bot's chat: "Bevaka" per deadline ahead, then "Visa källtext"
    per cited section (numbered as in the chat when there are several)."""
    if not bot_username:
        return None
    rows = []
    for d in watchable(answer, knowledge, today):
        url = deep_link(bot_username, f"bevaka_{d.id}")
        if url:
            rows.append([InlineKeyboardButton(f"Bevaka {d.short}", url=url)])
    shown = showable(knowledge, answer.sources)[:MAX_SOURCE_BUTTONS]
    sources = [
        InlineKeyboardButton(label, url=url)
        for label, (key, _) in zip(source_labels(len(shown)), shown, strict=True)
        if (url := deep_link(bot_username, f"{SOURCE_LINK}_{key}"))
    ]
    if sources:
        rows.append(sources)
    return InlineKeyboardMarkup(rows) if rows else None


def answer_result(
    answer: Answer, knowledge: Knowledge, today: date, bot_username: str | None
) -> InlineQueryResultArticle:
    html_text = fit_one_message(answer)
    title, description = title_and_description(answer)
    return InlineQueryResultArticle(
        # the same answer has the same id, so Telegram's cache and ours agree
        id=hashlib.sha1(html_text.encode()).hexdigest()[:32],
        title=title,
        description=description,
        input_message_content=InputTextMessageContent(
            html_text,
            parse_mode=ParseMode.HTML,
            link_preview_options=LinkPreviewOptions(is_disabled=True),
        ),
        reply_markup=result_keyboard(answer, knowledge, today, bot_username),
    )


def help_button(key: str, language: str) -> InlineQueryResultsButton:
    """The line above the results that opens the bot's chat (with its help)."""
    return InlineQueryResultsButton(said(key, language), start_parameter=HELP_LINK)
