"""Reminders and change notices over Telegram: `TelegramSender`, the Sender that
bot/subscriptions/delivery.py's run hands each message to, and `ReminderSender`, the run
as the application holds it (a Delivery with a TelegramSender).

The claim rules and what they guarantee (exactly once as far as it can be had, a crash
losing at most what was on the wire, stop() on SIGTERM, a database that cannot be used)
are the delivery run's: see bot/subscriptions/delivery.py. What is Telegram's is here:

- A message queues behind the rate limiter (AIORateLimiter: 30/s). The delivery's
  `before_wire` check - the claim - runs when the limiter lets the request through,
  right before it goes out (bot.telegram.send.WireGate), so a crash can only lose the
  requests actually on the wire (at most `concurrency` of them, 20); what still waits in
  the limiter was not claimed. A bot without a WireGate runs the check before the first
  attempt.
- 429s (RetryAfter) and network errors are retried (send.with_retries) with the waits
  going through the delivery's `sleep`, which refuses to wait when stopping. A timeout
  after Telegram received the request but before we got its answer is retried like other
  network errors, which can duplicate that one message (the caveat in delivery.py).
- Telegram's answers map to the delivery's outcomes: Forbidden (the user blocked the
  bot) is Undeliverable; BadRequest and retries exhausted (any other TelegramError) are
  SendFailed; a refused `before_wire` (send.NotSent) is NotClaimed.
- A reminder carries its "Klar" / "Påminn igen om 1 dag" buttons (send.reminder_keyboard);
  its text, and a change notice's, end in the commands to stop watching or to see the
  dates (texts.reminder_answer, texts.notice_answer).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from telegram import Bot
from telegram.error import Forbidden, TelegramError

from knowledge.models import Knowledge

from ..engine.answer import Answer
from ..engine.dates import Clock
from ..subscriptions.delivery import (
    BeforeWire,
    Delivery,
    NotClaimed,
    RunReport,
    SendFailed,
    Sleep,
    Undeliverable,
    stale_claims_warning,
)
from ..subscriptions.reminders import ReminderKey
from ..subscriptions.store_base import Store
from .send import NotSent, RetryPolicy, reminder_keyboard, send_answer
from .texts import notice_answer, reminder_answer

__all__ = ["ReminderSender", "RunReport", "TelegramSender", "stale_claims_warning"]


class TelegramSender:
    """The delivery's Sender over the Bot API: one answer, in parts if long, with a
    reminder's buttons under it."""

    def __init__(self, bot: Bot, knowledge: Knowledge, policy: RetryPolicy):
        self.bot = bot
        self.knowledge = knowledge  # the deadlines the buttons name (ReminderSender.use)
        self.policy = policy

    async def send(
        self,
        chat_id: int,
        answer: Answer,
        reminders: Sequence[ReminderKey] = (),
        *,
        before_wire: BeforeWire,
        sleep: Sleep,
    ) -> None:
        keyboard = reminder_keyboard(self.knowledge, reminders) if reminders else None
        policy = dataclasses.replace(self.policy, sleep=sleep)
        try:
            await send_answer(
                self.bot, chat_id, answer, policy, before_wire=before_wire, keyboard=keyboard
            )
        except NotSent as exc:
            raise NotClaimed from exc
        except Forbidden as exc:
            raise Undeliverable(str(exc)) from exc
        except TelegramError as exc:
            raise SendFailed(str(exc)) from exc


class ReminderSender(Delivery):
    """The application's reminder run: a Delivery sending through Telegram, its messages
    worded with the bot's commands (texts.py)."""

    def __init__(
        self,
        bot: Bot,
        store: Store,
        knowledge: Knowledge,
        clock: Clock,
        policy: RetryPolicy,
        concurrency: int = 20,
        one_run_at_a_time: bool = True,  # across instances, by the store's run lease
    ):
        self.bot = bot
        self.policy = policy
        self.telegram = TelegramSender(bot, knowledge, policy)
        super().__init__(
            self.telegram,
            store,
            knowledge,
            clock,
            concurrency=concurrency,
            one_run_at_a_time=one_run_at_a_time,
            sleep=policy.sleep,
            word_reminder=reminder_answer,
            word_notice=notice_answer,
        )

    def use(self, knowledge: Knowledge) -> None:
        super().use(knowledge)
        self.telegram.knowledge = knowledge
