"""Follow-ups: a question that leaves out what it is about takes it from the chat's last
answer (bot/engine/conversation.py): another region or year for the same question ("och
Skåne då?", "och 2024?"), another side of the same deadline ("till vem?", "hur
ofta?"), the support for the tasks just shown ("vilket stöd finns för det?"), or what
a term of the last answer means ("vad betyder det?").

A question is a follow-up when it names nothing of its own to ask about, or when it
leans on the last answer ("och …", "… då?", "det", "den") and is short. Anything else is
answered on its own and becomes the chat's new topic.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING

from index.analysis import fold, plain

from .answer import Answer, Citer
from .conversation import Topic
from .deadlines import answer_deadlines
from .entities import LEX, YEAR
from .understanding import REGION_INTENTS, TOPIC_NOISE, Understanding

if TYPE_CHECKING:
    from .assistant import Assistant

SHORT = 7  # words: a question this short that leans on the last answer follows it up…
MAX_OWN = 2  # …if it names at most this many things of its own ("och per invånare?")
OWN_INTENT = 0.6  # a follow-up's own intent wins over the topic's when this sure
MAX_TERMS = 3  # "vad betyder det?": at most this many terms of the last answer explained
NO_RECIPIENT = "Vem den lämnas till står inte i mina uppgifter om fristen."
# intents complete without a topic: "vilka frister har vi?" is a question of its own
SELF_CONTAINED = frozenset({
    "help", "thanks", "empty", "sources", "opinion", "features", "insatser_list",
    "deadlines_past", "deadlines_upcoming", "allocation_table", "regions_list",
    "population_total", "population_rank", "allocation_method",
})  # fmt: skip
LEANING = frozenset(
    {*LEX["follow_up_starts"].words, *LEX["follow_up_ends"].words, *LEX["refers_back"].words}
)


_START = re.compile(rf"^\W*(?:{LEX['follow_up_starts'].alternation})(?![\w-])")
_END = re.compile(rf"(?<![\w-])(?:{LEX['follow_up_ends'].alternation})\W*$")


def leans_back(folded: str) -> bool:
    """ "och 2024?", "Skåne då?", "vad betyder det?": the wording leans on what went before."""
    p = plain(folded)
    return bool(_START.match(p) or _END.search(p) or LEX["refers_back"].search(folded))


def own_words(a: Assistant, u: Understanding) -> list[str]:
    """What the question itself names to ask about: its topic words less regions,
    municipalities, years, amounts and the words that lean on the last answer."""
    ignore = TOPIC_NOISE | LEANING | a.place_words | frozenset(YEAR.findall(u.folded))
    if u.municipality:
        ignore |= frozenset(fold(u.municipality).split())
    q = a.searcher.parse(u.text, ignore=ignore)
    return [w for w in q.words if not w.isdigit()]


def is_follow_up(a: Assistant, u: Understanding) -> bool:
    own = own_words(a, u)
    leaning = leans_back(u.folded)
    if not own:  # "till vem?", "och Skåne då?" – but "hur mkt får vgr" asks on its own
        return leaning or (u.intent not in SELF_CONTAINED and u.confidence < OWN_INTENT)
    return leaning and len(u.folded.split()) <= SHORT and len(own) <= MAX_OWN


def answer(
    a: Assistant, u: Understanding, topic: Topic, today: date
) -> tuple[Answer, Understanding] | None:
    """The follow-up's answer and the question as finally read, or None when `u` is a
    question of its own."""
    if u.intent in ("empty", "help", "thanks") or not is_follow_up(a, u):
        return None
    own = own_words(a, u)
    before = topic.understanding
    if u.intent == "definition" and not own:
        explained = _terms_explained(a, topic)
        return (explained, u) if explained else None
    if u.intent.startswith("support") and topic.areas and not own:
        by_id = {x.id: x for x in a.knowledge.areas}
        areas = [by_id[i] for i in topic.areas if i in by_id]
        support = replace(u, intent="support", domain=None)
        return a.area_answer(areas, support), support
    if before.intent in REGION_INTENTS:
        # read again with the region and amount it leaves out: "och per invånare?" then
        # asks Uppsala's amount per inhabitant
        inherited = {"region": len(before.regions) or int(bool(before.described))}
        inherited["amount"] = len(before.amounts)
        again = a.interpreter.understand(u.text, today, inherited)
        merged = _merged(again, before, bare=not own)
        return a.route(merged, today), merged
    if own:  # "och indikatorerna då?": the same question about something else
        sure = u.confidence >= OWN_INTENT and u.intent != "search"
        m = replace(u, intent=u.intent if sure else before.intent, year=u.year or before.year)
        return a.route(m, today), m
    if topic.deadline_ids:  # "till vem?", "hur ofta?", "och 2030?" of the same deadline
        k = a.knowledge
        deadlines = [d for d in k.deadlines if d.id in topic.deadline_ids]
        year = u.year or before.year
        shown = answer_deadlines(k, deadlines, today, year, "previous" in u.flags, u.after)
        if LEX["asks_recipient"].search(u.folded) and not any(d.recipients for d in deadlines):
            shown = replace(shown, text=shown.text + "\n\n" + NO_RECIPIENT)
        return shown, replace(before, year=year, language=u.language)
    merged = _merged(u, before, bare=True)
    return a.route(merged, today), merged


def _merged(u: Understanding, before: Understanding, bare: bool) -> Understanding:
    """The earlier question with what the follow-up names instead: its region, year,
    amount; its own intent when it is sure of one, unless it only swaps the region
    ("och Skåne då?" after an amount per inhabitant asks that amount)."""
    intent = before.intent
    if (
        u.confidence >= OWN_INTENT
        and u.intent not in ("search", before.intent)
        and u.intent not in SELF_CONTAINED
        and not (bare and u.intent in REGION_INTENTS and before.intent in REGION_INTENTS)
    ):
        intent = u.intent
    names_region = bool(u.regions or u.municipality or u.unknown_region or u.described)
    flags = set(before.flags) | (u.flags & {"previous", "next"})
    if intent != before.intent:
        flags = set(u.flags)
    return replace(
        before,
        intent=intent,
        regions=u.regions if names_region else before.regions,
        municipality=u.municipality if names_region else before.municipality,
        unknown_region=u.unknown_region if names_region else before.unknown_region,
        described=u.described if names_region else before.described,
        year=u.year or before.year,
        amounts=u.amounts or before.amounts,
        flags=flags,
        language=u.language,
        corrected=u.corrected,
    )


def _terms_explained(a: Assistant, topic: Topic) -> Answer | None:
    """ "Vad betyder det?": the glossary's terms that the last answer uses, first met first
    (not the one it defined already)."""
    text = fold(topic.text)
    found = []
    for g in a.knowledge.glossary:
        if not g.meaning:
            continue
        m = re.search(rf"(?<![\w-]){re.escape(fold(g.term))}(?![\w-])", text)
        if m and not text.startswith(fold(g.term) + ":"):
            found.append((m.start(), g))
    if not found:
        return None
    found.sort(key=lambda x: x[0])
    cite = Citer(a.knowledge)
    lines = []
    for _, g in found[:MAX_TERMS]:
        line = f"{g.term}: {g.meaning}."
        if g.note:
            line += f" {g.note}"
            cite.cite(g.note_source)
        cite.cite(g.source)
        lines.append(line)
    return Answer("\n".join(lines), True, "definition", cite.all())
