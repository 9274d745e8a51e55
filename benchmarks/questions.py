"""The benchmark's questions: the dev set plus generated variants, and dev-set scoring
the way ../shared/eval/run_eval.py scores (case-folded, dashes unified, digit groups
joined)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import yaml

DEFAULT_DEV = Path(__file__).resolve().parent.parent.parent / "shared" / "eval" / "dev.yaml"
DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2212"), "-")
MAX_CHARS = 1500


@dataclass(frozen=True)
class Item:
    id: str
    q: str
    must: tuple = ()
    must_not: tuple = ()
    expect: str = "answer"
    pass_if_abstain: bool = False


def load_dev(path: Path) -> list[Item]:
    """The dev questions; a clear error when the file is not there."""
    if not path.is_file():
        raise SystemExit(
            f"benchmarks: hittar inte frågefilen {path} – ange den med --dev SÖKVÄG "
            "(standard: ../shared/eval/dev.yaml från projektroten)"
        )
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    return [
        Item(
            id=r["id"],
            q=r["q"],
            must=tuple(r.get("must", [])),
            must_not=tuple(r.get("must_not", [])),
            expect=r.get("expect", "answer"),
            pass_if_abstain=bool(r.get("pass_if_abstain")),
        )
        for r in raw
    ]


def _typo(q: str) -> str:
    """Two neighbouring letters swapped in the question's longest word (deterministic)."""
    words = re.findall(r"\w+", q)
    longest = max(words, key=len, default="")
    if len(longest) < 6:
        return q
    i = len(longest) // 2
    swapped = longest[:i] + longest[i + 1] + longest[i] + longest[i + 2 :]
    return q.replace(longest, swapped, 1)


def variants(q: str) -> list[str]:
    """A typo, all lower case, and no punctuation: how questions arrive from a phone."""
    out = [_typo(q), q.lower(), re.sub(r"[^\w\s]", "", q)]
    return [v for v in dict.fromkeys(out) if v != q]


def all_questions(items: list[Item]) -> list[str]:
    qs = []
    for it in items:
        qs.append(it.q)
        qs.extend(variants(it.q))
    return qs


def norm(text: str) -> str:
    text = unicodedata.normalize("NFC", text).translate(DASHES).casefold()
    text = re.sub(r"[\s\u00a0\u202f\u2009]+", " ", text)
    prev = None
    while prev != text:
        prev = text
        text = re.sub(r"(\d) (\d{3})(?!\d)", r"\1\2", text)
    return text


def _contains(answer: str, fact) -> bool:
    alternatives = fact if isinstance(fact, list) else [fact]
    return any(norm(str(alt)) in answer for alt in alternatives)


def passes(item: Item, answer: str, answered: bool) -> bool:
    if item.expect == "abstain":
        return not answered
    if not answered:
        return item.pass_if_abstain
    if len(answer) > MAX_CHARS:
        return False
    text = norm(answer)
    return all(_contains(text, f) for f in item.must) and not any(
        _contains(text, f) for f in item.must_not
    )
