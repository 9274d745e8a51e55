"""Text out of PDF, HTML, Word (.docx) and plain text/Markdown files, ready for cleaning."""

from __future__ import annotations

import codecs
import logging
import re
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .clean import blocks_markdown, markdown_link

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
    if suffix == ".docx":
        return "docx"
    if suffix in (".txt", ".md", ".markdown", ".text"):
        return "text"
    head = path.read_bytes()[:512].lstrip().lower()
    if head.startswith(b"%pdf"):
        return "pdf"
    if head.startswith((b"<!doctype html", b"<html")):
        return "html"
    if head.startswith(b"pk\x03\x04") and _is_docx(path):
        return "docx"
    return "text"


def _is_docx(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as z:
            return "word/document.xml" in z.namelist()
    except (OSError, zipfile.BadZipFile):
        return False


# Limits for what one PDF may cost: a 2,000-page report passes, a decompression bomb or a
# file that extracts forever does not.
MAX_PDF_PAGES = 5000
MAX_PDF_CHARS = 20_000_000
MAX_PDF_SECONDS = 300.0


@dataclass(frozen=True)
class PdfText:
    text: str  # the pages' text, form feeds between them
    labels: list[str]  # each page's number as the PDF names it ("1", "iv")


def pdf_text(path: Path, progress: Progress | None = None) -> PdfText:
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
        labels = _page_labels(reader, n)
    except ExtractError:
        raise
    except Exception as exc:  # noqa: BLE001 - pypdf raises many kinds on broken files
        detail = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        raise ExtractError(f"PDF-filen kunde inte läsas: {detail}") from exc
    text = "\f".join(pages)  # form feeds keep the page breaks for the cleaner
    if not text.strip():
        raise ExtractError("PDF-filen innehåller ingen text (en skannad bild behöver OCR först).")
    return PdfText(text, labels)


def _page_labels(reader, n: int) -> list[str]:
    """The page numbers a reader sees in a PDF viewer: the PDF's own page labels (pypdf
    gives 1, 2, … when it has none), or the page's place when a label is missing, odd
    or broken."""
    try:
        labels = list(reader.page_labels)
    except Exception:  # noqa: BLE001 - a broken label tree is no reason to refuse the file
        labels = []
    if len(labels) != n:
        labels = [""] * n
    return [lb if re.fullmatch(r"[\w./-]{1,12}", lb or "") else str(i) for i, lb in
            enumerate(labels, 1)]  # fmt: skip


HTML_BLOCKS = ["h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "tr", "dt", "dd", "pre"]


def html_markdown(html: str) -> str:
    """Headings become Markdown headings; paragraphs, list items and table rows stay apart;
    links to http(s) addresses stay links ([text](address)), other links their text."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(HTML_SKIP):
        tag.decompose()
    root = soup.find("main") or soup.find("article") or soup.body or soup
    for a in root.find_all("a", href=True):
        text = a.get_text(" ", strip=True)
        if text:
            a.replace_with(markdown_link(text, str(a["href"]).strip()))  # (one value)
    root.smooth()  # the link and the text around it one string: "se [MSB](…)." stays whole
    blocks: list[tuple[int, str]] = []
    for el in root.find_all(HTML_BLOCKS):
        if el.find_parent(["li", "tr"]) and el.name not in ("li", "tr"):
            continue  # its text is part of the enclosing item or row
        text = " ".join(el.get_text(" ", strip=True).split())
        if not text:
            continue
        if el.name[0] == "h":
            blocks.append((int(el.name[1]), text))
        elif el.name == "li":
            blocks.append((0, "- " + text))
        elif el.name == "tr":
            cells = (c.get_text(" ", strip=True) for c in el.find_all(["td", "th"]))
            blocks.append((0, " | ".join(" ".join(c.split()) for c in cells if c)))
        else:
            blocks.append((0, text))
    return blocks_markdown(blocks)


def html_title(html: str) -> str | None:
    m = re.search(r"<title[^>]*>(.*?)</title>", html, re.IGNORECASE | re.DOTALL)
    return " ".join(m.group(1).split()) if m else None


def html_address(html: str) -> str | None:
    """The page's own address, where it gives one (its canonical link or og:url)."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    for tag in (soup.find("link", rel="canonical", href=True),
                soup.find("meta", property="og:url", content=True)):  # fmt: skip
        url = str(tag.get("href") or tag.get("content") or "").strip() if tag else ""
        if re.fullmatch(r"https?://[^\s<>\"]+\.[^\s<>\"]+", url):
            return url
    return None


# --- Word -------------------------------------------------------------------------------

# A .docx is a zip: what it may unpack to, so that a zip bomb is refused, not read
MAX_DOCX_BYTES = 200 * 1024 * 1024
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # Word 97–2003 (.doc), and a password-protected .docx


def docx_markdown(path: Path) -> str:
    """A Word document's body as Markdown: Heading 1–6 (or a style based on one) as
    headings at their level, list paragraphs as items, tables as rows of cells, links to
    http(s) addresses as links. A file python-docx cannot read is one ExtractError."""
    if path.read_bytes()[:4] == OLE_MAGIC:
        raise ExtractError(
            "Word-filen är i det äldre .doc-formatet eller lösenordsskyddad; spara den som "
            ".docx utan lösenord och försök igen."
        )
    try:
        with zipfile.ZipFile(path) as z:
            if sum(i.file_size for i in z.infolist()) > MAX_DOCX_BYTES:
                raise ExtractError("Word-filen packas upp till mer än 200 MB; dela upp den.")
        import docx

        document = docx.Document(str(path))
        blocks = list(_docx_blocks(document))
    except ExtractError:
        raise
    except Exception as exc:  # noqa: BLE001 - zipfile, lxml and python-docx raise many kinds
        detail = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        raise ExtractError(f"Word-filen kunde inte läsas (är den en .docx?): {detail}") from exc
    return blocks_markdown(blocks)


def _docx_blocks(document):
    from docx.table import Table

    for item in document.iter_inner_content():
        if isinstance(item, Table):
            for row in item.rows:
                cells, seen = [], set()
                for cell in row.cells:  # a merged cell comes once per column it spans
                    if id(cell._tc) not in seen:
                        seen.add(id(cell._tc))
                        if text := " ".join(cell.text.split()):
                            cells.append(text)
                if cells:
                    yield 0, " | ".join(cells)
            continue
        text = " ".join(_docx_text(item).split())
        if not text:
            continue
        level = _heading_level(item.style)
        if level:
            yield level, text
        elif _is_list_item(item):
            yield 0, "- " + text
        else:
            yield 0, text


def _docx_text(paragraph) -> str:
    from docx.text.hyperlink import Hyperlink

    parts = []
    for item in paragraph.iter_inner_content():
        if isinstance(item, Hyperlink) and item.address:
            parts.append(markdown_link(item.text, item.url))
        else:
            parts.append(item.text)
    return "".join(parts)


def _heading_level(style) -> int:
    """1–6 for Word's Heading styles and styles based on them ("Title" is a heading 1)."""
    for _ in range(10):  # styles may be based on styles; a loop in the file ends here
        if style is None:
            return 0
        name = (style.name or "").casefold()
        if name == "title":
            return 1
        if m := re.fullmatch(r"heading ([1-9])", name):
            return min(int(m.group(1)), 6)
        style = style.base_style
    return 0


def _is_list_item(paragraph) -> bool:
    """Numbered or bulleted in Word: numbering set on the paragraph or by a list style."""
    ppr = paragraph._p.pPr
    if ppr is not None and ppr.numPr is not None:
        return True
    name = (paragraph.style.name or "").casefold() if paragraph.style is not None else ""
    return name.startswith("list")


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
