"""What every Telegram handler shares: the services kept in application.bot_data,
replying with an answer, and switching to a reloaded knowledge base. Both the command
handlers (bot/telegram/handlers.py) and the admin's upload conversation
(bot/telegram/admin_upload.py) import this module; neither imports the other.
"""

from __future__ import annotations

import asyncio
import functools
import io
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

from telegram import InlineKeyboardMarkup, InputFile, Update
from telegram.constants import ChatType
from telegram.error import BadRequest
from telegram.ext import Application, ContextTypes

from knowledge.models import Deadline, Knowledge

from .. import admin
from ..access import Access
from ..engine.answer import Answer
from ..engine.chart import allocation_chart_png
from ..engine.conversation import Conversations, Topic
from ..engine.dates import Clock, today
from ..engine.source_text import first_section_key, showable
from ..subscriptions.feedback import Votes
from ..subscriptions.store_base import Store, StoreUnavailable
from .fair_answers import AnswerPool, Newest
from .reminder_sender import ReminderSender
from .send import (
    RetryPolicy,
    answer_keyboard,
    render_html,
    send_answer,
    split_message,
    watchable,
    with_retries,
)
from .sent_replies import Sent, SentReplies
from .updates import chat_of

log = logging.getLogger(__name__)


class Closable(Protocol):
    def close(self) -> None: ...


class AssistantLike(Protocol):
    """What the handlers ask of bot.engine.assistant.Assistant (tests give fakes)."""

    knowledge: Knowledge

    @property
    def searcher(self) -> Closable: ...  # closed when a reload replaces it

    def ask(self, question: str, today: date, topic: Topic | None = None) -> Answer: ...
    def upcoming(self, today: date) -> Answer: ...
    def tasks(self, area: str | None) -> Answer: ...
    def support(self, area: str | None) -> Answer: ...
    def allocation(self, region: str | None, year: int | None = None) -> Answer | None: ...
    def match_deadline(self, query: str) -> list[Deadline]: ...


@dataclass
class Services:
    """What the handlers need, kept in application.bot_data."""

    assistant: AssistantLike
    store: Store
    clock: Clock
    policy: RetryPolicy
    reminders: ReminderSender
    access: Access
    reload: Callable[[], AssistantLike] | None = None  # for /omindexera
    reloading: asyncio.Lock = field(default_factory=asyncio.Lock)  # one reload at a time
    answers: AnswerPool = field(default_factory=AnswerPool)
    # each chat's last answer's topic, for follow-ups (memory only, 30 minutes)
    conversations: Conversations = field(default_factory=Conversations)
    # which messages answered which question, for edited questions (memory only, 30 min)
    replies: SentReplies = field(default_factory=SentReplies)
    votes: Votes = field(default_factory=Votes)  # answers voted on lately (memory only)
    inline: Newest = field(default_factory=Newest)  # each user's newest inline query


def services_of(app: Application) -> Services:
    return app.bot_data["services"]


def services(context: ContextTypes.DEFAULT_TYPE) -> Services:
    return services_of(context.application)


# -- replying -------------------------------------------------------------------------


async def reply(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    answer: Answer,
    *,
    feedback: bool = False,
    before: Topic | None = None,
) -> None:
    """Send an answer to the update's chat: HTML, escaped, with sources, "Bevaka" and
    "Visa källtext" buttons, and 👍/👎 when `feedback`; in groups as a reply to the
    message that asked. An answer to an edited question edits the earlier answer to it
    when that is known and the same number of messages, else it is sent anew. `before`:
    the chat's follow-up topic the question was read in (kept for such an edit)."""
    s = services(context)
    chat = chat_of(update)
    k = s.assistant.knowledge
    watch = watchable(answer, k, today(s.clock))
    message = update.effective_message
    reply_to = message.message_id if message and chat.type != ChatType.PRIVATE else None
    watched = watched_deadlines(s, chat.id) if watch else frozenset()
    shown = [] if answer.kind == "source_text" else showable(k, answer.sources)
    vote = None
    if feedback:  # what a 👍/👎 on it stores (bot/subscriptions/feedback.py)
        vote = (answer.language, answer.kind, first_section_key(k, answer.sources))
    keyboard = answer_keyboard(watch, watched, shown, vote)
    # the user's own message (not a button's): its answer is remembered for an edit
    asked = update.message or update.edited_message
    edited = asked if update.edited_message else None
    earlier = s.replies.get(chat.id, edited.message_id) if edited is not None else None
    if earlier is not None and await _edit_answer(context, chat.id, earlier, answer, watch,
                                                  keyboard, s):  # fmt: skip
        ids = earlier.messages
    else:
        sent = await send_answer(
            context.bot, chat.id, answer, s.policy, watch, reply_to, watched=watched,
            keyboard=keyboard,
        )  # fmt: skip
        ids = tuple(m.message_id for m in sent)
        if answer.chart:
            await send_chart(context, chat.id, s)
    if asked is not None:
        s.replies.put(chat.id, asked.message_id, Sent(ids, answer.chart, before))


async def _edit_answer(
    context: ContextTypes.DEFAULT_TYPE,
    chat_id: int,
    earlier: Sent,
    answer: Answer,
    watch: list[Deadline],
    keyboard: InlineKeyboardMarkup | None,
    s: Services,
) -> bool:
    """Put `answer` into the messages of the earlier answer (text and buttons); False
    when it cannot be: another number of messages or a chart where there was none (or
    the other way round), or Telegram refuses the edit (the message was deleted, say) -
    then the caller sends it anew. Unchanged text is no failure."""
    chunks = split_message(render_html(answer, watch))
    if len(chunks) != len(earlier.messages) or answer.chart != earlier.chart:
        return False
    for i, (message_id, chunk) in enumerate(zip(earlier.messages, chunks, strict=True)):
        markup = keyboard if i == len(chunks) - 1 else None
        try:
            await with_retries(
                functools.partial(
                    context.bot.edit_message_text,
                    chunk,
                    chat_id=chat_id,
                    message_id=message_id,
                    reply_markup=markup,
                ),
                s.policy,
            )
        except BadRequest as exc:
            if "not modified" in exc.message.casefold():  # the same answer: nothing to do
                continue
            log.info("An earlier answer could not be edited (%s); sent anew", exc.message)
            return False
        s.votes.release((chat_id, message_id))  # a new answer: its 👍/👎 count afresh
    return True


async def send_chart(context: ContextTypes.DEFAULT_TYPE, chat_id: int, s: Services) -> None:
    """The all-regions table also as a picture (drawn off the event loop, then cached)."""
    png = await asyncio.to_thread(allocation_chart_png, s.assistant.knowledge)
    await with_retries(
        lambda: context.bot.send_photo(
            chat_id, InputFile(io.BytesIO(png), filename="tilldelning.png"),
            caption="Tilldelning per region: grundbelopp och befolkningsdel",
        ),
        s.policy,
    )  # fmt: skip


def watched_deadlines(s: Services, chat_id: int) -> frozenset[str]:
    """The deadlines the chat watches (none known when the database is unavailable)."""
    try:
        return frozenset(x.deadline_id for x in s.store.subscriptions(chat_id))
    except StoreUnavailable:
        return frozenset()


async def reload_assistant(context: ContextTypes.DEFAULT_TYPE) -> Answer:
    """Switch to the knowledge base on disk (off the event loop); keep the running one
    when it is broken. Also after an admin's upload (bot/telegram/admin_upload.py)."""
    return await refresh_assistant(services(context))


async def refresh_assistant(s: Services) -> Answer:
    if s.reload is None:
        return Answer("Omindexering går inte i den här körningen.", False, "admin")
    async with s.reloading:
        fresh, answer = await asyncio.to_thread(admin.reindex, s.reload, s.clock)
        if fresh is not None:
            old, s.assistant = s.assistant, fresh
            s.reminders.use(fresh.knowledge)  # a replaced document is noticed next run
            if old.searcher is not fresh.searcher:
                old.searcher.close()
    return answer
