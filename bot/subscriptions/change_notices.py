"""Notices when a source document is replaced: which watched deadlines it affects, and
what the subscriber reads. Pure: no Telegram, no database.

A document's version is its `sha256` (set by `python -m index add` for added
documents) or else a hash of its stored text, so replacing a base text counts too.
Documents without a text (the editors' own notes) have no version and are not tracked.

The store (bot/subscriptions/store.py) compares these versions with the ones it saw last and queues
one notice per (chat, source, version); bot/subscriptions/delivery.py sends them with the
same claim-then-send rules as reminders.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from knowledge.models import Knowledge

from ..engine.answer import Answer, Citer
from ..engine.dates import relative, sv_date


@dataclass(frozen=True, order=True)
class NoticeKey:
    """One notice: a chat told once that a source reached a version."""

    chat_id: int
    source_id: str
    version: str


def source_versions(knowledge: Knowledge) -> dict[str, str]:
    """Document id -> version fingerprint, for every document that has a text."""
    versions = {}
    for doc in knowledge.documents.values():
        if doc.sha256:
            versions[doc.id] = doc.sha256
        elif doc.id in knowledge.texts:
            # Same length as the ingest digest; only equality matters.
            versions[doc.id] = hashlib.sha256(knowledge.texts[doc.id].encode()).hexdigest()[:16]
    return versions


def deadlines_by_source(knowledge: Knowledge) -> dict[str, list[str]]:
    """Document id -> ids of the deadlines drawn from it."""
    found: dict[str, list[str]] = defaultdict(list)
    for d in knowledge.deadlines:
        found[d.source.doc].append(d.id)
    return dict(found)


def notice_answer(
    knowledge: Knowledge,
    source_id: str,
    deadline_ids: Iterable[str],
    today: date,
    footer: str | None = None,
) -> Answer | None:
    """The message for one notice, in Swedish, naming the deadlines with their next date as
    the current knowledge states it, and ending in `footer` (where to look further, in
    the front end's words: bot/telegram/texts.py). None when neither the document nor any
    of the deadlines is known any more (nothing true left to say)."""
    doc = knowledge.documents.get(source_id)
    wanted = set(deadline_ids)
    deadlines = [d for d in knowledge.deadlines if d.id in wanted]  # knowledge order
    if doc is None or not deadlines:
        return None
    cite = Citer(knowledge)
    lines = []
    for d in deadlines:
        cite.cite(d.source)
        nxt = d.rule.next_on_or_after(today)
        when = (
            f"Nästa datum: {sv_date(nxt)} ({relative(nxt, today)})."
            if nxt
            else "Fristen har passerat."
        )
        lines.append(f"• {d.short}: {d.title}. {when}")
    which = "Fristen du bevakar" if len(deadlines) == 1 else "Fristerna du bevakar"
    text = (
        f"Källdokumentet ”{doc.title}” har ersatts av en ny version. "
        f"{which} kan ha ändrats:\n" + "\n".join(lines)
    )
    if footer:
        text += "\n\n" + footer
    # No deadline_ids: the chat already watches these, so no "Bevaka" buttons.
    return Answer(text, True, "change-notice", cite.all())
