"""The Telegram front end: turns updates into calls of the assistant and answers into
messages. Thin on purpose - what to say lives in the assistant and in bot/watching.py.

build_application() wires everything for a given assistant, store, configuration and
clock (tests pass a fake clock and a fake Bot API server); run_telegram() is what
`python -m bot` calls when TELEGRAM_BOT_TOKEN is set.
"""

from __future__ import annotations

import asyncio
import io
import logging
import re
import signal
from collections.abc import Callable
from datetime import time

from rapidfuzz import process
from telegram import (
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardMarkup,
    InputFile,
    LinkPreviewOptions,
    Update,
)
from telegram.constants import ChatMemberStatus, ChatType, ParseMode
from telegram.error import BadRequest, TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    ApplicationHandlerStop,
    BaseRateLimiter,
    BaseUpdateProcessor,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    InlineQueryHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from knowledge.models import Deadline

from .. import admin, watching
from ..access import ADMIN_ONLY, REFUSAL, Access
from ..answer import FAILED, Answer
from ..calendar_export import deadlines_calendar
from ..config import Config
from ..conversation import Conversations
from ..dates import STOCKHOLM, Clock, system_clock, today
from ..fair_answers import ChatTurns, Flooded
from ..feedback import THANKED_PREFIX, VOTE_PREFIX, Votes, parse_vote, thanked_language
from ..question_text import clean
from ..reminders import SEND_AT, schedule_text
from ..source_text import section_of, source_text
from ..store_base import Store, StoreUnavailable, describe, open_store
from . import admin_upload
from .admin_upload import upload_conversation
from .inline import CACHE_SECONDS, MIN_CHARS, SOURCE_LINK, answer_result, help_button
from .inline import language_of as inline_language
from .reminder_sender import ReminderSender, stale_claims_warning
from .send import (
    AGAIN_PREFIX,
    AGAIN_STATE,
    DONE_PREFIX,
    DONE_STATE,
    SOURCE_PREFIX,
    SUBSCRIBE_PREFIX,
    UNSUBSCRIBE_PREFIX,
    RetryPolicy,
    WireGate,
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
from .sent_replies import SentReplies
from .services import (
    AssistantLike,
    Services,
    refresh_assistant,
    reload_assistant,
    reply,
    services,
    services_of,
    watched_deadlines,
)

log = logging.getLogger(__name__)

REMINDER_INTERVAL = 15 * 60.0  # seconds between catch-up runs, besides the 09:00 run

HELP = f"""Hej! Jag är Beredskapsboten. Jag svarar på frågor om regionernas uppgifter, \
frister, stöd och statsbidrag inom krisberedskap och civilt försvar – alltid med källa.

Skriv en fråga med vanliga ord, till exempel:
• När ska RSA rapporteras?
• Vilken är nästa deadline?
• Vilket stöd finns inom säkerhetsskydd?
• Hur mycket får Region Uppsala 2023?

Kommandon:
/frister – kommande frister med nästa datum
/uppgifter [område] – uppgifter, t.ex. /uppgifter säkerhetsskydd
/stod [område] – stöd, t.ex. /stod rapportering
/tilldelning <region | alla> [år] – statsbidraget, t.ex. /tilldelning Uppsala 2023
/bevaka <frist | alla> – påminnelser {schedule_text()}, t.ex. /bevaka rsa
/mina – dina bevakningar
/avbevaka <frist | alla> – sluta bevaka
/kalender – fristerna som kalenderfil (.ics); /kalender mina – bara dina
/integritet – vad som sparas om dig
/glom – radera allt som sparats om dig
/hjalp – den här texten

Under svar om frister finns knappen ”Bevaka”; kommandot /bevaka gör samma sak."""

# Name, description (Swedish), shown in Telegram's command menu.
COMMANDS = (
    ("frister", "Kommande frister med nästa datum"),
    ("uppgifter", "Regionens uppgifter inom ett område"),
    ("stod", "Stöd inom ett område"),
    ("tilldelning", "Statsbidraget per region (eller alla)"),
    ("bevaka", "Få påminnelser före en frist"),
    ("mina", "Mina bevakningar"),
    ("avbevaka", "Sluta bevaka en frist"),
    ("kalender", "Fristerna som kalenderfil (.ics)"),
    ("integritet", "Vad som sparas om dig"),
    ("glom", "Radera allt som sparats om dig"),
    ("hjalp", "Vad boten kan, med exempel"),
)
# the same menu for users whose Telegram is in English (the answers follow the question)
COMMANDS_EN = (
    ("frister", "Coming deadlines with their next date"),
    ("uppgifter", "The region's tasks in an area"),
    ("stod", "Support in an area"),
    ("tilldelning", "The state grant per region (or all)"),
    ("bevaka", "Reminders before a deadline"),
    ("mina", "My reminders"),
    ("avbevaka", "Stop reminders for a deadline"),
    ("kalender", "The deadlines as a calendar file (.ics)"),
    ("integritet", "What is stored about you"),
    ("glom", "Delete everything stored about you"),
    ("hjalp", "What the bot can do, with examples"),
)
# shown to admins only, in their private chats with the bot
ADMIN_MENU = (
    ("status", "Antal bevakningar och påminnelser, indexets ålder (admin)"),
    ("omindexera", "Läs in kunskapsbasen och uppdatera indexet (admin)"),
)


DESCRIPTION = (
    "Beredskapsboten svarar på frågor om regionernas och kommunernas uppgifter, frister, "
    "stöd och statsbidrag inom krisberedskap och civilt försvar – med källa – och påminner "
    "före fristerna. Skriv en fråga, till exempel ”När ska RSA rapporteras?”."
)
SHORT_DESCRIPTION = "Uppgifter, frister, stöd och statsbidrag inom beredskap – med källa."

SWEDISH_LETTERS = str.maketrans("åäöÅÄÖéÉ", "aaoAAOeE")


def _arg_text(context: ContextTypes.DEFAULT_TYPE) -> str:
    return " ".join(context.args or []).strip()


# -- handlers: each docstring says what the user sees ---------------------------------


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/start, /hjalp and /help: what the bot can do, with examples and every command.
    A deep link (t.me/<bot>?start=bevaka_rsa) arrives as "/start bevaka_rsa" and runs the
    command it names with its argument, as if typed: /bevaka rsa."""
    payload = context.args[0] if context.args else ""
    command, _, argument = payload.partition("_")
    handler = DEEP_LINKS.get(command.casefold())
    if handler is not None:
        context.args = [a for a in argument.split("_") if a]
        await handler(update, context)
        return
    await reply(update, context, Answer(HELP, True, "help"))


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
    answer = services(context).assistant.allocation(region, year)
    await reply(update, context, answer, feedback=True)


async def watch_cmd(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/bevaka <frist | alla>: confirms the subscription with the next date; without or
    with an unknown argument, lists the deadlines that can be watched."""
    s = services(context)
    answer = watching.watch(
        s.assistant.knowledge,
        s.assistant.match_deadline,
        s.store,
        update.effective_chat.id,
        _arg_text(context),
        s.clock(),
    )
    await reply(update, context, answer)


async def watch_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The "Bevaka" button: a short notice on the button, the same confirmation in the
    chat as /bevaka gives, and the button turned into "✓ Bevakas – avbevaka". A second
    press (a double tap, an old message) neither subscribes twice nor confirms again."""
    s = services(context)
    query = update.callback_query
    if not (query.data or "").startswith(SUBSCRIBE_PREFIX):  # PTB lets empty data through
        await stale_button(update, context)
        return
    deadline = s.assistant.knowledge.deadline(query.data.removeprefix(SUBSCRIBE_PREFIX))
    if deadline is None:
        await with_retries(lambda: query.answer("Den fristen finns inte längre."), s.policy)
        return
    chat = update.effective_chat.id
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
    query = update.callback_query
    deadline = s.assistant.knowledge.deadline((query.data or "").removeprefix(UNSUBSCRIBE_PREFIX))
    if deadline is None:
        await with_retries(lambda: query.answer("Den fristen finns inte längre."), s.policy)
        return
    try:
        s.store.unsubscribe(update.effective_chat.id, [deadline.id])
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
    query = update.callback_query
    parsed = parse_reply_data(query.data or "")
    if parsed is None:
        await stale_button(update, context)
        return
    prefix, deadline_id, occurrence = parsed
    action = "done" if prefix == DONE_PREFIX else "again"
    result = watching.answer_reminder(s.assistant.knowledge, s.store, update.effective_chat.id,
                                      action, deadline_id, occurrence, s.clock())  # fmt: skip
    if result.notice is None:
        await stale_button(update, context)
        return
    await with_retries(lambda: query.answer(result.notice), s.policy)
    if result.changed:
        deadline = s.assistant.knowledge.deadline(deadline_id)
        await _show_reply(query, deadline, occurrence, prefix, s)


async def reminder_state_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """ "✓ Klar" / "✓ Påminner i morgon": already chosen; a notice, nothing else."""
    s = services(context)
    await with_retries(lambda: update.callback_query.answer("Redan valt"), s.policy)


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
    answer = watching.mine(s.assistant.knowledge, s.store, update.effective_chat.id, s.clock())
    await reply(update, context, answer)


async def unwatch_cmd(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/avbevaka <frist | alla>: confirms; without argument, lists what can be removed."""
    s = services(context)
    answer = watching.unwatch(
        s.assistant.knowledge,
        s.assistant.match_deadline,
        s.store,
        update.effective_chat.id,
        _arg_text(context),
    )
    await reply(update, context, answer)


async def calendar_cmd(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/kalender [mina]: an .ics file with every deadline's dates for five years (or only
    the watched ones), to import into Outlook, Google or Apple calendars."""
    s = services(context)
    k = s.assistant.knowledge
    chat_id = update.effective_chat.id
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
    s.conversations.forget(update.effective_chat.id)
    s.replies.forget(update.effective_chat.id)
    s.votes.forget_chat(update.effective_chat.id)
    await reply(update, context, watching.forget(s.store, update.effective_chat.id))


async def _not_a_group_admin(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str | None:
    """Why the sender may not act for the whole group, or None when they may: a private
    chat, a group's creator or administrator (asked of Telegram each time - admins
    change), or an anonymous admin, who writes as the group itself."""
    chat, message = update.effective_chat, update.effective_message
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


ADMIN_COMMANDS = {"status": status_cmd, "omindexera": reindex_cmd}

COMMAND_HANDLERS = {
    "start": start,
    "hjalp": start,
    "help": start,
    "frister": deadlines_cmd,
    "uppgifter": tasks_cmd,
    "stod": support_cmd,
    "tilldelning": allocation_cmd,
    "bevaka": watch_cmd,
    "mina": my_watches,
    "avbevaka": unwatch_cmd,
    "kalender": calendar_cmd,
    "integritet": privacy_cmd,
    "glom": forget_cmd,
    **ADMIN_COMMANDS,
}


# what a deep link may start: the user's own commands, never an admin's
DEEP_LINKS = {
    name: handler
    for name, handler in COMMAND_HANDLERS.items()
    if name not in ADMIN_COMMANDS and handler is not start
} | {SOURCE_LINK: source_link}


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
    if update.callback_query:
        await with_retries(lambda: update.callback_query.answer(REFUSAL), s.policy)
    elif update.inline_query:  # no results; the line above them opens the refusal
        language = inline_language(user.language_code if user else None)
        button = help_button("inline_closed", language)
        await _answer_inline(update.inline_query, [], button, True, s)
    elif chat and chat.type == ChatType.PRIVATE and update.message:
        await with_retries(lambda: context.bot.send_message(chat.id, esc(REFUSAL)), s.policy)
    raise ApplicationHandlerStop


def _addressed_in_group(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """In a group, a message is for us if it mentions us or replies to us."""
    message = update.effective_message
    if update.effective_chat.type == ChatType.PRIVATE:
        return True
    mention = f"@{context.bot.username}".casefold()
    replied = message.reply_to_message
    return mention in (message.text or "").casefold() or bool(
        replied and replied.from_user and replied.from_user.id == context.bot.id
    )


async def other_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An unknown command: runs the command if it was only spelled with å/ä/ö (/stöd,
    /glöm, /hjälp); otherwise says so and suggests the closest command."""
    message = update.effective_message
    first, _, rest = (message.text or "").partition(" ")
    name, _, target = first[1:].partition("@")
    if update.effective_chat.type != ChatType.PRIVATE and (
        target.casefold() != (context.bot.username or "").casefold()
    ):
        return  # in groups, commands without our name may be for another bot
    folded = name.translate(SWEDISH_LETTERS).casefold()
    if folded in COMMAND_HANDLERS:
        context.args = rest.split()
        await COMMAND_HANDLERS[folded](update, context)
        return
    public = [c for c in COMMAND_HANDLERS if c not in ADMIN_COMMANDS]
    best = process.extractOne(folded, public, score_cutoff=60)
    hint = f" Menade du /{best[0]}?" if best else ""
    text = f"Kommandot /{name} finns inte.{hint} Skriv /hjalp för att se vad jag kan."
    await reply(update, context, Answer(text, False, "help"))


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
    text = question_text(update.effective_message.text or "", context.bot.username)
    if not text:
        await reply(update, context, Answer(EMPTY_QUESTION, False, "help"))
        return
    verb, _, rest = text.partition(" ")
    if verb.casefold() in ("bevaka", "avbevaka"):
        context.args = rest.split()
        await (watch_cmd if verb.casefold() == "bevaka" else unwatch_cmd)(update, context)
        return
    assistant, day, chat_id = s.assistant, today(s.clock), update.effective_chat.id
    # updates of one chat are handled in order (ChatOrderedUpdates): the topic read here
    # is the previous answer's - or, for an edited question, the one it was asked in
    asked = update.effective_message.message_id
    earlier = s.replies.get(chat_id, asked) if update.edited_message else None
    topic = earlier.topic_before if earlier else s.conversations.get(chat_id)
    answer = await s.answers.run(lambda: assistant.ask(text, day, topic))
    if earlier is None or s.replies.is_latest(chat_id, asked):  # not over later questions'
        s.conversations.put(chat_id, answer.topic)
    await reply(update, context, answer, feedback=answer.kind != "help", before=topic)


async def not_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A sticker, photo, voice message, file …: in a private chat, a short note that only
    text is read; in groups, nothing (it was for the people there)."""
    if update.effective_chat.type == ChatType.PRIVATE:
        await reply(update, context, Answer(NOT_TEXT, False, "help"))


async def source_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """ "Visa källtext": the cited section itself, with its document's details, as a
    reply to the answer; an unknown key (the document changed since) gets a notice."""
    s = services(context)
    query = update.callback_query
    found = source_text(s.assistant.knowledge, query.data.removeprefix(SOURCE_PREFIX))
    if found is None:
        await with_retries(lambda: query.answer(SOURCE_GONE), s.policy)
        return
    await with_retries(lambda: query.answer(), s.policy)
    chat = update.effective_chat
    reply_to = query.message.message_id if query.message else None
    await send_answer(context.bot, chat.id, found, s.policy, reply_to=reply_to)


async def vote_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """👍 / 👎 under an answer: stored without the question, the chat or the user (the
    answer's kind, its first cited section, the vote and the day), confirmed on the
    button, and the two buttons turned into "✓ Tack för omdömet". The first vote on an
    answer counts: a second tap that comes before the buttons have changed is told it
    was noted already, and nothing more is stored."""
    s = services(context)
    query = update.callback_query
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
    markup = message.reply_markup if message else None
    if markup is not None:
        rows = [
            thanked_row(vote.language)
            if any(parse_vote(b.callback_data or "") for b in row)
            else list(row)
            for row in markup.inline_keyboard
        ]
        await _edit_buttons(query, rows, s)


async def thanked_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """ "✓ Tack för omdömet": voted already; a notice, nothing else."""
    s = services(context)
    language = thanked_language(update.callback_query.data or "") or "sv"
    await with_retries(lambda: update.callback_query.answer(said("vote_again", language)), s.policy)


async def inline_answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """@bot <fråga> in any chat: the answer as a result to send there - the same text,
    sources and HTML as in the chat, in one message, with deep links into the bot's chat
    for "Bevaka" and "Visa källtext" (bot/telegram/inline.py). No follow-up context and
    nothing kept: an inline query is no conversation. A query of fewer than three
    characters gets no result, only the line that opens the bot's chat; a question the
    documents do not answer gets the honest "Det vet jag inte" with whom to ask."""
    s = services(context)
    query = update.inline_query
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
    await with_retries(lambda: update.callback_query.answer(STALE_BUTTON), s.policy)


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


# -- wiring ---------------------------------------------------------------------------


def register_handlers(app: Application) -> None:
    """Register every handler. Order matters: within a group the first matching handler
    wins, so the specific commands come first, then the button, then the catch-all for
    unknown (or å/ä/ö-spelled) commands, then free text - it excludes commands, so a
    command can never be mistaken for a question - and last anything that is not text.
    The gatekeeper runs first of all, in its own group."""
    new = filters.UpdateType.MESSAGE  # an edited command is not run a second time
    app.add_handler(TypeHandler(Update, gatekeeper), group=-1)
    admins = services_of(app).access.admins
    if admins:  # an admin's file starts a conversation that takes over their chat
        app.add_handler(upload_conversation(admins))
    for name, handler in COMMAND_HANDLERS.items():
        app.add_handler(CommandHandler(name, handler, filters=new))
    app.add_handler(CallbackQueryHandler(watch_button, pattern=f"^{SUBSCRIBE_PREFIX}"))
    app.add_handler(CallbackQueryHandler(unwatch_button, pattern=f"^{UNSUBSCRIBE_PREFIX}"))
    app.add_handler(
        CallbackQueryHandler(reminder_button, pattern=f"^({DONE_PREFIX}|{AGAIN_PREFIX})")
    )
    app.add_handler(
        CallbackQueryHandler(reminder_state_button, pattern=f"^({DONE_STATE}|{AGAIN_STATE})$")
    )
    app.add_handler(CallbackQueryHandler(source_button, pattern=f"^{SOURCE_PREFIX}"))
    app.add_handler(CallbackQueryHandler(thanked_button, pattern=f"^{THANKED_PREFIX}"))
    app.add_handler(CallbackQueryHandler(vote_button, pattern=f"^{VOTE_PREFIX}"))
    app.add_handler(CallbackQueryHandler(stale_button))
    app.add_handler(InlineQueryHandler(inline_answer))
    app.add_handler(MessageHandler(new & filters.COMMAND, other_command))
    text = filters.UpdateType.MESSAGES & filters.TEXT & ~filters.COMMAND  # edits too
    app.add_handler(MessageHandler(text, question))
    app.add_handler(MessageHandler(new & ~filters.TEXT, not_text))
    app.add_error_handler(on_error)


async def reminder_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Scheduled: sends change notices for replaced source documents, then the reminders
    that are due (and any missed while down)."""
    await services(context).reminders.run()


def schedule_reminders(app: Application, interval: float | None) -> None:
    """Daily at 09:00 Stockholm (when reminders fall due) and every `interval` seconds,
    starting right away, to catch up after downtime. Runs never overlap (a lock in the
    sender) and never send twice (claims in the store)."""
    if interval is None:
        return
    jq = app.job_queue
    jq.run_daily(
        reminder_job,
        time(SEND_AT.hour, SEND_AT.minute, 5, tzinfo=STOCKHOLM),
        name="reminders-daily",
    )
    jq.run_repeating(
        reminder_job, interval=interval, first=min(interval, 5.0), name="reminders-catch-up"
    )


def build_application(
    assistant: AssistantLike,
    store: Store,
    config: Config,
    clock: Clock = system_clock,
    *,
    policy: RetryPolicy | None = None,
    rate_limiter: BaseRateLimiter | None = None,
    reminder_interval: float | None = REMINDER_INTERVAL,
    reload: Callable[[], AssistantLike] | None = None,
    read_timeout: float = 5.0,  # PTB's default; tests shorten it to exercise timeouts
    one_run_at_a_time: bool = True,  # tests turn it off to run two instances' runs at once
) -> Application:
    """The configured Application; nothing talks to Telegram until it is started."""
    policy = policy or RetryPolicy()

    async def post_init(app: Application) -> None:
        await set_menus(app.bot, config.admin_ids)
        # what Telegram shows before the first message and on the bot's profile
        await app.bot.set_my_description(DESCRIPTION)
        await app.bot.set_my_short_description(SHORT_DESCRIPTION)
        if admin_upload.remove_stale_uploads():
            log.info("Temporary files of unfinished uploads from an earlier run removed")
        warning = stale_claims_warning(store)
        if warning:
            log.warning(warning)
        schedule_reminders(app, reminder_interval)
        stale = getattr(getattr(assistant, "searcher", None), "stale", ())
        if stale and reload is not None:
            # answering already, from the unchanged sources; the rest once built
            log.info("Sökindexet saknar %d ändrade källor – bygger dem i bakgrunden", len(stale))
            app.job_queue.run_once(_refresh_at_start, 0, name="index-refresh")

    async def post_shutdown(app: Application) -> None:
        services_of(app).answers.close()
        dropped = admin_upload.discard_all(app.user_data)
        if dropped:
            log.info("%d unfinished document upload(s) discarded at shutdown", dropped)

    app = (
        ApplicationBuilder()
        .token(config.token)
        .base_url(config.base_url)
        .base_file_url(config.base_file_url)
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
                tzinfo=STOCKHOLM,
            )
        )
        # Rate limiting only: RetryAfter is retried by with_retries, with injectable sleep.
        .rate_limiter(rate_limiter or WireGate(max_retries=0))
        .read_timeout(read_timeout)
        .post_init(post_init)
        .post_shutdown(post_shutdown)
        # chats are handled concurrently, each chat's updates in order (and floods cut)
        .concurrent_updates(ChatOrderedUpdates())
        .build()
    )
    app.bot_data["services"] = Services(
        assistant=assistant,
        store=store,
        clock=clock,
        policy=policy,
        reminders=ReminderSender(
            app.bot, store, assistant.knowledge, clock, policy, one_run_at_a_time=one_run_at_a_time
        ),
        access=Access.from_config(config),
        reload=reload,
        reloading=asyncio.Lock(),
        conversations=Conversations(clock=lambda: clock().timestamp()),
        replies=SentReplies(clock=lambda: clock().timestamp()),
        votes=Votes(clock=lambda: clock().timestamp()),
    )
    register_handlers(app)
    return app


class ChatOrderedUpdates(BaseUpdateProcessor):
    """Updates of different chats at the same time, each chat's one at a time and in
    order (bot.fair_answers.ChatTurns), so that one chat's flood never holds up another's
    question. A chat's turn is taken before one of the concurrency slots, so a waiting
    backlog holds none; beyond MAX_WAITING updates in hand the chat is told once to slow
    down and the rest are dropped."""

    def __init__(self, max_concurrent_updates: int = 256):
        super().__init__(max_concurrent_updates)
        self.turns = ChatTurns()

    async def process_update(self, update: object, coroutine) -> None:
        chat = getattr(update, "effective_chat", None)
        if chat is None:  # inline queries, polls: no chat whose order matters
            await super().process_update(update, coroutine)
            return
        try:
            async with self.turns.turn(chat.id):
                await super().process_update(update, coroutine)
        except Flooded as exc:
            coroutine.close()  # never started: dropped
            if exc.first:
                await _tell_flooded(update)

    async def do_process_update(self, update: object, coroutine) -> None:
        await coroutine

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""


async def set_menus(bot, admin_ids: frozenset[int]) -> None:
    """The command menu: Swedish by default, English for English-language users, and
    with the admin commands in each admin's private chat (a chat Telegram does not know
    yet - the admin never wrote to the bot - is skipped with a log line)."""
    await bot.set_my_commands([BotCommand(n, d) for n, d in COMMANDS])
    await bot.set_my_commands([BotCommand(n, d) for n, d in COMMANDS_EN], language_code="en")
    for admin_id in sorted(admin_ids):
        try:
            await bot.set_my_commands(
                [BotCommand(n, d) for n, d in (*COMMANDS, *ADMIN_MENU)],
                scope=BotCommandScopeChat(admin_id),
            )
        except BadRequest as exc:
            log.info("Admin menu not set for one admin: %s", type(exc).__name__)


async def _tell_flooded(update: Update) -> None:
    try:
        await update.get_bot().send_message(update.effective_chat.id, esc(FLOODED))
    except TelegramError as exc:
        log.warning("Could not send the flood notice: %s", type(exc).__name__)


def stop_on_signals(app: Application) -> None:
    """SIGTERM and SIGINT stop the reminder sender first (no new claims, nothing waiting
    in the rate limiter), then the Application: platforms kill 10-30 s after SIGTERM, and
    Application.stop would otherwise wait for a whole reminder run to finish."""
    started = app.post_init

    async def post_init(app: Application) -> None:
        if started:
            await started(app)
        loop = asyncio.get_running_loop()

        def stop() -> None:
            log.info("Stopping: no new reminders are claimed; in-flight sends finish")
            services_of(app).reminders.stop()
            app.stop_running()

        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop)

    app.post_init = post_init


async def _refresh_at_start(context: ContextTypes.DEFAULT_TYPE) -> None:
    answer = await refresh_assistant(services(context))
    log.info("Sökindexet: %s", answer.text.splitlines()[0])


class Redact(logging.Filter):
    """What the logs must never hold: the token and the webhook secret are replaced
    wherever they would appear, and the libraries' DEBUG lines (which carry whole updates:
    question texts, users' names) are dropped, at every LOG_LEVEL."""

    QUIET = ("telegram", "httpx", "httpcore", "apscheduler", "tornado", "hpack")

    def __init__(self, *secrets: str | None):
        super().__init__()
        self.secrets = [(s, "<token>" if i == 0 else "<secret>")
                        for i, s in enumerate(secrets) if s]  # fmt: skip

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.INFO and record.name.split(".")[0] in self.QUIET:
            return False
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        for secret, mark in self.secrets:
            if secret in message:
                message = message.replace(secret, mark)
                record.msg, record.args = message, None
            if record.exc_text and secret in record.exc_text:
                record.exc_text = record.exc_text.replace(secret, mark)
        return True


def configure_logging(config: Config, level: int = logging.INFO) -> None:
    """Log to stderr without ever writing the token, the webhook secret, a question or a
    name (bot code logs neither; Redact keeps the libraries from it)."""
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # httpx logs every request URL at INFO - and the Bot API URL contains the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    # With max_retries=0 the rate limiter logs each 429 as an exception; we retry them.
    logging.getLogger("telegram.ext.AIORateLimiter").setLevel(logging.CRITICAL)
    for handler in logging.getLogger().handlers:
        handler.addFilter(Redact(config.token, config.webhook_secret))


def webhook_options(config: Config) -> dict:
    """Where the webhook server listens and what it tells Telegram (run_webhook and
    Updater.start_webhook take the same options). Telegram sends WEBHOOK_SECRET in a
    header, so requests that do not come from Telegram are refused."""
    return {
        "listen": config.listen,
        "port": config.port,
        "url_path": config.webhook_path,
        "webhook_url": config.webhook_url,
        "secret_token": config.webhook_secret,
        "allowed_updates": Update.ALL_TYPES,
    }


def run_telegram(config: Config) -> None:
    """Run the bot until interrupted: webhook mode when WEBHOOK_URL is set, else polling."""
    configure_logging(config)
    from ..assistant import Assistant  # heavy: loads the knowledge and opens the index

    store = open_store(config.database)
    try:
        assistant = Assistant.create(stale_ok=True)  # answering at once; see post_init
        app = build_application(assistant, store, config, reload=Assistant.create)
        stop_on_signals(app)
        log.info("Database: %s; Bot API: %s", describe(config.database), config.api_root)
        if config.webhook_url:
            log.info(
                "Webhook mode: listening on %s:%s/%s, secret %s", config.listen, config.port,
                config.webhook_path,
                "drawn at start (WEBHOOK_SECRET unset)" if config.secret_generated else "set",
            )  # fmt: skip
            app.run_webhook(**webhook_options(config), stop_signals=None)
        else:
            log.info("Long polling from %s", config.api_root)
            app.run_polling(allowed_updates=Update.ALL_TYPES, stop_signals=None)
    finally:
        store.close()
