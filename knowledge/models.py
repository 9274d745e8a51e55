"""Typed facts of the knowledge base. Every fact carries its source reference."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date

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
    date: date | None = None
    date_note: str | None = None
    number: str | None = None
    url: str | None = None
    added: date | None = None  # set for documents added with `python -m index add`
    original: str | None = None  # the added file's name
    sha256: str | None = None  # of the added document's cleaned text


@dataclass(frozen=True)
class SourceRef:
    doc: str
    section: str


@dataclass(frozen=True)
class Rule:
    """When a deadline falls. kind: yearly | every_n_years | once."""

    kind: str
    month: int | None = None
    day: int | None = None
    n: int = 1
    anchor_year: int | None = None
    on: date | None = None

    def date_in(self, year: int) -> date | None:
        """The deadline's date in `year`, or None when it does not fall that year."""
        if self.kind == "once":
            return self.on if self.on and self.on.year == year else None
        if self.kind == "every_n_years" and (year - self.anchor_year) % self.n:
            return None
        day = self.day or calendar.monthrange(year, self.month)[1]
        return date(year, self.month, day)

    def next_on_or_after(self, today: date) -> date | None:
        """The first occurrence on or after `today`; None for a past one-off."""
        if self.kind == "once":
            return self.on if self.on >= today else None
        for year in range(today.year, today.year + self.n + 1):
            when = self.date_in(year)
            if when and when >= today:
                return when
        return None  # unreachable for valid rules

    def last_before(self, today: date) -> date | None:
        if self.kind == "once":
            return self.on if self.on < today else None
        for year in range(today.year, today.year - self.n - 1, -1):
            when = self.date_in(year)
            if when and when < today:
                return when
        return None

    def occurrences(self, start: date, end: date) -> list[date]:
        """All occurrences in [start, end]."""
        found = []
        for year in range(start.year, end.year + 1):
            when = self.date_in(year)
            if when and start <= when <= end:
                found.append(when)
        return found

    def describe(self) -> str:
        """The rule in Swedish, e.g. '31 oktober vart fjärde år'."""
        if self.kind == "once":
            return f"en gång, senast {self.on.day} {MONTHS_SV[self.on.month - 1]} {self.on.year}"
        when = (
            f"{self.day} {MONTHS_SV[self.month - 1]}"
            if self.day
            else f"senast i {MONTHS_SV[self.month - 1]}"
        )
        if self.kind == "yearly":
            return f"{when} varje år"
        ordinal = {2: "vartannat", 3: "vart tredje", 4: "vart fjärde", 5: "vart femte"}
        every = ordinal.get(self.n, f"vart {self.n}:e")
        return f"{when} {every} år"


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


@dataclass(frozen=True)
class SupportItem:
    text: str
    status: str  # stöd | under_utveckling | befintligt


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
