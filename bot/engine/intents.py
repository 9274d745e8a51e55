"""Intent by example: a question takes the intent its example questions teach.

The intents and their examples live in knowledge/data/intents.yaml. Questions are
delexicalised first (a region becomes "region x"; for the n-grams also an amount
"N miljoner" and a year "år"), so that what is asked, not which region, decides.
Features are the question's sentence embedding beside character 3-5-grams (the words
that tell "tillsammans" from "skillnad" are few and short). A softmax regression over
them is trained on the examples when the examples or the model change, and cached. The
most probable intent that the question's slots allow wins (an allocation needs a
region, a what-if an amount; the table of all regions is ruled out when one is named);
below MIN_PROBABILITY the question is left to retrieval ("search"). A misroute is fixed
by adding examples, not code.

Measured on the examples themselves (5-fold cross-validation, 27 intents, 814 examples):
embedding nearest neighbours 62 %, after delexicalisation 75 %, this model 86 %.
"""

from __future__ import annotations

import hashlib
import logging
import re
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import numpy as np

from index.analysis import fold, plain
from index.embedding import Embedder, Progress, VectorCache, embed_passages
from knowledge.vocabulary import Intent, IntentName

log = logging.getLogger(__name__)

HASH_DIMS = 4096  # character n-grams hashed into this many features
NGRAMS = (3, 4, 5)
NGRAM_WEIGHT = 0.5  # beside the unit-length embedding
L2 = 1e-4
EPOCHS = 600
STEP = 20.0
MIN_PROBABILITY = 0.3  # below this no intent is sure enough: retrieval decides
FALLBACK: Final = "search"
_WORD = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class Classified:
    intent: IntentName
    probability: float
    ranking: tuple[tuple[IntentName, float], ...]  # every intent's probability, best first


def _ngrams(text: str) -> list[str]:
    out = []
    for w in _WORD.findall(plain(text)):
        padded = f" {w} "
        for n in NGRAMS:
            out += [padded[i : i + n] for i in range(max(1, len(padded) - n + 1))]
    return out


class _Ngrams:
    """Hashed character n-grams, tf-idf weighted (idf from the examples), unit length."""

    def __init__(self, idf: np.ndarray):
        self.idf = idf

    @staticmethod
    def counts(texts: list[str]) -> np.ndarray:
        m = np.zeros((len(texts), HASH_DIMS), dtype=np.float32)
        for row, t in enumerate(texts):
            for g in _ngrams(t):
                m[row, zlib.crc32(g.encode()) % HASH_DIMS] += 1
        return m

    @classmethod
    def fit(cls, texts: list[str]) -> _Ngrams:
        df = (cls.counts(texts) > 0).sum(axis=0)
        return cls((np.log((len(texts) + 1) / (df + 1)) + 1).astype(np.float32))

    def transform(self, texts: list[str]) -> np.ndarray:
        m = np.log1p(self.counts(texts)) * self.idf
        return m / (np.linalg.norm(m, axis=1, keepdims=True) + 1e-9)


def _train(x: np.ndarray, y: np.ndarray, classes: int) -> np.ndarray:
    """Softmax regression by full-batch gradient descent (deterministic)."""
    n = len(x)
    xb = np.hstack([x, np.ones((n, 1), dtype=np.float32)])
    w = np.zeros((xb.shape[1], classes), dtype=np.float32)
    onehot = np.eye(classes, dtype=np.float32)[y]
    for _ in range(EPOCHS):
        z = xb @ w
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(axis=1, keepdims=True)
        w -= STEP * (xb.T @ (p - onehot) / n + L2 * w)
    return w


class IntentClassifier:
    def __init__(
        self,
        intents: tuple[Intent, ...],
        embedder: Embedder,
        cache: VectorCache | None,
        for_embedding=lambda text: text,
        for_ngrams=lambda text: text,
        weights_dir: Path | None = None,
        progress: Progress | None = None,
    ):
        self.intents = {i.name: i for i in intents}
        self.names = [i.name for i in intents]
        self.embedder = embedder
        folded = [fold(ex) for i in intents for ex in i.examples]
        embedded = [for_embedding(t) for t in folded]
        texts = [for_ngrams(t) for t in folded]
        labels = np.array([n for n, i in enumerate(intents) for _ in i.examples])
        self.ngrams = _Ngrams.fit(texts)
        digest = hashlib.sha256(
            repr((embedder.name, embedded, texts, labels.tolist(), HASH_DIMS, NGRAMS,
                  NGRAM_WEIGHT, L2, EPOCHS, STEP)).encode()
        ).hexdigest()[:16]  # fmt: skip
        path = weights_dir / f"intents-{digest}.npy" if weights_dir else None
        weights = self._load(path)
        if weights is None:
            x = np.hstack(
                [embed_passages(embedded, cache, progress, kind="query"),
                 NGRAM_WEIGHT * self.ngrams.transform(texts)]  # fmt: skip
            )
            weights = _train(x, labels, len(intents))
            self._save(path, weights)
        self.weights: np.ndarray = weights

    @staticmethod
    def _load(path: Path | None) -> np.ndarray | None:
        if path is None or not path.is_file():
            return None
        try:
            return np.load(path)
        except (OSError, ValueError):
            return None

    @staticmethod
    def _save(path: Path | None, weights: np.ndarray) -> None:
        if path is None:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp.npy")
            np.save(tmp, weights)
            tmp.replace(path)
        except OSError as exc:
            log.warning("Avsiktsmodellen kunde inte sparas (%s)", exc)

    def probabilities(self, text: str, vector: np.ndarray) -> list[tuple[IntentName, float]]:
        """Every intent's probability for a delexicalised question and its embedding."""
        x = np.concatenate([vector, NGRAM_WEIGHT * self.ngrams.transform([text])[0]])
        z = np.append(x, 1.0).astype(np.float32) @ self.weights
        p = np.exp(z - z.max())
        p /= p.sum()
        return sorted(zip(self.names, map(float, p), strict=True), key=lambda x: -x[1])

    def allowed(self, name: IntentName, slots: dict[str, int], named: dict[str, int]) -> bool:
        """The question has every slot the intent needs and names none it is without."""
        needs, without = self.intents[name].needs, self.intents[name].without
        return all(slots.get(s, 0) >= needs.count(s) for s in set(needs)) and not any(
            named.get(s, 0) for s in without
        )

    def classify(
        self,
        text: str,
        vector: np.ndarray,
        slots: dict[str, int],
        named: dict[str, int] | None = None,
    ) -> Classified:
        """The most probable intent among those the slots allow (slot name -> how many;
        `named`: of those, the ones named outright rather than described), with its
        probability given that the others are ruled out."""
        probabilities = self.probabilities(text, vector)
        named = slots if named is None else named
        ranking = tuple((n, p) for n, p in probabilities if self.allowed(n, slots, named))
        total = sum(p for _, p in ranking) or 1.0
        ranking = tuple((n, p / total) for n, p in ranking)
        name, p = ranking[0] if ranking else (FALLBACK, 0.0)
        return Classified(FALLBACK if p < MIN_PROBABILITY else name, p, ranking)
