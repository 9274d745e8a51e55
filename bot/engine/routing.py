"""Which answerer answers a question as understood: by its intent (from the examples in
knowledge/data/intents.yaml) and its slots. Computed answers (money, dates, lists)
need no search; everything else is answered from what retrieval finds in the texts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from knowledge.models import Deadline, Knowledge

from . import allocation_answers as money
from . import meta
from .allocation_answers import AllocationAnswers
from .answer import Answer
from .areas import Areas
from .deadlines import answer_deadlines, answer_past, asked_again, asked_period, days_between
from .deadlines import on_day as deadlines_on_day
from .entities import YEAR
from .multi_step import MultiStep
from .passages import Passages, terms_explained
from .ranking import Ranker
from .retrieval import Found, Retriever
from .understanding import ALLOCATION_FLAGS, REGION_INTENTS, Understanding

Fixed = Callable[[Understanding, date], Answer]
# the money intents a mean per region may be asked of
AVERAGED = REGION_INTENTS - {"cost_share", "what_if"} | {"allocation_method", "allocation_table"}
# the money intents a sum over all regions but some may be asked of
TOTALLED = AVERAGED | {"population_total"}


@dataclass(frozen=True)
class Route:
    name: str
    answer: Callable[[Understanding, Found | None, date], Answer]
    reads_texts: bool = False  # the answerer needs what retrieval finds


class Router:
    def __init__(
        self,
        knowledge: Knowledge,
        retriever: Retriever,
        ranker: Ranker,
        areas: Areas,
        passages: Passages,
        allocations: AllocationAnswers,
    ):
        self.knowledge = knowledge
        self.retriever = retriever
        self.areas = areas
        self.passages = passages
        self.allocations = allocations
        k, m = knowledge, allocations
        # intents answered without searching the texts (bot/engine/intents.py names them)
        self.fixed: dict[str, Fixed] = {
            "empty": lambda u, t: meta.empty(),
            "help": lambda u, t: meta.help_answer(),
            "thanks": lambda u, t: meta.thanks(),
            "sources": lambda u, t: meta.sources(k),
            "opinion": lambda u, t: meta.opinion(),
            "features": lambda u, t: meta.features(),
            "insatser_list": lambda u, t: (
                areas.insats(u.insats, u.insats_point)
                if areas.has_insats(u.insats)
                else areas.insatser_list()
            ),
            "cost_share": lambda u, t: m.cost_share(u),
            "what_if": lambda u, t: m.what_if(u),
            "allocation": lambda u, t: m.amount(u),
            **{name: (lambda u, t: m.amount(u)) for name in ALLOCATION_FLAGS},
            "allocation_method": lambda u, t: money.total(k, u.year, asks=frozenset(u.flags)),
            "allocation_table": lambda u, t: m.table(u),
            "population_rank": lambda u, t: m.population_rank(u),
            # the population, or what the money comes to per inhabitant
            "population_total": lambda u, t: money.total(
                k, u.year, population="per_capita" not in u.flags, asks=frozenset(u.flags)
            ),
            "regions_list": lambda u, t: m.regions_list(),
            "deadlines_past": lambda u, t: answer_past(k, t),
        }
        self.multi_step = MultiStep(
            knowledge, retriever, ranker, allocations.regions,
            from_texts=lambda u, t: passages.answer(u, retriever.find(u), t),
            second_step=lambda u, t: self.fixed[u.intent](u, t),
        )  # fmt: skip

    def route(self, u: Understanding) -> Route:
        if u.leaning is not None:
            return Route("last_answer", lambda u, _, t: self._last_answer(u, t))
        if "average" in u.flags and not u.regions and u.intent in AVERAGED:
            # "vad fick en region i genomsnitt?": the total over the regions, no one region
            method = self.fixed["allocation_method"]
            return Route("allocation_method", lambda u, _, t: method(u, t))
        if u.without and not u.regions and u.ranking and u.ranking[0][0] in TOTALLED:
            # "hur mycket får regionerna om man räknar bort Stockholm?": the likeliest
            # intent is about money, and the regions left out make it a sum of the rest
            return Route("total_without", lambda u, _, t: self.allocations.total_without(u))
        if u.described and (
            u.intent in REGION_INTENTS or u.intent in ("population_rank", "regions_list")
        ):
            return Route("multi_step", lambda u, _, t: self.multi_step.answer(u, t))
        fixed = self.fixed.get(u.intent)
        if fixed:
            return Route(u.intent, lambda u, _, t: fixed(u, t))
        if u.between and u.intent not in REGION_INTENTS:
            # "hur många dagar är det mellan X och Y?": X's date to Y's, when both are deadlines
            return Route("days_between", self._days_between, reads_texts=True)
        if u.on_day:  # "vad ska vara inne den 15 februari?": the deadlines of that day
            on = deadlines_on_day(self.knowledge, *u.on_day)
            if on:
                return Route("on_day", lambda u, _, t: answer_deadlines(
                    self.knowledge, on, t, u.on_day[2] if u.on_day else None))  # fmt: skip
        if u.intent == "deadlines_upcoming":
            return Route("period", lambda u, _, t: asked_period(self.knowledge, u, t))
        if u.intent == "deadline" and (u.start or u.until):
            return Route("period", self._deadline_in_period, reads_texts=True)
        if self.areas.has_insats(u.insats):
            number = u.insats
            return Route("insats", lambda u, _, t: self.areas.insats(number, u.insats_point))
        return Route("texts", self._from_texts, reads_texts=True)

    def _deadline_in_period(self, u: Understanding, found: Found | None, today: date) -> Answer:
        """"Vad ska den årliga uppföljningen i februari omfatta?" names its deadline: its
        card answers; "vilken rapport ska in i februari?" names none: the period's list."""
        if found is not None and not found.miss and found.hits[0].kind == "deadline":
            return self.passages.answer(u, found, today)
        return asked_period(self.knowledge, u, today)

    def _days_between(self, u: Understanding, found: Found | None, today: date) -> Answer:
        assert u.between is not None
        named: list[tuple[Deadline, int | None]] = []
        for part in u.between:
            hit = self.retriever.deadline(part, u.language == "en")
            deadline = self.knowledge.deadline(hit.ref) if hit else None
            years = [int(y) for y in YEAR.findall(part)]
            if deadline is None or any(deadline is d for d, _ in named):
                return self._from_texts(u, found, today)
            named.append((deadline, years[0] if years else None))
        return days_between(self.knowledge, named, today) or self._from_texts(u, found, today)

    def _from_texts(self, u: Understanding, found: Found | None, today: date) -> Answer:
        assert found is not None
        return self.passages.answer(u, found, today)

    def _last_answer(self, u: Understanding, today: date) -> Answer:
        leaning = u.leaning
        assert leaning is not None
        if leaning.explain is not None:
            explained = terms_explained(self.knowledge, leaning.explain)
            assert explained is not None  # follow_up.resolve checked there are terms
            return explained
        if leaning.areas:
            by_id = {a.id: a for a in self.knowledge.areas}
            shown = [by_id[i] for i in leaning.areas if i in by_id]
            return self.areas.every_item(shown, u)
        return asked_again(self.knowledge, u, today)
