"""Which deadline reminders are due, and what they say. Pure: no Telegram, no database.

A subscription gets a reminder 30, 7 and 1 day(s) before each occurrence of its
deadline, at 09:00 Europe/Stockholm, and moves on to the next occurrence of a
recurring deadline by itself (occurrences are computed from "now" on every run).

Catch-up: if the bot was down when a reminder should have gone out, the next run
sends it, once, as long as the deadline day has not passed. Only the most recent
missed reminder of an occurrence is sent (one message "om 5 dagar", not three).
Reminders whose send time lies before the subscription was made are never sent:
subscribing 5 days before a deadline does not produce a late "30 days" reminder.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from knowledge.models import Deadline, Knowledge

from .answer import Answer, Citer
from .dates import STOCKHOLM, relative, sv_weekday_date

OFFSETS = (30, 7, 1)  # days before an occurrence
SEND_AT = time(9, 0)  # local time in Europe/Stockholm


def schedule_text() -> str:
    """'30, 7 och 1 dag före, kl. 09.00': how reminders are timed, for help texts."""
    days = ", ".join(map(str, OFFSETS[:-1])) + f" och {OFFSETS[-1]}"
    return f"{days} dag{'ar' if OFFSETS[-1] != 1 else ''} före, kl. {SEND_AT:%H.%M}"


@dataclass(frozen=True)
class Subscription:
    chat_id: int
    deadline_id: str
    created: datetime  # aware


@dataclass(frozen=True, order=True)
class ReminderKey:
    """One reminder: recorded exactly once (the store's UNIQUE key)."""

    chat_id: int
    deadline_id: str
    occurrence: date
    offset_days: int


def send_time(occurrence: date, offset_days: int) -> datetime:
    """When the reminder `offset_days` before `occurrence` is due (aware, Stockholm)."""
    return datetime.combine(occurrence - timedelta(days=offset_days), SEND_AT, STOCKHOLM)


def due_reminders(
    subscriptions: Iterable[Subscription],
    deadlines: Mapping[str, Deadline],
    recorded: set[ReminderKey],
    now: datetime,
) -> list[ReminderKey]:
    """The reminders to send now, given those already recorded (sent or being sent)."""
    today = now.astimezone(STOCKHOLM).date()
    horizon = today + timedelta(days=max(OFFSETS))
    due = []
    for sub in subscriptions:
        deadline = deadlines.get(sub.deadline_id)
        if deadline is None:  # removed from the knowledge base since
            continue
        for occurrence in deadline.rule.occurrences(today, horizon):
            passed = [o for o in OFFSETS if sub.created < send_time(occurrence, o) <= now]
            if not passed:
                continue
            key = ReminderKey(sub.chat_id, deadline.id, occurrence, min(passed))
            if key not in recorded:
                due.append(key)
    return sorted(due)


def reminder_answer(knowledge: Knowledge, keys: Iterable[ReminderKey], today: date) -> Answer:
    """One message for all of a chat's due reminders, in Swedish, with sources."""
    keys = sorted(keys, key=lambda k: (k.occurrence, k.deadline_id))
    cite = Citer(knowledge)
    blocks = []
    for key in keys:
        d = knowledge.deadline(key.deadline_id)
        cite.cite(d.source)
        lines = [
            f"{d.title}: {sv_weekday_date(key.occurrence)} ({relative(key.occurrence, today)}).",
            f"Regel: {d.rule.describe()}.",
        ]
        if d.recipients:
            lines.append(f"Mottagare: {', '.join(d.recipients)}.")
        if d.note:
            lines.append(d.note)
        lines.append(f"Sluta bevaka: /avbevaka {d.id}")
        blocks.append("\n".join(lines))
    head = "Påminnelse om en frist:" if len(keys) == 1 else "Påminnelse om frister:"
    text = head + "\n\n" + "\n\n".join(blocks)
    # No deadline_ids: the chat already watches these, so no "Bevaka" buttons.
    return Answer(text, True, "reminder", cite.all())
