"""The answer every front end renders: plain text, whether it answers, and its sources."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from index.documents import document_sections
from knowledge.models import Document, Knowledge, SourceRef

from .dates import sv_date

if TYPE_CHECKING:
    from .conversation import Topic

# Said when answering failed (the error is logged; the question never is).
FAILED = (
    "Något gick fel när jag skulle svara. Försök igen om en stund, "
    "eller skriv ”hjälp” för att se vad jag kan."
)


# What an answer is (Answer.kind): front ends and feedback read it ("out_of_scope" is
# the bot not knowing; a vote is stored with it).
AnswerKind = Literal[
    "allocation", "contact", "deadline", "definition", "fact", "help", "opinion",
    "out_of_scope", "source_text", "sources", "support", "support_list", "task",  # the engine's
    "admin", "calendar", "change-notice", "error", "privacy", "reminder", "unavailable",
    "watch",  # the commands', the reminders' and the front ends'
]  # fmt: skip


@dataclass(frozen=True)
class Citation:
    title: str
    section: str
    url: str | None = None
    doc: str | None = None  # the document's id, to show the section's text
    dated: str | None = None  # "senast granskad 20 december 2021": how current it is
    page: str | None = None  # the section's pages in a PDF: "3", "3–4"

    def as_dict(self) -> dict:
        out = {"title": self.title, "section": self.section, "url": self.url}
        if self.page:
            out["page"] = self.page
        return out

    def where(self, language: str = "sv") -> str:
        """Document, section and page: "Plan 2027, 2.3 Ansvar, s. 4"."""
        parts = [self.title, self.section]
        if self.page:
            parts.append(page_text(self.page, language))
        return ", ".join(p for p in parts if p)


def page_text(page: str, language: str = "sv") -> str:
    return f"{'p.' if language == 'en' else 's.'} {page}"


@dataclass(frozen=True)
class Answer:
    """text is plain text exactly as the user reads it (front ends escape it)."""

    text: str
    answered: bool
    kind: AnswerKind
    sources: tuple[Citation, ...] = ()
    deadline_ids: tuple[str, ...] = ()  # deadlines the answer is about: offer "Bevaka"
    chart: bool = False  # the all-regions allocation table, which can be sent as a chart
    language: str = "sv"  # "en" when asked in English
    areas: tuple[str, ...] = ()  # the task/support areas shown (for "vilket stöd finns?")
    # paragraphs of a computed answer's text quoted word for word from a document: in an
    # English answer they stay Swedish under the lead-in, dates and all
    quotes: tuple[str, ...] = ()
    # what the front end offers beside the text, in its own words: "watch" (reminders of
    # deadlines), "calendar" (the deadlines as an .ics file)
    offers: tuple[str, ...] = ()
    # what the answer was about, for a follow-up in the same chat (Assistant.ask sets it)
    topic: Topic | None = field(default=None, compare=False, repr=False)

    @property
    def source_label(self) -> str:
        return "Source" if self.language == "en" else "Källa"

    def full_text(self) -> str:
        """The text with its sources, as the user sees it."""
        if not self.sources:
            return self.text
        lines = [self.text, ""]
        for c in self.sources:
            where = c.where(self.language)
            if c.dated:
                where += f" ({c.dated})"
            lines.append(f"{self.source_label}: {where}" + (f" ({c.url})" if c.url else ""))
        return "\n".join(lines)

    def as_json(self, question: str) -> dict:
        return {
            "question": question,
            "answer": self.full_text(),
            "answered": self.answered,
            "kind": self.kind,
            "sources": [c.as_dict() for c in self.sources],
        }


def dated(doc: Document) -> str | None:
    """How current a document is: "senast granskad 20 december 2021", "27 januari 2023"."""
    if doc.date is None:
        return None
    return f"{doc.date_note} {sv_date(doc.date)}" if doc.date_note else sv_date(doc.date)


@dataclass
class Citer:
    """Turns source references into citations, once each, in order."""

    knowledge: Knowledge
    refs: list[Citation] = field(default_factory=list)

    def cite(self, ref: SourceRef | None, url: str | None = None, page: str | None = None) -> None:
        """`page`: the quoted passage's own pages, where they are known (else the section's)."""
        if ref is None:
            return
        doc = self.knowledge.documents[ref.doc]
        section = document_sections(self.knowledge, ref.doc).get(ref.section)
        page = page or (section.page_span() if section else None)  # a PDF's sections have pages
        c = Citation(doc.title, ref.section, url or doc.url, doc.id, dated(doc), page)
        if c not in self.refs:
            self.refs.append(c)

    def cite_section(self, doc: str, section: str) -> None:
        self.cite(SourceRef(doc, section))

    def all(self) -> tuple[Citation, ...]:
        return tuple(self.refs)


def where_to_turn(knowledge: Knowledge, contact_id: str) -> tuple[str, str, list[str]] | None:
    """Whom to ask when the documents do not answer: name, phone and e-mail, and notes on
    the name (MSB's new name), from contacts.yaml."""
    c = next((c for c in knowledge.contacts if c.id == contact_id), None)
    if c is None:
        return None
    return c.name, ", ".join(x for x in (c.phone, c.email) if x), knowledge.name_notes(c.name)
