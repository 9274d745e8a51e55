"""How well a hit answers a question: the rarer the question's words it contains, the better.

BM25 alone favours a hit that repeats one word; users want the hit that covers
what they asked. Coverage is the summed IDF of the question's stems a hit
contains; a question whose weight lies mostly in words the documents do not
know is out of scope.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache

from index.analysis import fold, grams, plain, stem, words
from index.search import Hit, Query, Searcher

from .entities import LEX

EXPANSION_SHARE = 0.6  # a glossary expansion counts for less than the user's own word
MIN_COVER = 1.0  # below this a hit matched only very common words (unless that is all asked)
UNKNOWN_SHARE = 0.5  # a word the documents lack weighs half the rarest word they have
GRAM_SHARE = 0.8  # a word met only as part of another ("betalas" in "återbetalas")
GRAM_MIN = 0.6  # share of a word's 4-grams a hit must contain to count as meeting it
IN_SCOPE_SHARE = 0.45  # the best hit must cover this share of the question's weight
CURATED_BONUS = 0.5
NAMED_BONUS = 0.3  # an area's card whose title the question names wins near-ties
TELLING_IDF = 1.2  # words rarer than this are what a question is about
# a question with this many of a document's title words is about that document, and its
# passages have those words; looser than DocumentNames (understanding.py), which with most
# of a title searches that document alone and drops the words
TITLE_SHARED = 3
# Hybrid ranking: a hit's semantic closeness (its dense lift, 0 = the median document,
# 1 = the closest) adds up to this share of the question's weight to its coverage, so a
# hit in other words or another language can win; chosen on the bank and the dev set
# (python -m benchmarks.retrieval: top-1 of the bank 43 % BM25F, 57 % dense, 62 % fused).
DENSE_WEIGHT = 0.45
# an English question shares few words with the Swedish texts, so meaning weighs more
# (chosen on the tuning set: English 21 -> 22 of 30; bank and dev unchanged)
FOREIGN_DENSE_WEIGHT = 1.5
# a hit that has the question's actor do things ("SKR ska …") meets the actor again, per
# duty up to ACTOR_DUTIES: a section of SKR's tasks beats one with a sentence on SKR's
# report (chosen on the tuning sets' questions on SKR's tasks)
ACTOR_SHARE = 0.75
ACTOR_DUTIES = 2
DENSE_ONLY = 0.8  # the lift that admits a hit sharing no word with the question
# A question is in scope with this share of its words when the hit is among the closest
# in meaning (lift) and close in absolute terms. Chosen on the bank and the tuning sets:
# of the questions that should be declined, those with a lift of 0.95 and 0.3 of their
# (for English: Swedish) words had a cosine of at most 0.866 (Swedish) and 0.843
# (English); answerable ones declined had 0.883-0.903
CLOSE_SHARE = 0.3
CLOSE_LIFT = 0.95
CLOSE = 0.88

# a word, at most one more ("SKR ska även fortsatt", "Länsstyrelserna har i uppdrag"),
# then a verb of duty: the word is that duty's subject
OBLIGED = re.compile(
    r"(?<![\w-])([\w-]+)(?::s)?\s+(?:[\w-]+\s+)?(?:"
    + LEX["obliged"].alternation
    + r")(?![\w-])"
)


@lru_cache(maxsize=20_000)
def _gram_set(word: str) -> frozenset[str]:
    return frozenset(grams(word))


class Ranker:
    def __init__(self, searcher: Searcher):
        self.searcher = searcher
        self.n_docs = max(searcher.n_docs, 1)
        self.max_idf = math.log(self.n_docs + 1)
        # abbreviations name who or what is asked about (SKR, RSA, TiB): an answer must
        # mention them or what they stand for
        self.names = frozenset(
            stem(g.term.casefold())
            for g in searcher.knowledge.glossary
            if g.term != g.term.casefold() and " " not in g.term
        )

    @lru_cache(maxsize=20_000)  # noqa: B019 - one ranker per index
    def idf(self, term: str) -> float:
        df = self.searcher.doc_frequency("terms", term) + (
            self.searcher.doc_frequency("key_terms", term)
        )
        return math.log((self.n_docs + 1) / (df + 1)) if df else self.max_idf

    def weight(self, q: Query) -> float:
        """The question's total weight: its stems plus its unknown words at full weight."""
        own = [w for w in q.words if w not in q.unknown and not self._foreign(w, q)]
        known = sum(self._word_idf(w) for w in own if w not in q.one_of)
        known += max((self._word_idf(w) for w in own if w in q.one_of), default=0.0)
        return known + UNKNOWN_SHARE * self.max_idf * len(q.unknown) + self._expansion_weight(q)

    def _word_idf(self, w: str) -> float:
        """A word's IDF; a compound the texts lack, of two known parts, weighs what its
        parts weigh on average (it is met, if at all, in them). With only its last part
        known ("reserv|kraft") it is mostly unknown, and weighs so."""
        parts = self._unseen_parts(w)
        return sum(map(self.idf, parts)) / len(parts) if len(parts) > 1 else self.idf(stem(w))

    def _unseen_parts(self, w: str) -> tuple[str, ...]:
        """The known parts of a compound the texts lack (none for a word they have)."""
        if stem(w) in self.searcher.vocabulary:
            return ()
        return self.searcher.analyzer.compound_parts(w)

    def _foreign(self, w: str, q: Query) -> bool:
        """A word the documents lack that the glossary translates ("exercises")."""
        return w in q.glossed and stem(w) not in self.searcher.vocabulary

    def _expansion_weight(self, q: Query) -> float:
        """Foreign glossary terms weigh what their Swedish expansions would."""
        total = 0.0
        for own, added in q.groups:
            if all(t not in self.searcher.vocabulary for t in own):
                rarest = max(map(self.idf, added), default=0.0)
                total += EXPANSION_SHARE * min(rarest, self._cap(own))
        return total

    def _cap(self, own: tuple[str, ...]) -> float:
        """An expansion never counts for more than the user's own word would have."""
        return max((self.idf(t) for t in own), default=self.max_idf)

    @lru_cache(maxsize=64)  # noqa: B019 - one ranker per index
    def _title_terms(self, doc: str) -> tuple[frozenset[str], frozenset[str]]:
        """A document's title as index terms: its stems and its character 4-grams."""
        d = self.searcher.knowledge.documents.get(doc)
        if d is None:
            return frozenset(), frozenset()
        a = self.searcher.analyzer
        return frozenset(a.terms(d.title)), frozenset(a.gram_terms(d.title))

    def _names_word(self, w: str, stems: frozenset[str], title_grams: frozenset[str]) -> bool:
        """`w` is among `stems`, or inflected otherwise in a title ("civila", "civilt")."""
        if stem(w) in stems:
            return True
        g = _gram_set(w)
        return len(w) >= 5 and len(g & title_grams) >= GRAM_MIN * len(g)

    def _titled(self, q: Query) -> frozenset[str]:
        """The documents whose title the question names in TITLE_SHARED of its own words
        ("2023 års överenskommelse om vårdens civila försvar"); "civilt försvar" alone
        names a domain, not the agreement."""
        return self._titled_by(
            tuple(w for w in q.words if w not in q.unknown and not self._foreign(w, q))
        )

    @lru_cache(maxsize=64)  # noqa: B019 - one ranker per index
    def _title_words(self, doc: str) -> frozenset[str]:
        """The stems of a title's words themselves, without their compounds' parts."""
        d = self.searcher.knowledge.documents.get(doc)
        return frozenset(stem(w) for w in words(d.title)) if d else frozenset()

    @lru_cache(maxsize=1024)  # noqa: B019 - one ranker per index
    def _titled_by(self, own: tuple[str, ...]) -> frozenset[str]:
        # a word the title has only inside a compound does not name it: "redovisa" is
        # asked of many texts, not of the one titled "… – slutredovisning"
        out = set()
        for doc in self.searcher.knowledge.documents:
            title, title_grams = self._title_words(doc), self._title_terms(doc)[1]
            if sum(self._names_word(w, title, title_grams) for w in own) >= TITLE_SHARED:
                out.add(doc)
        return frozenset(out)

    def coverage(self, hit: Hit, q: Query, titled: bool = True) -> float:
        """Summed IDF of the question's words the hit contains (whole, or inside a compound).
        With `titled`, a passage also has its document's title words: "SKR:s uppgifter
        enligt överenskommelsen om civilt försvar 2023" is about that agreement's section
        on SKR, which need not repeat "2023" or "civilt försvar" (the title words then
        tell its passages apart no more, and the rest of the question does)."""
        total = alternative = 0.0
        matched, matched_grams = hit.matched, hit.matched_grams
        if titled and hit.doc in self._titled(q):
            title, title_grams = self._title_terms(hit.doc)
            matched, matched_grams = matched | title, matched_grams | title_grams
        for w in q.words:
            s = stem(w)
            if self._foreign(w, q):
                continue  # counted through its expansion below
            if w in q.one_of:
                if s in matched:  # any one of them, the same: none is the user's word
                    alternative = max(self.idf(stem(a)) for a in q.one_of)
            elif s in matched:
                total += self.idf(s)
            elif w not in q.unknown and len(w) >= 5:
                g = _gram_set(w)
                share = len(g & matched_grams) / len(g)
                # a word met as part of another ("betalas" in "återbetalas"), or a compound
                # the texts lack met in its parts ("indikatorrapporteringen" in "indikatorer" and
                # "rapportering"), weighing what its parts weigh
                parts = self._unseen_parts(w)
                met = [self.idf(p) for p in parts if p in matched]
                by_parts = GRAM_SHARE * sum(met) / len(parts) if met else 0.0  # _word_idf
                by_grams = GRAM_SHARE * share * self.idf(s) if share >= GRAM_MIN else 0.0
                total += max(by_parts, by_grams)
        for own, added in q.groups:
            if set(own) <= matched:
                continue  # it has the user's own words; their expansion adds nothing
            # the rarest expansion met: inflections of one word ("medel", "medlen") are
            # not separate evidence
            expanded = max((self.idf(t) for t in matched & set(added)), default=0.0)
            total += EXPANSION_SHARE * min(expanded, self._cap(own))
        if q.actor:  # "SKR ska …" answers "vad ska SKR göra?", the more of it the better
            duties = min(self._duties(hit.title, hit.body, q.actor), ACTOR_DUTIES)
            total += ACTOR_SHARE * duties * self.idf(q.actor)
        return total + alternative

    @staticmethod
    @lru_cache(maxsize=20_000)
    def _duties(title: str, body: str, actor: str) -> int:
        """How often the heading and the text have `actor` (a stem) as the subject of a
        duty ("Insatser som SKR ska genomföra", "SKR ska:")."""
        text = fold(f"{title}. {body}")
        return sum(
            stem(text[m.start(1) : m.end(1)]) == actor for m in OBLIGED.finditer(plain(text))
        )

    def ranked(
        self,
        hits: list[Hit],
        q: Query,
        demote: tuple[str, ...] = (),
        headings: bool = False,
        foreign: bool = False,
    ) -> list[Hit]:
        """Relevant hits, best covering first; kinds in `demote` lose ties, in that order.
        With `headings`, a passage whose section heading names all that is asked counts
        as much as a curated entry (not for definitions: those are single sentences)."""
        weight = self.weight(q)
        floor = min(MIN_COVER, 0.5 * weight)
        scored = [(self.coverage(h, q), h) for h in hits]
        lift = FOREIGN_DENSE_WEIGHT if foreign else DENSE_WEIGHT
        relevant = [
            (c + lift * weight * max(h.dense_lift, 0.0), h)
            for c, h in scored
            if (c >= floor and c > 0) or h.dense_lift >= DENSE_ONLY
        ]
        rank = {kind: i for i, kind in enumerate(demote, 1)}

        def key(ch: tuple[float, Hit]):
            cover, hit = ch
            # curated entries are written as answers: they win near-ties with raw passages
            if hit.kind != "passage":
                cover += CURATED_BONUS
                if hit.kind in ("area", "support") and self.named(hit, q):
                    cover += NAMED_BONUS  # "stöd för rapporteringen": the area Rapportering
            elif headings and self._heading_covers(hit, q):
                # a section headed by what is asked ("Målgruppsanpassad kriskommunikation")
                # is about it as much as a curated entry, and says more
                cover += CURATED_BONUS + 0.1
            return (-round(cover, 1), rank.get(hit.kind, 0), -hit.score)

        relevant.sort(key=key)
        return [h for _, h in relevant]

    @lru_cache(maxsize=4096)  # noqa: B019 - one ranker per index
    def _heading_stems(self, title: str) -> frozenset[str]:
        return frozenset(self.searcher.analyzer.terms(title))

    def _heading_covers(self, hit: Hit, q: Query) -> bool:
        """The section's heading names what is asked, or some of it with its document's
        title naming the rest ("SKR" under "Insatser som SKR ska genomföra" in the
        agreement on civil defence 2023)."""
        own = [w for w in q.words if w not in q.unknown and not self._foreign(w, q)]
        heading = self._heading_stems(hit.title)
        if not own or not {stem(w) for w in own} & heading:
            return False
        if hit.doc not in self._titled(q):
            return {stem(w) for w in own} <= heading
        title, title_grams = self._title_terms(hit.doc)
        return all(self._names_word(w, heading | title, title_grams) for w in own)

    def named(self, hit: Hit, q: Query) -> bool:
        """The question names the hit's title ("… inom säkerhetsskydd" names that area)."""
        title = self._heading_stems(hit.title)
        return bool(title) and title <= set(q.stems)

    def in_scope(self, q: Query, best: Hit | None, foreign: bool = False) -> bool:
        """The question's own words tie `best` to it. With `foreign` (an English question)
        words the Swedish documents lack are expected and weigh nothing: what counts is
        the words they do have (names, abbreviations, glossary terms)."""
        if best is None or not q.words or all(w.isdigit() for w in q.words):
            return False
        if not foreign and 2 * len(q.unknown) >= len(q.words):
            return False  # half of what is asked about is unknown to the documents
        for own, added in q.groups:
            if self.names & set(own) and not best.matched & {*own, *added}:
                return False  # "kontaktperson på SKR" answered by an MSB contact
        weight = self.known_weight(q) if foreign else self.weight(q)
        if weight <= 0:
            return False
        share = self.coverage(best, q, titled=False) / weight  # its own words tie it
        if best.dense >= CLOSE and best.dense_lift >= CLOSE_LIFT:
            # the closest in meaning, and close in absolute terms, needs less of the words:
            # few of an English question's words are Swedish, and a Swedish one may say it
            # in its own ("vad ska regionen börja planera" for "påbörja en planering")
            return share >= CLOSE_SHARE
        return share >= IN_SCOPE_SHARE

    def known_weight(self, q: Query) -> float:
        """The weight of the words the documents know (for a foreign question)."""
        return self.weight(q) - UNKNOWN_SHARE * self.max_idf * len(q.unknown)

    def telling(self, q: Query) -> set[str]:
        terms = {t for t in (*q.stems, *q.expansions) if self.idf(t) >= TELLING_IDF}
        return terms or set(q.stems)
