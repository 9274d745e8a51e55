"""Retrieval: the passages, cards and facts that answer a question, best first.

BM25F over the question's topic words and the semantically closest passages are fused
and reranked by coverage (ranking.py). A hit answers only when the question's own words
tie it to the question (`Ranker.in_scope`): a semantically close text alone is no
evidence. Questions that want a kind of answer (a count, a condition, a card of the
asked kind) prefer the first hit that gives it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Literal

from index.analysis import STOPWORDS, fold, plain, stem
from index.documents import sentences
from index.search import Hit, Query, Searcher

from .contacts import CONTACT_DATA
from .entities import IN_MONTH, LEX, NUMBER_WORDS
from .ranking import Ranker
from .snippets import CASE_NUMBER, CONDITION, DATED, ENUMERATION
from .translation import WordTranslator, names_in
from .understanding import (
    DOMAIN_WORDS,
    TOPIC_NOISE,
    VOCAB,
    YEAR,
    DocumentNames,
    Interpreter,
    Understanding,
)

HitTest = Callable[[Hit], bool]
RERANK_DEPTH = 50  # BM25 finds candidates; coverage picks among this many
DENSE_DEPTH = 10  # and the semantically closest join them
SCOPE_DEPTH = 5  # the first of this many ranked hits that is in scope answers
# the first of this many hits that gives what a count or a condition question asks for
ANSWER_DEPTH = 8
COUNTED = re.compile(r"\b(\w+)\s+(?=(\w{3,}))")  # a number word or figure and what it counts
NUMBERED = re.compile(r"\b(\w{3,})\s+1\s*[–-]\s*(\d+)\b")  # "insatserna 1–7": seven of them
PREFERRED_SHARE = 0.6  # the asked-for kind wins if it covers this share of the best hit's
PREFERRED_KINDS = {
    "deadline": ("deadline",),
    "contact": ("contact",),
    "definition": ("fact", "glossary", "passage"),
    "support": ("support",),
    "task": ("area", "insats"),
}
STATUS_WORDS = LEX["status_words"].words
TIME_WORDS = LEX["time_words"].words
# the words that say what is asked ("stöd", "uppgifter"): beside an exclusion they are the
# topic, what the others give
ASKING = frozenset(VOCAB.noise) - STOPWORDS
OTHERS = LEX["others"].words
# "ytterligare stöd", "andra myndigheter" (not "den andra delen": the second)
OTHERS_OF = re.compile(
    rf"(?<![\w-])(?<!den )(?<!det )(?:{LEX['others'].alternation})\s+([\w-]+)"
)

# why retrieval has nothing to answer with: the question names no topic, it asks for a
# whole domain's areas, no hit is in scope, or none counts what a "hur många" asks
Miss = Literal["no_topic", "whole_domain", "none_in_scope", "no_count"]


@dataclass(frozen=True)
class Found:
    hits: list[Hit]
    query: Query
    miss: Miss | None = None


class Retriever:
    def __init__(
        self,
        searcher: Searcher,
        ranker: Ranker,
        interpreter: Interpreter,
        document_names: DocumentNames,
        place_words: frozenset[str],
        translator: WordTranslator | None = None,
        person_names: re.Pattern | None = None,
    ):
        self.searcher = searcher
        self.translator = translator
        self.person_names = person_names
        self.ranker = ranker
        self.interpreter = interpreter
        self.document_names = document_names
        self.place_words = place_words

    def find(self, u: Understanding) -> Found:
        """The hits that answer `u`, the one to answer with first; or why there is none."""
        ignore = TOPIC_NOISE | (STATUS_WORDS if u.status else frozenset())
        text = u.text
        if u.excluded:  # "förutom MSB" asks about the others ("ytterligare stöd ges av …")
            # and what they give is the topic: "vilka ger stöd förutom MSB?"
            # ("fler myndigheter än MSB": which kind is asked, no topic; "ytterligare" is)
            ignore = ((ignore - ASKING) | frozenset(u.excluded) | frozenset(u.asked_kind)) - OTHERS
            text = " ".join([text, *LEX["others"].entries])
        named_docs: frozenset[str] = frozenset()
        if u.intent == "deadline":
            # a year, a number of times, a day are when asked about, not a topic ("vilka två
            # år är nästa RSA, räknat från idag?"); "när ska rapporten lämnas" names a
            # report to hand in, not the report among the sources
            ignore |= frozenset(YEAR.findall(u.folded)) | TIME_WORDS | frozenset(NUMBER_WORDS)
        else:
            named_docs, naming = self.document_names.find(u.folded)
            ignore |= naming
        if u.intent == "contact":  # "mejladress", "telefonnumret": how to reach, not whom
            ignore |= frozenset(LEX["reach"].findall(u.folded))
        q = self.parse(text, ignore, u.language == "en")
        if u.excluded:
            q = replace(q, one_of=frozenset(w for w in q.words if w in LEX["others"].words))
        if u.actor:
            q = replace(q, actor=stem(u.actor))
        if not q.words:
            return Found([], q, "no_topic")
        if (
            u.intent in ("task", "support")
            and u.domain
            and {plain(w) for w in q.words} <= {plain(w) for w in DOMAIN_WORDS}
        ):
            return Found([], q, "whole_domain")
        preferred = PREFERRED_KINDS.get(u.intent)
        # on equal coverage curated entries beat raw passages (and glossary lines, unless
        # a definition is asked for)
        demote = ("passage",) if u.intent == "definition" else ("passage", "glossary")
        headings = u.intent != "definition"
        dense = self.searcher.dense(self.interpreter.vector(u, q.glossed_as))

        def search(**kw) -> list[Hit]:
            found = self.searcher.search(
                q, limit=RERANK_DEPTH, dense=dense, dense_limit=DENSE_DEPTH, **kw
            )
            return self.ranker.ranked(found, q, demote, headings, u.language == "en")

        hits = search()
        docs: frozenset[str] | None = None
        if named_docs:  # "vad säger rapporten om X": X in that document, if it has it
            within = search(docs=named_docs)
            if within and self.ranker.in_scope(q, within[0], u.language == "en"):
                # what answers is then chosen among its hits as among all ("vem skrev
                # på för SKR överenskommelsen …": the passage that names someone)
                hits, docs = within, named_docs
        # the best hit that the question's own words tie to it (a semantically close one
        # alone is no evidence that the documents answer it)
        foreign = u.language == "en"
        # a region's name is no topic: "vårdplatser i Region Halland" is not answered by
        # Halland's row of the grant table, nor "the county governor of Uppsala" by an
        # address in Uppsala
        topic = q
        if any(w in self.place_words for w in q.words):
            topic = self.parse(text, ignore | self.place_words, foreign)
        scoped = next(
            (h for h in hits[:SCOPE_DEPTH] if self.ranker.in_scope(topic, h, foreign)), None
        )
        if (
            scoped is not None
            and "count" in u.flags
            and u.intent != "deadline"  # "hur många dagar är det kvar?": computed
            # cards answer by listing (tasks) or computing (a deadline's days left)
            and scoped.kind in ("passage", "fact", "contact", "glossary")
            and not self._counts(scoped, q)
        ):
            # "hur många landsting …?" is answered by "18 landsting", not by the passage
            # that shares the most words but counts nothing; with none that counts what is
            # asked, a figure elsewhere in the text is no answer
            scoped = self._first_answering(hits, topic, foreign, lambda h: self._counts(h, q))
            if scoped is None:
                return Found(hits, q, "no_count")
        for asks, gives in self._asked_for(u, q):
            # what the question asks for, from the text in scope that gives it, if one does
            if scoped is not None and asks(scoped) and not gives(scoped):
                scoped = self._first_answering(hits, topic, foreign, gives) or scoped
        if scoped is not None and scoped is not hits[0]:
            hits = [scoped, *(h for h in hits if h is not scoped)]
        if scoped is None:
            return Found(hits, q, "none_in_scope")
        if preferred and "consequence" not in u.flags:  # what follows a date is no date
            # the kind the question asks for wins unless another covers clearly more of it;
            # "vilka ger stöd förutom MSB?" is answered by the text naming the others, not
            # by a card unless it names that card's area ("… säkerhetsskydd utöver MSB:s")
            best = self.ranker.coverage(hits[0], q)
            wanted = search(kinds=preferred, docs=docs)
            named = bool(wanted) and self.ranker.named(wanted[0], q)
            if wanted and not (  # a text for the municipalities asked from one stays
                self._for_other_audience(wanted[0], u) and self._audience(hits[0]) == u.audience
            ) and (
                (self.ranker.coverage(wanted[0], q) >= PREFERRED_SHARE * best
                 and (not u.excluded or named))
                or (u.intent in ("task", "support") and named)
            ):
                hits = wanted
        return Found(hits, q)

    def parse(self, text: str, ignore: frozenset[str], foreign: bool) -> Query:
        """The question's query; a foreign question's words that neither the documents nor
        the glossary know are searched in their Swedish translations (translation.py)."""
        q = self.searcher.parse(text, ignore=ignore)
        if not foreign or self.translator is None:
            return q
        named = names_in(text)
        translated = self.translator.translations(
            (w for w in q.unknown if w not in q.glossed and w not in named), ignore | TOPIC_NOISE
        )
        return self.searcher.parse(text, ignore=ignore, translated=translated) if translated else q

    def _asked_for(self, u: Understanding, q: Query) -> list[tuple[HitTest, HitTest]]:
        """What kind of text the question asks for, as (when it is asked, what gives it)."""
        dated = ("passage", "fact")  # cards answer "när" by computing the date
        names = self.person_names
        return [
            # "vad händer om redovisningen kommer in för sent?": the text on what follows
            (lambda h: "consequence" in u.flags, lambda h: self._states_condition(h, q)),
            # "när lämnades delredovisningarna?": the text that gives a date
            (lambda h: "when" in u.flags and h.kind in dated,
             lambda h: h.kind in dated and bool(DATED.search(h.body))),
            # "vem undertecknade …?": the text that names someone
            (lambda h: "person" in u.flags and names is not None,
             lambda h: names is not None and bool(names.search(h.body))),
            # "vilket ärendenummer har SKR:s beslut?": the text that gives one
            (lambda h: bool(LEX["case_number"].search(u.folded)),
             lambda h: bool(CASE_NUMBER.search(h.body))),
            # "vart ska vi skicka beslutet?": the text or contact that gives an address
            (lambda h: "send" in u.flags and h.kind in dated,
             lambda h: h.kind == "contact" or bool(CONTACT_DATA.search(h.body))),
            # "vilka andra än MSB ger stöd?": the text on the others' ("ytterligare stöd
            # ges av …"), not one that has "ytterligare" elsewhere
            (lambda h: bool(u.excluded), lambda h: self._of_others(h, u)),
            # "vilken vägledning kan en kommun använda …?": the text written for the
            # municipalities, where one in scope answers, not the regions' card
            # (not a date, which the regions' cards compute, nor a named municipality's or
            # a sum, which no text for the municipalities gives: those are declined)
            (lambda h: self._for_other_audience(h, u), lambda h: self._audience(h) == u.audience),
            # "vilka prioriterade områden …?": the text that lists them, not one that
            # refers to "de sex prioriterade områdena"
            (lambda h: "list" in u.flags and h.kind == "passage",
             lambda h: h.kind == "passage" and self._lists(h, q)),
        ]  # fmt: skip

    def _first_answering(self, hits: list[Hit], topic: Query, foreign: bool, answers) -> Hit | None:
        """The first of the top ANSWER_DEPTH hits in scope that gives the kind of answer
        asked for (a count, a condition), if any."""
        return next((h for h in hits[:ANSWER_DEPTH]
                     if answers(h) and self.ranker.in_scope(topic, h, foreign)), None)  # fmt: skip

    def _counts(self, hit: Hit, q: Query) -> bool:
        """The hit gives a number of something the question names ("18 landsting",
        "tio beredskapssektorer")."""
        asked = {*q.stems, *q.expansions}
        body = fold(hit.body)
        return any(
            (m[1].isdigit() or NUMBER_WORDS.get(m[1], 1) > 1)  # "samtliga", "en": no count
            and asked & set(self.searcher.analyzer.terms(m[2]))
            for m in COUNTED.finditer(body.replace("%", " procent"))
        ) or any(asked & set(self.searcher.analyzer.terms(m[1])) for m in NUMBERED.finditer(body))

    def _for_other_audience(self, hit: Hit, u: Understanding) -> bool:
        return (
            u.audience is not None
            and u.municipality is None
            and u.intent != "deadline"
            and "quantity" not in u.flags
            and self._audience(hit) not in (None, u.audience)
        )

    def _audience(self, hit: Hit) -> str | None:
        d = self.searcher.knowledge.documents.get(hit.doc)
        return d.audience if d else None

    def _of_others(self, hit: Hit, u: Understanding) -> bool:
        """The hit speaks of others of what is asked: a word for the others before what
        the question asks for or the kind it asks ("ytterligare stöd", "andra
        myndigheter"; not "andra regioner" for "… stöd till regionerna")."""
        asked = [w for w in re.findall(r"[\w-]+", u.folded)
                 if w in ASKING and w not in LEX["actors"]]  # fmt: skip
        topic = {stem(w) for w in (*asked, *u.asked_kind)}
        body = fold(hit.body)  # the word as written: plain() keeps every letter's place
        found = OTHERS_OF.finditer(plain(body))
        return any(stem(body[m.start(1) : m.end(1)]) in topic for m in found)

    def _lists(self, hit: Hit, q: Query) -> bool:
        """A sentence of the hit lists what the question names: its words before a colon
        or a semicolon and three or more items after it."""
        telling = self.ranker.telling(q)
        for s in sentences(hit.body):
            m = ENUMERATION.search(s)
            if m and telling & set(self.searcher.analyzer.terms(s[: m.start()])):
                return True
        return False

    def _states_condition(self, hit: Hit, q: Query) -> bool:
        """A sentence of the hit states a condition not met about what the question names
        (in a text that is quoted, or a deadline's card, whose note is shown with it)."""
        if hit.kind not in ("passage", "fact", "deadline"):
            return False
        telling = self.ranker.telling(q)
        return any(
            CONDITION.search(s) and telling & set(self.searcher.analyzer.terms(s))
            for s in sentences(hit.body)
        )

    def passages(self, text: str, foreign: bool) -> tuple[list[Hit], Query]:
        """The passages in scope among the first SCOPE_DEPTH that answer `text` (a
        description of regions, "värd för NSPL-kansliet"), with the query read from it."""
        return self._of_kind(text, foreign, "passage")

    def deadline(self, text: str, foreign: bool) -> Hit | None:
        """The deadline that `text` names ("uppföljningen i februari"), if one is in scope;
        a month says when, not which."""
        hits, _ = self._of_kind(IN_MONTH.sub(" ", text), foreign, "deadline")
        return hits[0] if hits else None

    def _of_kind(self, text: str, foreign: bool, kind: str) -> tuple[list[Hit], Query]:
        q = self.parse(text, TOPIC_NOISE | frozenset(YEAR.findall(fold(text))), foreign)
        if not q.words:
            return [], q
        dense = self.searcher.dense(self.interpreter.embedder.query(fold(text)))
        found = self.searcher.search(
            q, limit=RERANK_DEPTH, dense=dense, dense_limit=DENSE_DEPTH, kinds=(kind,)
        )
        ranked = self.ranker.ranked(found, q, foreign=foreign)[:SCOPE_DEPTH]
        return [h for h in ranked if self.ranker.in_scope(q, h, foreign)], q
