"""An admin adds a document by sending it to the bot (end to end through the fake Bot
API), and the pieces of that conversation on their own."""

from __future__ import annotations

import datetime as dt
import shutil
from datetime import datetime

import pytest
from telegram_harness import MutableClock, running_bot
from test_ingest import make_pdf
from test_ingest_structure import make_docx

import knowledge
from bot.engine.assistant import Assistant
from bot.engine.dates import STOCKHOLM
from bot.telegram.admin_upload import (
    ASK,
    DATE,
    PUBLISHER,
    TITLE,
    URL,
    parse_date,
    parse_url,
    refuse_file,
    upload_name,
)
from bot.telegram.handlers import NOT_TEXT
from knowledge.loader import PACKAGE_DATA

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=STOCKHOLM)
ADMIN, USER = 999, 111


def test_dates_addresses_and_files_are_checked():
    assert parse_date("2027-03-12") == dt.date(2027, 3, 12)
    assert parse_date(" - ") is None and parse_date("inget") is None
    assert "ÅÅÅÅ-MM-DD" in parse_date("12 mars")
    assert parse_url("https://www.msb.se/x") == "https://www.msb.se/x"
    assert parse_url("-") is None
    assert parse_url("msb") is False and parse_url("javascript:alert(1)") is False
    assert refuse_file("plan.PDF", 1000) is None and refuse_file("sida.html", None) is None
    assert "filtypen" in refuse_file("virus.exe", 10)
    assert "20 MB" in refuse_file("stor.pdf", 21 * 1024 * 1024)
    assert refuse_file("rutin.DOCX", 1000) is None
    assert "spara dokumentet som .docx" in refuse_file("gammal.doc", 1000).casefold()
    assert "Word (.docx)" in refuse_file("bild.png", 10)


def test_a_file_without_a_suffix_is_named_by_its_mime_type():
    assert upload_name("rutin", DOCX) == "rutin.docx"
    assert upload_name("Plan", "application/pdf; charset=binary") == "Plan.pdf"
    assert upload_name("plan.pdf", "text/plain") == "plan.pdf"  # its own suffix stands
    assert upload_name("arkiv", "application/zip") == "arkiv"  # and is then refused
    assert upload_name("../../etc/passwd", None) == "passwd"


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture
def data(tmp_path, monkeypatch):
    """The bot's own knowledge folder and index, as in a deployment."""
    root = tmp_path / "knowledge"
    shutil.copytree(PACKAGE_DATA, root)
    monkeypatch.setenv("KNOWLEDGE_DIR", str(root))
    monkeypatch.setenv("INDEX_DIR", str(tmp_path / "index"))
    return root


async def answers(api, chat, count):
    return [c.text for c in await api.wait_for("sendMessage", chat, count=count, timeout=30)]


async def test_an_admin_sends_a_pdf_and_it_is_answered_from_at_once(api, tmp_path, data):
    pdf = tmp_path / "ovningsplan.pdf"
    make_pdf(pdf)
    async with running_bot(
        api, tmp_path / "b.sqlite3", Assistant.create(), MutableClock(NOW),
        admin_ids=frozenset({ADMIN}), reload=Assistant.create,
    ) as bot:  # fmt: skip
        before = await api.reply_to(USER, "När genomförs övningen Vinterstorm?")
        assert "Vinterstorm" not in before.text or "vet jag inte" in before.text

        api.push_document(ADMIN, pdf.name, pdf.read_bytes(), "application/pdf")
        assert (await answers(api, ADMIN, 1))[0].endswith(ASK[TITLE])
        assert [c.params["file_path"] for c in api.attempts("download")] == [
            "documents/file1_ovningsplan.pdf"
        ]
        api.push_text(ADMIN, "Övningsplan 2027")
        assert (await answers(api, ADMIN, 2))[1] == ASK[PUBLISHER]
        api.push_text(ADMIN, "Testmyndigheten")
        assert (await answers(api, ADMIN, 3))[2] == ASK[DATE]
        api.push_text(ADMIN, "12 mars")  # not a date: asked again
        assert "ÅÅÅÅ-MM-DD" in (await answers(api, ADMIN, 4))[3]
        api.push_text(ADMIN, "2026-11-20")
        assert (await answers(api, ADMIN, 5))[4] == ASK[URL]
        api.push_text(ADMIN, "-")
        done = (await answers(api, ADMIN, 7))[6]
        assert done.startswith("Tillagt: ovningsplan-2027 (")
        assert "12 mars 2027" in done and "1 februari 2027" in done  # candidate dates

        after = await api.reply_to(USER, "När genomförs övningen Vinterstorm?")
        assert "12 mars 2027" in after.text and "Övningsplan 2027" in after.text
        k = knowledge.load(data)
        assert k.documents["ovningsplan-2027"].publisher == "Testmyndigheten"
        assert "status" not in after.text  # nothing of the admin's leaks to users
        assert bot.store.subscriptions() == []


async def test_others_files_are_not_taken_and_cancel_leaves_nothing(api, tmp_path, data):
    pdf = tmp_path / "plan.pdf"
    make_pdf(pdf)
    documents_before = set(knowledge.load(data).documents)
    async with running_bot(
        api, tmp_path / "b.sqlite3", Assistant.create(), MutableClock(NOW),
        admin_ids=frozenset({ADMIN}), reload=Assistant.create,
    ):  # fmt: skip
        api.push_document(USER, pdf.name, pdf.read_bytes(), "application/pdf")
        assert (await answers(api, USER, 1)) == [NOT_TEXT]
        api.push_document(ADMIN, "program.exe", b"MZ", "application/octet-stream")
        assert "filtypen" in (await answers(api, ADMIN, 1))[0]
        api.push_document(ADMIN, pdf.name, pdf.read_bytes(), "application/pdf")
        await answers(api, ADMIN, 2)
        api.push_text(ADMIN, "/frister")  # a command mid-conversation: told what is awaited
        assert "/avbryt" in (await answers(api, ADMIN, 3))[2]
        api.push_text(ADMIN, "/avbryt")
        assert "inget dokument lades till" in (await answers(api, ADMIN, 4))[3]
        api.push_text(ADMIN, "Övningsplan")  # after /avbryt: an ordinary question again
        assert "Vad heter dokumentet" not in (await answers(api, ADMIN, 5))[4]
        assert api.attempts("download") and not api.sent("download", USER)
    assert set(knowledge.load(data).documents) == documents_before


def _upload_folders() -> set:
    import tempfile
    from pathlib import Path

    from bot.telegram.admin_upload import UPLOAD_PREFIX

    return set(Path(tempfile.gettempdir()).glob(f"{UPLOAD_PREFIX}*"))


async def test_an_abandoned_upload_times_out_and_leaves_no_file(api, tmp_path, data, monkeypatch):
    from bot.telegram import admin_upload

    monkeypatch.setattr(admin_upload, "UPLOAD_TIMEOUT", 1)
    pdf = tmp_path / "plan.pdf"
    make_pdf(pdf)
    before = _upload_folders()
    async with running_bot(
        api, tmp_path / "b.sqlite3", Assistant.create(), MutableClock(NOW),
        admin_ids=frozenset({ADMIN}), reload=Assistant.create,
    ):  # fmt: skip
        api.push_document(ADMIN, pdf.name, pdf.read_bytes(), "application/pdf")
        assert ASK[TITLE] in (await answers(api, ADMIN, 1))[0]
        assert _upload_folders() - before  # the file waits in its folder
        told = (await answers(api, ADMIN, 2))[1]  # nothing answered: the timeout speaks
        assert "avbröts" in told and "inget dokument lades till" in told
        assert not _upload_folders() - before
        api.push_text(ADMIN, "Övningsplan")  # an ordinary question again, not a title
        assert "Vad heter dokumentet" not in (await answers(api, ADMIN, 3))[2]


async def test_an_upload_left_at_shutdown_is_deleted(api, tmp_path, data):
    pdf = tmp_path / "plan.pdf"
    make_pdf(pdf)
    before = _upload_folders()
    async with running_bot(
        api, tmp_path / "b.sqlite3", Assistant.create(), MutableClock(NOW),
        admin_ids=frozenset({ADMIN}), reload=Assistant.create,
    ):  # fmt: skip
        api.push_document(ADMIN, pdf.name, pdf.read_bytes(), "application/pdf")
        await answers(api, ADMIN, 1)
        assert _upload_folders() - before
    assert not _upload_folders() - before


def test_folders_a_crash_left_are_removed_at_start(tmp_path):
    import os
    import tempfile
    import time

    from bot.telegram.admin_upload import UPLOAD_PREFIX, UPLOAD_TIMEOUT, remove_stale_uploads

    old = tempfile.mkdtemp(prefix=UPLOAD_PREFIX)
    fresh = tempfile.mkdtemp(prefix=UPLOAD_PREFIX)
    then = time.time() - UPLOAD_TIMEOUT - 60
    os.utime(old, (then, then))
    try:
        assert remove_stale_uploads() >= 1
        assert not os.path.exists(old) and os.path.exists(fresh)
    finally:
        shutil.rmtree(fresh, ignore_errors=True)


async def test_an_admin_sends_word_files_a_broken_one_changes_nothing(api, tmp_path, data):
    good = tmp_path / "rutin.docx"
    make_docx(good)
    broken = good.read_bytes()[:2000]
    documents_before = set(knowledge.load(data).documents)
    async with running_bot(
        api, tmp_path / "b.sqlite3", Assistant.create(), MutableClock(NOW),
        admin_ids=frozenset({ADMIN}), reload=Assistant.create,
    ):  # fmt: skip

        async def upload(name: str, content: bytes, done: int) -> str:
            api.push_document(ADMIN, name, content, DOCX)
            for n, reply in enumerate(("Rutin för reservkraft", "Region Test", "-", "-")):
                await answers(api, ADMIN, done + n + 1)
                api.push_text(ADMIN, reply)
            return (await answers(api, ADMIN, done + 6))[-1]

        failed = await upload("rutin.docx", broken, 0)
        assert failed.startswith("Dokumentet kunde inte läggas till: Word-filen kunde inte läsas")
        assert failed.endswith("Inget har ändrats i kunskapsbasen.")
        assert set(knowledge.load(data).documents) == documents_before

        added = await upload("rutin", good.read_bytes(), 6)  # no suffix: its MIME type says
        assert added.startswith("Tillagt: rutin-for-reservkraft (4 avsnitt)")
        after = await api.reply_to(USER, "Hur länge ska bränslet på Österby vårdcentral räcka?")
        assert "fyra dygn" in after.text and "Rutin för reservkraft, Bränsle" in after.text
