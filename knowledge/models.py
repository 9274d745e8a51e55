"""Typed facts of the knowledge base. Every fact carries its source reference."""

from __future__ import annotations

import calendar
import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Literal, Protocol, get_args

MONTHS_SV = [
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
]
# Monday first, as date.weekday() counts (bot.dates.sv_weekday_date)
WEEKDAYS_SV = ["måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag"]


@dataclass(frozen=True)
class Document:
    id: str
    title: str
    publisher: str
    kind: str
    file: str | None = None
    date: datetime.date | None = None  # (this field hides the type `date` in the class)
    called: tuple[str, ...] = ()  # what else the text calls itself ("handboken")
    # whom the text is written for ("regioner", "kommuner"): a question from a municipality
    # is answered from a text for municipalities where one answers it
    audience: str | None = None
    date_note: str | None = None
    number: str | None = None
    url: str | None = None
    added: datetime.date | None = None  # set for documents added with `python -m index add`
    original: str | None = None  # the added file's name
    sha256: str | None = None  # of the added document's cleaned text


@dataclass(frozen=True)
class SourceRef:
    doc: str
    section: str


class Rule(Protocol):
    """When a deadline falls: one type per kind of recurrence (YearlyRule, EveryNYearsRule,
    OnceRule), built by knowledge/loader.py from a deadline's `rule:` (its `type:` names
    the kind)."""

    def date_in(self, year: int) -> date | None:
        """The deadline's date in `year`, or None when it does not fall that year."""
        ...

    def next_on_or_after(self, today: date) -> date | None:
        """The first occurrence on or after `today`; None for a past one-off."""
        ...

    def last_before(self, today: date) -> date | None:
        """The last occurrence before `today`; None for a future one-off."""
        ...

    def occurrences(self, start: date, end: date) -> list[date]:
        """All occurrences in [start, end]."""
        ...

    def falls_on(self, month: int, day: int) -> bool:
        """Whether the deadline falls on this day of the year (in some year)."""
        ...

    def describe(self) -> str:
        """The rule in Swedish, e.g. '31 oktober vart fjärde år'."""
        ...


def _occurrences(date_in: Callable[[int], date | None], start: date, end: date) -> list[date]:
    found = []
    for year in range(start.year, end.year + 1):
        when = date_in(year)
        if when and start <= when <= end:
            found.append(when)
    return found


@dataclass(frozen=True, kw_only=True)
class OnceRule:
    """A one-off deadline (type: once)."""

    on: date

    def date_in(self, year: int) -> date | None:
        return self.on if self.on.year == year else None

    def next_on_or_after(self, today: date) -> date | None:
        return self.on if self.on >= today else None

    def last_before(self, today: date) -> date | None:
        return self.on if self.on < today else None

    def occurrences(self, start: date, end: date) -> list[date]:
        return _occurrences(self.date_in, start, end)

    def falls_on(self, month: int, day: int) -> bool:
        return (self.on.month, self.on.day) == (month, day)

    def describe(self) -> str:
        return f"en gång, senast {self.on.day} {MONTHS_SV[self.on.month - 1]} {self.on.year}"


@dataclass(frozen=True, kw_only=True)
class RecurringRule:
    """A deadline on a day of the year (`day` None: the month's last day) that comes back
    every `period()` years: YearlyRule or EveryNYearsRule. Never past, so its next and last
    dates are never None."""

    month: int
    day: int | None = None

    def period(self) -> int:
        return 1

    def falls_in(self, year: int) -> bool:
        return True

    def date_in(self, year: int) -> date | None:
        if not self.falls_in(year):
            return None
        day = self.day or calendar.monthrange(year, self.month)[1]
        return date(year, self.month, day)

    def next_on_or_after(self, today: date) -> date:
        for year in range(today.year, today.year + self.period() + 1):
            when = self.date_in(year)
            if when and when >= today:
                return when
        raise AssertionError(f"{self} has no date in {self.period() + 1} years")

    def last_before(self, today: date) -> date:
        for year in range(today.year, today.year - self.period() - 1, -1):
            when = self.date_in(year)
            if when and when < today:
                return when
        raise AssertionError(f"{self} has no date in {self.period() + 1} years")

    def occurrences(self, start: date, end: date) -> list[date]:
        return _occurrences(self.date_in, start, end)

    def falls_on(self, month: int, day: int) -> bool:
        last_day = calendar.monthrange(2001, month)[1]  # a month-end rule ("i juni")
        return self.month == month and (self.day or last_day) == day

    def when(self) -> str:
        return (
            f"{self.day} {MONTHS_SV[self.month - 1]}"
            if self.day
            else f"senast i {MONTHS_SV[self.month - 1]}"
        )


@dataclass(frozen=True, kw_only=True)
class YearlyRule(RecurringRule):
    """Every year on a day (type: yearly)."""

    def describe(self) -> str:
        return f"{self.when()} varje år"


_EVERY = {2: "vartannat", 3: "vart tredje", 4: "vart fjärde", 5: "vart femte"}


@dataclass(frozen=True, kw_only=True)
class EveryNYearsRule(RecurringRule):
    """Every n-th year (n ≥ 2) on a day, counted from anchor_year (type: every_n_years)."""

    n: int
    anchor_year: int

    def period(self) -> int:
        return self.n

    def falls_in(self, year: int) -> bool:
        return not (year - self.anchor_year) % self.n

    def describe(self) -> str:
        return f"{self.when()} {_EVERY.get(self.n, f'vart {self.n}:e')} år"


@dataclass(frozen=True)
class Deadline:
    id: str
    title: str
    short: str
    rule: Rule
    source: SourceRef
    who: str | None = None
    recipients: tuple[str, ...] = ()
    note: str | None = None
    keywords: tuple[str, ...] = ()


# An area's support item: support given, being developed, or existing
SupportStatus = Literal["stöd", "under_utveckling", "befintligt"]
SUPPORT_STATUSES: tuple[SupportStatus, ...] = get_args(SupportStatus)


@dataclass(frozen=True)
class SupportItem:
    text: str
    status: SupportStatus


@dataclass(frozen=True)
class Area:
    id: str
    domain: str
    name: str
    tasks: tuple[str, ...]
    support: tuple[SupportItem, ...]
    source: SourceRef
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True)
class Insats:
    number: int
    name: str
    points: tuple[tuple[str, str], ...]  # (letter, text)
    source: SourceRef
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True)
class Region:
    id: str
    name: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class PublishedRow:
    population_part: int
    total: int


@dataclass(frozen=True)
class Grant:
    """A grant split as base amount per region plus the rest by population share."""

    id: str
    title: str
    year: int
    total: int
    base_amount: int
    population_date: date
    populations: dict[str, int]
    source: SourceRef
    method_source: SourceRef
    rounding: str = "nearest"
    scope_fact: str | None = None
    later_years: str | None = None
    later_years_source: SourceRef | None = None
    published: dict[str, PublishedRow] = field(default_factory=dict)
    published_totals: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Contact:
    id: str
    name: str
    about: str
    source: SourceRef
    phone: str | None = None
    email: str | None = None
    address: str | None = None
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True)
class GlossaryEntry:
    term: str
    expands: tuple[str, ...] = ()
    meaning: str | None = None
    source: SourceRef | None = None
    note: str | None = None
    note_source: SourceRef | None = None


@dataclass(frozen=True)
class Fact:
    id: str
    about: tuple[str, ...]
    text: str
    source: SourceRef
    url: str | None = None


@dataclass(frozen=True)
class Knowledge:
    documents: dict[str, Document]
    deadlines: tuple[Deadline, ...]
    areas: tuple[Area, ...]
    insatser: tuple[Insats, ...]
    regions: tuple[Region, ...]
    grants: tuple[Grant, ...]
    contacts: tuple[Contact, ...]
    glossary: tuple[GlossaryEntry, ...]
    facts: tuple[Fact, ...]
    texts: dict[str, str]  # document id -> cleaned Markdown text
    fingerprint: str  # hash of every knowledge file: the index is rebuilt when it changes

    def document(self, ref: SourceRef) -> Document:
        return self.documents[ref.doc]

    def region(self, region_id: str) -> Region:
        return next(r for r in self.regions if r.id == region_id)

    def deadline(self, deadline_id: str) -> Deadline | None:
        return next((d for d in self.deadlines if d.id == deadline_id), None)

    def grant_for_year(self, year: int) -> Grant | None:
        return next((g for g in self.grants if g.year == year), None)

    def fact(self, fact_id: str) -> Fact:
        return next(f for f in self.facts if f.id == fact_id)

    def name_notes(self, text: str) -> list[str]:
        """Notes on names mentioned in `text` (e.g. MSB's new name since 2026), from the
        glossary, so the fact is stated in one place."""
        folded = text.casefold()
        words = set(re.findall(r"\w+", folded))  # "msb" also in "leh@msb.se"
        return [
            g.note
            for g in self.glossary
            if g.note
            and (g.term.casefold() in words or any(e.casefold() in folded for e in g.expands))
        ]

    def glossary_term(self, term: str) -> GlossaryEntry | None:
        t = term.casefold()
        return next((g for g in self.glossary if g.term.casefold() == t), None)
