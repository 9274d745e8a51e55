"""The assistant: a question in, an answer with sources out, in four stages:

    understand (entities, intent; a follow-up takes what it leaves out from the chat's
    last answer) → retrieve (only when the texts must answer) → answer (the answerer
    the route picks) → fit (English, phone-sized).

Every front end (Telegram, the command line) calls `Assistant.ask`, so they give the
very same answers; commands call the structured entry points below.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace
from datetime import date

from rapidfuzz import fuzz, process

import knowledge as knowledge_pkg
from index import builder
from index.analysis import fold, plain, stem
from index.documents import sentences
from index.embedding import embedder
from index.search import Searcher
from knowledge.models import Deadline, Knowledge

from .allocation_answers import AllocationAnswers
from .answer import Answer
from .areas import Areas
from .contacts import UNKNOWN_CONTACT, person_names, unknown_text
from .conversation import Topic
from .deadlines import answer_upcoming
from .english import english, in_english
from .entities import EVERY, LEX
from .follow_up import FollowUps
from .passages import Passages
from .ranking import Ranker
from .retrieval import Found, Retriever
from .routing import Route, Router
from .spelling import Speller
from .translation import WordTranslator, names_of
from .understanding import (
    TOPIC_NOISE,
    DocumentNames,
    Interpreter,
    Understanding,
    clauses,
    question_lexicon,
)

MAX_CHARS = 1500  # text and sources: what a phone shows at a glance
MORE = "\n… (förkortat – fråga mer specifikt för resten)"
MAX_WRAPPED = 600  # longer texts are not a question with a greeting: no second reading
# a question's parts ("…, och vem ska …?") are each read alone when the texts answer it
PART_INTENTS = frozenset({"search", "task", "support", "definition"})
PART_WORDS = 3  # a shorter clause is no question of its own
MAX_PARTS = 3
_SENTENCE = re.compile(r"[^.!?]+[.!?]*")


class Assistant:
    def __init__(
        self, knowledge: Knowledge, searcher: Searcher, progress: builder.Progress | None = None
    ):
        self.knowledge = knowledge
        self.searcher = searcher
        lexicon = question_lexicon(knowledge) | set(searcher.words)
        speller = Speller(
            lexicon, lambda w: bool(searcher.analyzer.compound_parts(w)), stem,
            lambda w: searcher.doc_frequency("terms", stem(w)),
        )  # fmt: skip
        cache = builder.vector_cache(searcher.root)
        try:
            self.interpreter = Interpreter(
                knowledge, speller, embedder(), cache, cache.path.parent, progress
            )
        finally:
            cache.close()
        text_names = names_of(knowledge.texts.values())
        translator = WordTranslator(
            embedder(), [w for w in searcher.words if w not in text_names],
            lambda: builder.vector_cache(searcher.root),
            (lambda n, total: progress("ord", n, total)) if progress else None,
        )  # fmt: skip
        places = self.interpreter.regions.words
        self.document_names = DocumentNames(knowledge)
        self.ranker = Ranker(searcher)
        self.follow_ups = FollowUps(knowledge, searcher, self.interpreter, places)
        names = person_names(knowledge, places)
        self.retriever = Retriever(searcher, self.ranker, self.interpreter, self.document_names,
                                   places, translator, names)  # fmt: skip
        self.areas = Areas(knowledge, searcher, self.ranker)
        self.allocations = AllocationAnswers(knowledge, self.interpreter.regions)
        passages = Passages(knowledge, searcher, self.ranker, self.areas,
                            names, unknown_text(knowledge))  # fmt: skip
        self.router = Router(knowledge, self.retriever, self.ranker, self.areas, passages,
                             self.allocations)  # fmt: skip

    @classmethod
    def create(cls, progress: builder.Progress | None = None, stale_ok: bool = False) -> Assistant:
        """Load the knowledge base and open (or build) its index; `progress` hears of a
        build's stages (stage, done, total). With `stale_ok` an index of older versions
        of some sources is opened at once without them (Searcher.stale)."""
        k = knowledge_pkg.load()
        return cls(k, Searcher(k, progress=progress, stale_ok=stale_ok), progress)

    def prepare(self) -> Assistant:
        """Do now what the first English question would otherwise wait for (the bot, at
        start-up); the command line leaves it to that question."""
        if self.retriever.translator is not None:
            self.retriever.translator.prepare()
        return self

    # -- the one entry point for free text -------------------------------------------

    def ask(self, question: str, today: date, topic: Topic | None = None) -> Answer:
        """The answer to `question`; with `topic` (the chat's last answer's, see
        conversation.py) a follow-up that leaves out what it is about takes it from
        there. The answer's own topic is in `Answer.topic`."""
        u = self.understand(question, today, topic)
        answer, route = self._answered(u, today)
        if answer.kind == "out_of_scope" and not u.follows_up and len(question) <= MAX_WRAPPED:
            # a greeting, a name or a signature around the question can drown it: try
            # the question sentences alone before saying "I don't know"
            focus = _question_sentences(question)
            if focus:
                retry_u = self.understand(focus, today)
                retry, retry_route = self._answered(retry_u, today)
                if retry.answered:
                    u, answer, route = retry_u, retry, retry_route
        if answer.answered and not u.follows_up and route.reads_texts:
            answer = self._with_parts(answer, u, today)
        answer = self.fit(answer, u)
        return replace(answer, topic=_topic(u, answer))

    def _with_parts(self, answer: Answer, u: Understanding, today: date) -> Answer:
        """A question of two parts answered from the texts ("Vilken nämnd ska övas, och
        vilket organ ska leda under höjd beredskap?"): the whole question found the text
        on one part; each part read alone adds the text on it that the answer lacks."""
        if u.intent not in PART_INTENTS:
            return answer
        parts = [
            c.strip() for c in clauses(u.folded)
            if len(c.split()) >= PART_WORDS and LEX["question_words"].search(plain(c))
        ]  # fmt: skip
        if not 2 <= len(parts) <= MAX_PARTS:
            return answer
        texts, sources = [answer.text], list(answer.sources)
        for part in parts:
            pu = self.understand(part, today)
            if pu.intent not in PART_INTENTS:
                continue
            more, part_route = self._answered(pu, today)
            if not (more.answered and part_route.reads_texts and more.kind == answer.kind):
                continue
            if not {c.title for c in more.sources} & {c.title for c in answer.sources}:
                # the parts of one question are about one document: a part read alone in
                # another ("… och hur finansieras det?") has lost what it is about
                continue
            if any(more.text in t for t in texts):
                continue  # the answer says it already
            if all(c in sources for c in more.sources):
                # a section quoted already: only its sentences not yet given
                given = "\n".join(texts)
                new = [x for x in sentences(more.text) if x not in given]
                if not new:
                    continue
                texts.append(" ".join(new))
            else:
                texts.append(more.text)
            sources += [c for c in more.sources if c not in sources]
        if len(texts) == 1:
            return answer
        return replace(answer, text="\n\n".join(texts), sources=tuple(sources))

    def understand(self, question: str, today: date, topic: Topic | None = None) -> Understanding:
        u = self.interpreter.understand(question, today)
        resolved = self.follow_ups.resolve(u, topic, today) if topic is not None else None
        return replace(resolved, follows_up=True) if resolved else u

    def answer(self, u: Understanding, today: date) -> Answer:
        return self._answered(u, today)[0]

    def _answered(self, u: Understanding, today: date) -> tuple[Answer, Route]:
        route = self.router.route(u)
        found = self.retrieve(u) if route.reads_texts else None
        return route.answer(u, found, today), route

    def retrieve(self, u: Understanding) -> Found:
        return self.retriever.find(u)

    def fit(self, answer: Answer, u: Understanding) -> Answer:
        """In English when asked in English; phone-sized (text and sources together): cut
        at a line or sentence boundary, saying there is more."""
        if u.language == "en":
            answer = in_english(answer, u.intent, self.knowledge, UNKNOWN_CONTACT)
        if len(answer.full_text()) <= MAX_CHARS:
            return answer
        more = "\n" + english().shortened if answer.language == "en" else MORE
        budget = MAX_CHARS - (len(answer.full_text()) - len(answer.text)) - len(more)
        cut = answer.text[:budget]
        for sep in ("\n", ". "):
            if sep in cut[budget // 2 :]:
                cut = cut[: cut.rindex(sep) + 1]
                break
        return replace(answer, text=cut.rstrip() + more)

    # -- structured entry points for commands -----------------------------------------

    def allocation(self, region: str | None, year: int | None = None) -> Answer | None:
        """A region's grant ("alla": the table); None when no region is named."""
        return self.allocations.of_region(region, year)

    def tasks(self, area: str | None) -> Answer:
        return self.areas.tasks(area)

    def support(self, area: str | None) -> Answer:
        return self.areas.support(area)

    def upcoming(self, today: date) -> Answer:
        return answer_upcoming(self.knowledge, today)

    def match_deadline(self, query: str) -> list[Deadline]:
        """Deadlines named by a user ("rsa", "uppföljning", "alla")."""
        f = fold(query).strip()
        if f in EVERY:
            return list(self.knowledge.deadlines)
        by_id = {d.id: d for d in self.knowledge.deadlines}
        if f in by_id:
            return [by_id[f]]
        names = {fold(d.short): d.id for d in self.knowledge.deadlines}
        best = process.extractOne(f, list(names), scorer=fuzz.WRatio, score_cutoff=90)
        if best:
            return [by_id[names[best[0]]]]
        q = self.searcher.parse(query, ignore=TOPIC_NOISE)
        hits = self.ranker.ranked(self.searcher.search(q, kinds=("deadline",), limit=3), q)
        return [by_id[h.ref] for h in hits[:1]]



def _question_sentences(text: str) -> str | None:
    """The sentences that end in "?", when there are others beside them. A line break or
    an emoji ends a sentence too: chat messages are punctuated so ("… mycket nytt 😅 Kan
    du säga …?")."""
    text = "".join(". " if c == "\n" or unicodedata.category(c) == "So" else c for c in text)
    sentences = [m.group().strip() for m in _SENTENCE.finditer(text) if m.group().strip()]
    asked = [x for x in sentences if x.endswith("?")]
    return " ".join(asked) if asked and len(asked) < len(sentences) else None


def _topic(u: Understanding, answer: Answer) -> Topic | None:
    """What a follow-up to `answer` may lean on (nothing when it answered nothing)."""
    if not answer.answered or answer.kind in ("help", "opinion", "sources"):
        return None
    return Topic(u, answer.kind, answer.text, answer.deadline_ids, answer.areas)
