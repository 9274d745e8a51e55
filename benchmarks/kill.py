"""python -m benchmarks.kill [--subscribers 1000] [--kills 3] [--rate 30]

Reminders under kill -9: a reminder run to N chats (all watching RSA, the clock 30 days
before it) is killed with SIGKILL several times mid-way and restarted, then run to the
end. The fake Bot API (tests/fake_bot_api.py, 127.0.0.1) counts what each chat received:
lost = chats that got nothing, duplicates = messages beyond one per chat. Claims left
'claimed' by a kill are the requests that were on the wire: at-most-once keeps them from
being resent, so a lost reminder must be one of them. Each run is its own process with
the bot's own ReminderSender, store (SQLite) and rate limiter (bot.telegram.send.WireGate).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # the fake Bot API lives with the tests

from bot.engine.dates import STOCKHOLM  # noqa: E402

SUBSCRIBED_AT = datetime(2027, 9, 1, 10, tzinfo=STOCKHOLM)
REMINDER_DAY = datetime(2027, 10, 1, 9, tzinfo=STOCKHOLM)  # RSA due in 30 days


async def _one_run(api_root: str, token: str, db: Path, rate: float) -> None:
    """What the bot's reminder job does, in this process."""
    from telegram.ext import ExtBot

    import knowledge
    from bot.subscriptions.store import SubscriptionStore
    from bot.telegram.reminder_sender import ReminderSender
    from bot.telegram.send import RetryPolicy, WireGate

    bot = ExtBot(token, base_url=f"{api_root}/bot",
                 rate_limiter=WireGate(overall_max_rate=rate, max_retries=0))  # fmt: skip
    store = SubscriptionStore.open(db)
    try:
        async with bot:
            sender = ReminderSender(bot, store, knowledge.load(), lambda: REMINDER_DAY,
                                    RetryPolicy())  # fmt: skip
            await sender.run()
    finally:
        store.close()


def measure(subscribers: int, kills: int, rate: float, log=print) -> dict:
    from fake_bot_api import FakeBotApi

    from bot.subscriptions.store import SubscriptionStore

    api = FakeBotApi().start()
    chats = list(range(500_000, 500_000 + subscribers))
    try:
        with tempfile.TemporaryDirectory(prefix="kill-") as tmp:
            db = Path(tmp) / "bot.sqlite3"
            store = SubscriptionStore.open(db)
            for chat in chats:
                store.subscribe(chat, ["rsa"], SUBSCRIBED_AT)
            store.close()
            cmd = [sys.executable, "-m", "benchmarks.kill", "--child", "--api", api.root,
                   "--token", api.token, "--db", str(db), "--rate", str(rate)]  # fmt: skip
            env = {**os.environ, "PYTHONPATH": str(ROOT)}
            step = max(1, subscribers // (kills + 2))
            stale_after_kills = []
            for k in range(kills):
                before = len(api.sent("sendMessage"))
                child = subprocess.Popen(cmd, cwd=ROOT, env=env, stderr=subprocess.DEVNULL)
                deadline = time.monotonic() + 120
                while len(api.sent("sendMessage")) < before + step:
                    if child.poll() is not None or time.monotonic() > deadline:
                        raise SystemExit("benchmarks.kill: körningen slutade för tidigt")
                    time.sleep(0.05)
                child.send_signal(signal.SIGKILL)
                child.wait()
                time.sleep(0.2)  # a request the kill cut off has landed or never will
                s = SubscriptionStore.open(db)
                stale_after_kills.append(len(s.unsent_claims()))
                s.close()
                log(f"  dödad {k + 1}/{kills}: {len(api.sent('sendMessage'))} skickade, "
                    f"{stale_after_kills[-1]} obekräftade anspråk")  # fmt: skip
            for _ in range(2):  # to the end, and once more: the second must send nothing
                subprocess.run(cmd, cwd=ROOT, env=env, check=True, stderr=subprocess.DEVNULL)
            s = SubscriptionStore.open(db)
            stale = s.unsent_claims()
            s.close()
    finally:
        api.stop()
    per_chat = Counter(c.chat_id for c in api.sent("sendMessage"))
    lost = [c for c in chats if c not in per_chat]
    stale_chats = {k.chat_id for k in stale}
    return {
        "subscribers": subscribers,
        "kills": kills,
        "delivered": len(per_chat),
        "lost": len(lost),
        "lost_not_in_flight": len([c for c in lost if c not in stale_chats]),
        "duplicates": sum(per_chat.values()) - len(per_chat),
        "unconfirmed_claims": len(stale),
        "claims_left_per_kill": stale_after_kills,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.kill", description=__doc__)
    ap.add_argument("--subscribers", type=int, default=1000)
    ap.add_argument("--kills", type=int, default=3)
    ap.add_argument("--rate", type=float, default=30.0, help="the limiter's messages/s")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--api", help=argparse.SUPPRESS)
    ap.add_argument("--token", help=argparse.SUPPRESS)
    ap.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        asyncio.run(_one_run(args.api, args.token, args.db, args.rate))
        return 0
    if args.subscribers < 1 or args.kills < 0 or args.rate <= 0:
        ap.error("--subscribers ≥ 1, --kills ≥ 0 och --rate > 0")
    print(f"Påminnelser till {args.subscribers} chattar, {args.kills} kill -9 på vägen, "
          f"{args.rate:g}/s", flush=True)  # fmt: skip
    r = measure(args.subscribers, args.kills, args.rate)
    print(
        f"Levererade {r['delivered']}/{r['subscribers']}, förlorade {r['lost']} (varav utanför "
        f"de pågående anropen: {r['lost_not_in_flight']}), dubbletter {r['duplicates']}, "
        f"obekräftade anspråk {r['unconfirmed_claims']}"
    )
    print("summary: " + json.dumps(r))
    return 0


if __name__ == "__main__":
    sys.exit(main())
