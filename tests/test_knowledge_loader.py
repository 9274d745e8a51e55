"""The knowledge base loads, every fact names its source, and bad files fail clearly."""

import shutil
from pathlib import Path

import pytest

import knowledge
from knowledge import KnowledgeError
from knowledge.loader import PACKAGE_DATA


def test_real_knowledge_is_complete(kb):
    assert len(kb.regions) == 21
    assert {d.id for d in kb.deadlines} >= {"rsa", "indikatorer", "arlig-uppfoljning"}
    assert len(kb.insatser) == 7
    for item in (*kb.deadlines, *kb.areas, *kb.facts, *kb.contacts, *kb.insatser):
        assert item.source.doc in kb.documents
        assert item.source.section.strip()
    for doc in kb.documents.values():
        if doc.file:
            assert len(kb.texts[doc.id]) > 500, doc.id


@pytest.fixture
def data(tmp_path) -> Path:
    root = tmp_path / "data"
    shutil.copytree(PACKAGE_DATA, root)
    return root


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture drift: {old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_unknown_rule_type_names_file_and_entry(data):
    _edit(data / "deadlines.yaml", "type: every_n_years", "type: every_other_tuesday")
    with pytest.raises(KnowledgeError) as err:
        knowledge.load(data)
    assert err.value.file == "deadlines.yaml"
    assert "rsa" in err.value.entry
    assert "every_other_tuesday" in err.value.problem


def test_impossible_date(data):
    _edit(data / "deadlines.yaml", "month: 2, day: 15", "month: 2, day: 30")
    with pytest.raises(KnowledgeError, match=r"deadlines.yaml: post 3 \(arlig-uppfoljning\)"):
        knowledge.load(data)


def test_unknown_source_document(data):
    _edit(data / "facts.yaml", "doc: msb-landstingens-ledningsformaga", "doc: no-such-doc")
    with pytest.raises(KnowledgeError, match="okänt dokument 'no-such-doc'"):
        knowledge.load(data)


def test_unknown_audience(data):
    _edit(data / "sources.yaml", "audience: kommuner", "audience: landsting")
    with pytest.raises(KnowledgeError, match="audience 'landsting' är inte en av regioner"):
        knowledge.load(data)


def test_missing_field(data):
    _edit(data / "areas.yaml", "  name: Planering\n", "")
    expected = r"areas.yaml: post 2 \(planering\): fältet 'name' saknas"
    with pytest.raises(KnowledgeError, match=expected):
        knowledge.load(data)


def test_broken_yaml(data):
    (data / "regions.yaml").write_text("- {id: x, name: [unclosed\n", encoding="utf-8")
    with pytest.raises(KnowledgeError, match="regions.yaml: -: ogiltig YAML"):
        knowledge.load(data)


def test_grant_missing_a_region(data):
    _edit(data / "grants" / "hsv-civilt-forsvar-2023.yaml", "  gotland: 61167\n", "")
    with pytest.raises(KnowledgeError, match="befolkning saknas för: gotland"):
        knowledge.load(data)


def test_grant_base_amounts_exceed_total(data):
    _edit(
        data / "grants" / "hsv-civilt-forsvar-2023.yaml",
        "base_amount: 6500000",
        "base_amount: 60000000",
    )
    with pytest.raises(KnowledgeError, match="överstiger totalen"):
        knowledge.load(data)


def test_duplicate_id(data):
    path = data / "regions.yaml"
    path.write_text(
        path.read_text(encoding="utf-8") + "- {id: gotland, name: Region Gotland igen}\n",
        encoding="utf-8",
    )
    with pytest.raises(KnowledgeError, match="förekommer två gånger"):
        knowledge.load(data)


def test_fingerprint_changes_with_content(data):
    before = knowledge.fingerprint(data)
    _edit(data / "facts.yaml", "sex civilområden", "sex civilområden ")
    assert knowledge.fingerprint(data) != before


def test_every_source_section_is_a_section_of_its_text(kb):
    """A citation names a section the user can find in the cleaned document."""
    from index.documents import section_names

    names = {doc: set(section_names(text)) for doc, text in kb.texts.items()}
    refs = [x.source for x in (*kb.deadlines, *kb.areas, *kb.facts, *kb.contacts, *kb.insatser)]
    refs += [g.source for g in kb.glossary if g.source]
    for grant in kb.grants:
        refs += [grant.source, grant.method_source, grant.later_years_source]
    missing = [(r.doc, r.section) for r in refs if r and r.doc in names
               and r.section not in names[r.doc]]  # fmt: skip
    assert missing == []
