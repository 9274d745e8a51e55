"""Contacts: one organisation's phone, e-mail and address, the honest "I don't know"
with where to turn instead, and how the texts write a person's name (so that an answer
gives a name only when its text has one)."""

from __future__ import annotations

import re

from index.analysis import fold
from knowledge.models import Knowledge

from .answer import Answer, Citer, where_to_turn

# a phone number or an e-mail address: what a contact answer must give
CONTACT_DATA = re.compile(r"\b0\d{1,3}[-–‐ ]\d[\d ]{3,}\d|[\w.+-]+@[\w-]+\.[\w.]+")
UNKNOWN_CONTACT = "leh-funktionen"  # where to turn when the documents do not answer


def unknown_text(knowledge: Knowledge) -> str:
    """The honest "I don't know", pointing to who can answer (from contacts.yaml)."""
    text = (
        "Det vet jag inte – frågan verkar inte besvaras av de dokument jag har "
        "(överenskommelser och vägledningar från MSB, SKR, Socialstyrelsen och regionerna)."
    )
    turn = where_to_turn(knowledge, UNKNOWN_CONTACT)
    if turn:
        name, reach, notes = turn
        text += f" Frågor om överenskommelsen och ersättningen kan ställas till {name}: {reach}."
        text += "".join(f" {n}" for n in notes)
    return text + " Skriv ”hjälp” för exempel på vad jag kan svara på."


def person_names(knowledge: Knowledge, places: frozenset[str]) -> re.Pattern:
    """Two capitalised words in a row that the documents never write in lower case and
    that are no region's name (`places`, folded): "Olivia Wigzell", not "Västra
    Götaland". How the texts name a person; matches nothing when they name none."""
    text = "\n".join(knowledge.texts.values())
    lower = set(re.findall(r"(?<![\w-])[a-zåäöé][\w-]*", text))
    caps = {w for w in re.findall(r"(?<![\w-])[A-ZÅÄÖ][a-zåäöé]+", text) if w.lower() not in lower}
    pairs = {f"{a} {b}" for a, b in re.findall(r"([A-ZÅÄÖ][a-zåäöé]+) ([A-ZÅÄÖ][a-zåäöé]+)", text)
             if a in caps and b in caps and not {fold(a), fold(b)} & places}  # fmt: skip
    if not pairs:
        return re.compile(r"(?!)")
    return re.compile("|".join(sorted(map(re.escape, pairs), key=len, reverse=True)))


def contact_answer(knowledge: Knowledge, contact_id: str) -> Answer:
    c = next(c for c in knowledge.contacts if c.id == contact_id)
    cite = Citer(knowledge)
    cite.cite(c.source)
    lines = [f"{c.name}", c.about]
    if c.phone:
        lines.append(f"Telefon: {c.phone}")
    if c.email:
        lines.append(f"E-post: {c.email}")
    if c.address:
        lines.append(f"Adress: {c.address}")
    lines += knowledge.name_notes(c.name)
    return Answer("\n".join(lines), True, "contact", cite.all())
