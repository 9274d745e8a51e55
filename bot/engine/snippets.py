"""Pick the sentences of a passage that answer the question (extractive, never rewritten)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from index.analysis import Analyzer
from index.documents import sentences
from knowledge.models import MONTHS_SV

from .entities import LEX, VOCAB

MAX_SNIPPET = 700
FIGURE = re.compile(r"\d")
YEAR = re.compile(r"\b(?:19|20)\d\d\b")  # "i juni 2022" says when, not how much
# a condition not met ("om redovisning inte inkommer i tid"): what follows answers a
# what-happens-if question
CONDITION = re.compile(r"\b(?:om|ifall|if)\s+(?:\w+\s+){0,6}?(?:inte|ej|not)\b", re.IGNORECASE)
# a date, a month's year or a year something is due by ("sträcker sig till 2025"): what
# a when-question is answered by (a year alone is mostly the year a text is about)
DATED = re.compile(
    rf"\b(?:\d{{1,2}}\s+(?:{'|'.join(MONTHS_SV)})|(?:{'|'.join(MONTHS_SV)})\s+(?:19|20)\d\d"
    r"|(?:19|20)\d\d-\d\d-\d\d|(?:till|senast|före|by|until)\s+(?:år\s+)?(?:19|20)\d\d)\b",
    re.IGNORECASE,
)
# a length of time ("för minst en månad", "inom 30 dagar"): what a how-long question is
# answered by
DURATION = re.compile(  # on folded text with å/ä/ö: "2022 är" is no "2022 år"
    rf"(?<![\w-])(?:\d+|{'|'.join(map(re.escape, VOCAB.number_words))})\s+"
    rf"(?:{'|'.join(map(re.escape, LEX['duration_units'].entries))})(?![\w-])"
)
# When no sentence shares a word with the question, the one closest in meaning counts as
# this many shared words more than one DENSE_SPAN below it (e5's cosines within one
# passage differ by hundredths). Where words are shared they decide: on the bank and the
# dev set, meaning as a tie-break between sentences picked worse ones.
SENTENCE_DENSE = 1.0
DENSE_SPAN = 0.03  # a cosine this far below the closest sentence's earns nothing
MIN_SAYING = 25  # characters: shorter units are labels
# a list run into a sentence after a colon or semicolon: three or more items
# ("utgår från sex prioriterade områden …; planeringsförutsättningar, …, … samt …")
ENUMERATION = re.compile(r"[:;]\s*[^.:;]+?,[^.:;]+?,[^.:;]+")
# a case number ("SKR2022/00762", "S2021/05469"): what a question for one is answered by
CASE_NUMBER = re.compile(r"\b[A-ZÅÄÖ]{1,5}\s?\d{4}/\d{2,6}\b")


def _item(sentence: str) -> bool:
    return sentence.startswith(("- ", "• "))


NUMBERED_ITEM = re.compile(r"\d{1,2}\.\s+[A-ZÅÄÖ]")  # "1. Regionstyrelsen beslutar …"
SHORT_LIST = 3  # a numbered list this short is one answer ("Förslag till beslut: 1. … 2. …")


def _numbered_lists(sents: list[str]) -> list[range]:
    """The runs of numbered points 1, 2, … among the sentences (a point is one line)."""
    out, i = [], 0
    while i < len(sents):
        if NUMBERED_ITEM.match(sents[i]) and sents[i].startswith("1."):
            j = i + 1
            while j < len(sents) and sents[j].startswith(f"{j - i + 1}."):
                j += 1
            out.append(range(i, j))
            i = j
        else:
            i += 1
    return out


def ranked_all(scores: list[float]) -> list[int]:
    return sorted(range(len(scores)), key=lambda i: (-scores[i], i))


COVER_MORE = 1  # sentences beyond `limit` kept for terms of the question the others lack
CONTINUED = 2  # sentences that go on from the best one are kept, this many at most


def best_sentences(
    text: str,
    terms: set[str],
    analyzer: Analyzer,
    limit: int = 3,
    sims: Sequence[float] = (),
    figures: bool = False,
    dates: bool = False,
    conditions: bool = False,
    durations: bool = False,
    avoid: frozenset[str] = frozenset(),
    names: re.Pattern | None = None,
) -> str:
    """The sentences that share most telling terms with the question (and, with `sims`,
    the question's cosine with each sentence, are closest to it), in reading order, with
    the one after the best kept when it continues it (short sentences, lists). With
    `figures` (the question asks how much or how many) a sentence with a figure counts
    one shared word more; with `dates` (it asks when) a sentence with a date does, and
    with `conditions` (what happens if) one that states a condition not met, with
    `durations` (how long) one giving a length of time, with `names`
    (who) one that names a person (the pattern of the documents' names). A sentence
    naming what the question leaves out (`avoid`: "förutom MSB") counts one word less."""
    sents = sentences(text)
    if not sents:
        return text[:MAX_SNIPPET]
    stems = [set(analyzer.terms(s)) for s in sents]
    scores = [float(len(terms & t)) - (1.0 if avoid & t else 0.0) for t in stems]
    if conditions:
        figures = True
        figured = [bool(CONDITION.search(t)) for t in sents]
    elif names is not None:
        figures = True
        figured = [bool(names.search(t)) for t in sents]
    elif durations:
        figures = True
        figured = [bool(DURATION.search(t.casefold())) for t in sents]
    elif dates:
        figures = True
        figured = [bool(DATED.search(t.casefold())) for t in sents]
    else:
        figured = [bool(FIGURE.search(YEAR.sub("", t))) for t in sents]
    if figures and max(scores) > 0:
        scores = [sc + (1.0 if sc and f else 0.0) for sc, f in zip(scores, figured, strict=True)]
    if len(sims) == len(sents) and max(scores) == 0:
        # no word of the question in any sentence (another language, other words): the
        # sentences closest in meaning answer
        # a label ("Uppgift:") is close to any question about its section, and says nothing
        said = [x if len(t) >= MIN_SAYING and not t.endswith(":") else -1.0
                for t, x in zip(sents, sims, strict=True)]  # fmt: skip
        top = max(said)
        scores = [
            sc + SENTENCE_DENSE * max(0.0, 1 - (top - x) / DENSE_SPAN)
            for sc, x in zip(scores, said, strict=True)
        ]
    best = max(scores)
    if best == 0:
        return " ".join(sents[:limit])[:MAX_SNIPPET]
    ranked = ranked_all(scores)[:limit]
    keep = {i for i in ranked if scores[i] >= max(1, best - 1)}
    with_figure: list[int] = []
    if figures:
        # a how-much question is answered by a figure: the best sentence on the topic that
        # has one comes along even when others share more of the question's words
        with_figure = [i for i in ranked_all(scores) if figured[i] and scores[i] > 0][:1]
        keep.update(with_figure)
    # the best sentence's own continuation ("Detta för att …", "Exempelvis kan avtalen
    # behöva omfatta krav på …") says what it means, before any other sentence does
    j = ranked[0] + 1
    while j < len(sents) and j - ranked[0] <= CONTINUED and LEX["continues"].search(
        " ".join(sents[j].casefold().split()[:2])
    ):
        keep.add(j)
        j += 1
    # a question of two parts ("hur mycket, och vilken målsättning?"): a sentence with
    # telling terms the kept ones lack comes along, the one with most of them first
    uncovered = terms - set().union(*(stems[i] for i in keep)) - avoid
    extra: set[int] = set()
    while uncovered and len(keep) < limit + COVER_MORE:
        j = max(range(len(sents)), key=lambda i: (len(uncovered & stems[i]), scores[i]))
        if j in keep or not uncovered & stems[j]:
            break
        keep.add(j)
        extra.add(j)
        uncovered -= stems[j]
    first = min(keep)
    if first + 1 < len(sents) and len(sents[first]) < 120:
        keep.add(first + 1)  # a heading-like or short sentence needs what follows it
    for i in sorted(keep):
        # a sentence that introduces a list brings the list (with a colon, or the last
        # sentence before it: "… bygger även på grundläggande principer." and the three)
        if sents[i].endswith(":") or (
            i + 1 < len(sents) and _item(sents[i + 1]) and not _item(sents[i])
        ):
            j = i + 1
            while j < len(sents) and j - i <= 10 and (
                _item(sents[j]) or (j > i + 1 and _item(sents[j - 1]) and j + 1 < len(sents)
                                    and _item(sents[j + 1]))
            ):  # items, and an item's second sentence when another item follows  # fmt: skip
                keep.add(j)
                j += 1
    for run in _numbered_lists(sents):
        # a point of a short numbered list comes with the others: the decisions proposed
        # are both points, not the one sharing most words with the question
        if len(run) <= SHORT_LIST and keep & set(run):
            keep.update(run)
    if sum(len(sents[i]) for i in keep) > MAX_SNIPPET:
        keep -= extra  # what answers the main part first
    out: list[str] = []
    size = 0
    # the sentence with what is asked for (a figure, a date, a name) is never cut for length
    budget = MAX_SNIPPET - sum(len(sents[i]) for i in with_figure)
    full = False
    for i in sorted(keep):
        if i not in with_figure:
            full = full or (size + len(sents[i]) > budget and bool(out))
            if full:
                continue
            size += len(sents[i])
        out.append(sents[i])
    # list items and numbered points on lines of their own, the rest as running text
    text = ""
    for x in out:
        text += ("\n" if NUMBERED_ITEM.match(x) else " ") + x if text else x
    return text.replace(" - ", "\n- ").replace(" • ", "\n• ")


def list_items(text: str, limit: int = MAX_SNIPPET) -> list[str]:
    """The first sentence of each list item that opens `text` (a list continued from the
    passage before), up to `limit` characters."""
    out: list[str] = []
    size = 0
    for s in sentences(text):
        if not _item(s):
            if not out:
                return []  # the text does not start with a list
            continue  # an item's later sentences
        if size + len(s) > limit and out:
            break
        out.append(s)
        size += len(s)
    return out
