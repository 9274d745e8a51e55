"""Typos corrected before a question is interpreted ("deadilne", "viket", "uppgfiter").

A word is left alone when it is known: a word of the documents, of the questions the
assistant understands (cue and noise words, glossary terms, region names) or a compound of
known parts. Otherwise it becomes the closest known word with the same first letter within
one edit (two for long words), a swap of neighbouring letters counting as one edit, as on
a phone keyboard.
Cues and region names are matched after this, so a misspelt cue still tells the intent.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable, Iterable
from functools import lru_cache

from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein

from index.analysis import plain

MIN_LENGTH = 5  # shorter words are too often other real words ("har", "var", "mer")
SHORTENED = 4  # from this length a word that begins known words is one cut short
DIACRITICS_RATIO = 5  # a form with å/ä/ö this much more frequent is what was meant
LONG_WORD = 8  # from this length two edits are still a typo
WORD = re.compile(r"[^\W\d_]+")


class Speller:
    def __init__(
        self,
        lexicon: Iterable[str],
        is_compound: Callable[[str], bool] | None = None,
        stem: Callable[[str], str] | None = None,
        frequency: Callable[[str], int] | None = None,
    ):
        self.lexicon = frozenset(w for w in lexicon if w.isalpha())
        self._is_compound = is_compound or (lambda w: False)
        self._frequency = frequency
        self._stem = stem
        self._words = _by_length(self.lexicon)
        self._sorted = sorted(self.lexicon)
        # a typo in an inflected form the documents never use ("idnikatorerna"): its stem
        # is near a known stem; the shortest known word of that stem stands for it
        self._word_of_stem: dict[str, str] = {}
        if stem:
            for w in sorted(self.lexicon, key=lambda w: (len(w), w)):
                self._word_of_stem.setdefault(stem(w), w)
        self._stems = _by_length(self._word_of_stem)
        # a stem known but for å/ä/ö is a form of that word ("avsatte" of "avsätter"),
        # not a typo of another ("avsett")
        self._plain_stems = frozenset(plain(s) for s in self._word_of_stem)
        # typed without å, ä, ö ("storst"): the word that has them, before any edit; of
        # two ("vard": "vård", "värd") the one the documents use most
        self._with_diacritics: dict[str, str] = {}
        often = frequency or (lambda w: 0)
        marked = [w for w in self.lexicon if plain(w) != w]
        for w in sorted(marked, key=lambda w: (-often(w), len(w), w)):
            self._with_diacritics.setdefault(plain(w), w)
        self.word = lru_cache(maxsize=20_000)(self._word)

    def _word(self, word: str) -> str:
        restored = self._with_diacritics.get(word)
        if restored and (word not in self.lexicon or self._rarer(word, restored)):
            # before the compound test: "lakemedel" is "läkemedel", not "lake" + "medel"
            return restored
        if word in self.lexicon or self._is_compound(word):
            return word
        if len(word) < MIN_LENGTH:
            return (self._completed(word) if len(word) >= SHORTENED else None) or word
        best = _nearest(word, self._words)
        stem = self._stem
        if best and stem and stem(word) in self._word_of_stem and stem(best) != stem(word):
            return word  # a form of a known word ("fristerna", "gälla"), not "bristerna"
        if best is None and self._stem:
            s = self._stem(word)
            if plain(s) in self._plain_stems:
                return word
            near = _nearest(s, self._stems) if len(s) >= MIN_LENGTH else None
            if near and (near.startswith(s) or s.startswith(near)):
                # a stem that only ends differently is another word, not a typo:
                # "nämnd" is no "nämnas", "organ" no "organiseras"
                near = None
            best = self._word_of_stem[near] if near else None
        return best or self._completed(word) or word

    def _completed(self, word: str) -> str | None:
        """A word cut short on a phone ("rekv", "prio", "kammarkoll"): the shortest known
        word it begins, if none is a correction."""
        i = bisect_left(self._sorted, word)
        longer = []
        while i < len(self._sorted) and self._sorted[i].startswith(word):
            if len(self._sorted[i]) >= len(word) + 2:
                longer.append(self._sorted[i])
            i += 1
        return min(longer, key=lambda w: (len(w), w)) if longer else None

    def _rarer(self, word: str, restored: str) -> bool:
        """The documents use `word` far less than its form with å/ä/ö ("omraden" only in
        a web address, "områden" throughout): typed without them, it means that form."""
        if self._frequency is None:
            return False
        return self._frequency(restored) >= DIACRITICS_RATIO * max(self._frequency(word), 1)

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
    """The closest known word that begins with the same letter: a typo rarely hits the
    first one, and a word that differs there is most often another word ("åtagit" is
    not a misspelt "tagit")."""
    edits = 1 if len(word) < LONG_WORD else 2
    first = plain(word[:1])
    candidates = [
        w
        for n in range(len(word) - edits, len(word) + edits + 1)
        for w in by_length.get(n, ())
        if plain(w[:1]) == first
    ]
    best = process.extractOne(
        word, candidates, scorer=DamerauLevenshtein.distance, score_cutoff=edits
    )
    return best[0] if best else None
