"""The handlers: commands, buttons, inline queries, free text and errors, each turning
an update into a call of the assistant and its answer into messages. Thin on purpose -
what to say lives in the assistant and in bot/telegram/watching.py. Which command runs which
handler, and how it is shown in the menu and /hjalp, is bot/telegram/commands.py.
"""

from __future__ import annotations

import io
import logging
import re

from telegram import (
    InlineKeyboardMarkup,
    InputFile,
    Message,
    Update,
)
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import BadRequest, TelegramError
from telegram.ext import (
    ApplicationHandlerStop,
    ContextTypes,
)

from knowledge.models import Deadline

from .. import admin
from ..access import ADMIN_ONLY, REFUSAL
from ..engine.answer import FAILED, Answer
from ..engine.calendar_export import deadlines_calendar
from ..engine.dates import today
from ..engine.question_text import clean
from ..engine.source_text import section_of, source_text
from ..subscriptions.feedback import parse_vote, thanked_language
from ..subscriptions.store_base import StoreUnavailable
from . import watching
from .inline import CACHE_SECONDS, MIN_CHARS, answer_result, help_button
from .inline import language_of as inline_language
from .send import (
    AGAIN_PREFIX,
    DONE_PREFIX,
    SOURCE_PREFIX,
    SUBSCRIBE_PREFIX,
    UNSUBSCRIBE_PREFIX,
    esc,
    parse_reply_data,
    reply_data,
    reply_row,
    said,
    send_answer,
    thanked_row,
    with_retries,
)
from .send import watch_button as tg_watch_button
from .services import (
    Services,
    reload_assistant,
    reply,
    services,
    watched_deadlines,
)
from .updates import chat_of, inline_of, message_of, query_of

log = logging.getLogger(__name__)

def _arg_text(context: ContextTypes.DEFAULT_TYPE) -> str:
    return " ".join(context.args or []).strip()


# -- handlers: each docstring says what the user sees ---------------------------------


ALLOCATION_USAGE = (
    "Skriv en region eller ”alla”, till exempel /tilldelning Uppsala eller /tilldelning alla 2023."
)

async def deadlines_cmd(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/frister: the coming deadlines with their next date, and a "Bevaka" button each."""
    s = services(context)
    await reply(update, context, s.assistant.upcoming(today(s.clock)), feedback=True)


async def tasks_cmd(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/uppgifter [område]: the tasks of an area, or the areas to choose from."""
    answer = services(context).assistant.tasks(_arg_text(context) or None)
    await reply(update, context, answer, feedback=True)


async def support_cmd(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/stod [område]: the support in an area, or the areas to choose from."""
    answer = services(context).assistant.support(_arg_text(context) or None)
    await reply(update, context, answer, feedback=True)


def allocation_args(args: list[str]) -> tuple[str | None, int | None]:
    """["Västra", "Götaland", "2023"] -> ("Västra Götaland", 2023)."""
    args = list(args)
    year = None
    if args and re.fullmatch(r"(19|20)\d\d", args[-1]):
        year = int(args.pop())
    return (" ".join(args).strip() or None), year


async def allocation_cmd(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/tilldelning <region | alla> [år]: a region's grant and how it was computed, or the
    table of all regions; without a region, how to ask."""
    region, year = allocation_args(context.args or [])
    answer = services(context).assistant.allocation(region, year) or Answer(
        ALLOCATION_USAGE, False, "allocation"
    )
    await reply(update, context, answer, feedback=True)


async def watch_cmd(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/bevaka <frist | alla>: confirms the subscription with the next date; without or
    with an unknown argument, lists the deadlines that can be watched."""
    s = services(context)
    answer = watching.watch(
        s.assistant.knowledge,
        s.assistant.match_deadline,
        s.store,
        chat_of(update).id,
        _arg_text(context),
        s.clock(),
    )
    await reply(update, context, answer)


async def watch_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The "Bevaka" button: a short notice on the button, the same confirmation in the
    chat as /bevaka gives, and the button turned into "✓ Bevakas – avbevaka". A second
    press (a double tap, an old message) neither subscribes twice nor confirms again."""
    s = services(context)
    query = query_of(update)
    data = query.data or ""
    if not data.startswith(SUBSCRIBE_PREFIX):  # PTB lets empty data through
        await stale_button(update, context)
        return
    deadline = s.assistant.knowledge.deadline(data.removeprefix(SUBSCRIBE_PREFIX))
    if deadline is None:
        await with_retries(lambda: query.answer("Den fristen finns inte längre."), s.policy)
        return
    chat = chat_of(update).id
    already = deadline.id in watched_deadlines(s, chat)
    answer = watching.watch_deadlines(s.assistant.knowledge, s.store, chat, [deadline], s.clock())
    notice = (
        f"Du bevakar redan {deadline.short}"
        if already
        else watching.button_notice(answer, deadline)
    )
    await with_retries(lambda: query.answer(notice), s.policy)
    if answer.kind == watching.UNAVAILABLE or not answer.answered:
        await reply(update, context, answer)  # why not: the database, or a past deadline
        return
    await _show_watched(query, deadline, True, s)
    if not already:
        await reply(update, context, answer)


async def unwatch_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """ "✓ Bevakas – avbevaka": the deadline is no longer watched, and the button says
    "Bevaka <short>" again."""
    s = services(context)
    query = query_of(update)
    deadline = s.assistant.knowledge.deadline((query.data or "").removeprefix(UNSUBSCRIBE_PREFIX))
    if deadline is None:
        await with_retries(lambda: query.answer("Den fristen finns inte längre."), s.policy)
        return
    try:
        s.store.unsubscribe(chat_of(update).id, [deadline.id])
    except StoreUnavailable:
        await with_retries(lambda: query.answer(watching.button_notice(
            Answer("", False, watching.UNAVAILABLE), deadline)), s.policy)  # fmt: skip
        return
    await with_retries(lambda: query.answer(f"Du bevakar inte längre {deadline.short}"), s.policy)
    await _show_watched(query, deadline, False, s)


async def _show_watched(query, deadline, watched: bool, s: Services) -> None:
    """The pressed message's button for `deadline` shows its new state."""
    markup = query.message.reply_markup if query.message else None
    if markup is None:
        return
    ids = (SUBSCRIBE_PREFIX + deadline.id, UNSUBSCRIBE_PREFIX + deadline.id)
    rows = [
        [tg_watch_button(deadline, watched) if b.callback_data in ids else b for b in row]
        for row in markup.inline_keyboard
    ]
    await _edit_buttons(query, rows, s)


async def _edit_buttons(query, rows: list, s: Services) -> None:
    """Show the pressed message's new buttons (an edit that fails changes nothing else)."""
    try:
        await with_retries(
            lambda: query.edit_message_reply_markup(InlineKeyboardMarkup(rows)), s.policy
        )
    except BadRequest as exc:  # "message is not modified", or too old to edit
        log.info("Buttons not updated: %s", type(exc).__name__)


async def reminder_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """ "Klar" / "Påminn igen om 1 dag" under a reminder: a short notice on the button,
    and the button turned into "✓ Klar" / "✓ Påminner i morgon" (which do nothing more).
    A second press (a double tap) changes nothing and is not confirmed again; data that
    names nothing real gets the stale-button notice and nothing is stored."""
    s = services(context)
    query = query_of(update)
    parsed = parse_reply_data(query.data or "")
    if parsed is None:
        await stale_button(update, context)
        return
    prefix, deadline_id, occurrence = parsed
    action = "done" if prefix == DONE_PREFIX else "again"
    result = watching.answer_reminder(s.assistant.knowledge, s.store, chat_of(update).id,
                                      action, deadline_id, occurrence, s.clock())  # fmt: skip
    if result.notice is None:
        await stale_button(update, context)
        return
    await with_retries(lambda: query.answer(result.notice), s.policy)
    deadline = s.assistant.knowledge.deadline(deadline_id) if result.changed else None
    if deadline is not None:  # (changed: answer_reminder found the deadline)
        await _show_reply(query, deadline, occurrence, prefix, s)


async def reminder_state_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """ "✓ Klar" / "✓ Påminner i morgon": already chosen; a notice, nothing else."""
    s = services(context)
    await with_retries(lambda: query_of(update).answer("Redan valt"), s.policy)


async def _show_reply(query, deadline: Deadline, occurrence, prefix: str, s: Services) -> None:
    """The pressed reminder's row for `deadline` shows what was chosen."""
    markup = query.message.reply_markup if query.message else None
    if markup is None:
        return
    ids = {reply_data(p, deadline.id, occurrence) for p in (DONE_PREFIX, AGAIN_PREFIX)}
    several = len(markup.inline_keyboard) > 1  # one row per deadline the reminder names
    rows = [
        reply_row(deadline, occurrence, prefix, several)
        if any(b.callback_data in ids for b in row)
        else list(row)
        for row in markup.inline_keyboard
    ]
    await _edit_buttons(query, rows, s)


async def my_watches(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/mina: the chat's subscriptions with each deadline's next date."""
    s = services(context)
    answer = watching.mine(s.assistant.knowledge, s.store, chat_of(update).id, s.clock())
    await reply(update, context, answer)


async def unwatch_cmd(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/avbevaka <frist | alla>: confirms; without argument, lists what can be removed."""
    s = services(context)
    answer = watching.unwatch(
        s.assistant.knowledge,
        s.assistant.match_deadline,
        s.store,
        chat_of(update).id,
        _arg_text(context),
    )
    await reply(update, context, answer)


async def calendar_cmd(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/kalender [mina]: an .ics file with every deadline's dates for five years (or only
    the watched ones), to import into Outlook, Google or Apple calendars."""
    s = services(context)
    k = s.assistant.knowledge
    chat_id = chat_of(update).id
    now = s.clock()
    only_mine = _arg_text(context).casefold() in ("mina", "min", "mitt", "bevakade")
    if only_mine:
        watched = {x.deadline_id for x in s.store.subscriptions(chat_id)}
        chosen = [d for d in k.deadlines if d.id in watched]
        if not chosen:
            text = (
                "Du bevakar inga frister ännu. /kalender ger alla frister, /bevaka rsa bevakar en."
            )
            await reply(update, context, Answer(text, False, "calendar"))
            return
        name, what = "mina-frister.ics", "de frister du bevakar"
    else:
        chosen = list(k.deadlines)
        name, what = "frister.ics", "alla kommande frister"
    data = deadlines_calendar(k, chosen, today(s.clock), now)
    caption = (
        f"Kalenderfil med {what}, fem år framåt. Öppna filen för att lägga in datumen "
        "i din kalender."
    )
    await with_retries(
        lambda: context.bot.send_document(
            chat_id, InputFile(io.BytesIO(data), filename=name), caption=esc(caption)
        ),
        s.policy,
    )


async def privacy_cmd(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/integritet: what is stored about the chat, why, and how to delete it."""
    await reply(update, context, watching.privacy())


async def forget_cmd(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/glom: deletes everything stored about the chat and says what was deleted (and
    forgets the last answer's topic, which was only in memory). In a group only its
    administrators may (the reminders are the whole group's); a member is told so and
    nothing is deleted."""
    refusal = await _not_a_group_admin(update, context)
    if refusal:
        await reply(update, context, Answer(refusal, False, "privacy"))
        return
    s = services(context)
    s.conversations.forget(chat_of(update).id)
    s.replies.forget(chat_of(update).id)
    s.votes.forget_chat(chat_of(update).id)
    await reply(update, context, watching.forget(s.store, chat_of(update).id))


async def _not_a_group_admin(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str | None:
    """Why the sender may not act for the whole group, or None when they may: a private
    chat, a group's creator or administrator (asked of Telegram each time - admins
    change), or an anonymous admin, who writes as the group itself."""
    chat, message = chat_of(update), update.effective_message
    if chat.type == ChatType.PRIVATE:
        return None
    if message and message.sender_chat and message.sender_chat.id == chat.id:
        return None
    user = update.effective_user
    if user is None:
        return GLOM_ADMINS_ONLY
    try:
        member = await with_retries(
            lambda: context.bot.get_chat_member(chat.id, user.id), services(context).policy
        )
    except TelegramError as exc:
        log.warning("Could not check a group member's status: %s", type(exc).__name__)
        return GLOM_NOT_CHECKED
    if member.status in (ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR):
        return None
    return GLOM_ADMINS_ONLY


async def _admin_only(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    user = update.effective_user
    if services(context).access.is_admin(user.id if user else None):
        return True
    await reply(update, context, Answer(ADMIN_ONLY, False, "admin"))
    return False


async def status_cmd(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/status (admins): counts of subscriptions and reminders, the index's age."""
    if await _admin_only(update, context):
        s = services(context)
        await reply(update, context, admin.status(s.assistant, s.store, s.clock()))


async def reindex_cmd(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/omindexera (admins): reloads the knowledge base from disk (e.g. after
    `python -m index add` on the server) and updates the index; a broken knowledge base
    is refused and the running one kept."""
    if not await _admin_only(update, context):
        return
    await reply(update, context, Answer("Omindexerar …", True, "admin"))
    await reply(update, context, await reload_assistant(context))


async def source_link(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """t.me/<bot>?start=kalla_<key> (the "Visa källtext" of an inline result): the cited
    section, as the button under a chat answer gives it."""
    s = services(context)
    found = source_text(s.assistant.knowledge, context.args[0] if context.args else "")
    await reply(update, context, found or Answer(SOURCE_GONE, False, "source_text"))


async def gatekeeper(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Before every handler: in a closed bot, anyone not on the allowlists gets a polite
    refusal (a private message or a note on the button; nothing in groups) and the
    update goes no further."""
    if not isinstance(update, Update):
        return
    s = services(context)
    user, chat = update.effective_user, update.effective_chat
    if s.access.allows(user.id if user else None, chat.id if chat else None):
        return
    log.info("Update %s refused: not on the allowlist", update.update_id)
    if query := update.callback_query:
        await with_retries(lambda: query.answer(REFUSAL), s.policy)
    elif update.inline_query:  # no results; the line above them opens the refusal
        language = inline_language(user.language_code if user else None)
        button = help_button("inline_closed", language)
        await _answer_inline(update.inline_query, [], button, True, s)
    elif chat and chat.type == ChatType.PRIVATE and update.message:
        await with_retries(lambda: context.bot.send_message(chat.id, esc(REFUSAL)), s.policy)
    raise ApplicationHandlerStop


def _addressed_in_group(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """In a group, a message is for us if it mentions us or replies to us."""
    message = message_of(update)
    if chat_of(update).type == ChatType.PRIVATE:
        return True
    mention = f"@{context.bot.username}".casefold()
    replied = message.reply_to_message
    return mention in (message.text or "").casefold() or bool(
        replied and replied.from_user and replied.from_user.id == context.bot.id
    )


# Control characters separate words; zero-width and direction marks may sit inside one.

FLOODED = (
    "Du har skickat många frågor på en gång. Jag svarar på dem jag redan har, i tur och "
    "ordning – vänta tills de är besvarade innan du skickar fler."
)
EMPTY_QUESTION = (
    "Skriv en fråga med vanliga ord, till exempel ”När ska RSA rapporteras?”, eller /hjalp."
)
NOT_TEXT = (
    "Jag kan bara läsa text – inte bilder, filer, röstmeddelanden eller klistermärken. "
    "Skriv din fråga med ord, eller /hjalp för exempel."
)
GLOM_ADMINS_ONLY = (
    "I en grupp kan bara gruppens administratörer radera det som sparats om gruppen. "
    "Inget har raderats."
)
GLOM_NOT_CHECKED = (
    "Jag kunde inte kontrollera att du är administratör i gruppen – försök igen om en stund. "
    "Inget har raderats."
)
STALE_BUTTON = "Knappen fungerar inte längre. Skriv /frister för aktuella frister."
SOURCE_GONE = "Avsnittet finns inte längre i dokumenten (de har uppdaterats). Ställ frågan igen."


def question_text(raw: str, bot_username: str | None) -> str:
    """The question as the engine should read it: without our @mention and without
    invisible characters."""
    text = clean(raw)
    if bot_username:
        text = re.sub(rf"@{re.escape(bot_username)}\b", " ", text, flags=re.I)
    return " ".join(text.split())


async def question(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Free text: the assistant's answer with its sources (and "Bevaka" buttons when it
    is about deadlines). "bevaka X" / "avbevaka X" written as text work like the commands.
    In groups only messages that mention the bot or reply to it are answered. An edited
    question is answered again - the user has corrected it - in the context it was first
    asked in, and the answer edits the earlier one (see reply)."""
    if not _addressed_in_group(update, context):
        return
    s = services(context)
    text = question_text(message_of(update).text or "", context.bot.username)
    if not text:
        await reply(update, context, Answer(EMPTY_QUESTION, False, "help"))
        return
    verb, _, rest = text.partition(" ")
    if verb.casefold() in ("bevaka", "avbevaka"):
        context.args = rest.split()
        await (watch_cmd if verb.casefold() == "bevaka" else unwatch_cmd)(update, context)
        return
    assistant, day, chat_id = s.assistant, today(s.clock), chat_of(update).id
    # updates of one chat are handled in order (ChatOrderedUpdates): the topic read here
    # is the previous answer's - or, for an edited question, the one it was asked in
    asked = message_of(update).message_id
    earlier = s.replies.get(chat_id, asked) if update.edited_message else None
    topic = earlier.topic_before if earlier else s.conversations.get(chat_id)
    answer = await s.answers.run(lambda: assistant.ask(text, day, topic))
    if earlier is None or s.replies.is_latest(chat_id, asked):  # not over later questions'
        s.conversations.put(chat_id, answer.topic)
    await reply(update, context, answer, feedback=answer.kind != "help", before=topic)


async def not_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A sticker, photo, voice message, file …: in a private chat, a short note that only
    text is read; in groups, nothing (it was for the people there)."""
    if chat_of(update).type == ChatType.PRIVATE:
        await reply(update, context, Answer(NOT_TEXT, False, "help"))


async def source_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """ "Visa källtext": the cited section itself, with its document's details, as a
    reply to the answer; an unknown key (the document changed since) gets a notice."""
    s = services(context)
    query = query_of(update)
    found = source_text(s.assistant.knowledge, (query.data or "").removeprefix(SOURCE_PREFIX))
    if found is None:
        await with_retries(lambda: query.answer(SOURCE_GONE), s.policy)
        return
    await with_retries(lambda: query.answer(), s.policy)
    reply_to = query.message.message_id if query.message else None
    await send_answer(context.bot, chat_of(update).id, found, s.policy, reply_to=reply_to)


async def vote_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """👍 / 👎 under an answer: stored without the question, the chat or the user (the
    answer's kind, its first cited section, the vote and the day), confirmed on the
    button, and the two buttons turned into "✓ Tack för omdömet". The first vote on an
    answer counts: a second tap that comes before the buttons have changed is told it
    was noted already, and nothing more is stored."""
    s = services(context)
    query = query_of(update)
    vote = parse_vote(query.data or "")
    if vote is None:
        await stale_button(update, context)
        return
    message = query.message
    voted_on = (message.chat.id, message.message_id) if message else query.inline_message_id
    if not s.votes.claim(voted_on):
        await with_retries(lambda: query.answer(said("vote_again", vote.language)), s.policy)
        return
    doc, section = section_of(s.assistant.knowledge, vote.section_key or "") or (None, None)
    try:
        s.store.add_feedback(vote.kind, doc, section, vote.value, today(s.clock))
    except StoreUnavailable:
        s.votes.release(voted_on)  # nothing stored: the buttons stay for another try
        await with_retries(lambda: query.answer(said("vote_failed", vote.language)), s.policy)
        return
    await with_retries(lambda: query.answer(said("vote_saved", vote.language)), s.policy)
    # (a message too old for the bot to read has no buttons to change)
    markup = message.reply_markup if isinstance(message, Message) else None
    if markup is not None:
        rows = [
            thanked_row(vote.language)
            if any(isinstance(b.callback_data, str) and parse_vote(b.callback_data) for b in row)
            else list(row)
            for row in markup.inline_keyboard
        ]
        await _edit_buttons(query, rows, s)


async def thanked_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """ "✓ Tack för omdömet": voted already; a notice, nothing else."""
    s = services(context)
    language = thanked_language(query_of(update).data or "") or "sv"
    await with_retries(lambda: query_of(update).answer(said("vote_again", language)), s.policy)


async def inline_answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """@bot <fråga> in any chat: the answer as a result to send there - the same text,
    sources and HTML as in the chat, in one message, with deep links into the bot's chat
    for "Bevaka" and "Visa källtext" (bot/telegram/inline.py). No follow-up context and
    nothing kept: an inline query is no conversation. A query of fewer than three
    characters gets no result, only the line that opens the bot's chat; a question the
    documents do not answer gets the honest "Det vet jag inte" with whom to ask."""
    s = services(context)
    query = inline_of(update)
    text = question_text(query.query, context.bot.username)
    language = inline_language(query.from_user.language_code if query.from_user else None)
    # in a closed bot no answer may be cached for anyone but the one who was let in
    personal = s.access.closed
    if len(text) < MIN_CHARS or not any(c.isalnum() for c in text):
        await _answer_inline(query, [], help_button("inline_hint", language), personal, s)
        return
    user = query.from_user.id if query.from_user else None
    async with s.inline.turn(user) as newest:
        if not newest:  # the user typed on; Telegram shows only the newest query's answer
            return
        assistant, day = s.assistant, today(s.clock)
        answer = await s.answers.run(lambda: assistant.ask(text, day))  # no topic: none kept
        result = answer_result(answer, assistant.knowledge, day, context.bot.username)
        button = help_button("inline_help", answer.language)
        await _answer_inline(query, [result], button, personal, s)


async def _answer_inline(query, results: list, button, personal: bool, s: Services) -> None:
    try:
        await with_retries(
            lambda: query.answer(
                results, cache_time=CACHE_SECONDS, is_personal=personal, button=button
            ),
            s.policy,
        )
    except BadRequest as exc:  # "query is too old": the user has moved on
        log.info("Inline query not answered: %s", exc.message)


async def stale_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A button whose data we do not know (an old version's, or forged): a short notice,
    so the user's spinner stops, and nothing else."""
    s = services(context)
    await with_retries(lambda: query_of(update).answer(STALE_BUTTON), s.policy)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Any failure: logged with the update's id (never the user's text); the user is told
    briefly in Swedish that something went wrong."""
    update_id = update.update_id if isinstance(update, Update) else None
    log.error(
        "Error while handling update %s: %s",
        update_id,
        type(context.error).__name__,
        exc_info=context.error,
    )
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    try:
        if update.callback_query:
            await update.callback_query.answer()
        await context.bot.send_message(update.effective_chat.id, FAILED)
    except Exception as exc:  # the error message itself failed: nothing more to do
        log.warning("Could not tell update %s about the error: %s", update_id, exc)
