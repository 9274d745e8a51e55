"""Search the index: typo correction, glossary expansion, BM25F over stems,
compound parts and character 4-grams."""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from rapidfuzz import fuzz, process
from whoosh import index

from knowledge import Knowledge

from . import builder
from .analysis import STOPWORDS, Analyzer, fold, stem, words

log = logging.getLogger(__name__)

KEY_BOOST = 2.5  # a title or keyword match says more than a word in the body
GRAM_BOOST = 0.12
EXPANSION_WEIGHT = 0.6
POSTINGS_CACHE = 50_000  # (field, term) lists kept; cleared when full (user typos are many)

Clause = tuple[str, str, float]  # field, term, boost


@dataclass(frozen=True)
class Hit:
    id: str
    kind: str
    ref: str
    doc: str
    section: str
    title: str
    body: str
    score: float
    matched: frozenset[str]  # the query's stems found in this hit
    matched_grams: frozenset[str] = frozenset()  # and its character 4-grams
    dense: float = 0.0  # cosine of the question with the hit's closest sentence
    sentence_sims: tuple[float, ...] = ()  # the question's cosine with each of its units
    # where that cosine lies between the median document (0) and the closest one (1):
    # e5's cosines are compressed (0.78-0.88), so only their order within a question counts
    dense_lift: float = 0.0


@dataclass(frozen=True)
class Query:
    text: str
    words: tuple[str, ...]  # content words after typo correction
    stems: tuple[str, ...]  # their stems (and compound parts)
    expansions: tuple[str, ...]  # stems added from the glossary
    triggers: tuple[str, ...]  # stems of the glossary terms that added them
    glossed: frozenset[str]  # the question's words inside those terms
    groups: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]  # (term stems, expansion stems)
    unknown: tuple[str, ...]  # content words the corpus does not know at all
    corrected: dict[str, str]
    glossed_as: tuple[str, ...] = ()  # the glossary's phrases for terms the texts never use


@dataclass(frozen=True)
class Dense:
    """One question's cosines: per unit, per document (best unit), and the scale."""

    sims: np.ndarray
    best: np.ndarray
    median: float
    spread: float  # closest document's cosine minus the median
    order: list[int]  # documents, closest first (sorted once per question)


class Searcher:
    """Opens the index for a knowledge version, building it first when missing or broken."""

    def __init__(
        self,
        knowledge: Knowledge,
        root: Path | None = None,
        progress: builder.Progress | None = None,
    ):
        self.knowledge = knowledge
        self.root = root
        path = builder.update(knowledge, root, progress)
        try:
            self._open(path)
        except Exception as exc:  # a corrupt index: rebuild once, then give up loudly
            log.warning("Indexet kunde inte öppnas (%s) – bygger om från början", exc)
            path = builder.build(knowledge, root, progress)
            self._open(path)
        self.path = path
        self._glossary = self._glossary_map()
        # compiled once; the substring test in parse() skips almost all of them cheaply
        self._glossary_re = {
            t: re.compile(rf"(?<![\w-]){re.escape(t)}(?![\w-])") for t in self._glossary
        }

    def _open(self, path: Path) -> None:
        meta = builder.read_meta(path)
        self.vocabulary = frozenset(meta["vocabulary"])
        self.words = tuple(meta["words"])
        self._word_set = frozenset(self.words)
        self.built = meta["built"]
        self.analyzer = Analyzer(self.vocabulary)
        self.ix = index.open_dir(path)
        self.searcher = self.ix.searcher()
        # Whoosh's query machinery costs far more than the scoring itself for questions
        # that expand into many terms; so stored fields are read once here, each term's
        # postings are scored once (by the searcher's own BM25F) and then summed per
        # document in search(), which gives the results an Or of Terms would.
        self._stored = dict(self.searcher.reader().iter_docs())
        self._postings: dict[tuple[str, str], dict[int, float]] = {}
        self._last: tuple[Query, list, dict[int, float]] | None = None
        self._open_vectors(path)

    def _open_vectors(self, path: Path) -> None:
        """The units' vectors (memory-mapped) and, per unit, its document."""
        units = json.loads((path / builder.UNITS).read_text(encoding="utf-8"))
        self.unit_vectors = np.load(path / builder.VECTORS, mmap_mode="r")
        docnum = {r["id"]: n for n, r in self._stored.items()}
        self.unit_doc = np.array([docnum[u[0]] for u in units], dtype=np.int64)
        self._doc_units: dict[int, tuple[int, int]] = {}
        for row, d in enumerate(self.unit_doc.tolist()):  # a document's units are contiguous
            first, _ = self._doc_units.get(d, (row, row))
            self._doc_units[d] = (first, row + 1)
        self.model = builder.read_meta(path).get("model")

    def dense(self, qvec: np.ndarray) -> Dense:
        """Cosine of the question with every unit, and per document its best unit's
        (one matrix product; documents without units score -1)."""
        sims = self.unit_vectors @ qvec
        best = np.full(max(self._stored, default=-1) + 1, -1.0, dtype=np.float32)
        np.maximum.at(best, self.unit_doc, sims)
        scored = best[best > -1]
        median = float(np.median(scored)) if len(scored) else 0.0
        top = float(scored.max()) if len(scored) else 1.0
        order = np.argsort(-best, kind="stable").tolist()
        return Dense(sims, best, median, max(top - median, 1e-6), order)

    def _glossary_map(self) -> dict[str, tuple[str, ...]]:
        out: dict[str, tuple[str, ...]] = {}
        for g in self.knowledge.glossary:
            out[fold(g.term)] = g.expands
        return out

    def correct(self, word: str) -> str:
        """A word the corpus does not know, replaced by the closest one it does (typos)."""
        if (
            len(word) < 6  # short words are too often real words of their own
            or word.isdigit()
            or word in self._word_set
            or stem(word) in self.vocabulary
            or self.analyzer.compound_parts(word)
        ):
            return word
        best = process.extractOne(word, self.words, scorer=fuzz.ratio, score_cutoff=84)
        return best[0] if best else word

    def parse(self, text: str, ignore: frozenset[str] = frozenset()) -> Query:
        """The question's content words (less stopwords and the words in `ignore`, which
        say how something is asked rather than what about), corrected and stemmed."""
        folded = fold(text)
        expansions: list[str] = []
        triggers: list[str] = []
        glossed: set[str] = set()
        groups = []
        phrases: list[str] = []
        for term, expands in self._glossary.items():
            if term in folded and self._glossary_re[term].search(folded):
                if not any(stem(w) in self.vocabulary for w in words(term)):
                    phrases.extend(expands)  # a term the documents never use: translated
                own = self.analyzer.terms(term)
                added = [t for phrase in expands for t in self.analyzer.terms(phrase)]
                triggers.extend(own)
                glossed.update(words(term))
                expansions.extend(added)
                groups.append((tuple(own), tuple(dict.fromkeys(added))))
        content, corrected, unknown = [], {}, []
        for w in words(folded):
            if w in STOPWORDS or w in ignore:
                continue
            c = w if w in glossed else self.correct(w)
            if c != w:
                corrected[w] = c
            content.append(c)
            known = (
                c in self._word_set
                or stem(c) in self.vocabulary
                or self.analyzer.compound_parts(c)
                or c in glossed
            )
            if not known and not c.isdigit():
                unknown.append(c)
        stems = self.analyzer.terms(" ".join(content))
        expansions = [t for t in expansions if t not in stems]
        return Query(
            text=text,
            words=tuple(content),
            stems=tuple(dict.fromkeys(stems)),
            expansions=tuple(dict.fromkeys(expansions)),
            triggers=tuple(dict.fromkeys(triggers)),
            glossed=frozenset(glossed),
            groups=tuple(groups),
            unknown=tuple(unknown),
            corrected=corrected,
            glossed_as=tuple(dict.fromkeys(phrases)),
        )

    def clauses(self, q: Query) -> list[Clause]:
        """The weighted terms a question is searched with (an Or of them, in effect)."""
        out: list[Clause] = []
        for terms, weight in ((q.stems, 1.0), (q.expansions, EXPANSION_WEIGHT)):
            for t in terms:
                out.append(("terms", t, weight))
                out.append(("key_terms", t, KEY_BOOST * weight))
        for g in dict.fromkeys(self.analyzer.gram_terms(" ".join(q.words))):
            out.append(("grams", g, GRAM_BOOST))
        return out

    def postings(self, field: str, term: str) -> dict[int, float]:
        """{docnum: BM25F score} of every document holding `term` in `field`, cached."""
        key = (field, term)
        found = self._postings.get(key)
        if found is None:
            btext = self.searcher.schema[field].to_bytes(term)
            found = {}
            if (field, btext) in self.searcher.reader():
                m = self.searcher.postings(field, btext)
                while m.is_active():
                    found[m.id()] = m.score()
                    m.next()
            if len(self._postings) >= POSTINGS_CACHE:
                self._postings.clear()
            self._postings[key] = found
        return found

    def _scores(self, q: Query) -> tuple[list[tuple[str, str, dict]], dict[int, float]]:
        """Each clause's postings and the summed score per document. The router searches
        one question more than once (all kinds, then the kind asked for), so the last
        question's sums are kept."""
        last = self._last  # read once: safe should two threads share the searcher
        if last is not None and last[0] is q:
            return last[1], last[2]
        lists = []
        scores: dict[int, float] = {}
        get = scores.get
        for field, term, boost in self.clauses(q):
            found = self.postings(field, term)
            if found:
                lists.append((field, term, found))
            for docnum, score in found.items():
                scores[docnum] = get(docnum, 0.0) + score * boost
        self._last = (q, lists, scores)
        return lists, scores

    def search(
        self,
        query: Query | str,
        kinds: tuple[str, ...] | None = None,
        limit: int = 8,
        docs: frozenset[str] | None = None,
        dense: Dense | None = None,
        dense_limit: int = 0,
    ) -> list[Hit]:
        """The best hits by BM25F, optionally only of some kinds and/or from some
        documents; with `dense` (from `dense()`), each hit carries its cosines, and the
        `dense_limit` semantically closest documents join the candidates even when they
        share no word with the question (another language, other words)."""
        q = self.parse(query) if isinstance(query, str) else query
        lists, scores = self._scores(q)
        wanted = set(kinds) if kinds else None

        def admitted(docnum: int) -> bool:
            r = self._stored.get(docnum)
            return not (
                r is None or (wanted and r["kind"] not in wanted) or (docs and r["doc"] not in docs)
            )

        chosen = []
        for docnum in sorted(scores, key=lambda d: (-scores[d], d)):  # as Whoosh orders
            if admitted(docnum):
                chosen.append(docnum)
                if len(chosen) >= limit:
                    break
        if dense is not None and dense_limit:
            seen, wanted_total = set(chosen), len(chosen) + dense_limit
            for docnum in dense.order:
                if len(seen) >= wanted_total or dense.best[docnum] < 0:
                    break
                if docnum not in seen and admitted(docnum):
                    chosen.append(docnum)
                    seen.add(docnum)
        return [self._hit(d, lists, scores.get(d, 0.0), dense) for d in chosen]

    def _hit(self, docnum: int, lists, score: float, dense) -> Hit:
        r = self._stored[docnum]
        matched = {t for f, t, found in lists if f != "grams" and docnum in found}
        grams = {t for f, t, found in lists if f == "grams" and docnum in found}
        cos, sims, lift = 0.0, (), 0.0
        if dense is not None and docnum in self._doc_units:
            first, end = self._doc_units[docnum]
            sims = tuple(float(x) for x in dense.sims[first:end])
            cos = max(sims)
            lift = (cos - dense.median) / dense.spread
        return Hit(
            id=r["id"],
            kind=r["kind"],
            ref=r["ref"],
            doc=r["doc"],
            section=r["section"],
            title=r["title"],
            body=r["body"],
            score=score,
            matched=frozenset(matched),
            matched_grams=frozenset(grams),
            dense=cos,
            sentence_sims=sims,
            dense_lift=lift,
        )

    @property
    def passages(self) -> int:
        return len(self._stored)

    def close(self) -> None:
        self.searcher.close()
