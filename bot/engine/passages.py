"""Answers from what retrieval found: the curated card a hit is (a deadline, an area,
an insats, a fact, a contact, a glossary term) or the sentences of a passage that
answer the question, with the section cited. Before answering, the evidence is checked:
a count needs a number, a contact a phone number or address, a person a name that the
cited text gives; otherwise the honest "I don't know"."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from datetime import date

from index.analysis import fold
from index.search import Hit, Query, Searcher
from knowledge.models import Knowledge, SourceRef

from . import allocation_answers as money
from .answer import Answer, Citer
from .areas import Areas
from .contacts import CONTACT_DATA, contact_answer
from .deadlines import answer_deadlines, answer_upcoming, for_municipality
from .entities import DATE_YEAR, LEX
from .ranking import Ranker
from .retrieval import Found
from .snippets import CASE_NUMBER, DATED, DURATION, best_sentences, list_items
from .text_sums import share_of_amount, time_since
from .translation import names_in
from .understanding import YEAR, Understanding

Lacks = Callable[[Answer, Understanding, Query, date], bool]
ACCOUNT = re.compile(r"\d{3,}[- ]?\d{2,}")  # a bankgiro, an organisation number
LIST_CONTINUED = 1000  # characters of a list continued from the passage before
MAX_TERMS = 3  # "vad betyder det?": at most this many terms of the last answer explained
NO_TOPIC = (
    "Vad vill du veta mer om? Nämn ett ämne, till exempel RSA, säkerhetsskydd, "
    "NSPL eller en region. Skriv ”hjälp” för exempel."
)


class Passages:
    def __init__(
        self,
        knowledge: Knowledge,
        searcher: Searcher,
        ranker: Ranker,
        areas: Areas,
        person_names: re.Pattern,
        unknown: str,
    ):
        self.knowledge = knowledge
        self.searcher = searcher
        self.ranker = ranker
        self.areas = areas
        self.person_names = person_names
        self.unknown = unknown

    def answer(self, u: Understanding, found: Found, today: date) -> Answer:
        if found.miss == "no_topic":
            return self.without_topic(u, today)
        if found.miss == "whole_domain":
            return self.areas.domain(u)
        if found.miss == "none_in_scope" and u.intent == "deadline" and not found.query.unknown:
            return answer_upcoming(self.knowledge, today)
        if found.miss:
            return Answer(self.unknown, False, "out_of_scope")
        return self._checked_evidence(found.hits, found.query, u, today)

    def _checked_evidence(self, hits: list[Hit], q: Query, u: Understanding, today: date) -> Answer:
        """The answer, unless the question asks for something the cited text does not
        give (the rules of `_lacking`): then the honest "I don't know"."""
        answer = self._checked(hits, q, u, today)
        if u.municipality and not u.regions and answer.kind == "deadline":
            # "när ska Kiruna kommun lämna in sin RSA?": the regions' date is not Kiruna's
            return for_municipality(u.municipality)
        if any(lacks(answer, u, q, today) for lacks in self._lacking()):
            return Answer(self.unknown, False, "out_of_scope")
        return answer

    def _lacking(self) -> tuple[Lacks, ...]:
        """Each rule: the question asks for a kind of thing that the answer lacks."""
        return (
            self._lacks_reach, _lacks_case_number, _lacks_account, _of_another_year,
            _lacks_quantity, self._lacks_person,
        )  # fmt: skip

    def _lacks_reach(self, answer: Answer, u: Understanding, q: Query, today: date) -> bool:
        # form labels, an agency's role: "vad har länsstyrelsen för telefonnummer?" is
        # answered by a number or not at all, whatever the intent read
        asks_reach = u.intent == "contact" or LEX["reach"].search(u.folded)
        return bool(asks_reach) and answer.answered and not CONTACT_DATA.search(answer.text)

    def _lacks_person(self, answer: Answer, u: Understanding, q: Query, today: date) -> bool:
        # "vem är regiondirektör i Region Uppsala?" asks for a person there, and is not
        # answered by the word (though "vem är civilområdeschef?" is, by the role's
        # holder), nor by a person the text ties to another body (SKR's signatory)
        return (
            u.intent != "contact"
            and answer.kind in ("fact", "definition", "task", "support")
            and self._asks_for_someone_named(u, q)
            and (
                not self.person_names.search(answer.text)
                or bool(u.regions and not any(r.name in answer.text for r in u.regions))
            )
        )

    def _asks_for_someone_named(self, u: Understanding, q: Query) -> bool:
        """A question for a person (entities.py: "vem är" only with a role) at something
        it names (a region, an agency, "civilområde Nord")."""
        if "person" not in u.flags:
            return False
        named = u.regions or u.municipality or self.ranker.names & set(q.stems)
        return bool(named or (LEX["roles"].search(u.folded) and names_in(u.text)))

    def _checked(self, hits: list[Hit], q: Query, u: Understanding, today: date) -> Answer:
        top = hits[0]
        if (
            "count" in u.flags
            and top.kind in ("passage", "fact")
            and not (re.search(r"\d", top.body) or LEX["a_number"].search(fold(top.body)))
        ):
            return Answer(self.unknown, False, "out_of_scope")
        return self._render(hits, q, u, today)

    def without_topic(self, u: Understanding, today: date) -> Answer:
        """A question that names no topic ("vilka uppgifter finns?")."""
        if u.intent == "deadline":
            return answer_upcoming(self.knowledge, today)
        if u.intent == "task":
            return self.areas.overview("uppgifter")
        if u.intent == "support" and u.status:
            return self.areas.by_status(u.status)
        if u.intent == "support":
            return self.areas.overview("stöd")
        if u.intent == "contact":
            return contact_answer(self.knowledge, self.knowledge.contacts[0].id)
        return Answer(NO_TOPIC, False, "help")

    def _render(self, hits: list[Hit], q: Query, u: Understanding, today: date) -> Answer:
        top = hits[0]
        if u.intent == "deadline" and top.kind == "passage":
            # a deadline card made from the passage found first stands for it when a date
            # is asked: the card computes the next one, the passage only lists the rule
            card = next((h for h in hits[1:3] if h.kind == "deadline"
                         and (h.doc, h.section) == (top.doc, top.section)), None)  # fmt: skip
            if card is not None:
                hits = [card, *(h for h in hits if h is not card)]
                top = card
        k = self.knowledge
        if top.kind == "deadline":
            refs = [top.ref]
            # a second deadline that matches as well ("redovisning" -> two of them)
            for h in hits[1:3]:
                if h.kind == "deadline" and h.score >= 0.85 * top.score:
                    refs.append(h.ref)
            chosen = [d for d in map(k.deadline, refs) if d is not None]  # (all are known)
            return answer_deadlines(k, chosen, today, u.year, "previous" in u.flags, u.after,
                                    u.times, u.until)  # fmt: skip
        if top.kind in ("area", "support"):
            areas = self.areas.for_hits(hits, u)
            return self.areas.answer(areas, q, u)
        if top.kind == "insats":
            return self.areas.insats_hit(top, hits, q, u)
        if top.kind == "grant":
            return money.total(k, u.year if u.year else None)
        if top.kind == "fact":
            f = k.fact(top.ref)
            cite = Citer(k)
            cite.cite(f.source, f.url)
            return _with_sum(Answer(f.text, True, "fact", cite.all()), u, today)
        if top.kind == "contact":
            # a phone number or address is given only for what the question names: "till
            # Kammarkollegiet" is not answered with another office's number
            if not top.matched & self.ranker.telling(q):
                return Answer(self.unknown, False, "out_of_scope")
            return contact_answer(self.knowledge, top.ref)
        if top.kind == "glossary":
            g = k.glossary_term(top.ref)
            assert g is not None  # the index's glossary hits are the glossary's terms
            cite = Citer(k)
            cite.cite(g.source)
            text = f"{g.term}: {g.meaning}."
            if g.note:
                text += f" {g.note}"
                cite.cite(g.note_source)
            return Answer(text, True, "definition", cite.all())
        return self._passage(hits, q, u, today)

    def _passage(self, hits: list[Hit], q: Query, u: Understanding, today: date) -> Answer:
        top = hits[0]
        text = best_sentences(
            top.body, self.ranker.telling(q), self.searcher.analyzer, sims=top.sentence_sims,
            figures=bool(u.flags & {"quantity", "count"}), dates="when" in u.flags,
            conditions="consequence" in u.flags, durations="duration" in u.flags,
            avoid=frozenset(self.searcher.analyzer.terms(" ".join(u.excluded))),
            names=self.person_names if "person" in u.flags else None,
        )  # fmt: skip
        if text.endswith(":") and top.body.rstrip().endswith(":"):
            # "SKR ska:" ends the passage; its list is the next part of the same section
            items = list_items(self.searcher.next_part(top.id) or "", LIST_CONTINUED)
            if items:
                text = "\n".join([text, *items])
        if u.intent == "contact":  # whom to call: say when the organisation has a new name
            text = "\n".join([text, *self.knowledge.name_notes(f"{top.section} {text}")])
        cite = Citer(self.knowledge)
        cite.cite(SourceRef(top.doc, top.section), page=top.page or None)
        return _with_sum(Answer(text, True, "fact", cite.all()), u, today)


def _lacks_case_number(answer: Answer, u: Understanding, q: Query, today: date) -> bool:
    # "diarienummer för Regeringskansliets beslut": a case number or nothing
    return bool(LEX["case_number"].search(u.folded)) and not CASE_NUMBER.search(answer.text)


def _lacks_account(answer: Answer, u: Understanding, q: Query, today: date) -> bool:
    # "bankgironummer till Kammarkollegiet": the repayment's deadline is no number
    return bool(LEX["account_number"].search(u.folded)) and not ACCOUNT.search(answer.text)


def _of_another_year(answer: Answer, u: Understanding, q: Query, today: date) -> bool:
    # "hur mycket får SKR för 2024?" is not answered by the sums for 2023 (a date's year,
    # "senast den 31 mars 2024", says when, not which year's money)
    if "quantity" not in u.flags or u.year is None or answer.kind != "fact":
        return False
    years = set(YEAR.findall(DATE_YEAR.sub(" ", fold(answer.text))))
    return bool(years) and str(u.year) not in years


def _lacks_quantity(answer: Answer, u: Understanding, q: Query, today: date) -> bool:
    # "hur mycket kostar NSPL-kansliet oss?" is not answered by how it is financed
    return (
        "quantity" in u.flags
        and answer.kind == "fact"
        and not re.search(r"\d", YEAR.sub("", DATED.sub("", answer.text.casefold())))
        and not LEX["a_number"].search(fold(answer.text))
        and not DURATION.search(answer.text.casefold())  # "minst en månad"
    )


def _with_sum(answer: Answer, u: Understanding, today: date) -> Answer:
    """A text stating a share of what the question names an amount of, or the date of
    what it asks how long ago: the sum first, then the text it is computed from, quoted
    (text_sums.py)."""
    if "since" in u.flags:
        computed = time_since(answer.text, today)
    elif "quantity" in u.flags:
        computed = share_of_amount(answer.text, u.amounts)
    else:
        computed = None
    if computed is None:
        return answer
    return replace(answer, text=f"{computed}\n\n{answer.text}", kind="allocation",
                   quotes=(answer.text,))  # fmt: skip


def terms_explained(knowledge: Knowledge, text: str) -> Answer | None:
    """ "Vad betyder det?" after `text`: the glossary's terms that it uses, first met
    first (not the one it defined already)."""
    text = fold(text)
    found = []
    for g in knowledge.glossary:
        if not g.meaning:
            continue
        m = re.search(rf"(?<![\w-]){re.escape(fold(g.term))}(?![\w-])", text)
        if m and not text.startswith(fold(g.term) + ":"):
            found.append((m.start(), g))
    if not found:
        return None
    found.sort(key=lambda x: x[0])
    cite = Citer(knowledge)
    lines = []
    for _, g in found[:MAX_TERMS]:
        line = f"{g.term}: {g.meaning}."
        if g.note:
            line += f" {g.note}"
            cite.cite(g.note_source)
        cite.cite(g.source)
        lines.append(line)
    return Answer("\n".join(lines), True, "definition", cite.all())
