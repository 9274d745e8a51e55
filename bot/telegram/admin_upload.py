"""An admin adds a document by sending it to the bot: the file, then title, publisher,
date and web address asked for one at a time in the chat, then the same ingestion as
`python -m index add`, and the running bot switched to the new knowledge.

The conversation is python-telegram-bot's ConversationHandler; what is asked and what
the result says are plain functions below, testable without Telegram."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import re
import shutil
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from telegram import Update
from telegram.ext import (
    CommandHandler,
    ContextTypes,
    ConversationHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from index import ingest

from ..engine.answer import Answer
from ..engine.dates import today
from .services import reload_assistant, reply, services
from .updates import message_of, text_of

log = logging.getLogger(__name__)

MAX_BYTES = 20 * 1024 * 1024  # what the Bot API lets a bot download
UPLOAD_TIMEOUT = 30 * 60  # seconds an admin may leave a question unanswered
UPLOAD_PREFIX = "beredskapsboten-upload-"  # the temporary folders of files being added
SUFFIXES = (".pdf", ".docx", ".html", ".htm", ".xhtml", ".txt", ".md", ".markdown")
# A file sent without a known suffix is taken by its MIME type (what Telegram was told)
MIME_SUFFIXES = {
    "application/pdf": ".pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "text/html": ".html",
    "application/xhtml+xml": ".xhtml",
    "text/plain": ".txt",
    "text/markdown": ".md",
}
SKIP = ("-", "–", "nej", "inget", "ingen", "hoppa över")

TITLE, PUBLISHER, DATE, URL = range(4)
ASK = {
    TITLE: "Vad heter dokumentet? Skriv titeln (eller /avbryt).",
    PUBLISHER: "Vem har gett ut det? Till exempel MSB, SKR, Socialstyrelsen eller regeringen.",
    DATE: "Vilket datum har dokumentet? Skriv ÅÅÅÅ-MM-DD, eller ”-” om det saknas.",
    URL: "Var finns det på webben? Skriv adressen (https://…), eller ”-” om den saknas.",
}


@dataclass
class Draft:
    """What the admin has told so far; the file waits in a private temporary folder."""

    path: Path
    title: str = ""
    publisher: str = ""
    date: dt.date | None = None
    url: str | None = None

    def discard(self) -> None:
        shutil.rmtree(self.path.parent, ignore_errors=True)


def upload_name(name: str, mime: str | None) -> str:
    """The file's name, with the suffix its MIME type names when it has none we know."""
    name = Path(name or "dokument").name
    suffix = MIME_SUFFIXES.get((mime or "").split(";")[0].strip().casefold())
    if name.casefold().endswith(SUFFIXES) or suffix is None:
        return name
    return name + suffix


def refuse_file(name: str, size: int | None) -> str | None:
    """Why a file cannot be taken, or None."""
    if name.casefold().endswith(".doc"):
        return (
            "Äldre Word-filer (.doc) kan jag inte läsa. Spara dokumentet som .docx "
            "(Arkiv › Spara som › Word-dokument) och skicka det igen."
        )
    if not name.casefold().endswith(SUFFIXES):
        return (
            "Jag kan lägga till PDF, Word (.docx), HTML, text och Markdown – inte den här filtypen."
        )
    if size and size > MAX_BYTES:
        return "Filen är större än 20 MB, som är gränsen för filer via Telegram."
    return None


def parse_date(text: str) -> dt.date | None | str:
    """A date, None for "none", or the Swedish complaint."""
    if text.strip().casefold() in SKIP:
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        return "Datumet ska skrivas ÅÅÅÅ-MM-DD, till exempel 2025-03-31 (eller ”-”)."


def parse_url(text: str) -> str | None | Literal[False]:
    """An http(s) address, None for "none", or False when it is not one."""
    if text.strip().casefold() in SKIP:
        return None
    url = text.strip()
    return url if re.fullmatch(r"https?://[^\s<>\"]+\.[^\s<>\"]+", url) else False


def summary(r: ingest.AddResult) -> str:
    verb = {"added": "Tillagt", "replaced": "Ersatt", "unchanged": "Oförändrat"}[r.status]
    lines = [f"{verb}: {r.doc_id} ({r.sections} avsnitt)."]
    if r.status == "unchanged":
        lines.append("Samma innehåll som redan finns – inget omindexerat.")
    else:
        lines.append("Frågor besvaras nu också från dokumentet.")
    if r.affected_deadlines:
        lines.append(
            "Frister med dokumentet som källa (bevakarna meddelas vid nästa körning): "
            + ", ".join(r.affected_deadlines)
        )
    if r.candidates:
        lines.append(
            f"{len(r.candidates)} möjliga datum i texten – frister läggs in för hand i "
            "knowledge/data/deadlines.yaml om de gäller:"
        )
        lines += [f"• {c.when}: {c.sentence[:160]}" for c in r.candidates[:10]]
        if len(r.candidates) > 10:
            lines.append(f"… och {len(r.candidates) - 10} till (python -m index add visar alla).")
    return "\n".join(lines)


# -- the conversation -------------------------------------------------------------------


def _user_data(context: ContextTypes.DEFAULT_TYPE) -> dict:
    """The admin's own data (a private chat's conversation always has a user)."""
    user_data = context.user_data
    assert user_data is not None
    return user_data


def _say(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str, answered=True):
    return reply(update, context, Answer(text, answered, "admin"))


async def got_file(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """An admin's file in a private chat: fetched, then the title is asked for."""
    doc = message_of(update).document
    assert doc is not None, "the upload conversation starts on a document"
    name = upload_name(doc.file_name or "dokument", doc.mime_type)
    problem = refuse_file(name, doc.file_size)
    if problem:
        await _say(update, context, problem, answered=False)
        return ConversationHandler.END
    _drop(context)
    folder = Path(tempfile.mkdtemp(prefix=UPLOAD_PREFIX))
    path = folder / re.sub(r"[^\w.-]", "_", name)
    file = await context.bot.get_file(doc.file_id)
    await file.download_to_drive(path)
    _user_data(context)["draft"] = Draft(path)
    await _say(update, context, f"Tack, jag har tagit emot {name}. " + ASK[TITLE])
    return TITLE


async def got_title(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    _user_data(context)["draft"].title = text_of(update).strip()
    await _say(update, context, ASK[PUBLISHER])
    return PUBLISHER


async def got_publisher(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    _user_data(context)["draft"].publisher = text_of(update).strip()
    await _say(update, context, ASK[DATE])
    return DATE


async def got_date(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    value = parse_date(text_of(update))
    if isinstance(value, str):
        await _say(update, context, value, answered=False)
        return DATE
    _user_data(context)["draft"].date = value
    await _say(update, context, ASK[URL])
    return URL


async def got_url(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """The last answer: the document is added and the bot switched to the new knowledge;
    a refused document leaves everything as it was."""
    value = parse_url(text_of(update))
    if value is False:
        await _say(update, context, "Det ser inte ut som en webbadress. " + ASK[URL], False)
        return URL
    draft: Draft = _user_data(context).pop("draft")
    draft.url = value
    await _say(update, context, "Lägger till och indexerar …")
    s = services(context)
    try:
        result = await asyncio.to_thread(
            ingest.add, draft.path, draft.title, draft.publisher, draft.date, draft.url,
            today=today(s.clock),
        )  # fmt: skip
    except ValueError as exc:  # IngestError, or the knowledge refusing the new entry
        await _say(
            update, context,
            f"Dokumentet kunde inte läggas till: {exc}\nInget har ändrats i kunskapsbasen.",
            False,
        )  # fmt: skip
        return ConversationHandler.END
    finally:
        draft.discard()
    log.info("Document %s %s by an admin", result.doc_id, result.status)
    text = summary(result)
    if result.status != "unchanged":
        fresh = await reload_assistant(context)
        if not fresh.answered:
            text += "\n" + fresh.text
    await _say(update, context, text)
    return ConversationHandler.END


def _drop(context: ContextTypes.DEFAULT_TYPE) -> None:
    draft = _user_data(context).pop("draft", None)
    if draft:
        draft.discard()


async def cancel(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """/avbryt: the file is thrown away, nothing is added."""
    _drop(context)
    await _say(update, context, "Avbrutet – inget dokument lades till.")
    return ConversationHandler.END


async def timed_out(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """No answer within UPLOAD_TIMEOUT: the file is thrown away and the admin told."""
    _drop(context)
    if isinstance(update, Update) and update.effective_chat:
        await context.bot.send_message(
            update.effective_chat.id,
            f"Uppladdningen avbröts efter {UPLOAD_TIMEOUT // 60} minuter utan svar; filen är "
            "borttagen och inget dokument lades till. Skicka den igen för att börja om.",
        )


def discard_all(user_data: Mapping[int, Any]) -> int:
    """At shutdown: every file still waiting for its answers is deleted."""
    dropped = 0
    for data in user_data.values():
        draft = data.pop("draft", None) if isinstance(data, dict) else None
        if draft:
            draft.discard()
            dropped += 1
    return dropped


def remove_stale_uploads(older_than: float = UPLOAD_TIMEOUT) -> int:
    """At start: folders a crash left behind (older than a conversation can live)."""
    removed = 0
    now = time.time()
    for folder in Path(tempfile.gettempdir()).glob(f"{UPLOAD_PREFIX}*"):
        try:
            if folder.is_dir() and now - folder.stat().st_mtime > older_than:
                shutil.rmtree(folder, ignore_errors=True)
                removed += 1
        except OSError:
            continue
    return removed


async def expected_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Something other than the answer asked for (a command, a photo): say what is awaited."""
    await _say(update, context, "Jag väntar på ett svar i text, eller /avbryt.", False)


def upload_conversation(admin_ids: frozenset[int]) -> ConversationHandler:
    """Only admins, only in private chats; others' files get the usual note that only
    text is read."""
    answer = filters.TEXT & ~filters.COMMAND & filters.UpdateType.MESSAGE
    from_admin = filters.User(user_id=admin_ids) & filters.ChatType.PRIVATE
    return ConversationHandler(
        entry_points=[MessageHandler(from_admin & filters.Document.ALL, got_file)],
        states={
            TITLE: [MessageHandler(answer, got_title)],
            PUBLISHER: [MessageHandler(answer, got_publisher)],
            DATE: [MessageHandler(answer, got_date)],
            URL: [MessageHandler(answer, got_url)],
            ConversationHandler.TIMEOUT: [TypeHandler(Update, timed_out)],
        },
        fallbacks=[
            CommandHandler("avbryt", cancel),
            MessageHandler(filters.UpdateType.MESSAGE & ~filters.Document.ALL, expected_text),
        ],
        allow_reentry=True,  # a new file starts over
        conversation_timeout=UPLOAD_TIMEOUT,
        name="admin-upload",
    )
