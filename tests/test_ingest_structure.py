"""Added documents keep their structure: numbered headings become sections at the level
of their numbering, a PDF's pages are cited ("s. 3"), an HTML page's links are shown under
its passages, and Word files (.docx) come in with their headings, lists and tables."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import TODAY

import knowledge
from bot.engine.assistant import Assistant
from bot.engine.source_text import section_key, source_text
from index import extract
from index.clean import split_sections
from index.ingest import IngestError, add
from index.search import Searcher
from knowledge.loader import PACKAGE_DATA

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def data(tmp_path, monkeypatch) -> Path:
    root = tmp_path / "knowledge"
    shutil.copytree(PACKAGE_DATA, root)
    monkeypatch.setenv("KNOWLEDGE_DIR", str(root))
    monkeypatch.setenv("INDEX_DIR", str(tmp_path / "index"))
    return root


# -- PDF: numbered headings and pages ---------------------------------------------------


PLAN = [
    # the cover, numbered "i" by the PDF's page labels: the plan's page 1 is the second
    ["Plan för reservkraft på Norrby sjukhus"],
    ["1. Syfte",
     "Planen beskriver hur reservkraften på Norrby sjukhus provas och hur resultatet",
     "rapporteras till regionledningen.",
     "",
     "2. Ansvar",
     "Driftchefen på Norrby sjukhus ansvarar för att reservkraftverken provkörs med",
     "full last den första tisdagen varje månad."],
    ["Bränsleförrådet på Norrby sjukhus ska räcka i minst sju dygn utan påfyllning.",
     "",
     "2.1 Rapportering",
     "Resultatet av provkörningen rapporteras till beredskapssamordnaren senast",
     "fem arbetsdagar efter provet."],
    ["2.1.1 Avvikelser",
     "Ett reservkraftverk på Norrby sjukhus som inte startar rapporteras inom en",
     "timme till fastighetsjouren."],
]  # fmt: skip


def make_plan_pdf(path: Path) -> None:
    """Four pages with a running header and printed page numbers, labelled i, 1, 2, 3."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=A4)
    for number, lines in enumerate(PLAN):
        c.setFont("Helvetica", 9)
        c.drawString(72, 800, "REGION TEST – PLAN FÖR RESERVKRAFT")
        y = 760
        c.setFont("Helvetica", 11)
        for line in lines:
            c.drawString(72, y, line)
            y -= 16
        if number:
            c.setFont("Helvetica", 9)
            c.drawString(290, 40, str(number))
        c.showPage()
    c.addPageLabel(0, "ROMAN_LOWER", 1)
    c.addPageLabel(1, "ARABIC", 1)
    c.save()


def test_pdf_sections_have_levels_and_pages(tmp_path):
    pdf = tmp_path / "plan.pdf"
    make_plan_pdf(pdf)
    read = extract.pdf_text(pdf)
    assert read.labels == ["i", "1", "2", "3"]
    from index.clean import to_markdown

    md = to_markdown(read.text, "Plan för reservkraft på Norrby sjukhus", read.labels)
    assert "<!-- sida 1 -->" in md and "<!-- sida i -->" not in md  # the cover is the title
    sections = split_sections(md)
    assert [(s.heading, s.level, s.page_span()) for s in sections] == [
        ("1. Syfte", 1, "1"),
        ("2. Ansvar", 1, "1–2"),  # its second paragraph is on the next page
        ("2.1 Rapportering", 2, "2"),
        ("2.1.1 Avvikelser", 3, "3"),
    ]
    assert sections[3].path == ["2. Ansvar", "2.1 Rapportering", "2.1.1 Avvikelser"]
    assert all("<!--" not in s.text and "REGION TEST" not in s.text for s in sections)


def test_a_pdf_is_cited_by_page_after_the_index_is_built_and_reloaded(data, tmp_path):
    pdf = tmp_path / "plan.pdf"
    make_plan_pdf(pdf)
    r = add(pdf, "Plan för reservkraft", "Region Test")
    assert r.status == "added" and r.sections == 4

    k = knowledge.load()
    reopened = Searcher(k)  # the index as written to disk, read back
    pages = {}
    for n in range(len(reopened.alive)):
        row = reopened.stored(n)
        if reopened.alive[n] and row["doc"] == r.doc_id:
            pages[row["section"]] = row["page"]
            assert "<!--" not in row["body"]
    assert pages == {
        "1. Syfte": "1", "2. Ansvar": "1–2", "2.1 Rapportering": "2", "2.1.1 Avvikelser": "3",
    }  # fmt: skip
    hits = reopened.search("Hur snabbt rapporteras ett reservkraftverk som inte startar?")
    assert (hits[0].section, hits[0].page) == ("2.1.1 Avvikelser", "3")

    a = Assistant(k, reopened).ask("Vem ska få veta om Norrbys reservkraft inte startar?", TODAY)
    assert "fastighetsjouren" in a.text
    assert a.sources[0].page == "3" and a.sources[0].doc == r.doc_id
    assert "Källa: Plan för reservkraft, 2.1.1 Avvikelser, s. 3" in a.full_text()
    assert a.as_json("x")["sources"][0]["page"] == "3"

    shown = source_text(k, section_key(r.doc_id, "2. Ansvar"))
    head = shown.text.split("\n\n")[0].split("\n")
    assert head[2] == "Avsnitt: 2. Ansvar, s. 1–2"
    assert "Bränsleförrådet på Norrby sjukhus" in shown.text


def test_a_pdf_page_is_named_in_telegram_source_lines():
    from bot.engine.answer import Answer, Citation
    from bot.telegram.send import render_html

    a = Answer("Text.", True, "fact", (Citation("Plan", "2.1 Rapportering", page="2"),))
    assert "Källa: Plan, 2.1 Rapportering, s. 2" in render_html(a)
    assert "Plan, 2.1 Rapportering, p. 2" in render_html(
        Answer("Text.", True, "fact", a.sources, language="en")
    )


# -- HTML: links ------------------------------------------------------------------------


PAGE = """<!doctype html><html><head><title>Stöd till reservkraft</title>
<link rel="canonical" href="https://www.example.org/stod/reservkraft"></head><body>
<main><h1>Stöd till reservkraft</h1>
<p>Regionen kan söka stöd för reservkraft hos <a href="https://www.example.org/myndigheten">
Testmyndigheten</a>. Ansökan görs i <a href="https://www.example.org/e-tjanst?id=7">e-tjänsten
för reservkraftsstöd</a>, se även <a href="/kontakt">kontakt</a> och
<a href="mailto:stod@example.org">e-post</a>.</p>
<h2>2.3 Villkor</h2><p>Stödet för reservkraft betalas ut efter att verket har provkörts.</p>
<p><a href="javascript:alert(1)">Klicka här</a></p>
</main></body></html>"""


def test_html_links_are_kept_and_shown_with_the_source(data, tmp_path):
    page = tmp_path / "stod.html"
    page.write_text(PAGE, encoding="utf-8")
    r = add(page, "Stöd till reservkraft", "Testmyndigheten")
    k = knowledge.load()
    doc = k.documents[r.doc_id]
    assert doc.url == "https://www.example.org/stod/reservkraft"  # the page's own address

    md = k.texts[r.doc_id]
    assert "[Testmyndigheten](https://www.example.org/myndigheten)." in md
    assert "javascript" not in md and "mailto" not in md and "](/kontakt)" not in md
    first, villkor = split_sections(md)
    assert (villkor.heading, villkor.level) == ("2.3 Villkor", 2)
    # the link text stays in the passage; the addresses go with the section
    assert "hos Testmyndigheten. Ansökan görs i e-tjänsten för reservkraftsstöd, se även " \
        "kontakt och e-post." in first.text
    assert "http" not in first.text
    assert first.links == [
        ("Testmyndigheten", "https://www.example.org/myndigheten"),
        ("e-tjänsten för reservkraftsstöd", "https://www.example.org/e-tjanst?id=7"),
    ]

    shown = source_text(k, section_key(r.doc_id, first.heading)).text
    assert "Adress: https://www.example.org/stod/reservkraft" in shown
    assert shown.endswith(
        "Länkar i avsnittet:\n"
        "• Testmyndigheten: https://www.example.org/myndigheten\n"
        "• e-tjänsten för reservkraftsstöd: https://www.example.org/e-tjanst?id=7"
    )
    assert "Länkar" not in source_text(k, section_key(r.doc_id, "2.3 Villkor")).text

    from index.documents import passages

    bodies = [d for d in passages(k) if d.doc == r.doc_id]
    assert all("http" not in d.body and "http" not in " ".join(d.units) for d in bodies)


def test_an_address_given_when_adding_wins_over_the_pages_own(data, tmp_path):
    page = tmp_path / "stod.html"
    page.write_text(PAGE, encoding="utf-8")
    r = add(page, "Stöd till reservkraft", "Testmyndigheten", url="https://example.org/given")
    assert knowledge.load().documents[r.doc_id].url == "https://example.org/given"


# -- Word -------------------------------------------------------------------------------


def _link(paragraph, text: str, url: str) -> None:
    """python-docx reads hyperlinks but has no call to write one: the XML Word writes."""
    from docx.opc.constants import RELATIONSHIP_TYPE
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), paragraph.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, True))
    run, t = OxmlElement("w:r"), OxmlElement("w:t")
    t.text = text
    run.append(t)
    link.append(run)
    paragraph._p.append(link)


def make_docx(path: Path) -> None:
    import docx
    from docx.enum.style import WD_STYLE_TYPE

    d = docx.Document()
    d.add_heading("Syfte", 1)
    d.add_paragraph("Rutinen beskriver hur reservkraften på Österby vårdcentral provas.")
    d.add_heading("Ansvar", 2)
    d.add_paragraph("Driftchefen ansvarar för provkörningen av Österbys verk.", "List Bullet")
    d.add_paragraph("Fastighetsjouren larmas när verket inte startar.", "List Number")
    p = d.add_paragraph("Läs mer i ")
    _link(p, "vägledningen", "https://www.example.org/vagledning")
    p.add_run(".")
    own = d.styles.add_style("Egen rubrik", WD_STYLE_TYPE.PARAGRAPH)
    own.base_style = d.styles["Heading 3"]
    d.add_paragraph("Bränsle", "Egen rubrik")
    d.add_paragraph("Bränslet på Österby vårdcentral ska räcka i fyra dygn.")
    d.add_paragraph("3.1 Rapportering")  # numbered by hand, in the body style
    d.add_paragraph("Provet på Österby rapporteras varje kvartal till samordnaren.")
    table = d.add_table(rows=2, cols=3)
    for cell, text in zip(table.rows[0].cells, ("Verk", "Effekt", "Bränsle"), strict=True):
        cell.text = text
    table.cell(1, 0).merge(table.cell(1, 1)).text = "Österby 1"
    table.cell(1, 2).text = "Diesel"
    d.save(str(path))


def test_a_word_file_keeps_headings_lists_tables_and_links(tmp_path):
    path = tmp_path / "rutin.docx"
    make_docx(path)
    assert extract.kind_of(path) == "docx"
    md = extract.docx_markdown(path)
    assert md.split("\n") == [
        "# Syfte", "",
        "Rutinen beskriver hur reservkraften på Österby vårdcentral provas.", "",
        "## Ansvar", "",
        "- Driftchefen ansvarar för provkörningen av Österbys verk.",
        "- Fastighetsjouren larmas när verket inte startar.", "",
        "Läs mer i [vägledningen](https://www.example.org/vagledning).", "",
        "### Bränsle", "",  # a style based on Heading 3
        "Bränslet på Österby vårdcentral ska räcka i fyra dygn.", "",
        "## 3.1 Rapportering", "",  # its level from its numbering
        "Provet på Österby rapporteras varje kvartal till samordnaren.", "",
        "Verk | Effekt | Bränsle", "",
        "Österby 1 | Diesel",  # a merged cell once
    ]  # fmt: skip
    # without a suffix it is known by its content
    bare = tmp_path / "rutin"
    shutil.copy(path, bare)
    assert extract.kind_of(bare) == "docx"


def test_a_word_file_is_added_from_the_command_line_and_answered(data, tmp_path):
    path = tmp_path / "rutin.docx"
    make_docx(path)
    p = subprocess.run(
        [sys.executable, "-m", "index", "add", str(path), "--title", "Rutin för reservkraft",
         "--publisher", "Region Test"],
        capture_output=True, text=True, timeout=300, cwd=ROOT,
    )  # fmt: skip
    assert p.returncode == 0, p.stderr
    assert p.stdout.startswith("Tillagt: rutin-for-reservkraft (4 avsnitt)")
    k = knowledge.load()
    assert k.documents["rutin-for-reservkraft"].kind == "tillagt dokument (docx)"
    sections = split_sections(k.texts["rutin-for-reservkraft"])
    assert [(s.path, s.level) for s in sections] == [
        (["Syfte"], 1),
        (["Syfte", "Ansvar"], 2),
        (["Syfte", "Ansvar", "Bränsle"], 3),
        (["Syfte", "3.1 Rapportering"], 2),
    ]
    assert sections[1].links == [("vägledningen", "https://www.example.org/vagledning")]
    assert "Österby 1 | Diesel" in sections[3].text and sections[3].page_span() is None
    a = Assistant(k, Searcher(k)).ask("Hur länge ska bränslet på Österby vårdcentral räcka?", TODAY)
    assert "fyra dygn" in a.text
    assert a.sources[0].where() == "Rutin för reservkraft, Bränsle"  # no pages in Word


def test_broken_word_files_are_refused_clearly_and_nothing_is_added(data, tmp_path):
    good = tmp_path / "bra.docx"
    make_docx(good)
    cut = tmp_path / "avklippt.docx"
    cut.write_bytes(good.read_bytes()[: len(good.read_bytes()) // 2])
    not_zip = tmp_path / "text.docx"
    not_zip.write_text("Det här är ingen Word-fil.", encoding="utf-8")
    old = tmp_path / "gammal.docx"
    old.write_bytes(extract.OLE_MAGIC + b"\x00" * 508)
    for path, says in ((cut, "Word-filen kunde inte läsas"), (not_zip, "Word-filen kunde inte"),
                       (old, ".doc-formatet")):  # fmt: skip
        with pytest.raises(IngestError, match=says):
            add(path, "Rutin", "Region Test")
    assert not (data / "added").exists() or not list((data / "added").iterdir())
