"""Repair text extracted from PDFs and web pages, and find its sections.

Extraction leaves words hyphenated across lines ("upp-\\n\\ndrag"), running page
headers and page numbers, footnote blocks and footnote numbers glued to words
("förordningar2."), double-spaced lines, and bullets in private-use glyphs. The
cleaner undoes these generically (no rules for one particular document); the
result is Markdown whose headings are the document's own, so a passage can be
cited by its section.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

NAVIGATION = {"till innehåll på sidan", "till toppen av sidan", "till toppen", "meny", "sök"}
BULLETS = "•\uf0b7\uf0a7\uf076\u25aa\u25cf\u2022\u2013\u2212-"
BULLET_RE = re.compile(rf"^\s*[{re.escape(BULLETS)}]\s+")
PAGE_NUMBER_RE = re.compile(r"^\s*(sida\s*)?\d{1,3}(\s*\(\d{1,3}\))?\s*$", re.IGNORECASE)
FOOTNOTE_RULE_RE = re.compile(r"^(\s{30,}|\s*_{5,}\s*)$")
FOOTNOTE_LINE_RE = re.compile(r"^\s?(\d{1,2})\s+\S")
NUMBERED_HEADING_RE = re.compile(r"^(\d{1,2}(?:\.\d{1,2})*\.?)\s+([A-ZÅÄÖ].{1,90})$")
ABBREV_END = re.compile(r"\b(m\.m|t\.ex|bl\.a|s\.k|d\.v\.s|dvs|m\.fl|osv|resp|jfr|ca|nr)\.$")
# A line break after these does not end a sentence in a heading sense.
JOINERS = ("och", "eller", "samt", "till", "som", "i", "av", "för", "med", "om", "på")
SUSPENDED_HYPHEN_NEXT = ("och ", "eller ", "samt ", "till ", ", ")


@dataclass
class Section:
    heading: str
    level: int
    text: str
    path: list[str] = field(default_factory=list)


FOOTNOTE_RULE = "\x00footnotes"


def _lines(raw: str) -> list[str]:
    raw = raw.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n ")
    raw = raw.replace("\u00a0", " ").replace("\u00ad", "")
    # the rule above a page's footnotes is all spaces or underscores: mark it before
    # trailing space is stripped
    return [FOOTNOTE_RULE if FOOTNOTE_RULE_RE.match(ln) and ln else ln.rstrip()
            for ln in raw.split("\n")]  # fmt: skip


def _double_spaced(lines: list[str]) -> bool:
    """True when nearly every text line is followed by an empty one (then empty lines
    carry no paragraph meaning)."""
    text = [i for i, line in enumerate(lines[:-1]) if line.strip()]
    if len(text) < 10:
        return False
    followed = sum(1 for i in text if not lines[i + 1].strip())
    return followed / len(text) > 0.8


def _strip_footnotes(lines: list[str]) -> tuple[list[str], set[str]]:
    """Drop footnote blocks (a rule line, then numbered notes, to the next page start)
    and return the footnote numbers so their marks can be removed from the body."""
    out, numbers, in_notes = [], set(), False
    for line in lines:
        if line == FOOTNOTE_RULE:
            in_notes = True
            continue
        if in_notes:
            if not line.strip():
                continue
            page_start = line.startswith(" ") and not line.startswith("  ") and line.strip()
            m = FOOTNOTE_LINE_RE.match(line)
            if m and not page_start:
                numbers.add(m.group(1))
                continue
            if page_start and not m:
                in_notes = False
            elif page_start and m:
                numbers.add(m.group(1))
                continue
            else:
                continue
        out.append(line)
    return out, numbers


def _running_lines(lines: list[str], pages: int) -> set[str]:
    """Short lines repeated on many pages: running headers and footers. With known page
    breaks (form feeds) a line on at least half the pages counts; otherwise three times."""
    counts = Counter(line.strip() for line in lines if line.strip())
    least = max(2, (pages + 1) // 2) if pages > 1 else 3
    return {
        text
        for text, n in counts.items()
        if n >= least and len(text) <= 90 and (text.isupper() or PAGE_NUMBER_RE.match(text))
    }


def _dehyphenate(lines: list[str]) -> list[str]:
    """Join words split across lines; keep real hyphens ("hälso- och", "E-hälsa")."""
    out: list[str] = []
    blanks = 0
    for line in lines:
        if not line.strip() and out and out[-1].endswith("-") and blanks < 2:
            blanks += 1  # "upp-" / (empty) / "drag": the break may sit between blank lines
            continue
        if blanks and not (out[-1].endswith("-") and line.strip()[:1].islower()):
            out.extend([""] * blanks)
        blanks = 0
        if out and out[-1].endswith("-") and line.strip():
            prev, nxt = out[-1], line.lstrip()
            before = prev[-2] if len(prev) > 1 else ""
            if nxt.startswith(SUSPENDED_HYPHEN_NEXT) or not nxt[:1].islower():
                out.append(line)
                continue
            if before.islower():
                out[-1] = prev[:-1] + nxt  # "upp-" + "drag"
            else:
                out[-1] = prev + nxt  # "E-" + "hälsomyndigheten", "IVA-" + "resurser"
            continue
        out.append(line)
    return out


def _glued_footnotes(text: str, numbers: set[str]) -> str:
    if not numbers:
        return text
    alternatives = "|".join(sorted(numbers, key=len, reverse=True))
    # "förordningar2." / "beredskapen.8 I" / "under 20221." (a year with its note)
    text = re.sub(rf"(?<=[a-zåäö\)])({alternatives})(?=[\s.,;:)]|$)", "", text)
    text = re.sub(rf"(?<=[.,;:])({alternatives})(?=\s|$)", "", text)
    return re.sub(rf"(?<=\b(?:19|20)\d\d)({alternatives})(?=[\s.,;:]|$)", "", text)


def _is_heading(line: str, nxt: str) -> bool:
    s = line.strip()
    if not s or len(s) > 90 or BULLET_RE.match(s):
        return False
    if NUMBERED_HEADING_RE.match(s) and not s.endswith((".", ",", ";")):
        return True
    if s[-1] in ".,;:!?–-" or not s[0].isupper() or s.split()[-1].casefold() in JOINERS:
        return False
    words = s.split()
    return len(words) <= 10 and (not nxt or nxt[:1].isupper() or BULLET_RE.match(nxt) is not None)


def _blocks(lines: list[str], double_spaced: bool) -> list[str]:
    """Lines to paragraphs, list items and headings ('## ')."""
    text_lines = [ln for ln in lines if ln.strip()] if double_spaced else lines
    widths = sorted(len(ln.strip()) for ln in text_lines if ln.strip())
    full = widths[int(len(widths) * 0.9)] if widths else 80
    blocks: list[str] = []
    para: list[str] = []

    def flush():
        if para:
            blocks.append(" ".join(para))
            para.clear()

    for i, line in enumerate(text_lines):
        s = " ".join(line.split())
        if not s:
            flush()
            continue
        nxt = next((ln.strip() for ln in text_lines[i + 1 :] if ln.strip()), "")
        page_start = line.startswith(" ") and not line.startswith("  ")
        if para and page_start and _is_heading(s, nxt) and len(s.split()) <= 6:
            flush()  # a heading at the top of a page ends what the last page said
        if not para and _is_heading(s, nxt):
            blocks.append("## " + s)
            continue
        if BULLET_RE.match(s):
            flush()
            para.append("- " + BULLET_RE.sub("", s))
            continue
        para.append(s)
        # a short line that ends a sentence ends the paragraph (double-spaced text has no
        # empty lines to say so)
        if double_spaced and s[-1] in ".:!?" and len(s) < 0.8 * full and not ABBREV_END.search(s):
            flush()
    flush()
    return blocks


def clean_text(raw: str) -> str:
    """Plain text, paragraphs separated by one empty line. Footnotes are dropped from the
    body (their numbers removed from the words they were glued to)."""
    return "\n\n".join(b.removeprefix("## ") for b in _clean_blocks(raw))


def _clean_blocks(raw: str) -> list[str]:
    lines = _lines(raw)
    double = _double_spaced(lines)
    lines, notes = _strip_footnotes(lines)
    running = _running_lines(lines, raw.count("\f") + 1)
    lines = [
        ln
        for ln in lines
        if ln.strip() not in running
        and not PAGE_NUMBER_RE.match(ln)
        and ln.strip().casefold() not in NAVIGATION
        and not ln.strip().startswith("mailto:")
    ]
    lines = _dehyphenate([ln for ln in lines if ln.strip()] if double else lines)
    blocks = _blocks(lines, double_spaced=double)
    return [_glued_footnotes(b, notes) for b in blocks]


def to_markdown(raw: str, title: str | None = None) -> str:
    """Cleaned text as Markdown: the title as '# ', the document's headings as '## '."""
    blocks = _clean_blocks(raw)
    if title:
        blocks.insert(0, f"# {title}")
    return "\n\n".join(blocks) + "\n"


HEADING_RE = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")


def split_sections(markdown: str) -> list[Section]:
    """Sections on the Markdown headings; text before the first heading belongs to a
    section named after the title (or 'Inledning')."""
    sections: list[Section] = []
    stack: list[tuple[int, str]] = []
    current = Section("Inledning", 1, "", ["Inledning"])
    buf: list[str] = []

    def close():
        current.text = "\n".join(buf).strip()
        if current.text:
            sections.append(current)

    first = True
    for line in markdown.split("\n"):
        m = HEADING_RE.match(line)
        if not m:
            buf.append(line)
            if line.strip():
                first = False
            continue
        close()
        buf = []
        level, heading = len(m.group(1)), m.group(2).strip()
        if first and level == 1:
            # the document's title: what follows it, before any section, is its introduction
            first = False
            current = Section("Inledning", 1, "", ["Inledning"])
            continue
        stack = [(lvl, h) for lvl, h in stack if lvl < level] + [(level, heading)]
        current = Section(heading, level, "", [h for _, h in stack])
    close()
    return sections
