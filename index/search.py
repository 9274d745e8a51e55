"""Search the index: typo correction, glossary expansion, BM25F over stems,
compound parts and character 4-grams."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path

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


class Searcher:
    """Opens the index for a knowledge version, building it first when missing or broken."""

    def __init__(self, knowledge: Knowledge, root: Path | None = None):
        self.knowledge = knowledge
        path = builder.update(knowledge, root)
        try:
            self._open(path)
        except Exception as exc:  # a corrupt index: rebuild once, then give up loudly
            log.warning("Indexet kunde inte öppnas (%s) – bygger om från början", exc)
            path = builder.build(knowledge, root)
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
        for term, expands in self._glossary.items():
            if term in folded and self._glossary_re[term].search(folded):
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
    ) -> list[Hit]:
        """The best hits, optionally only of some kinds and/or from some documents."""
        q = self.parse(query) if isinstance(query, str) else query
        lists, scores = self._scores(q)
        wanted = set(kinds) if kinds else None
        hits = []
        for docnum in sorted(scores, key=lambda d: (-scores[d], d)):  # as Whoosh orders
            r = self._stored.get(docnum)
            if r is None or (wanted and r["kind"] not in wanted) or (docs and r["doc"] not in docs):
                continue
            matched = {t for f, t, found in lists if f != "grams" and docnum in found}
            grams = {t for f, t, found in lists if f == "grams" and docnum in found}
            hits.append(
                Hit(
                    id=r["id"],
                    kind=r["kind"],
                    ref=r["ref"],
                    doc=r["doc"],
                    section=r["section"],
                    title=r["title"],
                    body=r["body"],
                    score=scores[docnum],
                    matched=frozenset(matched),
                    matched_grams=frozenset(grams),
                )
            )
            if len(hits) >= limit:
                break
        return hits

    @property
    def passages(self) -> int:
        return len(self._stored)

    def close(self) -> None:
        self.searcher.close()
