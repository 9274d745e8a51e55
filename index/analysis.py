"""Swedish text analysis shared by indexing and querying.

The Snowball stemmer alone leaves "rapporteras"/"rapportering" and
"sårbarhetsanalys"/"sårbarhetsanalyser" apart, and knows nothing of compounds.
So: Snowball, then a light second pass over derivational endings, plus
splitting of compounds into parts the corpus knows ("utbildningsplaner" ->
"utbildning" + "plan"), plus character 4-grams for typos and compounds the
splitter misses. Terms are produced here and handed to Whoosh pre-analysed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

import snowballstemmer

# fold and plain are defined with the vocabulary that reads them; the rest import them here
from knowledge.vocabulary import fold, vocabulary
from knowledge.vocabulary import plain as plain  # re-exported

# letters and digits apart: "SKR2022/00762" has SKR in it
WORD = re.compile(r"[a-zåäöéüæø]+|[0-9]+(?::[0-9]+)?", re.IGNORECASE)

# Function and question words (knowledge/data/vocabulary.yaml): they say how something is
# asked, not what about.
STOPWORDS = vocabulary().stopwords

# Endings Snowball leaves that still separate forms of one word.
_SECOND_PASS = ("ering", "erad", "erat", "erna", "arna", "orna", "era", "er", "ar", "or")
_MIN_STEM = 4
# The documents' longest words have 30 letters; trying every split of a longer "word"
# (a pasted string, "aaaa…") costs time that grows with the square of its length.
_MAX_COMPOUND = 40
# Tails that are word endings, not words of their own ("rapporte|ring").
_NOT_A_PART = ("ring", "ning", "else", "het")


@lru_cache(maxsize=1)
def _snowball():
    return snowballstemmer.stemmer("swedish")


# "SKR:s", "RSA:n", "MSB:s": an abbreviation's inflection is written after a colon
ABBREVIATION_ENDING = re.compile(
    r"(?<=[a-zåäö]):(?:s|n|en|et|ar|arna|er|erna|or|na|ns|ens|ets)(?![\w:])", re.IGNORECASE
)


# "the region's tasks": the English possessive is not a word of its own
POSSESSIVE = re.compile(r"(?<=\w)['’]s(?!\w)")


def words(text: str) -> list[str]:
    return WORD.findall(ABBREVIATION_ENDING.sub("", POSSESSIVE.sub("", fold(text))))


@lru_cache(maxsize=50_000)
def stem(word: str) -> str:
    s = _snowball().stemWord(word)
    for ending in _SECOND_PASS:
        if s.endswith(ending) and len(s) - len(ending) >= _MIN_STEM:
            s = s[: -len(ending)]
            break
    if s.endswith("ning") and len(s) - 4 >= _MIN_STEM:
        s = s[:-4]  # before the "s" below: "redovisning" and "redovisa" share "redovi"
    if s.endswith("s") and len(s) > 4 and s[-2] != "s":
        s = s[:-1]  # "sårbarhetsanalys" vs Snowball's "sårbarhetsanaly"
    if s.endswith("nt") and len(s) >= 6:
        s = s[:-1] + "d"  # supine of -nda verbs: "använts", "använt" with "använda"
    return s


def grams(word: str, n: int = 4) -> list[str]:
    padded = f"_{word}_"
    if len(padded) <= n:
        return [padded]
    return [padded[i : i + n] for i in range(len(padded) - n + 1)]


class Analyzer:
    """Turns text into index terms. `vocabulary` is the set of stems of the corpus's
    words, used to split compounds into known parts."""

    def __init__(self, vocabulary: Iterable[str] = ()):
        self.vocabulary = frozenset(vocabulary)

    @lru_cache(maxsize=50_000)  # noqa: B019 - one analyzer lives for the process
    def compound_parts(self, word: str) -> tuple[str, ...]:
        """Stems of a compound's parts when both are known words ("utbildningsplaner"), or
        of its last part alone when only that is known ("sjukvården" -> "vård")."""
        if not 8 <= len(word) <= _MAX_COMPOUND or not self.vocabulary:
            return ()
        best: tuple[str, ...] = ()
        tail_only: tuple[str, ...] = ()
        for i in range(len(word) - _MIN_STEM, _MIN_STEM - 1, -1):
            head, tail = word[:i], word[i:]
            if tail.startswith(_NOT_A_PART):
                continue
            tail_stem = stem(tail)
            # a short stem counts when the tail is a whole word ("lager" -> "lag")
            shortest = 3 if len(tail) >= 5 else _MIN_STEM
            if tail_stem not in self.vocabulary or len(tail_stem) < shortest:
                continue
            for h in (head, head[:-1] if head.endswith("s") else None):
                if h and len(h) >= _MIN_STEM and stem(h) in self.vocabulary:
                    best = (stem(h), tail_stem)
                    break
            if best:
                break
            if not tail_only and len(tail) >= 5:
                tail_only = (tail_stem,)  # the longest known tail, should no head be known
        return best or tail_only

    def terms(self, text: str, stopwords: bool = True) -> list[str]:
        """Stems plus compound parts, in order."""
        out = []
        for w in words(text):
            if stopwords and w in STOPWORDS:
                continue
            out.append(stem(w))
            out.extend(p for p in self.compound_parts(w) if p != out[-1])
        return out

    def gram_terms(self, text: str) -> list[str]:
        out = []
        for w in words(text):
            if w not in STOPWORDS and len(w) >= 4:
                out.extend(grams(w))
        return out


def corpus_vocabulary(texts: Iterable[str]) -> set[str]:
    """Stems of the corpus's words: what the documents know, and the compound splitter's parts."""
    vocab = set()
    for text in texts:
        for w in words(text):
            if len(w) >= 2 and w not in STOPWORDS and not w.isdigit():
                vocab.add(stem(w))
    return vocab
