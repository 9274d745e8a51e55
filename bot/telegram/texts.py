"""How the front ends word the Telegram commands: what an answer offers besides its
text (`Answer.offers`: the commands for reminders and the calendar file), and the
command lines of a reminder and of a change notice (the subscriptions layer words the
facts, these the way out). Used by the Telegram front end and by the terminal, which
points to the Telegram bot; imports no python-telegram-bot, so the terminal stays
light."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date

from knowledge.models import Deadline, Knowledge

from ..engine.answer import Answer
from ..subscriptions import change_notices, reminders
from ..subscriptions.reminders import ReminderKey, schedule_text

OFFERS = {
    "sv": {
        "watch": (
            f"• /bevaka rsa – påminnelser {schedule_text()} svensk tid (/bevaka alla för alla "
            "frister; knappen ”Bevaka” under ett svar gör samma sak)\n"
            "• /mina – dina bevakningar; /avbevaka rsa – sluta bevaka"
        ),
        "calendar": (
            "• /kalender – alla frister som kalenderfil (.ics) för Outlook, Google eller "
            "Apple; /kalender mina – bara dina"
        ),
    },
    "en": {
        "watch": (
            "• /bevaka rsa – reminders before a deadline (/bevaka alla for all of them, or "
            "the ”Bevaka” button under an answer); /mina lists what you watch, /avbevaka rsa "
            "stops"
        ),
        "calendar": "• /kalender – every deadline as a calendar file (.ics) for Outlook, "
        "Google or Apple",
    },
}
IN_TELEGRAM = {"sv": "I Telegram-boten:", "en": "In the Telegram bot:"}
HOW = {"sv": "Så här:", "en": "How:"}


def with_offers(answer: Answer, terminal: bool = False) -> Answer:
    """The answer with its offers worded as commands (in the terminal: as the Telegram
    bot's commands)."""
    if not answer.offers:
        return answer
    language = answer.language if answer.language in OFFERS else "sv"
    head = (IN_TELEGRAM if terminal else HOW)[language]
    lines = [OFFERS[language][o] for o in answer.offers if o in OFFERS[language]]
    return replace(answer, text="\n".join([answer.text, head, *lines]))


STOP_WATCHING = "Sluta bevaka: /avbevaka {id}"  # ends each deadline's block in a reminder
CURRENT_DATES = "Skriv /frister för aktuella datum."  # ends a change notice


def stop_watching(deadline: Deadline) -> str:
    return STOP_WATCHING.format(id=deadline.id)


def reminder_answer(knowledge: Knowledge, keys: Iterable[ReminderKey], today: date) -> Answer:
    """A chat's reminder message (reminders.reminder_answer), each deadline ending in
    how to stop watching it."""
    return reminders.reminder_answer(knowledge, keys, today, way_out=stop_watching)


def notice_answer(
    knowledge: Knowledge, source_id: str, deadline_ids: Iterable[str], today: date
) -> Answer | None:
    """A change notice (change_notices.notice_answer), ending in where the dates are."""
    return change_notices.notice_answer(
        knowledge, source_id, deadline_ids, today, footer=CURRENT_DATES
    )
