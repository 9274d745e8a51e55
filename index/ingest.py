"""Add, replace and remove source documents: extract, clean, store in knowledge/, re-index.

Added documents live in the knowledge folder under added/ (the cleaned Markdown
text and a YAML file with its metadata), so the knowledge base stays the single
source of truth and the index can always be rebuilt from it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

import knowledge
from knowledge.loader import ADDED
from knowledge.models import MONTHS_SV, Knowledge

from . import builder, extract
from .clean import split_sections, to_markdown, unlink

Progress = Callable[[str, int, int], None]

DATE_RE = re.compile(
    r"(?:senast\s+(?:den\s+)?)?\b(\d{1,2})\s+(" + "|".join(MONTHS_SV) + r")\s+(\d{4})\b"
    r"|senast\s+i\s+(" + "|".join(MONTHS_SV) + r")(?:\s+(\d{4}))?",
    re.IGNORECASE,
)
SENTENCE_RE = re.compile(r"[^.!?\n]*(?:[.!?]|$)")


class IngestError(ValueError):
    """The document cannot be added; the message says why, in Swedish."""


@dataclass
class Candidate:
    when: str  # as written: "31 mars 2025", "senast i juni"
    sentence: str


@dataclass
class AddResult:
    doc_id: str
    status: str  # added | replaced | unchanged
    sections: int
    candidates: list[Candidate] = field(default_factory=list)
    affected_deadlines: list[str] = field(default_factory=list)  # ids of deadlines it sources
    index_path: Path | None = None


# what an id may be: it names files under added/, so nothing that could leave that folder
ID_RE = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?")
MAX_SLUG = 60


def slug(title: str) -> str:
    """'Överenskommelse 2024 – MSB/SKR' -> 'overenskommelse-2024-msb-skr'. A title too long
    (or with no Latin letters) gets a short hash of the whole title, so that two titles that
    differ only at the end ("… 2023", "… 2024") never share an id."""
    ascii_ = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    s = re.sub(r"[^a-z0-9]+", "-", ascii_.casefold()).strip("-")
    if s and len(s) <= MAX_SLUG:
        return s
    digest = hashlib.sha256(title.strip().encode()).hexdigest()[:8]
    return f"{s[: MAX_SLUG - 9].rstrip('-') or 'dokument'}-{digest}"


def _target_id(current: Knowledge, title: str, doc_id: str | None) -> str:
    """The id to write: the one asked for, else that of an added document with the very
    same title (a new version of it), else one made from the title, unique."""
    if doc_id is not None:
        if not ID_RE.fullmatch(doc_id):
            raise IngestError(
                f"Ogiltigt id {doc_id!r}: använd a–z, 0–9 och bindestreck (högst 80 tecken)."
            )
        return doc_id
    same = [d.id for d in current.documents.values() if d.added and d.title == title]
    if same:
        return same[0]
    base = slug(title)
    candidate, n = base, 1
    while candidate in current.documents:  # another document's id: never taken over
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def candidate_dates(text: str) -> list[Candidate]:
    """Dates in the text with their sentences, for a maintainer to turn into deadlines."""
    found, seen = [], set()
    text = unlink(text)[0]  # sentences as the reader sees them, without link addresses
    sentences = (x for block in _blocks(text) for x in SENTENCE_RE.findall(block))
    for sentence in sentences:
        for m in DATE_RE.finditer(sentence):
            key = (m.group(0).casefold(), sentence.strip())
            if key in seen:
                continue
            seen.add(key)
            found.append(Candidate(m.group(0).strip(), sentence.strip().lstrip("#- ").strip()))
    return found


def _blocks(text: str) -> list[str]:
    """Paragraphs with their lines joined, and each heading on its own, so a sentence
    never runs on into a heading."""
    blocks = []
    for paragraph in re.split(r"\n\s*\n", text):
        lines: list[str] = []
        for line in paragraph.splitlines():
            if line.lstrip().startswith("#"):
                blocks += [" ".join(lines), line] if lines else [line]
                lines = []
            else:
                lines.append(line)
        blocks.append(" ".join(lines))
    return [" ".join(b.split()) for b in blocks if b.strip()]


def _markdown(path: Path, title: str, progress: Progress | None) -> tuple[str, str | None]:
    """The document as Markdown, and its web address when the document itself names one."""
    kind = extract.kind_of(path)
    if kind == "pdf":
        pdf = extract.pdf_text(path, (lambda i, n: progress("sida", i, n)) if progress else None)
        return to_markdown(pdf.text, title, pdf.labels), None
    if kind == "html":
        html = extract.read_text(path)
        return f"# {title}\n\n{extract.html_markdown(html)}\n", extract.html_address(html)
    if kind == "docx":
        return f"# {title}\n\n{extract.docx_markdown(path)}\n", None
    text = extract.read_text(path)
    if path.suffix.casefold() in (".md", ".markdown") and text.lstrip().startswith("#"):
        return (text if text.endswith("\n") else text + "\n"), None
    return to_markdown(text, title), None


def add(
    path: Path,
    title: str,
    publisher: str,
    date: dt.date | None = None,
    url: str | None = None,
    doc_id: str | None = None,
    root: Path | None = None,
    index_root: Path | None = None,
    progress: Progress | None = None,
    today: dt.date | None = None,
    replace: bool = False,
) -> AddResult:
    """Add a document and re-index what changed. A document already there (the same id,
    or an added one with the same title) is replaced only with `replace`."""
    root = root or knowledge.data_dir()
    if not path.is_file():
        raise IngestError(f"Filen {path} finns inte.")
    if not title.strip() or not publisher.strip():
        raise IngestError("Titel och utgivare måste anges.")
    try:
        markdown, address = _markdown(path, title.strip(), progress)
    except extract.ExtractError as exc:
        raise IngestError(str(exc)) from exc
    url = url or address
    sections = split_sections(markdown)
    if not any(s.text.strip() for s in sections):
        raise IngestError("Dokumentet innehåller ingen text att indexera.")
    current = knowledge.load(root)
    doc_id = _target_id(current, title.strip(), doc_id)
    existing = current.documents.get(doc_id)
    if existing and not existing.added:
        raise IngestError(f"'{doc_id}' är ett av grunddokumenten och kan inte ersättas här.")
    digest = hashlib.sha256(markdown.encode()).hexdigest()[:16]
    candidates = candidate_dates(markdown)
    affected = [d.id for d in current.deadlines if d.source.doc == doc_id]
    if existing and existing.sha256 == digest:
        return AddResult(
            doc_id, "unchanged", len(sections), candidates, [], builder.update(current, index_root)
        )
    if existing and not replace:
        raise IngestError(
            f"Det finns redan ett dokument '{doc_id}' ({existing.title}, tillagt "
            f"{existing.added}). Ange --replace för att ersätta det, eller --id för ett nytt id."
        )
    folder = root / ADDED
    if not (folder / f"{doc_id}.md").resolve().is_relative_to(folder.resolve()):
        raise IngestError(f"Ogiltigt id {doc_id!r}.")  # belt and braces: ID_RE already refuses
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{doc_id}.md").write_text(markdown, encoding="utf-8")
    meta = {
        "id": doc_id, "title": title.strip(), "publisher": publisher.strip(),
        "kind": f"tillagt dokument ({extract.kind_of(path)})", "file": f"{ADDED}/{doc_id}.md",
        "original": path.name, "sha256": digest, "added": (today or dt.date.today()),
    }  # fmt: skip
    if date:
        meta["date"] = date
    if url:
        meta["url"] = url
    tmp = folder / f".{doc_id}.yaml.tmp"
    tmp.write_text(yaml.safe_dump(meta, allow_unicode=True, sort_keys=False), encoding="utf-8")
    tmp.replace(folder / f"{doc_id}.yaml")  # metadata last: a crash leaves no half entry
    updated = knowledge.load(root)
    ix = builder.update(updated, index_root, progress)
    return AddResult(
        doc_id,
        "replaced" if existing else "added",
        len(sections),
        candidates,
        affected if existing else [],
        ix,
    )


def remove(doc_id: str, root: Path | None = None, index_root: Path | None = None) -> Path:
    root = root or knowledge.data_dir()
    if not ID_RE.fullmatch(doc_id):
        raise IngestError(f"Inget dokument med id '{doc_id}'. Se python -m index list.")
    current = knowledge.load(root)
    doc = current.documents.get(doc_id)
    if doc is None:
        raise IngestError(f"Inget dokument med id '{doc_id}'. Se python -m index list.")
    if not doc.added:
        raise IngestError(f"'{doc_id}' är ett av grunddokumenten och kan inte tas bort här.")
    users = [d.id for d in current.deadlines if d.source.doc == doc_id]
    users += [f.id for f in current.facts if f.source.doc == doc_id]
    if users:
        raise IngestError(f"'{doc_id}' är källa för {', '.join(users)}; ändra dem först.")
    (root / ADDED / f"{doc_id}.yaml").unlink()
    (root / ADDED / f"{doc_id}.md").unlink(missing_ok=True)
    return builder.update(knowledge.load(root), index_root)


def listing(k: Knowledge) -> list[str]:
    rows = []
    for d in k.documents.values():
        if not d.file:
            continue
        origin = f"tillagd {d.added}" if d.added else "grunddokument"
        rows.append(f"{d.id}\t{d.publisher}\t{d.date or '-'}\t{origin}\t{d.title}")
    return rows
