"""In-process answer latency: ours and two baselines over the same questions and passages."""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from whoosh import fields
from whoosh.analysis import LanguageAnalyzer
from whoosh.filedb.filestore import RamStorage
from whoosh.qparser import OrGroup, QueryParser

from index.documents import IndexDoc, all_documents

from .questions import Item, passes

TODAY = date(2026, 11, 24)  # the eval's "today"
Answerer = Callable[[str], tuple[str, bool]]  # question -> (answer text, answered)


@dataclass
class Latency:
    p50_ms: float
    p95_ms: float
    max_ms: float
    n: int


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    s = sorted(values)
    k = max(0, min(len(s) - 1, round(p / 100 * len(s) + 0.5) - 1))
    return s[k]


def measure(answer: Answerer, questions: list[str], rounds: int = 1) -> Latency:
    """Each question once for warm-up, then `rounds` timed passes."""
    for q in questions:
        answer(q)
    times = []
    for _ in range(rounds):
        for q in questions:
            t0 = time.perf_counter()
            answer(q)
            times.append((time.perf_counter() - t0) * 1000)
    return Latency(percentile(times, 50), percentile(times, 95), max(times), len(times))


def first_pass(answer: Answerer, questions: list[str]) -> Latency:
    """Each question once with nothing warmed up by it before (the postings cache fills)."""
    times = []
    for q in questions:
        t0 = time.perf_counter()
        answer(q)
        times.append((time.perf_counter() - t0) * 1000)
    return Latency(percentile(times, 50), percentile(times, 95), max(times), len(times))


def score(answer: Answerer, items: list[Item]) -> int:
    return sum(passes(it, *answer(it.q)) for it in items)


def ours(assistant) -> Answerer:
    def answer(q: str) -> tuple[str, bool]:
        a = assistant.ask(q, TODAY)
        return a.full_text(), a.answered

    return answer


def _text(d: IndexDoc) -> str:
    return f"{d.title}\n{d.body}\n{d.keywords}"


class WhooshBaseline:
    """Plain Whoosh: stock Swedish stemming analyzer, one text field, BM25F, the best
    passage's text as the answer (nothing when nothing matches)."""

    def __init__(self, knowledge):
        schema = fields.Schema(
            id=fields.ID(stored=True), body=fields.STORED,
            content=fields.TEXT(analyzer=LanguageAnalyzer("sv")),
        )  # fmt: skip
        self.ix = RamStorage().create_index(schema)
        w = self.ix.writer()
        for d in all_documents(knowledge):
            w.add_document(id=d.id, body=_text(d), content=_text(d))
        w.commit()
        self.searcher = self.ix.searcher()
        self.parser = QueryParser("content", schema, group=OrGroup)

    def __call__(self, q: str) -> tuple[str, bool]:
        clean = " ".join(re.findall(r"\w+", q))  # no query syntax from the user
        hits = self.searcher.search(self.parser.parse(clean), limit=1)
        return (hits[0]["body"], True) if hits else ("", False)


class DenseBaseline:
    """Semantic search alone: the same model and sentence vectors as ours, the text
    holding the sentence closest to the question as the answer (it always answers)."""

    def __init__(self, searcher):
        from index.embedding import embedder

        self.searcher = searcher
        self.embedder = embedder()

    def __call__(self, q: str) -> tuple[str, bool]:
        d = self.searcher.dense(self.embedder.query(q))
        r = self.searcher.stored(int(d.best.argmax()))
        return f"{r['title']}\n{r['body']}", True


class Fts5Baseline:
    """SQLite FTS5 from the standard library over the same passages, bm25() ranking."""

    def __init__(self, knowledge):
        self.db = sqlite3.connect(":memory:")
        self.db.execute(
            "CREATE VIRTUAL TABLE p USING fts5(title, body, keywords, "
            "tokenize='unicode61 remove_diacritics 0')"
        )
        self.db.executemany(
            "INSERT INTO p VALUES (?, ?, ?)",
            [(d.title, d.body, d.keywords) for d in all_documents(knowledge)],
        )

    def __call__(self, q: str) -> tuple[str, bool]:
        terms = [f'"{w}"' for w in re.findall(r"\w+", q.casefold())]
        if not terms:
            return "", False
        row = self.db.execute(
            "SELECT title, body, keywords FROM p WHERE p MATCH ? ORDER BY bm25(p) LIMIT 1",
            (" OR ".join(terms),),
        ).fetchone()
        return ("\n".join(row), True) if row else ("", False)
