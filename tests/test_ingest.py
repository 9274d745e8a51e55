"""Adding documents: a generated PDF and an HTML page with facts found nowhere else."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from index import builder, extract
from index.ingest import IngestError, add, candidate_dates, remove
from knowledge.loader import PACKAGE_DATA

ROOT = Path(__file__).resolve().parent.parent


def make_pdf(path: Path) -> None:
    """Two pages with a running header, page numbers and a word hyphenated across lines."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=A4)
    pages = [
        ["Övning Vinterstorm", "",
         "Övningen Vinterstorm genomförs senast den 12 mars 2027 i samverkan med",
         "Kustbevakningen och tre regioner. Syftet är att pröva ledningsför-",
         "mågan vid ett långvarigt elavbrott."],
        ["Reservkraft", "",
         "Varje deltagande region redovisar sitt reservkraftsläge till övningsledningen",
         "senast den 1 februari 2027."],
    ]  # fmt: skip
    for number, lines in enumerate(pages, 1):
        c.setFont("Helvetica", 9)
        c.drawString(72, 800, "TESTMYNDIGHETEN – ÖVNINGSPLAN 2027")
        y = 760
        c.setFont("Helvetica", 11)
        for line in lines:
            c.drawString(72, y, line)
            y -= 16
        c.setFont("Helvetica", 9)
        c.drawString(290, 40, str(number))
        c.showPage()
    c.save()


HTML = """<!doctype html><html><head><title>Riktlinje reservkraft</title>
<script>var tracking = 1;</script></head><body><nav>Meny Start Kontakt</nav><main>
<h1>Riktlinje för reservkraft på sjukhus</h1>
<p>Reservkraftverken på regionens sjukhus ska provköras {interval} med full last.</p>
<h2>Ansvar</h2><ul><li>Driftchefen ansvarar för provkörningen.</li></ul>
</main><footer>Sidfot</footer></body></html>"""


@pytest.fixture
def data(tmp_path, monkeypatch) -> Path:
    root = tmp_path / "knowledge"
    shutil.copytree(PACKAGE_DATA, root)
    monkeypatch.setenv("KNOWLEDGE_DIR", str(root))
    monkeypatch.setenv("INDEX_DIR", str(tmp_path / "index"))
    return root


def ask(question: str) -> dict:
    p = subprocess.run(
        [sys.executable, "-m", "bot", "ask", "--json", "--today", "2026-11-24", question],
        capture_output=True, text=True, timeout=120, cwd=ROOT,
        env={**os.environ, "TELEGRAM_BOT_TOKEN": ""},
    )  # fmt: skip
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout)


def test_pdf_and_html_are_added_answered_and_reindexed_incrementally(data, tmp_path):
    pdf = tmp_path / "ovningsplan.pdf"
    make_pdf(pdf)
    r = add(pdf, "Övningsplan Vinterstorm 2027", "Testmyndigheten")
    assert r.status == "added" and r.doc_id == "ovningsplan-vinterstorm-2027"
    assert [c.when for c in r.candidates] == [
        "senast den 12 mars 2027",
        "senast den 1 februari 2027",
    ]
    text = (data / "added" / f"{r.doc_id}.md").read_text(encoding="utf-8")
    assert "ledningsförmågan" in text  # hyphenation across lines repaired
    assert "TESTMYNDIGHETEN" not in text  # running header removed

    page = tmp_path / "reservkraft.html"
    page.write_text(HTML.format(interval="var fjortonde dag"), encoding="utf-8")
    h = add(page, "Riktlinje för reservkraft", "Region Test", url="https://example.org/rk")
    assert h.status == "added"
    assert "tracking" not in (data / "added" / f"{h.doc_id}.md").read_text(encoding="utf-8")

    a = ask("När genomförs övningen Vinterstorm?")
    assert a["answered"] and "12 mars 2027" in a["answer"]
    assert a["sources"][0]["title"] == "Övningsplan Vinterstorm 2027"
    b = ask("Hur ofta ska reservkraftverken provköras?")
    assert "var fjortonde dag" in b["answer"]
    assert b["sources"][0] == {
        "title": "Riktlinje för reservkraft", "section": "Riktlinje för reservkraft på sjukhus",
        "url": "https://example.org/rk",
    }  # fmt: skip

    home = builder.index_home()
    generation = (home / builder.CURRENT).read_text()
    again = add(pdf, "Övningsplan Vinterstorm 2027", "Testmyndigheten")
    assert again.status == "unchanged"
    assert (home / builder.CURRENT).read_text() == generation  # nothing re-indexed

    page.write_text(HTML.format(interval="varje vecka"), encoding="utf-8")
    with pytest.raises(IngestError, match="--replace"):
        add(page, "Riktlinje för reservkraft", "Region Test")  # never replaced unasked
    changed = add(page, "Riktlinje för reservkraft", "Region Test", replace=True)
    assert changed.status == "replaced"
    meta = builder.read_meta(changed.index_path)
    assert meta["reindexed"] == [f"doc:{h.doc_id}"]  # only the changed file
    assert "varje vecka" in ask("Hur ofta ska reservkraftverken provköras?")["answer"]

    remove(h.doc_id)
    assert not (data / "added" / f"{h.doc_id}.yaml").exists()


def test_bad_files_are_refused_clearly(data, tmp_path):
    broken = tmp_path / "trasig.pdf"
    broken.write_bytes(b"%PDF-1.4 not really a pdf")
    with pytest.raises(IngestError, match="PDF-filen"):
        add(broken, "Trasig", "X")
    empty = tmp_path / "tom.html"
    empty.write_text("<html><body><script>x</script></body></html>", encoding="utf-8")
    with pytest.raises(IngestError, match="ingen text"):
        add(empty, "Tom", "X")
    with pytest.raises(IngestError, match="grunddokumenten"):
        remove("msb-samlat-stod")
    assert not (data / "added").exists() or not any((data / "added").glob("*.yaml"))


def test_candidate_dates_keep_their_sentences():
    found = candidate_dates(
        "Rapporten lämnas senast den 31 mars 2025. Ersättningen betalas "
        "ut senast i juni. Inget datum här."
    )
    assert [(c.when, c.sentence) for c in found] == [
        ("senast den 31 mars 2025", "Rapporten lämnas senast den 31 mars 2025."),
        ("senast i juni", "Ersättningen betalas ut senast i juni."),
    ]
    # a heading without a full stop does not run on into the sentence under it
    found = candidate_dates("# Plan 2027\n\n## Övning\nÖvningen hålls senast den 12 mars\n2027.")
    assert [c.sentence for c in found] == ["Övningen hålls senast den 12 mars 2027."]


def test_html_structure_survives():
    md = extract.html_markdown(HTML.format(interval="ofta"))
    assert md.splitlines()[0] == "# Riktlinje för reservkraft på sjukhus"
    assert "## Ansvar" in md and "- Driftchefen ansvarar för provkörningen." in md
    assert "Meny" not in md and "Sidfot" not in md


def _md(tmp_path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(f"# Rubrik\n\n## Avsnitt\n\n{text}\n", encoding="utf-8")
    return path


def test_an_id_that_would_leave_the_knowledge_folder_is_refused(data, tmp_path):
    doc = _md(tmp_path, "a.md", "Övningen hålls i mars.")
    for bad in ("../../evil", "a/b", "..", "Stora-Bokstäver", "-x", ""):
        with pytest.raises(IngestError, match="Ogiltigt id"):
            add(doc, "Plan", "Region Test", doc_id=bad)
    assert not list(tmp_path.rglob("evil*"))
    with pytest.raises(IngestError, match="Inget dokument"):
        remove("../sources")
    assert (data / "sources.yaml").is_file()


def test_documents_never_take_over_each_others_ids(data, tmp_path):
    long = "Överenskommelse om hälso- och sjukvårdens arbete med civilt försvar"
    first = add(_md(tmp_path, "a.md", "Text för 2023."), f"{long} 2023", "SKR")
    second = add(_md(tmp_path, "b.md", "Text för 2024."), f"{long} 2024", "SKR")
    assert first.status == second.status == "added" and first.doc_id != second.doc_id
    assert len(first.doc_id) <= 60
    greek = [add(_md(tmp_path, f"g{i}.md", f"Text {i}."), t, "X") for i, t in
             enumerate(["Σχέδιο ένα", "Σχέδιο δύο"])]  # fmt: skip
    assert greek[0].doc_id != greek[1].doc_id
    # a different title that makes the same slug gets an id of its own
    a = add(_md(tmp_path, "c.md", "Plan A."), "Plan: reservkraft", "X")
    b = add(_md(tmp_path, "d.md", "Plan B."), "Plan – reservkraft", "X")
    assert (a.doc_id, b.doc_id) == ("plan-reservkraft", "plan-reservkraft-2")
    texts = {p.read_text(encoding="utf-8") for p in (data / "added").glob("*.md")}
    assert all(any(f"Text för {y}" in t for t in texts) for y in ("2023", "2024"))


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "index", *args], capture_output=True,
                          text=True, timeout=120, cwd=ROOT)  # fmt: skip


def test_broken_and_locked_pdfs_are_one_clear_line(data, tmp_path):
    from pypdf import PdfReader, PdfWriter

    good = tmp_path / "bra.pdf"
    make_pdf(good)
    locked = tmp_path / "last.pdf"
    w = PdfWriter()
    for page in PdfReader(good).pages:
        w.add_page(page)
    w.encrypt("hemligt")
    with locked.open("wb") as fh:
        w.write(fh)
    cut = tmp_path / "avklippt.pdf"
    cut.write_bytes(good.read_bytes()[: len(good.read_bytes()) // 3])
    for path, says in ((locked, "lösenordsskyddad"), (cut, "PDF-filen")):
        p = _cli("add", str(path), "--title", "Plan", "--publisher", "X")
        assert p.returncode == 2, (path.name, p.stderr)
        assert says in p.stderr and "Traceback" not in p.stderr, p.stderr
        assert len(p.stderr.strip().splitlines()) == 1
    assert not (data / "added").exists() or not list((data / "added").iterdir())


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-8-sig"])
def test_text_files_in_utf16_or_with_a_bom_are_read_as_text(data, tmp_path, encoding):
    path = tmp_path / "plan.txt"
    path.write_text("Plan för reservkraft\n\nReservkraften provköras var fjortonde dag.\n",
                    encoding=encoding)  # fmt: skip
    r = add(path, "Plan för reservkraft", "Region Test")
    stored = (data / "added" / f"{r.doc_id}.md").read_text(encoding="utf-8")
    assert "provköras var fjortonde dag" in stored and "\x00" not in stored
    assert "\ufeff" not in stored
