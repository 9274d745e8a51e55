"""Text out of PDF, HTML and plain text/Markdown files, ready for cleaning."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

Progress = Callable[[int, int], None]

HTML_SKIP = ("script", "style", "nav", "header", "footer", "aside", "form", "noscript")


class ExtractError(ValueError):
    """The file cannot be read as the kind it claims to be."""


def kind_of(path: Path) -> str:
    suffix = path.suffix.casefold()
    if suffix == ".pdf":
        return "pdf"
    if suffix in (".html", ".htm", ".xhtml"):
        return "html"
    if suffix in (".txt", ".md", ".markdown", ".text"):
        return "text"
    head = path.read_bytes()[:512].lstrip().lower()
    if head.startswith(b"%pdf"):
        return "pdf"
    if head.startswith((b"<!doctype html", b"<html")):
        return "html"
    return "text"


def pdf_text(path: Path, progress: Progress | None = None) -> str:
    """Page by page; the cleaner later removes running headers and page numbers."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(str(path))
        pages = []
        for i, page in enumerate(reader.pages, 1):
            pages.append(page.extract_text() or "")
            if progress:
                progress(i, len(reader.pages))
    except (PdfReadError, OSError, ValueError) as exc:
        raise ExtractError(f"PDF-filen kunde inte läsas: {exc}") from exc
    text = "\f".join(pages)  # form feeds keep the page breaks for the cleaner
    if not text.strip():
        raise ExtractError("PDF-filen innehåller ingen text (en skannad bild behöver OCR först).")
    return text


def html_markdown(html: str) -> str:
    """Headings become Markdown headings; paragraphs, list items and table rows stay apart."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(HTML_SKIP):
        tag.decompose()
    root = soup.find("main") or soup.find("article") or soup.body or soup
    blocks: list[str] = []
    for el in root.find_all(["h1", "h2", "h3", "h4", "p", "li", "tr", "dt", "dd", "pre"]):
        if el.find_parent(["li", "tr"]) and el.name not in ("li", "tr"):
            continue  # its text is part of the enclosing item or row
        text = " ".join(el.get_text(" ", strip=True).split())
        if not text:
            continue
        if el.name in ("h1", "h2", "h3", "h4"):
            level = min(int(el.name[1]), 2)
            blocks.append("#" * level + " " + text)
        elif el.name == "li":
            blocks.append("- " + text)
        elif el.name == "tr":
            cells = (c.get_text(" ", strip=True) for c in el.find_all(["td", "th"]))
            blocks.append(" | ".join(" ".join(c.split()) for c in cells if c))
        else:
            blocks.append(text)
    return "\n\n".join(blocks)


def html_title(html: str) -> str | None:
    m = re.search(r"<title[^>]*>(.*?)</title>", html, re.IGNORECASE | re.DOTALL)
    return " ".join(m.group(1).split()) if m else None


def read_text(path: Path) -> str:
    data = path.read_bytes()
    for encoding in ("utf-8", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ExtractError("Textfilen är varken UTF-8 eller Windows-1252.")
