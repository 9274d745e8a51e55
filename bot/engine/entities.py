"""The things a question names, found by rules where rules are right: regions (and
municipalities, which are not their region), years, amounts, periods, days, seasons,
an insats by number, a domain, a support group, and modifiers such as "minst".

Every word list comes from knowledge/data/vocabulary.yaml; the patterns here are the
grammar of dates and numbers. Every number read is bounded: out-of-range input is
treated as absent, never as an error.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from rapidfuzz import fuzz, process
from rapidfuzz.distance import DamerauLevenshtein

from index.analysis import STOPWORDS, fold, plain
from knowledge.models import MONTHS_SV, Region, SupportStatus
from knowledge.vocabulary import Vocabulary, vocabulary

MAX_AMOUNT = 10**12  # kronor: more than any budget in the documents by far
MAX_PERIOD_DAYS = 366 * 20  # "de närmaste 9000 åren" is no period to list deadlines in
YEARS = range(2000, 2100)

VOCAB = vocabulary()
LEX = VOCAB.lexicons
NAME_SIMILARITY = 0.85  # a region's name misspelt: "gotlnad", "västerbottn"
EXCLUDED_WORDS = 3  # "förutom länsstyrelsen": a name, rarely more than three words
RELATIVES = LEX["relatives"].words
NUMBER_WORDS = VOCAB.number_words
PLAIN_NUMBERS = {plain(w): n for w, n in NUMBER_WORDS.items()}
UNITS = VOCAB.amount_units

KRONA_UNITS = frozenset({"kr", "kronor", "sek", "mnkr", "mkr", "mdkr", "tkr", "msek"})
AMOUNT = re.compile(  # not the tail of "1e309" or "x2": a number of its own
    r"(?<![\w.,])(\d{1,3}(?:[ \u00a0]\d{3})+|\d{1,13}(?:[.,]\d{1,3})?)\s*("
    + "|".join(sorted(map(re.escape, UNITS), key=len, reverse=True))
    + r")(?![\w])"
)
_NUMBER = r"(\d{1,4}|" + "|".join(NUMBER_WORDS) + r")"
PERIOD = re.compile(
    _NUMBER + r"\s+(dag|dagar|dagarna|vecka|veckor|veckorna|månad|"
    r"månader|månaderna|år|åren|days|weeks|months|years)\b"
    r"|(halvår|halvåret|halvårs|kvartal|kvartalet|half year|quarter)\b"
    r"|(nästa vecka|i veckan|denna vecka|den här veckan|next week|this week)"
    r"|(nästa månad|next month)"
    r"|((?:före|innan) årsskiftet|resten av året|i år|rest of the year|this year)\b"
)
EVERY = ("alla", "samtliga", "all")  # a deadline or region argument meaning every one
YEAR = re.compile(r"(?<!\d)(20[0-9]{2})(?!\d)")
MONTH_PREFIX = {m[:3]: i for i, m in enumerate(MONTHS_SV, 1)} | {"may": 5, "oct": 10}
_MONTH = r"(jan|feb|mar|apr|maj|may|jun|jul|aug|sep|okt|oct|nov|dec)[a-zé]*\.?"
# "den 15 februari", "31 okt 2027": a day the user names
DAY_MONTH = re.compile(r"(?<!\d)([0-3]?\d)\s+" + _MONTH + r"(?:\s+(20\d\d))?(?![\w])")
# "sista mars 2024", "i slutet av mars", "the end of March": the month's last day
MONTH_END = re.compile(
    r"(?<![\w-])(?:sista(?:\s+dagen\s+i)?|(?:i\s+)?slutet\s+av|(?:the\s+)?end\s+of|"
    r"(?:the\s+)?last\s+day\s+of)\s+" + _MONTH + r"(?:\s+(20\d\d))?(?![\w])"
)
# "i mars", "in march 2027": a whole month
IN_MONTH = re.compile(r"(?<![\w-])(?:i|in|under|during)\s+" + _MONTH + r"(?:\s+(20\d\d))?(?![\w])")
_SEASON_WORDS = "|".join(sorted({w for s in VOCAB.seasons for w in s.words}, key=len, reverse=True))
IN_SEASON = re.compile(
    r"(?<![\w-])(?:i|in|under|during|this|till|to)\s+(?:the\s+)?(" + _SEASON_WORDS + r")(?![\w])"
)
BEFORE_SEASON = re.compile(
    r"(?<![\w-])(?:innan|före|before)\s+(?:the\s+)?(" + _SEASON_WORDS + r")(?![\w])"
)
# a year inside a date ("1 november 2022") names the date, not the year asked about
# ("27 januari 2023": day, month and year, for sums on a text's date: text_sums.py)
DATE_YEAR = re.compile(
    r"(?<!\d)([0-3]?\d)\s+(" + "|".join(MONTHS_SV) + r")\s+(20[0-9]{2})(?!\d)"
)
# "insats 3", "punkt 1 c", "insats 2b": an insats of the 2023 agreement, and a point of it
# "skillnaden mellan 6c och 6d": an insats and its lettered point, written as one word
GLUED_POINT = re.compile(r"(?<![\w-])([1-9])([a-h])(?![\w])")
MORE_POINTS = re.compile(r"\s*(?:,|och|and|&|samt)\s*(?:([1-9])\s*)?([a-h])\)?(?![\w])")
INSATS_NUMBER = re.compile(
    r"(?<![\w-])(?:insats(?:en|erna)?|punkt(?:en|erna)?|measures?|items?)\s+"
    r"(?:nummer\s+|nr\.?\s*)?"
    r"([1-9])(?:\s*([a-h])\)?(?![\w]))?(?!\d)"
    r"(?!\s*[-–—]\s*[1-9])"  # "insatserna 1–7" are all of them, not insats 1
)


def _phrases(name: str) -> str:
    """A lexicon's entries as an alternation, for patterns matched on plain() text."""
    return LEX[name].alternation


# "fram till och med 2035", "until 2035"
UNTIL_YEAR = re.compile(
    rf"(?<!\w)(?:{_phrases('until_year')})\s+(?:ar\s+|year\s+)?(20[0-9]{{2}})(?!\d)"
)
# "efter 2027" (the first time after it), "från och med 2028" (from that year)
AFTER_YEAR = re.compile(
    rf"(?<!\w)(?:({_phrases('after_year')})|({_phrases('from_year')}))"
    r"\s+(?:ar\s+|year\s+)?(20[0-9]{2})(?!\d)"
)
# "Malmö stad", "Göteborgs kommun", "City of Lund": a place that is a municipality
_MUNICIPALITY = _phrases("municipality")
MUNICIPALITY = re.compile(
    rf"(?<![\w-])([a-zåäöé][\w-]{{2,}})\s+(?:{_MUNICIPALITY})(?![\w-])"
    r"|(?<![\w-])(?:municipality|city)\s+of\s+([a-zåäöé][\w-]{2,})"
)
REGION_WORD = re.compile(rf"(?<![\w-])(?:{_phrases('region_word')})\s+([a-zåäö][\w-]+)")
DETERMINED = re.compile(rf"(?<![\w-])(?:{_phrases('determiners')})\s+$")


_REGION_NOUN = r"(?:region(?:en|er|erna)?|regions?|landsting(?:et|en)?)"
_ASKING = r"(?:(?:vilken|vilka|den|de|which|the)\s+)?"
_HAVING = (
    # (on plain() text: "är" is "ar")
    r"(?:\s+(?:som|that|which))?\s+(?:(?:har|hade|med|ar|with|has|have|had|is)\s+)?(?:(?:den|the)\s+)?"
)
_COUNT = r"(\d{1,3}(?:[ \u00a0]\d{3})+|\d+(?:[.,]\d+)?|" + "|".join(NUMBER_WORDS) + r")"
_SCALE = r"(?:\s+(miljon(?:er)?|millions?|tusen|thousand))?"
# "regioner med mellan 300 000 och 400 000 invånare"
BETWEEN = re.compile(
    rf"(?<![\w-]){_ASKING}{_REGION_NOUN}{_HAVING}(?:mellan|between)\s+{_COUNT}{_SCALE}\s+"
    rf"(?:och|and)\s+{_COUNT}{_SCALE}\s+(?:{_phrases('inhabitants')})(?![\w-])"
)
# "vilka regioner har över en miljon invånare", "regions with fewer than 200 000 people"
THRESHOLD = re.compile(
    rf"(?<![\w-]){_ASKING}{_REGION_NOUN}{_HAVING}({_phrases('above')}|{_phrases('below')})\s+"
    rf"{_COUNT}{_SCALE}\s+(?:{_phrases('inhabitants')})(?![\w-])"
)
# "regioner som får över 40 miljoner kronor", "regions that got less than 10 million": the
# amount itself follows (an amount of money, read by parse_amounts)
MONEY_THRESHOLD = re.compile(
    rf"(?<![\w-]){_ASKING}{_REGION_NOUN}(?:\s+(?:som|that|which))?\s+"
    r"(?:far|fick|fatt|gets?|got|receives?|received|tilldelas|tilldelades)\s+"
    rf"({_phrases('above')}|{_phrases('below')})\s+(?=\d)"
)
# "regionen med flest invånare", "vilken region har minst befolkning"
BY_POPULATION = re.compile(
    rf"(?<![\w-]){_ASKING}{_REGION_NOUN}{_HAVING}"
    rf"({_phrases('most_populous')}|{_phrases('least_populous')})(?![\w-])"
)
# (patterns on plain() text: "två" is "tva" there)
_FEW = r"(\d|" + "|".join(plain(w) for w, n in NUMBER_WORDS.items() if 2 <= n <= 10) + r")"
_MOST = rf"{_phrases('most_populous')}|{_phrases('largest')}"
_LEAST = rf"{_phrases('least_populous')}|{_phrases('smallest')}"


def _size_kind(words: str) -> str:
    """Which end a size or population phrase names: "minsta", "färst invånare" the least."""
    return "least" if re.search(_LEAST, words) and not re.search(_MOST, words) else "most"


# "de två regionerna med flest invånare", "the three largest regions"
TOP_N = re.compile(
    rf"(?<![\w-])(?:de|the)\s+{_FEW}\s+(?:(?:{_MOST}|{_LEAST})\s+{_REGION_NOUN}(?![\w-])|"
    rf"{_REGION_NOUN}{_HAVING}(?:{_MOST}|{_LEAST})(?![\w-]))"
)
# "de två kommande tillfällena", "nästa tre gånger", "the next two times", "vilka två år
# är nästa …": occurrences
_TIMES_NOUN = r"(?:gang\w*|tillfall\w*|rapportering\w*|frist\w*|times?|occurrences?|dates?)"
_COMING = r"(?:nasta|kommande|narmaste|foljande|next|coming|upcoming)"
TIMES = re.compile(
    rf"(?<![\w-])(?:(?:{_FEW}\s+{_COMING}|{_COMING}\s+{_FEW})\s+{_TIMES_NOUN}"
    rf"|(?:vilka|which)\s+{_FEW}\s+(?:ar|years|datum|dates))(?![\w-])"
)
# "näst störst befolkning", "den näst minsta regionen", "second largest region"
SECOND = re.compile(rf"(?<![\w-])(?:nast|second)[\s-]+({_MOST}|{_LEAST})(?![\w-])")
# "… än den minst folkrika", "den största och den minsta regionen": one end with its noun
# left out, said beside a description of the other end (alone, "den största" may be the
# largest amount)
ELIDED = re.compile(
    rf"(?<![\w-])(?:(?:an|than|och|and)\s+)?(?:den|the)\s+({_MOST}|{_LEAST})(?:\s+one)?"
    r"(?=\s*(?:$|[,.;:?!]|\s(?:och|and|an|than|far|fick|gets?|got|receives?)(?![\w-])))"
)
# "hur många dagar är det mellan uppföljningen i februari och RSA:n?": two things, each with
# its date (on folded text: the parts are searched for)
DAYS_BETWEEN = re.compile(
    r"(?<![\w-])(?:dagar|dar|days)(?![\w-]).*?(?<![\w-])(?:mellan|between|från|from)\s+"
    r"(.+?)\s+(?:och|and|till|to|until)\s+(.+?)[\s?.!]*$"
)
# "regionerna med andelen 2,4 %", "regions with a share of 2.7%", "regions have a 2.7% share"
BY_SHARE = re.compile(
    rf"(?<![\w-]){_ASKING}{_REGION_NOUN}{_HAVING}(?:en\s+)?(?:(?:befolknings)?andel(?:en)?\s+(?:pa\s+)?|(?:a\s+)?(?:population\s+)?share\s+of\s+|"
    r"(?=(?:an?\s+)?\d{1,2}(?:[.,]\d)?\s*(?:%|procent|percent)\s+(?:share|andel|of\s+the\s+population|av\s+befolkningen)))"
    r"(?:an?\s+)?"
    r"(\d{1,2}(?:[.,]\d)?)\s*(?:%|procent|percent)"
)
# "regionen med en befolkning närmast 300 000", "the region closest to 500 000 inhabitants"
NEAREST = re.compile(
    rf"(?<![\w-]){_ASKING}{_REGION_NOUN}{_HAVING}(?:(?:en|a)\s+)?(?:(?:befolkning|population)\s+)?"
    rf"(?:narmast|closest\s+to|nearest(?:\s+to)?)\s+{_COUNT}{_SCALE}"
    rf"(?:\s+(?:{_phrases('inhabitants')}))?(?![\w-])"
)
# "största och minsta regionen": both ends at once
SIZE_PAIR = re.compile(
    rf"(?<![\w-]){_ASKING}(?:{_phrases('largest')}|{_phrases('smallest')})\s+(?:och|and)\s+"
    rf"(?:{_phrases('largest')}|{_phrases('smallest')})\s+{_REGION_NOUN}(?![\w-])"
)
# "skillnaden mellan största och minsta beloppet", "the largest and the smallest allocation"
MONEY_PAIR = re.compile(
    rf"(?<![\w-])(?:{_phrases('largest')}|{_phrases('smallest')})\s+(?:och|and)\s+(?:the\s+)?"
    rf"(?:{_phrases('largest')}|{_phrases('smallest')})\s+(?:regional\s+)?"
    rf"(?:{_phrases('money_nouns')})(?![\w-])"
)
# "regionen med lägst belopp", "the region with the largest grant": described by its grant
BY_MONEY_NOUN = re.compile(
    rf"(?<![\w-]){_ASKING}{_REGION_NOUN}{_HAVING}({_phrases('most')}|{_phrases('least')})\s+"
    rf"(?:{_phrases('money_nouns')})(?![\w-])"
)
# "den region som får mest", "den som får minst"
BY_MONEY = re.compile(
    rf"(?<![\w-]){_ASKING}(?:{_REGION_NOUN}\s+)?(?:som|that|which)\s+"
    rf"({_phrases('gets_most')}|{_phrases('gets_least')})(?![\w-])"
)
# "vilken region får mest och vilken får minst": asked of both ends (of one end, the
# table answers, the end first)
MONEY_ASKED = re.compile(
    rf"(?<![\w-])(?:vilken|which)\s+(?:{_REGION_NOUN}\s+|one\s+)?"
    rf"({_phrases('gets_most')}|{_phrases('gets_least')})(?![\w-])"
)
# "vilka två regioner fick mest pengar", "the three regions that get the least": the first
# few by the grant
MONEY_TOP_N = re.compile(
    rf"(?<![\w-])(?:vilka|which|de|the)\s+{_FEW}\s+{_REGION_NOUN}\s+(?:som\s+|that\s+)?"
    rf"({_phrases('gets_most')}|{_phrases('gets_least')})(?![\w-])"
)
# "den minsta regionen", "the largest region"
BY_SIZE = re.compile(rf"(?<![\w-]){_ASKING}({_MOST}|{_LEAST})\s+{_REGION_NOUN}(?![\w-])")


# "MSB:s handbok om landstingens ledningsförmåga nämner två regioner": the regions a
# document names (its words, and "regioner", are what to look them up by)
NAMED_IN = re.compile(
    r"(?:^|[.!?;]\s+)(?P<text>[^.!?;]{8,}?)\s+(?:namner|namnger|raknar\s+upp|mentions|names"
    rf"|lists)\s+(?:{_FEW}\s+)?(?:regioner|regions|landsting)(?![\w-])"
)
# "regionen som är värd för NSPL-kansliet", "regionerna i NSPL:s styrgrupp": regions the
# documents' text describes (up to the end of the clause)
# "vilken region är värd för …"; what they get ends it ("… styrgrupp får tillsammans"; on
# plain() text "får" is "far")
BY_TEXT = re.compile(
    r"(?<![\w-])(?:(?:den\s+|de\s+|the\s+)?"
    r"(?P<noun>regionen|regionerna|regioner|regions?|region(?=\s+(?:ar|is)\s))\s+"
    r"(?:som|i|inom|ar|vars|dar|that|which|in|on|is|whose|where)"
    # "which region hosts …": the verb begins the description (what it gets, has or is
    # is asked of the table: "vilken region får mest")
    r"|(?:vilken|which)\s+(?P<asked>region)(?!\s+(?:far|fick|gets?|got|receives?|received"
    r"|har|hade|has|had|ar|var|is|was|med|with)(?![\w-])))\s+(?P<text>.+?)\s*"
    r"(?=[,?.!;]|\s+[–-]\s+|\s+(?:och|and)\s+(?:hur|vad|vilk|how|what|which)(?![\w-])"
    r"|\s+(?:far|fick|gets?|receives?)(?![\w-])|$"
    # nor does a sum or a year: "regionerna i styrgruppen tillsammans i 2023 års …"
    r"|\s+(?:tillsammans|sammanlagt|totalt|together|combined|in\s+total)(?![\w-])"
    r"|\s+(?:(?:i|for|under|in|for)\s+)?(?:ar\s+)?20\d\d(?![\w-]))"
)


@dataclass(frozen=True)
class RegionDescription:
    """Regions described by their population rather than named."""

    kind: str  # "most" | "least" | "above" | "below" | "between"
    threshold: int | None
    span: tuple[int, int]  # where the description stands in the question
    upper: int | None = None  # "between": the upper bound
    rank: tuple[int, int] = (0, 1)  # "most"/"least": how many to skip, how many to take
    share: float | None = None  # kind "share": the population share in percent
    text: str | None = None  # kind "text": what the documents are to tell ("värd för NSPL")
    plural: bool = False  # "regionerna som …": several regions may be meant

    @property
    def several(self) -> bool:
        if self.kind == "nearest":
            return False
        return self.threshold is not None or self.plural or self.rank[1] > 1


def _count(number: str, scale: str | None) -> int | None:
    digits = number.replace(" ", "").replace("\u00a0", "").replace(",", ".")
    value = float(digits) if digits[0].isdigit() else NUMBER_WORDS[number]
    value *= {"mil": 1_000_000, "tus": 1_000, "tho": 1_000}.get((scale or "")[:3], 1)
    return round(value) if 0 < value <= 10**9 else None


def _extremes(found: list[tuple[str, tuple[int, int]]], prefix: str) -> RegionDescription | None:
    """One extreme ("most"), or both ("största och minsta regionen", "den som får mest och
    den som får minst": kind "extremes", the span over both)."""
    if not found:
        return None
    kinds = {k for k, _ in found}
    if len(kinds) == 1:
        return RegionDescription(prefix + found[0][0], None, found[0][1])
    start, end = min(s for _, (s, _) in found), max(e for _, (_, e) in found)
    return RegionDescription(prefix + "extremes", None, (start, end), plural=True)


def _in_kronor(folded: str, amount: re.Match) -> bool:
    """An amount said in kronor ("40 miljoner kronor", "15 mnkr"), not a bare "miljon"
    that may count inhabitants."""
    return amount[2] in KRONA_UNITS or bool(re.match(r"\s*(?:kr|kronor|sek)(?![\w])",
                                                      folded[amount.end() :]))


def describe_beside(folded: str, named: list[Region]) -> RegionDescription | None:
    """Regions described, when none is named or the named are compared with those
    described ("vilken region har flest invånare, och hur mycket mer får den än VGR?")."""
    if named and not LEX["compared"].search(folded):
        return None
    d = describe_regions(folded)
    return d if d is None or not named or d.kind != "text" else None


def describe_regions(folded: str) -> RegionDescription | None:
    text = plain(folded)
    m = BETWEEN.search(text)
    if m:
        low, high = _count(m.group(1), m.group(2)), _count(m.group(3), m.group(4))
        if low is not None and high is not None and low < high:
            return RegionDescription("between", low, m.span(), high)
    m = THRESHOLD.search(text)
    if m:
        kind = "above" if LEX["above"].search(m.group(1)) and not LEX["below"].search(
            m.group(1)
        ) else "below"  # fmt: skip
        value = _count(m.group(2), m.group(3))
        if value is not None:
            return RegionDescription(kind, value, m.span())
    m = MONEY_THRESHOLD.search(text)
    if m and not re.search(r"(?<![\w-])(?:om|if|ifall|antag|suppose)(?![\w-])[^,.;?]*$",
                           text[: m.start()]):  # "om regionerna får över 500 miljoner": a what-if
        said = AMOUNT.search(folded, m.end())
        amount = parse_amounts(said[0]) if said and _in_kronor(folded, said) else []
        if said and amount:
            kind = "money_below" if LEX["below"].search(m[1]) else "money_above"
            return RegionDescription(kind, amount[0], (m.start(), said.end()), plural=True)
    m = NEAREST.search(text)
    if m:
        value = _count(m.group(1), m.group(2))
        if value is not None:
            return RegionDescription("nearest", value, m.span())
    m = BY_SHARE.search(text)
    if m:
        return RegionDescription("share", None, m.span(), share=float(m[1].replace(",", ".")),
                                 plural=True)  # fmt: skip
    m = TOP_N.search(text)
    if m:
        n = int(m[1]) if m[1].isdigit() else PLAIN_NUMBERS[m[1]]
        return RegionDescription(_size_kind(m[0]), None, m.span(), rank=(0, n), plural=True)
    m = SECOND.search(text)
    if m:
        return RegionDescription(_size_kind(m[1]), None, m.span(), rank=(1, 1))
    found = [("most" if LEX["most_populous"].search(m.group(1)) else "least", m.span())
             for m in BY_POPULATION.finditer(text)]  # fmt: skip
    found += [(_size_kind(m[1]), m.span()) for m in BY_SIZE.finditer(text)]
    found += [("most", m.span()) for m in SIZE_PAIR.finditer(text)]
    found += [("least", m.span()) for m in SIZE_PAIR.finditer(text)]
    if found:
        found += [(_size_kind(m[1]), m.span()) for m in ELIDED.finditer(text)
                  if not any(s < m.end() and m.start() < e for _, (s, e) in found)]  # fmt: skip
    described = _extremes(found, "")
    if described:
        return described
    m = MONEY_TOP_N.search(text)
    if m:
        n = int(m[1]) if m[1].isdigit() else PLAIN_NUMBERS[m[1]]
        end = "money_most" if LEX["gets_most"].search(m[2]) else "money_least"
        return RegionDescription(end, None, m.span(), rank=(0, n), plural=True)
    found = [("most" if LEX["gets_most"].search(m.group(1)) else "least", m.span())
             for m in BY_MONEY.finditer(text)]  # fmt: skip
    found += [("least" if LEX["least"].search(m[1]) else "most", m.span())
              for m in BY_MONEY_NOUN.finditer(text)]  # fmt: skip
    found += [(k, m.span()) for m in MONEY_PAIR.finditer(text) for k in ("most", "least")]
    asked = [("most" if LEX["gets_most"].search(m[1]) else "least", m.span())
             for m in MONEY_ASKED.finditer(text)]  # fmt: skip
    if asked and len({k for k, _ in asked + found}) == 2:
        found += asked
    described = _extremes(found, "money_")
    if described:
        return described
    m = NAMED_IN.search(text)
    if m:
        namer = folded[m.start("text") : m.end("text")]  # the document, as written
        return RegionDescription("text", None, m.span(), text=f"{namer} regioner", plural=True)
    m = BY_TEXT.search(text)
    before = text[: m.start()].split() if m else []
    if m and m["noun"] and before and LEX["each"].search(before[-1]):
        m = None  # "varje region i grundbelopp": every region, none described
    sizes = LEX["largest"].words | LEX["smallest"].words | LEX["most"].words | LEX["least"].words
    if m and any(
        len(w) >= 4 and not w.isdigit() and w not in {plain(x) for x in sizes}
        for w in m["text"].split()
    ):  # "vilken region är störst" is a size, not a text to look up
        plural = (m["noun"] or "").endswith(("erna", "er", "ons"))
        return RegionDescription("text", None, m.span(),
                                 text=folded[m.start("text") : m.end("text")],
                                 plural=plural)  # fmt: skip
    return None


@dataclass
class Entities:
    regions: list[Region] = field(default_factory=list)
    unknown_region: str | None = None  # "Region Lappland": a region word before no region
    municipality: str | None = None  # "Malmö stad": a municipality is not its region
    year: int | None = None
    after: int | None = None  # "efter 2027": only what falls due after that year
    amounts: list[int] = field(default_factory=list)
    base_amount: int | None = None  # the amount written after "grundbelopp"
    until: date | None = None
    start: date | None = None  # a period asked about starts here (default: today)
    on_day: tuple[int, int, int | None] | None = None  # (day, month, year) the user names
    domain: str | None = None
    status: SupportStatus | None = None  # a support group asked for
    insats: int | None = None
    insats_point: str | None = None  # "c" in "punkt 1 c"; "cd" in "punkterna 6 c och 6 d"
    extreme: str | None = None  # "least" | "most"
    flags: set[str] = field(default_factory=set)  # next_only, previous, count, send, …
    language: str = "sv"
    described: RegionDescription | None = None  # "regionen med flest invånare"
    excluded: tuple[str, ...] = ()  # "förutom MSB": words of what the answer leaves out
    without: list[Region] = field(default_factory=list)  # "alla regioner utom Stockholm"
    asked_kind: tuple[str, ...] = ()  # "fler myndigheter än MSB": the kind asked, no topic
    actor: str | None = None  # "vad ska SKR göra?": who the question asks the doings of
    audience: str | None = None  # "kommuner": asked from or about the municipalities
    times: int | None = None  # "de två kommande tillfällena": that many next occurrences
    between: tuple[str, str] | None = None  # "dagar mellan X och Y": the two things named


class RegionMatcher:
    """Finds regions by name, alias or a near miss ("västerbottn", "vgr", "Sörmlands");
    a place name followed by a municipality word ("Uppsala kommun") is no region."""

    def __init__(self, regions: tuple[Region, ...]):
        self.by_name: dict[str, str] = {}
        for r in regions:
            self.by_name[fold(r.name)] = r.id
            for a in r.aliases:
                self.by_name[fold(a)] = r.id
        self.regions = {r.id: r for r in regions}
        self.names = list(self.by_name)
        # every word of every name: a region's name is no topic of a question
        self.words = frozenset(w for n in self.names for w in n.split())

    def find(self, folded: str) -> tuple[list[Region], str | None]:
        """The regions named, and a municipality named instead of one (or None)."""
        tokens = re.findall(r"[\wåäö-]+", folded)
        found: list[str] = []
        municipality = None
        i = 0
        while i < len(tokens):
            match = None
            for n in (3, 2, 1):
                if i + n > len(tokens):
                    continue
                phrase = " ".join(tokens[i : i + n])
                if n == 1 and (phrase in STOPWORDS or phrase in LEX["region_word"]):
                    break
                rid = self._match(phrase)
                if rid:
                    match = (rid, n)
                    break
            if match:
                after = tokens[i + match[1]] if i + match[1] < len(tokens) else ""
                before = tokens[i - 1] if i else ""
                if after and LEX["municipality"].search(after) and before not in LEX["region_word"]:
                    municipality = " ".join(tokens[i : i + match[1] + 1])
                elif match[0] not in found:
                    found.append(match[0])
                i += match[1]
            else:
                i += 1
        return [self.regions[r] for r in found], municipality

    def _match(self, phrase: str) -> str | None:
        if phrase in self.by_name:
            return self.by_name[phrase]
        if phrase.endswith("s") and phrase[:-1] in self.by_name:  # genitive: "skånes"
            return self.by_name[phrase[:-1]]
        if len(phrase) < 5:
            return None
        # genitive and typos: "kronobergs", "västerbottn", "jämtlands", "gotlnad" (a swap
        # counts as one edit in Damerau-Levenshtein)
        best = process.extractOne(
            phrase, self.names, scorer=DamerauLevenshtein.normalized_similarity,
            score_cutoff=NAME_SIMILARITY,
        )  # fmt: skip
        if not best:
            return None
        # a word both share says nothing of which region: "region lapland" is not "region
        # halland", whose own words differ in two letters of seven
        ours, theirs = phrase.split(), best[0].split()
        while len(ours) > 1 and len(theirs) > 1 and ours[0] == theirs[0]:
            ours, theirs = ours[1:], theirs[1:]
        rest = DamerauLevenshtein.normalized_similarity(" ".join(ours), " ".join(theirs))
        return self.by_name[best[0]] if rest >= NAME_SIMILARITY else None

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
    """Amounts of money in kronor ("500 miljoner", "10 mkr", "1 200 000 kr"), bounded."""
    out = []
    for num, unit in AMOUNT.findall(folded):
        value = float(num.replace(" ", "").replace("\u00a0", "").replace(",", "."))
        amount = round(value * UNITS[unit])
        if 0 < amount <= MAX_AMOUNT:
            out.append(amount)
    return out


def month_span(month: int, year: str | None, today: date) -> tuple[date, date]:
    """The month named ("i mars"): of the year given, else its next coming instance."""
    y = int(year) if year else today.year + (month < today.month)
    first = max(date(y, month, 1), today) if not year else date(y, month, 1)
    return first, date(y, month, calendar.monthrange(y, month)[1])


def season_span(word: str, today: date) -> tuple[date, date]:
    """The season named, its coming (or current) instance, from today at the earliest."""
    season = VOCAB.season_of(word)
    assert season is not None, word
    first, last = season.months
    for y in (today.year - 1, today.year, today.year + 1):
        start = date(y, first, 1)
        end_year = y + (last < first)
        end = date(end_year, last, calendar.monthrange(end_year, last)[1])
        if end >= today:
            return max(start, today), end
    raise AssertionError("unreachable: one of three years ends after today")


WHICH_BEFORE = re.compile(r"(?<![\w-])(?:vilka|which)\s+$")


def _until_year(folded: str, today: date) -> date | None:
    """"Fram till och med 2035": the end of that year, if it is to come."""
    m = UNTIL_YEAR.search(plain(folded))
    return date(int(m[1]), 12, 31) if m and int(m[1]) >= today.year else None


def parse_until(folded: str, today: date) -> date | None:
    """The end of a period named ("de närmaste tre månaderna", "nästa vecka"); None for
    none, or for one too long to mean anything."""
    m = PERIOD.search(folded)
    if not m or (m.group(1) and WHICH_BEFORE.search(folded, 0, m.start())):
        return None  # "vilka två år …" asks for dates (TIMES), not about a period
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
    days = n * (1 if unit.startswith(("dag", "day")) else 7 if unit.startswith(("veck", "week"))
                else 31 if unit.startswith(("mån", "month")) else 366)  # fmt: skip
    if days > MAX_PERIOD_DAYS:
        return None
    if unit.startswith(("dag", "day")):
        return today + timedelta(days=n)
    if unit.startswith(("veck", "week")):
        return today + timedelta(weeks=n)
    if unit.startswith(("mån", "month")):
        month = today.month - 1 + n
        year, month = today.year + month // 12, month % 12 + 1
        return date(year, month, min(today.day, 28))
    return date(today.year + n, today.month, min(today.day, 28))


def language(folded: str, vocab: Vocabulary = VOCAB) -> str:
    """"en" when the question's function words are English rather than Swedish."""
    english = len(vocab.lexicon("english").findall(folded))
    swedish = len(vocab.lexicon("swedish").findall(folded))
    if re.search(r"[åäö]", folded):
        swedish += 1
    if swedish == 0:
        return "en" if english >= 1 else "sv"
    return "en" if english >= 2 and english > swedish else "sv"


def municipality(folded: str, known_words: frozenset[str]) -> str | None:
    """"Malmö stad", "Göteborgs kommun": a place name before a municipality word (a word
    the documents use, like "varje kommun", is no place)."""
    for m in MUNICIPALITY.finditer(plain(folded)):
        place = m.group(1) or m.group(2)
        if place not in PLAIN_STOPWORDS and place not in known_words:
            return folded[m.start() : m.end()]
    return None


PLAIN_STOPWORDS = frozenset(plain(w) for w in STOPWORDS)


def extract(folded: str, regions: RegionMatcher, known_words: frozenset[str],
            today: date) -> Entities:  # fmt: skip
    """Every entity of a (folded, spell-corrected) question."""
    e = Entities()
    e.regions, e.municipality = regions.find(folded)
    e.municipality = e.municipality or municipality(folded, known_words)
    e.described = describe_beside(folded, e.regions)
    if not e.regions and not e.municipality:
        m = REGION_WORD.search(folded)
        # "regionen prioritera": a word the documents use is not a region's name, nor is
        # the word after "which region"
        if (
            m
            and m.group(1) not in STOPWORDS
            and m.group(1) not in known_words
            and not DETERMINED.search(plain(folded[: m.start()]))
        ):
            e.unknown_region = m.group(1)
    years = [int(y) for y in YEAR.findall(DATE_YEAR.sub(" ", folded)) if int(y) in YEARS]
    e.year = years[0] if years else None
    after = AFTER_YEAR.search(plain(folded))
    if after:
        e.after = int(after.group(3)) - (1 if after.group(2) else 0)
        e.year = None
    e.amounts = parse_amounts(folded)
    if e.described and e.described.kind.startswith("money_") and e.described.threshold:
        # "regioner som får över 40 miljoner" describes regions: no amount to compute with
        e.amounts.remove(e.described.threshold)
    base = LEX["base_amount"].search(folded)
    if LEX["no_base"].search(folded):
        e.base_amount = 0  # "om man slopade grundbeloppet": all of it by population
    elif base and not LEX["same_base"].search(folded):
        later = parse_amounts(folded[base.end() :])
        e.base_amount = later[0] if later else None
    e.domain = extract_domain(folded)
    if LEX["status_developing"].search(folded):
        e.status = "under_utveckling"
    elif LEX["status_existing"].search(folded):
        e.status = "befintligt"
    m = INSATS_NUMBER.search(folded) or GLUED_POINT.search(folded)
    e.insats = int(m.group(1)) if m else None
    e.insats_point = m.group(2) if m else None
    while m and e.insats_point:  # "punkterna 6 c och 6 d", "1 a, b och c": the letters
        m = MORE_POINTS.match(folded, m.end())
        if m and (m.group(1) is None or int(m.group(1)) == e.insats):
            e.insats_point += m.group(2)
    e.excluded = excluded(folded)
    m = LEX["excluding"].search(folded)
    if m and e.regions:  # "hur mycket får regionerna om man räknar bort Stockholm?"
        left_out = regions.find(re.split(r"[.;:!?]", folded[m.end() :], maxsplit=1)[0])[0]
        if all(r in left_out for r in e.regions):
            # (a region named before it is compared: "hur mycket mer får Skåne utöver
            # Blekinge?")
            e.without, e.regions = e.regions, []
    m = _MORE_THAN.search(plain(folded))
    e.asked_kind = tuple(folded[m.start("kind") : m.end("kind")].split()) if m else ()
    if e.excluded and not e.asked_kind:  # "utöver MSB, vilka fler aktörer ger stöd?"
        e.asked_kind = tuple(
            w for m in _OTHER_KIND.finditer(plain(folded))
            if folded[m.start(1) : m.end(1)] not in _ASKING_WORDS
            for w in folded[m.start() : m.end()].split()
        )  # fmt: skip
    m = ACTOR.search(plain(folded))
    if m:  # as written: plain() keeps every letter's place
        name = "actor" if m["actor"] else "owner" if m["owner"] else "doer"
        e.actor = folded[m.start(name) : m.end(name)]
    if LEX["municipal"].search(folded):  # (the documents' audiences: sources.yaml)
        e.audience = "kommuner"
    m = DAYS_BETWEEN.search(folded)
    if m and LEX["count"].search(folded):
        e.between = (m[1], m[2])
    m = TIMES.search(plain(folded))
    if m:
        n = m[1] or m[2] or m[3]
        e.times = int(n) if n.isdigit() else PLAIN_NUMBERS[n]
    elif LEX["after_next"].search(folded):  # "gången efter nästa": the next two dates
        e.times = 2
    if LEX["least"].search(folded):
        e.extreme = "least"
    elif LEX["most"].search(folded):
        e.extreme = "most"
    for flag in ("next_only", "previous", "count", "quantity", "when", "consequence", "person",
                 "ratio", "percent", "average", "list", "since", "duration"):
        if LEX[flag].search(folded):
            e.flags.add(flag)
    if "since" in e.flags:
        e.flags.discard("duration")  # "hur länge sedan": a date counted back, not a length
    if LEX["where_to"].search(folded) and LEX["sending"].search(folded):
        e.flags.add("send")  # "vart ska vi skicka beslutet?"
    asked = LEX["person"].findall(folded)
    if all(LEX["who_is"].search(m) for m in asked) and not LEX["roles"].search(folded):
        # "vem är värd för NSPL-kansliet?", "vad heter MSB nu?" may be answered by a body:
        # "vem är"/"vad heter" ask for a person only with a role ("vem är regiondirektör …")
        e.flags.discard("person")
    e.language = language(folded)
    _when(e, folded, today)
    return e


# "fler myndigheter än MSB": the words before "än" name the kind asked for
_MORE_THAN = re.compile(
    rf"(?<![\w-])(?P<kind>(?:{LEX['more_of'].alternation})\s+(?:[\w-]+\s+){{1,2}})"
    rf"(?:{LEX['than'].alternation})(?![\w-])"
)


# "vad har SKR åtagit sig?", "Hur ska länsstyrelserna stödja …", "SKR:s uppgifter": the
# actor right after the question's finite verb is its subject (not "får SKR", what it
# gets; not "vad säger MSB …", who says it; not "har SKR:s beslut"), it owns the tasks
# asked for, or a clause has it do them
ACTOR = re.compile(
    rf"(?<![\w-])(?:{LEX['actor_verbs'].alternation})\s+(?:(?:sjalva|sjalv|itself|the)\s+)?"
    rf"(?P<actor>{LEX['actors'].alternation})(?![\w-])(?!:s|'s)"
    rf"(?!\s+(?:{LEX['saying'].alternation}))"
    rf"|(?<![\w-])(?P<owner>{LEX['actors'].alternation})(?::s|'s)?\s+(?:{LEX['actor_roles'].alternation})"
    r"(?![\w-])"
    # "… att kommunerna ska göra", "uppgifter som regionen ska utföra"
    rf"|(?<![\w-])(?:att|som|that)\s+(?P<doer>{LEX['actors'].alternation})\s+"
    rf"(?:{LEX['obliged'].alternation})(?![\w-])"
)


# beside an exclusion, "fler aktörer", "andra myndigheter": the kind of the others asked
# (not a word that asks: "andra ger stöd")
_OTHER_KIND = re.compile(rf"(?<![\w-])(?:{LEX['more_of'].alternation})\s+([\w-]+)")
_ASKING_WORDS = VOCAB.noise | STOPWORDS | RELATIVES


def excluded(folded: str) -> tuple[str, ...]:
    """The content words right after "förutom", "utöver", "except", "fler myndigheter än"
    (up to a comma, a clause's end or what is asked, at most EXCLUDED_WORDS): what the
    question asks about the others of."""
    m = LEX["excluding"].search(folded) or _MORE_THAN.search(plain(folded))
    if not m:
        return ()
    rest = re.split(r"[,.;:!?]", folded[m.end() :], maxsplit=1)[0]
    found = []
    for w in re.findall(r"[\w-]+", rest):
        if w in VOCAB.noise or w in RELATIVES:
            break  # "andra än MSB (som) ger stöd …": what is asked begins
        if w not in STOPWORDS:
            found.append(w)
    return tuple(found[:EXCLUDED_WORDS])


def extract_domain(folded: str) -> str | None:
    if LEX["domain_defence"].search(folded):
        return "civilt försvar"
    if LEX["domain_crisis"].search(folded):
        return "krisberedskap"
    return None


def _when(e: Entities, folded: str, today: date) -> None:
    """The day, month, season or period a question names."""
    end = MONTH_END.search(folded)
    if end:
        m, y = MONTH_PREFIX[end.group(1)], end.group(2)
        e.on_day = (calendar.monthrange(int(y) if y else today.year, m)[1], m,
                    int(y) if y else None)  # fmt: skip
        return
    day = DAY_MONTH.search(folded)
    if day:
        d, m, y = int(day.group(1)), MONTH_PREFIX[day.group(2)], day.group(3)
        if 1 <= d <= calendar.monthrange(int(y) if y else 2024, m)[1]:
            e.on_day = (d, m, int(y) if y else None)
        return
    month = IN_MONTH.search(folded)
    if month:
        e.start, e.until = month_span(MONTH_PREFIX[month.group(1)], month.group(2), today)
        return
    season = IN_SEASON.search(folded)
    before = BEFORE_SEASON.search(folded)
    if season:
        e.start, e.until = season_span(season.group(1), today)
    elif before:  # until the day before the season next begins
        s = VOCAB.season_of(before.group(1))
        assert s is not None
        first = s.months[0]
        begins = date(today.year + (date(today.year, first, 1) <= today), first, 1)
        e.until = begins - timedelta(days=1)
    else:
        e.until = parse_until(folded, today) or _until_year(folded, today)
