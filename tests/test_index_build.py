"""The index: built once, updated only where the knowledge changed, rebuilt when broken."""

import logging
import shutil

import pytest

import knowledge
from index import builder
from index.documents import all_documents
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
    for f in (gen.parent / builder.SEGMENTS).glob("*/*.npy"):
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


def test_adding_documents_one_at_a_time_writes_one_small_segment_each(data, tmp_path):
    """Each added document costs a segment of its own size; past MAX_SEGMENTS the small
    ones are merged, and a merged index finds every document."""
    from index import ingest

    base = builder.update(knowledge.load(data), tmp_path / "ix")
    first = builder.read_meta(base)["segments"][0]["name"]
    for n in range(builder.MAX_SEGMENTS + 3):
        doc = tmp_path / f"doc{n}.md"
        doc.write_text(f"# Plan {n}\n\n## Övning\n\nÖvningen zebraövning{n} hålls i länet.\n")
        result = ingest.add(doc, f"Plan {n}", "Länsstyrelsen", root=data,
                            index_root=tmp_path / "ix")  # fmt: skip
        segments = builder.read_meta(result.index_path)["segments"]
        assert len(segments) <= builder.MAX_SEGMENTS
        newest = max(segments, key=lambda s: s["name"])
        assert newest["documents"] <= 30 or n > 0  # the new document alone, or a merge
    assert first in {s["name"] for s in segments}  # the large first segment was left alone
    home = builder.index_home(tmp_path / "ix")
    on_disk = {p.name for p in (home / builder.SEGMENTS).iterdir()}
    assert on_disk == {s["name"] for s in segments}  # merged-away segments are gone
    s = Searcher(knowledge.load(data), tmp_path / "ix")
    for n in range(builder.MAX_SEGMENTS + 3):
        hit = s.search(f"zebraövning{n}", kinds=("passage",))[0]
        assert hit.doc == f"plan-{n}", n


def test_a_replaced_document_is_found_only_in_its_new_text(data, tmp_path):
    from index import ingest

    doc = tmp_path / "plan.md"
    doc.write_text("# Plan\n\n## Övning\n\nÖvningen heter gammalordet.\n")
    ingest.add(doc, "Plan", "Länsstyrelsen", root=data, index_root=tmp_path / "ix")
    doc.write_text("# Plan\n\n## Övning\n\nÖvningen heter nyttordet.\n")
    ingest.add(doc, "Plan", "Länsstyrelsen", root=data, index_root=tmp_path / "ix", replace=True)
    s = Searcher(knowledge.load(data), tmp_path / "ix")
    assert s.search("nyttordet", kinds=("passage",))[0].doc == "plan"
    old = [h for h in s.search("gammalordet", kinds=("passage",)) if h.doc == "plan"]
    assert all("nyttordet" in h.body and "gammalordet" not in h.matched for h in old)
    assert s.passages == len(all_documents(knowledge.load(data)))
