"""What the admin commands say: /status (how much is stored, how old the index is) and
/omindexera (reload the knowledge base and bring the index up to date). No Telegram here."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from knowledge import KnowledgeError

from .engine.answer import Answer
from .engine.dates import STOCKHOLM
from .subscriptions.feedback import KEPT_DAYS
from .subscriptions.store_base import FeedbackCounts, SectionVotes, Store, StoreUnavailable


def _age(seconds: float) -> str:
    minutes = int(seconds // 60)
    if minutes < 1:
        return "nyss"
    if minutes < 120:
        return f"för {minutes} min sedan"
    hours = minutes // 60
    return f"för {hours} timmar sedan" if hours < 48 else f"för {hours // 24} dagar sedan"


def _index_line(assistant: Any, now: datetime) -> str:
    searcher = assistant.searcher
    built = datetime.fromtimestamp(searcher.built, STOCKHOLM)
    age = _age((now - built).total_seconds())
    return f"• Sökindex: byggt {built:%Y-%m-%d %H:%M} ({age}), {searcher.passages} textavsnitt"


def _votes(v: SectionVotes) -> str:
    return f"{v.down} 👎, {v.up} 👍"


def feedback_lines(counts: FeedbackCounts, knowledge: Any) -> list[str]:
    """The votes of the last year, and the sections with the most 👎 first: where the
    answers are weakest (a document removed since is named by its id)."""
    if not (counts.up or counts.down):
        return ["• Omdömen om svaren (senaste året): inga ännu"]
    lines = [f"• Omdömen om svaren (senaste året): {counts.up} 👍, {counts.down} 👎"]
    if counts.worst:
        lines.append("  Avsnitt med flest 👎:")
    for v in counts.worst:
        doc = knowledge.documents.get(v.doc)
        lines.append(f"  – {doc.title if doc else v.doc}, {v.section}: {_votes(v)}")
    if counts.uncited.up or counts.uncited.down:
        lines.append(f"  Svar utan källa (t.ex. ”vet inte”): {_votes(counts.uncited)}")
    return lines


def status(assistant: Any, store: Store, now: datetime) -> Answer:
    """Counts only - never which chat watches what, nor whose a vote was."""
    c = store.counts()
    day = now.astimezone(STOCKHOLM).date()
    votes = store.feedback_counts(since=day - timedelta(days=KEPT_DAYS))
    k = assistant.knowledge
    try:
        store.check()
        problem = []
    except StoreUnavailable as exc:
        problem = [f"• ⚠️ {exc}"]
    try:
        c = store.counts()
        counted = [
            f"• Bevakningar: {c.subscriptions} i {c.chats} chattar",
            f"• Påminnelser skickade: {c.reminders_sent}; obekräftade (avbruten körning): "
            f"{c.unconfirmed_claims}",
        ]
    except StoreUnavailable:  # a database server that is down: said by the line above
        counted = []
    lines = [
        "Status för Beredskapsboten",
        *problem,
        *counted,
        _index_line(assistant, now),
        f"• Kunskapsbas: {len(k.documents)} dokument, {len(k.deadlines)} frister, "
        f"{len(k.areas)} områden, {len(k.regions)} regioner",
        *feedback_lines(votes, k),
    ]
    return Answer("\n".join(lines), True, "admin")


def reindex(load: Callable[[], Any], now: Callable[[], datetime]) -> tuple[Any | None, Answer]:
    """Load the knowledge base afresh and open its index (rebuilt only where sources
    changed). On an error in the knowledge files the new version is refused and the
    running one kept: the answer names the file and entry to fix."""
    started = time.perf_counter()
    try:
        fresh = load()
    except KnowledgeError as exc:
        text = f"Omindexeringen avbröts – boten fortsätter med den tidigare kunskapsbasen.\n{exc}"
        return None, Answer(text, False, "admin")
    seconds = time.perf_counter() - started
    text = (
        f"Omindexerat på {seconds:.1f} s.\n{_index_line(fresh, now())}\n"
        f"• Kunskapsbas: {len(fresh.knowledge.documents)} dokument, "
        f"{len(fresh.knowledge.deadlines)} frister"
    )
    return fresh, Answer(text, True, "admin")
