"""A bot that starts on an index of older sources answers at once from the unchanged
ones and switches to the up-to-date index when it has been built beside it."""

from __future__ import annotations

import asyncio
import shutil
from datetime import datetime

import pytest
import yaml
from telegram_harness import MutableClock, running_bot

import knowledge
from bot.engine.assistant import Assistant
from bot.engine.dates import STOCKHOLM
from bot.telegram.services import services_of
from index import builder
from index.search import Searcher
from knowledge.loader import ADDED, PACKAGE_DATA

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=STOCKHOLM)
CHAT = 777


def _add_by_hand(data, doc_id: str, body: str) -> None:
    """As an operator copying files in: the knowledge changes, the index does not."""
    folder = data / ADDED
    folder.mkdir(exist_ok=True)
    (folder / f"{doc_id}.md").write_text(f"# Plan\n\n## Reservkraft\n\n{body}\n", "utf-8")
    meta = {"id": doc_id, "title": "Regional plan för reservkraft", "publisher": "Region Test",
            "kind": "tillagt dokument (md)", "file": f"{ADDED}/{doc_id}.md"}  # fmt: skip
    (folder / f"{doc_id}.yaml").write_text(yaml.safe_dump(meta, allow_unicode=True), "utf-8")


@pytest.fixture
def data(tmp_path):
    root = tmp_path / "knowledge"
    shutil.copytree(PACKAGE_DATA, root)
    return root


def test_a_stale_index_opens_without_building_and_leaves_out_what_changed(data, tmp_path):
    builder.update(knowledge.load(data), tmp_path / "ix")
    live = builder.live_generation(builder.index_home(tmp_path / "ix"))
    _add_by_hand(data, "reservplan", "Reservkraftverket zebrakraft provkörs varje månad.")
    facts = data / "facts.yaml"
    facts.write_text(facts.read_text("utf-8").replace("sex civilområden", "sju civilområden"))
    kb = knowledge.load(data)

    s = Searcher(kb, tmp_path / "ix", stale_ok=True)
    assert s.path == live  # opened as it was: nothing built
    assert s.stale == ("doc:reservplan", "entries")
    assert all(h.doc != "reservplan" for h in s.search("zebrakraft"))  # not in it yet
    assert not s.search("civilområden", kinds=("fact",))  # the changed entries are left out
    assert s.search("RSA rapportering", kinds=("passage",))  # the unchanged texts answer

    fresh = Searcher(kb, tmp_path / "ix")  # the usual way builds what changed
    assert fresh.stale == () and fresh.path != live
    assert fresh.search("zebrakraft")[0].doc == "reservplan"
    assert "sju civilområden" in fresh.search("civilområden", kinds=("fact",))[0].body


def test_an_up_to_date_index_is_not_stale(data, tmp_path):
    kb = knowledge.load(data)
    builder.update(kb, tmp_path / "ix")
    assert Searcher(kb, tmp_path / "ix", stale_ok=True).stale == ()


async def test_the_bot_answers_at_start_and_switches_when_the_index_is_built(
    api, data, tmp_path, monkeypatch
):
    monkeypatch.setenv("KNOWLEDGE_DIR", str(data))
    monkeypatch.setenv("INDEX_DIR", str(tmp_path / "ix"))
    builder.update(knowledge.load(data), tmp_path / "ix")
    _add_by_hand(data, "reservplan", "Reservkraftverket zebrakraft provkörs varje månad.")
    stale = Assistant.create(stale_ok=True)
    assert stale.searcher.stale == ("doc:reservplan",)
    async with running_bot(
        api, tmp_path / "bot.sqlite3", stale, MutableClock(NOW), reload=Assistant.create
    ) as bot:
        s = services_of(bot.app)
        for _ in range(600):  # the refresh runs in a thread while the bot answers
            if s.assistant is not stale:
                break
            await asyncio.sleep(0.05)
        assert s.assistant is not stale and s.assistant.searcher.stale == ()
        call = await api.reply_to(CHAT, "Hur ofta provkörs reservkraftverket zebrakraft?")
        assert "varje månad" in call.text
        assert "Regional plan för reservkraft" in call.text
