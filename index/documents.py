"""What goes into the index: passages of the source texts and the YAML entries.

Passages follow the documents' own headings; long sections are cut into a few
paragraphs each, so a hit points at something a phone screen can show.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from knowledge.models import Knowledge

from .clean import Section, split_sections

MAX_PASSAGE_CHARS = 1200
# a colon ends a sentence only before a list: "Tfn: 010-…" and "31 okt årligen: Indikatorer"
# stay whole
# and a point's number is no sentence: "1. Regionstyrelsen beslutar …" stays whole
SENTENCE_END = re.compile(
    r"(?<=[.!?])(?<!^\d\.)(?<!\n\d\.)(?<!^\d\d\.)(?<!\n\d\d\.)\s+(?=[A-ZÅÄÖ0-9•\-])"
    r"|(?<=:)\s+(?=[•\-]\s)|\n+"
)
MAX_UNIT_CHARS = 600  # one embedded unit: a sentence or list item, cut where it runs on


@dataclass(frozen=True)
class IndexDoc:
    id: str
    kind: str  # passage deadline area support insats fact contact glossary grant
    ref: str  # the entry's id (or the passage's number)
    doc: str  # source document id
    section: str
    title: str
    body: str
    keywords: str = ""
    page: str = ""  # a PDF passage's pages: "3", "3–4"

    @property
    def units(self) -> list[str]:
        """What is embedded for semantic search: each sentence or list item, under its
        heading (a sentence alone often lacks what it is about)."""
        return [f"{self.title}: {s[:MAX_UNIT_CHARS]}" for s in sentences(self.body)] or [
            self.title
        ]

    @property
    def source_key(self) -> str:
        """The unit of incremental re-indexing: one source text, or all the YAML entries."""
        return f"doc:{self.doc}" if self.kind == "passage" else "entries"


def sentences(text: str) -> list[str]:
    """The sentences and list items of a text, as answers quote them."""
    out = []
    for part in SENTENCE_END.split(text):
        part = part.strip().lstrip("#").strip()
        if part:
            out.append(part)
    return out


def _chunks(text: str) -> Iterator[tuple[int, int, str]]:
    """Paragraph groups of at most MAX_PASSAGE_CHARS (a longer paragraph stands alone),
    each with where in text it starts and ends."""
    buf: list[str] = []
    size = start = end = pos = 0
    for raw in text.split("\n\n"):
        para, at = raw.strip(), pos + len(raw) - len(raw.lstrip())
        pos += len(raw) + 2
        if not para:
            continue
        if buf and size + len(para) > MAX_PASSAGE_CHARS:
            yield start, end, "\n\n".join(buf)
            buf, size = [], 0
        if not buf:
            start = at
        buf.append(para)
        size += len(para)
        end = at + len(para)
    if buf:
        yield start, end, "\n\n".join(buf)


def named_sections(text: str) -> list[tuple[str, Section]]:
    """The sections of a text with the names they are cited by, in order: a heading used
    twice in a document ("Rapportering") is named with its parent."""
    sections = split_sections(text)
    repeated = Counter(s.heading for s in sections)
    return [
        (" › ".join(s.path[-2:]) if repeated[s.heading] > 1 else s.heading, s) for s in sections
    ]


def section_names(text: str) -> list[str]:
    """How each section of a text is cited, in order."""
    return [name for name, _ in named_sections(text)]


_split: tuple[Knowledge, dict[str, dict[str, Section]]] | None = None  # the running knowledge's
_split_lock = threading.Lock()


def document_sections(knowledge: Knowledge, doc_id: str) -> dict[str, Section]:
    """A document's sections by cited name (the first of a name), split once per
    knowledge base and document: citations look up their pages here, and "Visa
    källtext" its text."""
    global _split
    with _split_lock:
        if _split is None or _split[0] is not knowledge:
            _split = (knowledge, {})
        cache = _split[1]
        if doc_id not in cache:
            found: dict[str, Section] = {}
            for name, sec in named_sections(knowledge.texts.get(doc_id, "")):
                found.setdefault(name, sec)
            cache[doc_id] = found
        return cache[doc_id]


def passages(knowledge: Knowledge) -> Iterator[IndexDoc]:
    for doc_id, text in knowledge.texts.items():
        for si, (name, sec) in enumerate(named_sections(text)):
            for ci, (start, end, chunk) in enumerate(_chunks(sec.text)):
                yield IndexDoc(
                    id=f"{doc_id}#{si}.{ci}",
                    kind="passage",
                    ref=f"{si}.{ci}",
                    doc=doc_id,
                    section=name,
                    title=sec.heading,
                    body=chunk,
                    page=sec.page_span(start, end) or "",
                )


def _entry(kind: str, ref: str, source, title: str, body: str, keywords) -> IndexDoc:
    return IndexDoc(
        id=f"{kind}:{ref}", kind=kind, ref=ref, doc=source.doc, section=source.section,
        title=title, body=body, keywords=" ".join(keywords),
    )  # fmt: skip


def entries(knowledge: Knowledge) -> Iterator[IndexDoc]:
    """The structured facts, each as one searchable document."""
    for d in knowledge.deadlines:
        body = " ".join(filter(None, [d.title, d.note, " ".join(d.recipients)]))
        yield _entry("deadline", d.id, d.source, d.title, body, (d.short, *d.keywords))
    for a in knowledge.areas:
        # tasks and support apart, so "what support is there for X" meets support texts only
        key = (a.name, a.domain, *a.keywords)
        yield _entry("area", a.id, a.source, a.name, " ".join(a.tasks), key)
        if a.support:
            body = " ".join(s.text for s in a.support)
            yield _entry("support", a.id, a.source, a.name, body, key)
    for i in knowledge.insatser:
        body = " ".join(text for _, text in i.points)
        yield _entry("insats", str(i.number), i.source, i.name, body, (i.name, *i.keywords))
    for f in knowledge.facts:
        yield _entry("fact", f.id, f.source, f.about[0], f.text, f.about)
    for c in knowledge.contacts:
        yield _entry("contact", c.id, c.source, c.name, c.about, (c.name, *c.keywords))
    for gr in knowledge.grants:
        body = (
            f"{gr.title}. Tilldelning och fördelning av medel till regionerna {gr.year}: "
            "totalt belopp, grundbelopp per region och resten efter befolkningsandel."
        )
        key = ("tilldelning fördelning fördelas grundbelopp befolkningsandel medel", str(gr.year))
        yield _entry("grant", gr.id, gr.method_source, gr.title, body, key)
    for g in knowledge.glossary:
        if g.meaning and g.source:
            yield _entry("glossary", g.term, g.source, g.term, g.meaning, (g.term, *g.expands))


def all_documents(knowledge: Knowledge) -> list[IndexDoc]:
    return [*entries(knowledge), *passages(knowledge)]


def by_source(knowledge: Knowledge) -> dict[str, list[IndexDoc]]:
    grouped: dict[str, list[IndexDoc]] = {}
    for d in all_documents(knowledge):
        grouped.setdefault(d.source_key, []).append(d)
    return grouped
