"""Deadlines: next occurrences from today, what falls due in a period, and answers."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import TYPE_CHECKING

from knowledge.models import Deadline, Knowledge, OnceRule, RecurringRule

from .answer import Answer, Citer
from .dates import relative, sv_date

if TYPE_CHECKING:
    from .understanding import Understanding


MAX_TIMES = 10  # "de tjugo kommande gångerna": at most this many dates listed


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


def describe(
    knowledge: Knowledge,
    d: Deadline,
    today: date,
    cite: Citer,
    year: int | None = None,
    previous: bool = False,
    after: int | None = None,
    times: int | None = None,
    until: date | None = None,
) -> str:
    """One deadline, its rule, its next (or last) date, who sends it to whom; with `year`
    also its date that year, with `previous` also when it last fell due, with `after` the
    first time after that year, with `times` that many next dates, with `until` each
    date up to that day."""
    cite.cite(d.source)
    lines = [f"{d.title}: {d.rule.describe()}."]
    rule = d.rule
    nxt = next_occurrence(d, today)
    if isinstance(rule, RecurringRule) and previous:
        lines.append(f"Förra gången: {sv_date(rule.last_before(today))}.")
    if nxt:
        lines.append(f"Nästa gång: {sv_date(nxt)} ({relative(nxt, today)}).")
    elif last := rule.last_before(today):  # no next date: a one-off that has passed
        lines.append(f"Fristen har passerat: den var {sv_date(last)}.")
    if nxt and isinstance(rule, RecurringRule) and times and times > 1:
        dates = [nxt]
        while len(dates) < min(times, MAX_TIMES):
            dates.append(rule.next_on_or_after(dates[-1] + timedelta(days=1)))
        lines.append(f"De {len(dates)} kommande: {', '.join(map(sv_date, dates))}.")
    if nxt and isinstance(rule, RecurringRule) and until and until > nxt:
        dates = [nxt]
        step = timedelta(days=1)
        while (following := rule.next_on_or_after(dates[-1] + step)) and following <= until:
            dates.append(following)
        if len(dates) > 1:  # "fram till och med 2035": each time until then
            each = ", ".join(map(sv_date, dates))
            lines.append(f"Varje gång till och med {sv_date(until)}: {each}.")
    if isinstance(rule, RecurringRule) and year and (nxt is None or year != nxt.year):
        that_year = rule.date_in(year)
        if that_year:
            lines.append(f"År {year}: {sv_date(that_year)} ({relative(that_year, today)}).")
        else:
            then = rule.next_on_or_after(date(year, 1, 1))
            lines.append(f"Fristen infaller inte {year}; därefter {sv_date(then)}.")
    if after is not None and (nxt is None or nxt.year <= after):
        later = d.rule.next_on_or_after(date(after + 1, 1, 1))
        lines.append(
            f"Efter {after}: {sv_date(later)} ({relative(later, today)})."
            if later
            else f"Fristen infaller inte efter {after}."
        )
    if d.recipients:
        lines.append(f"Mottagare: {', '.join(d.recipients)}.")
        lines += knowledge.name_notes(" ".join(d.recipients))
    if d.note:
        lines.append(d.note)
    return "\n".join(lines)


def answer_deadlines(
    knowledge: Knowledge,
    deadlines: list[Deadline],
    today: date,
    year: int | None = None,
    previous: bool = False,
    after: int | None = None,
    times: int | None = None,
    until: date | None = None,
) -> Answer:
    cite = Citer(knowledge)
    text = "\n\n".join(
        describe(knowledge, d, today, cite, year, previous, after, times, until)
        for d in deadlines
    )
    return Answer(text, True, "deadline", cite.all(), tuple(d.id for d in deadlines))


def date_meant(d: Deadline, today: date, year: int | None) -> date | None:
    """The date a question means by naming a deadline: a one-off's own, a recurring one's
    in the year named, else its next."""
    if isinstance(d.rule, OnceRule):
        return d.rule.on
    return (d.rule.date_in(year) if year else None) or d.rule.next_on_or_after(today)


def days_between(
    knowledge: Knowledge,
    named: list[tuple[Deadline, int | None]],
    today: date,
) -> Answer | None:
    """The days from one deadline to another ("hur många dagar är det mellan uppföljningen
    i februari och indikatorerna i oktober?"), each with its date and source."""
    cite = Citer(knowledge)
    dated = []
    for d, year in named:
        when = date_meant(d, today, year)
        if when is None:
            return None
        cite.cite(d.source)
        dated.append((when, d))
    (first, a), (last, b) = sorted(dated, key=lambda x: x[0])
    text = (f"Från {a.title} ({sv_date(first)}) till {b.title} ({sv_date(last)}) är det "
            f"{(last - first).days} dagar.")  # fmt: skip
    return Answer(text, True, "deadline", cite.all(), (a.id, b.id))


def on_day(knowledge: Knowledge, day: int, month: int, year: int | None) -> list[Deadline]:
    """Deadlines that fall on a day ("15 februari"), of a given year or any."""
    found = []
    for d in knowledge.deadlines:
        if year is not None:
            when = d.rule.date_in(year)
            hit = when is not None and (when.month, when.day) == (month, day)
        else:
            hit = d.rule.falls_on(month, day)
        if hit:
            found.append(d)
    return found


def answer_past(knowledge: Knowledge, today: date) -> Answer:
    """Deadlines that have passed: one-offs with their date, recurring ones' last time."""
    cite = Citer(knowledge)
    once = sorted(
        (
            (d.rule.on, d)
            for d in knowledge.deadlines
            if isinstance(d.rule, OnceRule) and d.rule.on < today
        ),
        key=lambda pair: (pair[0], pair[1].title),
        reverse=True,
    )
    lines = []
    if once:
        lines.append("Frister som har passerat:")
        for on, d in once:
            cite.cite(d.source)
            lines.append(f"• {sv_date(on)}: {d.title}")
    recurring = [d for d in knowledge.deadlines if isinstance(d.rule, RecurringRule)]
    if recurring:
        lines.append("Återkommande frister, senaste gången:")
        for d in sorted(recurring, key=lambda d: d.rule.last_before(today) or today, reverse=True):
            last = d.rule.last_before(today)
            if last:
                cite.cite(d.source)
                lines.append(f"• {sv_date(last)}: {d.title} ({d.rule.describe()})")
    if not lines:
        return Answer("Inga frister i underlaget har passerat.", True, "deadline")
    return Answer("\n".join(lines), True, "deadline", cite.all())


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
    elif start != today:
        head = f"Kommande frister från och med {sv_date(start)}:"
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


NO_RECIPIENT = "Vem den lämnas till står inte i mina uppgifter om fristen."


def for_municipality(name: str) -> Answer:
    """A deadline asked of a municipality: the cards are the regions' deadlines."""
    return Answer(
        f"”{name[:1].upper()}{name[1:]}” är en kommun. Fristerna i mina dokument gäller "
        "regionerna; om kommunernas frister har jag inga uppgifter. Fråga gärna om en "
        "regions frister, till exempel ”När ska RSA rapporteras?”.",
        False,
        "deadline",
    )


def asked_period(knowledge: Knowledge, u: Understanding, today: date) -> Answer:
    """What falls due in the period asked about ("under våren", "2027", "efter 2027")."""
    start = u.start or today
    until = u.until
    if u.after is not None:
        start = max(today, date(u.after + 1, 1, 1))
    if until is None and u.year and u.year >= today.year:
        start, until = max(today, date(u.year, 1, 1)), date(u.year, 12, 31)
    return answer_upcoming(knowledge, today, until, "next" in u.flags, start)


def asked_again(knowledge: Knowledge, u: Understanding, today: date) -> Answer:
    """The deadlines of the last answer again, for a follow-up ("till vem?", "och 2030?")."""
    leaning = u.leaning
    assert leaning is not None
    deadlines = [d for d in knowledge.deadlines if d.id in leaning.deadline_ids]
    shown = answer_deadlines(knowledge, deadlines, today, u.year, leaning.previous, leaning.after,
                             u.times)  # fmt: skip
    if leaning.recipient and not any(d.recipients for d in deadlines):
        shown = replace(shown, text=shown.text + "\n\n" + NO_RECIPIENT)
    return shown
