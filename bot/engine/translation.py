"""English words in the documents' Swedish, by nearest neighbour in the multilingual model.

An English question shares few words with the Swedish texts, so BM25 has little to go
on and the glossary (knowledge/data/glossary.yaml) only knows the terms someone wrote
down. The e5 model places a word near its translation ("population" by "befolkning",
"continuity" by "kontinuitetshantering"), so a question's words that the documents lack
are looked up among the documents' own words and searched with the closest ones - only
when they are close enough, since a word the model does not know lands near words that
merely look alike ("stock" by "stockholm": below the threshold).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable

import numpy as np

from index.analysis import STOPWORDS
from index.embedding import Embedder, Progress, VectorCache, embed_passages

# A translation counts when its cosine reaches this, and the runners-up within MARGIN of
# the best come along (inflections, near-synonyms: "övningar", "övning"). Chosen on the
# English questions of the bank and the tuning sets: true translations of the words
# looked at scored 0.90-0.95, look-alikes ("stock" by "stockholm", "storage" by "stor")
# 0.89-0.90.
MIN_SIMILARITY = 0.90
MARGIN = 0.01
MAX_TRANSLATIONS = 3
SEEN = 4096  # words remembered with their translations
MIN_LETTERS = 4  # shorter words are mostly function words or abbreviations
# A candidate that is the English word with a longer ending, or the start of it, is a
# look-alike the model matched by its first word piece ("general" by "generaldirektör",
# "storage" by "stor"), unless the rest is no more than an inflection ("situationen").
INFLECTION = 3


_LOWER = re.compile(r"(?<![\w-])[a-zåäöé][\w-]*")
_MID_CAPS = re.compile(r"(?<=[a-zåäöé,] )[A-ZÅÄÖ][a-zåäöé]+")  # capitalised mid-sentence
_NAME = re.compile(r"(?<=\s)[A-ZÅÄÖ][\w-]*")  # capitalised after the first word


def names_of(texts: Iterable[str]) -> frozenset[str]:
    """The texts' names (folded): words capitalised mid-sentence and never written in
    lower case ("Karin", which the model puts near "Kiruna"); no name is a translation
    ("Befolkning" heading a table column is a word)."""
    texts = list(texts)
    lower = {w for t in texts for w in _LOWER.findall(t)}
    return frozenset(
        w.casefold() for t in texts for w in _MID_CAPS.findall(t) if w.casefold() not in lower
    )


def names_in(question: str) -> frozenset[str]:
    """Words a question capitalises after its first: names, not words to translate."""
    return frozenset(w.casefold() for w in _NAME.findall(question))


class WordTranslator:
    """The documents' words are embedded on first need (`prepare`): a process that is asked
    nothing in English (the command line, an evaluation) never pays for it, and the bot
    prepares them at start-up so that no user waits."""

    def __init__(
        self,
        embedder: Embedder,
        swedish_words: Iterable[str],
        open_cache: Callable[[], VectorCache] | None = None,
        progress: Progress | None = None,
    ):
        self.embedder = embedder
        self.words = sorted(
            w for w in set(swedish_words)
            if len(w) >= MIN_LETTERS and w.isalpha() and w not in STOPWORDS
        )  # fmt: skip
        self._known = frozenset(self.words)
        self._open_cache = open_cache
        self._progress = progress
        self._vectors: np.ndarray | None = None
        self._lock = threading.Lock()
        self._seen: dict[str, tuple[str, ...]] = {}  # word -> translations, per process

    def prepare(self) -> np.ndarray:
        """The words' vectors: from the vector cache, or through the model once."""
        with self._lock:
            if self._vectors is None:
                cache = self._open_cache() if self._open_cache else None
                try:
                    self._vectors = embed_passages(self.words, cache, self._progress,
                                                   kind="query")  # fmt: skip
                finally:
                    if cache is not None:
                        cache.close()
            return self._vectors

    def translations(
        self, words: Iterable[str], ignore: frozenset[str] = frozenset()
    ) -> dict[str, tuple[str, ...]]:
        """Each word the documents lack (not a stopword) with its Swedish translations,
        for those that have any; a translation in `ignore` says how something is asked
        ("mean": "definition"), not what about, and is left out."""
        asked = [
            w for w in dict.fromkeys(words)
            if len(w) >= MIN_LETTERS and w.isalpha() and w not in STOPWORDS
            and w not in self._known
        ]  # fmt: skip
        new = [w for w in asked if w not in self._seen]
        if new and self.words:  # one pass of the model for all of them
            for w, v in zip(new, self.embedder.queries(new), strict=True):
                if len(self._seen) >= SEEN:
                    self._seen.clear()
                self._seen[w] = self._nearest(w, v)
        out = {}
        for w in asked:
            found = tuple(t for t in self._seen.get(w, ()) if t not in ignore)
            if found:
                out[w] = found
        return out

    def _nearest(self, word: str, vector: np.ndarray) -> tuple[str, ...]:
        sims = self.prepare() @ vector
        best = float(sims.max())
        if best < MIN_SIMILARITY:
            return ()
        top = np.argsort(-sims)[:MAX_TRANSLATIONS]
        return tuple(
            self.words[i] for i in top
            if sims[i] >= best - MARGIN and not _look_alike(word, self.words[i])
        )  # fmt: skip


def _look_alike(word: str, candidate: str) -> bool:
    short, long = sorted((word, candidate), key=len)
    return long.startswith(short) and len(long) - len(short) > INFLECTION
