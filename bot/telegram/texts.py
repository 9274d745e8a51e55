"""How the front ends word what an answer offers besides its text (`Answer.offers`):
the Telegram commands for reminders and the calendar file. Used by the Telegram
front end and by the terminal, which points to the Telegram bot; imports no
python-telegram-bot, so the terminal stays light."""

from __future__ import annotations

from dataclasses import replace

from ..engine.answer import Answer
from ..subscriptions.reminders import schedule_text

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
