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

from index.analysis import fold, plain
from index.search import Searcher
from knowledge.models import Knowledge

from .conversation import Topic
from .entities import LEX, YEAR
from .passages import terms_explained
from .understanding import REGION_INTENTS, TOPIC_NOISE, Interpreter, Leaning, Understanding

SHORT = 7  # words: a question this short that leans on the last answer follows it up…
MAX_OWN = 2  # …if it names at most this many things of its own ("och per invånare?")
OWN_INTENT = 0.6  # a follow-up's own intent wins over the topic's when this sure
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


class FollowUps:
    def __init__(
        self,
        knowledge: Knowledge,
        searcher: Searcher,
        interpreter: Interpreter,
        place_words: frozenset[str],
    ):
        self.knowledge = knowledge
        self.searcher = searcher
        self.interpreter = interpreter
        self.place_words = place_words

    def own_words(self, u: Understanding) -> list[str]:
        """What the question itself names to ask about: its topic words less regions,
        municipalities, years, amounts and the words that lean on the last answer."""
        ignore = TOPIC_NOISE | LEANING | self.place_words | frozenset(YEAR.findall(u.folded))
        if u.municipality:
            ignore |= frozenset(fold(u.municipality).split())
        q = self.searcher.parse(u.text, ignore=ignore)
        return [w for w in q.words if not w.isdigit()]

    def is_follow_up(self, u: Understanding) -> bool:
        own = self.own_words(u)
        leaning = leans_back(u.folded)
        if not own:  # "till vem?", "och Skåne då?" – but "hur mkt får vgr" asks on its own
            return leaning or (u.intent not in SELF_CONTAINED and u.confidence < OWN_INTENT)
        return leaning and len(u.folded.split()) <= SHORT and len(own) <= MAX_OWN

    def resolve(self, u: Understanding, topic: Topic, today: date) -> Understanding | None:
        """The follow-up as it is to be answered, with what it takes from `topic`; None
        when `u` is a question of its own."""
        if u.intent in ("empty", "help", "thanks") or not self.is_follow_up(u):
            return None
        own = self.own_words(u)
        before = replace(topic.understanding, leaning=None)
        if u.intent == "definition" and not own:
            if terms_explained(self.knowledge, topic.text) is None:
                return None
            return replace(u, leaning=Leaning(explain=topic.text))
        if u.intent.startswith("support") and topic.areas and not own:
            return replace(u, intent="support", domain=None, leaning=Leaning(areas=topic.areas))
        if before.intent in REGION_INTENTS:
            # read again with the region and amount it leaves out: "och per invånare?" then
            # asks Uppsala's amount per inhabitant
            inherited = {"region": len(before.regions) or int(bool(before.described))}
            inherited["amount"] = len(before.amounts)
            again = self.interpreter.understand(u.text, today, inherited)
            return _merged(again, before, bare=not own)
        if own:  # "och indikatorerna då?": the same question about something else
            sure = u.confidence >= OWN_INTENT and u.intent != "search"
            return replace(u, intent=u.intent if sure else before.intent,
                           year=u.year or before.year)  # fmt: skip
        if topic.deadline_ids:  # "till vem?", "hur ofta?", "och 2030?" of the same deadline
            leaning = Leaning(
                deadline_ids=topic.deadline_ids,
                previous="previous" in u.flags,
                after=u.after,
                recipient=bool(LEX["asks_recipient"].search(u.folded)),
            )
            return replace(
                before, year=u.year or before.year, language=u.language, leaning=leaning
            )
        return _merged(u, before, bare=True)


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
