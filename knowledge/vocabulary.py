"""The vocabulary of questions (vocabulary.yaml) and the intents by example (intents.yaml).

Both describe how people ask, not what the documents say, so they ship with the package;
a knowledge folder of its own (KNOWLEDGE_DIR) may carry its own copies. A bad file fails
with the file, the entry and what is wrong, like the rest of the knowledge base.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal, NoReturn, get_args

import yaml

from .loader import PACKAGE_DATA, KnowledgeError, data_dir

VOCABULARY_FILE = "vocabulary.yaml"
INTENTS_FILE = "intents.yaml"
SLOTS = frozenset({"region", "amount", "insats"})
# The intents of intents.yaml; parse_intents refuses a name not listed here (the code
# routes by these names, so a new intent needs code, and a new name here).
IntentName = Literal[
    "help", "thanks", "sources", "opinion", "features", "insatser_list",
    "allocation", "allocation_population", "allocation_per_capita", "allocation_how",
    "allocation_compare", "allocation_sum", "allocation_method", "allocation_table",
    "population_rank", "regions_list", "population_total", "what_if", "cost_share",
    "deadline", "deadlines_upcoming", "deadlines_past", "contact", "definition", "task",
    "support", "search",
]  # fmt: skip
INTENT_NAMES: tuple[IntentName, ...] = get_args(IntentName)
MIN_EXAMPLES = 5
_PLAIN = str.maketrans("åäöéü", "aaoeu")


def language_file(name: str) -> Path:
    own = data_dir() / name
    return own if own.is_file() else PACKAGE_DATA / name


def fold(text: str) -> str:
    """Unicode-normalised and case-folded ("NÄR" -> "när")."""
    return unicodedata.normalize("NFC", text).casefold()


def plain(text: str) -> str:
    """Without Swedish diacritics: 'vilket stod finns' must read as 'vilket stöd finns'
    (every letter keeps its place)."""
    return text.translate(_PLAIN)




class Lexicon:
    """Phrases matched as whole words on folded text, with or without å/ä/ö; an entry
    ending in "*" matches any ending, one starting with "*" any beginning ("*chef*":
    "civilområdeschefen")."""

    def __init__(self, name: str, entries: tuple[str, ...]):
        self.name = name
        self.entries = entries
        alts = []
        for e in sorted({plain(fold(x)) for x in entries}, key=len, reverse=True):
            head = r"[\w-]*" if e.startswith("*") else ""
            tail = r"[\w-]*" if e.endswith("*") else ""
            alts.append(head + r"\s+".join(map(re.escape, e.strip("*").split())) + tail)
        # the entries as one regular-expression alternation, on text without å/ä/ö (for
        # patterns that build on a lexicon)
        self.alternation = "|".join(alts) if alts else "(?!)"
        self._re = re.compile(r"(?<![\w-])(?:" + self.alternation + r")(?![\w-])")

    def search(self, folded: str) -> re.Match | None:
        return self._re.search(plain(folded))

    def findall(self, folded: str) -> list[str]:
        """The matches as written (plain() keeps every letter's place)."""
        return [folded[m.start() : m.end()] for m in self._re.finditer(plain(folded))]

    def __contains__(self, word: str) -> bool:
        return bool(self.search(word))

    @property
    def words(self) -> frozenset[str]:
        """Every single word written in the entries (for the speller and the noise list)."""
        return frozenset(w for e in self.entries for w in re.findall(r"[^\W\d_]+", fold(e)))


@dataclass(frozen=True)
class Season:
    name: str
    months: tuple[int, int]
    words: tuple[str, ...]


@dataclass(frozen=True)
class Vocabulary:
    stopwords: frozenset[str]
    noise: frozenset[str]
    number_words: dict[str, int]
    amount_units: dict[str, int]
    seasons: tuple[Season, ...]
    lexicons: dict[str, Lexicon]
    synonyms: dict[str, str]

    def expand(self, folded: str) -> str:
        """Shorthand ("hur mkt", "vad e rsa") as the words it stands for."""
        return self._synonyms_re.sub(lambda m: self.synonyms[m.group(0)], folded)

    @property
    def _synonyms_re(self) -> re.Pattern:
        alts = "|".join(sorted(map(re.escape, self.synonyms), key=len, reverse=True))
        return re.compile(rf"(?<![\w-])(?:{alts})(?![\w-])")

    def lexicon(self, name: str) -> Lexicon:
        return self.lexicons[name]

    def season_of(self, word: str) -> Season | None:
        w = fold(word)
        return next((s for s in self.seasons if w in s.words), None)


def _fail(path: Path, entry: str, problem: str) -> NoReturn:
    raise KnowledgeError(path.name, entry, problem)


def _read(path: Path):
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise KnowledgeError(path.name, "filen", f"kan inte läsas: {exc}") from exc


def _words(path: Path, key: str, raw) -> tuple[str, ...]:
    if not isinstance(raw, list) or not raw:
        _fail(path, key, "ska vara en lista med ord")
    out = []
    for i, w in enumerate(raw):
        if not isinstance(w, str) or not w.strip():
            _fail(path, f"{key}[{i}]", f"ska vara ett ord, inte {w!r}")
        out.append(fold(w.strip()))
    return tuple(out)


def _numbers(path: Path, key: str, raw) -> dict[str, int]:
    if not isinstance(raw, dict) or not raw:
        _fail(path, key, "ska vara en mappning ord: tal")
    for w, n in raw.items():
        if not isinstance(w, str) or not isinstance(n, int) or isinstance(n, bool) or n <= 0:
            _fail(path, f"{key}.{w}", f"ska vara ett ord med ett positivt heltal, inte {n!r}")
    return {fold(w): n for w, n in raw.items()}


def parse_vocabulary(path: Path) -> Vocabulary:
    raw = _read(path)
    if not isinstance(raw, dict):
        _fail(path, "filen", "ska vara en mappning med listor")
    for key in ("stopwords", "noise", "synonyms", "number_words", "amount_units", "seasons",
                "lexicons"):
        if key not in raw:
            _fail(path, key, "saknas")
    seasons = []
    if not isinstance(raw["seasons"], dict):
        _fail(path, "seasons", "ska vara en mappning namn: {months, words}")
    for name, s in raw["seasons"].items():
        months = s.get("months") if isinstance(s, dict) else None
        if (
            not isinstance(months, list)
            or len(months) != 2
            or not all(isinstance(m, int) and 1 <= m <= 12 for m in months)
        ):
            _fail(path, f"seasons.{name}.months", "ska vara [första månad, sista månad], 1–12")
        seasons.append(Season(name, (months[0], months[1]), _words(path, name, s.get("words"))))
    if not isinstance(raw["lexicons"], dict):
        _fail(path, "lexicons", "ska vara en mappning namn: [ord]")
    lexicons = {
        name: Lexicon(name, _words(path, f"lexicons.{name}", words))
        for name, words in raw["lexicons"].items()
    }
    for needed in REQUIRED_LEXICONS:
        if needed not in lexicons:
            _fail(path, f"lexicons.{needed}", "saknas (koden läser den)")
    return Vocabulary(
        stopwords=frozenset(_words(path, "stopwords", raw["stopwords"])),
        noise=frozenset(_words(path, "noise", raw["noise"])),
        number_words=_numbers(path, "number_words", raw["number_words"]),
        amount_units=_numbers(path, "amount_units", raw["amount_units"]),
        seasons=tuple(seasons),
        lexicons=lexicons,
        synonyms=_synonyms(path, raw["synonyms"]),
    )


def _synonyms(path: Path, raw) -> dict[str, str]:
    if not isinstance(raw, dict) or not raw:
        _fail(path, "synonyms", "ska vara en mappning förkortning: ord")
    for short, word in raw.items():
        if not isinstance(short, str) or not isinstance(word, str) or not word.strip():
            _fail(path, f"synonyms.{short}", f"ska vara ett ord, inte {word!r}")
    return {fold(k): fold(v) for k, v in raw.items()}


REQUIRED_LEXICONS = (
    "least", "most", "next_only", "previous", "count", "status_developing", "status_existing",
    "status_words", "domain_crisis", "domain_defence", "domain_words", "reach", "municipality",
    "base_amount", "same_base", "no_base", "region_word", "after_year", "from_year", "english",
    "swedish", "saying", "a_number", "most_populous", "least_populous", "gets_most", "gets_least",
    "largest", "smallest", "above", "below", "inhabitants", "quantity", "when", "consequence",
    "per_inhabitant", "account_number", "person", "clause_joins", "clause_starts",
    "question_words", "follow_up_starts", "follow_up_ends", "refers_back",
    "asks_recipient", "who_is", "roles", "ours", "compared", "case_number", "time_words",
    "particles", "until_year", "determiners", "after_next", "more_of", "than",
    "relatives", "actors", "actor_verbs", "actor_roles", "obliged", "each", "list", "where_to",
    "sending", "continues", "municipal", "since", "duration", "duration_units",
    "money_nouns",
)  # fmt: skip


@lru_cache(maxsize=4)
def _vocabulary(path: Path, mtime: float) -> Vocabulary:
    return parse_vocabulary(path)


def vocabulary() -> Vocabulary:
    path = language_file(VOCABULARY_FILE)
    return _vocabulary(path, path.stat().st_mtime)


def intent_name(name: object) -> IntentName | None:
    """`name` as an IntentName; None when it is none."""
    return next((n for n in INTENT_NAMES if n == name), None)


@dataclass(frozen=True)
class Intent:
    name: IntentName
    about: str
    needs: tuple[str, ...]  # slots: "region" (twice for two regions), "amount", "insats"
    examples: tuple[str, ...]
    without: tuple[str, ...] = ()  # slots that rule the intent out when filled


def parse_intents(path: Path) -> tuple[Intent, ...]:
    raw = _read(path)
    if not isinstance(raw, list) or not raw:
        _fail(path, "filen", "ska vara en lista med avsikter")
    out: list[Intent] = []
    seen: set[str] = set()
    for i, item in enumerate(raw):
        label = f"post {i + 1}"
        if not isinstance(item, dict):
            _fail(path, label, "ska vara en mappning med name, needs och examples")
        raw_name = item.get("name")
        if not isinstance(raw_name, str) or not re.fullmatch(r"[a-z_]+", raw_name):
            _fail(path, label, f"name ska vara ett namn med a–z och _, inte {raw_name!r}")
        name = intent_name(raw_name)
        if name is None:
            known = ", ".join(INTENT_NAMES)
            _fail(path, label, f"okänd avsikt '{raw_name}' (koden känner {known})")
        label = f"avsikten {name}"
        if name in seen:
            _fail(path, label, "finns två gånger")
        seen.add(name)
        needs = item.get("needs") or []
        without = item.get("without") or []
        for key, slots in (("needs", needs), ("without", without)):
            if not isinstance(slots, list) or any(n not in SLOTS for n in slots):
                _fail(path, f"{label}.{key}", f"ska vara en lista av {sorted(SLOTS)}: {slots!r}")
        examples = item.get("examples")
        if not isinstance(examples, list) or len(examples) < MIN_EXAMPLES:
            _fail(path, f"{label}.examples", f"ska ha minst {MIN_EXAMPLES} exempelfrågor")
        texts = []
        for j, ex in enumerate(examples):
            if not isinstance(ex, str) or not ex.strip():
                _fail(path, f"{label}.examples[{j}]", f"ska vara en fråga, inte {ex!r}")
            texts.append(ex.strip())
        about = item.get("about") or ""
        out.append(Intent(name, str(about), tuple(needs), tuple(texts), tuple(without)))
    return tuple(out)


@lru_cache(maxsize=4)
def _intents(path: Path, mtime: float) -> tuple[Intent, ...]:
    return parse_intents(path)


def intents() -> tuple[Intent, ...]:
    """The intents, read once per version of the file (the speller's lexicon and the
    classifier both read them at start-up)."""
    path = language_file(INTENTS_FILE)
    return _intents(path, path.stat().st_mtime)
