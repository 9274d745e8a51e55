"""Configuration from the environment; the token never shows."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import Config, ConfigError, default_database_path

TOKEN = "123456:SECRET-abcdef"


def test_defaults_polling_against_telegram():
    c = Config.from_env({"TELEGRAM_BOT_TOKEN": TOKEN})
    assert c.webhook_url is None
    assert c.base_url == "https://api.telegram.org/bot"
    assert c.base_file_url == "https://api.telegram.org/file/bot"
    assert c.database_path == default_database_path()
    assert "beredskapsboten" in str(c.database_path)
    assert c.port == 8443


def test_everything_from_the_environment(tmp_path):
    c = Config.from_env(
        {
            "TELEGRAM_BOT_TOKEN": f" {TOKEN} ",
            "TELEGRAM_API_BASE_URL": "http://127.0.0.1:8081/bot/",
            "WEBHOOK_URL": "https://beredskap.example.se/telegram/hook",
            "WEBHOOK_SECRET": "s3cret",
            "PORT": "5000",
            "DATABASE_PATH": str(tmp_path / "b.sqlite3"),
            "ALLOWED_USER_IDS": "1, 2 3",
            "ALLOWED_CHAT_IDS": "-100123",
            "ADMIN_IDS": "",
        }
    )
    assert c.token == TOKEN
    assert c.base_url == "http://127.0.0.1:8081/bot"
    assert c.webhook_path == "telegram/hook"
    assert c.port == 5000
    assert c.database_path == Path(tmp_path / "b.sqlite3")
    assert c.allowed_user_ids == {1, 2, 3} and c.allowed_chat_ids == {-100123}
    assert c.admin_ids == frozenset()


def test_a_webhook_without_a_configured_secret_gets_a_drawn_one():
    env = {"TELEGRAM_BOT_TOKEN": TOKEN, "WEBHOOK_URL": "https://beredskap.example.se/hook"}
    a, b = Config.from_env(env), Config.from_env(env)
    assert a.secret_generated and len(a.webhook_secret) >= 32
    assert a.webhook_secret != b.webhook_secret  # drawn, not derived
    assert a.webhook_secret not in repr(a)
    configured = Config.from_env({**env, "WEBHOOK_SECRET": "s3cret"})
    assert configured.webhook_secret == "s3cret" and not configured.secret_generated
    polling = Config.from_env({"TELEGRAM_BOT_TOKEN": TOKEN})
    assert polling.webhook_secret is None and not polling.secret_generated


def test_the_listen_address_is_configurable_and_checked():
    env = {"TELEGRAM_BOT_TOKEN": TOKEN}
    assert Config.from_env(env).listen == "0.0.0.0"
    assert Config.from_env({**env, "WEBHOOK_LISTEN": "127.0.0.1"}).listen == "127.0.0.1"
    assert Config.from_env({**env, "WEBHOOK_LISTEN": "::1"}).listen == "::1"
    with pytest.raises(ConfigError, match="WEBHOOK_LISTEN"):
        Config.from_env({**env, "WEBHOOK_LISTEN": "överallt"})


def test_repr_reveals_neither_token_nor_webhook_secret():
    c = Config.from_env({"TELEGRAM_BOT_TOKEN": TOKEN, "WEBHOOK_SECRET": "s3cret"})
    assert TOKEN not in repr(c) and "s3cret" not in repr(c)
    assert "api.telegram.org" in repr(c)


@pytest.mark.parametrize(
    ("env", "complaint"),
    [
        ({}, "TELEGRAM_BOT_TOKEN saknas"),
        ({"PORT": "webb"}, "PORT"),
        ({"WEBHOOK_URL": "http://x.se/hook"}, "https"),
        ({"TELEGRAM_API_BASE_URL": "localhost:8081"}, "TELEGRAM_API_BASE_URL"),
        ({"ALLOWED_USER_IDS": "anna"}, "ALLOWED_USER_IDS"),
        ({"WEBHOOK_SECRET": "hemligt lösen"}, "WEBHOOK_SECRET"),
    ],
)
def test_bad_configuration_says_what_to_fix(env, complaint):
    full = {"TELEGRAM_BOT_TOKEN": TOKEN, **env} if env else {}
    with pytest.raises(ConfigError, match=complaint) as err:
        Config.from_env(full)
    assert TOKEN not in str(err.value)


def _start(env: dict) -> subprocess.CompletedProcess:
    root = Path(__file__).resolve().parent.parent
    return subprocess.run([sys.executable, "-m", "bot", "telegram"], cwd=root,
                          env={**os.environ, **env}, capture_output=True, text=True,
                          timeout=120)  # fmt: skip


def test_a_configuration_error_is_one_clear_line(tmp_path):
    p = _start({"TELEGRAM_BOT_TOKEN": TOKEN, "PORT": "webb",
                "DATABASE_PATH": str(tmp_path / "b.sqlite3")})  # fmt: skip
    assert p.returncode == 2 and "PORT" in p.stderr and "Traceback" not in p.stderr


def test_a_rejected_token_is_said_without_the_token(api, tmp_path):
    wrong = "999999:WRONG-token-that-must-not-show"
    p = _start({"TELEGRAM_BOT_TOKEN": wrong, "TELEGRAM_API_BASE_URL": api.root,
                "DATABASE_PATH": str(tmp_path / "b.sqlite3")})  # fmt: skip
    assert p.returncode == 5, p.stderr[-800:]
    assert "avvisade" in p.stderr and wrong not in p.stderr + p.stdout
    assert "WRONG-token" not in p.stderr  # PTB's own log line has it redacted too


def test_an_unreachable_bot_api_at_start_is_said_plainly(tmp_path):
    p = _start({"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": "http://127.0.0.1:9",
                "DATABASE_PATH": str(tmp_path / "b.sqlite3")})  # fmt: skip
    assert p.returncode == 6, p.stderr[-800:]
    assert "går inte att nå" in p.stderr.splitlines()[-1] and TOKEN not in p.stderr


def test_database_url_chooses_postgresql_or_a_sqlite_file(tmp_path):
    pg = "postgresql://bot:hemligt@db.example:5432/bot"
    c = Config.from_env({"TELEGRAM_BOT_TOKEN": TOKEN, "DATABASE_URL": pg})
    assert c.database_url == pg and c.database == pg
    assert "hemligt" not in repr(c)
    assert Config.from_env({"TELEGRAM_BOT_TOKEN": TOKEN,
                            "DATABASE_URL": "postgres://db/bot"}).database == "postgres://db/bot"
    absolute = Config.from_env({"TELEGRAM_BOT_TOKEN": TOKEN,
                                "DATABASE_URL": f"sqlite:///{tmp_path}/b.sqlite3"})  # fmt: skip
    assert absolute.database_url is None and absolute.database == tmp_path / "b.sqlite3"
    relative = Config.from_env({"TELEGRAM_BOT_TOKEN": TOKEN, "DATABASE_URL": "sqlite:///b.db"})
    assert relative.database == Path("b.db")
    assert Config.from_env({"TELEGRAM_BOT_TOKEN": TOKEN}).database == default_database_path()


@pytest.mark.parametrize(
    ("env", "says"),
    [
        ({"DATABASE_URL": "mysql://bot:hemligt@db/bot"}, "postgresql://"),
        ({"DATABASE_URL": "sqlite://"}, "sqlite:///"),
        ({"DATABASE_URL": "postgresql://db/bot", "DATABASE_PATH": "/tmp/b.sqlite3"}, "inte båda"),
        # two instances would each draw a secret and lock each other out
        ({"DATABASE_URL": "postgresql://db/bot", "WEBHOOK_URL": "https://b.example/hook"},
         "WEBHOOK_SECRET"),
    ],
)  # fmt: skip
def test_a_database_url_that_cannot_work_is_refused(env, says):
    with pytest.raises(ConfigError) as caught:
        Config.from_env({"TELEGRAM_BOT_TOKEN": TOKEN, **env})
    assert says in str(caught.value) and "hemligt" not in str(caught.value)
