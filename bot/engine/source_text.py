"""The text behind a citation, so that a reader can check it: the cited section itself
(trimmed to one message) with the document's title, publisher, kind, date and number,
the section's pages in a PDF, its address where the document gives one, and the
section's own links (only the http(s) addresses written in the document).

A section is named by a short key (a hash of document id and section name), which fits
in a Telegram button's 64 bytes whatever the names' length.
"""

from __future__ import annotations

import hashlib
import threading

from index.clean import Section
from index.documents import document_sections
from knowledge.models import Knowledge

from .answer import Answer, Citation, Citer, dated, page_text

MAX_TEXT = 3000  # characters of section text and links: with the header it fits one message
MAX_LINKS = 8
MAX_LINK_CHARS = 800  # of MAX_TEXT, for the section's links
KEY_LENGTH = 12


def section_key(doc: str, section: str) -> str:
    return hashlib.sha1(f"{doc}\0{section}".encode()).hexdigest()[:KEY_LENGTH]


_last: tuple[Knowledge, dict] | None = None  # the running knowledge's section keys
_lock = threading.Lock()


def _sections(knowledge: Knowledge) -> dict[str, tuple[str, str, Section]]:
    """key -> (document id, section name as cited, section), over every text (read once
    per knowledge base: /omindexera brings a new one)."""
    global _last
    with _lock:
        if _last is None or _last[0] is not knowledge:
            _last = (knowledge, _read_sections(knowledge))
        return _last[1]


def _read_sections(knowledge: Knowledge) -> dict[str, tuple[str, str, Section]]:
    found: dict[str, tuple[str, str, Section]] = {}
    for doc_id in knowledge.texts:
        # named as the index cites them (a repeated heading with its parent)
        for name, s in document_sections(knowledge, doc_id).items():
            if s.text.strip():
                found.setdefault(section_key(doc_id, name), (doc_id, name, s))
    return found


def showable(knowledge: Knowledge, citations: tuple[Citation, ...]) -> list[tuple[str, str]]:
    """(key, section name) of the citations whose section text can be shown."""
    sections = _sections(knowledge)
    out: list[tuple[str, str]] = []
    for c in citations:
        if c.doc is not None:
            key = section_key(c.doc, c.section)
            if key in sections and key not in (k for k, _ in out):
                out.append((key, c.section))
    return out


def section_of(knowledge: Knowledge, key: str) -> tuple[str, str] | None:
    """(document id, section name as cited) of the section named by `key`, or None."""
    found = _sections(knowledge).get(key)
    return (found[0], found[1]) if found else None


def first_section_key(knowledge: Knowledge, citations: tuple[Citation, ...]) -> str | None:
    """The key of the first cited section that names one (what a vote on the answer is
    counted against)."""
    sections = _sections(knowledge)
    for c in citations:
        if c.doc is not None and section_key(c.doc, c.section) in sections:
            return section_key(c.doc, c.section)
    return None


def source_text(knowledge: Knowledge, key: str) -> Answer | None:
    """The section named by `key` with what identifies its document; None for a key no
    section has (an old button after the document changed, or forged data)."""
    found = _sections(knowledge).get(key)
    if found is None:
        return None
    doc_id, name, section = found
    doc = knowledge.documents[doc_id]
    facts = [doc.publisher, doc.kind]
    when = dated(doc)  # None when the document has no date
    if when:
        facts.append(when)
    if doc.number:
        facts.append(f"nr {doc.number}")
    where = f"Avsnitt: {name}"
    if page := section.page_span():
        where += f", {page_text(page)}"
    lines = [doc.title, " · ".join(facts), where]
    if doc.url:
        lines.append(f"Adress: {doc.url}")
    links = _links(section)
    text = _trim(section.text.strip(), MAX_TEXT - len(links))
    cite = Citer(knowledge)
    cite.cite_section(doc_id, name)
    return Answer("\n".join(lines) + "\n\n" + text + links, True, "source_text", cite.all())


def _links(section: Section) -> str:
    """The section's links under its text, each address once, as many as fit."""
    lines: list[str] = []
    seen: set[str] = set()
    for text, url in section.links:
        line = f"• {text}: {url}" if text != url else f"• {url}"
        full = len(lines) >= MAX_LINKS or sum(map(len, lines)) + len(line) > MAX_LINK_CHARS
        if url not in seen and not full:
            seen.add(url)
            lines.append(line)
    return "\n\nLänkar i avsnittet:\n" + "\n".join(lines) if lines else ""


def _trim(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit]
    cut = cut[: cut.rfind("\n") if "\n" in cut[limit // 2 :] else cut.rfind(" ")]
    return cut.rstrip() + " … (avsnittet fortsätter i dokumentet)"
