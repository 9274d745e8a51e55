"""The assistant: understands a question, asks the right engine, and answers with sources.

Every front end (Telegram, the command line) calls `Assistant.ask`, so they give
the very same answers.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

from rapidfuzz import fuzz, process

import knowledge as knowledge_pkg
from index import builder
from index.analysis import fold, plain, stem
from index.documents import sentences
from index.embedding import embedder
from index.search import Hit, Query, Searcher
from knowledge.models import Area, Deadline, Knowledge

from ..subscriptions.reminders import schedule_text
from . import allocation_answers as money
from . import follow_up
from .answer import Answer, Citer, where_to_turn
from .conversation import Topic
from .dates import sv_date
from .deadlines import answer_deadlines, answer_past, answer_upcoming
from .deadlines import on_day as deadlines_on_day
from .english import english, in_english
from .entities import LEX, NUMBER_WORDS, extract_domain
from .ranking import Ranker
from .snippets import CONDITION, DATED, best_sentences, list_items
from .spelling import Speller
from .understanding import (
    ALLOCATION_FLAGS,
    DOMAIN_WORDS,
    REGION_INTENTS,
    TOPIC_NOISE,
    YEAR,
    DocumentNames,
    Interpreter,
    Understanding,
    question_lexicon,
)

MAX_CHARS = 1500  # text and sources: what a phone shows at a glance
RERANK_DEPTH = 50  # BM25 finds candidates; coverage picks among this many
DENSE_DEPTH = 10  # and the semantically closest join them
SCOPE_DEPTH = 3  # the first of this many ranked hits that is in scope answers
# a how-many or what-happens-if question looks this deep for a hit giving that answer
ANSWER_DEPTH = 8
ACCOUNT = re.compile(r"\d{3,}[- ]?\d{2,}")  # a bankgiro, an organisation number
LIST_CONTINUED = 1000  # characters of a list continued from the passage before
COUNTED = re.compile(r"\b(\w+)\s+(?=(\w{3,}))")  # a number word or figure and what it counts
MORE = "\n… (förkortat – fråga mer specifikt för resten)"
PREFERRED_SHARE = 0.6  # the asked-for kind wins if it covers this share of the best hit's
PREFERRED_KINDS = {
    "deadline": ("deadline",),
    "contact": ("contact",),
    "definition": ("fact", "glossary", "passage"),
    "support": ("support",),
    "task": ("area", "insats"),
}

STATUS_WORDS = LEX["status_words"].words
STATUS_LABEL = {"stöd": "Stöd", "under_utveckling": "Under utveckling", "befintligt": "Befintligt"}

HELP_TEXT = """Hej! Jag är Beredskapsboten. Jag svarar på frågor om regionernas uppgifter, \
frister, stöd och statsbidrag inom krisberedskap och civilt försvar, med källa.

Prova till exempel:
• När ska RSA rapporteras?
• Vilken är nästa deadline?
• Vilket stöd finns inom säkerhetsskydd?
• Vad ska regionen göra med privata aktörer?
• Hur mycket får Region Uppsala 2023?
• Om 500 miljoner fördelades med samma grundbelopp, vad skulle Region Gotland få?
• Vad menas med allvarlig händelse?"""

# What the bot does besides answering (the commands are Telegram's; see bot/telegram/commands.py).
FEATURES_TEXT = "\n".join(
    [
        "Påminnelser och kalender finns i Telegram-boten:",
        f"• /bevaka rsa – påminnelser {schedule_text()} svensk tid "
        "(/bevaka alla för alla frister; knappen ”Bevaka” under ett svar gör samma sak)",
        "• /mina – dina bevakningar; /avbevaka rsa – sluta bevaka",
        "• /kalender – alla frister som kalenderfil (.ics) för Outlook, Google eller Apple; "
        "/kalender mina – bara dina",
        "Här kan du fråga om fristerna, till exempel ”Vilken är nästa deadline?”.",
    ]
)

OPINION_TEXT = (
    "Jag har inga egna åsikter – jag återger vad dokumenten säger, med källa. Fråga till "
    "exempel ”Vad säger dokumenten om Nato?” eller ”Vad ska regionen göra inom säkerhetsskydd?”."
)
# a phone number or an e-mail address: what a contact answer must give
CONTACT_DATA = re.compile(r"\b0\d{1,3}[-–‐ ]\d[\d ]{3,}\d|[\w.+-]+@[\w-]+\.[\w.]+")
UNKNOWN_CONTACT = "leh-funktionen"  # where to turn when the documents do not answer


def unknown_text(knowledge: Knowledge) -> str:
    """The honest "I don't know", pointing to who can answer (from contacts.yaml)."""
    text = (
        "Det vet jag inte – frågan verkar inte besvaras av de dokument jag har "
        "(överenskommelser och vägledningar från MSB, SKR, Socialstyrelsen och regionerna)."
    )
    turn = where_to_turn(knowledge, UNKNOWN_CONTACT)
    if turn:
        name, reach, notes = turn
        text += f" Frågor om överenskommelsen och ersättningen kan ställas till {name}: {reach}."
        text += "".join(f" {n}" for n in notes)
    return text + " Skriv ”hjälp” för exempel på vad jag kan svara på."


def person_names(knowledge: Knowledge, places: frozenset[str]) -> re.Pattern:
    """Two capitalised words in a row that the documents never write in lower case and
    that are no region's name (`places`, folded): "Olivia Wigzell", not "Västra
    Götaland". How the texts name a person; matches nothing when they name none."""
    text = "\n".join(knowledge.texts.values())
    lower = set(re.findall(r"(?<![\w-])[a-zåäöé][\w-]*", text))
    caps = {w for w in re.findall(r"(?<![\w-])[A-ZÅÄÖ][a-zåäöé]+", text) if w.lower() not in lower}
    pairs = {f"{a} {b}" for a, b in re.findall(r"([A-ZÅÄÖ][a-zåäöé]+) ([A-ZÅÄÖ][a-zåäöé]+)", text)
             if a in caps and b in caps and not {fold(a), fold(b)} & places}  # fmt: skip
    if not pairs:
        return re.compile(r"(?!)")
    return re.compile("|".join(sorted(map(re.escape, pairs), key=len, reverse=True)))


class Assistant:
    def __init__(
        self, knowledge: Knowledge, searcher: Searcher, progress: builder.Progress | None = None
    ):
        self.knowledge = knowledge
        self.searcher = searcher
        lexicon = question_lexicon(knowledge) | set(searcher.words)
        speller = Speller(lexicon, lambda w: bool(searcher.analyzer.compound_parts(w)), stem)
        cache = builder.vector_cache(searcher.root)
        try:
            self.interpreter = Interpreter(
                knowledge, speller, embedder(), cache, cache.path.parent, progress
            )
        finally:
            cache.close()
        self.document_names = DocumentNames(knowledge)
        self.ranker = Ranker(searcher)
        self.unknown = unknown_text(knowledge)
        self.place_words = self.interpreter.regions.words
        self.person_names = person_names(knowledge, self.place_words)

    @classmethod
    def create(cls, progress: builder.Progress | None = None, stale_ok: bool = False) -> Assistant:
        """Load the knowledge base and open (or build) its index; `progress` hears of a
        build's stages (stage, done, total). With `stale_ok` an index of older versions
        of some sources is opened at once without them (Searcher.stale)."""
        k = knowledge_pkg.load()
        return cls(k, Searcher(k, progress=progress, stale_ok=stale_ok), progress)

    # -- the one entry point for free text -------------------------------------------

    def ask(self, question: str, today: date, topic: Topic | None = None) -> Answer:
        """The answer to `question`; with `topic` (the chat's last answer's, see
        bot/engine/conversation.py) a follow-up that leaves out what it is about takes it from
        there. The answer's own topic is in `Answer.topic`."""
        u = self.interpreter.understand(question, today)
        followed = follow_up.answer(self, u, topic, today) if topic is not None else None
        if followed is not None:
            answer, u = followed
        else:
            answer, u = self._answer(question, u, today)
        if u.language == "en":
            answer = in_english(answer, u.intent, self.knowledge, UNKNOWN_CONTACT)
        answer = _fit(answer)
        return replace(answer, topic=_topic(u, answer))

    def _answer(self, question: str, u: Understanding, today: date) -> tuple[Answer, Understanding]:
        answer = self.route(u, today)
        if answer.kind == "out_of_scope" and len(question) <= MAX_WRAPPED:
            # a greeting, a name or a signature around the question can drown it: try
            # the question sentences alone before saying "I don't know"
            focus = _question_sentences(question)
            if focus:
                retry_u = self.interpreter.understand(focus, today)
                retry = self.route(retry_u, today)
                if retry.answered:
                    return retry, retry_u
        return answer, u

    def route(self, u: Understanding, today: date) -> Answer:
        if u.described and (u.intent in REGION_INTENTS or u.intent in ("population_rank",
                                                                      "regions_list")):
            return self._two_steps(u, today)
        fixed = FIXED.get(u.intent)
        if fixed:
            return fixed(self, u, today)
        if u.on_day:  # "vad ska vara inne den 15 februari?": the deadlines of that day
            on = deadlines_on_day(self.knowledge, *u.on_day)
            if on:
                return answer_deadlines(self.knowledge, on, today, u.on_day[2])
        if u.intent == "deadlines_upcoming" or (u.intent == "deadline" and (u.start or u.until)):
            return self._upcoming(u, today)
        if self.has_insats(u.insats):
            return self.insats(u.insats, u.insats_point)
        return self._retrieve(u, today)

    def _two_steps(self, u: Understanding, today: date) -> Answer:
        """"Vilken region har minst befolkning, och hur mycket får den?": first the regions
        the description picks out, then what is asked of them, both steps shown."""
        d = u.described
        if d.kind == "text":
            found = self._regions_told(d.text, u.language == "en")
            if found is None:  # the documents name no region so described: asked as is
                return self._retrieve(replace(u, described=None), today)
        else:
            found = money.described_regions(self.knowledge, d.kind, d.threshold, u.year, d.upper,
                                            d.rank, d.share)  # fmt: skip
        if isinstance(found, Answer):
            return found
        regions, step_one, cite = found
        if u.intent not in REGION_INTENTS or not regions:
            return Answer(step_one, True, "allocation", cite.all())
        u.regions = regions
        if len(regions) > 1 and not u.flags & {"difference", "together"}:
            u.flags.add("together")
        second = FIXED[u.intent](self, u, today)
        for c in second.sources:
            if c not in cite.refs:
                cite.refs.append(c)
        text = f"Steg 1:\n{step_one}\nSteg 2:\n{second.text}"
        return Answer(text, second.answered, second.kind, cite.all(), second.deadline_ids)

    def _regions_told(self, description: str, foreign: bool) -> tuple | None:
        """Step one when the documents describe the regions ("värd för NSPL-kansliet"):
        the regions named in the sentence of the passage that answers the description
        best, quoted with its source."""
        q = self.searcher.parse(description, ignore=TOPIC_NOISE | frozenset(YEAR.findall(
            fold(description))))  # fmt: skip
        if not q.words:
            return None
        dense = self.searcher.dense(self.interpreter.embedder.query(fold(description)))
        found = self.searcher.search(
            q, limit=RERANK_DEPTH, dense=dense, dense_limit=DENSE_DEPTH, kinds=("passage",)
        )
        for hit in self.ranker.ranked(found, q, foreign=foreign)[:SCOPE_DEPTH]:
            if not self.ranker.in_scope(q, hit, foreign):
                continue
            said = best_sentences(hit.body, self.ranker.telling(q), self.searcher.analyzer,
                                  limit=1, sims=hit.sentence_sims)  # fmt: skip
            regions, _ = self.interpreter.regions.find(fold(said))
            if regions:
                cite = Citer(self.knowledge)
                cite.cite(knowledge_pkg.models.SourceRef(hit.doc, hit.section))
                return regions, f"”{said}”", cite
        return None

    def _upcoming(self, u: Understanding, today: date) -> Answer:
        start = u.start or today
        until = u.until
        if u.after is not None:
            start = max(today, date(u.after + 1, 1, 1))
        if until is None and u.year and u.year >= today.year:
            start, until = max(today, date(u.year, 1, 1)), date(u.year, 12, 31)
        return answer_upcoming(self.knowledge, today, until, "next" in u.flags, start)

    def _municipality(self, u: Understanding) -> Answer:
        return Answer(
            f"”{u.municipality}” är en kommun, inte en region. Fördelningen i dokumenten gäller "
            "de 21 regionerna; om en kommuns medel har jag inga uppgifter. "
            "Skriv en region, till exempel ”Hur mycket får Region Skåne?”.",
            False,
            "allocation",
        )

    def _retrieve(self, u: Understanding, today: date) -> Answer:
        """Questions the documents' text answers: deadlines by name, tasks, support,
        contacts, definitions and everything else."""
        k = self.knowledge
        ignore = TOPIC_NOISE | (STATUS_WORDS if u.status else frozenset())
        named_docs: frozenset[str] = frozenset()
        if u.intent == "deadline":
            # a year is a date asked about, not a topic; "när ska rapporten lämnas" names
            # a report to hand in, not the report among the sources
            ignore |= frozenset(YEAR.findall(u.folded))
        else:
            named_docs, naming = self.document_names.find(u.folded)
            ignore |= naming
        if u.intent == "contact":  # "mejladress", "telefonnumret": how to reach, not whom
            ignore |= frozenset(LEX["reach"].findall(u.folded))
        q = self.searcher.parse(u.text, ignore=ignore)
        if not q.words:
            return self._without_topic(u, today)
        if (
            u.intent in ("task", "support")
            and u.domain
            and {plain(w) for w in q.words} <= {plain(w) for w in DOMAIN_WORDS}
        ):
            return self._domain_answer(u)
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
        if named_docs:  # "vad säger rapporten om X": X in that document, if it has it
            within = search(docs=named_docs)
            if within and self.ranker.in_scope(q, within[0], u.language == "en"):
                return self._render_counted(within, q, u, today)
        # the best hit that the question's own words tie to it (a semantically close one
        # alone is no evidence that the documents answer it)
        foreign = u.language == "en"
        # a region's name is no topic: "vårdplatser i Region Halland" is not answered by
        # Halland's row of the grant table, nor "the county governor of Uppsala" by an
        # address in Uppsala
        topic = q
        if any(w in self.place_words for w in q.words):
            topic = self.searcher.parse(u.text, ignore=ignore | self.place_words)
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
                return Answer(self.unknown, False, "out_of_scope")
        if scoped is not None and "consequence" in u.flags and not self._states_condition(
            scoped, q
        ):  # "vad händer om redovisningen kommer in för sent?": the text on what follows
            scoped = self._first_answering(
                hits, topic, foreign, lambda h: self._states_condition(h, q)
            ) or scoped
        if scoped is not None and scoped is not hits[0]:
            hits = [scoped, *(h for h in hits if h is not scoped)]
        if scoped is None:
            if u.intent == "deadline" and not q.unknown:
                return answer_upcoming(k, today)
            return Answer(self.unknown, False, "out_of_scope")
        if preferred and "consequence" not in u.flags:  # what follows a date is no date
            # the kind the question asks for wins unless another covers clearly more of it
            best = self.ranker.coverage(hits[0], q)
            wanted = search(kinds=preferred)
            if wanted and (
                self.ranker.coverage(wanted[0], q) >= PREFERRED_SHARE * best
                or (u.intent in ("task", "support") and self.ranker.named(wanted[0], q))
            ):
                hits = wanted
        return self._render_counted(hits, q, u, today)

    def _first_answering(self, hits: list[Hit], topic: Query, foreign: bool, answers) -> Hit | None:
        """The first of the top ANSWER_DEPTH hits in scope that gives the kind of answer
        asked for (a count, a condition), if any."""
        return next((h for h in hits[:ANSWER_DEPTH]
                     if answers(h) and self.ranker.in_scope(topic, h, foreign)), None)  # fmt: skip

    def _counts(self, hit: Hit, q: Query) -> bool:
        """The hit gives a number of something the question names ("18 landsting",
        "tio beredskapssektorer")."""
        asked = {*q.stems, *q.expansions}
        return any(
            (m[1].isdigit() or NUMBER_WORDS.get(m[1], 1) > 1)  # "samtliga", "en": no count
            and asked & set(self.searcher.analyzer.terms(m[2]))
            for m in COUNTED.finditer(fold(hit.body))
        )

    def _states_condition(self, hit: Hit, q: Query) -> bool:
        """A sentence of the hit states a condition not met about what the question names
        (in a text that is quoted: a deadline's card would not show it)."""
        if hit.kind not in ("passage", "fact"):
            return False
        telling = self.ranker.telling(q)
        return any(
            CONDITION.search(s) and telling & set(self.searcher.analyzer.terms(s))
            for s in sentences(hit.body)
        )

    def _render_counted(self, hits: list[Hit], q: Query, u: Understanding, today: date) -> Answer:
        """A 'hur många …?' answered from text needs a number in that text, and a way to
        reach someone needs a phone number or an address."""
        answer = self._render_checked(hits, q, u, today)
        if u.intent == "contact" and answer.answered and not CONTACT_DATA.search(answer.text):
            return Answer(self.unknown, False, "out_of_scope")  # form labels, an agency's role
        if LEX["account_number"].search(u.folded) and not ACCOUNT.search(answer.text):
            # "bankgironummer till Kammarkollegiet": the repayment's deadline is no number
            return Answer(self.unknown, False, "out_of_scope")
        if (
            "quantity" in u.flags
            and answer.kind == "fact"
            and not re.search(r"\d", YEAR.sub("", DATED.sub("", answer.text.casefold())))
            and not LEX["a_number"].search(fold(answer.text))
        ):  # "hur mycket kostar NSPL-kansliet oss?" is not answered by how it is financed
            return Answer(self.unknown, False, "out_of_scope")
        if (
            "person" in u.flags
            and u.intent != "contact"
            and answer.kind in ("fact", "definition", "task", "support")
            and (u.regions or u.municipality or self.ranker.names & set(q.stems))
            and not self.person_names.search(answer.text)
        ):  # "vem är regiondirektör i Region Uppsala?" asks for a person there, and is not
            # answered by the word (though "vem är civilområdeschef?" is, by the role's holder)
            return Answer(self.unknown, False, "out_of_scope")
        return answer

    def _render_checked(self, hits: list[Hit], q: Query, u: Understanding, today: date) -> Answer:
        top = hits[0]
        if (
            "count" in u.flags
            and top.kind in ("passage", "fact")
            and not (re.search(r"\d", top.body) or LEX["a_number"].search(fold(top.body)))
        ):
            return Answer(self.unknown, False, "out_of_scope")
        return self._render(hits, q, u, today)

    def _without_topic(self, u: Understanding, today: date) -> Answer:
        """A question that names no topic ("vilka uppgifter finns?")."""
        if u.intent == "deadline":
            return answer_upcoming(self.knowledge, today)
        if u.intent == "task":
            return self._areas_overview("uppgifter")
        if u.intent == "support" and u.status:
            return self._support_by_status(u.status)
        if u.intent == "support":
            return self._areas_overview("stöd")
        if u.intent == "contact":
            return self._contact_answer(self.knowledge.contacts[0].id)
        return Answer(
            "Vad vill du veta mer om? Nämn ett ämne, till exempel RSA, säkerhetsskydd, "
            "NSPL eller en region. Skriv ”hjälp” för exempel.",
            False,
            "help",
        )

    # -- rendering hits ---------------------------------------------------------------

    def _render(self, hits: list[Hit], q: Query, u: Understanding, today: date) -> Answer:
        top = hits[0]
        k = self.knowledge
        if top.kind == "deadline":
            chosen = [k.deadline(top.ref)]
            # a second deadline that matches as well ("redovisning" -> two of them)
            for h in hits[1:3]:
                if h.kind == "deadline" and h.score >= 0.85 * top.score:
                    chosen.append(k.deadline(h.ref))
            return answer_deadlines(k, chosen, today, u.year, "previous" in u.flags, u.after)
        if top.kind in ("area", "support"):
            areas = self._areas_for(hits, u)
            return self._area_answer(areas, q, u)
        if top.kind == "insats":
            return self._insats_answer(top, hits, q, u)
        if top.kind == "grant":
            return money.total(k, u.year if u.year else None)
        if top.kind == "fact":
            f = k.fact(top.ref)
            cite = Citer(k)
            cite.cite(f.source, f.url)
            return Answer(f.text, True, "fact", cite.all())
        if top.kind == "contact":
            # a phone number or address is given only for what the question names: "till
            # Kammarkollegiet" is not answered with another office's number
            if not top.matched & self.ranker.telling(q):
                return Answer(self.unknown, False, "out_of_scope")
            return self._contact_answer(top.ref)
        if top.kind == "glossary":
            g = k.glossary_term(top.ref)
            cite = Citer(k)
            cite.cite(g.source)
            text = f"{g.term}: {g.meaning}."
            if g.note:
                text += f" {g.note}"
                cite.cite(g.note_source)
            return Answer(text, True, "definition", cite.all())
        return self._passage_answer(hits, q, u)

    def _areas_for(self, hits: list[Hit], u: Understanding) -> list[Area]:
        by_id = {a.id: a for a in self.knowledge.areas}
        areas = list(dict.fromkeys(by_id[h.ref] for h in hits if h.kind in ("area", "support")))
        if u.domain:
            in_domain = [a for a in areas if a.domain == u.domain]
            areas = in_domain or areas
        top = [areas[0]]
        # same-named areas in both domains ("Rapportering") are shown together
        top += [a for a in areas[1:] if a.name == areas[0].name and not u.domain]
        return top

    def _area_answer(self, areas: list[Area], q: Query, u: Understanding) -> Answer:
        cite = Citer(self.knowledge)
        want_tasks = u.intent != "support"
        want_support = u.intent != "task"
        telling = self.ranker.telling(q)
        blocks = []
        for a in areas:
            cite.cite(a.source)
            lines = [f"{a.name} ({a.domain}):"]
            if want_tasks:
                lines.append("Uppgift" + ("er:" if len(a.tasks) > 1 else ":"))
                lines += [f"• {t}" for t in a.tasks]
            if want_support and a.support:
                items = list(a.support)
                # words beyond the area's own name pick items ("utbildning i Rakel")
                specific = telling - set(self.searcher.analyzer.terms(a.name))
                matching = [
                    s for s in items if specific & set(self.searcher.analyzer.terms(s.text))
                ]
                if u.status:  # "vilket stöd är under utveckling?"
                    group = [s for s in items if s.status == u.status]
                    label = (
                        "Stöd under utveckling:"
                        if u.status == "under_utveckling"
                        else ("Befintligt stöd:")
                    )
                    lines += (
                        [label, *(f"• {s.text}" for s in group)]
                        if group
                        else [f"{label} inget angivet för området."]
                    )
                elif u.intent == "support" and matching and len(matching) < len(items):
                    lines.append("Ja, det finns:")
                    lines += [f"• {s.text} ({STATUS_LABEL[s.status].lower()})" for s in matching]
                    others = [s for s in items if s not in matching]
                    lines.append("Övrigt stöd inom området:")
                    lines += [f"• {s.text}" for s in others]
                else:
                    for status in ("stöd", "under_utveckling", "befintligt"):
                        group = [s for s in items if s.status == status]
                        if group:
                            label = {
                                "stöd": "Stöd:",
                                "under_utveckling": "Stöd under utveckling:",
                                "befintligt": "Befintligt stöd:",
                            }[status]
                            lines.append(label)
                            lines += [f"• {s.text}" for s in group]
            blocks.append("\n".join(lines))
        kind = "support" if u.intent.startswith("support") else "task"
        shown = tuple(a.id for a in areas)
        return Answer("\n\n".join(blocks), True, kind, cite.all(), areas=shown)

    def area_answer(self, areas: list[Area], u: Understanding) -> Answer:
        """The tasks or support (by `u.intent`) of `areas`, every item shown."""
        return self._area_answer(areas, self.searcher.parse("", ignore=TOPIC_NOISE), u)

    def _insats_answer(self, top: Hit, hits: list[Hit], q: Query, u: Understanding) -> Answer:
        k = self.knowledge
        ins = next(i for i in k.insatser if str(i.number) == top.ref)
        telling = self.ranker.telling(q)
        scored = [
            (len(telling & set(self.searcher.analyzer.terms(text))), letter, text)
            for letter, text in ins.points
        ]
        best = max(s for s, _, _ in scored)
        points = [(ltr, t) for s, ltr, t in scored if s == best] if best > 0 else ins.points
        cite = Citer(k)
        cite.cite(ins.source)
        lines = [f"Överenskommelsen 2023, insats {ins.number} – {ins.name}:"]
        lines += [f"{ltr}) {t}" for ltr, t in points]
        # an area of MSB's list that matches nearly as well adds the LEH side of the task
        area_hit = next((h for h in hits[1:4] if h.kind in ("area", "support")), None)
        if area_hit and area_hit.score >= 0.8 * top.score and u.intent in ("task", "search"):
            a = next(a for a in k.areas if a.id == area_hit.ref)
            cite.cite(a.source)
            lines += ["", f"Enligt MSB:s lista ({a.name}, {a.domain}):"]
            lines += [f"• {t}" for t in a.tasks]
        return Answer("\n".join(lines), True, "task", cite.all())

    def _regions_answer(self) -> Answer:
        """'Hur många regioner finns det?': the regions of the latest grant's table."""
        grant = max(self.knowledge.grants, key=lambda g: g.year)
        cite = Citer(self.knowledge)
        cite.cite(grant.source)
        names = ", ".join(r.name for r in self.knowledge.regions)
        text = (
            f"Det är {len(self.knowledge.regions)} regioner i fördelningen {grant.year}: {names}."
        )
        return Answer(text, True, "allocation", cite.all())

    def sources(self) -> Answer:
        """The documents answers come from, as the knowledge base describes them."""
        lines = ["Jag svarar utifrån de här dokumenten:"]
        for d in self.knowledge.documents.values():
            if not d.file:
                continue  # no text of its own (e.g. the editors' notes)
            about = [d.publisher, d.kind]
            if d.date:
                about.append(f"{d.date_note or 'daterad'} {sv_date(d.date)}")
            lines.append(f"• {d.title} – {', '.join(about)}")
        lines.append("Fråga om något i dem – jag anger alltid dokument och avsnitt.")
        return Answer("\n".join(lines), True, "sources")

    def has_insats(self, number: int | None) -> bool:
        return any(i.number == number for i in self.knowledge.insatser)

    def insats(self, number: int, point: str | None = None) -> Answer:
        """One of the 2023 agreement's insatser: every point, or the one asked for."""
        ins = next(i for i in self.knowledge.insatser if i.number == number)
        cite = Citer(self.knowledge)
        cite.cite(ins.source)
        lines = [f"Överenskommelsen 2023, insats {ins.number} – {ins.name}:"]
        chosen = [(ltr, t) for ltr, t in ins.points if point and ltr in point] or list(ins.points)
        lines += [f"{ltr}) {t}" for ltr, t in chosen]
        return Answer("\n".join(lines), True, "task", cite.all())

    def _contact_answer(self, contact_id: str) -> Answer:
        c = next(c for c in self.knowledge.contacts if c.id == contact_id)
        cite = Citer(self.knowledge)
        cite.cite(c.source)
        lines = [f"{c.name}", c.about]
        if c.phone:
            lines.append(f"Telefon: {c.phone}")
        if c.email:
            lines.append(f"E-post: {c.email}")
        if c.address:
            lines.append(f"Adress: {c.address}")
        lines += self.knowledge.name_notes(c.name)
        return Answer("\n".join(lines), True, "contact", cite.all())

    def _passage_answer(self, hits: list[Hit], q: Query, u: Understanding) -> Answer:
        top = hits[0]
        text = best_sentences(
            top.body, self.ranker.telling(q), self.searcher.analyzer, sims=top.sentence_sims,
            figures=bool(u.flags & {"quantity", "count"}), dates="when" in u.flags,
            conditions="consequence" in u.flags,
        )  # fmt: skip
        if text.endswith(":") and top.body.rstrip().endswith(":"):
            # "SKR ska:" ends the passage; its list is the next part of the same section
            items = list_items(self.searcher.next_part(top.id) or "", LIST_CONTINUED)
            if items:
                text = "\n".join([text, *items])
        if u.intent == "contact":  # whom to call: say when the organisation has a new name
            text = "\n".join([text, *self.knowledge.name_notes(f"{top.section} {text}")])
        cite = Citer(self.knowledge)
        cite.cite(knowledge_pkg.models.SourceRef(top.doc, top.section), page=top.page or None)
        return Answer(text, True, "fact", cite.all())

    # -- structured look-ups used by commands and by the router ----------------------

    def allocation_for(self, u: Understanding) -> Answer:
        if not u.regions:
            word = u.unknown_region or u.text
            return money._unknown_region(
                self.knowledge, word, self.interpreter.regions.suggest(word)
            )
        if len(u.regions) > 1 and u.flags & {"difference", "together"}:
            how = "difference" if "difference" in u.flags else "together"
            return money.combined(self.knowledge, u.regions, u.year, how)
        if len(u.regions) > 1:
            parts = [
                money.region_amount(
                    self.knowledge, r, u.year, population_only="population" in u.flags
                )
                for r in u.regions[:4]
            ]
            if not parts[0].answered:
                return parts[0]
            return Answer("\n\n".join(p.text for p in parts), True, "allocation", parts[0].sources)
        return money.region_amount(
            self.knowledge,
            u.regions[0],
            u.year,
            how="how" in u.flags,
            population_only="population" in u.flags,
            per_capita="per_capita" in u.flags,
        )

    def _what_if(self, u: Understanding) -> Answer:
        """'Om 500 miljoner fördelades …' / 'om grundbeloppet var 10 miljoner': the amount
        written after "grundbelopp" is the base, any other the total."""
        amounts = list(u.amounts)
        if u.base_amount is not None and u.base_amount in amounts:
            amounts.remove(u.base_amount)
        total = max(amounts) if amounts else None
        regions = u.regions or [self.knowledge.region(r.id) for r in self.knowledge.regions]
        return money.what_if(self.knowledge, regions, total, u.base_amount, u.year)

    def allocation(self, region: str | None, year: int | None = None) -> Answer:
        """For /tilldelning <region | alla> [år]."""
        if not region:
            return Answer(
                "Skriv en region eller ”alla”, till exempel /tilldelning Uppsala eller "
                "/tilldelning alla 2023.",
                False,
                "allocation",
            )
        if fold(region).strip() in ("alla", "samtliga", "all"):
            return money.table(self.knowledge, year)
        found, _ = self.interpreter.regions.find(fold(region))
        u = Understanding(region, fold(region), "allocation", regions=found[:1], year=year)
        u.unknown_region = None if found else region.strip()
        return self.allocation_for(u)

    def upcoming(self, today: date) -> Answer:
        """For /frister."""
        return answer_upcoming(self.knowledge, today)

    def match_areas(self, query: str) -> list[Area]:
        """Areas a user names ("säkerhetsskydd", "rapportering krisberedskap")."""
        q = self.searcher.parse(query, ignore=TOPIC_NOISE)
        hits = self.ranker.ranked(self.searcher.search(q, kinds=("area", "support")), q)
        if not hits:
            return []
        domain = extract_domain(fold(query))
        return self._areas_for(hits, Understanding(query, fold(query), "task", domain=domain))

    def _domain_answer(self, u: Understanding) -> Answer:
        """Every area of one domain: "Vilka uppgifter har regionen inom krisberedskap?"."""
        areas = [a for a in self.knowledge.areas if a.domain == u.domain]
        cite = Citer(self.knowledge)
        lines = []
        for a in areas:
            cite.cite(a.source)
            items = a.tasks if u.intent == "task" else [s.text for s in a.support]
            if items:
                lines.append(f"{a.name}:")
                shown = items if u.intent == "task" else items[:2]  # support lists are long
                lines += [f"• {t}" for t in shown]
                if len(items) > len(shown):
                    lines.append(
                        f"• … och {len(items) - len(shown)} till (fråga om {a.name.lower()})"
                    )
        head = "Uppgifter" if u.intent == "task" else "Stöd"
        text = f"{head} inom {u.domain} enligt MSB:s sammanställning:\n" + "\n".join(lines)
        return Answer(text, True, u.intent, cite.all(), areas=tuple(a.id for a in areas))

    def _support_by_status(self, status: str) -> Answer:
        """'Vilket stöd är under utveckling?': that group of every area."""
        label = STATUS_LABEL[status]
        cite = Citer(self.knowledge)
        lines = [f"Stöd som är {label.lower()}, per område:"]
        for a in self.knowledge.areas:
            group = [s.text for s in a.support if s.status == status]
            if group:
                cite.cite(a.source)
                lines.append(f"{a.name} ({a.domain}):")
                lines += [f"• {text}" for text in group]
        if len(lines) == 1:
            return Answer(f"Inget stöd är markerat som {label.lower()}.", True, "support")
        return Answer("\n".join(lines), True, "support", cite.all())

    def _insatser_answer(self) -> Answer:
        """'Vilka är insatserna?': the agreement's insatser 1-7 by name."""
        k = self.knowledge
        cite = Citer(k)
        cite.cite(k.insatser[0].source)
        lines = ["Överenskommelsen 2023 har sju insatser:"]
        lines += [f"{i.number}. {i.name}" for i in k.insatser]
        lines.append("Skriv till exempel ”insats 3” för vad en insats innebär.")
        return Answer("\n".join(lines), True, "task", cite.all())

    def _areas_overview(self, what: str) -> Answer:
        lines = [f"Områden med {what} (skriv ett av dem, till exempel ”{what} säkerhetsskydd”):"]
        for domain in ("krisberedskap", "civilt försvar"):
            names = [a.name for a in self.knowledge.areas if a.domain == domain]
            lines.append(f"• {domain.capitalize()}: {', '.join(names)}")
        lines.append(
            "Överenskommelsen 2023 om hälso- och sjukvården har också insatserna 1–7: "
            + ", ".join(f"{i.number}. {i.name}" for i in self.knowledge.insatser)
            + "."
        )
        cite = Citer(self.knowledge)
        cite.cite(self.knowledge.areas[0].source)
        cite.cite(self.knowledge.insatser[0].source)
        return Answer("\n".join(lines), True, "task", cite.all())

    def _area_command(self, area: str | None, intent: str, what: str) -> Answer:
        if not area or not area.strip():
            return self._areas_overview(what)
        areas = self.match_areas(area)
        if not areas:
            return Answer(
                f"Jag hittar inget område som heter ”{area}”. " + self._areas_overview(what).text,
                False,
                intent,
            )
        q = self.searcher.parse(area, ignore=TOPIC_NOISE)
        return self._area_answer(areas, q, Understanding(area, fold(area), intent))

    def tasks(self, area: str | None) -> Answer:
        """For /uppgifter [område]."""
        return self._area_command(area, "task", "uppgifter")

    def support(self, area: str | None) -> Answer:
        """For /stod [område]: every support item of the area."""
        return self._area_command(area, "support_list", "stöd")

    def match_deadline(self, query: str) -> list[Deadline]:
        """Deadlines named by a user ("rsa", "uppföljning", "alla")."""
        f = fold(query).strip()
        if f in ("alla", "samtliga", "all"):
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


_SENTENCE = re.compile(r"[^.!?]+[.!?]*")
MAX_WRAPPED = 600  # longer texts are not a question with a greeting: no second reading


def _question_sentences(text: str) -> str | None:
    """The sentences that end in "?", when there are others beside them."""
    sentences = [m.group().strip() for m in _SENTENCE.finditer(text) if m.group().strip()]
    asked = [x for x in sentences if x.endswith("?")]
    return " ".join(asked) if asked and len(asked) < len(sentences) else None


def _topic(u: Understanding, answer: Answer) -> Topic | None:
    """What a follow-up to `answer` may lean on (nothing when it answered nothing)."""
    if not answer.answered or answer.kind in ("help", "opinion", "sources"):
        return None
    return Topic(u, answer.kind, answer.text, answer.deadline_ids, answer.areas)


def _fit(answer: Answer) -> Answer:
    """Keep answers phone-sized (text and sources together): cut at a line or sentence
    boundary and say there is more."""
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


def _allocation_table(a: Assistant, u: Understanding, today: date) -> Answer:
    extreme = "most" if "most" in u.flags else "least" if "least" in u.flags else None
    return money.table(a.knowledge, u.year, extreme)


def _population_rank(a: Assistant, u: Understanding, today: date) -> Answer:
    """"Vilken region är störst?": by inhabitants (worded as step one of a two-step
    question), then every region's money, which follows the inhabitants."""
    found = money.described_regions(
        a.knowledge, "least" if "least" in u.flags else "most", None, u.year
    )
    if isinstance(found, Answer):
        return found
    table = money.table(a.knowledge, u.year)
    return replace(table, text=f"{found[1]}\n\n{table.text}")


def _allocation(a: Assistant, u: Understanding, today: date) -> Answer:
    if u.municipality and not u.regions:
        return a._municipality(u)
    return a.allocation_for(u)


def _cost_share(a: Assistant, u: Understanding, today: date) -> Answer:
    if u.municipality and not u.regions:
        return a._municipality(u)
    return money.cost_split(a.knowledge, u.regions, max(u.amounts))



# Intents answered without searching the texts, by name (bot/engine/intents.py picks the name).
FIXED = {
    "empty": lambda a, u, t: Answer(
        "Skriv en fråga, till exempel ”När ska RSA rapporteras?”.", False, "help"
    ),
    "help": lambda a, u, t: Answer(HELP_TEXT, True, "help"),
    "thanks": lambda a, u, t: Answer("Varsågod! Fråga gärna igen.", True, "help"),
    "sources": lambda a, u, t: a.sources(),
    "opinion": lambda a, u, t: Answer(OPINION_TEXT, False, "opinion"),
    "features": lambda a, u, t: Answer(FEATURES_TEXT, True, "help"),
    "insatser_list": lambda a, u, t: (
        a.insats(u.insats, u.insats_point) if a.has_insats(u.insats) else a._insatser_answer()
    ),
    "cost_share": _cost_share,
    "what_if": lambda a, u, t: a._what_if(u),
    "allocation": _allocation,
    **{name: _allocation for name in ALLOCATION_FLAGS},
    "allocation_method": lambda a, u, t: money.total(a.knowledge, u.year),
    "allocation_table": _allocation_table,
    "population_rank": _population_rank,
    "population_total": lambda a, u, t: money.total(a.knowledge, u.year, population=True),
    "regions_list": lambda a, u, t: a._regions_answer(),
    "deadlines_past": lambda a, u, t: answer_past(a.knowledge, t),
}
