"""What a question asks: typos corrected, entities found by rule (bot/engine/entities.py), then
the intent by example (bot/engine/intents.py, examples in knowledge/data/intents.yaml).

No cue words decide the intent here: the examples do, and the slots an intent needs
(an allocation needs a region) keep it from a question that lacks them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Literal

import numpy as np

from index.analysis import STOPWORDS, fold, plain, stem
from index.analysis import words as index_words
from index.embedding import Embedder, VectorCache
from knowledge.models import MONTHS_SV, Knowledge, Region, SupportStatus
from knowledge.vocabulary import IntentName, vocabulary
from knowledge.vocabulary import intents as load_intents

from .entities import (
    AMOUNT,
    LEX,
    NUMBER_WORDS,
    YEAR,
    Entities,
    RegionDescription,
    RegionMatcher,
    describe_beside,
    extract,
    language,
    municipality,
)
from .intents import FALLBACK, MIN_PROBABILITY, Classified, IntentClassifier
from .spelling import Speller

VOCAB = vocabulary()
# Words that say how something is asked, not what about (and the stopwords), also
# without diacritics ("vad ar rsa"): left out of the topic search.
TOPIC_NOISE = frozenset(VOCAB.noise) | frozenset(plain(w) for w in (*VOCAB.noise, *STOPWORDS))
DOMAIN_WORDS = LEX["domain_words"].words

# intents a clause may ask of regions described in another ("… och vad får de?")
SECOND_STEPS = frozenset({"allocation", "allocation_per_capita", "allocation_sum",
                          "allocation_how", "allocation_population"})  # fmt: skip
MIN_SECOND_STEP = 0.3
# "vi", "vår", "we", "our": the region a message names, when it names one
# (on folded text with å/ä/ö: the lexicon's plain alternation would read "vår" as "var")
OURS = re.compile(rf"(?<![\w-])(?:{'|'.join(map(re.escape, LEX['ours'].entries))})(?![\w-])")
# long, unsure messages are read clause by clause
CLAUSE_BELOW = 0.5
CLAUSE_WORDS = 12
MAX_CLAUSES = 4
# (matched on plain() text, which keeps every letter's place)
CLAUSES = re.compile(
    rf"[,.;:!?]+\s*|\s+(?:{LEX['clause_joins'].alternation})\s+"
    rf"(?=(?:{LEX['clause_starts'].alternation})(?![\w-]))"
)


def clauses(folded: str) -> list[str]:
    """The clauses of a message, as written."""
    out, start = [], 0
    for m in CLAUSES.finditer(plain(folded)):
        out.append(folded[start : m.start()])
        start = m.end()
    out.append(folded[start:])
    return [c for c in out if c.strip()]


GLOSS_PULL = 1.0  # weight of the glossary phrases' mean vector beside the question's

# intent -> what the allocation answer is asked to show
ALLOCATION_FLAGS = {
    "allocation_population": "population",
    "allocation_per_capita": "per_capita",
    "allocation_how": "how",
    "allocation_compare": "difference",
    "allocation_sum": "together",
}

# intents asked of a region: a described one ("regionen med flest invånare") will do, and
# a follow-up may swap it ("och Skåne då?")
# intents whose amount may be asked per inhabitant without that being their intent
PER_HEAD_INTENTS = frozenset({"allocation", "allocation_method", "population_total",
                              "allocation_table", "population_rank"})  # fmt: skip
REGION_INTENTS = frozenset({"allocation", *ALLOCATION_FLAGS, "cost_share", "what_if"})


# what may be asked about a period ("under vintern", "före sommaren")
DEADLINE_INTENTS = frozenset({"deadline", "deadlines_upcoming", "deadlines_past"})
# what may be asked of regions described by their population
DESCRIBED_INTENTS = REGION_INTENTS | {"population_rank", "regions_list"}


def _family_intent(c: Classified, family: frozenset[str]) -> Classified:
    """The likeliest intent of a family that the question's slots point to, when the
    family together is sure enough though none of it alone is."""
    members = [(n, p) for n, p in c.ranking if n in family]
    if members and sum(p for _, p in members) >= MIN_PROBABILITY:
        return Classified(members[0][0], members[0][1], c.ranking)
    return c


def _described_intent(c: Classified, by_text: bool) -> Classified:
    """Regions described by their population are asked about for their money or their
    population (`by_text`, described by the documents: for their money): when the
    intents that ask that are together more probable than the threshold, the likeliest
    of them wins, though each alone is not sure ("summera beloppen för regionerna med
    över en miljon invånare": sum 0.24, allocation 0.27)."""
    return _family_intent(c, REGION_INTENTS if by_text else DESCRIBED_INTENTS)


# What a question is read as: an intent of intents.yaml, "empty" (nothing asked) or
# "support_list" (/stod: every support item of an area, bot/engine/areas.py)
Asked = IntentName | Literal["empty", "support_list"]


@dataclass
class Understanding:
    text: str
    folded: str
    intent: Asked
    confidence: float = 1.0
    regions: list[Region] = field(default_factory=list)
    unknown_region: str | None = None
    municipality: str | None = None
    year: int | None = None
    amounts: list[int] = field(default_factory=list)
    base_amount: int | None = None
    until: date | None = None
    domain: str | None = None
    insats: int | None = None
    insats_point: str | None = None  # "c" in "punkt 1 c"
    flags: set[str] = field(default_factory=set)
    corrected: dict[str, str] = field(default_factory=dict)  # typo -> the word understood
    status: SupportStatus | None = None  # a support group asked for
    start: date | None = None  # a period asked about starts here (default: today)
    on_day: tuple[int, int, int | None] | None = None  # (day, month, year) the user names
    after: int | None = None  # "efter 2027": only what falls due after that year
    language: str = "sv"
    vector: np.ndarray | None = None  # the question's embedding, for retrieval
    ranking: tuple[tuple[IntentName, float], ...] = ()  # every intent's probability
    described: RegionDescription | None = None  # regions described, not named
    follows_up: bool = False  # read as a follow-up of the chat's last answer
    leaning: Leaning | None = None  # a follow-up asks this of the last answer itself
    excluded: tuple[str, ...] = ()  # "förutom MSB": left out of the topic and the answer
    without: list[Region] = field(default_factory=list)  # "alla regioner utom Stockholm"
    asked_kind: tuple[str, ...] = ()  # "fler myndigheter än MSB": what kind, not a topic
    actor: str | None = None  # "vad ska SKR göra?": who is asked about as doing it
    audience: str | None = None  # "kommuner": asked from or about the municipalities
    times: int | None = None  # "de två kommande tillfällena": that many next occurrences
    between: tuple[str, str] | None = None  # "dagar mellan X och Y": the two things named


@dataclass(frozen=True)
class Leaning:
    """What a follow-up asks of the last answer itself, answered from it rather than from
    the texts (bot/engine/follow_up.py decides)."""

    explain: str | None = None  # "vad betyder det?": the terms this text uses
    areas: tuple[str, ...] = ()  # "vilket stöd finns för det?": these areas' support
    deadline_ids: tuple[str, ...] = ()  # "till vem?", "och 2030?": these deadlines again
    previous: bool = False  # "förra gången?": the occurrence before
    after: int | None = None  # "efter 2027"
    recipient: bool = False  # asks whom it is handed to


_TITLE_WORD = re.compile(r"[a-zåäö0-9]+")
TITLE_WORDS = 4  # a title names its document when a question has this many of its words
TITLE_SHARE = 0.7  # and this share of them


class DocumentNames:
    """Words that point at one document: its kind when no other document has that kind
    ("rapporten", "informationsbladet"), and its publisher after "enligt" or before a
    verb of saying ("enligt Socialstyrelsen", "SKR skriver"). Agreements are left out:
    "överenskommelsen" also names the agreements the texts discuss."""

    def __init__(self, knowledge: Knowledge):
        saying = "(" + "|".join(sorted(map(re.escape, LEX["saying"].entries))) + ")"
        texts = [d for d in knowledge.documents.values() if d.file]
        kinds: dict[str, list[str]] = {}
        publishers: dict[str, list[str]] = {}
        for d in texts:
            for kind in {fold(d.kind), *map(fold, d.called)}:
                kinds.setdefault(kind, []).append(d.id)
            publishers.setdefault(fold(d.publisher.split()[0]), []).append(d.id)
        self.patterns: list[tuple[re.Pattern, str]] = []
        for kind, ids in kinds.items():
            if len(ids) == 1 and re.fullmatch(r"[a-zåäö]+", kind) and kind != "överenskommelse":
                # with its publisher's name before it ("MSB:s handbok"), both name it
                owner = re.escape(fold(knowledge.documents[ids[0]].publisher.split()[0]))
                named = rf"(?<!\w)(?:{owner}(?::?s)?\s+)?{kind}(en|et|n|t)?(?!\w)"
                self.patterns.append((re.compile(named), ids[0]))
        for name, ids in publishers.items():
            if len(ids) == 1 and re.fullmatch(r"[a-zåäö]+", name):
                said = rf"(?<!\w)(enligt {name}|{name}(s)? {saying}|{saying} {name})(?!\w)"
                self.patterns.append((re.compile(said), ids[0]))
        # a document named by (most of) its title: "överenskommelsen om hälso- och
        # sjukvårdens arbete med civilt försvar 2023"
        self.titles = {
            d.id: frozenset(stem(w) for w in _TITLE_WORD.findall(fold(d.title))
                            if w not in STOPWORDS and len(w) > 1)
            for d in texts
        }  # fmt: skip

    def find(self, folded: str) -> tuple[frozenset[str], frozenset[str]]:
        """The documents named, and the words that named them (not topics)."""
        docs: set[str] = set()
        words: set[str] = set()
        for pattern, doc_id in self.patterns:
            for m in pattern.finditer(folded):
                docs.add(doc_id)
                # as the query has them ("msb:s" is "msb")
                words.update(m.group(0).split(), index_words(m.group(0)))
        asked: dict[str, set[str]] = {}
        for w in _TITLE_WORD.findall(folded):
            asked.setdefault(stem(w), set()).add(w)
        for doc_id, title in self.titles.items():
            shared = title & asked.keys()
            needed = max(TITLE_WORDS, TITLE_SHARE * len(title))
            if len(title) >= TITLE_WORDS and len(shared) >= needed:
                docs.add(doc_id)
                words.update(w for t in shared for w in asked[t])
        return frozenset(docs), frozenset(words)


def question_lexicon(knowledge: Knowledge) -> set[str]:
    """Words a question may use besides the documents' own, known to the speller: the
    vocabulary's, words used in two or more intent examples (a typo is not repeated),
    glossary terms, region names and aliases, months and numbers."""
    texts = [*VOCAB.noise, *STOPWORDS, *MONTHS_SV, *NUMBER_WORDS, *VOCAB.amount_units]
    for lex in LEX.values():
        texts += lex.words
    for s in VOCAB.seasons:
        texts += s.words
    counts: dict[str, int] = {}
    for intent in load_intents():
        for ex in intent.examples:
            for w in set(re.findall(r"[^\W\d_]+", fold(ex))):
                counts[w] = counts.get(w, 0) + 1
    texts += [w for w, n in counts.items() if n >= 2]
    for g in knowledge.glossary:
        texts += [g.term, *g.expands]
    for r in knowledge.regions:
        texts += [r.name, *r.aliases]
    return {w for t in texts for w in re.findall(r"[^\W\d_]+", fold(t))}


class Interpreter:
    def __init__(
        self,
        knowledge: Knowledge,
        speller: Speller,
        embedder: Embedder,
        cache: VectorCache | None = None,
        weights_dir: Path | None = None,
        progress=None,
    ):
        self.knowledge = knowledge
        self.regions = RegionMatcher(knowledge.regions)
        self.speller = speller
        self.embedder = embedder
        self._phrases: dict[str, np.ndarray] = {}
        self.classifier = IntentClassifier(
            load_intents(), embedder, cache, self.without_regions, self.delexicalise, weights_dir,
            (lambda n, total: progress("avsikter", n, total)) if progress else None,
        )  # fmt: skip

    def without_regions(self, folded: str, e: Entities | None = None, ours: bool = False) -> str:
        """The question with the regions it names or describes, and a municipality in a
        region's role, as "region x": what is asked, not about whom, decides the intent.
        (The embedding is taken of this text; with no region named it is the question
        itself, and retrieval reuses it.) `e`: the question's entities, if already found.
        In a message that names one region "vi", "vår" are that region ("jag jobbar i
        Region Kalmar län. hur mycket fick vi?"); `ours`: the message does (for a clause)."""
        if e is None:
            found, town = self.regions.find(folded)
            town = town or municipality(folded, self.speller.lexicon)
            described = describe_beside(folded, found)
        else:
            found, town, described = e.regions, e.municipality, e.described
        text = folded
        if described:  # a threshold describes (usually) several regions
            name = "region x och region y" if described.several else "region x"
            text = text[: described.span[0]] + name + text[described.span[1] :]
        if town:
            text = text.replace(town, "region x")
        for r in found:
            for name in sorted({fold(r.name), *map(fold, r.aliases)}, key=len, reverse=True):
                text = re.sub(rf"(?<![\w-]){re.escape(name)}s?(?![\w-])", "region x", text)
        if ours or (len(found) + bool(town) == 1 and not described):
            text = OURS.sub("region x", text)
        return re.sub(r"(?<![\w-])region(en)?\s+region x", "region x", text)

    def delexicalise(self, folded: str, e: Entities | None = None, ours: bool = False) -> str:
        """Regions, amounts and years as placeholders, for the character n-grams."""
        return without_numbers(self.without_regions(folded, e, ours))

    def understand(
        self, text: str, today: date, inherited: dict[str, int] | None = None
    ) -> Understanding:
        """`inherited`: slots a follow-up takes from the last answer ("och per invånare?"
        after a question about one region has that region), so that the intents needing
        them are allowed."""
        typed = fold(text).strip()
        expanded = VOCAB.expand(typed)
        # the speller knows Swedish words: it would "correct" English ones into them
        # ("levels" -> "leverera", "start" -> "snart")
        corrected: dict[str, str]
        if language(expanded) == "en":
            folded, corrected = expanded, {}
        else:
            folded, corrected = self.speller.text(expanded)
        if not re.search(r"[^\W_]", folded):
            return Understanding(text=text, folded=folded, intent="empty")
        e = extract(folded, self.regions, self.speller.lexicon, today)
        c, slots, named, plain_names, vector = self._classify(folded, e, inherited)
        money: Classified | None = None  # the clause asking described regions' money
        if e.described and e.described.kind == "text":
            # regions the documents describe are asked about for their money; "datum för
            # regionerna som infaller under 2027" describes dates (a deadline intent is the
            # likeliest): read without it
            asked = _described_intent(c, True) if c.intent == FALLBACK else c
            dated = bool(c.ranking) and c.ranking[0][0] in DEADLINE_INTENTS  # likeliest
            if asked.intent in REGION_INTENTS and not dated:
                c = asked
            elif c.intent in ("population_rank", "regions_list") and (
                money := self._asks_money(folded, slots, named, (plain_names, vector))
            ):
                pass  # "vilken region är värd för …, och hur mycket får den?"
            else:
                e.described = None
                c, slots, named, plain_names, vector = self._classify(folded, e, inherited)
        if c.intent == FALLBACK and e.described:
            c = _described_intent(c, False)
        elif c.intent == FALLBACK and (
            e.until or e.start or e.on_day or (e.year and e.year >= today.year)
        ):
            c = _family_intent(c, DEADLINE_INTENTS)  # "rapportering nu under vintern?"
        if money is not None:
            c = money  # found above: the clauses are not read again
        elif c.probability < CLAUSE_BELOW and len(folded.split()) > CLAUSE_WORDS:
            # regions a text describes: the describing clause is step one, not the question
            text_described = e.described is not None and e.described.kind == "text"
            c = self._best_clause(folded, c, slots, named, (plain_names, vector),
                                  among=REGION_INTENTS if text_described else None)  # fmt: skip
        elif e.described and c.intent in ("population_rank", "regions_list"):
            # "vilka regioner har över en miljon invånare, och vad får de tillsammans?": the
            # description is step one; a clause may ask for their money
            asked = self._asks_money(folded, slots, named, (plain_names, vector))
            if asked:
                c = asked
        u = Understanding(text=text if folded == typed else folded, folded=folded, intent=c.intent)
        # retrieval reuses the embedding with regions as placeholders: a second pass of
        # the model (a third of the slowest answers' time) changed no answer measured; the
        # names still count through BM25
        u.vector = vector
        u.confidence, u.ranking, u.corrected = c.probability, c.ranking, corrected
        _take_entities(u, e)
        if c.intent in ALLOCATION_FLAGS:
            u.flags.add(ALLOCATION_FLAGS[c.intent])
        elif c.intent in PER_HEAD_INTENTS and LEX["per_inhabitant"].search(folded):
            # "… och vad får den per invånare?" in a second clause; "befolkningsdelen, hur
            # många kronor per invånare blir det?" of the total
            u.flags.add("per_capita")
        return u

    def _classify(self, folded: str, e: Entities, inherited: dict[str, int] | None):
        """The intent the question's words and slots give, with the slots, the question
        with regions as placeholders and its embedding."""
        slots = {
            "region": len(e.regions)
            or (2 if e.described and e.described.several else 0)
            or (1 if e.unknown_region or e.municipality or e.described else 0),
            # "utan grundbelopp" sets an amount of a what-if: the base, at nothing
            "amount": len(e.amounts) + (e.base_amount == 0),
            "insats": int(e.insats is not None),  # "insats 1a": one of the agreement's
        }
        plain_names = self.without_regions(folded, e)
        vector = self.embedder.query(plain_names)
        named = {"region": len(e.regions) + bool(e.municipality), "amount": slots["amount"],
                 "insats": slots["insats"]}  # fmt: skip
        for slot, n in (inherited or {}).items():
            slots[slot] = max(slots.get(slot, 0), n)
            named[slot] = max(named.get(slot, 0), n)
        c: Classified = self.classifier.classify(without_numbers(plain_names), vector, slots, named)
        return c, slots, named, plain_names, vector

    def _asks_money(
        self, folded: str, slots: dict[str, int], named: dict[str, int],
        embedded: tuple[str, np.ndarray],
    ) -> Classified | None:  # fmt: skip
        """The clause that asks for described regions' money, if one does ("…, och vad
        får de tillsammans?")."""
        asked = self._best_clause(folded, Classified("search", 0.0, ()), slots, named,
                                  embedded, among=SECOND_STEPS)  # fmt: skip
        ok = asked.intent in SECOND_STEPS and asked.probability >= MIN_SECOND_STEP
        return asked if ok else None

    def _best_clause(
        self,
        folded: str,
        whole: Classified,
        slots: dict[str, int],
        named: dict[str, int],
        embedded: tuple[str, np.ndarray],
        among: frozenset[str] | None = None,
    ) -> Classified:
        """A long message ("Vi har möte nästa vecka och jag behöver veta hur mycket …")
        asks in one of its clauses: the clause read most surely wins, if it is surer than
        the whole (one embedding per clause, for long and unsure messages only). With
        `among`, only a clause asking one of those intents counts."""
        best = whole
        ours = named.get("region", 0) == 1
        for clause in clauses(folded)[:MAX_CLAUSES]:
            if len(clause.split()) < 3 or not LEX["question_words"].search(clause):
                continue  # "vi har möte nästa vecka" says why, not what is asked
            text = self.without_regions(clause, ours=ours)
            # a "clause" that is the whole message is embedded already
            vec = embedded[1] if text.strip() == embedded[0].strip() else self.embedder.query(text)
            c = self.classifier.classify(self.delexicalise(clause, ours=ours), vec, slots, named)
            if among is not None and c.intent not in among:
                continue
            if c.intent != "search" and c.probability > best.probability:
                best = c
        return best

    def vector(self, u: Understanding, glossed_as: tuple[str, ...] = ()) -> np.ndarray:
        """The question's embedding for retrieval; with the glossary's Swedish phrases for
        the terms it names ("serious incident": "allvarlig händelse"), which the model
        then matches in the documents' own words."""
        if u.vector is None:
            u.vector = self.embedder.query(u.folded)
        if not glossed_as:
            return u.vector
        # the phrases' own vectors (embedded once per process) pull the question towards
        # the documents' words: no second pass of the model for the question
        phrases = [self._phrase(p) for p in glossed_as[:6]]
        v = u.vector + GLOSS_PULL * np.mean(phrases, axis=0)
        return v / np.linalg.norm(v)

    def _phrase(self, phrase: str) -> np.ndarray:
        if phrase not in self._phrases:
            self._phrases[phrase] = self.embedder.query(phrase)
        return self._phrases[phrase]


def without_numbers(text: str) -> str:
    return YEAR.sub("år", AMOUNT.sub("N miljoner", text))


def _take_entities(u: Understanding, e: Entities) -> None:
    u.regions, u.unknown_region, u.municipality = e.regions, e.unknown_region, e.municipality
    u.year, u.after, u.amounts, u.base_amount = e.year, e.after, e.amounts, e.base_amount
    u.until, u.start, u.on_day = e.until, e.start, e.on_day
    u.domain, u.status, u.insats, u.language = e.domain, e.status, e.insats, e.language
    u.described, u.insats_point, u.excluded = e.described, e.insats_point, e.excluded
    u.asked_kind, u.actor, u.audience = e.asked_kind, e.actor, e.audience
    u.times, u.between, u.without = e.times, e.between, e.without
    u.flags |= {"next" if f == "next_only" else f for f in e.flags}
    if e.extreme:
        u.flags.add(e.extreme)
