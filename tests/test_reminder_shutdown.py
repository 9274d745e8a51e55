"""Reminders are claimed right before they go on the wire, so a kill -9 loses at most
the requests in flight and a SIGTERM ends a run within seconds without losing any."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from benchmarks import kill
from bot.subscriptions.store import SubscriptionStore

ROOT = Path(__file__).resolve().parent.parent
IN_FLIGHT = 20  # ReminderSender's concurrency: the most requests on the wire at once


@pytest.mark.load
def test_kill_minus_9_mid_run_loses_only_what_was_in_flight_and_never_doubles():
    r = kill.measure(subscribers=1000, kills=3, rate=60, log=lambda *_: None)
    assert r["duplicates"] == 0
    assert r["lost_not_in_flight"] == 0  # a lost reminder is one whose request was on the wire
    assert r["lost"] <= r["unconfirmed_claims"] <= 3 * IN_FLIGHT
    assert r["delivered"] + r["lost"] == 1000


@pytest.mark.load
def test_sigterm_ends_a_run_within_seconds_and_the_restart_sends_the_rest_once(api, tmp_path):
    db = tmp_path / "bot.sqlite3"
    store = SubscriptionStore.open(db)
    chats = list(range(700_000, 700_400))
    for chat in chats:
        store.subscribe(chat, ["rsa"], kill.SUBSCRIBED_AT)
    store.close()
    cmd = [sys.executable, str(ROOT / "tests" / "sigterm_child.py"), api.root, api.token,
           str(db), "20"]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TELEGRAM_BOT_TOKEN": ""}
    child = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while len(reminders(api)) < 60:  # 20/s: a run of 400 would take 20 s
            assert child.poll() is None and time.monotonic() < deadline, child.stderr.read()
            time.sleep(0.05)
        stopped_at = time.monotonic()
        child.send_signal(signal.SIGTERM)
        child.wait(timeout=30)
        took = time.monotonic() - stopped_at
    finally:
        if child.poll() is None:
            child.kill()
    sent_before = Counter(c.chat_id for c in reminders(api))
    assert took < 10, took  # platforms kill 10-30 s after SIGTERM
    assert len(sent_before) < len(chats)  # it did stop mid-run
    s = SubscriptionStore.open(db)
    assert s.unsent_claims() == []  # nothing left claimed: in-flight sends were marked
    s.close()

    restart = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while len({c.chat_id for c in reminders(api)}) < len(chats):
            assert restart.poll() is None and time.monotonic() < deadline
            time.sleep(0.1)
        time.sleep(0.5)  # a second message would have come by now
        restart.send_signal(signal.SIGTERM)
        restart.wait(timeout=30)
    finally:
        if restart.poll() is None:
            restart.kill()
    per_chat = Counter(c.chat_id for c in reminders(api))
    assert set(per_chat) == set(chats) and set(per_chat.values()) == {1}


def reminders(api):
    return [c for c in api.sent("sendMessage") if c.text.startswith("Påminnelse")]
