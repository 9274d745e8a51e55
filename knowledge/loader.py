"""Load and validate the YAML knowledge base into typed objects.

A bad file fails loudly with the file, the entry and what is wrong, so the bot
never starts on half a knowledge base.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

import yaml

from .models import (
    SUPPORT_STATUSES,
    Area,
    Contact,
    Deadline,
    Document,
    EveryNYearsRule,
    Fact,
    GlossaryEntry,
    Grant,
    Insats,
    Knowledge,
    OnceRule,
    PublishedRow,
    Region,
    Rule,
    SourceRef,
    SupportItem,
    YearlyRule,
)

PACKAGE_DATA = Path(__file__).parent / "data"
ADDED = "added"  # documents added with `python -m index add`


def data_dir() -> Path:
    """The knowledge folder: KNOWLEDGE_DIR if set (tests, a deployment's own copy), else the
    copy shipped in the package."""
    return Path(os.environ.get("KNOWLEDGE_DIR") or PACKAGE_DATA)


class KnowledgeError(ValueError):
    """A knowledge file is invalid. The message names the file and entry."""

    def __init__(self, file: str, entry: str, problem: str):
        self.file, self.entry, self.problem = file, entry, problem
        super().__init__(f"{file}: {entry}: {problem}")


class _Entry:
    """Typed access to one YAML mapping, raising KnowledgeError on bad fields."""

    def __init__(self, file: str, label: str, raw: Any):
        self.file, self.label = file, label
        if not isinstance(raw, dict):
            self.fail(f"ska vara en mappning (nyckel: värde), inte {type(raw).__name__}")
        self.raw = raw

    def fail(self, problem: str) -> NoReturn:
        raise KnowledgeError(self.file, self.label, problem)

    def get(self, key: str, kind: type | tuple[type, ...], required: bool = True, default=None):
        if key not in self.raw or self.raw[key] is None:
            if required:
                self.fail(f"fältet '{key}' saknas")
            return default
        value = self.raw[key]
        if kind is str and isinstance(value, int | float | dt.date):
            value = str(value)
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            self.fail(f"fältet '{key}' har fel typ ({type(value).__name__})")
        return value

    def strings(self, key: str, required: bool = False) -> tuple[str, ...]:
        values = self.get(key, list, required=required, default=[])
        values = [str(v) if isinstance(v, int | float) else v for v in values]  # years, numbers
        if not all(isinstance(v, str) and v.strip() for v in values):
            self.fail(f"fältet '{key}' ska vara en lista med texter")
        return tuple(values)

    def date(self, key: str, required: bool = True) -> dt.date | None:
        value = self.get(key, (dt.date, str), required=required)
        if value is None or isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            self.fail(f"fältet '{key}' är inget datum (ÅÅÅÅ-MM-DD): {value!r}")

    def required_date(self, key: str) -> dt.date:
        value = self.date(key)
        assert value is not None  # date() fails when a required date is missing
        return value

    def source(self, key: str = "source", required: bool = True, documents=None):
        raw = self.get(key, dict, required=required)
        if raw is None:
            return None
        ref = _Entry(self.file, f"{self.label}.{key}", raw)
        doc, section = ref.get("doc", str), ref.get("section", str)
        if documents is not None and doc not in documents:
            ref.fail(f"okänt dokument '{doc}' (finns inte i sources.yaml)")
        return SourceRef(doc, section)


# libyaml's safe loader when PyYAML was built with it: ten times faster, the same result
# (a knowledge base of hundreds of added documents has hundreds of small YAML files)
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _read_yaml(path: Path, root: Path) -> Any:
    name = str(path.relative_to(root))
    try:
        with path.open(encoding="utf-8") as fh:
            return yaml.load(fh, Loader=_LOADER)  # noqa: S506 - a safe loader
    except FileNotFoundError:
        raise KnowledgeError(name, "-", "filen saknas") from None
    except yaml.YAMLError as exc:
        raise KnowledgeError(name, "-", f"ogiltig YAML: {exc}") from None


def _entries(path: Path, root: Path, label_key: str) -> list[_Entry]:
    raw = _read_yaml(path, root)
    name = str(path.relative_to(root))
    if not isinstance(raw, list):
        raise KnowledgeError(name, "-", "filen ska innehålla en lista")
    entries, seen = [], set()
    for i, item in enumerate(raw, 1):
        label = f"post {i}"
        if isinstance(item, dict) and item.get(label_key) is not None:
            label = f"post {i} ({item[label_key]})"
            if item[label_key] in seen:
                raise KnowledgeError(name, label, f"'{item[label_key]}' förekommer två gånger")
            seen.add(item[label_key])
        entries.append(_Entry(name, label, item))
    return entries


def _rule(e: _Entry) -> Rule:
    r = _Entry(e.file, f"{e.label}.rule", e.get("rule", dict))
    kind = r.get("type", str)
    if kind == "once":
        return OnceRule(on=r.required_date("date"))
    if kind not in ("yearly", "every_n_years"):
        r.fail(f"okänd regeltyp '{kind}' (yearly, every_n_years, once)")
    month, day = r.get("month", int), r.get("day", int, required=False)
    if not 1 <= month <= 12:
        r.fail(f"månad {month} finns inte")
    if day is not None:
        try:
            dt.date(2024, month, day)  # a leap year accepts every valid day
        except ValueError:
            r.fail(f"dag {day} finns inte i månad {month}")
    if kind == "yearly":
        return YearlyRule(month=month, day=day)
    n = r.get("n", int)
    if n < 2:
        r.fail("n ska vara minst 2 för every_n_years (använd yearly)")
    return EveryNYearsRule(month=month, day=day, n=n, anchor_year=r.get("anchor_year", int))


AUDIENCES = (None, "regioner", "kommuner")  # whom a text is written for, if said


def _documents(root: Path) -> dict[str, Document]:
    """The shipped sources (sources.yaml) and those added with `python -m index add`
    (one YAML file each under added/)."""
    entries = _entries(root / "sources.yaml", root, "id")
    added = sorted((root / ADDED).glob("*.yaml")) if (root / ADDED).is_dir() else []
    entries += [_Entry(str(p.relative_to(root)), p.stem, _read_yaml(p, root)) for p in added]
    docs = {}
    for e in entries:
        if e.raw.get("id") in docs:
            e.fail(f"dokument-id '{e.raw['id']}' finns redan")
        doc = Document(
            id=e.get("id", str),
            title=e.get("title", str),
            publisher=e.get("publisher", str),
            kind=e.get("kind", str),
            called=e.strings("called"),
            audience=e.get("audience", str, required=False),
            file=e.get("file", str, required=False),
            date=e.date("date", required=False),
            date_note=e.get("date_note", str, required=False),
            number=e.get("number", str, required=False),
            url=e.get("url", str, required=False),
            added=e.date("added", required=False),
            original=e.get("original", str, required=False),
            sha256=e.get("sha256", str, required=False),
        )
        if doc.file and not (root / doc.file).is_file():
            e.fail(f"texten '{doc.file}' finns inte")
        if doc.audience not in AUDIENCES:
            e.fail(f"audience '{doc.audience}' är inte en av {', '.join(map(str, AUDIENCES[1:]))}")
        docs[doc.id] = doc
    return docs


def _load_list(root, name, key, build: Callable[[_Entry], Any]) -> tuple:
    return tuple(build(e) for e in _entries(root / name, root, key))


def _grant(path: Path, root: Path, docs, regions: tuple[Region, ...]) -> Grant:
    e = _Entry(str(path.relative_to(root)), "bidraget", _read_yaml(path, root))
    e.label = f"bidraget {e.get('id', str)}"
    pops = _Entry(e.file, f"{e.label}.populations", e.get("populations", dict))
    region_ids = {r.id for r in regions}
    unknown = sorted(set(pops.raw) - region_ids)
    missing = sorted(region_ids - set(pops.raw))
    if unknown:
        pops.fail(f"okända regioner: {', '.join(map(str, unknown))}")
    if missing:
        pops.fail(f"befolkning saknas för: {', '.join(missing)}")
    populations = {rid: pops.get(rid, int) for rid in pops.raw}
    if any(p <= 0 for p in populations.values()):
        pops.fail("befolkningen ska vara ett positivt heltal")
    total, base = e.get("total", int), e.get("base_amount", int)
    if total <= 0 or base < 0:
        e.fail("total ska vara positiv och base_amount får inte vara negativ")
    if base * len(populations) > total:
        e.fail(f"grundbeloppen ({base} × {len(populations)}) överstiger totalen {total}")
    rounding = e.get("rounding", str, required=False, default="nearest")
    if rounding != "nearest":
        e.fail(f"okänd avrundningsregel '{rounding}' (nearest)")
    published, published_totals = {}, {}
    if "published" in e.raw:
        pub = _Entry(e.file, f"{e.label}.published", e.get("published", dict))
        rows = _Entry(e.file, f"{pub.label}.regions", pub.get("regions", dict))
        for rid in rows.raw:
            row = _Entry(e.file, f"{rows.label}.{rid}", rows.raw[rid])
            published[rid] = PublishedRow(row.get("population_part", int), row.get("total", int))
        published_totals = {k: v for k, v in pub.raw.items() if k != "regions"}
    return Grant(
        id=e.get("id", str),
        title=e.get("title", str),
        year=e.get("year", int),
        total=total,
        base_amount=base,
        population_date=e.required_date("population_date"),
        populations=populations,
        source=e.source(documents=docs),
        method_source=e.source("method_source", documents=docs),
        rounding=rounding,
        scope_fact=e.get("scope_fact", str, required=False),
        later_years=e.get("later_years", str, required=False),
        later_years_source=e.source("later_years_source", required=False, documents=docs),
        published=published,
        published_totals=published_totals,
    )


def fingerprint(root: Path | None = None) -> str:
    """A hash over every knowledge file, so dependants know when to rebuild."""
    root = root or data_dir()
    h = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        h.update(str(path.relative_to(root)).encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


def load(root: Path | None = None) -> Knowledge:
    """Read and validate the whole knowledge base."""
    root = root or data_dir()
    docs = _documents(root)

    def deadline(e: _Entry) -> Deadline:
        return Deadline(
            id=e.get("id", str),
            title=e.get("title", str),
            short=e.get("short", str),
            rule=_rule(e),
            source=e.source(documents=docs),
            who=e.get("who", str, required=False),
            recipients=e.strings("recipients"),
            note=e.get("note", str, required=False),
            keywords=e.strings("keywords"),
        )

    def area(e: _Entry) -> Area:
        support = []
        for i, raw in enumerate(e.get("support", list, required=False, default=[]), 1):
            s = _Entry(e.file, f"{e.label}.support {i}", raw)
            raw_status = s.get("status", str)
            status = next((st for st in SUPPORT_STATUSES if st == raw_status), None)
            if status is None:
                known = ", ".join(sorted(SUPPORT_STATUSES))
                s.fail(f"okänd status '{raw_status}' ({known})")
            support.append(SupportItem(s.get("text", str), status))
        return Area(
            id=e.get("id", str),
            domain=e.get("domain", str),
            name=e.get("name", str),
            tasks=e.strings("tasks", required=True),
            support=tuple(support),
            source=e.source(documents=docs),
            keywords=e.strings("keywords"),
        )

    def region(e: _Entry) -> Region:
        return Region(e.get("id", str), e.get("name", str), e.strings("aliases"))

    def contact(e: _Entry) -> Contact:
        return Contact(
            id=e.get("id", str),
            name=e.get("name", str),
            about=e.get("about", str),
            source=e.source(documents=docs),
            phone=e.get("phone", str, required=False),
            email=e.get("email", str, required=False),
            address=e.get("address", str, required=False),
            keywords=e.strings("keywords"),
        )

    def glossary(e: _Entry) -> GlossaryEntry:
        meaning = e.get("meaning", str, required=False)
        source = e.source(required=meaning is not None, documents=docs)
        return GlossaryEntry(
            term=e.get("term", str),
            expands=e.strings("expands"),
            meaning=meaning,
            source=source,
            note=e.get("note", str, required=False),
            note_source=e.source("note_source", required=False, documents=docs),
        )

    def fact(e: _Entry) -> Fact:
        return Fact(
            id=e.get("id", str),
            about=e.strings("about", required=True),
            text=e.get("text", str),
            source=e.source(documents=docs),
            url=e.get("url", str, required=False),
        )

    insatser_raw = _Entry("insatser.yaml", "filen", _read_yaml(root / "insatser.yaml", root))
    insats_source = insatser_raw.source(documents=docs)
    insatser = []
    for i, raw in enumerate(insatser_raw.get("items", list), 1):
        e = _Entry("insatser.yaml", f"insats {i}", raw)
        points = e.get("points", dict)
        insatser.append(
            Insats(
                number=e.get("number", int),
                name=e.get("name", str),
                points=tuple((str(k), str(v)) for k, v in points.items()),
                source=insats_source,
                keywords=e.strings("keywords"),
            )
        )

    regions = _load_list(root, "regions.yaml", "id", region)
    facts = _load_list(root, "facts.yaml", "id", fact)
    grants = tuple(_grant(p, root, docs, regions) for p in sorted((root / "grants").glob("*.yaml")))
    fact_ids = {f.id for f in facts}
    for g in grants:
        if g.scope_fact and g.scope_fact not in fact_ids:
            raise KnowledgeError(f"grants/{g.id}.yaml", g.id, f"okänd fakta '{g.scope_fact}'")
    years = [g.year for g in grants]
    if len(set(years)) != len(years):
        raise KnowledgeError("grants/", "-", "två bidrag har samma år")
    return Knowledge(
        documents=docs,
        deadlines=_load_list(root, "deadlines.yaml", "id", deadline),
        areas=_load_list(root, "areas.yaml", "id", area),
        insatser=tuple(insatser),
        regions=regions,
        grants=grants,
        contacts=_load_list(root, "contacts.yaml", "id", contact),
        glossary=_load_list(root, "glossary.yaml", "term", glossary),
        facts=facts,
        texts={d.id: (root / d.file).read_text(encoding="utf-8") for d in docs.values() if d.file},
        fingerprint=fingerprint(root),
    )
