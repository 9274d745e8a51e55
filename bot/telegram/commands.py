"""The bot's commands, each declared once: its name, handler, menu texts (Swedish and
English), help line and scope. Telegram's command menu (set_menus), the /hjalp text
(HELP), the CommandHandlers (register_commands), the deep links a /start may carry and
the "did you mean" of an unknown command are all generated from COMMANDS, so a command
cannot be in one of them and missing from another (tests/test_telegram_commands.py).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any, Literal

from rapidfuzz import process
from telegram import BotCommand, BotCommandScopeChat, Update
from telegram.constants import ChatType
from telegram.error import BadRequest
from telegram.ext import Application, CommandHandler, ContextTypes, filters

from ..engine.answer import Answer
from ..subscriptions.reminders import schedule_text
from . import handlers as h
from .inline import SOURCE_LINK
from .services import reply
from .updates import chat_of, message_of

log = logging.getLogger(__name__)

Handler = Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]
# everyone: in the menu for all and in /hjalp; admins: in the menu of each admin's
# private chat only, never in /hjalp, never started by a deep link
Scope = Literal["everyone", "admins"]


@dataclass(frozen=True)
class Command:
    name: str
    handler: Handler
    menu_sv: str  # the command menu's description
    menu_en: str | None  # the same for users whose Telegram is in English
    help: str | None  # its line in /hjalp after "/name " (None: not listed)
    scope: Scope = "everyone"
    aliases: tuple[str, ...] = ()  # other names that run the same handler, in no menu


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


# In the order of the menu and of /hjalp.
COMMANDS: tuple[Command, ...] = (
    Command("frister", h.deadlines_cmd,
            "Kommande frister med nästa datum", "Coming deadlines with their next date",
            "– kommande frister med nästa datum"),
    Command("uppgifter", h.tasks_cmd,
            "Regionens uppgifter inom ett område", "The region's tasks in an area",
            "[område] – uppgifter, t.ex. /uppgifter säkerhetsskydd"),
    Command("stod", h.support_cmd,
            "Stöd inom ett område", "Support in an area",
            "[område] – stöd, t.ex. /stod rapportering"),
    Command("tilldelning", h.allocation_cmd,
            "Statsbidraget per region (eller alla)", "The state grant per region (or all)",
            "<region | alla> [år] – statsbidraget, t.ex. /tilldelning Uppsala 2023"),
    Command("bevaka", h.watch_cmd,
            "Få påminnelser före en frist", "Reminders before a deadline",
            f"<frist | alla> – påminnelser {schedule_text()}, t.ex. /bevaka rsa"),
    Command("mina", h.my_watches,
            "Mina bevakningar", "My reminders",
            "– dina bevakningar"),
    Command("avbevaka", h.unwatch_cmd,
            "Sluta bevaka en frist", "Stop reminders for a deadline",
            "<frist | alla> – sluta bevaka"),
    Command("kalender", h.calendar_cmd,
            "Fristerna som kalenderfil (.ics)", "The deadlines as a calendar file (.ics)",
            "– fristerna som kalenderfil (.ics); /kalender mina – bara dina"),
    Command("integritet", h.privacy_cmd,
            "Vad som sparas om dig", "What is stored about you",
            "– vad som sparas om dig"),
    Command("glom", h.forget_cmd,
            "Radera allt som sparats om dig", "Delete everything stored about you",
            "– radera allt som sparats om dig"),
    Command("hjalp", start,
            "Vad boten kan, med exempel", "What the bot can do, with examples",
            "– den här texten", aliases=("start", "help")),
    Command("status", h.status_cmd,
            "Antal bevakningar och påminnelser, indexets ålder (admin)", None, None,
            scope="admins"),
    Command("omindexera", h.reindex_cmd,
            "Läs in kunskapsbasen och uppdatera indexet (admin)", None, None,
            scope="admins"),
)  # fmt: skip

# every name a command answers to (aliases too) -> its handler
COMMAND_HANDLERS: dict[str, Handler] = {
    name: c.handler for c in COMMANDS for name in (c.name, *c.aliases)
}
# what "Menade du …?" may suggest. A tie goes to the first, so the order is kept as it
# has always been: /start, then the help's other names, then the table's order.
PUBLIC_NAMES = sorted(
    (name for c in COMMANDS if c.scope == "everyone" for name in (c.name, *c.aliases)),
    key=lambda name: (name != "start", COMMAND_HANDLERS[name] is not start),
)
# what a deep link may start: the user's own commands, never an admin's, never the help
DEEP_LINKS: dict[str, Handler] = {
    c.name: c.handler for c in COMMANDS if c.scope == "everyone" and c.handler is not start
} | {SOURCE_LINK: h.source_link}

HELP = f"""Hej! Jag är Beredskapsboten. Jag svarar på frågor om regionernas uppgifter, \
frister, stöd och statsbidrag inom krisberedskap och civilt försvar – alltid med källa.

Skriv en fråga med vanliga ord, till exempel:
• När ska RSA rapporteras?
• Vilken är nästa deadline?
• Vilket stöd finns inom säkerhetsskydd?
• Hur mycket får Region Uppsala 2023?

Kommandon:
{chr(10).join(f"/{c.name} {c.help}" for c in COMMANDS if c.help is not None)}

Under svar om frister finns knappen ”Bevaka”; kommandot /bevaka gör samma sak."""

SWEDISH_LETTERS = str.maketrans("åäöÅÄÖéÉ", "aaoAAOeE")


async def other_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An unknown command: runs the command if it was only spelled with å/ä/ö (/stöd,
    /glöm, /hjälp); otherwise says so and suggests the closest command."""
    message = message_of(update)
    first, _, rest = (message.text or "").partition(" ")
    name, _, target = first[1:].partition("@")
    if chat_of(update).type != ChatType.PRIVATE and (
        target.casefold() != (context.bot.username or "").casefold()
    ):
        return  # in groups, commands without our name may be for another bot
    folded = name.translate(SWEDISH_LETTERS).casefold()
    if folded in COMMAND_HANDLERS:
        context.args = rest.split()
        await COMMAND_HANDLERS[folded](update, context)
        return
    best = process.extractOne(folded, PUBLIC_NAMES, score_cutoff=60)
    hint = f" Menade du /{best[0]}?" if best else ""
    text = f"Kommandot /{name} finns inte.{hint} Skriv /hjalp för att se vad jag kan."
    await reply(update, context, Answer(text, False, "help"))


def register_commands(app: Application) -> None:
    """A CommandHandler per name in COMMANDS (aliases too); an edited command is not run
    a second time."""
    new = filters.UpdateType.MESSAGE
    for name, handler in COMMAND_HANDLERS.items():
        app.add_handler(CommandHandler(name, handler, filters=new))


def menu(scope: Scope, language: str = "sv") -> list[BotCommand]:
    """The menu for `scope`: the admins' is everyone's plus theirs."""
    scopes = ("everyone",) if scope == "everyone" else ("everyone", "admins")
    return [
        BotCommand(c.name, c.menu_en if language == "en" and c.menu_en else c.menu_sv)
        for c in COMMANDS
        if c.scope in scopes
    ]


async def set_menus(bot, admin_ids: frozenset[int]) -> None:
    """The command menu: Swedish by default, English for English-language users, and
    with the admin commands in each admin's private chat (a chat Telegram does not know
    yet - the admin never wrote to the bot - is skipped with a log line)."""
    await bot.set_my_commands(menu("everyone"))
    await bot.set_my_commands(menu("everyone", "en"), language_code="en")
    for admin_id in sorted(admin_ids):
        try:
            await bot.set_my_commands(menu("admins"), scope=BotCommandScopeChat(admin_id))
        except BadRequest as exc:
            log.info("Admin menu not set for one admin: %s", type(exc).__name__)
