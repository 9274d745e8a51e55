"""The delivery run: find due reminders and change notices, claim them, hand them to a
`Sender`, record the outcome. No Telegram: the sender is a small protocol
(bot/telegram/reminder_sender.py's TelegramSender is the real one; tests use a fake).

Why claim-then-send, and what it guarantees
-------------------------------------------
Sending a message is not idempotent (Telegram's sendMessage is not), so "exactly once"
can only be approached. For every chat with due reminders a run

1. composes the message and hands it to the sender, which may queue it (behind a rate
   limiter, say);
2. claims the reminders when the sender calls `before_wire`, right before the message
   goes out: inserts rows (state 'claimed') under the UNIQUE key (chat, deadline,
   occurrence, offset) in one transaction. A key already there - sent earlier, or
   claimed by an overlapping run or another process - is not claimed again, so no two
   senders ever send the same reminder (and a chat whose reminders were partly claimed
   elsewhere is left for the next run, which words it anew: `before_wire` says no and
   the sender raises NotClaimed);
3. marks them 'sent' when the sender returns, or releases (deletes) the claim when it
   certainly did not deliver (SendFailed, or any unexpected error): the next run tries
   again, so a failure is not a loss.

A crash or a kill -9 leaves 'claimed' rows only for the messages that were on the wire
(at most `concurrency` of them, 20): those may or may not have arrived, and we choose
at-most-once: they are never retried (no duplicate) and are logged at start
(stale_claims_warning) so an operator can see them. Everything still waiting in the
sender was not claimed and is sent by the next run, once. Downtime itself loses
nothing: due reminders are computed from the clock on every run, so the first run after
a restart sends what was missed (see reminders.py for the catch-up rule). A chat that
cannot be delivered to any more (Undeliverable: it blocked the bot) is unsubscribed:
everything stored about the chat is deleted and nothing is retried.

On SIGTERM (stop()) a run takes no new work: what waits in the sender is cancelled
unclaimed, a message on the wire finishes and is marked, and a send that would have to
wait to be retried (the `sleep` the sender is given raises Stopped) is released
instead; the run ends within seconds, not after the whole batch.

When the database is unusable (StoreUnavailable: locked longer than the busy timeout,
read-only), nothing is sent without a claim: a run that cannot read or claim stops there,
sending nothing more, and the next run tries again (at most one busy-timeout wait per
run, since the store is called from the event loop). A message sent whose 'sent' mark
cannot be written keeps its claim, and so is never resent (at-most-once); a release that
cannot be written likewise keeps the claim, and that reminder is then not retried -
both are logged.

One honest caveat: a sender retries network errors, and a timeout after the message
reached the server but before its answer came back can then duplicate that one message.
Losing a reminder of a legal deadline is judged worse than a rare duplicate.

Change notices (change_notices.py) go first in every run, by the same rules except that
a notice is claimed before it is handed to the sender (its text names the deadlines the
claim returns): the store queues one notice per (chat, source, version) when a source
document's version differs from the one recorded, and each is claimed, sent, then marked
sent or released. They run before the reminders so a chat found blocked is not sent
reminders as well.

Several instances on one PostgreSQL database (two machines behind one webhook): the
claims alone keep every reminder to one sender - each chat's reminders are claimed by
exactly one instance - even when both run at once. On top of that a run first takes the
store's run lease (store.take_run_lease: an advisory lock in PostgreSQL, always granted
by SQLite), and an instance that finds another one mid-run leaves the run to it: one
run at a time keeps the bot as a whole at Telegram's 30 messages/s, where two at once
would each send 30/s and draw 429s. If the lease is lost (a dropped connection), two runs
may overlap; they still send each reminder once.

The extra reminder a chat asked for with "Påminn igen om 1 dag" (ReminderKey.again) is
due from the store's reminder_replies and goes the same way, in the same message and the
same claim as the chat's other due reminders: claimed at the wire (pending -> claimed),
marked sent or released, never retried after a crash.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

from knowledge.models import Knowledge

from ..engine.answer import Answer
from ..engine.dates import Clock, today
from . import change_notices, reminders
from .change_notices import NoticeKey, deadlines_by_source, source_versions
from .reminders import ReminderKey, due_reminders
from .store_base import Store, StoreUnavailable

log = logging.getLogger(__name__)


# -- what a Sender raises ---------------------------------------------------------------


class Undeliverable(Exception):  # noqa: N818 - it names an outcome
    """The chat cannot be sent to any more (it blocked the bot): everything stored about
    it is deleted and nothing is retried."""


class SendFailed(Exception):
    """The message was certainly not delivered (retries exhausted, a refused request):
    its claim is released and the next run sends it."""


class NotClaimed(Exception):  # noqa: N818 - it names an outcome
    """`before_wire` said no: nothing was sent (and nothing is claimed)."""


class Stopped(SendFailed):
    """Raised by the `sleep` a sender is given when the run is stopping: the send is not
    retried, and counts as failed (released; the next start sends it)."""


BeforeWire = Callable[[], bool]
Sleep = Callable[[float], Awaitable[object]]


class Sender(Protocol):
    """What a delivery run needs of a front end: one message to one chat.

    `send` delivers `answer` to `chat_id` and returns when it was accepted. `reminders`
    are the reminders the message is about (empty for a change notice), for the buttons
    a front end may put under it. The sender calls `before_wire()` right before the
    message goes out (again on a retry: it then says yes again); when it says no, the
    sender sends nothing and raises NotClaimed. Waits between retries go through `sleep`
    (it raises Stopped when the run is stopping: let it propagate). Failures are raised
    as Undeliverable or SendFailed; anything else is taken as a failure too (released,
    logged with its traceback)."""

    async def send(
        self,
        chat_id: int,
        answer: Answer,
        reminders: Sequence[ReminderKey] = (),
        *,
        before_wire: BeforeWire,
        sleep: Sleep,
    ) -> None: ...


# How a front end words the messages: reminders.reminder_answer and
# change_notices.notice_answer take the lines that name its commands.
WordReminder = Callable[[Knowledge, Iterable[ReminderKey], date], Answer]
WordNotice = Callable[[Knowledge, str, Iterable[str], date], Answer | None]


@dataclass
class RunReport:
    sent: list[ReminderKey] = field(default_factory=list)
    failed: list[ReminderKey] = field(default_factory=list)  # released: retried next run
    blocked_chats: int = 0  # chats that blocked the bot and were unsubscribed
    notices_sent: list[NoticeKey] = field(default_factory=list)
    notices_failed: list[NoticeKey] = field(default_factory=list)  # released: retried
    skipped: bool = False  # the database was unavailable: (some) chats left for next run
    elsewhere: bool = False  # another instance was mid-run: left to it
    unconfirmed: list[ReminderKey] = field(default_factory=list)  # sent, mark not written


class Delivery:
    def __init__(
        self,
        sender: Sender,
        store: Store,
        knowledge: Knowledge,
        clock: Clock,
        concurrency: int = 20,
        one_run_at_a_time: bool = True,  # across instances, by the store's run lease
        sleep: Sleep = asyncio.sleep,  # the retry wait, when not stopping
        word_reminder: WordReminder = reminders.reminder_answer,
        word_notice: WordNotice = change_notices.notice_answer,
    ):
        self.sender = sender
        self.store = store
        self.clock = clock
        self.concurrency = concurrency
        self.one_run_at_a_time = one_run_at_a_time
        self._retry_sleep = sleep
        self.word_reminder = word_reminder
        self.word_notice = word_notice
        self._running = asyncio.Lock()
        self._stopping = False
        self._waiting: set[asyncio.Task] = set()  # deliveries not (yet) on the wire
        self.use(knowledge)

    def stop(self) -> None:
        """Shutting down: no new claims; deliveries still waiting are cancelled, unclaimed
        (the next start sends them); those on the wire finish."""
        self._stopping = True
        for task in list(self._waiting):
            task.cancel()

    @property
    def stopping(self) -> bool:
        return self._stopping

    def use(self, knowledge: Knowledge) -> None:
        """Work from this knowledge base from the next run on (at start and after
        /omindexera); its texts are hashed once here, not at every run."""
        self.knowledge = knowledge
        self._versions = source_versions(knowledge)
        self._deadlines_by_source = deadlines_by_source(knowledge)

    async def run(self) -> RunReport:
        """Send change notices, then every reminder due now. Overlapping calls wait for
        each other."""
        async with self._running:
            report = RunReport()
            try:
                leased = not self.one_run_at_a_time or self.store.take_run_lease()
            except StoreUnavailable as exc:
                log.warning("Reminder run skipped, retried next run: %s", exc)
                report.skipped = True
                return report
            if not leased:
                log.info("Another instance is sending reminders; this run is left to it")
                report.elsewhere = True
                return report
            try:
                return await self._run(report)
            finally:
                if self.one_run_at_a_time:
                    with suppress(StoreUnavailable):  # lost with the connection anyway
                        self.store.release_run_lease()

    async def _run(self, report: RunReport) -> RunReport:
        """One run, holding the lease."""
        await self._send_notices(report)
        if report.skipped:
            return report
        try:
            # reads every subscription: off the event loop, which keeps answering
            due = await asyncio.to_thread(self._due_now)
        except StoreUnavailable as exc:
            log.warning("Reminder run skipped, retried next run: %s", exc)
            report.skipped = True
            return report
        by_chat: dict[int, list[ReminderKey]] = defaultdict(list)
        for key in due:
            by_chat[key.chat_id].append(key)
        # Chats are sent to concurrently; the sender keeps the overall pace legal.
        gate = asyncio.Semaphore(self.concurrency)
        tasks = [
            asyncio.ensure_future(self._deliver(chat, keys, gate, report))
            for chat, keys in by_chat.items()
        ]
        self._waiting.update(tasks)
        try:
            await asyncio.gather(*tasks, return_exceptions=True)  # cancelled by stop()
        finally:
            self._waiting.difference_update(tasks)
        if due:
            log.info(
                "Reminder run: %d sent, %d to retry, %d blocked chats unsubscribed",
                len(report.sent),
                len(report.failed),
                report.blocked_chats,
            )
        return report

    def _due_now(self) -> list[ReminderKey]:
        now, day = self.clock(), today(self.clock)
        self.store.prune(before=day)
        recorded = self.store.recorded(since=day)
        replies = self.store.replies(since=day)
        subscriptions = self.store.subscriptions()
        deadlines = {d.id: d for d in self.knowledge.deadlines}
        return due_reminders(subscriptions, deadlines, recorded, now, replies)

    def _notices_now(self) -> tuple[list[NoticeKey], dict[NoticeKey, list[str]]]:
        queued = self.store.record_versions(self._versions, self._deadlines_by_source, self.clock())
        return queued, self.store.pending_notices()  # also those a failed run released

    async def _send_notices(self, report: RunReport) -> None:
        try:
            queued, pending = await asyncio.to_thread(self._notices_now)
        except StoreUnavailable as exc:
            log.warning("Reminder run skipped, retried next run: %s", exc)
            report.skipped = True
            return
        if queued:
            log.info("Source documents changed: %d change notice(s) queued", len(queued))
        gate = asyncio.Semaphore(self.concurrency)
        await asyncio.gather(*(self._deliver_notice(key, gate, report) for key in pending))
        if pending:
            log.info(
                "Change notices: %d sent, %d to retry",
                len(report.notices_sent),
                len(report.notices_failed),
            )

    def _claim(self, report: RunReport, claim, *args) -> list:
        """Claim before sending; nothing (and the run marked skipped) when the database is
        unavailable - then no later chat in this run is claimed or sent to either."""
        if report.skipped:
            return []
        try:
            return claim(*args)
        except StoreUnavailable as exc:
            report.skipped = True
            log.warning("Run stopped, the rest is retried next run: %s", exc)
            return []

    async def _deliver_notice(
        self, key: NoticeKey, gate: asyncio.Semaphore, report: RunReport
    ) -> None:
        async with gate:
            if self._stopping:
                return
            deadline_ids = self._claim(report, self.store.claim_notice, key)
            if not deadline_ids:
                return
            answer = self.word_notice(
                self.knowledge, key.source_id, deadline_ids, today(self.clock)
            )
            if answer is None:  # nothing true left to say: done, without a message
                self._write(self.store.mark_notice_sent, key, self.clock())
                return
            outcome = await self._send(key.chat_id, answer, report, "Change notice")
            if outcome == "sent":
                report.notices_sent.append(key)
                self._write(self.store.mark_notice_sent, key, self.clock())
            elif outcome == "failed":
                report.notices_failed.append(key)
                self._write(self.store.release_notice, key)

    async def _deliver(
        self, chat_id: int, keys: list[ReminderKey], gate: asyncio.Semaphore, report: RunReport
    ) -> None:
        async with gate:
            if self._stopping or report.skipped:
                return
            answer = self.word_reminder(self.knowledge, keys, today(self.clock))
            claimed: list[ReminderKey] = []
            task = asyncio.current_task()

            def claim_now() -> bool:
                """At the wire: claim all of them, or send nothing."""
                if claimed:
                    return True  # a retry of the request that claimed them
                if self._stopping:
                    return False
                got = self._claim(report, self.store.claim, keys, self.clock())
                if len(got) != len(keys):  # some claimed elsewhere meanwhile: next run
                    if got:
                        self._write(self.store.release, got)
                    return False
                claimed.extend(got)
                self._waiting.discard(task)  # on the wire: stop() lets it finish
                return True

            outcome = await self._send(chat_id, answer, report, "Reminder", claim_now, keys)
            if outcome == "sent":
                report.sent.extend(claimed)
                if not self._write(self.store.mark_sent, claimed, self.clock()):
                    report.unconfirmed.extend(claimed)  # stays claimed: never resent
            elif outcome == "failed":
                report.failed.extend(claimed)
                self._write(self.store.release, claimed)

    async def _send(
        self,
        chat_id: int,
        answer: Answer,
        report: RunReport,
        what: str,
        before_wire: BeforeWire | None = None,
        keys: Sequence[ReminderKey] = (),
    ) -> str:
        """Send; "sent", "failed" (certainly not delivered: release the claim), "blocked"
        (the chat blocked the bot: everything about it is deleted, claims included) or
        "not sent" (before_wire said no: nothing was claimed). A notice, claimed before,
        has a `before_wire` that always says yes."""
        try:
            await self.sender.send(
                chat_id,
                answer,
                keys,
                before_wire=before_wire or _yes,
                sleep=self._sleep,
            )
        except NotClaimed:
            return "not sent"
        except Undeliverable:
            report.blocked_chats += 1
            self._write(self.store.forget, chat_id)
            log.info("A chat has blocked the bot; its subscriptions were removed")
            return "blocked"
        except Stopped:
            log.info("%s not retried: shutting down; it is sent after the restart", what)
            return "failed"
        except SendFailed as exc:
            log.warning("%s not delivered (%s); it is retried on the next run", what, exc)
            return "failed"
        except Exception:
            log.exception("%s not delivered; it is retried on the next run", what)
            return "failed"
        return "sent"

    async def _sleep(self, seconds: float) -> None:
        """The retry wait; when shutting down there is no waiting: the send counts as
        failed and its claim is released (the next start sends it)."""
        if self._stopping:
            raise Stopped
        await self._retry_sleep(seconds)

    def _write(self, method, *args) -> bool:
        """A store write after a send attempt; when the database is unavailable the claim
        stays as it is (never resent) and the failure is logged."""
        try:
            method(*args)
        except StoreUnavailable as exc:
            log.error(
                "Could not record a send's outcome (%s): %s; its claim stays and it is not resent",
                method.__name__,
                exc,
            )
            return False
        return True


def _yes() -> bool:
    return True


def stale_claims_warning(store: Store) -> str | None:
    """Log text for claims a crash left unconfirmed (not retried: at-most-once)."""
    stale = len(store.unsent_claims())
    notices = len(store.unsent_notice_claims())
    if not stale and not notices:
        return None
    return (
        f"{stale} reminder(s) and {notices} change notice(s) were being sent when the bot "
        "stopped and may not have arrived; they are not resent (at-most-once)."
    )
