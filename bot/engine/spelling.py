"""Typos corrected before a question is interpreted ("deadilne", "viket", "uppgfiter").

A word is left alone when it is known: a word of the documents, of the questions the
assistant understands (cue and noise words, glossary terms, region names) or a compound of
known parts. Otherwise it becomes the closest known word within one edit (two for long
words), a swap of neighbouring letters counting as one edit, as on a phone keyboard.
Cues and region names are matched after this, so a misspelt cue still tells the intent.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import lru_cache

from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein

from index.analysis import plain

MIN_LENGTH = 5  # shorter words are too often other real words ("har", "var", "mer")
LONG_WORD = 8  # from this length two edits are still a typo
WORD = re.compile(r"[^\W\d_]+")


class Speller:
    def __init__(
        self,
        lexicon: Iterable[str],
        is_compound: Callable[[str], bool] | None = None,
        stem: Callable[[str], str] | None = None,
    ):
        self.lexicon = frozenset(w for w in lexicon if w.isalpha())
        self._is_compound = is_compound or (lambda w: False)
        self._stem = stem
        self._words = _by_length(self.lexicon)
        # a typo in an inflected form the documents never use ("idnikatorerna"): its stem
        # is near a known stem; the shortest known word of that stem stands for it
        self._word_of_stem: dict[str, str] = {}
        if stem:
            for w in sorted(self.lexicon, key=lambda w: (len(w), w)):
                self._word_of_stem.setdefault(stem(w), w)
        self._stems = _by_length(self._word_of_stem)
        # typed without å, ä, ö ("storst"): the word that has them, before any edit
        self._with_diacritics: dict[str, str] = {}
        for w in sorted(self.lexicon, key=lambda w: (len(w), w)):
            if plain(w) != w:
                self._with_diacritics.setdefault(plain(w), w)
        self.word = lru_cache(maxsize=20_000)(self._word)

    def _word(self, word: str) -> str:
        if len(word) < MIN_LENGTH or word in self.lexicon or self._is_compound(word):
            return word
        if word in self._with_diacritics:
            return self._with_diacritics[word]
        best = _nearest(word, self._words)
        if best is None and self._stem:
            s = self._stem(word)
            near = _nearest(s, self._stems) if len(s) >= MIN_LENGTH else None
            if near and (near.startswith(s) or s.startswith(near)):
                # a stem that only ends differently is another word, not a typo:
                # "nämnd" is no "nämnas", "organ" no "organiseras"
                near = None
            best = self._word_of_stem[near] if near else None
        return best or word

    def text(self, folded: str) -> tuple[str, dict[str, str]]:
        """The text with its typos corrected, and what was changed."""
        changed: dict[str, str] = {}

        def fix(m: re.Match) -> str:
            w = m.group(0)
            c = self.word(w)
            if c != w:
                changed[w] = c
            return c

        return WORD.sub(fix, folded), changed


def _by_length(words: Iterable[str]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for w in sorted(words):
        out.setdefault(len(w), []).append(w)
    return out


def _nearest(word: str, by_length: dict[int, list[str]]) -> str | None:
    edits = 1 if len(word) < LONG_WORD else 2
    candidates = [
        w for n in range(len(word) - edits, len(word) + edits + 1) for w in by_length.get(n, ())
    ]
    best = process.extractOne(
        word, candidates, scorer=DamerauLevenshtein.distance, score_cutoff=edits
    )
    return best[0] if best else None
