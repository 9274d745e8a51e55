"""Pick the sentences of a passage that answer the question (extractive, never rewritten)."""

from __future__ import annotations

from index.analysis import Analyzer
from index.documents import sentences

MAX_SNIPPET = 700


def best_sentences(text: str, terms: set[str], analyzer: Analyzer, limit: int = 3) -> str:
    """The sentences that share most telling terms with the question, in reading order,
    with the one after the best kept when it continues it (short sentences, lists)."""
    sents = sentences(text)
    if not sents:
        return text[:MAX_SNIPPET]
    scores = [len(terms & set(analyzer.terms(s))) for s in sents]
    best = max(scores)
    if best == 0:
        return " ".join(sents[:limit])[:MAX_SNIPPET]
    ranked = sorted(range(len(sents)), key=lambda i: (-scores[i], i))[:limit]
    keep = {i for i in ranked if scores[i] >= max(1, best - 1)}
    first = min(keep)
    if first + 1 < len(sents) and len(sents[first]) < 120:
        keep.add(first + 1)  # a heading-like or short sentence needs what follows it
    for i in sorted(keep):
        if sents[i].endswith(":"):  # a sentence that introduces a list brings the list
            j = i + 1
            while j < len(sents) and sents[j].startswith(("- ", "• ")) and j - i <= 10:
                keep.add(j)
                j += 1
    out, size = [], 0
    for i in sorted(keep):
        if size + len(sents[i]) > MAX_SNIPPET and out:
            break
        out.append(sents[i])
        size += len(sents[i])
    # list items on lines of their own, the rest as running text
    return " ".join(out).replace(" - ", "\n- ").replace(" • ", "\n• ")
