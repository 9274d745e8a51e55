"""Text out of PDF, HTML and plain text/Markdown files, ready for cleaning."""

from __future__ import annotations

import codecs
import logging
import re
import time
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


# Limits for what one PDF may cost: a 2,000-page report passes, a decompression bomb or a
# file that extracts forever does not.
MAX_PDF_PAGES = 5000
MAX_PDF_CHARS = 20_000_000
MAX_PDF_SECONDS = 300.0


def pdf_text(path: Path, progress: Progress | None = None) -> str:
    """Page by page; the cleaner later removes running headers and page numbers. Any
    failure of the PDF library (encrypted, truncated, malformed, over a limit) is one
    clear ExtractError: a broken file never ends in a traceback."""
    from pypdf import PdfReader

    # pypdf warns of every repair it makes ("EOF marker not found"); what matters is said
    # once, below, in Swedish
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    started = time.monotonic()
    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted and not reader.decrypt(""):
            raise ExtractError("PDF-filen är lösenordsskyddad; spara den utan lösenord först.")
        n = len(reader.pages)
        if n > MAX_PDF_PAGES:
            raise ExtractError(f"PDF-filen har {n} sidor; högst {MAX_PDF_PAGES} läses in.")
        pages, size = [], 0
        for i, page in enumerate(reader.pages, 1):
            text = page.extract_text() or ""
            size += len(text)
            if size > MAX_PDF_CHARS:
                raise ExtractError("PDF-filen ger mer text än 20 miljoner tecken; dela upp den.")
            if time.monotonic() - started > MAX_PDF_SECONDS:
                raise ExtractError(
                    f"PDF-filen tog mer än {MAX_PDF_SECONDS:.0f} s att läsa (sida {i} av {n})."
                )
            pages.append(text)
            if progress:
                progress(i, n)
    except ExtractError:
        raise
    except Exception as exc:  # noqa: BLE001 - pypdf raises many kinds on broken files
        detail = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        raise ExtractError(f"PDF-filen kunde inte läsas: {detail}") from exc
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
    """A text file's text: UTF-8 (with or without BOM), UTF-16 (with a BOM, or without
    one when every other byte is NUL, as Windows' Notepad writes it) or Windows-1252."""
    data = path.read_bytes()
    data = data.removeprefix(codecs.BOM_UTF8)
    for bom, encoding in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            return _decode_utf16(data[len(bom) :], encoding)
    if len(data) >= 4 and data[1::2].count(0) > 0.9 * (len(data) // 2):
        return _decode_utf16(data, "utf-16-le")
    if len(data) >= 4 and data[0::2].count(0) > 0.9 * (len(data) // 2):
        return _decode_utf16(data, "utf-16-be")
    for encoding in ("utf-8", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ExtractError("Textfilen är varken UTF-8, UTF-16 eller Windows-1252.")


def _decode_utf16(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        raise ExtractError("Textfilen ser ut som UTF-16 men går inte att läsa som det.") from None
