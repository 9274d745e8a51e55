"""Run as a process by test_reminder_shutdown.py: the bot as `python -m bot telegram`
runs it (build_application, stop_on_signals, run_polling), against the fake Bot API,
with the clock pinned to a day reminders fall due and the reminder job started at once."""

import sys
from datetime import datetime
from pathlib import Path

from bot.config import Config
from bot.engine.assistant import Assistant
from bot.engine.dates import STOCKHOLM
from bot.subscriptions.store import SubscriptionStore
from bot.telegram.app import build_application, stop_on_signals
from bot.telegram.send import WireGate

REMINDER_DAY = datetime(2027, 10, 1, 9, tzinfo=STOCKHOLM)


def main(api_root: str, token: str, db: str, rate: str) -> None:
    store = SubscriptionStore.open(Path(db))
    config = Config(token=token, api_root=api_root, database_path=Path(db))
    app = build_application(
        Assistant.create(), store, config, lambda: REMINDER_DAY,
        rate_limiter=WireGate(overall_max_rate=float(rate), max_retries=0),
        reminder_interval=0.05,
    )  # fmt: skip
    stop_on_signals(app)
    print("ready", flush=True)
    try:
        app.run_polling(stop_signals=None)
    finally:
        store.close()


if __name__ == "__main__":
    main(*sys.argv[1:])
