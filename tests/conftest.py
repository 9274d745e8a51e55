"""TEMPORARY (telegram branch): stands in for bot.assistant until it lands from main.

On merging main, main's conftest replaces this file; the telegram tests only use the
`kb` and `assistant` fixtures and TODAY, which main's conftest provides too.
"""

from __future__ import annotations

from datetime import date

import pytest

import knowledge
from bot.answer import Answer, Citer
from bot.deadlines import answer_deadlines, answer_upcoming

TODAY = date(2026, 11, 24)


class ShimAssistant:
    """The contract of bot.assistant.Assistant, answered crudely from the knowledge."""

    def __init__(self, kb: knowledge.Knowledge):
        self.knowledge = kb

    def match_deadline(self, query: str):
        q = query.casefold().strip()
        if q in ("alla", "samtliga", "all"):
            return list(self.knowledge.deadlines)
        return [
            d
            for d in self.knowledge.deadlines
            if q in (d.id, d.short.casefold()) or q in d.keywords
        ][:1]

    def ask(self, text: str, today: date) -> Answer:
        found = [d for w in text.casefold().split() for d in self.match_deadline(w.strip("?"))]
        if found:
            return answer_deadlines(self.knowledge, found[:1], today)
        return Answer("Det vet jag inte.", False, "out_of_scope")

    def upcoming(self, today: date) -> Answer:
        return answer_upcoming(self.knowledge, today)

    def _areas(self, area, what):
        if not area:
            return Answer(f"Områden med {what}: …", True, "task")
        hits = [a for a in self.knowledge.areas if area.casefold() in a.name.casefold()]
        if not hits:
            return Answer(f"Jag hittar inget område som heter ”{area}”.", False, "task")
        cite = Citer(self.knowledge)
        cite.cite(hits[0].source)
        lines = [hits[0].name, *hits[0].tasks, *(s.text for s in hits[0].support)]
        return Answer("\n".join(lines), True, "task", cite.all())

    def tasks(self, area):
        return self._areas(area, "uppgifter")

    def support(self, area):
        return self._areas(area, "stöd")

    def allocation(self, region, year=None):
        if not region:
            return Answer("Skriv en region eller ”alla”.", False, "allocation")
        return Answer(f"Tilldelning {region} {year}", True, "allocation")


@pytest.fixture(scope="session")
def kb() -> knowledge.Knowledge:
    return knowledge.load()


@pytest.fixture(scope="session")
def assistant(kb) -> ShimAssistant:
    return ShimAssistant(kb)
