"""SQLite faults: a database locked by another connection's write transaction, and a
read-only database (file, folder, or SQLite's own read-only switch). A short lock is
waited out; a lasting one, or a read-only file, raises StoreUnavailable and changes
nothing."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date, datetime
from pathlib import Path

import pytest
from telegram_harness import MutableClock, running_bot

from bot.engine.dates import STOCKHOLM
from bot.subscriptions.reminders import ReminderKey
from bot.subscriptions.store import StoreUnavailable, SubscriptionStore

NOW = datetime(2027, 9, 1, 10, tzinfo=STOCKHOLM)
KEY = ReminderKey(42, "rsa", date(2027, 10, 31), 30)
ROOT = Path(__file__).resolve().parent.parent


class Locker:
    """Another process's connection holding a write transaction (BEGIN EXCLUSIVE)."""

    def __init__(self, path: Path):
        self.conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)

    def lock(self) -> Locker:
        self.conn.execute("BEGIN EXCLUSIVE")
        self.conn.execute("INSERT INTO subscriptions VALUES (1, 'rsa', '2027-01-01T00:00:00')")
        return self

    def release(self, commit: bool = False) -> None:
        self.conn.execute("COMMIT" if commit else "ROLLBACK")

    def release_after(self, seconds: float) -> threading.Thread:
        t = threading.Timer(seconds, self.release)
        t.start()
        return t

    def close(self) -> None:
        self.conn.close()


@pytest.fixture
def path(tmp_path):
    return tmp_path / "bot.sqlite3"


def test_a_short_lock_is_waited_out(path):
    store = SubscriptionStore.open(path, busy_timeout=5)
    locker = Locker(path).lock()
    started = time.monotonic()
    timer = locker.release_after(0.3)
    assert store.subscribe(42, ["rsa"], NOW) == ["rsa"]
    assert time.monotonic() - started >= 0.25  # it did wait for the other writer
    timer.join()
    assert [s.chat_id for s in store.subscriptions()] == [42]  # the locker rolled back
    locker.close()
    store.close()


def test_a_lasting_lock_raises_store_unavailable_and_changes_nothing(path):
    store = SubscriptionStore.open(path, busy_timeout=0.2)
    store.subscribe(42, ["rsa"], NOW)
    store.claim([KEY], NOW)
    locker = Locker(path).lock()
    for write in (
        lambda: store.subscribe(42, ["indikatorer"], NOW),
        lambda: store.unsubscribe(42, ["rsa"]),
        lambda: store.forget(42),
        lambda: store.mark_sent([KEY], NOW),
        lambda: store.claim([ReminderKey(42, "rsa", date(2027, 10, 31), 7)], NOW),
    ):
        with pytest.raises(StoreUnavailable) as caught:
            write()
        assert caught.value.locked
        assert str(path) in str(caught.value) and "låst" in str(caught.value)
    # WAL: reading goes on while another connection writes
    assert [s.deadline_id for s in store.subscriptions(42)] == ["rsa"]
    locker.release()
    assert [s.deadline_id for s in store.subscriptions(42)] == ["rsa"]  # nothing lost
    assert store.unsent_claims() == [KEY]  # nothing changed either
    assert store.subscribe(42, ["indikatorer"], NOW) == ["indikatorer"]  # and it works again
    locker.close()
    store.close()


def test_a_database_turned_read_only_raises_and_keeps_what_was_stored(path):
    store = SubscriptionStore.open(path)
    store.subscribe(42, ["rsa"], NOW)
    store._conn.execute("PRAGMA query_only = ON")  # SQLite's SQLITE_READONLY, as for a file
    with pytest.raises(StoreUnavailable) as caught:
        store.subscribe(42, ["indikatorer"], NOW)
    assert caught.value.reason == "readonly" and "skrivskyddad" in str(caught.value)
    with pytest.raises(StoreUnavailable):
        store.forget(42)
    assert [s.deadline_id for s in store.subscriptions(42)] == ["rsa"]
    store._conn.execute("PRAGMA query_only = OFF")
    assert store.subscribe(42, ["indikatorer"], NOW) == ["indikatorer"]
    store.close()


def test_a_write_failing_half_way_leaves_nothing_half_written(path):
    store = SubscriptionStore.open(path)

    def ids():
        yield "rsa"  # inserted inside the transaction ...
        store._conn.execute("PRAGMA query_only = ON")
        yield "indikatorer"  # ... and this insert fails

    with pytest.raises(StoreUnavailable):
        store.subscribe(42, ids(), NOW)
    store._conn.execute("PRAGMA query_only = OFF")
    assert store.subscriptions() == []  # the first insert was rolled back too
    assert not store._conn.in_transaction
    store.close()


def test_a_statement_bug_is_not_disguised_as_unavailable(path):
    store = SubscriptionStore.open(path)
    with pytest.raises(sqlite3.OperationalError), store._tx() as db:
        db.execute("SELECT * FROM no_such_table")
    assert store.subscribe(42, ["rsa"], NOW) == ["rsa"]  # the transaction was closed
    store.close()


def test_opening_a_locked_database_waits_then_names_the_path(path):
    SubscriptionStore.open(path).close()
    locker = Locker(path).lock()
    with pytest.raises(StoreUnavailable) as caught:
        SubscriptionStore.open(path, busy_timeout=0.1)
    assert caught.value.locked and str(path) in str(caught.value)
    locker.release()
    locker.close()


def test_a_folder_that_cannot_be_created_names_the_path(tmp_path):
    blocker = tmp_path / "fil"
    blocker.write_text("en fil, ingen mapp")
    with pytest.raises(StoreUnavailable) as caught:
        SubscriptionStore.open(blocker / "bot.sqlite3")
    assert str(blocker / "bot.sqlite3") in str(caught.value)


# -- a real read-only file or folder, at startup ---------------------------------------
# chmod does not bind root, so as root the bot runs as the user "nobody" (setpriv).


def _as_unprivileged() -> list[str]:
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv: cannot make a file read-only")
    return ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]


@pytest.fixture
def shared_dir():
    """A folder the unprivileged user can reach (pytest's tmp_path is private)."""
    d = Path(tempfile.mkdtemp(prefix="bot-ro-"))
    d.chmod(0o755)
    yield d
    for p in d.rglob("*"):
        p.chmod(0o755 if p.is_dir() else 0o644)
    shutil.rmtree(d)


def start_bot(db: Path) -> subprocess.CompletedProcess:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(db.parent),
        "TELEGRAM_BOT_TOKEN": "123456:TEST-token-never-logged",
        "TELEGRAM_API_BASE_URL": "http://127.0.0.1:9",  # never reached
        "DATABASE_PATH": str(db),
        "INDEX_DIR": str(db.parent / "index"),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    return subprocess.run(
        [*_as_unprivileged(), sys.executable, "-m", "bot", "telegram"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip


@pytest.mark.parametrize("what", ["file", "folder"])
def test_a_read_only_database_at_startup_is_a_clear_message(shared_dir, what):
    folder = shared_dir / "data"
    folder.mkdir()
    db = folder / "bot.sqlite3"
    SubscriptionStore.open(db).close()  # an existing database with its tables
    if os.geteuid() == 0:
        for p in (folder, db):
            os.chown(p, 65534, 65534)  # nobody's own, then made read-only
    (db if what == "file" else folder).chmod(0o444 if what == "file" else 0o555)
    proc = start_bot(db)
    assert proc.returncode == 4, proc.stderr[-2000:]
    assert f"Databasen {db} är skrivskyddad" in proc.stderr
    assert "Traceback" not in proc.stderr


# -- what the user and the reminder run see (the real Application, fake Bot API) --------


def at(y, m, d, hh=9, mm=0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=STOCKHOLM)


async def test_a_locked_database_gets_a_clear_answer_and_loses_nothing(api, path, assistant):
    clock = MutableClock(at(2027, 9, 1, 10))
    store = SubscriptionStore.open(path, busy_timeout=0.2)
    async with running_bot(api, path, assistant, clock, store=store):
        assert "Du bevakar nu" in (await api.reply_to(50, "/bevaka rsa")).text
        locker = Locker(path).lock()
        for command in ("/bevaka indikatorer", "/avbevaka rsa", "bevaka alla"):
            answer = await api.reply_to(50, command)
            assert answer.text.startswith("Kunde inte spara just nu – försök igen om en stund.")
        assert (await api.reply_to(50, "/glom")).text.startswith("Kunde inte radera just nu")
        before = len(api.sent("sendMessage", 50))
        api.push_callback(50, "bevaka:indikatorer")
        await api.wait_for("answerCallbackQuery")
        notice = api.sent("answerCallbackQuery")[-1].params["text"]
        assert notice == "Kunde inte spara just nu – försök igen"
        # the button's notice comes with the reason in the chat; it may follow the notice
        # late, so it is waited for before the next command's reply is
        said = await api.wait_for("sendMessage", 50, before + 1)
        assert said[before].text.startswith("Kunde inte spara just nu – försök igen om en stund.")
        mine = await api.reply_to(50, "/mina")  # reading works under a write lock (WAL)
        assert "RSA" in mine.text and "Indikatorer" not in mine.text
        locker.release()
        locker.close()
        assert [s.deadline_id for s in store.subscriptions(50)] == ["rsa"]  # nothing lost
        assert "Du bevakar nu" in (await api.reply_to(50, "/bevaka indikatorer")).text
    assert not [c for c in api.sent("sendMessage") if "Något gick fel" in c.text]


async def test_a_read_only_database_gets_a_clear_answer(api, path, assistant):
    clock = MutableClock(at(2027, 9, 1, 10))
    async with running_bot(api, path, assistant, clock) as bot:
        await api.reply_to(51, "/bevaka rsa")
        bot.store._conn.execute("PRAGMA query_only = ON")  # as a file turned read-only
        answer = await api.reply_to(51, "/avbevaka alla")
        assert answer.text.startswith("Kunde inte spara just nu")
        bot.store._conn.execute("PRAGMA query_only = OFF")
        assert [s.deadline_id for s in bot.store.subscriptions(51)] == ["rsa"]


async def test_a_reminder_run_under_a_lock_sends_nothing_and_the_next_run_sends(
    api, path, assistant
):
    clock = MutableClock(at(2027, 9, 1, 10))
    store = SubscriptionStore.open(path, busy_timeout=0.2)
    async with running_bot(api, path, assistant, clock, store=store) as bot:
        for chat in range(60, 70):
            store.subscribe(chat, ["rsa"], clock())
        clock.set(at(2027, 10, 1, 9, 0))
        locker = Locker(path).lock()
        started = time.monotonic()
        report = await bot.run_reminders()
        assert report.skipped and not report.sent
        # one busy wait of 0.2 s, not one per chat (ten would take at least 2 s)
        assert time.monotonic() - started < 1.9
        assert api.sent("sendMessage") == []
        locker.release()
        locker.close()
        clock.advance(minutes=15)
        report = await bot.run_reminders()
        assert not report.skipped and len(report.sent) == 10
        await bot.run_reminders()
    assert len(api.sent("sendMessage")) == 10


async def test_a_lock_in_the_middle_of_a_run_stops_it_without_a_duplicate(
    api, path, assistant, monkeypatch
):
    clock = MutableClock(at(2027, 9, 1, 10))
    store = SubscriptionStore.open(path, busy_timeout=0.2)
    async with running_bot(api, path, assistant, clock, store=store) as bot:
        for chat in range(80, 120):
            store.subscribe(chat, ["rsa"], clock())
        clock.set(at(2027, 10, 1, 9, 0))
        locker = Locker(path)
        claim, calls = store.claim, []

        def claim_then_lock(keys, now):  # another process takes the lock after 5 claims
            calls.append(1)
            if len(calls) == 6:
                locker.lock()
            return claim(keys, now)

        monkeypatch.setattr(store, "claim", claim_then_lock)
        report = await bot.run_reminders()
        assert report.skipped and len(report.sent) == 5
        # Their 'sent' marks could not be written under the lock either: they stay claimed
        # (listed for the operator) and are never resent.
        assert report.unconfirmed == report.sent
        locker.release()
        locker.close()
        assert len(store.unsent_claims()) == 5
        clock.advance(minutes=15)
        assert len((await bot.run_reminders()).sent) == 35
    assert len(api.sent("sendMessage")) == 40
    assert len({c.chat_id for c in api.sent("sendMessage")}) == 40


async def test_a_sent_reminder_whose_mark_cannot_be_written_is_not_resent(
    api, path, assistant, monkeypatch, caplog
):
    clock = MutableClock(at(2027, 9, 1, 10))
    async with running_bot(api, path, assistant, clock) as bot:
        bot.store.subscribe(90, ["rsa"], clock())
        clock.set(at(2027, 10, 1, 9, 0))
        mark_sent = bot.store.mark_sent

        def read_only_then_mark(keys, now):  # the disk turns read-only mid-send
            bot.store._conn.execute("PRAGMA query_only = ON")
            return mark_sent(keys, now)

        monkeypatch.setattr(bot.store, "mark_sent", read_only_then_mark)
        report = await bot.run_reminders()
        assert report.unconfirmed == [ReminderKey(90, "rsa", date(2027, 10, 31), 30)] == report.sent
        assert "not resent" in caplog.text
        bot.store._conn.execute("PRAGMA query_only = OFF")
        monkeypatch.undo()
        assert bot.store.unsent_claims() == [ReminderKey(90, "rsa", date(2027, 10, 31), 30)]
        clock.advance(minutes=15)
        assert (await bot.run_reminders()).sent == []
    assert len(api.sent("sendMessage", 90)) == 1


@pytest.mark.parametrize("content", [b"garbage, not a database" * 100, b""])
def test_a_corrupted_database_at_startup_is_a_clear_message(tmp_path, content):
    db = tmp_path / "bot.sqlite3"
    SubscriptionStore.open(db).close()
    data = db.read_bytes()
    db.write_bytes(content or data[:100] + b"\x00" * 50 + data[150:])  # a damaged header
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": "123456:TEST-token-never-logged",
           "TELEGRAM_API_BASE_URL": "http://127.0.0.1:9", "DATABASE_PATH": str(db)}  # fmt: skip
    p = subprocess.run([sys.executable, "-m", "bot", "telegram"], cwd=ROOT, env=env,
                       capture_output=True, text=True, timeout=120)  # fmt: skip
    assert p.returncode == 4, p.stderr[-500:]
    assert "skadad eller ingen SQLite-databas" in p.stderr and "Traceback" not in p.stderr


def _delete(db: Path) -> None:
    for p in db.parent.glob(db.name + "*"):  # with its -wal and -shm
        p.unlink()


def test_a_database_deleted_under_the_bot_is_noticed_on_the_next_write(tmp_path):
    db = tmp_path / "bot.sqlite3"
    store = SubscriptionStore.open(db)
    store.subscribe(1, ["rsa"], NOW)
    _delete(db)
    with pytest.raises(StoreUnavailable) as caught:
        store.subscribe(2, ["rsa"], NOW)
    assert caught.value.reason == "deleted" and "starta om boten" in str(caught.value)
    with pytest.raises(StoreUnavailable):
        store.check()
    store.close()
    again = SubscriptionStore.open(db)  # a restart opens a new file, and says so by being empty
    again.check()
    again.subscribe(3, ["rsa"], NOW)
    assert [s.chat_id for s in again.subscriptions()] == [3]
    again.close()


async def test_the_user_and_the_admin_are_told_when_the_database_was_deleted(
    api, tmp_path, assistant
):
    db = tmp_path / "bot.sqlite3"
    admin = 4711
    async with running_bot(api, db, assistant, MutableClock(NOW),
                           admin_ids=frozenset({admin})):  # fmt: skip
        assert "Du bevakar nu" in (await api.reply_to(1, "/bevaka rsa")).text
        _delete(db)
        reply = (await api.reply_to(2, "/bevaka rsa")).text
        assert "Du bevakar nu" not in reply and "försök" in reply.casefold(), reply
        status = (await api.reply_to(admin, "/status")).text
        assert "tagits bort" in status
