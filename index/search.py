"""Search the index: typo correction, glossary expansion, BM25F over stems,
compound parts and character 4-grams, and the question's cosine with every sentence."""

from __future__ import annotations

import bisect
import logging
import math
import re
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain
from pathlib import Path

import numpy as np
from rapidfuzz import fuzz, process

from knowledge import Knowledge

from . import builder, inverted
from .analysis import STOPWORDS, Analyzer, fold, plain, stem, vocabulary, words
from .documents import by_source

log = logging.getLogger(__name__)

KEY_BOOST = 2.5  # a title or keyword match says more than a word in the body
GRAM_BOOST = 0.12
EXPANSION_WEIGHT = 0.6
# Scored postings kept, in bytes: the oldest go first (user typos are many)
POSTINGS_CACHE_BYTES = 16 * 2**20
MIN_PART = 5  # shorter word ends ("tion", "ning") are suffixes, not words
PARTICLES = vocabulary().lexicon("particles").entries
_MIN_BASE = 5  # "in|satser" is no particle verb: what remains must be a word of its own
B, K1 = 0.75, 1.2  # BM25F's usual constants (Whoosh's defaults, which the weights were set with)

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
    page: str = ""  # a PDF passage's pages: "3", "3–4"


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
    # alternatives of which a hit needs one ("ytterligare", "övriga", "andra" for "förutom
    # MSB"): one met counts once, as much as the rarest of them
    one_of: frozenset[str] = frozenset()
    # the stem of who the question asks the doings of ("vad ska SKR göra?"): a hit where
    # it is the subject of a duty ("SKR ska …") meets it twice (ranking.py)
    actor: str = ""


@dataclass(frozen=True)
class Dense:
    """One question's cosines: per unit, per document (best unit), and the scale."""

    sims: np.ndarray
    best: np.ndarray
    median: float
    spread: float  # closest document's cosine minus the median

    def closest(self, n: int) -> list[int]:
        """The `n` documents closest to the question, closest first."""
        return self.top(self.best, np.arange(len(self.best)), n)

    @staticmethod
    def top(best: np.ndarray, among: np.ndarray, n: int) -> list[int]:
        """The `n` of the documents `among` with the highest `best`, highest first (ties:
        lower number first), without sorting all of them."""
        n = min(n, len(among))
        if n <= 0:
            return []
        if n < len(among):
            among = among[np.argpartition(-best[among], n - 1)[:n]]
        return among[np.lexsort((among, -best[among]))].tolist()


class Searcher:
    """Opens the index for a knowledge version, building it first when missing or broken.

    With `stale_ok`, an index built for other versions of some sources is opened as it
    is, at once, with those sources left out (`stale` lists them): a bot then answers
    from everything unchanged while the up-to-date index is built beside it."""

    def __init__(
        self,
        knowledge: Knowledge,
        root: Path | None = None,
        progress: builder.Progress | None = None,
        stale_ok: bool = False,
    ):
        self.knowledge = knowledge
        self.root = root
        self.stale: tuple[str, ...] = ()
        usable = builder.usable_generation(root) if stale_ok else None
        if usable is not None:
            try:
                self._open(usable, builder.source_hashes(by_source(knowledge)))
                self.path = usable
                self._compile_glossary()
                return
            except Exception as exc:  # noqa: BLE001 - then the usual way, rebuilding
                log.warning("Det förra indexet kunde inte öppnas (%s)", exc)
                self.stale = ()
        path = builder.update(knowledge, root, progress)
        try:
            self._open(path)
        except Exception as exc:  # a corrupt index: rebuild once, then give up loudly
            log.warning("Indexet kunde inte öppnas (%s) – bygger om från början", exc)
            path = builder.build(knowledge, root, progress)
            self._open(path)
        self.path = path
        self._compile_glossary()

    def _compile_glossary(self) -> None:
        self._glossary = self._glossary_map()
        # compiled once; the substring test in parse() skips almost all of them cheaply
        self._glossary_re = {t: _whole_word(t) for t in self._glossary}

    def _open(self, path: Path, current: dict[str, str] | None = None) -> None:
        """Open a generation; with `current` (the knowledge's source hashes), only the
        sources that the generation holds in that very version count as live."""
        meta = builder.read_meta(path)
        if current is not None:
            self.stale = tuple(sorted(
                k for k in {*current, *meta["sources"]} if meta["sources"].get(k) != current.get(k)
            ))  # fmt: skip
        stale = set(self.stale)
        self.vocabulary = frozenset(meta["vocabulary"])
        self.words = tuple(meta["words"])
        self._word_set = frozenset(self.words)
        # typo candidates by first letter: a typo rarely hits it ("åtagit" is no "tagit")
        self._by_initial: dict[str, list[str]] = {}
        for w in self.words:
            self._by_initial.setdefault(plain(w[:1]), []).append(w)
        self._parts: dict[str, bool] = {}
        self._ids: dict[str, int] | None = None  # passage id -> document number, on first use
        self.built = meta["built"]
        self.model = meta.get("model")
        self.analyzer = Analyzer(self.vocabulary)
        home = path.parent
        segments = [
            (inverted.open_segment(builder.segment_dir(home, s["name"])), set(s["live"]) - stale)
            for s in meta["segments"]
        ]
        # one document numbering over all segments; the dead (replaced sources) masked
        self._stored: list[list[str]] = []
        alive, self._offsets = [], []
        for seg, live in segments:
            self._offsets.append(len(self._stored))
            self._stored += seg.stored
            alive += [row[1] in live for row in seg.stored]
        self._segments = [seg for seg, _ in segments]
        self.alive = np.array(alive, dtype=bool)
        self.n_docs = int(self.alive.sum())
        self._kinds = np.array([r[2] for r in self._stored])
        self._doc_ids = np.array([r[4] for r in self._stored])
        self._docnum = {r[0]: n for n, r in enumerate(self._stored) if self.alive[n]}
        self._avg = {}
        self._length = {}
        for f in inverted.FIELDS:
            length = np.concatenate(
                [seg.fields[f].length for seg in self._segments] or [np.array([])]
            )
            self._length[f] = length.astype(np.float32)
            live_total = float(length[self.alive].sum()) if len(length) else 0.0
            self._avg[f] = (live_total / self.n_docs) if self.n_docs else 1.0
        self._postings: OrderedDict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = OrderedDict()
        self._cached_bytes = 0
        self._cache_lock = threading.Lock()
        self._masks: dict[tuple, np.ndarray] = {}
        self._last: tuple[Query, list, np.ndarray, np.ndarray] | None = None
        self._open_vectors()

    def _open_vectors(self) -> None:
        """The units' vectors (memory-mapped, per segment) and, per unit, its document."""
        self._vector_parts = [seg.vectors for seg in self._segments]
        unit_doc = [
            np.array([u[0] for u in seg.units], dtype=np.int64) + off
            for seg, off in zip(self._segments, self._offsets, strict=True)
        ]
        self.unit_doc = np.concatenate(unit_doc) if unit_doc else np.zeros(0, np.int64)
        # a document's units are contiguous and in document order: rows first..end
        docs = np.arange(len(self._stored))
        self._unit_first = np.searchsorted(self.unit_doc, docs, side="left")
        self._unit_end = np.searchsorted(self.unit_doc, docs, side="right")
        self._no_units = self._unit_end == self._unit_first

    @property
    def unit_vectors(self) -> np.ndarray:
        parts = self._vector_parts
        return parts[0] if len(parts) == 1 else np.concatenate(parts)

    def stored(self, docnum: int) -> dict[str, str]:
        seg = bisect.bisect_right(self._offsets, docnum) - 1
        body = self._segments[seg].body(docnum - self._offsets[seg])
        return dict(zip(inverted.STORED, [*self._stored[docnum], body], strict=True))

    def next_part(self, hit_id: str) -> str | None:
        """The body of the passage that follows `hit_id` in its section ("doc#7.0" ->
        "doc#7.1"), if there is one: a long section is stored in parts."""
        head, dot, part = hit_id.rpartition(".")
        if not dot or not part.isdigit():
            return None
        if self._ids is None:
            self._ids = {r[0]: n for n, r in enumerate(self._stored)}
        n = self._ids.get(f"{head}.{int(part) + 1}")
        return self.stored(n)["body"] if n is not None and self.alive[n] else None

    def doc_frequency(self, field: str, term: str) -> int:
        return len(self.postings(field, term)[0])

    def dense(self, qvec: np.ndarray) -> Dense:
        """Cosine of the question with every unit, and per document its best unit's
        (one matrix product; documents without units score -1)."""
        parts = [v @ qvec for v in self._vector_parts if len(v)]
        sims = np.concatenate(parts) if parts else np.zeros(0, np.float32)
        best = np.full(len(self._stored), -1.0, dtype=np.float32)
        has = ~self._no_units
        if len(sims):  # the units of the documents that have any follow one another
            best[has] = np.maximum.reduceat(sims, self._unit_first[has])
        best[~self.alive] = -1.0
        scored = best[best > -1]
        median = float(np.median(scored)) if len(scored) else 0.0
        top = float(scored.max()) if len(scored) else 1.0
        return Dense(sims, best, median, max(top - median, 1e-6))

    def _glossary_map(self) -> dict[str, tuple[str, ...]]:
        out: dict[str, tuple[str, ...]] = {}
        for g in self.knowledge.glossary:
            out[fold(g.term)] = g.expands
        return out

    def is_part(self, word: str) -> bool:
        """`word` ends a longer word of the corpus ("standard" in
        "informationssäkerhetsstandard"): the documents know it, though never alone."""
        if len(word) < MIN_PART or word.isdigit():
            return False
        found = self._parts.get(word)
        if found is None:
            found = any(len(w) > len(word) + 2 and w.endswith(word) for w in self.words)
            if len(self._parts) < 50_000:
                self._parts[word] = found
        return found

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
        candidates = self._by_initial.get(plain(word[:1]), ())
        best = process.extractOne(word, candidates, scorer=fuzz.ratio, score_cutoff=84)
        return best[0] if best else word

    def parse(
        self,
        text: str,
        ignore: frozenset[str] = frozenset(),
        translated: Mapping[str, tuple[str, ...]] | None = None,
    ) -> Query:
        """The question's content words (less stopwords and the words in `ignore`, which
        say how something is asked rather than what about), corrected and stemmed.
        `translated` adds expansions like the glossary's, for this question only (foreign
        words in the documents' own words)."""
        folded = fold(text)
        expansions: list[str] = []
        triggers: list[str] = []
        glossed: set[str] = set()
        groups = []
        phrases: list[str] = []
        terms = chain(self._glossary.items(), (translated or {}).items())
        for term, expands in terms:
            if term not in folded:  # cheap: skips almost every term
                continue
            pattern = self._glossary_re.get(term) or _whole_word(term)
            found = pattern.search(folded)
            if found and found.group(0) != term and found.group(0) in self._glossary:
                found = None  # "costs" is a term of its own, not "cost" inflected
            if found and all(w in ignore for w in words(found.group(0))):
                found = None  # an ignored word ("förutom MSB") is not asked about
            if found:
                if not any(stem(w) in self.vocabulary for w in words(term)):
                    phrases.extend(expands)  # a term the documents never use: translated
                own = self.analyzer.terms(term)
                added = [t for phrase in expands for t in self.analyzer.terms(phrase)]
                triggers.extend(own)
                glossed.update(words(term))
                glossed.update(words(found.group(0)))  # as written: "requisitioning"
                expansions.extend(added)
                groups.append((tuple(own), tuple(dict.fromkeys(added))))
        content, corrected, unknown = [], {}, []
        for w in words(folded):
            if w in STOPWORDS or w in ignore:
                continue
            c = w if w in glossed else self.correct(w)
            known = self._known(c, glossed)
            if not known and c.endswith("s") and self._known(c[:-1], glossed):
                c, known = c[:-1], True  # a passive the documents only have active: "övas"
            if not known and (base := self._without_particle(c, glossed)):
                c, known = base, True  # "inrapporterad": the documents' "rapporterad"
            if c != w:
                corrected[w] = c
            content.append(c)
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

    def _without_particle(self, word: str, glossed: set[str]) -> str | None:
        """A word the documents lack that is one they have with a verb particle before
        it ("in|rapporterad"): the word without it."""
        for p in PARTICLES:
            rest = word[len(p):]
            # a word of the documents' own, not a part of one: "in|stans" is no "stans"
            if word.startswith(p) and len(rest) >= _MIN_BASE and (
                rest in self._word_set or stem(rest) in self.vocabulary
            ):
                return rest
        return None

    def _known(self, word: str, glossed: set[str]) -> bool:
        return bool(
            word in self._word_set
            or stem(word) in self.vocabulary
            or self.analyzer.compound_parts(word)
            or word in glossed
            or self.is_part(word)
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

    def postings(self, field: str, term: str) -> tuple[np.ndarray, np.ndarray]:
        """The live documents holding `term` in `field`, ascending, and their BM25F
        scores (idf from the live documents), cached up to POSTINGS_CACHE_BYTES."""
        key = (field, term)
        with self._cache_lock:  # answers run in a thread pool (bot.fair_answers)
            found = self._postings.get(key)
            if found is not None:
                self._postings.move_to_end(key)
                return found
        docs, tfs = [], []
        for seg, off in zip(self._segments, self._offsets, strict=True):
            got = seg.fields[field].get(term)
            if got is not None:
                docs.append(got[0].astype(np.int64) + off)
                tfs.append(got[1])
        if docs:
            doc = np.concatenate(docs)
            tf = np.concatenate(tfs)
            keep = self.alive[doc]
            doc, tf = doc[keep], tf[keep]
        else:
            doc, tf = np.zeros(0, np.int64), np.zeros(0, np.float32)
        idf = math.log(self.n_docs / (len(doc) + 1)) + 1
        norm = K1 * ((1 - B) + B * self._length[field][doc] / (self._avg[field] or 1.0))
        score = idf * ((tf * (K1 + 1)) / (tf + norm))
        found = (doc, score.astype(np.float64))
        size = doc.nbytes + found[1].nbytes + 200
        with self._cache_lock:
            if key not in self._postings:
                self._postings[key] = found
                self._cached_bytes += size
            while self._cached_bytes > POSTINGS_CACHE_BYTES and len(self._postings) > 1:
                _, (d, sc) = self._postings.popitem(last=False)
                self._cached_bytes -= d.nbytes + sc.nbytes + 200
        return found

    def _scores(self, q: Query) -> tuple[list, np.ndarray, np.ndarray]:
        """Each clause's postings, the summed score per document (one bincount) and which
        documents any clause touched. The router searches one question more than once
        (all kinds, then the kind asked for), so the last question's sums are kept."""
        last = self._last  # read once: safe should two threads share the searcher
        if last is not None and last[0] is q:
            return last[1], last[2], last[3]
        lists = []
        for field, term, boost in self.clauses(q):
            docs, scores = self.postings(field, term)
            if len(docs):
                lists.append((field, term, docs, scores * boost))
        n = len(self._stored)
        total: np.ndarray
        if lists:
            all_docs = np.concatenate([x[2] for x in lists])
            # summed in clause order per document, as the dictionary sums did
            total = np.bincount(all_docs, weights=np.concatenate([x[3] for x in lists]),
                                minlength=n)  # fmt: skip
            touched = np.bincount(all_docs, minlength=n) > 0
        else:
            total, touched = np.zeros(n), np.zeros(n, dtype=bool)
        self._last = (q, lists, total, touched)
        return lists, total, touched

    def _admitted(self, kinds, docs) -> np.ndarray:
        """Live documents of those kinds and documents (masks kept: questions ask for
        the same few kinds over and over)."""
        key = (tuple(sorted(kinds)) if kinds else None, frozenset(docs) if docs else None)
        mask = self._masks.get(key)
        if mask is None:
            mask = self.alive.copy()
            if kinds:
                mask &= np.isin(self._kinds, list(kinds))
            if docs:
                mask &= np.isin(self._doc_ids, list(docs))
            if len(self._masks) >= 256:
                self._masks.clear()
            self._masks[key] = mask
        return mask

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
        lists, total, touched = self._scores(q)
        admitted = self._admitted(kinds, docs)
        cand = np.flatnonzero(touched & admitted)
        if len(cand) > limit:  # only the best `limit` (and ties at the cut) are sorted
            kth = np.partition(-total[cand], limit - 1)[limit - 1]
            cand = cand[-total[cand] <= kth]
        order = np.lexsort((cand, -total[cand]))  # score, then document number
        chosen = cand[order][:limit].tolist()
        if dense is not None and dense_limit:
            pool = admitted & (dense.best > -1)
            pool[chosen] = False
            chosen += Dense.top(dense.best, np.flatnonzero(pool), dense_limit)
        matched = self._matched(lists, chosen)
        return [self._hit(d, matched.get(d, ((), ())), float(total[d]), dense) for d in chosen]

    @staticmethod
    def _matched(lists, chosen: list[int]) -> dict[int, tuple[list[str], list[str]]]:
        """Per chosen document, the query's terms and grams found in it."""
        out: dict[int, tuple[list[str], list[str]]] = {}
        if not chosen or not lists:
            return out
        wanted = np.array(sorted(chosen))
        for field, term, docs, _ in lists:
            pos = np.searchsorted(docs, wanted)
            pos[pos >= len(docs)] = 0
            for d in wanted[docs[pos] == wanted].tolist():
                terms, grams = out.setdefault(d, ([], []))
                (grams if field == "grams" else terms).append(term)
        return out

    def _hit(self, docnum: int, matched, score: float, dense) -> Hit:
        r = self.stored(docnum)
        cos, lift = 0.0, 0.0
        sims: tuple[float, ...] = ()
        if dense is not None and not self._no_units[docnum]:
            first, end = int(self._unit_first[docnum]), int(self._unit_end[docnum])
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
            matched=frozenset(matched[0]),
            matched_grams=frozenset(matched[1]),
            dense=cos,
            sentence_sims=sims,
            dense_lift=lift,
            page=r["page"],
        )

    @property
    def passages(self) -> int:
        return self.n_docs

    def close(self) -> None:
        """Nothing to release: the arrays are memory-mapped and freed with the searcher."""


# an English term's inflections ("requisitioning" for "requisition"): the glossary
# writes English words in one form, a question in any
_ENGLISH_ENDINGS = r"(?:s|es|ed|d|ing)?"


@lru_cache(maxsize=4096)
def _whole_word(term: str) -> re.Pattern:
    tail = _ENGLISH_ENDINGS if re.fullmatch(r"[a-z]{4,}", term) else ""
    return re.compile(rf"(?<![\w-]){re.escape(term)}{tail}(?![\w-])")
