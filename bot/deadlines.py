"""Deadlines: next occurrences from today, what falls due in a period, and answers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from knowledge.models import Deadline, Knowledge

from .answer import Answer, Citer
from .dates import relative, sv_date


@dataclass(frozen=True)
class Occurrence:
    deadline: Deadline
    when: date


def next_occurrence(deadline: Deadline, today: date) -> date | None:
    return deadline.rule.next_on_or_after(today)


def upcoming(knowledge: Knowledge, today: date, until: date | None = None) -> list[Occurrence]:
    """Each recurring or future deadline's next occurrence, soonest first; with `until`,
    every occurrence up to and including that day."""
    found = []
    for d in knowledge.deadlines:
        if until is None:
            when = next_occurrence(d, today)
            if when:
                found.append(Occurrence(d, when))
        else:
            found.extend(Occurrence(d, w) for w in d.rule.occurrences(today, until))
    return sorted(found, key=lambda o: (o.when, o.deadline.title))


def describe(knowledge: Knowledge, d: Deadline, today: date, cite: Citer) -> str:
    """One deadline, its rule, its next (or last) date, who sends it to whom."""
    cite.cite(d.source)
    lines = [f"{d.title}: {d.rule.describe()}."]
    nxt = next_occurrence(d, today)
    if nxt:
        lines.append(f"Nästa gång: {sv_date(nxt)} ({relative(nxt, today)}).")
    else:
        last = d.rule.last_before(today)
        lines.append(f"Fristen har passerat: den var {sv_date(last)}.")
    if d.recipients:
        lines.append(f"Mottagare: {', '.join(d.recipients)}.")
        lines += knowledge.name_notes(" ".join(d.recipients))
    if d.note:
        lines.append(d.note)
    return "\n".join(lines)


def answer_deadlines(knowledge: Knowledge, deadlines: list[Deadline], today: date) -> Answer:
    cite = Citer(knowledge)
    text = "\n\n".join(describe(knowledge, d, today, cite) for d in deadlines)
    return Answer(text, True, "deadline", cite.all(), tuple(d.id for d in deadlines))


def answer_upcoming(
    knowledge: Knowledge,
    today: date,
    until: date | None = None,
    only_next: bool = False,
    start: date | None = None,
) -> Answer:
    """'Nästa deadline' or what falls due from `start` (default today) up to `until`
    (or all coming, one each)."""
    start = start or today
    occ = upcoming(knowledge, start, until)
    cite = Citer(knowledge)
    if not occ:
        text = (
            f"Inga frister infaller mellan {sv_date(start)} och {sv_date(until)}."
            if until
            else "Det finns inga kommande frister i underlaget."
        )
        if until:
            after = upcoming(knowledge, until)
            if after:
                o = after[0]
                cite.cite(o.deadline.source)
                text += f" Nästa därefter: {o.deadline.title}, {sv_date(o.when)}."
        return Answer(text, True, "deadline", cite.all())
    if only_next:
        first = [o for o in occ if o.when == occ[0].when]
        head = "Nästa frist:" if len(first) == 1 else "Nästa frister:"
        occ = first
    elif until:
        head = (
            f"Frister {sv_date(start)}–{sv_date(until)}:"
            if start != today
            else (f"Frister till och med {sv_date(until)}:")
        )
    else:
        head = "Kommande frister:"
    lines = [head]
    for o in occ:
        cite.cite(o.deadline.source)
        lines.append(f"• {sv_date(o.when)} ({relative(o.when, today)}): {o.deadline.title}")
        if only_next:
            lines.append(f"  Regel: {o.deadline.rule.describe()}.")
            if o.deadline.recipients:
                lines.append(f"  Mottagare: {', '.join(o.deadline.recipients)}.")
    ids = tuple(dict.fromkeys(o.deadline.id for o in occ))
    return Answer("\n".join(lines), True, "deadline", cite.all(), ids)
