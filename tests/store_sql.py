"""Raw SQL on either store's own connection, for tests that look under the interface
(what a table holds, which columns exist). SQL is written with SQLite's ? placeholders."""

from __future__ import annotations

from urllib.parse import quote

from bot.subscriptions.store import SqliteStore
from bot.subscriptions.store_postgres import PostgresStore


def with_search_path(url: str, schema: str) -> str:
    """`url` with its tables in `schema` (libpq's options parameter)."""
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}options={quote(f'-csearch_path={schema}')}"


def sql(store, query: str, args: tuple = ()) -> list[tuple]:
    if isinstance(store, SqliteStore):
        return store._conn.execute(query, args).fetchall()
    assert isinstance(store, PostgresStore)
    with store._lock:
        cur = store._connection().execute(query.replace("?", "%s"), args)
        return cur.fetchall() if cur.description else []


def columns(store) -> dict[str, list[str]]:
    """Every table's columns, in order."""
    if isinstance(store, SqliteStore):
        tables = [t for (t,) in sql(store, "SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {t: [row[1] for row in sql(store, f"PRAGMA table_info({t})")] for t in tables}
    found: dict[str, list[str]] = {}
    for table, column in sql(
        store,
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position",
    ):
        found.setdefault(table, []).append(column)
    return found
