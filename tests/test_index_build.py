"""The index: built once, updated only where the knowledge changed, rebuilt when broken."""

import logging
import shutil

import pytest

import knowledge
from index import builder
from index.search import Searcher
from knowledge.loader import PACKAGE_DATA


@pytest.fixture
def data(tmp_path):
    root = tmp_path / "knowledge"
    shutil.copytree(PACKAGE_DATA, root)
    return root


def test_update_is_a_no_op_when_nothing_changed(data, tmp_path):
    kb = knowledge.load(data)
    first = builder.update(kb, tmp_path / "ix")
    assert builder.update(kb, tmp_path / "ix") == first
    assert builder.read_meta(first)["reindexed"]  # the first build indexed every source


def test_a_yaml_change_reindexes_only_the_entries(data, tmp_path):
    builder.update(knowledge.load(data), tmp_path / "ix")
    facts = data / "facts.yaml"
    facts.write_text(
        facts.read_text(encoding="utf-8").replace("sex civilområden", "sex (6) civilområden"),
        encoding="utf-8",
    )
    kb = knowledge.load(data)
    gen = builder.update(kb, tmp_path / "ix")
    assert builder.read_meta(gen)["reindexed"] == ["entries"]
    hit = Searcher(kb, tmp_path / "ix").search("civilområden", kinds=("fact",))[0]
    assert "sex (6) civilområden" in hit.body


def test_a_corrupt_index_is_rebuilt_with_a_log_line(data, tmp_path, caplog):
    kb = knowledge.load(data)
    gen = builder.update(kb, tmp_path / "ix")
    for f in gen.glob("*.seg"):
        f.write_bytes(b"garbage")
    for f in gen.glob("_MAIN_*.toc"):
        f.write_bytes(b"garbage")
    with caplog.at_level(logging.WARNING):
        s = Searcher(kb, tmp_path / "ix")
    assert "bygger om" in caplog.text
    assert s.search("RSA", kinds=("deadline",))[0].ref == "rsa"


def test_a_missing_pointer_means_a_fresh_build(data, tmp_path):
    kb = knowledge.load(data)
    gen = builder.update(kb, tmp_path / "ix")
    (builder.index_home(tmp_path / "ix") / builder.CURRENT).unlink()
    assert builder.update(kb, tmp_path / "ix") != gen
