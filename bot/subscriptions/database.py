"""Which store a DATABASE_URL opens: PostgreSQL for a postgresql:// URL, SQLite for a
path. Apart from store_base.py so that the interface imports neither implementation."""

from __future__ import annotations

from pathlib import Path

from .store_base import BUSY_TIMEOUT, Store, is_postgres_url, masked


def describe(target: str | Path) -> str:
    """What the start-up log says about the database: a path, or the masked URL."""
    return masked(target) if is_postgres_url(target) else str(target)


def open_store(target: str | Path, busy_timeout: float = BUSY_TIMEOUT) -> Store:
    """The store for `target`: a postgresql:// (or postgres://) URL opens PostgreSQL,
    anything else is a SQLite file's path. Raises StoreUnavailable when it cannot be
    opened. (Config.from_env has already turned DATABASE_URL=sqlite:///… into a path.)"""
    if is_postgres_url(target):
        from .store_postgres import PostgresStore  # psycopg is only loaded when used

        return PostgresStore.open(str(target), busy_timeout=busy_timeout)
    from .store import SqliteStore

    return SqliteStore.open(target, busy_timeout=busy_timeout)
