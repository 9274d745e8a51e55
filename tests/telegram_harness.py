"""Runs the real Application against the fake Bot API server, with a controllable clock
and recorded (not slept) retry delays."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from fake_bot_api import FakeBotApi
from telegram.ext import Application

from bot.config import Config
from bot.subscriptions.store import SubscriptionStore
from bot.telegram.app import build_application
from bot.telegram.reminder_sender import RunReport
from bot.telegram.send import RetryPolicy, WireGate
from bot.telegram.services import services_of


class MutableClock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def set(self, now: datetime) -> None:
        self.now = now

    def advance(self, **kwargs) -> None:
        self.now += timedelta(**kwargs)


@dataclass
class RunningBot:
    api: FakeBotApi
    app: Application
    store: SubscriptionStore
    sleeps: list[float] = field(default_factory=list)  # retry delays asked for

    async def run_reminders(self) -> RunReport:
        return await services_of(self.app).reminders.run()


@asynccontextmanager
async def running_bot(
    api: FakeBotApi,
    db_path: Path,
    assistant,
    clock: MutableClock,
    reminder_interval: float | None = None,
    read_timeout: float = 5.0,
    store: SubscriptionStore | None = None,
    rate: float = 1000,
    reload=None,
    **config,
) -> AsyncIterator[RunningBot]:
    """Start the bot as run_polling would (initialize, post_init, polling, start) and stop
    it the same way on exit. Reusing `db_path` across two of these is a restart.
    `read_timeout` below FakeBotApi.timeout_delay makes "timeout" faults quick; `store`
    (opened by the test, closed here) lets a test choose how the database is opened.
    Extra keyword arguments are Config fields (allowed_user_ids, admin_ids, …)."""
    store = store or SubscriptionStore.open(db_path)
    sleeps: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        sleeps.append(seconds)
        await asyncio.sleep(0)

    app = build_application(
        assistant,
        store,
        Config(token=api.token, api_root=api.root, database_path=db_path, **config),
        clock,
        policy=RetryPolicy(sleep=fake_sleep, backoff=0.5),
        rate_limiter=WireGate(overall_max_rate=rate, max_retries=0),
        reminder_interval=reminder_interval,
        reload=reload,
        read_timeout=read_timeout,
    )
    await app.initialize()
    await app.post_init(app)
    await app.updater.start_polling(poll_interval=0.0, timeout=1)
    await app.start()
    try:
        yield RunningBot(api, app, store, sleeps)
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
        if app.post_shutdown:  # as run_polling does
            await app.post_shutdown(app)
        store.close()
