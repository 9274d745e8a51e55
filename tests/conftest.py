"""Shared fixtures: the real knowledge base and one index built for the whole session."""

from __future__ import annotations

from datetime import date

import pytest
from fake_bot_api import FakeBotApi

import knowledge
from bot.assistant import Assistant
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
