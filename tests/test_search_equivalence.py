"""Searcher.search sums BM25F postings held as numpy arrays in segments. It must give
what the textbook formula gives when computed directly, one document at a time, from the
same terms: the same hits in the same order, the same scores and the same matched terms;
and an index updated in place (several segments, replaced documents) must give what a
fresh build of the same knowledge gives."""

import math
import shutil
from collections import Counter
from pathlib import Path

import pytest
import yaml

import knowledge
from benchmarks.questions import DEFAULT_DEV, load_dev, variants
from bot.engine.retrieval import PREFERRED_KINDS
from bot.engine.understanding import TOPIC_NOISE
from index import builder
from index.documents import all_documents
from index.search import K1, B, Searcher
from knowledge.loader import PACKAGE_DATA

BANK = Path(__file__).parent / "data" / "questions.yaml"


def _questions() -> list[str]:
    qs = [i["q"] for i in yaml.safe_load(BANK.read_text("utf-8"))]
    if DEFAULT_DEV.is_file():
        qs += [i.q for i in load_dev(DEFAULT_DEV)]
    return [v for q in qs for v in (q, *variants(q))]


class Reference:
    """BM25F over every document of the knowledge, written out plainly."""

    def __init__(self, kb, searcher):
        self.docs = all_documents(kb)
        a = searcher.analyzer
        self.fields = []
        for d in self.docs:
            key = f"{d.title} {d.keywords}"
            self.fields.append({
                "terms": Counter(a.terms(f"{d.title} {d.body}")),
                "key_terms": Counter(a.terms(key)),
                "grams": Counter(a.gram_terms(f"{key} {d.body}")),
            })  # fmt: skip
        n = len(self.docs)
        self.avg = {f: sum(sum(x[f].values()) for x in self.fields) / n for f in self.fields[0]}
        self.docnum = {d.id: searcher._docnum[d.id] for d in self.docs}

    def search(self, clauses, kinds, limit):
        n = len(self.docs)
        scores: dict[str, float] = {}
        matched: dict[str, tuple[set, set]] = {}
        for field, term, boost in clauses:
            holders = [i for i, x in enumerate(self.fields) if term in x[field]]
            idf = math.log(n / (len(holders) + 1)) + 1
            for i in holders:
                tf = self.fields[i][field][term]
                fl = sum(self.fields[i][field].values())
                s = idf * (tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * fl / self.avg[field]))
                doc_id = self.docs[i].id
                scores[doc_id] = scores.get(doc_id, 0.0) + s * boost
                m = matched.setdefault(doc_id, (set(), set()))
                (m[1] if field == "grams" else m[0]).add(term)
        kind = {d.id: d.kind for d in self.docs}
        ids = [i for i in scores if not kinds or kind[i] in kinds]
        ids.sort(key=lambda i: (-scores[i], self.docnum[i]))
        return [(i, scores[i], frozenset(matched[i][0]), frozenset(matched[i][1]))
                for i in ids[:limit]]  # fmt: skip


@pytest.fixture(scope="module")
def reference(assistant, kb):
    return Reference(kb, assistant.searcher)


@pytest.mark.parametrize("kinds", [None, *sorted(set(PREFERRED_KINDS.values()))])
def test_search_gives_what_the_formula_gives(assistant, reference, kinds):
    s = assistant.searcher
    compared = 0
    for text in _questions()[::2]:
        q = s.parse(text, ignore=TOPIC_NOISE)
        ours = s.search(q, kinds=kinds, limit=30)
        ref = reference.search(s.clauses(q), kinds, 30)
        assert [h.id for h in ours] == [r[0] for r in ref], text
        for h, (_, score, matched, grams) in zip(ours, ref, strict=True):
            assert h.score == pytest.approx(score, rel=1e-5), (text, h.id)
            assert (h.matched, h.matched_grams) == (matched, grams), (text, h.id)
        compared += bool(ref)
    assert compared > 100


def _ranked(s, q, kinds):
    """Hits as (id, score) in order; ties (equal scores) in id order, since document
    numbers differ between an updated and a fresh index."""
    hits = s.search(q, kinds, 30)
    return sorted(((h.id, round(h.score, 6), h.matched, h.matched_grams) for h in hits),
                  key=lambda x: (-x[1], x[0]))  # fmt: skip


def test_an_updated_index_answers_as_a_fresh_build(tmp_path):
    """After updates the index has several segments and replaced documents."""
    data = tmp_path / "knowledge"
    shutil.copytree(PACKAGE_DATA, data)
    builder.update(knowledge.load(data), tmp_path / "ix")
    facts = data / "facts.yaml"
    facts.write_text(
        facts.read_text(encoding="utf-8").replace("sex civilområden", "sex (6) civilområden"),
        encoding="utf-8",
    )
    kb = knowledge.load(data)
    updated = Searcher(kb, tmp_path / "ix")
    assert len(builder.read_meta(updated.path)["segments"]) == 2
    assert not updated.alive.all()  # the replaced entries are still in the first segment
    fresh = Searcher(kb, tmp_path / "fresh")
    assert updated.passages == fresh.passages
    for text in _questions()[::3]:
        q1 = updated.parse(text, ignore=TOPIC_NOISE)
        q2 = fresh.parse(text, ignore=TOPIC_NOISE)
        for kinds in (None, ("fact",)):
            a, b = _ranked(updated, q1, kinds), _ranked(fresh, q2, kinds)
            # the 30th place may differ among tied scores; everything above must not
            assert a[:-1] == b[:-1] or [x[1] for x in a] == [x[1] for x in b], text
    assert "sex (6) civilområden" in updated.search("civilområden", kinds=("fact",))[0].body
