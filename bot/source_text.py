"""The text behind a citation, so that a reader can check it: the cited section itself
(trimmed to one message) with the document's title, publisher, kind, date and number,
and its address where the document gives one.

A section is named by a short key (a hash of document id and section name), which fits
in a Telegram button's 64 bytes whatever the names' length.
"""

from __future__ import annotations

import hashlib
import threading

from index.clean import split_sections
from index.documents import section_names
from knowledge.models import Knowledge

from .answer import Answer, Citation, Citer, dated

MAX_TEXT = 3000  # characters of section text: with the header it fits one message
KEY_LENGTH = 12


def section_key(doc: str, section: str) -> str:
    return hashlib.sha1(f"{doc}\0{section}".encode()).hexdigest()[:KEY_LENGTH]


_last: tuple[Knowledge, dict] | None = None  # the running knowledge's sections
_lock = threading.Lock()


def _sections(knowledge: Knowledge) -> dict[str, tuple[str, str, str]]:
    """key -> (document id, section name as cited, section text), over every text (read
    once per knowledge base: /omindexera brings a new one)."""
    global _last
    with _lock:
        if _last is None or _last[0] is not knowledge:
            _last = (knowledge, _read_sections(knowledge))
        return _last[1]


def _read_sections(knowledge: Knowledge) -> dict[str, tuple[str, str, str]]:
    found = {}
    for doc_id, text in knowledge.texts.items():
        # named as the index cites them (a repeated heading with its parent)
        for s, name in zip(split_sections(text), section_names(text), strict=True):
            if s.text.strip():
                found.setdefault(section_key(doc_id, name), (doc_id, name, s.text.strip()))
    return found


def showable(knowledge: Knowledge, citations: tuple[Citation, ...]) -> list[tuple[str, str]]:
    """(key, section name) of the citations whose section text can be shown."""
    sections = _sections(knowledge)
    out = []
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
    doc_id, section, text = found
    doc = knowledge.documents[doc_id]
    facts = [doc.publisher, doc.kind]
    if doc.date:
        facts.append(dated(doc))
    if doc.number:
        facts.append(f"nr {doc.number}")
    lines = [doc.title, " · ".join(facts), f"Avsnitt: {section}"]
    if doc.url:
        lines.append(f"Adress: {doc.url}")
    if len(text) > MAX_TEXT:
        cut = text[:MAX_TEXT]
        cut = cut[: cut.rfind("\n") if "\n" in cut[MAX_TEXT // 2 :] else cut.rfind(" ")]
        text = cut.rstrip() + " … (avsnittet fortsätter i dokumentet)"
    cite = Citer(knowledge)
    cite.cite_section(doc_id, section)
    return Answer("\n".join(lines) + "\n\n" + text, True, "source_text", cite.all())
