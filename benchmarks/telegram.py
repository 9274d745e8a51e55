"""The Telegram stack end to end: the real Application (bot.telegram.app.build_application)
against the fake Bot API of tests/fake_bot_api.py on 127.0.0.1.

Run as its own process (`python -m benchmarks.telegram`) so that its peak RSS is the
running bot's: knowledge, index, assistant, Application and one reminder run.
Prints one JSON object.

The reminder run is made twice, on SQLite and on PostgreSQL (a server from
BENCH_DATABASE_URL or TEST_DATABASE_URL, in a schema of its own, else a throwaway one
started from the installed binaries; skipped, with the reason in the output, when there
is none): once under Telegram's 30/s, once with the limiter out of the way (1000/s), so
that the store's own cost shows.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

TESTS = Path(__file__).resolve().parent.parent / "tests"
sys.path.insert(0, str(TESTS))  # the fake Bot API lives with the tests

from fake_bot_api import FakeBotApi  # noqa: E402
from telegram.ext import AIORateLimiter  # noqa: E402

from bot.config import Config  # noqa: E402
from bot.engine.assistant import Assistant  # noqa: E402
from bot.engine.dates import STOCKHOLM  # noqa: E402
from bot.subscriptions.database import open_store  # noqa: E402
from bot.subscriptions.store_base import is_postgres_url  # noqa: E402
from bot.telegram.app import build_application  # noqa: E402
from bot.telegram.send import RetryPolicy, WireGate  # noqa: E402
from bot.telegram.services import services_of  # noqa: E402

TELEGRAM_LIMIT = 30.0  # messages per second, Telegram's overall limit for a bot
SUBSCRIBED_AT = datetime(2027, 9, 1, 10, tzinfo=STOCKHOLM)
REMINDER_DAY = datetime(2027, 10, 1, 9, tzinfo=STOCKHOLM)  # RSA due in 30 days


class Clock:
    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now


async def _run(api, db: Path | str, assistant, clock: Clock, limiter: AIORateLimiter, body):
    """Start the Application as run_polling does, run `body(app)`, stop it the same way.
    `db`: a SQLite file, or a PostgreSQL URL."""
    store = open_store(db)
    url = db if is_postgres_url(db) else None
    path = Path("unused.sqlite3") if url else Path(db)
    app = build_application(
        assistant,
        store,
        Config(token=api.token, api_root=api.root, database_path=path, database_url=url),
        clock,
        policy=RetryPolicy(),
        rate_limiter=limiter,
        reminder_interval=None,
    )
    await app.initialize()
    await app.post_init(app)
    await app.updater.start_polling(poll_interval=0.0, timeout=1)
    await app.start()
    try:
        return await body(app, store)
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
        if app.post_shutdown:  # as run_polling does
            await app.post_shutdown(app)
        store.close()


async def throughput(assistant, questions: list[str], n: int, db: Path) -> float:
    """Messages answered per second: `n` questions from `n` chats arrive at once; the
    clock stops at the n-th answer. The rate limiter is raised out of the way (1000/s):
    this is the stack's own capacity; in production Telegram's 30/s caps what is sent."""
    api = FakeBotApi().start()
    try:

        async def body(app, store):
            t0 = time.perf_counter()
            for i in range(n):
                api.push_text(100_000 + i, questions[i % len(questions)])
            await api.wait_for("sendMessage", count=n, timeout=60 + n)
            return n / (time.perf_counter() - t0)

        limiter = WireGate(overall_max_rate=1000, max_retries=0)
        return await _run(api, db, assistant, Clock(SUBSCRIBED_AT), limiter, body)
    finally:
        api.stop()


async def reminder_run(
    assistant, subscribers: int, db: Path | str, rate: float | None = None
) -> dict:
    """One reminder run to `subscribers` chats under PTB's AIORateLimiter with its
    defaults (30 messages/s overall, Telegram's limit; `rate` raises it), and whether
    every subscriber got exactly one message (a second run must send nothing, no claim
    left unconfirmed). `db`: a SQLite file or a PostgreSQL URL."""
    api = FakeBotApi().start()
    clock = Clock(SUBSCRIBED_AT)
    chats = range(200_000, 200_000 + subscribers)
    try:

        async def body(app, store):
            for chat in chats:
                store.subscribe(chat, ["rsa"], clock())
            clock.now = REMINDER_DAY
            t0 = time.perf_counter()
            report = await services_of(app).reminders.run()
            seconds = time.perf_counter() - t0
            again = await services_of(app).reminders.run()
            return report, again, seconds, store.unsent_claims()

        limiter = (
            WireGate(max_retries=0)
            if rate is None
            else WireGate(overall_max_rate=rate, max_retries=0)
        )
        report, again, seconds, stale = await _run(api, db, assistant, clock, limiter, body)
        per_chat = Counter(c.chat_id for c in api.sent("sendMessage"))
    finally:
        api.stop()
    ideal = subscribers / (rate or TELEGRAM_LIMIT)
    sent = len(report.sent)
    return {
        "subscribers": subscribers,
        "sent": sent,
        "failed": len(report.failed),
        "seconds": seconds,
        "ideal_seconds": ideal,
        "rate": sent / seconds if seconds else 0.0,
        "over_ideal_pct": 100 * (seconds - ideal) / ideal,
        "exactly_once": set(per_chat) == set(chats)
        and set(per_chat.values()) == {1}
        and not again.sent
        and not stale,
    }


@contextmanager
def postgres() -> Iterator[str | None]:
    """A PostgreSQL URL in a fresh schema (dropped after), or None with the reason printed
    to stderr."""
    import psycopg
    from pg_server import start
    from store_sql import with_search_path

    server = None
    base = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")
    if not base:
        try:
            server = start()
        except Exception as exc:  # binaries there, but no server came up
            print(f"PostgreSQL skipped: the server did not start ({exc})", file=sys.stderr)
            yield None
            return
        if server is None:
            print("PostgreSQL skipped: no BENCH_DATABASE_URL/TEST_DATABASE_URL and no "
                  "initdb/pg_ctl installed", file=sys.stderr)  # fmt: skip
            yield None
            return
        base = server.url
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    try:
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f"CREATE SCHEMA {schema}")
        yield with_search_path(base, schema)
    finally:
        if server is not None:
            server.stop()
        else:
            with psycopg.connect(base, autocommit=True) as conn:
                conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--messages", type=int, default=300)
    ap.add_argument("--subscribers", type=int, default=5000)
    ap.add_argument("--questions", type=Path, help="JSON list of questions to send")
    ap.add_argument("--no-postgres", action="store_true", help="SQLite only")
    args = ap.parse_args(argv)
    questions = ["när ska RSA rapporteras?"]
    if args.questions:
        questions = json.loads(args.questions.read_text("utf-8"))
    assistant = Assistant.create()
    out: dict = {}
    fast_n = min(args.subscribers, 2000)  # the store's own cost: no need for 5000
    with tempfile.TemporaryDirectory(prefix="bench-tg-") as tmp:
        msgs = asyncio.run(throughput(assistant, questions, args.messages, Path(tmp) / "a.db"))
        rem = asyncio.run(reminder_run(assistant, args.subscribers, Path(tmp) / "r.db"))
        out["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB
        out["reminders_fast"] = asyncio.run(
            reminder_run(assistant, fast_n, Path(tmp) / "f.db", rate=1000)
        )
    if not args.no_postgres:
        with postgres() as url:
            if url:
                out["reminders_pg"] = asyncio.run(reminder_run(assistant, args.subscribers, url))
        with postgres() as url:
            if url:
                out["reminders_pg_fast"] = asyncio.run(
                    reminder_run(assistant, fast_n, url, rate=1000)
                )
    print(json.dumps({"msgs_per_s": msgs, "reminders": rem, **out}))


if __name__ == "__main__":
    main()
