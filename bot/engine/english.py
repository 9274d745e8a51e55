"""Answers to questions asked in English (knowledge/data/english.yaml).

What the assistant computes (dates, amounts, lists of deadlines) is said in English;
text quoted from the documents stays Swedish under a one-line English lead-in, since a
translation would no longer be what the source says.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

import yaml

from knowledge import KnowledgeError
from knowledge.models import MONTHS_SV, Knowledge
from knowledge.vocabulary import language_file

from .answer import Answer, where_to_turn

ENGLISH_FILE = "english.yaml"
COMPUTED = frozenset({"deadline", "allocation", "sources"})  # said, not quoted
PLAIN = frozenset({"help", "opinion", "out_of_scope", "error"})  # whole texts of their own
_DAY_MONTH = re.compile(r"(?<!\w)(\d{1,2}) (" + "|".join(MONTHS_SV) + r")(?!\w)")


@dataclass(frozen=True)
class English:
    months: tuple[str, ...]
    lead_in: str
    source: str
    link: str
    shortened: str
    watch: str
    texts: dict[str, str]
    telegram: dict[str, str]  # Telegram's short texts (bot.telegram.send.SAID in Swedish)
    replacements: tuple[tuple[re.Pattern, str], ...]

    def line(self, text: str) -> str:
        for pattern, repl in self.replacements:
            text = pattern.sub(repl, text)
        return _DAY_MONTH.sub(lambda m: f"{m.group(1)} {self.months[MONTHS_SV.index(m.group(2))]}",
                              text)  # fmt: skip

    def say(self, text: str) -> str:
        return "\n".join(self.line(t) for t in text.split("\n"))

    def quoted(self, text: str) -> str:
        """Quoted text stays Swedish, dates too; only our own whole lines (those the
        line-anchored replacements match, such as a name note) are said in English."""
        out = []
        for line in text.split("\n"):
            for pattern, repl in self.replacements:
                if pattern.pattern.startswith("^"):
                    line = pattern.sub(repl, line)
            out.append(line)
        return "\n".join(out)


def _parse(path) -> English:
    def fail(entry: str, problem: str):
        raise KnowledgeError(path.name, entry, problem)

    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise KnowledgeError(path.name, "filen", f"kan inte läsas: {exc}") from exc
    if not isinstance(raw, dict):
        fail("filen", "ska vara en mappning")
    for key in ("months", "lead_in", "source", "link", "shortened", "watch", "texts",
                "telegram", "replacements"):  # fmt: skip
        if key not in raw:
            fail(key, "saknas")
    if not isinstance(raw["months"], list) or len(raw["months"]) != 12:
        fail("months", "ska vara tolv månadsnamn")
    rules = []
    for i, pair in enumerate(raw["replacements"]):
        pair_ok = isinstance(pair, list) and len(pair) == 2
        if not (pair_ok and all(isinstance(x, str) for x in pair)):
            fail(f"replacements[{i}]", "ska vara [svenskt mönster, engelsk text]")
        try:
            rules.append((re.compile(pair[0]), pair[1]))
        except re.error as exc:
            fail(f"replacements[{i}]", f"ogiltigt mönster {pair[0]!r}: {exc}")
    return English(
        tuple(raw["months"]), raw["lead_in"], raw["source"], raw["link"], raw["shortened"],
        raw["watch"], dict(raw["texts"]), dict(raw["telegram"]), tuple(rules),
    )  # fmt: skip


@lru_cache(maxsize=2)
def _load(path, mtime: float) -> English:
    return _parse(path)


def english() -> English:
    path = language_file(ENGLISH_FILE)
    return _load(path, path.stat().st_mtime)


def unknown_text(knowledge: Knowledge, contact_id: str) -> str:
    """The English "I don't know", with where to turn (from contacts.yaml)."""
    e = english()
    text = e.texts["out_of_scope"]
    turn = where_to_turn(knowledge, contact_id)
    if turn:
        name, reach, notes = turn
        text += f" Questions about the agreement and the compensation can go to {name}: {reach}."
        text += "".join(f" {e.line(n)}" for n in notes)
    return text + " Write ”help” for examples."


def in_english(answer: Answer, intent: str, knowledge: Knowledge, contact_id: str) -> Answer:
    e = english()
    if answer.kind == "out_of_scope":
        text = unknown_text(knowledge, contact_id)
    elif intent in e.texts and (answer.kind in PLAIN or intent == "empty"):
        text = e.texts[intent]
    elif answer.kind in COMPUTED:
        text = "\n\n".join(
            f"{e.lead_in}\n{part}" if part in answer.quotes else e.say(part)
            for part in answer.text.split("\n\n")
        )
    else:
        text = f"{e.lead_in}\n{e.quoted(answer.text)}"
    return replace(answer, text=text, language="en")
