"""One bot instance as its own process, run by test_two_instances.py: the Application as
`python -m bot telegram` builds it (build_application, stop_on_signals, run_polling or
run_webhook, the store opened from DATABASE_URL), against the fake Bot API, with the
clock pinned and the reminder job every `--reminder-interval` seconds (0: none)."""

from __future__ import annotations

import argparse
import os
from datetime import datetime
from pathlib import Path

from bot.config import Config
from bot.engine.assistant import Assistant
from bot.subscriptions.database import open_store
from bot.telegram.app import build_application, stop_on_signals, webhook_options
from bot.telegram.send import WireGate


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--api", required=True)
    ap.add_argument("--token", required=True)
    ap.add_argument("--database-url", required=True)
    ap.add_argument("--clock", required=True, help="ISO time the clock is pinned to")
    ap.add_argument("--reminder-interval", type=float, default=0.0)
    ap.add_argument("--rate", type=float, default=1000.0, help="the limiter's messages/s")
    ap.add_argument("--overlapping-runs", action="store_true", help="no run lease")
    ap.add_argument("--webhook-port", type=int, help="webhook mode on 127.0.0.1 at this port")
    ap.add_argument("--secret", default="shared-secret")
    ap.add_argument("--go-file", help="until this file exists the clock shows --before")
    ap.add_argument("--before", help="ISO time shown until --go-file exists")
    args = ap.parse_args()
    pinned = datetime.fromisoformat(args.clock)
    before = datetime.fromisoformat(args.before) if args.before else pinned

    def now() -> datetime:  # lets a test start both instances' runs at the same moment
        return pinned if not args.go_file or os.path.exists(args.go_file) else before

    webhook = args.webhook_port is not None
    config = Config(
        token=args.token,
        api_root=args.api,
        database_url=args.database_url,
        database_path=Path("/nonexistent/unused.sqlite3"),
        webhook_url="https://bot.example/hook" if webhook else None,
        webhook_secret=args.secret if webhook else None,
        port=args.webhook_port or 8443,
        listen="127.0.0.1",
    )
    store = open_store(config.database)
    app = build_application(
        Assistant.create(), store, config, now,
        rate_limiter=WireGate(overall_max_rate=args.rate, max_retries=0),
        reminder_interval=args.reminder_interval or None,
        one_run_at_a_time=not args.overlapping_runs,
    )  # fmt: skip
    stop_on_signals(app)
    try:
        if webhook:
            app.run_webhook(**webhook_options(config), stop_signals=None)
        else:
            app.run_polling(stop_signals=None)
    finally:
        store.close()


if __name__ == "__main__":
    main()
