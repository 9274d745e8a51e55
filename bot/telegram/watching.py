"""Watching deadlines: the answers to /bevaka, /avbevaka, /mina, /glom and /integritet,
and to the "Klar" / "Påminn igen om 1 dag" buttons under a reminder.

The words of the Telegram front end over the store (its answers name the commands),
though it imports no python-telegram-bot: each function takes the store, a chat id and
the clock's "now", changes what is stored, and returns the Answer the user reads.

When the database cannot be used (locked for longer than the busy timeout, read-only),
the store raises StoreUnavailable having changed nothing, and the user reads a short
"try again in a while" answer instead (kind UNAVAILABLE).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from knowledge.models import Deadline, Knowledge

from ..engine.answer import Answer, AnswerKind, Citer
from ..engine.dates import STOCKHOLM, relative, sv_date
from ..subscriptions.reminders import AGAIN_AFTER, OFFSETS, schedule_text
from ..subscriptions.store_base import Store, StoreUnavailable

log = logging.getLogger(__name__)

MatchDeadline = Callable[[str], list[Deadline]]

UNAVAILABLE: AnswerKind = "unavailable"  # the kind of an answer given when the database is unusable
NOT_SAVED = "Kunde inte spara just nu – försök igen om en stund. Inget har ändrats."
NOT_READ = "Kunde inte läsa dina bevakningar just nu – försök igen om en stund."
NOT_DELETED = "Kunde inte radera just nu – försök igen om en stund. Inget har raderats ännu."


def _store_guard(text: str):
    """Turn StoreUnavailable raised by the decorated function into an answer `text`."""

    def decorate(fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            try:
                return fn(*args, **kwargs)
            except StoreUnavailable as exc:
                log.warning("%s: the database is unavailable: %s", fn.__name__, exc)
                return Answer(text, False, UNAVAILABLE)

        return wrapper

    return decorate


def button_notice(answer: Answer, deadline: Deadline) -> str:
    """The short notice shown on a pressed "Bevaka" button."""
    if answer.kind == UNAVAILABLE:
        return "Kunde inte spara just nu – försök igen"
    return f"Du bevakar {deadline.short}" if answer.answered else "Fristen har passerat"


ALL_WORDS = {"alla", "allt", "samtliga", "all"}
WHEN = f"Du får påminnelser inför varje tillfälle: {schedule_text()} svensk tid."

PRIVACY = """Det här sparar Beredskapsboten om en chatt:
• Chattens id-nummer och vilka frister chatten bevakar, med tidpunkten då bevakningen \
gjordes – för att kunna skicka påminnelser.
• Vilka påminnelser som har skickats (frist, datum och antal dagar före), så att ingen \
påminnelse skickas två gånger. De uppgifterna tas bort när fristen har passerat.
• När ett källdokument ersätts av en ny version: vilka av dina frister meddelandet gäller \
och om det har skickats, så att du får det en gång.
• Om någon har tryckt ”Klar” eller ”Påminn igen om 1 dag” under en påminnelse: vilken \
frist och vilket datum det gällde, när och hur långt den extra påminnelsen har kommit. \
Också det tas bort när fristen har passerat.
• Om någon trycker 👍 eller 👎 under ett svar: vilket slags svar det var, vilket avsnitt \
det byggde på, omdömet och datumet – inte frågan, inte vem som tryckte och inte i vilken \
chatt. Omdömena går alltså inte att koppla till dig; därför raderar /glom dem inte. De \
sparas i ett år.

Det sparas inte: dina frågor, ditt namn, ditt användarnamn eller ditt telefonnummer. \
Den senaste frågan och vad svaret gällde hålls bara i minnet, i högst 30 minuter, så att \
du kan ställa en följdfråga (”och Skåne då?”); en ny fråga ersätter den. Lika länge minns \
jag vilket av mina meddelanden som svarade på vilket av dina, så att en fråga du redigerar \
ändrar mitt svar i stället för att få ett nytt, och i en timme vilka svar som nyss fått \
ett omdöme, så att ett dubbeltryck inte räknas två gånger. Inget av det skrivs till disk; \
allt glöms vid /glom eller en omstart. En fråga i inline-läget (@boten och frågan, i en \
annan chatt) lämnar ingenting efter sig. Felloggar innehåller bara uppdateringens nummer, \
aldrig vad du skrev.

Radera allt som sparats om chatten: /glom (i en grupp: gruppens administratörer)
Sluta bevaka en frist: /avbevaka
Om du blockerar boten raderas chattens bevakningar vid nästa påminnelse."""


def _today(now: datetime) -> date:
    return now.astimezone(STOCKHOLM).date()


def _next_line(d: Deadline, today: date) -> str:
    nxt = d.rule.next_on_or_after(today)
    if nxt is None:
        return f"• {d.short} – fristen har passerat"
    return f"• {d.short} – nästa gång {sv_date(nxt)} ({relative(nxt, today)})"


def deadline_menu(knowledge: Knowledge, today: date) -> str:
    """The deadlines that can be watched, each with its command."""
    lines = [
        f"• {d.short}: /bevaka {d.id}"
        for d in knowledge.deadlines
        if d.rule.next_on_or_after(today)
    ]
    lines.append("• Alla: /bevaka alla")
    return "\n".join(lines)


@_store_guard(NOT_SAVED)
def watch(
    knowledge: Knowledge,
    match: MatchDeadline,
    store: Store,
    chat_id: int,
    query: str,
    now: datetime,
) -> Answer:
    """/bevaka <frist | alla>."""
    today = _today(now)
    query = query.strip()
    if not query:
        return Answer(
            "Vilken frist vill du bevaka? Skriv till exempel /bevaka rsa.\n\n"
            "Frister du kan bevaka:\n" + deadline_menu(knowledge, today),
            False,
            "watch",
        )
    found = match(query)
    if not found:
        return Answer(
            f"Jag hittar ingen frist som heter ”{query}”.\n\n"
            "Frister du kan bevaka:\n" + deadline_menu(knowledge, today),
            False,
            "watch",
        )
    if query.casefold() in ALL_WORDS:
        found = [d for d in found if d.rule.next_on_or_after(today)]
        if not found:
            return Answer("Det finns inga kommande frister att bevaka.", False, "watch")
    return watch_deadlines(knowledge, store, chat_id, found, now)


@_store_guard(NOT_SAVED)
def watch_deadlines(
    knowledge: Knowledge,
    store: Store,
    chat_id: int,
    deadlines: Sequence[Deadline],
    now: datetime,
) -> Answer:
    """Subscribe to `deadlines` (past one-offs are explained, not subscribed)."""
    today = _today(now)
    future = [d for d in deadlines if d.rule.next_on_or_after(today)]
    passed = [d for d in deadlines if d not in future]
    cite = Citer(knowledge)
    for d in deadlines:
        cite.cite(d.source)
    parts = []
    if passed:
        parts.append(
            "\n".join(
                f"{d.title} var {sv_date(d.rule.last_before(today))} och återkommer inte, "  # type: ignore[arg-type]  # a past one-off
                "så det finns inget att bevaka."
                for d in passed
            )
        )
    if future:
        added = set(store.subscribe(chat_id, [d.id for d in future], now))
        new = [d for d in future if d.id in added]
        old = [d for d in future if d.id not in added]
        if new:
            parts.append(
                "Du bevakar nu:\n" + "\n".join(_next_line(d, today) for d in new) + f"\n{WHEN}"
            )
        if old:
            parts.append("Du bevakade redan:\n" + "\n".join(_next_line(d, today) for d in old))
        stop = future[0].id if len(future) == 1 else "alla"
        parts.append(f"Dina bevakningar: /mina · Sluta bevaka: /avbevaka {stop}")
    return Answer("\n\n".join(parts), bool(future), "watch", cite.all())


@_store_guard(NOT_SAVED)
def unwatch(
    knowledge: Knowledge,
    match: MatchDeadline,
    store: Store,
    chat_id: int,
    query: str,
) -> Answer:
    """/avbevaka <frist | alla>."""
    query = query.strip()
    watched = {s.deadline_id for s in store.subscriptions(chat_id)}
    if not watched:
        return Answer("Du bevakar inga frister.", False, "watch")
    if query.casefold() in ALL_WORDS:
        removed = store.unsubscribe(chat_id, sorted(watched))
        return Answer(
            f"Du bevakar inte längre några frister ({len(removed)} borttagna). "
            "Inga fler påminnelser kommer.",
            True,
            "watch",
        )
    current = [d for d in knowledge.deadlines if d.id in watched]
    menu = "\n".join(f"• {d.short}: /avbevaka {d.id}" for d in current)
    menu += "\n• Alla: /avbevaka alla"
    if not query:
        return Answer("Vilken bevakning vill du ta bort?\n" + menu, False, "watch")
    by_id = {d.id: d for d in current}
    found = [by_id[query.casefold()]] if query.casefold() in by_id else match(query)
    if not found:
        return Answer(
            f"Jag hittar ingen frist som heter ”{query}”. Du bevakar:\n" + menu, False, "watch"
        )
    removed = store.unsubscribe(chat_id, [d.id for d in found])
    if not removed:
        names = ", ".join(d.short for d in found)
        return Answer(f"Du bevakar inte {names}. Du bevakar:\n" + menu, False, "watch")
    names = ", ".join(by_id[r].short for r in removed)
    them = "den" if len(removed) == 1 else "dem"
    return Answer(
        f"Du bevakar inte längre {names}. Inga fler påminnelser om {them} kommer.\n"
        f"Bevaka igen: /bevaka {removed[0]}",
        True,
        "watch",
    )


@_store_guard(NOT_READ)
def mine(knowledge: Knowledge, store: Store, chat_id: int, now: datetime) -> Answer:
    """/mina: what this chat watches, with each deadline's next date."""
    today = _today(now)
    watched = {s.deadline_id for s in store.subscriptions(chat_id)}
    current = [d for d in knowledge.deadlines if d.id in watched]
    if not current:
        return Answer(
            "Du bevakar inga frister ännu. Bevaka en med till exempel /bevaka rsa, "
            "eller alla med /bevaka alla.",
            True,
            "watch",
        )
    cite = Citer(knowledge)
    lines = ["Du bevakar:"]
    for d in current:
        cite.cite(d.source)
        lines.append(f"{_next_line(d, today)}. Sluta: /avbevaka {d.id}")
    lines += ["", WHEN, "Som kalenderfil: /kalender mina"]
    return Answer("\n".join(lines), True, "watch", cite.all())


@_store_guard(NOT_DELETED)
def forget(store: Store, chat_id: int) -> Answer:
    """/glom: delete everything stored about the chat."""
    gone = store.forget(chat_id)
    if not (gone.subscriptions or gone.reminders or gone.notices or gone.replies):
        return Answer(
            "Jag hade inget sparat om den här chatten. Frågor sparas aldrig.", True, "privacy"
        )

    def count(n: int, one: str, many: str) -> str:
        return f"{n} {one if n == 1 else many}"

    parts = [
        count(gone.subscriptions, "bevakning", "bevakningar"),
        count(gone.reminders, "uppgift", "uppgifter") + " om skickade påminnelser",
    ]
    if gone.notices:
        what = count(gone.notices, "uppgift", "uppgifter")
        parts.append(f"{what} om meddelanden om ändrade källdokument")
    if gone.replies:
        parts.append(count(gone.replies, "svar", "svar") + " på påminnelser (Klar, Påminn igen)")
    listed = ", ".join(parts[:-1]) + " och " + parts[-1]
    return Answer(
        f"Klart. Jag har raderat allt jag hade sparat om den här chatten: {listed}. "
        "Du kan fortsätta ställa frågor – frågor sparas aldrig.",
        True,
        "privacy",
    )


@dataclass(frozen=True)
class ReminderReply:
    """What a press on a reminder's button did: the short notice shown on the button
    (None: the button names nothing a reminder could be about - forged, or an old
    version's) and whether it changed anything (then the buttons show the choice)."""

    notice: str | None
    changed: bool = False


def answer_reminder(
    knowledge: Knowledge,
    store: Store,
    chat_id: int,
    action: str,
    deadline_id: str,
    occurrence: date,
    now: datetime,
) -> ReminderReply:
    """ "Klar" (action "done"): no more reminders for this occurrence in this chat.
    "Påminn igen om 1 dag" ("again"): one extra reminder 24 hours from now. A second
    press changes nothing. Only a real occurrence of a known deadline within reminder
    range is stored, and only for a chat that watches it."""
    today = _today(now)
    d = knowledge.deadline(deadline_id)
    if (
        d is None
        or occurrence not in d.rule.occurrences(occurrence, occurrence)
        or occurrence > today + timedelta(days=max(OFFSETS))  # no reminder is that early
    ):
        return ReminderReply(None)
    if occurrence < today:
        return ReminderReply("Fristen har redan passerat")
    try:
        if action == "done":
            result = store.mark_done(chat_id, d.id, occurrence, now)
        else:
            due = now + AGAIN_AFTER
            if _today(due) > occurrence:  # it would come after the deadline day
                return ReminderReply("Fristen är i dag – en påminnelse i morgon kommer för sent")
            result = store.remind_again(chat_id, d.id, occurrence, due)
    except StoreUnavailable:
        return ReminderReply("Kunde inte spara just nu – försök igen")
    notices = {
        "done": f"Klart – inga fler påminnelser om {d.short} {sv_date(occurrence)}",
        "booked": f"Jag påminner om {d.short} igen i morgon",
        "already": "Redan markerad som klar" if action == "done" else "Redan bokad",
        "not watched": f"Du bevakar inte {d.short} längre",
    }
    if result == "done" and action == "again":
        return ReminderReply(f"Du har redan markerat {d.short} som klar")
    return ReminderReply(notices[result], changed=result in ("done", "booked"))


def privacy() -> Answer:
    """/integritet."""
    return Answer(PRIVACY, True, "privacy")
