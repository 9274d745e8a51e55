"""One command table (bot/telegram/commands.py) drives the three places a command shows:
the CommandHandlers, Telegram's command menu per scope and language, and /hjalp. Every
command in the table is in each place it belongs, and nothing is in any of them that
the table does not declare."""

from __future__ import annotations

import re
from datetime import datetime

from telegram.ext import CommandHandler
from telegram_harness import MutableClock, running_bot

from bot.engine.dates import STOCKHOLM
from bot.telegram import commands
from bot.telegram.commands import COMMANDS, HELP

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=STOCKHOLM)
ADMINS = frozenset({77, 78})
EVERYONE = [c for c in COMMANDS if c.scope == "everyone"]
FOR_ADMINS = [c for c in COMMANDS if c.scope == "admins"]


def test_the_table_is_well_formed():
    names = [n for c in COMMANDS for n in (c.name, *c.aliases)]
    assert len(names) == len(set(names))  # no name declared twice, aliases included
    assert all(re.fullmatch(r"[a-z0-9_]{1,32}", n) for n in names)  # what Telegram takes
    assert all(c.menu_sv for c in COMMANDS)
    assert all(c.menu_en and c.help for c in EVERYONE)  # everyone's: in English and /hjalp
    assert FOR_ADMINS and all(c.help is None for c in FOR_ADMINS)


async def test_handlers_menus_and_help_all_come_from_the_table(api, tmp_path, assistant):
    async with running_bot(api, tmp_path / "b.sqlite3", assistant, MutableClock(NOW),
                           admin_ids=ADMINS) as bot:  # fmt: skip
        registered = {
            name: h.callback
            for group in bot.app.handlers.values()
            for h in group
            if isinstance(h, CommandHandler)
            for name in h.commands
        }
    # handlers: exactly the table's names and aliases, each to its own handler
    assert registered == {n: c.handler for c in COMMANDS for n in (c.name, *c.aliases)}

    # menus: everyone's in Swedish and English; each admin's private chat adds theirs
    sets = api.command_sets
    shown = {key: [(c["command"], c["description"]) for c in got] for key, got in sets.items()}
    assert shown[("default", None, "")] == [(c.name, c.menu_sv) for c in EVERYONE]
    assert shown[("default", None, "en")] == [(c.name, c.menu_en) for c in EVERYONE]
    for admin in ADMINS:
        assert shown[("chat", admin, "")] == [(c.name, c.menu_sv) for c in EVERYONE + FOR_ADMINS]
    assert set(shown) == {("default", None, ""), ("default", None, "en")} | {
        ("chat", a, "") for a in ADMINS
    }

    # /hjalp: one line per command for everyone, in the table's order, and no other
    listed = HELP.split("Kommandon:\n")[1].split("\n\n")[0].split("\n")
    assert listed == [f"/{c.name} {c.help}" for c in EVERYONE]
    for c in FOR_ADMINS:
        assert f"/{c.name}" not in HELP


async def test_start_help_and_hjalp_answer_with_the_generated_help(api, tmp_path, assistant):
    from bot.telegram.send import esc

    async with running_bot(api, tmp_path / "b.sqlite3", assistant, MutableClock(NOW)):
        for name in ("start", "help", "hjalp"):
            assert (await api.reply_to(1234, f"/{name}")).text == esc(HELP)


def test_deep_links_and_suggestions_are_the_tables_own():
    from bot.telegram.inline import SOURCE_LINK

    everyone = {n for c in EVERYONE for n in (c.name, *c.aliases)}
    assert set(commands.PUBLIC_NAMES) == everyone
    # a deep link may start a user's command, never an admin's and never the help itself
    assert set(commands.DEEP_LINKS) == {
        c.name for c in EVERYONE if c.handler is not commands.start
    } | {SOURCE_LINK}
