"""Answers about the assistant itself: help, thanks, an empty question, opinions, the
documents it answers from, and what it offers besides answers (reminders, a calendar:
named by each front end in its own words, see `Answer.offers`)."""

from __future__ import annotations

from knowledge.models import Knowledge

from .answer import Answer
from .dates import sv_date

HELP_TEXT = """Hej! Jag är Beredskapsboten. Jag svarar på frågor om regionernas uppgifter, \
frister, stöd och statsbidrag inom krisberedskap och civilt försvar, med källa.

Prova till exempel:
• När ska RSA rapporteras?
• Vilken är nästa deadline?
• Vilket stöd finns inom säkerhetsskydd?
• Vad ska regionen göra med privata aktörer?
• Hur mycket får Region Uppsala 2023?
• Om 500 miljoner fördelades med samma grundbelopp, vad skulle Region Gotland få?
• Vad menas med allvarlig händelse?"""

EMPTY_TEXT = "Skriv en fråga, till exempel ”När ska RSA rapporteras?”."
THANKS_TEXT = "Varsågod! Fråga gärna igen."
OPINION_TEXT = (
    "Jag har inga egna åsikter – jag återger vad dokumenten säger, med källa. Fråga till "
    "exempel ”Vad säger dokumenten om Nato?” eller ”Vad ska regionen göra inom säkerhetsskydd?”."
)
FEATURES_TEXT = (
    "Jag kan påminna dig inför fristerna och ge dem som kalenderfil. Här kan du fråga om "
    "fristerna, till exempel ”Vilken är nästa deadline?”."
)


def help_answer() -> Answer:
    return Answer(HELP_TEXT, True, "help")


def empty() -> Answer:
    return Answer(EMPTY_TEXT, False, "help")


def thanks() -> Answer:
    return Answer(THANKS_TEXT, True, "help")


def opinion() -> Answer:
    return Answer(OPINION_TEXT, False, "opinion")


def features() -> Answer:
    """Reminders and the calendar: the front end says how (a command, a button)."""
    return Answer(FEATURES_TEXT, True, "help", offers=("watch", "calendar"))


def sources(knowledge: Knowledge) -> Answer:
    """The documents answers come from, as the knowledge base describes them."""
    lines = ["Jag svarar utifrån de här dokumenten:"]
    for d in knowledge.documents.values():
        if not d.file:
            continue  # no text of its own (e.g. the editors' notes)
        about = [d.publisher, d.kind]
        if d.date:
            about.append(f"{d.date_note or 'daterad'} {sv_date(d.date)}")
        lines.append(f"• {d.title} – {', '.join(about)}")
    lines.append("Fråga om något i dem – jag anger alltid dokument och avsnitt.")
    return Answer("\n".join(lines), True, "sources")
