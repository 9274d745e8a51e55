"""The delivery run (bot/subscriptions/delivery.py) without Telegram: a fake in-memory
Sender and a real SQLite store. Each reminder is sent once across runs; a failure is
released and sent next run; a blocked chat is unsubscribed; a crash between claim and
mark never resends; a claim taken elsewhere sends nothing; stop() leaves the rest
unclaimed for the next run; an unusable database sends nothing without a claim; change
notices go before reminders."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable
from datetime import date, datetime

import pytest

from bot.engine.dates import STOCKHOLM
from bot.subscriptions.change_notices import NoticeKey
from bot.subscriptions.delivery import (
    Delivery,
    NotClaimed,
    SendFailed,
    Undeliverable,
    stale_claims_warning,
)
from bot.subscriptions.reminders import ReminderKey
from bot.subscriptions.store import SubscriptionStore
from bot.subscriptions.store_base import StoreUnavailable

SUBSCRIBED = datetime(2027, 9, 1, 10, tzinfo=STOCKHOLM)
RSA_2027 = date(2027, 10, 31)
MONTH_BEFORE = datetime(2027, 10, 1, 10, tzinfo=STOCKHOLM)  # the 30-day reminders are due
WEEK_BEFORE = datetime(2027, 10, 24, 10, tzinfo=STOCKHOLM)  # … and the 7-day ones
MSB = "msb-samlat-stod"  # the document the RSA deadline is drawn from
CHATS = (1, 2, 3)


def key(chat: int, offset: int = 30) -> ReminderKey:
    return ReminderKey(chat, "rsa", RSA_2027, offset)


class Crash(BaseException):
    """The process dying mid-send: nothing after it runs (no mark, no release)."""


class FakeSender:
    """Delivers to a list. `act[chat]` scripts what happens after the claim
    (`before_wire`): "ok", "fail" (SendFailed), "blocked" (Undeliverable), "error" (an
    unexpected exception), "crash" (the process dies) or "retry" (a wait, then
    delivered); `before[chat]` runs before the claim (while the message waits in a
    queue), `after[chat]` once it is granted (the message on the wire). A message counts
    as sent only when its claim was granted and is in the store."""

    def __init__(self, store: SubscriptionStore):
        self.store = store
        self.sent: list[tuple[int, str, tuple[ReminderKey, ...]]] = []
        self.act: dict[int, str] = {}
        self.before: dict[int, Callable[[], object]] = {}
        self.after: dict[int, Callable[[], object]] = {}
        self.held: set[int] = set()  # chats whose message waits in the queue until cancelled
        self.attempts: list[int] = []

    async def send(self, chat_id, answer, reminders=(), *, before_wire, sleep) -> None:
        self.attempts.append(chat_id)
        await asyncio.sleep(0)  # queued: other chats' deliveries run meanwhile
        if chat_id in self.held:
            await asyncio.Event().wait()  # a rate limiter that never lets it through
        if chat_id in self.before:
            self.before[chat_id]()
        if not before_wire():
            raise NotClaimed
        if chat_id in self.after:
            self.after[chat_id]()
        claimed = set(self.store.unsent_claims())
        assert set(reminders) <= claimed, "a reminder on the wire without its claim"
        act = self.act.get(chat_id, "ok")
        if act == "fail":
            raise SendFailed("Bad Request: message is too long")
        if act == "blocked":
            raise Undeliverable("Forbidden: bot was blocked by the user")
        if act == "error":
            raise RuntimeError("a bug in the sender")
        if act == "crash":
            raise Crash
        if act == "retry":  # a 429: wait, then deliver
            await sleep(1.0)
        self.sent.append((chat_id, answer.kind, tuple(reminders)))

    def reminders_sent(self) -> list[ReminderKey]:
        return [k for _, _, keys in self.sent for k in keys]


class Clock:
    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def store(tmp_path):
    s = SubscriptionStore.open(tmp_path / "bot.sqlite3")
    for chat in CHATS:
        s.subscribe(chat, ["rsa"], SUBSCRIBED)
    yield s
    s.close()


@pytest.fixture
def clock():
    return Clock(MONTH_BEFORE)


@pytest.fixture
def sender(store):
    return FakeSender(store)


@pytest.fixture
def delivery(sender, store, kb, clock):
    return make(sender, store, kb, clock)


def make(sender, store, kb, clock, **kwargs) -> Delivery:
    async def no_wait(seconds: float) -> None:
        await asyncio.sleep(0)

    return Delivery(sender, store, kb, clock, sleep=no_wait, **kwargs)


async def test_each_due_reminder_is_sent_once_across_runs(delivery, sender, store, clock):
    first = await delivery.run()
    assert sorted(first.sent) == [key(c) for c in CHATS]
    again = await delivery.run()
    assert again.sent == [] and sender.attempts == list(CHATS)
    clock.now = WEEK_BEFORE
    week = await delivery.run()
    assert sorted(week.sent) == [key(c, 7) for c in CHATS]
    assert sorted(sender.reminders_sent()) == sorted([key(c) for c in CHATS] +
                                                     [key(c, 7) for c in CHATS])  # fmt: skip
    assert store.unsent_claims() == []  # all marked sent
    assert [kind for _, kind, _ in sender.sent] == ["reminder"] * 6


async def test_a_failed_send_is_released_and_sent_by_the_next_run(delivery, sender, store):
    sender.act[2] = "fail"
    first = await delivery.run()
    assert first.failed == [key(2)] and sorted(first.sent) == [key(1), key(3)]
    assert store.unsent_claims() == [] and key(2) not in store.recorded(since=RSA_2027)
    del sender.act[2]
    second = await delivery.run()
    assert second.sent == [key(2)]
    assert sorted(sender.reminders_sent()) == [key(c) for c in CHATS]


async def test_an_unexpected_error_is_released_and_retried_like_a_failure(
    delivery, sender, store
):
    sender.act[2] = "error"
    first = await delivery.run()
    assert first.failed == [key(2)] and store.unsent_claims() == []
    del sender.act[2]
    assert (await delivery.run()).sent == [key(2)]


async def test_a_blocked_chat_is_unsubscribed_and_not_retried(delivery, sender, store, clock):
    sender.act[2] = "blocked"
    first = await delivery.run()
    assert first.blocked_chats == 1 and first.failed == [] and key(2) not in first.sent
    assert store.subscriptions(2) == [] and store.unsent_claims() == []
    assert {s.chat_id for s in store.subscriptions()} == {1, 3}
    del sender.act[2]
    clock.now = WEEK_BEFORE
    await delivery.run()
    assert 2 not in {chat for chat, _, _ in sender.sent}
    assert sender.attempts.count(2) == 1


async def test_a_crash_between_claim_and_mark_is_never_resent(sender, store, kb, clock):
    sender.act[2] = "crash"
    first = make(sender, store, kb, clock)
    await first.run()  # chat 2's delivery dies after its claim; the others are sent
    assert store.unsent_claims() == [key(2)]
    assert "1 reminder(s) and 0 change notice(s)" in stale_claims_warning(store)
    del sender.act[2]
    restarted = make(sender, store, kb, clock)
    again = await restarted.run()
    assert again.sent == [] and sender.attempts.count(2) == 1
    assert key(2) not in sender.reminders_sent()
    assert store.unsent_claims() == [key(2)]  # still there for the operator to see


async def test_reminders_claimed_elsewhere_are_not_sent(delivery, sender, store, clock):
    # another instance claims chat 2's reminder while ours waits in the queue
    sender.before[2] = lambda: store.claim([key(2)], clock())
    report = await delivery.run()
    assert key(2) not in report.sent and report.failed == []
    assert 2 not in {chat for chat, _, _ in sender.sent}
    assert store.unsent_claims() == [key(2)]  # the other's claim, untouched
    assert (await delivery.run()).sent == []  # and left to the other instance


async def test_a_partly_claimed_chat_sends_nothing_and_is_worded_anew_next_run(
    store, sender, kb, clock
):
    store.subscribe(2, ["indikatorer"], SUBSCRIBED)  # due in the same message as rsa
    delivery = make(sender, store, kb, clock)
    due = [k for k in await asyncio.to_thread(delivery._due_now) if k.chat_id == 2]
    assert len(due) == 2
    rsa, other = (k for k in sorted(due, key=lambda k: k.deadline_id != "rsa"))
    sender.before[2] = lambda: store.claim([other], clock())  # elsewhere: one of the two
    first = await delivery.run()
    assert 2 not in {chat for chat, _, _ in sender.sent} and rsa not in first.sent
    assert store.unsent_claims() == [other]  # ours was released, not kept
    del sender.before[2]
    second = await delivery.run()
    assert second.sent == [rsa]
    assert [keys for chat, _, keys in sender.sent if chat == 2] == [(rsa,)]


async def test_stop_before_the_wire_claims_nothing_and_the_next_run_sends_all(
    sender, store, kb, clock
):
    delivery = make(sender, store, kb, clock, concurrency=1)  # one chat at a time
    sender.before[1] = delivery.stop  # SIGTERM while chat 1's message waits to go out
    first = await delivery.run()
    assert first.sent == [] and sender.sent == [] and delivery.stopping
    assert sender.attempts == [1]  # the chats still waiting were cancelled
    assert store.unsent_claims() == [] and store.recorded(since=RSA_2027) == set()
    sender.before.clear()
    restarted = await make(sender, store, kb, clock).run()
    assert sorted(restarted.sent) == [key(c) for c in CHATS]


async def test_stop_on_the_wire_finishes_that_send_and_leaves_the_rest(
    sender, store, kb, clock
):
    delivery = make(sender, store, kb, clock, concurrency=1)
    sender.after[1] = delivery.stop  # SIGTERM while chat 1's message is on the wire
    first = await delivery.run()
    assert first.sent == [key(1)] and [chat for chat, _, _ in sender.sent] == [1]
    assert store.unsent_claims() == []  # chat 1 marked sent; 2 and 3 never claimed
    sender.after.clear()
    restarted = await make(sender, store, kb, clock).run()
    assert sorted(restarted.sent) == [key(2), key(3)]
    assert sorted(sender.reminders_sent()) == [key(c) for c in CHATS]


async def test_stop_cancels_what_waits_in_the_senders_queue(sender, store, kb, clock):
    delivery = make(sender, store, kb, clock)  # all three handed to the sender at once
    sender.held = {2, 3}
    sender.after[1] = delivery.stop
    report = await asyncio.wait_for(delivery.run(), timeout=5)  # not stuck behind 2 and 3
    assert report.sent == [key(1)] and sorted(sender.attempts) == [1, 2, 3]
    assert store.unsent_claims() == []  # the cancelled ones were never claimed
    sender.held, sender.after = set(), {}
    assert sorted((await make(sender, store, kb, clock).run()).sent) == [key(2), key(3)]


async def test_stop_refuses_a_retry_wait_and_releases_the_claim(sender, store, kb, clock):
    delivery = make(sender, store, kb, clock, concurrency=1)
    sender.act[1] = "retry"  # a 429 after the claim: it would have to wait
    sender.after[1] = delivery.stop
    report = await delivery.run()
    assert report.failed == [key(1)] and report.sent == [] and sender.sent == []
    assert store.unsent_claims() == []  # released: the next start sends it
    sender.act.clear()
    sender.after.clear()
    again = await make(sender, store, kb, clock).run()
    assert sorted(again.sent) == [key(c) for c in CHATS]


class FailingClaims:
    """The real store, with claims refused as a locked database refuses them."""

    def __init__(self, store: SubscriptionStore):
        self._store = store
        self.claims = 0

    def claim(self, keys, now):
        self.claims += 1
        raise StoreUnavailable(self._store.path, "locked", "database is locked")

    def __getattr__(self, name):
        return getattr(self._store, name)


async def test_an_unusable_database_on_claim_sends_nothing(sender, store, kb, clock):
    locked = FailingClaims(store)
    report = await make(sender, locked, kb, clock).run()
    assert report.skipped and report.sent == [] and sender.sent == []
    assert locked.claims == 1  # the run stops at the first refused claim
    assert store.unsent_claims() == [] and store.recorded(since=RSA_2027) == set()
    later = await make(sender, store, kb, clock).run()
    assert sorted(later.sent) == [key(c) for c in CHATS]


async def test_a_sent_mark_that_cannot_be_written_keeps_the_claim(sender, store, kb, clock):
    class FailingMarks(FailingClaims):
        def claim(self, keys, now):
            return self._store.claim(keys, now)

        def mark_sent(self, keys, now):
            raise StoreUnavailable(self._store.path, "readonly", "readonly database")

    report = await make(sender, FailingMarks(store), kb, clock).run()
    assert sorted(report.unconfirmed) == [key(c) for c in CHATS]
    assert sorted(store.unsent_claims()) == [key(c) for c in CHATS]
    assert (await make(sender, store, kb, clock).run()).sent == []  # never resent


async def test_change_notices_go_before_the_reminders(sender, store, kb, clock):
    clock.now = SUBSCRIBED
    delivery = make(sender, store, kb, clock)
    await delivery.run()  # the documents' versions are recorded (silently): nothing due
    assert sender.sent == []
    docs = dict(kb.documents)
    docs[MSB] = dataclasses.replace(docs[MSB], sha256="replaced")
    delivery.use(dataclasses.replace(kb, documents=docs))
    clock.now = MONTH_BEFORE
    report = await delivery.run()
    assert sorted(report.notices_sent) == [NoticeKey(c, MSB, "replaced") for c in CHATS]
    assert sorted(report.sent) == [key(c) for c in CHATS]
    kinds = [kind for _, kind, _ in sender.sent]
    assert kinds == ["change-notice"] * 3 + ["reminder"] * 3
    assert all(keys == () for _, kind, keys in sender.sent if kind == "change-notice")
    assert (await delivery.run()).notices_sent == []  # once


async def test_a_chat_blocked_on_its_notice_gets_no_reminder(sender, store, kb, clock):
    clock.now = SUBSCRIBED
    delivery = make(sender, store, kb, clock)
    await delivery.run()
    docs = dict(kb.documents)
    docs[MSB] = dataclasses.replace(docs[MSB], sha256="replaced")
    delivery.use(dataclasses.replace(kb, documents=docs))
    clock.now = MONTH_BEFORE
    sender.act[2] = "blocked"
    report = await delivery.run()
    assert report.blocked_chats == 1 and sender.attempts.count(2) == 1
    assert sorted(report.sent) == [key(1), key(3)]
