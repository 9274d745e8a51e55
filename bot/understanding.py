"""What a question asks: its intent and the entities in it (region, year, amounts,
a period), tolerant of typos, abbreviations, missing punctuation and English."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from rapidfuzz import fuzz, process
from rapidfuzz.distance import DamerauLevenshtein

from index.analysis import STOPWORDS, fold, plain
from knowledge.models import MONTHS_SV, Knowledge, Region

from .spelling import Speller

CUE_WORDS: set[str] = set()  # every word a cue is written with: known to the speller


def _cue(*patterns: str) -> re.Pattern:
    """A cue matched on diacritic-free text, so phone typing without å, ä, ö still counts."""
    CUE_WORDS.update(re.findall(r"[a-zåäöéü]+", "|".join(patterns)))
    return re.compile(r"(?<![\w-])(?:" + plain("|".join(patterns)) + r")(?![\w-])")


GREETING = _cue("hej", "hejsan", "hallå", "tjena", "god morgon", "god dag", "hello", "hi", "hey")
HELP = _cue(
    "hjälp",
    "vad kan du",
    "hur funkar du",
    "hur fungerar du",
    "help",
    "start",
    "vad kan jag fråga",
    "what can you do",
)
THANKS = _cue("tack", "tackar", "thanks", "thank you")
# questions about what the bot itself does: reminders, calendar
FEATURES = _cue(
    "påminnelse(r)?",
    "påminna",
    "påminn",
    "bevaka",
    "bevakning(ar)?",
    "kalender(n)?",
    "kalenderfil",
    "ics",
    "reminders?",
    "calendar",
)
# "vilka är de sju insatserna?": the list of the agreement's insatser
ALL_INSATSER = _cue(
    "(vilka|alla|de sju|sju|samtliga|hur många) insatser(na)?",
    "insatserna 1(-|–| till )7",
    "(the )?(seven|all) (measures|efforts|interventions)",
    "which (measures|efforts|interventions)",
)
# questions about the assistant's own sources, not about what they say
SOURCES = _cue(
    "vilka (dokument|källor|underlag|texter)( (har|använder|bygger|kan|utgår|känner) du)",
    "vilka (dokument|källor|underlag) (bygger|grundar) (du|svaren)",
    "vad (bygger|grundar) du (svaren |dina svar )?på",
    "vilka är dina källor",
    "dina källor",
    "which (documents|sources)",
    "(vem|vilka) (har skrivit|står bakom|har gett ut|ger ut)",
    "what (documents|sources)",
)
DEADLINE = _cue(
    "när",
    "datum",
    "deadlines?",
    "frist",
    "frister",
    "fristen",
    "senast",
    "sista dag(en)?",
    "hur ofta",
    "vilket datum",
    "due",
    "when",
    "how often",
    "dags att",
    "hur lång tid",
    "nästa gång",
    "next time",
    "kvar till",
    "dagar kvar",
    "how long until",
    # who receives it: the deadlines name their recipients
    "(vem|vilka) (tar|ska ta) emot",
    "till vem",
    "till vilka",
    "vart (ska|skickas)",
    "mottagare(n)?",
    # something to hand in
    "lämna(s)? in",
    "skicka(s)? in",
    "ska in",
    "vara (klar|klart|klara|inne)",
    "(need|have) to (send|submit|report)",
)
UPCOMING = _cue(
    "nästa (deadline|frist|datum)",
    "kommande (deadlines|frister|datum)",
    "närmaste",
    "vilka (\\w+ )?(deadlines|frister|datum)",
    "alla (deadlines|frister)",
    "viktiga datum",
    "next deadline",
    "upcoming",
    "coming up",
    "(which|what) deadlines",
    "inom \\w+ (dagar|veckor|månader|år)",
    "nästa vecka",
    "i veckan",
    "(denna|den här) veckan?",
    "nästa månad",
    "(före|innan) årsskiftet",
    "resten av året",
    "(next|this) (week|month)",
    "(de )?(kommande|närmaste|nästa) \\w+ (dagar|veckor|månader|åren|år)",
    "(within|in) the (next|coming) \\w+ (days|weeks|months|years)",
    "(next|coming) \\w+ (days|weeks|months|years)",
)
PREVIOUS = _cue(
    "senaste",
    "förra",
    "föregående",
    "när var",
    "när lämnades",
    "när skickades",
    "last time",
    "previous",
    "när gjordes",
)
PAST = _cue(
    "(har )?passerat",
    "passerade",
    "har gått ut",
    "gått ut",
    "tidigare frister",
    "gamla frister",
    "past deadlines",
    "missat",
    "missade",
    "missed",
    "passed",
    "expired",
)
NEXT_ONLY = _cue("nästa (deadline|frist|datum)", "next deadline", "närmaste (deadline|frist)")
MONEY = _cue(
    "tilldelning(en)?",
    "tilldelas",
    "får",
    "fick",
    "belopp(et)?",
    "pengar",
    "medel(en)?",
    "kronor",
    "kr",
    "mkr",
    "mnkr",
    "miljoner",
    "hur (mycket|mkt|mkt)",
    "mkt",
    "fördelas",
    "fördelning(en)?",
    "grundbelopp(et)?",
    "befolkningsandel(en)?",
    "andel(en)?",
    "summa",
    "ersättning(en)?",
    "statsbidrag(et)?",
    "bidrag(et)?",
    "how much",
    "allocation",
    "money",
    "grant",
    "get",
    "receive",
    "money",
    "funding",
    "grant",
)
POPULATION = _cue(
    "befolkning(en)?",
    "befolkningsunderlag(et)?",
    "invånare",
    "population",
    "inhabitants",
    "residents",
    "folkmängd(en)?",
)
ALL_REGIONS = _cue(
    "alla regioner(na)?",
    "samtliga regioner",
    "varje region",
    "per region",
    "tabell(en)?",
    "alla",
    "all regions",
)
COUNTRY = _cue("sverige", "riket", "hela landet", "alla regioner(na)?", "sweden")
TOTAL = _cue("totalt", "sammanlagt", "total(a|en)?", "totalsumma(n)?", "in total")
HOW_COMPUTED = _cue(
    "räknas",
    "beräknas",
    "räknades",
    "beräknades",
    "räkna",
    "uträkning(en)?",
    "hur kommer",
    "varför får",
    "how is",
    "calculated",
    "steg för steg",
)
COST = _cue(
    "kostar",
    "kostnad(en)?",
    "kostnader(na)?",
    "betala",
    "betalar",
    "cost",
    "costs",
    "pay",
    "pays",
    "finansiera",
)
TASK = _cue(
    "uppgift",
    "uppgifter(na)?",
    "göra",
    "gör",
    "ansvar(et)?",
    "krav(en)?",
    "insats(en)?",
    "insatser(na)?",
    "ta fram",
    "arbeta med",
    "jobba med",
    "tasks?",
    "should",
    "must",
    "duties",
    "måste",
    "förväntas",
)
SUPPORT = _cue(
    "stöd(et)?",
    "stödet",
    "hjälp med",
    "vägledning(ar)?",
    "utbildning i",
    "kurs(er)?",
    "webbutbildning(ar)?",
    "finns det",
    "support",
    "guidance",
    "training",
    "hjälpmedel",
    "verktyg",
    "material",
)
CONTACT = _cue(
    "kontakt\\w*",
    "ringa",
    "ring",
    "telefon\\w*",
    "tel",
    "tfn",
    "nummer\\w*",
    "mejl\\w*",
    "mail\\w*",
    "e-post\\w*",
    "epost\\w*",
    "adress\\w*",
    "contact",
    "phone",
    "email",
    "vem kan (jag|svara)",
    "vart vänder",
    "vem frågar",
    "nå",
    "når",
)
DEFINITION = _cue(
    "vad menas med",
    "vad betyder",
    "vad är",
    "vad innebär",
    "definition(en)?",
    "står för",
    "what is",
    "what does",
    "what are",
    "vad avses med",
    "hur definieras",
    "förklara",
)
COUNT = _cue("hur många", "antal(et)?", "how many")
# the bot has no views of its own
OPINION = _cue(
    "(vad|hur) (tycker|anser|tror|känner) du",
    "tycker du",
    "din (åsikt|uppfattning)",
    "what do you think",
    "your opinion",
)
DOMAIN_CRISIS = _cue("krisberedskap(en)?", "kris", "fredstid")
DOMAIN_DEFENCE = _cue("civilt försvar", "civila försvaret", "totalförsvar(et)?", "höjd beredskap")

# the support lists' own groups: "Stöd under utveckling", "Befintligt stöd"
STATUS_DEVELOPING = _cue("under utveckling", "utvecklas", "being developed", "under development")
STATUS_EXISTING = _cue("befintlig(t|a)? stöd(et)?", "existing support")
# a question whose only topic is the domain ("uppgifter inom krisberedskap") asks for all of it
DOMAIN_WORDS = frozenset(
    [
        "krisberedskap",
        "krisberedskapen",
        "kris",
        "civilt",
        "civila",
        "försvar",
        "försvaret",
        "totalförsvar",
        "totalförsvaret",
        "höjd",
        "beredskap",
        "fredstid",
    ]
)

PER_CAPITA = _cue("per invånare", "per capita", "per person", "per inhabitant", "per resident")
LEAST = _cue("minst", "lägst", "minsta", "lägsta", "least", "lowest", "smallest")
MOST = _cue("mest", "högst", "störst", "största", "högsta", "most", "highest", "largest")
TOGETHER = _cue("tillsammans", "sammanlagt", "totalt", "together", "combined", "in total")
DIFFERENCE = _cue(
    r"mer\b.*\ban",
    r"mindre\b.*\ban",
    "skillnad(en)?",
    "skiljer",
    "jämfört med",
    r"more\b.*\bthan",
    r"less\b.*\bthan",
    "difference",
)
BIGGEST_REGION = _cue(
    r"region(en)? (är|is) (den |the )?(minsta?|störst|största|smallest|largest|biggest)"
)
SUPERLATIVE = _cue(
    "minst",
    "mest",
    "störst",
    "lägst",
    "högst",
    "flest",
    "minsta",
    "största",
    "rangordning",
    "ranking",
    "least",
    "most",
    "lowest",
    "highest",
    "smallest",
    "largest",
    "biggest",
    "sorterade?",
)

# Words that say how something is asked, not what it is about: left out of the topic search.
_NOISE_WORDS = """
uppgift uppgifter uppgiften uppgifterna stöd stödet finns göra gör görs när datum deadline
deadlines frist frister fristen senast ofta menas betyder innebär avses kontakt kontakta kontaktar
telefon telefonnummer telefonnumret nummer numret mejl mejla mail e-post epost adress regionen
regionerna region regioner enligt gäller vilken vilket vilka mycket får fick belopp beloppet nästa
kommande dags ger heter hette kallas klar klart inne vara lämna lämnas skicka skickas due when
task tasks support help contact phone email mean means meaning does står förklara definition
betyda innebära definieras händer hände hänt sker skedde reported submitted sent delivered
happen happens göras klara hej hejsan hjälpa hjälp infaller infalla inträffar inträffa
efter före innan after before ta tar tas fram dokument dokumentet dokumenten behöver behövs
måste bör borde emot mottagare mottagaren need needs send say says tell get gets please
räknas beräknas räknades beräknades räkna uträkning uträkningen säger skriver föreslår
rekommenderar menar anser länge skillnad skillnaden skillnader skiljer difference between
kvar tid lång dagar missat missade förväntas förväntar gång gången förra föregående lämnades
skickades lämnade skickade innehålla innehåller
mellan
"""
# also without diacritics: "vilket stod finns" is typed for "vilket stöd finns"
# also without diacritics ("vad ar rsa"): the noise words and the stopwords
TOPIC_NOISE = frozenset(_NOISE_WORDS.split()) | frozenset(
    plain(w) for w in (*_NOISE_WORDS.split(), *STOPWORDS)
)

NUMBER_WORDS = {
    "en": 1,
    "ett": 1,
    "två": 2,
    "tre": 3,
    "fyra": 4,
    "fem": 5,
    "sex": 6,
    "sju": 7,
    "åtta": 8,
    "nio": 9,
    "tio": 10,
    "elva": 11,
    "tolv": 12,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "nine": 9,
    "ten": 10,
    "twelve": 12,
}
UNITS = {
    "miljard": 1_000_000_000,
    "miljarder": 1_000_000_000,
    "mdkr": 1_000_000_000,
    "miljon": 1_000_000,
    "miljoner": 1_000_000,
    "mnkr": 1_000_000,
    "mkr": 1_000_000,
    "million": 1_000_000,
    "millions": 1_000_000,
    "msek": 1_000_000,
    "tkr": 1_000,
    "tusen": 1_000,
    "kr": 1,
    "kronor": 1,
    "sek": 1,
}
AMOUNT = re.compile(
    r"(\d{1,3}(?:[ \u00a0]\d{3})+|\d+(?:[.,]\d+)?)\s*(" + "|".join(UNITS) + r")(?![\w])"
)
PERIOD = re.compile(
    r"(\d+|" + "|".join(NUMBER_WORDS) + r")\s+(dag|dagar|dagarna|vecka|veckor|veckorna|månad|"
    r"månader|månaderna|år|åren|days|weeks|months|years)\b"
    r"|(halvår|halvåret|halvårs|kvartal|kvartalet|half year|quarter)\b"
    r"|(nästa vecka|i veckan|denna vecka|den här veckan|next week|this week)"
    r"|(nästa månad|next month)"
    r"|((?:före|innan) årsskiftet|resten av året|i år|rest of the year|this year)\b"
)
YEAR = re.compile(r"(?<!\d)(20[0-9]{2})(?!\d)")
# "efter 2027", "från och med 2028": a boundary, not the year asked about
AFTER_YEAR = re.compile(
    r"(?<!\w)(?:(efter|after|senare an|later than)|(fran och med|fr ?o ?m|from|starting))"
    r"\s+(?:ar\s+|year\s+)?(20[0-9]{2})(?!\d)"
)
MONTH_PREFIX = {m[:3]: i for i, m in enumerate(MONTHS_SV, 1)} | {"may": 5, "oct": 10}
_MONTH = r"(jan|feb|mar|apr|maj|may|jun|jul|aug|sep|okt|oct|nov|dec)[a-zé]*\.?"
# "den 15 februari", "31 okt 2027": a day the user names
DAY_MONTH = re.compile(r"(?<!\d)([0-3]?\d)\s+" + _MONTH + r"(?:\s+(20\d\d))?(?![\w])")
# "i mars", "in march 2027": a whole month
IN_MONTH = re.compile(r"(?<![\w-])(?:i|in|under|during)\s+" + _MONTH + r"(?:\s+(20\d\d))?(?![\w])")
# "i vår", "under hösten", "this winter": a season (meteorological: spring is March-May)
SEASONS = {"var": (3, 5), "sommar": (6, 8), "host": (9, 11), "vinter": (12, 2)}
_SEASON_WORDS = {
    "vår": "var", "våren": "var", "spring": "var",
    "sommar": "sommar", "sommaren": "sommar", "sommarn": "sommar", "summer": "sommar",
    "höst": "host", "hösten": "host", "host": "host", "hosten": "host",
    "autumn": "host",  # not "fall": "i fall" is Swedish for "in case"
    "vinter": "vinter", "vintern": "vinter", "winter": "vinter",
}  # fmt: skip
_SEASON = "(" + "|".join(sorted(_SEASON_WORDS, key=len, reverse=True)) + ")"
IN_SEASON = re.compile(
    r"(?<![\w-])(?:i|in|under|during|this|till|to)\s+(?:the\s+)?" + _SEASON + r"(?![\w])"
)
BEFORE_SEASON = re.compile(r"(?<![\w-])(?:innan|före|before)\s+(?:the\s+)?" + _SEASON + r"(?![\w])")
# "hur räknas pengarna ut?": the grant's split as such, no region named
THE_GRANT = re.compile(r"(?<!\w)(pengarna|medlen|tilldelningen|fordelningen|statsbidraget)(?!\w)")
# a year inside a date ("1 november 2022") names the date, not the year asked about
DATE_YEAR = re.compile(r"\d{1,2}\s+(?:" + "|".join(MONTHS_SV) + r")\s+(20[0-9]{2})")
INSATS_NUMBER = re.compile(r"(?<![\w-])insats(?:en)?\s+(?:nummer\s+|nr\.?\s*)?([1-9])(?!\d)")
REGION_WORD = re.compile(r"(?<![\w-])region(?:en)?\s+([a-zåäö][\w-]+)")


@dataclass
class Understanding:
    text: str
    folded: str
    intent: str
    regions: list[Region] = field(default_factory=list)
    unknown_region: str | None = None
    year: int | None = None
    amounts: list[int] = field(default_factory=list)
    until: date | None = None
    domain: str | None = None
    insats: int | None = None
    flags: set[str] = field(default_factory=set)
    corrected: dict[str, str] = field(default_factory=dict)  # typo -> the word understood
    status: str | None = None  # a support group asked for ("under_utveckling", "befintligt")
    start: date | None = None  # a period asked about starts here (default: today)
    on_day: tuple[int, int, int | None] | None = None  # (day, month, year) the user names
    after: int | None = None  # "efter 2027": only what falls due after that year


class DocumentNames:
    """Words that point at one document: its kind when no other document has that kind
    ("rapporten", "informationsbladet"), and its publisher after "enligt" or before a
    verb of saying ("enligt Socialstyrelsen", "SKR skriver"). Agreements are left out:
    "överenskommelsen" also names the agreements the texts discuss."""

    SAYING = r"(säger|skriver|föreslår|rekommenderar|menar|anser)"

    def __init__(self, knowledge: Knowledge):
        texts = [d for d in knowledge.documents.values() if d.file]
        kinds: dict[str, list[str]] = {}
        publishers: dict[str, list[str]] = {}
        for d in texts:
            kinds.setdefault(fold(d.kind), []).append(d.id)
            publishers.setdefault(fold(d.publisher.split()[0]), []).append(d.id)
        self.patterns: list[tuple[re.Pattern, str]] = []
        for kind, ids in kinds.items():
            if len(ids) == 1 and re.fullmatch(r"[a-zåäö]+", kind) and kind != "överenskommelse":
                self.patterns.append((re.compile(rf"(?<!\w){kind}(en|et|n|t)?(?!\w)"), ids[0]))
        for name, ids in publishers.items():
            if len(ids) == 1 and re.fullmatch(r"[a-zåäö]+", name):
                said = (
                    rf"(?<!\w)(enligt {name}|{name}(s)? {self.SAYING}|{self.SAYING} {name})(?!\w)"
                )
                self.patterns.append((re.compile(said), ids[0]))

    def find(self, folded: str) -> tuple[frozenset[str], frozenset[str]]:
        """The documents named, and the words that named them (not topics)."""
        docs, words = set(), set()
        for pattern, doc_id in self.patterns:
            for m in pattern.finditer(folded):
                docs.add(doc_id)
                words.update(m.group(0).split())
        return frozenset(docs), frozenset(words)


class RegionMatcher:
    """Finds regions by name, alias or a near miss ("västerbottn", "vgr", "Sörmlands")."""

    def __init__(self, regions: tuple[Region, ...]):
        self.by_name: dict[str, str] = {}
        for r in regions:
            self.by_name[fold(r.name)] = r.id
            for a in r.aliases:
                self.by_name[fold(a)] = r.id
        self.regions = {r.id: r for r in regions}
        self.names = list(self.by_name)

    def find(self, folded: str) -> list[Region]:
        tokens = re.findall(r"[\wåäö-]+", folded)
        found: list[str] = []
        i = 0
        while i < len(tokens):
            match = None
            for n in (3, 2, 1):
                if i + n > len(tokens):
                    continue
                phrase = " ".join(tokens[i : i + n])
                if n == 1 and (phrase in STOPWORDS or phrase in ("region", "regionen")):
                    break
                rid = self._match(phrase)
                if rid:
                    match = (rid, n)
                    break
            if match:
                if match[0] not in found:
                    found.append(match[0])
                i += match[1]
            else:
                i += 1
        return [self.regions[r] for r in found]

    def _match(self, phrase: str) -> str | None:
        if phrase in self.by_name:
            return self.by_name[phrase]
        if len(phrase) < 5:
            return None
        # genitive and typos: "kronobergs", "västerbottn", "jämtlands", "gotlnad" (a swap
        # counts as one edit in Damerau-Levenshtein)
        best = process.extractOne(
            phrase, self.names, scorer=DamerauLevenshtein.normalized_similarity, score_cutoff=0.85
        )
        return self.by_name[best[0]] if best else None

    def suggest(self, word: str, limit: int = 3) -> list[str]:
        names = {r.name: r for r in self.regions.values()}
        hits = process.extract(fold(word), self.names, scorer=fuzz.WRatio, limit=limit * 3)
        out: list[str] = []
        for name, _score, _ in hits:
            n = self.regions[self.by_name[name]].name
            if n not in out:
                out.append(n)
        return out[:limit] or list(names)[:limit]


def parse_amounts(folded: str) -> list[int]:
    out = []
    for num, unit in AMOUNT.findall(folded):
        value = float(num.replace(" ", "").replace("\u00a0", "").replace(",", "."))
        out.append(round(value * UNITS[unit]))
    return out


def month_span(month: int, year: str | None, today: date) -> tuple[date, date]:
    """The month named ("i mars"): of the year given, else its next coming instance."""
    y = int(year) if year else today.year + (month < today.month)
    first = max(date(y, month, 1), today) if not year else date(y, month, 1)
    return first, date(y, month, calendar.monthrange(y, month)[1])


def season_span(word: str, today: date) -> tuple[date, date]:
    """The season named, its coming (or current) instance, from today at the earliest."""
    first, last = SEASONS[_SEASON_WORDS[word]]
    for y in (today.year - 1, today.year, today.year + 1):
        start = date(y, first, 1)
        end_year = y + (last < first)
        end = date(end_year, last, calendar.monthrange(end_year, last)[1])
        if end >= today:
            return max(start, today), end
    raise AssertionError("unreachable: one of three years ends after today")


def parse_until(folded: str, today: date) -> date | None:
    m = PERIOD.search(folded)
    if not m:
        return None
    if m.group(4):  # "nästa vecka": the coming seven days
        return today + timedelta(weeks=1)
    if m.group(6):  # "före årsskiftet": the rest of this year
        return date(today.year, 12, 31)
    if m.group(5):
        n, unit = 1, "månad"
    elif m.group(3):
        n, unit = (6 if m.group(3).startswith(("halv", "half")) else 3), "månader"
    else:
        n = int(m.group(1)) if m.group(1).isdigit() else NUMBER_WORDS[m.group(1)]
        unit = m.group(2)
    if unit.startswith(("dag", "day")):
        return today + timedelta(days=n)
    if unit.startswith(("veck", "week")):
        return today + timedelta(weeks=n)
    if unit.startswith(("mån", "month")):
        month = today.month - 1 + n
        year, month = today.year + month // 12, month % 12 + 1
        day = min(today.day, 28)
        return date(year, month, day)
    return date(today.year + n, today.month, min(today.day, 28))


def question_lexicon(knowledge: Knowledge) -> set[str]:
    """Words a question may use besides the documents' own: cues, noise and stopwords,
    glossary terms, region names and aliases, months and numbers."""
    texts = [*CUE_WORDS, *TOPIC_NOISE, *STOPWORDS, *MONTHS_SV, *NUMBER_WORDS]
    for g in knowledge.glossary:
        texts += [g.term, *g.expands]
    for r in knowledge.regions:
        texts += [r.name, *r.aliases]
    return {w for t in texts for w in re.findall(r"[^\W\d_]+", fold(t))}


class Interpreter:
    def __init__(self, knowledge: Knowledge, speller: Speller | None = None):
        self.knowledge = knowledge
        self.regions = RegionMatcher(knowledge.regions)
        self.speller = speller

    def understand(self, text: str, today: date) -> Understanding:
        folded = fold(text).strip()
        corrected: dict[str, str] = {}
        if self.speller:
            folded, corrected = self.speller.text(folded)
        u = Understanding(text=folded if corrected else text, folded=folded, intent="search")
        u.corrected = corrected
        u.regions = self.regions.find(folded)
        if not u.regions:
            m = REGION_WORD.search(folded)
            # "regionen prioritera": a word the documents use is not a region's name
            known = self.speller.lexicon if self.speller else frozenset()
            if m and m.group(1) not in STOPWORDS and m.group(1) not in known:
                u.unknown_region = m.group(1)
        years = [int(y) for y in YEAR.findall(DATE_YEAR.sub(" ", folded))]
        u.year = years[0] if years else None
        after = AFTER_YEAR.search(plain(folded))
        if after:
            u.after = int(after.group(3)) - (1 if after.group(2) else 0)
            u.year = None
        u.amounts = parse_amounts(folded)
        if DOMAIN_DEFENCE.search(plain(folded)):
            u.domain = "civilt försvar"
        elif DOMAIN_CRISIS.search(plain(folded)):
            u.domain = "krisberedskap"
        if STATUS_DEVELOPING.search(plain(folded)):
            u.status = "under_utveckling"
        elif STATUS_EXISTING.search(plain(folded)):
            u.status = "befintligt"
        m = INSATS_NUMBER.search(folded)
        u.insats = int(m.group(1)) if m else None
        u.intent = self._intent(u, today)
        return u

    def _intent(self, u: Understanding, today: date) -> str:
        f = plain(u.folded)
        n_words = len(f.split())
        if not re.search(r"\w", f):
            return "empty"
        if n_words <= 4 and (GREETING.search(f) or HELP.search(f) or THANKS.search(f)):
            return "thanks" if THANKS.search(f) and not HELP.search(f) else "help"
        if SOURCES.search(f):
            return "sources"
        if OPINION.search(f):
            return "opinion"
        if COUNT.search(f):
            u.flags.add("count")
        if FEATURES.search(f) and not u.regions and n_words <= 10:
            return "features"
        if ALL_INSATSER.search(f) and not INSATS_NUMBER.search(u.folded):
            return "insatser"
        if GREETING.search(f) or HELP.search(f):
            u.flags.add("greeting")  # "Hej, vad kan du hjälpa mig med?": help, if no topic
        money = bool(MONEY.search(f)) or bool(u.amounts)
        if u.amounts and COST.search(f) and u.regions:
            return "cost_share"
        if (
            u.amounts
            # "om 500 miljoner …", "vad skulle Skåne få med 500 mkr totalt?"
            and re.search(r"(?<!\w)(om|if|suppose|skulle|would|med|vid|with)(?!\w)", f)
            and (u.regions or ALL_REGIONS.search(f))
        ):
            return "what_if"
        if u.regions and (money or POPULATION.search(f) or HOW_COMPUTED.search(f) or n_words <= 3):
            if PER_CAPITA.search(f):
                u.flags.add("per_capita")
            elif POPULATION.search(f):
                u.flags.add("population")
            if len(u.regions) > 1 and DIFFERENCE.search(f):
                u.flags.add("difference")
            elif len(u.regions) > 1 and TOGETHER.search(f):
                u.flags.add("together")
            if HOW_COMPUTED.search(f):
                u.flags.add("how")
            return "allocation"
        if HOW_COMPUTED.search(f) and THE_GRANT.search(f) and not u.regions:
            return "allocation_total"
        if money and ALL_REGIONS.search(f) and not u.regions:
            return "allocation_all"
        if u.unknown_region and (money or POPULATION.search(f)):
            return "allocation"
        if POPULATION.search(f) and (TOTAL.search(f) or COUNTRY.search(f)):
            u.flags.add("population")  # "hur många invånare har Sverige?": the table's total
            return "allocation_total"
        if (
            SUPERLATIVE.search(f)
            and not money
            and not u.regions
            and (POPULATION.search(f) or BIGGEST_REGION.search(f))
            and n_words <= 8
        ):
            # "vilken region är störst?": by inhabitants (the allocation follows them)
            u.flags.update({"population", "least" if LEAST.search(f) else "most"})
            return "allocation_all"
        if money and SUPERLATIVE.search(f):
            if LEAST.search(f) or MOST.search(f):
                u.flags.add("least" if LEAST.search(f) else "most")
            return "allocation_all"
        if re.search(r"(fordelas|fordelning|tilldelning|grant|allocation)", f) and (
            TOTAL.search(f) or ALL_REGIONS.search(f) or "region" in f
        ):
            return "allocation_all" if ALL_REGIONS.search(f) else "allocation_total"
        day = DAY_MONTH.search(u.folded)
        if day and not f.startswith(("nar ", "when ")):
            # "Vad ska vara inne den 15 februari?": the day is given, the deadline asked for
            d, m, y = int(day.group(1)), MONTH_PREFIX[day.group(2)], day.group(3)
            if 1 <= d <= 31:
                u.on_day = (d, m, int(y) if y else None)
        if PAST.search(f) and (DEADLINE.search(f) or UPCOMING.search(f)):
            return "past"
        month = IN_MONTH.search(u.folded)
        if month and (UPCOMING.search(f) or DEADLINE.search(f)) and not day:
            u.start, u.until = month_span(MONTH_PREFIX[month.group(1)], month.group(2), today)
            return "upcoming"
        season = IN_SEASON.search(u.folded)
        before = BEFORE_SEASON.search(u.folded)
        if (season or before) and (UPCOMING.search(f) or DEADLINE.search(f)) and not day:
            if season:
                u.start, u.until = season_span(season.group(1), today)
            else:  # until the day before the season next begins
                first = SEASONS[_SEASON_WORDS[before.group(1)]][0]
                begins = date(today.year + (date(today.year, first, 1) <= today), first, 1)
                u.until = begins - timedelta(days=1)
            return "upcoming"
        if UPCOMING.search(f):
            u.until = parse_until(u.folded, today)
            if NEXT_ONLY.search(f) and not u.until:
                u.flags.add("next")
            return "upcoming"
        if DEADLINE.search(f):
            if PREVIOUS.search(f):
                u.flags.add("previous")
            return "deadline"
        if CONTACT.search(f):
            return "contact"
        if DEFINITION.search(f) or COUNT.search(f):
            return "definition"
        if SUPPORT.search(f):
            return "support"
        if TASK.search(f):
            return "task"
        return "search"
