"""Two bot instances, each its own process (tests/instance_child.py), on one PostgreSQL
database: a reminder run to 1,000 chats sends every reminder exactly once, whether the
two runs overlap or take turns by the run lease; and in webhook mode, with updates
spread over both, a chat's watching, replies to reminders and /glom do not depend on
which instance got which update."""

from __future__ import annotations

import itertools
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest
from fake_bot_api import FakeBotApi
from pg_server import free_port

from bot.engine.dates import STOCKHOLM
from bot.subscriptions.database import open_store

ROOT = Path(__file__).resolve().parent.parent
SUBSCRIBED_AT = datetime(2027, 9, 1, 10, tzinfo=STOCKHOLM)
REMINDER_DAY = datetime(2027, 10, 1, 9, tzinfo=STOCKHOLM)  # RSA (31 October) in 30 days
CHATS = list(range(800_000, 801_000))
SECRET = "two-instances-secret"


def start_instance(api: FakeBotApi, url: str, *args: str) -> subprocess.Popen:
    cmd = [sys.executable, str(ROOT / "tests" / "instance_child.py"), "--api", api.root,
           "--token", api.token, "--database-url", url, *args]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TELEGRAM_BOT_TOKEN": ""}
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)  # fmt: skip


def stop(*children: subprocess.Popen) -> list[str]:
    """SIGTERM, wait; the children's stderr (for failure messages)."""
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    logs = []
    for child in children:
        try:
            child.wait(timeout=30)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
        logs.append(child.stderr.read() if child.stderr else "")
    return logs


def reminders(api: FakeBotApi) -> list:
    return [c for c in api.sent("sendMessage") if c.text.startswith("Påminnelse")]


@pytest.mark.postgres
@pytest.mark.parametrize("runs", ["overlapping", "one at a time"])
def test_two_instances_send_each_of_1000_reminders_exactly_once(
    pg_url, assistant, runs, tmp_path
):
    store = open_store(pg_url)
    for chat in CHATS:
        store.subscribe(chat, ["rsa"], SUBSCRIBED_AT)
    # One fake Bot API per instance: what each chat got is the sum, and it shows who sent.
    apis = [FakeBotApi().start(), FakeBotApi().start()]
    extra = ["--overlapping-runs"] if runs == "overlapping" else []
    go = tmp_path / "go"  # both clocks reach the reminder day when it appears
    children = [
        start_instance(api, pg_url, "--clock", REMINDER_DAY.isoformat(),
                       "--before", SUBSCRIBED_AT.isoformat(), "--go-file", str(go),
                       "--reminder-interval", "0.2", *extra)
        for api in apis
    ]  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while not all(api.attempts("getUpdates") for api in apis):  # both up and running
            assert all(c.poll() is None for c in children), stop(*children)
            assert time.monotonic() < deadline, stop(*children)
            time.sleep(0.05)
        assert reminders(apis[0]) == reminders(apis[1]) == []  # nothing due before
        go.touch()
        while sum(len(reminders(api)) for api in apis) < len(CHATS):
            assert all(c.poll() is None for c in children), stop(*children)
            assert time.monotonic() < deadline, stop(*children)
            time.sleep(0.1)
        time.sleep(1.0)  # five more runs each: a duplicate would have come by now
    finally:
        logs = stop(*children)
        for api in apis:
            api.stop()
    per_chat = Counter(c.chat_id for api in apis for c in reminders(api))
    by_instance = [len(reminders(api)) for api in apis]
    assert set(per_chat) == set(CHATS), logs
    assert set(per_chat.values()) == {1}, [c for c, n in per_chat.items() if n > 1][:10]
    if runs == "overlapping":
        assert min(by_instance) > 0, by_instance  # both really sent, at the same time
    assert store.unsent_claims() == []  # every claim was confirmed
    assert store.counts().reminders_sent == len(CHATS)
    store.close()


# -- webhook mode: either instance may get any update --------------------------------------

_update_ids = itertools.count(1)


def post(port: int, api: FakeBotApi, update: dict) -> None:
    """What Telegram does: POST the update to the webhook, with the secret header."""
    body = json.dumps({"update_id": next(_update_ids), **update}).encode()
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/hook", data=body, method="POST",
        headers={"Content-Type": "application/json",
                 "X-Telegram-Bot-Api-Secret-Token": SECRET},
    )  # fmt: skip
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200


def text_update(api: FakeBotApi, chat: int, text: str) -> dict:
    message = api.message(chat, text)
    if text.startswith("/"):
        message["entities"] = [{"type": "bot_command", "offset": 0,
                                "length": len(text.split()[0])}]  # fmt: skip
    return {"message": message}


def callback_update(api: FakeBotApi, chat: int, data: str) -> dict:
    return {"callback_query": {"id": str(next(_update_ids)), "from": api.user(chat),
                               "message": api.message(chat, "…", from_bot=True),
                               "chat_instance": f"ci{chat}", "data": data}}  # fmt: skip


def wait_for_port(port: int, child: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        assert child.poll() is None, stop(child)
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            assert time.monotonic() < deadline, "the webhook server did not start"
            time.sleep(0.1)


@pytest.mark.postgres
async def test_webhook_updates_spread_over_two_instances_behave_as_one_bot(
    pg_url, api, assistant
):
    ports = [free_port(), free_port()]
    children = [
        start_instance(api, pg_url, "--clock", REMINDER_DAY.isoformat(),
                       "--webhook-port", str(port), "--secret", SECRET)
        for port in ports
    ]  # fmt: skip
    a, b = ports
    chat = 4242
    try:
        for port, child in zip(ports, children, strict=True):
            wait_for_port(port, child)

        async def say(port, text):
            before = len(api.sent("sendMessage", chat))
            post(port, api, text_update(api, chat, text))
            return (await api.wait_for("sendMessage", chat, before + 1, timeout=30))[before].text

        async def press(port, data):
            before = len(api.sent("answerCallbackQuery"))
            post(port, api, callback_update(api, chat, data))
            calls = await api.wait_for("answerCallbackQuery", count=before + 1, timeout=30)
            return calls[before].params.get("text", "")

        assert "Du bevakar nu" in await say(a, "/bevaka rsa")
        assert "RSA" in await say(b, "/mina")  # the other instance knows it
        assert "Du bevakade redan" in await say(b, "/bevaka rsa")
        assert await press(b, "igen:rsa:2027-10-31") == "Jag påminner om RSA igen i morgon"
        assert await press(a, "igen:rsa:2027-10-31") == "Redan bokad"  # the double tap
        assert (await press(a, "klar:rsa:2027-10-31")).startswith("Klart – inga fler")
        assert await press(b, "klar:rsa:2027-10-31") == "Redan markerad som klar"
        forgot = await say(b, "/glom")
        assert "raderat" in forgot.casefold() or "raderade" in forgot.casefold(), forgot
        assert "RSA" not in await say(a, "/mina")
        # both told Telegram the same webhook and the same secret
        hooks = api.sent("setWebhook")
        assert len(hooks) == 2 and {h.params.get("secret_token") for h in hooks} == {SECRET}
    finally:
        logs = stop(*children)
    store = open_store(pg_url)
    assert store.subscriptions() == [] and store.counts().subscriptions == 0, logs
    store.close()
