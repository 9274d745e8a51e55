"""Which deadline reminders are due, and what they say. Pure: no Telegram, no database.

A subscription gets a reminder 30, 7 and 1 day(s) before each occurrence of its
deadline, at 09:00 Europe/Stockholm, and moves on to the next occurrence of a
recurring deadline by itself (occurrences are computed from "now" on every run).

Catch-up: if the bot was down when a reminder should have gone out, the next run
sends it, once, as long as the deadline day has not passed. Only the most recent
missed reminder of an occurrence is sent (one message "om 5 dagar", not three).
Reminders whose send time lies before the subscription was made are never sent:
subscribing 5 days before a deadline does not produce a late "30 days" reminder.

A chat can answer a reminder with its buttons (bot.store keeps the answer per chat,
deadline and occurrence): "Klar" - no more reminders for that occurrence, the next
occurrence of a recurring deadline is reminded as usual - or "Påminn igen om 1 dag" -
one extra reminder (ReminderKey.again) 24 hours after the press, on top of the usual
ones, claimed and sent exactly like them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from knowledge.models import Deadline, Knowledge

from ..engine.answer import Answer, Citer
from ..engine.dates import STOCKHOLM, relative, sv_weekday_date

OFFSETS = (30, 7, 1)  # days before an occurrence
SEND_AT = time(9, 0)  # local time in Europe/Stockholm
AGAIN_AFTER = timedelta(days=1)  # "Påminn igen om 1 dag"


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
    # the extra reminder a chat asked for ("Påminn igen"); offset_days is then 0 and the
    # key is recorded in the store's reminder_replies, not in reminders
    again: bool = False

    @classmethod
    def extra(cls, chat_id: int, deadline_id: str, occurrence: date) -> ReminderKey:
        return cls(chat_id, deadline_id, occurrence, 0, again=True)

    @property
    def occurrence_key(self) -> tuple[int, str, date]:
        return (self.chat_id, self.deadline_id, self.occurrence)


@dataclass(frozen=True)
class Replies:
    """What chats answered to their reminders: occurrences marked done ("Klar") and the
    extra reminders still to send, each with when it is due (aware)."""

    done: frozenset[tuple[int, str, date]] = frozenset()  # (chat, deadline, occurrence)
    again: Mapping[ReminderKey, datetime] = field(default_factory=dict)


NO_REPLIES = Replies()


def send_time(occurrence: date, offset_days: int) -> datetime:
    """When the reminder `offset_days` before `occurrence` is due (aware, Stockholm)."""
    return datetime.combine(occurrence - timedelta(days=offset_days), SEND_AT, STOCKHOLM)


def due_reminders(
    subscriptions: Iterable[Subscription],
    deadlines: Mapping[str, Deadline],
    recorded: set[ReminderKey],
    now: datetime,
    replies: Replies = NO_REPLIES,
) -> list[ReminderKey]:
    """The reminders to send now, given those already recorded (sent or being sent) and
    the chats' replies to earlier ones."""
    today = now.astimezone(STOCKHOLM).date()
    horizon = today + timedelta(days=max(OFFSETS))
    due = []
    watched = set()
    for sub in subscriptions:
        deadline = deadlines.get(sub.deadline_id)
        if deadline is None:  # removed from the knowledge base since
            continue
        watched.add((sub.chat_id, deadline.id))
        for occurrence in deadline.rule.occurrences(today, horizon):
            if (sub.chat_id, deadline.id, occurrence) in replies.done:
                continue
            passed = [o for o in OFFSETS if sub.created < send_time(occurrence, o) <= now]
            if not passed:
                continue
            key = ReminderKey(sub.chat_id, deadline.id, occurrence, min(passed))
            if key not in recorded:
                due.append(key)
    for key, when in replies.again.items():
        if (
            when <= now
            and key.occurrence >= today
            and (key.chat_id, key.deadline_id) in watched
            and key.occurrence_key not in replies.done
        ):
            due.append(key)
    return sorted(due)


def reminder_answer(
    knowledge: Knowledge,
    keys: Iterable[ReminderKey],
    today: date,
    way_out: Callable[[Deadline], str] | None = None,
) -> Answer:
    """One message for all of a chat's due reminders, in Swedish, with sources. An extra
    reminder due in the same run as a usual one for the same occurrence is said once.
    `way_out(deadline)` ends each deadline's block: how to stop watching it, in the front
    end's words (bot/telegram/texts.py: "Sluta bevaka: /avbevaka rsa")."""
    keys = sorted({(k.occurrence, k.deadline_id): k for k in keys}.values(),
                  key=lambda k: (k.occurrence, k.deadline_id))  # fmt: skip
    cite = Citer(knowledge)
    blocks = []
    for key in keys:
        d = knowledge.deadline(key.deadline_id)
        assert d is not None, key  # due_reminders gives keys of known deadlines only
        cite.cite(d.source)
        lines = [
            f"{d.title}: {sv_weekday_date(key.occurrence)} ({relative(key.occurrence, today)}).",
            f"Regel: {d.rule.describe()}.",
        ]
        if d.recipients:
            lines.append(f"Mottagare: {', '.join(d.recipients)}.")
        if d.note:
            lines.append(d.note)
        if way_out is not None:
            lines.append(way_out(d))
        blocks.append("\n".join(lines))
    head = "Påminnelse om en frist:" if len(keys) == 1 else "Påminnelse om frister:"
    text = head + "\n\n" + "\n\n".join(blocks)
    # No deadline_ids: the chat already watches these, so no "Bevaka" buttons; the
    # "Klar" / "Påminn igen" buttons are added by the sender (bot/telegram/send.py).
    return Answer(text, True, "reminder", cite.all())
