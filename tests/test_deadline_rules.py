"""Deadline rules: every n years, yearly, once, month-only; around new year."""

from datetime import date

import pytest

from bot.engine.deadlines import (
    answer_deadlines,
    answer_past,
    date_meant,
    days_between,
    on_day,
    upcoming,
)
from knowledge.models import EveryNYearsRule, OnceRule, YearlyRule
from tests.conftest import TODAY

RSA = EveryNYearsRule(month=10, day=31, n=4, anchor_year=2023)
FEB15 = YearlyRule(month=2, day=15)
ONCE = OnceRule(on=date(2024, 3, 31))
JUNE = YearlyRule(month=6)


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2026, 11, 24), date(2027, 10, 31)),
        (date(2023, 10, 31), date(2023, 10, 31)),  # the day itself is still due
        (date(2023, 11, 1), date(2027, 10, 31)),
        (date(2020, 1, 1), date(2023, 10, 31)),  # before the anchor the rule runs backwards too
        (date(2019, 10, 31), date(2019, 10, 31)),
    ],
)
def test_every_fourth_year(today, expected):
    assert RSA.next_on_or_after(today) == expected


def test_yearly_rolls_over_new_year():
    assert FEB15.next_on_or_after(date(2026, 12, 31)) == date(2027, 2, 15)
    assert FEB15.next_on_or_after(date(2027, 1, 1)) == date(2027, 2, 15)
    assert FEB15.next_on_or_after(date(2027, 2, 15)) == date(2027, 2, 15)
    assert FEB15.next_on_or_after(date(2027, 2, 16)) == date(2028, 2, 15)
    assert FEB15.last_before(date(2027, 1, 1)) == date(2026, 2, 15)


def test_once_is_past_after_its_date():
    assert ONCE.next_on_or_after(date(2024, 3, 31)) == date(2024, 3, 31)
    assert ONCE.next_on_or_after(date(2024, 4, 1)) is None
    assert ONCE.last_before(date(2026, 11, 24)) == date(2024, 3, 31)


def test_month_only_rule_falls_on_the_last_day():
    assert JUNE.next_on_or_after(date(2026, 11, 24)) == date(2027, 6, 30)
    assert JUNE.describe() == "senast i juni varje år"


def test_descriptions_are_swedish():
    assert RSA.describe() == "31 oktober vart fjärde år"
    assert FEB15.describe() == "15 februari varje år"
    assert ONCE.describe() == "en gång, senast 31 mars 2024"


def test_occurrences_in_a_window():
    assert RSA.occurrences(date(2023, 1, 1), date(2031, 12, 31)) == [
        date(2023, 10, 31),
        date(2027, 10, 31),
        date(2031, 10, 31),
    ]


def test_upcoming_from_pinned_today(kb):
    occ = upcoming(kb, date(2026, 11, 24))
    assert occ[0].when == date(2027, 2, 15)
    assert occ[0].deadline.id == "arlig-uppfoljning"
    assert all(o.when >= date(2026, 11, 24) for o in occ)
    assert not any(o.deadline.id == "rekvisition-2023" for o in occ)  # past one-off


def test_upcoming_window_lists_every_occurrence(kb):
    occ = upcoming(kb, date(2026, 11, 24), until=date(2028, 3, 1))
    feb = [o.when for o in occ if o.deadline.id == "arlig-uppfoljning"]
    assert feb == [date(2027, 2, 15), date(2028, 2, 15)]


# -- answers that name a day, a year or the past ------------------------------------------


def test_deadlines_on_a_day_of_any_year_and_of_a_given_year(kb):
    assert [d.id for d in on_day(kb, 15, 2, None)] == ["arlig-uppfoljning"]
    assert {d.id for d in on_day(kb, 31, 10, 2027)} == {"rsa", "indikatorer"}
    assert [d.id for d in on_day(kb, 31, 10, 2028)] == ["indikatorer"]  # RSA: every 4th
    assert [d.id for d in on_day(kb, 30, 6, None)] == ["utbetalning-ersattning"]  # "i juni"
    assert on_day(kb, 1, 1, None) == []


def test_a_year_the_rule_skips_names_the_next_one(kb):
    text = answer_deadlines(kb, [kb.deadline("rsa")], TODAY, year=2029).text
    assert "Fristen infaller inte 2029; därefter 31 oktober 2031." in text
    text = answer_deadlines(kb, [kb.deadline("rsa")], TODAY, previous=True).text
    assert "Förra gången: 31 oktober 2023." in text


def test_past_deadlines_newest_first_with_recurring_ones_last_time(kb):
    text = answer_past(kb, TODAY).text
    assert text.index("31 mars 2024") < text.index("1 december 2023")
    assert "• 31 oktober 2026: Indikatorer" in text
    assert "• 31 oktober 2023: Rapportering av risk- och sårbarhetsanalys" in text


def test_the_loader_builds_one_rule_type_per_kind(kb):
    assert kb.deadline("rsa").rule == RSA
    assert kb.deadline("arlig-uppfoljning").rule == FEB15
    assert kb.deadline("utbetalning-ersattning").rule == JUNE
    assert kb.deadline("rekvisition-2023").rule == OnceRule(on=date(2023, 12, 1))


def test_a_rule_falls_on_a_day_of_the_year():
    assert RSA.falls_on(10, 31) and not RSA.falls_on(10, 30)
    assert JUNE.falls_on(6, 30) and not JUNE.falls_on(6, 15)
    assert ONCE.falls_on(3, 31) and not ONCE.falls_on(3, 30)


def test_days_between_two_deadlines_each_on_the_date_meant(kb):
    """A one-off on its own date, a recurring one in the year named or else next; the
    days counted from the earlier to the later, whichever is named first."""
    rsa, follow_up = kb.deadline("rsa"), kb.deadline("arlig-uppfoljning")
    today = date(2026, 12, 4)
    assert date_meant(follow_up, today, None) == date(2027, 2, 15)
    assert date_meant(follow_up, today, 2028) == date(2028, 2, 15)
    a = days_between(kb, [(rsa, None), (follow_up, None)], today)
    assert a is not None and a.answered and a.deadline_ids == ("arlig-uppfoljning", "rsa")
    assert (date(2027, 10, 31) - date(2027, 2, 15)).days == 258
    assert a.text.startswith("Från Årlig uppföljning") and "är det 258 dagar." in a.text
    once = [d for d in kb.deadlines if isinstance(d.rule, OnceRule)][0]
    assert date_meant(once, today, 2030) == once.rule.on
