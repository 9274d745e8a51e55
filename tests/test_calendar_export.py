"""The .ics export: all-day events on the computed dates, stable UIDs, sources."""

from __future__ import annotations

from datetime import date, datetime

from icalendar import Calendar

from bot.engine.calendar_export import deadlines_calendar
from bot.engine.dates import STOCKHOLM

TODAY = date(2026, 11, 24)
NOW = datetime(2026, 11, 24, 10, tzinfo=STOCKHOLM)


def events(data: bytes) -> dict[str, list]:
    """summary-less view: deadline id -> its events, parsed back from the bytes."""
    cal = Calendar.from_ical(data)
    found: dict[str, list] = {}
    for e in cal.walk("VEVENT"):
        found.setdefault(str(e["uid"]).split("-20")[0], []).append(e)
    return found


def test_every_future_occurrence_for_five_years_and_no_past_one_offs(kb):
    by_id = events(deadlines_calendar(kb, kb.deadlines, TODAY, NOW))
    dates = {k: sorted(e.decoded("dtstart") for e in v) for k, v in by_id.items()}
    assert dates["rsa"] == [date(2027, 10, 31), date(2031, 10, 31)]
    assert dates["indikatorer"] == [date(y, 10, 31) for y in range(2027, 2032)]
    assert dates["arlig-uppfoljning"] == [date(y, 2, 15) for y in range(2027, 2032)]
    # "senast i juni": the last day of June
    assert dates["utbetalning-ersattning"] == [date(y, 6, 30) for y in range(2027, 2032)]
    assert not {"rekvisition", "redovisning-socialstyrelsen", "aterbetalning"} & set(dates)


def test_all_day_events_with_rule_and_source(kb):
    rsa = kb.deadline("rsa")
    cal = Calendar.from_ical(deadlines_calendar(kb, [rsa], TODAY, NOW))
    assert cal["x-wr-calname"] == "Beredskapsbotens frister"
    first = next(iter(cal.walk("VEVENT")))
    start, end = first.decoded("dtstart"), first.decoded("dtend")
    assert type(start) is date and (end - start).days == 1  # all-day, not a datetime
    assert str(first["summary"]) == rsa.title
    description = str(first["description"])
    assert "Regel: 31 oktober vart fjärde år." in description
    assert "Källa: Samlat stöd till regioner, Viktiga datum" in description


def test_uids_are_stable_between_exports(kb):
    def uids(now):
        cal = Calendar.from_ical(deadlines_calendar(kb, kb.deadlines, TODAY, now))
        return [str(e["uid"]) for e in cal.walk("VEVENT")]

    assert uids(NOW) == uids(datetime(2026, 11, 25, 8, tzinfo=STOCKHOLM))
    assert "rsa-2027-10-31@beredskapsboten" in uids(NOW)
    assert len(set(uids(NOW))) == len(uids(NOW))


def test_only_the_chosen_deadlines(kb):
    mine = [kb.deadline("arlig-uppfoljning")]
    assert set(events(deadlines_calendar(kb, mine, TODAY, NOW))) == {"arlig-uppfoljning"}
