"""Searcher.search sums cached per-term BM25F postings itself instead of running a Whoosh
Or query (it is many times faster). It must give exactly what Whoosh gives: the same
hits in the same order, the same scores and the same matched terms."""

from pathlib import Path

import pytest
import yaml
from whoosh.query import Or, Term

from benchmarks.questions import DEFAULT_DEV, load_dev, variants
from bot.assistant import PREFERRED_KINDS
from bot.understanding import TOPIC_NOISE

BANK = Path(__file__).parent / "data" / "questions.yaml"


def _questions() -> list[str]:
    qs = [i["q"] for i in yaml.safe_load(BANK.read_text("utf-8"))]
    if DEFAULT_DEV.is_file():
        qs += [i.q for i in load_dev(DEFAULT_DEV)]
    return [v for q in qs for v in (q, *variants(q))]


def whoosh_search(searcher, q, kinds, limit):
    """The reference: an Or of boosted Terms run by Whoosh itself."""
    clauses = [Term(f, t, boost=b) for f, t, b in searcher.clauses(q)]
    if not clauses:
        return []
    results = searcher.searcher.search(Or(clauses), limit=None if kinds else limit, terms=True)
    out = []
    for r in results:
        if kinds and r["kind"] not in kinds:
            continue
        found = [(f, t.decode() if isinstance(t, bytes) else t) for f, t in r.matched_terms()]
        out.append(
            (
                r["id"],
                r.score,
                frozenset(t for f, t in found if f != "grams"),
                frozenset(t for f, t in found if f == "grams"),
            )
        )
        if len(out) >= limit:
            break
    return out


@pytest.mark.parametrize("kinds", [None, *sorted(set(PREFERRED_KINDS.values()))])
def test_fast_search_gives_what_whoosh_gives(assistant, kinds):
    s = assistant.searcher
    compared = 0
    for text in _questions():
        q = s.parse(text, ignore=TOPIC_NOISE)
        ours = s.search(q, kinds=kinds, limit=30)
        ref = whoosh_search(s, q, kinds, 30)
        assert [h.id for h in ours] == [r[0] for r in ref], text
        for h, (_, score, matched, grams) in zip(ours, ref, strict=True):
            assert h.score == pytest.approx(score, rel=1e-9), (text, h.id)
            assert (h.matched, h.matched_grams) == (matched, grams), (text, h.id)
        compared += bool(ref)
    assert compared > 100


def test_same_results_on_an_incrementally_updated_index(tmp_path):
    """After an update the index has several segments and deleted documents."""
    import shutil

    import knowledge
    from index.search import Searcher
    from knowledge.loader import PACKAGE_DATA

    data = tmp_path / "knowledge"
    shutil.copytree(PACKAGE_DATA, data)
    Searcher(knowledge.load(data), tmp_path / "ix").close()
    facts = data / "facts.yaml"
    facts.write_text(
        facts.read_text(encoding="utf-8").replace("sex civilområden", "sex (6) civilområden"),
        encoding="utf-8",
    )
    s = Searcher(knowledge.load(data), tmp_path / "ix")
    assert not s.searcher.is_atomic() or s.searcher.reader().has_deletions()
    for text in _questions()[::3]:
        q = s.parse(text, ignore=TOPIC_NOISE)
        for kinds in (None, ("fact",)):
            ours = [(h.id, h.matched, h.matched_grams) for h in s.search(q, kinds, 30)]
            assert ours == [(r[0], r[2], r[3]) for r in whoosh_search(s, q, kinds, 30)], text
    assert "sex (6) civilområden" in s.search("civilområden", kinds=("fact",))[0].body
    s.close()
