"""The deadlines as an iCalendar (.ics) file: one all-day event per occurrence.

Occurrences are listed explicitly for the coming years (rather than as RRULEs) so that
every calendar shows exactly the dates the bot computes ("senast i juni" is the last
day of June). UIDs are stable - deadline id and date - so importing a newer file
updates the events instead of duplicating them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from icalendar import Calendar, Event

from knowledge.models import Deadline, Knowledge

YEARS_AHEAD = 5
UID_DOMAIN = "beredskapsboten"


def occurrences(deadline: Deadline, today: date, years: int = YEARS_AHEAD) -> list[date]:
    """From today through the same day `years` later; past one-offs have none."""
    until = date(today.year + years, today.month, min(today.day, 28))
    return deadline.rule.occurrences(today, until)


def _description(knowledge: Knowledge, d: Deadline) -> str:
    lines = [f"Regel: {d.rule.describe()}."]
    if d.who:
        lines.append(f"Vem: {d.who}.")
    if d.recipients:
        lines.append(f"Mottagare: {', '.join(d.recipients)}.")
    if d.note:
        lines.append(d.note)
    doc = knowledge.documents[d.source.doc]
    lines.append(f"Källa: {doc.title}, {d.source.section}")
    return "\n".join(lines)


def deadlines_calendar(
    knowledge: Knowledge,
    deadlines: Iterable[Deadline],
    today: date,
    now: datetime,
    years: int = YEARS_AHEAD,
) -> bytes:
    """The .ics bytes for `deadlines`' occurrences from `today` and `years` ahead."""
    cal = Calendar()
    cal.add("prodid", "-//Beredskapsboten//Frister//SV")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", "Beredskapsbotens frister")
    cal.add("x-wr-timezone", "Europe/Stockholm")
    for d in deadlines:
        description = _description(knowledge, d)
        for when in occurrences(d, today, years):
            event = Event()
            event.add("uid", f"{d.id}-{when.isoformat()}@{UID_DOMAIN}")
            event.add("dtstamp", now)
            event.add("dtstart", when)  # a date: an all-day event
            event.add("dtend", when + timedelta(days=1))
            event.add("summary", d.title)
            event.add("description", description)
            event.add("categories", ["Frist"])
            event.add("transp", "TRANSPARENT")
            cal.add_component(event)
    return cal.to_ical()
