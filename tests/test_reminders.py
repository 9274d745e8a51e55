"""The reminder planner: 30/7/1 days before at 09:00 Stockholm, catch-up, moving on."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.engine.dates import STOCKHOLM, sv_weekday_date
from bot.subscriptions import reminders
from bot.subscriptions.reminders import (
    ReminderKey,
    Subscription,
    due_reminders,
    send_time,
)
from bot.telegram.texts import reminder_answer  # with the commands' lines, as sent
from knowledge.models import WEEKDAYS_SV

RSA_2027 = date(2027, 10, 31)


def at(y, m, d, hh=9, mm=0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=STOCKHOLM)


def plan(kb, subs, now, recorded=frozenset()):
    return due_reminders(subs, {d.id: d for d in kb.deadlines}, set(recorded), now)


def rsa_sub(created=None, chat=42):
    return Subscription(chat, "rsa", created or at(2027, 9, 1, 8))


def test_send_time_is_nine_in_stockholm_across_summer_time():
    # 1 October 2027 is summer time (UTC+2), 30 October too; 16 January is winter (UTC+1).
    assert send_time(RSA_2027, 30).astimezone(UTC) == datetime(2027, 10, 1, 7, tzinfo=UTC)
    assert send_time(RSA_2027, 1).astimezone(UTC) == datetime(2027, 10, 30, 7, tzinfo=UTC)
    feb = date(2027, 2, 15)
    assert send_time(feb, 30).astimezone(UTC) == datetime(2027, 1, 16, 8, tzinfo=UTC)


def test_each_offset_falls_due_at_nine_and_only_once(kb):
    subs = [rsa_sub()]
    assert plan(kb, subs, at(2027, 10, 1, 8, 59)) == []
    first = plan(kb, subs, at(2027, 10, 1))
    assert first == [ReminderKey(42, "rsa", RSA_2027, 30)]
    recorded = set(first)
    assert plan(kb, subs, at(2027, 10, 10), recorded) == []
    seven = plan(kb, subs, at(2027, 10, 24), recorded)
    assert seven == [ReminderKey(42, "rsa", RSA_2027, 7)]
    recorded |= set(seven)
    one = plan(kb, subs, at(2027, 10, 30, 9, 1), recorded)
    assert one == [ReminderKey(42, "rsa", RSA_2027, 1)]
    recorded |= set(one)
    assert plan(kb, subs, at(2027, 10, 31, 12), recorded) == []


def test_moves_on_to_the_next_occurrence_of_a_recurring_deadline(kb):
    subs = [rsa_sub()]
    assert plan(kb, subs, at(2027, 11, 1)) == []  # this occurrence has passed
    assert plan(kb, subs, at(2031, 10, 1)) == [ReminderKey(42, "rsa", date(2031, 10, 31), 30)]


def test_catch_up_sends_only_the_most_recent_missed_reminder(kb):
    # Down from 1 September to 26 October: the 30- and 7-day reminders were missed.
    assert plan(kb, [rsa_sub()], at(2027, 10, 26, 14)) == [ReminderKey(42, "rsa", RSA_2027, 7)]


def test_catch_up_on_the_deadline_day_but_not_after(kb):
    assert plan(kb, [rsa_sub()], at(2027, 10, 31, 16)) == [ReminderKey(42, "rsa", RSA_2027, 1)]
    assert plan(kb, [rsa_sub()], at(2027, 11, 1, 0, 1)) == []


def test_no_reminder_whose_time_was_before_the_subscription(kb):
    late = rsa_sub(created=at(2027, 10, 5, 12))
    assert plan(kb, [late], at(2027, 10, 5, 12, 1)) == []
    assert plan(kb, [late], at(2027, 10, 24)) == [ReminderKey(42, "rsa", RSA_2027, 7)]


def test_unknown_deadline_and_past_one_off_give_nothing(kb):
    subs = [
        Subscription(1, "removed-from-knowledge", at(2020, 1, 1)),
        Subscription(2, "rekvisition-2023", at(2023, 10, 1)),
    ]
    assert plan(kb, subs, at(2023, 11, 1)) == [
        ReminderKey(2, "rekvisition-2023", date(2023, 12, 1), 30)
    ]
    assert plan(kb, subs, at(2024, 11, 1)) == []


@settings(max_examples=40, deadline=None)
@given(
    created_days=st.integers(min_value=0, max_value=800),
    step_hours=st.integers(min_value=4, max_value=24 * 12),
)
def test_runs_at_any_rhythm_never_repeat_a_reminder(kb, created_days, step_hours):
    """Whatever the gaps between runs, no reminder is due twice and no occurrence gets
    more than one reminder per run; runs at least daily get all three, in order."""
    created = at(2026, 1, 1, 10) + timedelta(days=created_days)
    subs = [Subscription(7, "indikatorer", created), Subscription(7, "rsa", created)]
    recorded: set[ReminderKey] = set()
    now, end = created, created + timedelta(days=800)
    while now < end:
        due = plan(kb, subs, now, recorded)
        per_occurrence = [(k.deadline_id, k.occurrence) for k in due]
        assert len(per_occurrence) == len(set(per_occurrence))
        assert not recorded & set(due)
        recorded |= set(due)
        now += timedelta(hours=step_hours)
    if step_hours <= 24:
        by_occ: dict = {}
        for k in recorded:
            by_occ.setdefault((k.deadline_id, k.occurrence), set()).add(k.offset_days)
        full = [
            o
            for (d, occ), o in by_occ.items()
            if send_time(occ, 30) > created and send_time(occ, 1) < end - timedelta(days=1)
        ]
        assert full and all(o == {30, 7, 1} for o in full)


def test_reminder_text_in_swedish_with_source_and_way_out(kb):
    a = reminder_answer(kb, [ReminderKey(42, "rsa", RSA_2027, 30)], date(2027, 10, 1))
    assert a.text.startswith("Påminnelse om en frist:")
    assert (
        "Rapportering av risk- och sårbarhetsanalys (RSA): söndag 31 oktober 2027 (om 30 dagar)"
        in a.text
    )
    assert "Regel: 31 oktober vart fjärde år." in a.text
    assert "/avbevaka rsa" in a.text
    assert a.sources and a.sources[0].section == "Viktiga datum"
    assert a.deadline_ids == ()  # no "Bevaka" button on a reminder


def test_the_way_out_is_the_front_ends_line(kb):
    keys = [ReminderKey(1, "indikatorer", RSA_2027, 7), ReminderKey(1, "rsa", RSA_2027, 7)]
    facts = reminders.reminder_answer(kb, keys, date(2027, 10, 24))
    assert "/avbevaka" not in facts.text
    sent = reminder_answer(kb, keys, date(2027, 10, 24))
    blocks = sent.text.split("\n\n")[1:]
    assert [b.splitlines()[-1] for b in blocks] == [
        "Sluta bevaka: /avbevaka indikatorer",
        "Sluta bevaka: /avbevaka rsa",
    ]
    assert sent.text.replace("\nSluta bevaka: /avbevaka indikatorer", "").replace(
        "\nSluta bevaka: /avbevaka rsa", ""
    ) == facts.text


def test_weekday_names_follow_the_calendar():
    # 25 October 2027 is a Monday; a week of days gives every name once, in order
    days = [sv_weekday_date(date(2027, 10, 25) + timedelta(days=i)) for i in range(7)]
    assert days[0] == "måndag 25 oktober 2027" and days[6] == "söndag 31 oktober 2027"
    assert [d.split()[0] for d in days] == WEEKDAYS_SV
    assert sv_weekday_date(date(2028, 2, 29)) == "tisdag 29 februari 2028"


def test_one_message_for_several_reminders(kb):
    keys = [ReminderKey(1, "indikatorer", RSA_2027, 7), ReminderKey(1, "rsa", RSA_2027, 7)]
    a = reminder_answer(kb, keys, date(2027, 10, 24))
    assert a.text.startswith("Påminnelse om frister:")
    assert "Indikatorer för bedömning" in a.text and "risk- och sårbarhetsanalys" in a.text
