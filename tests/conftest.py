"""Shared fixtures: the real knowledge base and one index built for the whole session;
a PostgreSQL server and a fresh schema per test; the store of either backend."""

from __future__ import annotations

import os
import uuid
from datetime import date

import psycopg
import pytest
from fake_bot_api import FakeBotApi
from pg_server import start as start_postgres
from store_sql import with_search_path

import knowledge
from bot.engine.assistant import Assistant
from index.search import Searcher

TODAY = date(2026, 11, 24)  # pinned "today" for every date-dependent test


@pytest.fixture(scope="session", autouse=True)
def _isolated_index(tmp_path_factory):
    """Never touch the developer's cache: indexes go to a temporary folder."""
    mp = pytest.MonkeyPatch()
    mp.setenv("INDEX_DIR", str(tmp_path_factory.mktemp("index")))
    # one vector cache for the session: tests that build an index of their own (and the
    # CLI in subprocesses) embed only what is new to them, with the real model
    mp.setenv("EMBEDDING_CACHE", str(tmp_path_factory.mktemp("vectors") / "vectors.sqlite3"))
    # the bots the tests start choose their own database (a developer's DATABASE_URL
    # beside a test's DATABASE_PATH would be refused)
    mp.delenv("DATABASE_URL", raising=False)
    mp.delenv("DATABASE_PATH", raising=False)
    yield
    mp.undo()


@pytest.fixture(scope="session")
def kb() -> knowledge.Knowledge:
    return knowledge.load()


@pytest.fixture(scope="session")
def assistant(kb, _isolated_index) -> Assistant:
    return Assistant(kb, Searcher(kb))


@pytest.fixture
def ask(assistant):
    def _ask(question: str, today: date = TODAY):
        return assistant.ask(question, today)

    return _ask


@pytest.fixture
def api():
    """A fake Telegram Bot API on 127.0.0.1 (tests/fake_bot_api.py), one per test."""
    server = FakeBotApi().start()
    yield server
    server.stop()


# -- PostgreSQL ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def postgres_server():
    """The URL of a PostgreSQL server's maintenance database: TEST_DATABASE_URL when set
    (CI starts one), else a throwaway server started here from the installed binaries.
    Without either the PostgreSQL tests are skipped - unless REQUIRE_POSTGRES=1 (CI),
    where they fail."""
    url = os.environ.get("TEST_DATABASE_URL", "").strip()
    if url:
        yield url
        return
    why = "no PostgreSQL: TEST_DATABASE_URL is unset and initdb/pg_ctl were not found"
    server = None
    try:
        server = start_postgres()
    except Exception as exc:  # binaries there, but no server came up
        why = f"no PostgreSQL: a throwaway server did not start ({exc})"
    if server is None:
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail(f"REQUIRE_POSTGRES=1 but {why}")
        pytest.skip(why)
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture
def pg_url(postgres_server):
    """A PostgreSQL URL whose search_path is a schema of this test's own, dropped after."""
    schema = f"t_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(postgres_server, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    yield with_search_path(postgres_server, schema)
    with psycopg.connect(postgres_server, autocommit=True) as conn:
        # a test that failed may have left a connection open in the schema
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE application_name = 'beredskapsboten' AND pid <> pg_backend_pid()"
        )
        conn.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path) -> str:
    """Where a store test's database is: a new SQLite file, or a new PostgreSQL schema.
    Tests taking it run once per backend (open it with bot.store_base.open_store)."""
    if request.param == "sqlite":
        return str(tmp_path / "sub" / "bot.sqlite3")
    return request.getfixturevalue("pg_url")
