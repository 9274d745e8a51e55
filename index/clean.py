"""Repair text extracted from PDFs and web pages, and find its sections.

Extraction leaves words hyphenated across lines ("upp-\\n\\ndrag"), running page
headers and page numbers, footnote blocks and footnote numbers glued to words
("förordningar2."), double-spaced lines and bullets in private-use glyphs. The
cleaner undoes these generically (no rules for one particular document), so new
PDFs and web pages can be ingested the same way; the result is Markdown whose
headings are the document's own, so a passage can be cited by its section.

Footnotes: the texts of footnotes are dropped (they are mostly references, and
in the body they would split sentences); their numbers are removed from the
words they were glued to. What the heuristics cannot know (text boxes placed
between the halves of a sentence, two-column layouts, tables) is left for a
person to correct in the Markdown.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from knowledge.models import MONTHS_SV

NAVIGATION = frozenset(
    {"till innehåll på sidan", "till toppen av sidan", "till toppen", "hoppa till innehållet"}
)
PAGE = "\f"  # a page break, kept as a line of its own until headers are found
RULE = "\x00rule"  # the line above a page's footnotes
BULLET_RE = re.compile(r"^\s*[•\uf0b7\uf0a7\u25aa\u25cf\u25e6\u2212-]\s+")
PAGE_NUMBER_RE = re.compile(
    r"^\s*(?:sida\s+)?[-–]?\s*\d{1,3}\s*[-–]?\s*(?:(?:av|/)\s*\d{1,3}|\(\d{1,3}\))?\s*$",
    re.IGNORECASE,
)
RULE_RE = re.compile(r"^(?:\s{20,}|\s*_{5,}\s*)$")
ITEM_RE = re.compile(r"^(?:\d{1,2}\.|[a-z]\))\s+\S")
FOOTNOTE_RE = re.compile(r"^\s?(\d{1,3})\s+\S")
NUMBER_RE = re.compile(r"^(\d{1,2}(?:\.\d{1,2})*\.?)(\s+)(\S.*)$")
APPENDIX_RE = re.compile(r"^(?:Bilaga|Appendix)\s+\d{1,2}[A-Za-z]?$")
CAPTION_RE = re.compile(r"^(?:Figur|Tabell|Diagram|Bild|Källa|Foto)\b")
END_PUNCT = tuple(".,;:!?–-")
# A line ending in one of these words goes on: it is not a whole heading.
JOINERS = frozenset(
    {
        *("och", "eller", "samt", "som", "att", "i", "av", "för", "med", "om", "på", "till"),
        *("under", "inför", "vid", "mellan", "mot", "från", "efter", "genom", "hos"),
        *("den", "det", "de", "en", "ett", "dess", "sin", "sitt", "sina"),
    }
)
# After a number these make a date or an amount ('1. Januari', '2.5 Mkr'), not a heading.
NOT_HEADING_WORDS = frozenset(
    {*MONTHS_SV, "kr", "kronor", "tkr", "mkr", "mdkr", "sek", "msek", "miljoner", "miljarder",
     "procent", "tusen"}
)  # fmt: skip
SUSPENDED_NEXT = ("och ", "eller ", "samt ", "respektive ", "till ", ",")
MARK_RE = re.compile(
    r"(?P<word>[^\W\d_)”\"’])(?P<a>\d{1,3})(?=[\s.,;:)]|$)"  # förordningar2. / SKR43 framgår
    r"|(?P<paren>[)”\"’])(?P<b>\d{1,3})(?=[\s.,;:]|$)"  # (S2022/03174)16 att
    r"|(?P<year>\b(?:19|20)\d\d)(?P<c>\d{1,3})(?=[\s.,;:)]|$)"  # under 20221.
    r"|(?P<stop>(?:[^\W\d_]|[)”]|\b(?:19|20)\d\d)\.)\s?(?P<d>\d{1,3}(?: \d{1,3})*)"
    r"(?=\s+[A-ZÅÄÖ]|\s*$)"  # beredskapen.8 I / försvar. 13 Se / .26 27 Det
)


@dataclass
class Section:
    heading: str
    level: int
    text: str
    path: list[str] = field(default_factory=list)  # the heading and its parents, outermost first
    # (where in text, page label) where each PDF page's text starts, in order; the first
    # at 0 is the heading's page (a heading at the foot of a page has its text on the next)
    pages: list[tuple[int, str]] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)  # (link text, http(s) address)

    def page_span(self, start: int = 0, end: int | None = None) -> str | None:
        """The pages text[start:end] is on, '3' or '3–4', from the section's heading on
        when start is 0 (None without pages)."""
        end = len(self.text) if end is None else end
        on = [label for offset, label in self.pages if offset < end]
        before = [label for offset, label in self.pages if offset <= start]
        if not on:
            return None
        first = (before[0] if start == 0 else before[-1]) if before else on[0]
        return first if on[-1] == first else f"{first}–{on[-1]}"


@dataclass
class _Block:
    text: str
    level: int = 0  # 0 for body text, else the heading's level


# --- lines -----------------------------------------------------------------------------


def _lines(raw: str) -> list[str]:
    """The lines, with page breaks and footnote rules as marker lines. Trailing space is
    kept for now: a line of one space can end a block of footnotes."""
    raw = raw.replace("\r\n", "\n").replace("\r", "\n").replace("\f", f"\n{PAGE}\n")
    raw = raw.replace("\u00a0", " ").replace("\u00ad", "").replace("\t", "    ")
    out = []
    for line in raw.split("\n"):
        if line == PAGE:
            out.append(PAGE)
        elif line and RULE_RE.match(line):
            out.append(RULE)  # before stripping: the rule may be a line of spaces only
        else:
            out.append(line)
    return out


def _double_spaced(lines: list[str]) -> bool:
    """True when nearly every text line is followed by an empty one and sentences run on
    across them: then empty lines say nothing about paragraphs. (A web page with one
    paragraph per line has empty lines too, but its lines are whole paragraphs.)"""
    text = [i for i, line in enumerate(lines[:-1]) if line.strip()]
    if len(text) < 10:
        return False
    followed = sum(1 for i in text if not lines[i + 1].strip())
    running_on = sum(1 for i in text if _runs_on(lines[i], _next_text(lines, i + 1)))
    return followed / len(text) > 0.7 and running_on / len(text) > 0.25


def _runs_on(line: str, nxt: str) -> bool:
    """The sentence goes on in the next line."""
    return line.rstrip().endswith("-") or nxt[:1].islower()


def _next_text(lines: list[str], i: int) -> str:
    """The first non-empty line from index i on, stripped ('' if none)."""
    return next((ln.strip() for ln in lines[i:] if ln.strip() and ln != PAGE), "")


# --- footnotes -----------------------------------------------------------------------


def _ends_notes(line: str, last_note: str, widths: tuple[int, int]) -> bool:
    """A page's footnotes end at a page break, at the next page's first line (this
    extraction starts a page with one space), at a line of one to three spaces, or at
    body text (a text box, say): a line as long as the body's lines, after a note line
    that was not wrapped. widths: the body's full line length and the notes' longest."""
    if line == PAGE or re.match(r"^ \S", line) or line in (" ", "  ", "   "):
        return True
    s, body, notes = line.strip(), widths[0], widths[1]
    wrapped = len(last_note.strip()) >= 0.8 * notes or last_note.rstrip().endswith("-")
    looks_body = s[:1].isupper() and 50 <= len(s) <= 1.1 * body and not FOOTNOTE_RE.match(s)
    return looks_body and not wrapped


def _strip_footnotes(lines: list[str]) -> tuple[list[str], set[int]]:
    """Drop footnote blocks (a rule, then numbered notes with their continuation lines)
    and return the footnote numbers, so their marks can be removed from the body."""
    out: list[str] = []
    numbers: set[int] = set()
    widths = (_full_width(lines), max((len(ln.rstrip()) for ln in lines), default=0))
    last_note = ""  # the last line of the current footnote block, "" outside of one
    for i, line in enumerate(lines):
        if line == RULE:
            last_note = "1" if FOOTNOTE_RE.match(_next_text(lines, i + 1)) else ""
            continue
        if last_note and not _ends_notes(line, last_note, widths):
            if m := FOOTNOTE_RE.match(line):
                numbers.add(int(m.group(1)))
            last_note = line if line.strip() else last_note
            continue
        last_note = ""
        out.append(line)
    return out, numbers


def _strip_marks(lines: list[str], numbers: set[int]) -> list[str]:
    """Remove footnote marks glued to words, years or full stops. Only numbers that are
    defined footnotes count, and only in reading order (the next expected number or a
    little ahead of it), so '2022', 'E4' or '27001' stay."""
    expected = 1

    def replace(m: re.Match) -> str:
        nonlocal expected
        marks = [int(n) for n in (m["a"] or m["b"] or m["c"] or m["d"]).split()]
        in_order = all(b == a + 1 for a, b in zip(marks, marks[1:], strict=False))
        if not (in_order and set(marks) <= numbers and expected <= marks[0] <= expected + 3):
            return m.group(0)
        expected = marks[-1] + 1
        return m["word"] or m["paren"] or m["year"] or m["stop"]

    return [MARK_RE.sub(replace, line) for line in lines]


# --- running headers and page numbers ---------------------------------------------------


def _page_edges(lines: list[str]) -> set[int]:
    """Indexes of the lines next to a page break (up to three text lines either side); a
    page break is a form feed or a lone page number (and, if there is one, the start and
    the end of the text)."""
    edges: set[int] = set()
    breaks = [i for i, ln in enumerate(lines) if ln == PAGE or PAGE_NUMBER_RE.match(ln)]
    if breaks:
        breaks += [-1, len(lines)]  # the first page starts, and the last ends, there too
    for b in breaks:
        for step in (-1, 1):
            i, seen = b + step, 0
            while 0 <= i < len(lines) and seen < 3:
                if lines[i].strip() and lines[i] != PAGE:
                    edges.add(i)
                    seen += 1
                i += step
    return edges


def _running_lines(lines: list[str]) -> set[str]:
    """Running headers and footers: short lines repeated at page edges and nowhere else,
    and short upper-case lines occurring at least three times."""
    short = [(i, ln.strip()) for i, ln in enumerate(lines) if 0 < len(ln.strip()) <= 90]
    everywhere = Counter(text for _, text in short)
    edges = _page_edges(lines)
    at_edges = Counter(text for i, text in short if i in edges)
    running = {t for t, n in at_edges.items() if n >= 2 and n == everywhere[t]}
    shouted = {t for t, n in everywhere.items() if n >= 3 and t.isupper() and len(t) > 3}
    return running | shouted


def _drop_furniture(lines: list[str]) -> list[str]:
    """Without running headers, page numbers, navigation and bare link targets."""
    running = _running_lines(lines)
    return [
        ln
        for ln in lines
        if ln != PAGE
        and ln.strip() not in running
        and not PAGE_NUMBER_RE.match(ln)
        and ln.strip().casefold() not in NAVIGATION
        and not ln.strip().startswith("mailto:")
    ]


# --- hyphenation -----------------------------------------------------------------------


def _join_broken(prev: str, nxt: str) -> tuple[str, str] | None:
    """If prev ends in a word broken across lines: prev with the whole word, and the rest
    of nxt (line lengths stay as they were, for finding paragraph ends). Else None."""
    s = nxt.lstrip()
    head, _, rest = s.partition(" ")
    if prev.endswith("–") and prev[-2:-1].isdigit() and s[:1].isdigit():
        return prev + head, rest  # "2021–" / "2025"
    if not prev.endswith("-") or not prev[-2:-1].isalnum() or not s[:1].isalpha():
        return None
    if s.startswith(SUSPENDED_NEXT) or not s[:1].islower():
        return None  # "hälso-" / "och sjukvård": a real hyphen
    last = prev.split()[-1]
    if "://" in last or last.startswith("www.") or not prev[-2].islower():
        return prev + head, rest  # a URL, or "E-" / "hälsomyndigheten", "IVA-" / "resurser"
    return prev[:-1] + head, rest  # "upp-" / "drag"


def _dehyphenate(lines: list[str]) -> list[str]:
    """Join words split across lines, also when empty lines separate the halves."""
    out: list[str] = []
    held = 0  # empty lines seen after a line ending in a hyphen
    for line in lines:
        if not line.strip():
            if out and out[-1].endswith(("-", "–")) and held < 3:
                held += 1
                continue
            out.append(line)
            continue
        joined = _join_broken(out[-1], line) if out else None
        if joined is not None:
            out[-1] = joined[0]
            if joined[1].strip():
                out.append(joined[1])
        else:
            out.extend([""] * held)
            out.append(line)
        held = 0
    return out


# --- headings ---------------------------------------------------------------------------


def _squash(line: str) -> str:
    return " ".join(line.split())


def _is_title_line(s: str) -> bool:
    """Short, capitalised, unpunctuated, and not ending in a word that needs more."""
    if not 2 <= len(s) <= 110 or len(s.split()) > 16 or not s[0].isupper():
        return False
    if s.endswith(END_PUNCT) or BULLET_RE.match(s) or ITEM_RE.match(s) or CAPTION_RE.match(s):
        return False
    if any(mark in s for mark in (": ", ". ", "%", "@", "http", "www.")):
        return False
    if sum(c.isdigit() for c in s) > len(s) / 4:
        return False  # a table row
    return s.split()[-1].casefold() not in JOINERS


def _is_continuation(s: str) -> bool:
    """A heading's second line: short, lower-case start, no sentence punctuation."""
    return bool(s) and s[0].islower() and len(s) <= 60 and not s.endswith(tuple(".,;:!?"))


def _starts_anew(s: str) -> bool:
    """s begins a sentence, list item or heading (it does not go on from the line before)."""
    return bool(s) and (s[0].isupper() or bool(BULLET_RE.match(s) or ITEM_RE.match(s)))


def _body_like(s: str) -> bool:
    return bool(BULLET_RE.match(s) or ITEM_RE.match(s)) or len(s) >= 40 or s.endswith(":")


def _wrapped(s: str, nxt: str, full: int) -> bool:
    """s ends where it does only because the next line's first word did not fit."""
    return bool(nxt) and len(s) + 1 + len(nxt.split()[0]) >= 0.9 * full


def _looks_heading(s: str, nxt: str, full: int) -> bool:
    return _is_title_line(s) and _starts_anew(nxt) and not _wrapped(s, nxt, full)


def numbered_level(s: str, nxt: str = "", prev: str = "", wide: bool = False) -> int:
    """The level of a numbered heading, from its numbering: 1 for '2.   Övergripande
    inriktning' or '1. Syfte', 2 for '1.1 Totalförsvarspropositionen', 3 for '3.1.2 Larm'.
    0 if s is none: too long, a sentence, a date or an amount ('1. Januari', '2.5 Mkr'),
    or a list item. nxt is the text after s and prev the paragraph before it ('' at the
    start or after a heading). A one-level number is a heading when set wide (PDFs tab
    it: '2.   Övergripande'), or, as '1. Syfte', when it is a short title line between
    finished paragraphs and not among numbered items."""
    m = NUMBER_RE.match(s)
    if not m or len(s) > 120 or s.endswith(END_PUNCT) or not m.group(3)[0].isupper():
        return 0
    rest = m.group(3).split()
    if nxt[:1].islower() or rest[-1].casefold() in JOINERS:
        return 0
    if rest[0].casefold() in NOT_HEADING_WORDS:
        return 0
    depth = m.group(1).rstrip(".").count(".") + 1
    if depth == 1 and not wide and not _lone_numbered(m, nxt, prev):
        return 0
    return min(depth, 6)


def _lone_numbered(m: re.Match, nxt: str, prev: str) -> bool:
    """'1. Syfte' standing alone: a short title line with a full stop after its number,
    after a finished sentence (not a ':' that opens a list, not an item), and before body
    text that is no further numbered item."""
    if not m.group(1).endswith(".") or len(m.group(3)) > 80 or not _is_title_line(m.group(3)):
        return False
    if not nxt or ITEM_RE.match(nxt) or ITEM_RE.match(prev):
        return False
    return not prev or prev.endswith(tuple(".!?"))


def _title_level(s: str, last: str, nxt: str, after: str, full: int) -> int:
    """2 if s (whose last physical line is last) is an unnumbered heading, else 0: a title
    line followed by body text, or by one more heading and then body text."""
    if not (_is_title_line(s) and _starts_anew(nxt)) or _wrapped(last, nxt, full):
        return 0
    if _looks_heading(nxt, after, full):  # stacked: "Inledning" / "Uppdraget" / text
        return 2 if len(after) >= 40 and not (BULLET_RE.match(after) or ITEM_RE.match(after)) else 0
    return 2 if _body_like(nxt) else 0


def _take_heading(
    lines: list[str], i: int, full: int, strong_only: bool, prev: str
) -> tuple[_Block, int] | None:
    """A heading starting at line i (with its continuation lines) and the index after it.
    With strong_only (inside a sentence) only numbered headings and appendices count; prev
    is the paragraph before ('' after a heading)."""
    text, j = _squash(lines[i]), i + 1
    wide = bool(NUMBER_RE.match(text) and re.match(r"^\S+\s{2,}\S", lines[i].strip()))
    while j < len(lines) and _is_continuation(_squash(lines[j])) and len(text) <= 100:
        ends_open = wide or text.split()[-1].casefold() in JOINERS
        if not ends_open and _wrapped(_squash(lines[j - 1]), _squash(lines[j]), full):
            break
        text, j = f"{text} {_squash(lines[j])}", j + 1
    k = next((k for k in range(j, len(lines)) if lines[k].strip()), len(lines))
    nxt, after = _next_text(lines, k), _next_text(lines, k + 1)
    level = numbered_level(text, nxt, prev, wide) or (1 if APPENDIX_RE.match(text) else 0)
    if not level and not strong_only:
        level = _title_level(text, _squash(lines[j - 1]), nxt, after, full)
    if not level:
        return None
    if m := NUMBER_RE.match(text):
        text = f"{m.group(1)} {m.group(3)}"  # "2.   Övergripande" -> "2. Övergripande"
    return _Block(text, level), j


# --- paragraphs -------------------------------------------------------------------------


def _full_width(lines: list[str]) -> int:
    """The length of a full line of body text (most lines are full)."""
    widths = sorted(len(_squash(ln)) for ln in lines if ln.strip() and ln not in (PAGE, RULE))
    return widths[int(len(widths) * 0.9)] if widths else 80


def _ends_paragraph(s: str, nxt: str, full: int) -> bool:
    """A line ending a sentence where the next line's first word would still have fit
    ends its paragraph (double-spaced text has no empty lines to say so)."""
    s = re.sub(r"(?<=[.:!?])\s?\d{1,3}$", "", s)  # "2023.15": a footnote mark
    if not s.endswith(tuple(".:!?")) or not nxt or not nxt[0].isupper():
        return False
    first = nxt.split()[0]
    return len(s) + 1 + len(first) <= full


def _goes_on(last: str, nxt: str) -> bool:
    """An empty line inside a sentence (double-spaced text, or a page break): the line
    before ends without punctuation and the next one continues in lower case or digits."""
    if not nxt or last.endswith(tuple(".!?:;")) or ITEM_RE.match(nxt) or BULLET_RE.match(nxt):
        return False
    return nxt[0].islower() or nxt[0].isdigit()


def _may_start(para: list[str], full: int) -> bool:
    """Whether a heading may start here: not inside a sentence."""
    return not para or para[-1].endswith(tuple(".!?:")) or len(para[-1]) < 0.6 * full


def _mark_paragraph_ends(lines: list[str]) -> list[str]:
    """An empty line after each line that ends a paragraph by its length (measured before
    hyphenated words are joined, which changes line lengths)."""
    full = _full_width(lines)
    out: list[str] = []
    for i, line in enumerate(lines):
        if _page_start(line) and out and _squash(out[-1]).endswith(tuple(".!?")):
            out.append("")  # a new page starting with a new sentence: a new paragraph
        out.append(line)
        if line.strip() and _ends_paragraph(_squash(line), _next_text(lines, i + 1), full):
            out.append("")
    return out


def _page_start(line: str) -> bool:
    """The first line of a page in this kind of extraction: one space, then a capital."""
    return bool(re.match(r"^ [A-ZÅÄÖ]", line))


def _blocks(lines: list[str]) -> list[_Block]:
    """Lines to paragraphs, list items and headings."""
    full = _full_width(lines)
    blocks: list[_Block] = []
    para: list[str] = []

    def flush() -> None:
        if para:
            blocks.append(_Block(" ".join(para)))
            para.clear()

    i = 0
    while i < len(lines):
        s = _squash(lines[i])
        if not s:
            if not (para and _goes_on(para[-1], _next_text(lines, i))):
                flush()
            i += 1
            continue
        last = blocks[-1] if blocks else None
        prev = " ".join(para) if para else (last.text if last and not last.level else "")
        if got := _take_heading(lines, i, full, not _may_start(para, full), prev):
            flush()
            blocks.append(got[0])
            i = got[1]
            continue
        if BULLET_RE.match(s):
            flush()
            s = "- " + BULLET_RE.sub("", s)
        elif ITEM_RE.match(s):
            flush()  # "1. ..." / "a) ..." starts an item of its own
        para.append(s)
        i += 1
    flush()
    return blocks


# --- pages -----------------------------------------------------------------------------


def _letters(text: str) -> str:
    """Only the letters, case-folded: what cleaning leaves of a text in the same order
    (hyphens, line breaks, footnote marks, page numbers and spaces go)."""
    return "".join(c for c in text.casefold() if c.isalpha())


NEAR = 20_000  # letters past the block before within which a block's start is looked for


def _block_pages(raw: str, blocks: list[_Block]) -> list[int]:
    """The page (0-based) each block starts on, found by where its first letters are in
    the raw text of the pages (form feeds between them), searching on from the block
    before (and not much further: a block not found costs little). A block not found
    (cleaning changed its start) keeps the page before."""
    starts, letters = [], []
    size = 0
    for sheet in raw.split("\f"):
        starts.append(size)
        letters.append(_letters(sheet))
        size += len(letters[-1])
    text = "".join(letters)
    pages, pos, end, page = [], 0, NEAR, 0
    for b in blocks:
        key = _letters(b.text)
        for n in (40, 12):  # a block's start may run into the next page's header
            at = text.find(key[:n], pos, end) if key else -1
            if at >= 0:
                pos, page = at + len(key[:n]), bisect.bisect_right(starts, at) - 1
                end = at + len(key) + NEAR
                break
        else:
            end += len(key)  # not found: the next block is still looked for after it
        pages.append(page)
    return pages


def page_marker(label: str) -> str:
    return f"<!-- sida {label} -->"


# --- links ------------------------------------------------------------------------------


# A Markdown link to an http(s) address: [text](https://…) or [text](<https://…>)
LINK_RE = re.compile(r"\[([^\[\]\n]+)\]\((?:<(https?://[^<>\s]+)>|(https?://[^()<>\s]+))\)")


def markdown_link(text: str, url: str) -> str:
    """text as a Markdown link to url, or text alone when url is no plain http(s) address
    or the text could not be read back as a link's text."""
    text = " ".join(text.split())
    if not re.fullmatch(r"https?://[^<>\s]+", url) or not text or "[" in text or "]" in text:
        return text
    return f"[{text}]({url})" if LINK_RE.fullmatch(f"[{text}]({url})") else f"[{text}](<{url}>)"


def unlink(text: str) -> tuple[str, list[tuple[str, str]]]:
    """The text with its Markdown links as their text alone, and the (text, address) pairs."""
    found: list[tuple[str, str]] = []

    def keep(m: re.Match) -> str:
        found.append((m.group(1), m.group(2) or m.group(3)))
        return m.group(1)

    return LINK_RE.sub(keep, text), found


# --- public API ---------------------------------------------------------------------------


def _clean_blocks(raw: str) -> list[_Block]:
    lines = _lines(raw)
    double = _double_spaced(lines)
    lines, notes = _strip_footnotes(lines)
    lines = _drop_furniture([ln.rstrip() for ln in lines])
    if double:
        lines = [ln for ln in lines if ln.strip()]
    lines = _dehyphenate(_mark_paragraph_ends(lines))
    return _blocks(_strip_marks(lines, notes))


def _join(paragraphs: list[str]) -> str:
    """One empty line between paragraphs; the items of a list on consecutive lines."""
    out = ""
    for i, para in enumerate(paragraphs):
        if i:
            in_list = para.startswith("- ") and paragraphs[i - 1].startswith("- ")
            out += "\n" if in_list else "\n\n"
        out += para
    return out + "\n"


def clean_text(raw: str) -> str:
    """Plain text: paragraphs (headings too) separated by one empty line, each on one
    line; list items as '- ' lines. Footnote texts are dropped, their marks removed."""
    return _join([b.text for b in _clean_blocks(raw)])


def to_markdown(raw: str, title: str | None = None, pages: Sequence[str] = ()) -> str:
    """Cleaned text as Markdown: the title as '# ', numbered headings at the level of
    their numbering ('# 1. Syfte', '## 2.3 Ansvar'), appendices ('Bilaga 1') as '# ',
    other short title lines as '## '. With `pages` (a PDF's page labels, its pages
    separated by form feeds in raw) a marker line '<!-- sida 3 -->' goes before the
    first block of each page, so that passages can be cited by page."""
    blocks = _clean_blocks(raw)
    where = _block_pages(raw, blocks) if pages else [0] * len(blocks)
    if title and blocks and _squash(blocks[0].text).casefold() == _squash(title).casefold():
        blocks, where = blocks[1:], where[1:]  # the title as the text's first line: said once
    out = [f"# {title}"] if title else []
    page = None
    for b, p in zip(blocks, where, strict=True):
        if pages and p != page and p < len(pages):
            out.append(page_marker(pages[p]))
            page = p
        out.append(f"{'#' * b.level} {b.text}" if b.level else b.text)
    return _join(out)


def blocks_markdown(blocks: list[tuple[int, str]]) -> str:
    """Markdown from paragraphs that a format's markup already tells apart (HTML, Word):
    (level, text), level 0 for body text and list items ('- …'). A body paragraph that
    is a numbered heading ('2.3 Ansvar' alone between paragraphs) becomes one, at the
    level of its numbering; marked-up headings keep the level of their markup."""
    plain = [" ".join(unlink(text)[0].split()) for _, text in blocks]
    out = []
    for i, (level, text) in enumerate(blocks):
        if not level:
            nxt = plain[i + 1] if i + 1 < len(blocks) else ""
            prev = plain[i - 1] if i and not blocks[i - 1][0] else ""
            level = numbered_level(plain[i], nxt, prev)
        if level and (m := NUMBER_RE.match(text)):
            text = f"{m.group(1)} {m.group(3)}"  # "2.3   Ansvar" -> "2.3 Ansvar"
        out.append(f"{'#' * level} {text}" if level else text)
    return _join(out).strip("\n")


HEADING_RE = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
PAGE_MARK_RE = re.compile(r"^<!--\s*sida\s+(.+?)\s*-->\s*$")


def _is_document_title(heading: str, level: int) -> bool:
    """The first line '# X' is the document's title unless it is a numbered section or
    an appendix (a text without a title can start with '# 1. Inledning')."""
    return level == 1 and not NUMBER_RE.match(heading) and not APPENDIX_RE.match(heading)


def split_sections(markdown: str) -> list[Section]:
    """Sections on the Markdown headings, each with its parents' headings. Text before the
    first section heading (after the title, if any) belongs to a section 'Inledning'.
    Page markers are taken out of the text into the sections' pages, Markdown links
    into their links (the link text stays)."""
    sections: list[Section] = []
    stack: list[tuple[int, str]] = []
    current = Section("Inledning", 1, "", ["Inledning"])
    buf: list[str] = []
    marks: list[tuple[int, str]] = []  # (where in buf's text, page) of the current section
    page: str | None = None
    seen_text = False
    for line in markdown.split("\n"):
        if pm := PAGE_MARK_RE.match(line):
            page = pm.group(1)
            marks.append((len("\n".join(buf)), page))
            if buf and not buf[-1].strip():
                buf.pop()  # the marker's paragraph goes with the empty line before it
            continue
        line, links = unlink(line)
        m = HEADING_RE.match(line)
        if not m:
            current.links += links
            buf.append(line)
            seen_text = seen_text or bool(line.strip())
            continue
        level, heading = len(m.group(1)), m.group(2).strip()
        if not seen_text and _is_document_title(heading, level):
            seen_text = True  # the title: what follows it belongs to 'Inledning'
            continue
        _close(current, buf, marks, sections)
        buf, marks = [], [(0, page)] if page else []
        seen_text = True
        stack = [(lvl, h) for lvl, h in stack if lvl < level] + [(level, heading)]
        current = Section(heading, level, "", [h for _, h in stack], links=links)
    _close(current, buf, marks, sections)
    return sections


def _close(
    section: Section, buf: list[str], marks: list[tuple[int, str]], sections: list[Section]
) -> None:
    joined = "\n".join(buf)
    section.text = joined.strip()
    lead = len(joined) - len(joined.lstrip())
    # the pages with text of this section (a marker after its text is the next one's)
    moved = ((max(offset - lead, 0), label) for offset, label in marks)
    section.pages = [(offset, label) for offset, label in moved if offset < len(section.text)]
    if section.text:
        sections.append(section)
