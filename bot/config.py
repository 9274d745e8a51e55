"""Configuration of the Telegram front end, read from the environment.

The token is a secret: it is kept out of `repr` (and so out of logs and tracebacks)
and only handed to python-telegram-bot. So is DATABASE_URL, which may hold a password:
only its masked form (bot.store_base.masked) is ever shown.
"""

from __future__ import annotations

import ipaddress
import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import platformdirs

TELEGRAM_API = "https://api.telegram.org"
DEFAULT_PORT = 8443
DEFAULT_LISTEN = "0.0.0.0"  # every interface: platforms route HTTPS to the process


class ConfigError(ValueError):
    """The environment does not describe a runnable bot; the message says what to fix."""


def default_database_path() -> Path:
    """A file under the user's data directory, e.g. ~/.local/share/beredskapsboten/."""
    return Path(platformdirs.user_data_dir("beredskapsboten", appauthor=False)) / "bot.sqlite3"


def _ids(env: Mapping[str, str], name: str) -> frozenset[int]:
    """A comma- or space-separated list of Telegram ids ("123, -100456")."""
    raw = env.get(name, "").replace(",", " ").split()
    try:
        return frozenset(int(x) for x in raw)
    except ValueError:
        raise ConfigError(
            f"{name} ska vara en lista med numeriska id:n separerade med komma, fick {raw!r}."
        ) from None


def _api_root(url: str) -> str:
    """'https://host/' or 'https://host/bot' -> 'https://host' (validated)."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(f"TELEGRAM_API_BASE_URL ska vara en http(s)-adress, fick {url!r}.")
    path = parts.path.rstrip("/")
    if path.endswith("/bot"):
        path = path[: -len("/bot")]
    return f"{parts.scheme}://{parts.netloc}{path}"


def _database_url(url: str, path_set: bool) -> str | None:
    """DATABASE_URL checked: postgresql://… or postgres://…, or sqlite:///path (the
    path after the third slash: sqlite:////var/lib/bot.sqlite3 is absolute)."""
    if not url:
        return None
    if path_set:
        raise ConfigError(
            "Sätt DATABASE_URL eller DATABASE_PATH, inte båda: boten ska inte gissa vilken "
            "databas bevakningarna finns i."
        )
    scheme = urlsplit(url).scheme
    if scheme in ("postgresql", "postgres"):
        return url
    if scheme == "sqlite" and url.startswith("sqlite:///") and len(url) > len("sqlite:///"):
        return url
    raise ConfigError(
        "DATABASE_URL ska vara postgresql://användare:lösenord@värd:5432/databas eller "
        f"sqlite:///sökväg, fick schemat {scheme or '(inget)'!r}."
    )


@dataclass(frozen=True)
class Config:
    token: str = field(repr=False)
    api_root: str = TELEGRAM_API  # Bot API server; requests go to {api_root}/bot<token>/<method>
    webhook_url: str | None = None  # set: webhook mode; unset: long polling
    webhook_secret: str | None = field(default=None, repr=False)
    port: int = DEFAULT_PORT
    listen: str = DEFAULT_LISTEN
    # no WEBHOOK_SECRET was configured, so one was drawn at start (and given to Telegram)
    secret_generated: bool = False
    database_path: Path = field(default_factory=default_database_path)
    # DATABASE_URL=postgresql://…: PostgreSQL instead of the SQLite file at database_path
    database_url: str | None = field(default=None, repr=False)
    # Empty allowlists: open to everyone (see bot/access.py).
    allowed_user_ids: frozenset[int] = frozenset()
    allowed_chat_ids: frozenset[int] = frozenset()
    admin_ids: frozenset[int] = frozenset()

    @property
    def database(self) -> str | Path:
        """What subscriptions.database.open_store opens: the PostgreSQL URL or SQLite file."""
        return self.database_url or self.database_path

    @property
    def base_url(self) -> str:
        """What ApplicationBuilder.base_url expects (the token is appended to it)."""
        return f"{self.api_root}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self.api_root}/file/bot"

    @property
    def webhook_path(self) -> str:
        """The local path the webhook server listens on: the path of WEBHOOK_URL."""
        return urlsplit(self.webhook_url or "").path.strip("/")

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Config:
        env = os.environ if env is None else env
        token = env.get("TELEGRAM_BOT_TOKEN", "").strip()
        if not token:
            raise ConfigError(
                "TELEGRAM_BOT_TOKEN saknas. Skapa en bot hos @BotFather och sätt variabeln."
            )
        port_text = env.get("PORT", "").strip() or str(DEFAULT_PORT)
        if not port_text.isdigit() or not 0 < int(port_text) < 65536:
            raise ConfigError(f"PORT ska vara ett portnummer, fick {port_text!r}.")
        webhook_url = env.get("WEBHOOK_URL", "").strip() or None
        if webhook_url and not webhook_url.startswith("https://"):
            raise ConfigError("WEBHOOK_URL ska vara en https-adress (Telegram kräver https).")
        secret = env.get("WEBHOOK_SECRET", "").strip() or None
        if secret and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
            raise ConfigError("WEBHOOK_SECRET får bara innehålla A–Z, a–z, 0–9, _ och -.")
        # A webhook never runs without a secret: forged POSTs would run as any user.
        # Telegram is told the drawn one by setWebhook and sends it with every update.
        generated = bool(webhook_url and not secret)
        if generated:
            secret = secrets.token_urlsafe(32)
        listen = env.get("WEBHOOK_LISTEN", "").strip() or DEFAULT_LISTEN
        try:
            ipaddress.ip_address(listen)
        except ValueError:
            raise ConfigError(
                "WEBHOOK_LISTEN ska vara en IP-adress, t.ex. 0.0.0.0 eller 127.0.0.1, "
                f"fick {listen!r}."
            ) from None
        db = env.get("DATABASE_PATH", "").strip()
        database_path = Path(db).expanduser() if db else default_database_path()
        database_url = _database_url(env.get("DATABASE_URL", "").strip(), bool(db))
        if database_url and database_url.startswith("sqlite:"):
            database_path, database_url = Path(database_url[len("sqlite:///") :]), None
        if database_url and webhook_url and generated:
            # each instance would draw its own and the last setWebhook would lock out the rest
            raise ConfigError(
                "Med DATABASE_URL (PostgreSQL, flera instanser) och WEBHOOK_URL måste "
                "WEBHOOK_SECRET sättas, samma i alla instanser."
            )
        return cls(
            token=token,
            api_root=_api_root(env.get("TELEGRAM_API_BASE_URL", "") or TELEGRAM_API),
            webhook_url=webhook_url,
            webhook_secret=secret,
            port=int(port_text),
            listen=listen,
            secret_generated=generated,
            database_path=database_path,
            database_url=database_url,
            allowed_user_ids=_ids(env, "ALLOWED_USER_IDS"),
            allowed_chat_ids=_ids(env, "ALLOWED_CHAT_IDS"),
            admin_ids=_ids(env, "ADMIN_IDS"),
        )
