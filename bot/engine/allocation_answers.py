"""Answers about grant money: a region's amount and how it is computed, what-ifs,
cost shares, the total and the table of all regions; `AllocationAnswers` reads them
off a question as understood."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from fractions import Fraction
from typing import TYPE_CHECKING

from index.analysis import fold
from knowledge.models import Grant, Knowledge, Region

from .allocation import Allocation, AllocationError, allocate_grant, cost_share
from .answer import Answer, Citer
from .dates import sv_date, sv_decimal, sv_int, sv_kr, sv_percent
from .entities import EVERY
from .understanding import Understanding

if TYPE_CHECKING:
    from .entities import RegionMatcher


def _grant_or_refusal(
    knowledge: Knowledge, year: int | None, population: bool = False
) -> Grant | Answer:
    """The grant of `year` (the latest without one); with `population` also the grant whose
    population figures are of that year ("befolkning 2022": the base of 2023's table)."""
    if year is None:
        return max(knowledge.grants, key=lambda g: g.year)
    grant = knowledge.grant_for_year(year)
    if grant:
        return grant
    if population:
        counted = [g for g in knowledge.grants if g.population_date.year == year]
        if counted:
            return counted[0]
        latest = max(knowledge.grants, key=lambda g: g.year)
        cite = Citer(knowledge)
        cite.cite(latest.source)
        return Answer(f"Befolkningen {year} finns inte i de dokument jag har: tabellen bygger på "
                      f"befolkningen den {sv_date(latest.population_date)} (fördelningen "
                      f"{latest.year}).", False, "allocation", cite.all())  # fmt: skip
    return not_decided(knowledge, year)


def not_decided(knowledge: Knowledge, year: int) -> Answer:
    cite = Citer(knowledge)
    latest = max(knowledge.grants, key=lambda g: g.year)
    lines = [f"Fördelningen för {year} är inte beslutad i de dokument jag har."]
    if latest.later_years:
        lines.append(latest.later_years)
        cite.cite(latest.later_years_source)
    lines.append(
        f"Jag kan svara för {latest.year}. Fråga annars Socialstyrelsen, "
        "Socialdepartementet eller Kammarkollegiet om senare regeringsbeslut."
    )
    return Answer("\n".join(lines), False, "allocation", cite.all())


def _unknown_region(knowledge: Knowledge, word: str, suggestions: list[str]) -> Answer:
    return Answer(
        f"Jag hittar ingen region som heter ”{word}”. Menade du "
        + " eller ".join(", ".join(suggestions).rsplit(", ", 1))
        + "? Sveriges 21 regioner finns i tabellen: skriv ”tilldelning alla”.",
        False,
        "allocation",
    )


def region_amount(
    knowledge: Knowledge,
    region: Region,
    year: int | None,
    *,
    how: bool = False,
    population_only: bool = False,
    per_capita: bool = False,
    percent: bool = False,
) -> Answer:
    grant = _grant_or_refusal(knowledge, year, population=population_only)
    if isinstance(grant, Answer):
        return grant
    a = allocate_grant(grant)[region.id]
    rest = grant.total - grant.base_amount * len(grant.populations)
    pop_total = sum(grant.populations.values())
    cite = Citer(knowledge)
    cite.cite(grant.source)
    cite.cite(grant.method_source)
    if population_only:
        lines = [
            f"{region.name}: befolkningsunderlaget den {sv_date(grant.population_date)} var "
            f"{sv_int(a.population)} invånare, {sv_percent(a.share)} av rikets "
            f"{sv_int(pop_total)}.",
            f"Det ger {sv_kr(a.population_part)} av de {sv_kr(rest)} som fördelas efter "
            f"befolkning; med grundbeloppet {sv_kr(grant.base_amount)} blir det "
            f"{sv_kr(a.total)} för {grant.year}.",
        ]
        if percent:
            lines.append(_share_of(grant, a.total))
    else:
        lines = [
            f"{region.name} får {sv_kr(a.total)} för {grant.year}.",
            f"• Grundbelopp: {sv_kr(a.base)}",
            f"• Befolkningsdel: {sv_kr(a.population_part)} "
            f"({sv_percent(a.share)} av befolkningen, {sv_int(a.population)} invånare "
            f"den {sv_date(grant.population_date)})",
        ]
        if per_capita:
            lines.append(
                f"Per invånare: {sv_decimal(Fraction(a.total, a.population))} kr "
                f"({sv_kr(a.total)} / {sv_int(a.population)} invånare)."
            )
        if percent:
            lines.append(_share_of(grant, a.total))
        if how:
            lines += [
                "",
                "Så räknas det:",
                f"1. Totalt {sv_kr(grant.total)} till regionerna.",
                f"2. Grundbelopp {sv_kr(grant.base_amount)} × {len(grant.populations)} regioner "
                f"= {sv_kr(grant.base_amount * len(grant.populations))}.",
                f"3. Kvar att fördela efter befolkning: {sv_kr(rest)}.",
                f"4. {sv_kr(rest)} × {sv_int(a.population)} / {sv_int(pop_total)} = {_exact(a)}"
                f" ≈ {sv_kr(a.population_part)} (avrundat till närmaste krona).",
                f"5. {sv_kr(a.base)} + {sv_kr(a.population_part)} = {sv_kr(a.total)}.",
            ]
    return Answer("\n".join(lines), True, "allocation", cite.all())


def _exact(a: Allocation) -> str:
    value = a.exact_population_part
    cents = round(value * 100)
    return f"{sv_int(cents // 100)},{cents % 100:02d} kr"


def what_if(
    knowledge: Knowledge,
    regions: list[Region],
    total: int | None,
    base: int | None,
    year: int | None,
) -> Answer:
    grant = _grant_or_refusal(knowledge, year)
    if isinstance(grant, Answer):
        return grant
    try:
        split = allocate_grant(grant, total=total, base_amount=base)
    except AllocationError as exc:
        return Answer(f"Det går inte att räkna så: {exc}", False, "allocation")
    base_used = grant.base_amount if base is None else base
    total = grant.total if total is None else total
    cite = Citer(knowledge)
    cite.cite(grant.method_source)
    cite.cite(grant.source)
    lines = [
        f"Om {sv_kr(total)} fördelades som {grant.year} (grundbelopp {sv_kr(base_used)} per "
        f"region, resten efter befolkningen den {sv_date(grant.population_date)}):",
        f"Grundbelopp sammanlagt {sv_kr(base_used * len(split))}, efter befolkningsandel "
        f"{sv_kr(total - base_used * len(split))}.",
    ]
    actual = allocate_grant(grant)
    if len(regions) > 4:  # all regions: one short line each, largest first
        for r in sorted(regions, key=lambda r: -split[r.id].total):
            lines.append(f"{r.name.replace('Region ', '')}: {sv_kr(split[r.id].total)}")
    for r in regions if len(regions) <= 4 else ():
        a = split[r.id]
        lines.append(
            f"• {r.name}: {sv_kr(a.total)} ({sv_kr(a.base)} + {sv_kr(a.population_part)}); "
            f"faktiskt {grant.year}: {sv_kr(actual[r.id].total)}."
        )
    lines.append("Detta är en räkneövning, inget beslut.")
    return Answer("\n".join(lines), True, "allocation", cite.all())


def cost_split(knowledge: Knowledge, regions: list[Region], cost: int) -> Answer:
    grant = max(knowledge.grants, key=lambda g: g.year)
    shares = cost_share(grant.populations, cost)
    pop_total = sum(grant.populations.values())
    cite = Citer(knowledge)
    cite.cite(knowledge.fact("nspl-finansiering").source)
    cite.cite(grant.source)
    lines = [
        f"Fördelat efter befolkningsandel (befolkningen den {sv_date(grant.population_date)}, "
        f"som i SKR:s fördelningsnyckel) blir en kostnad på {sv_kr(cost)}:"
    ]
    for r in regions:
        p = grant.populations[r.id]
        lines.append(
            f"• {r.name}: {sv_kr(shares[r.id])} ({sv_int(p)} av {sv_int(pop_total)} invånare "
            f"= {sv_percent(Fraction(p, pop_total), 2)})"
        )
    lines.append(
        "Befolkningsunderlaget är det i överenskommelsens bilaga 1; SKR:s aktuella "
        "fördelningsnyckel kan bygga på nyare siffror."
    )
    return Answer("\n".join(lines), True, "allocation", cite.all())


def _share_of(grant: Grant, amount: int) -> str:
    share = sv_percent(Fraction(amount, grant.total))
    return f"Det är {share} av de {sv_kr(grant.total)} till regionerna."


def total(
    knowledge: Knowledge,
    year: int | None,
    population: bool = False,
    asks: frozenset[str] = frozenset(),
) -> Answer:
    """The year's total and how it is split; with `asks` also what a question computes of
    it: the parts' shares ("percent"), the mean per region ("average"), per inhabitant."""
    grant = _grant_or_refusal(knowledge, year, population)
    if isinstance(grant, Answer):
        return grant
    n = len(grant.populations)
    cite = Citer(knowledge)
    cite.cite(grant.source)
    if population:
        text = (
            f"Befolkningsunderlaget den {sv_date(grant.population_date)} var sammanlagt "
            f"{sv_int(sum(grant.populations.values()))} invånare i de {n} regionerna "
            f"(fördelningsunderlaget för {grant.year})."
        )
        return Answer(text, True, "allocation", cite.all())
    text = (
        f"{grant.year} fördelas totalt {sv_kr(grant.total)} till de {n} regionerna: "
        f"grundbelopp {sv_kr(grant.base_amount)} per region ({sv_kr(grant.base_amount * n)} "
        f"sammanlagt) och {sv_kr(grant.total - grant.base_amount * n)} efter befolkningsandel "
        f"(befolkningen den {sv_date(grant.population_date)})."
    )
    base, rest = grant.base_amount * n, grant.total - grant.base_amount * n
    inhabitants = sum(grant.populations.values())
    if "percent" in asks:
        text += (
            f"\nGrundbeloppen är {sv_percent(Fraction(base, grant.total))} av totalen, "
            f"befolkningsdelen {sv_percent(Fraction(rest, grant.total))}."
        )
    if "average" in asks:
        text += (
            f"\nI genomsnitt får en region {sv_kr(round(Fraction(grant.total, n)))} "
            f"({sv_kr(grant.total)} / {n})."
        )
    if "per_capita" in asks:
        text += (
            f"\nPer invånare: {sv_decimal(Fraction(grant.total, inhabitants))} kr i allt, "
            f"befolkningsdelen {sv_decimal(Fraction(rest, inhabitants))} kr "
            f"({sv_kr(rest)} / {sv_int(inhabitants)} invånare)."
        )
    quotes: tuple[str, ...] = ()
    if grant.scope_fact:
        scope = knowledge.fact(grant.scope_fact)
        cite.cite(scope.source)
        text += f"\n\n{scope.text}"
        quotes = (scope.text,)
    return Answer(text, True, "allocation", cite.all(), chart=True, quotes=quotes)


def combined(
    knowledge: Knowledge, regions: list[Region], year: int | None, how: str,
    asks: frozenset[str] = frozenset(),
) -> Answer:
    """Two or more regions' allocations with their sum ("together") or, for two, the
    difference ("hur mycket mer får Skåne än Stockholm"); with `asks`, also the multiple
    ("ratio": "hur många gånger större") or the share of the total ("percent")."""
    grant = _grant_or_refusal(knowledge, year)
    if isinstance(grant, Answer):
        return grant
    split = allocate_grant(grant)
    cite = Citer(knowledge)
    cite.cite(grant.source)
    lines = [f"{r.name}: {sv_kr(split[r.id].total)}" for r in regions]
    if how == "difference" and len(regions) == 2:
        a, b = (split[r.id].total for r in regions)
        more, less = (regions[0], regions[1]) if a >= b else (regions[1], regions[0])
        lines.append(f"{more.name} får {sv_kr(abs(a - b))} mer än {less.name} ({grant.year}).")
        if "ratio" in asks and min(a, b) > 0:
            lines.append(
                f"{more.name} får {sv_decimal(Fraction(max(a, b), min(a, b)))} gånger så mycket "
                f"som {less.name} ({sv_kr(max(a, b))} / {sv_kr(min(a, b))})."
            )
    else:
        total = sum(split[r.id].total for r in regions)
        lines.append(f"Tillsammans: {sv_kr(total)} ({grant.year}).")
        if "percent" in asks:
            lines.append(_share_of(grant, total))
    return Answer("\n".join(lines), True, "allocation", cite.all())


def total_without(knowledge: Knowledge, without: list[Region], year: int | None) -> Answer:
    """What all regions but those left out get together ("hur mycket får regionerna om
    man räknar bort Stockholm?"): the total less theirs, both shown."""
    grant = _grant_or_refusal(knowledge, year)
    if isinstance(grant, Answer):
        return grant
    split = allocate_grant(grant)
    cite = Citer(knowledge)
    cite.cite(grant.source)
    left_out = sum(split[r.id].total for r in without)
    names = _and([r.name for r in without])
    parts = _and([f"{r.name} {sv_kr(split[r.id].total)}" for r in without])
    text = (
        f"Alla regioner utom {names} får tillsammans {sv_kr(grant.total - left_out)} "
        f"({grant.year}): totalt {sv_kr(grant.total)} minus {parts}."
    )
    return Answer(text, True, "allocation", cite.all())


def table(knowledge: Knowledge, year: int | None, extreme: str | None = None) -> Answer:
    grant = _grant_or_refusal(knowledge, year)
    if isinstance(grant, Answer):
        return grant
    split = allocate_grant(grant)
    rows = sorted(split.values(), key=lambda a: a.total, reverse=True)
    cite = Citer(knowledge)
    cite.cite(grant.source)
    lines = []
    if extreme:  # "vilken region får mest?": the answer first, the table after
        a = rows[0] if extreme == "most" else rows[-1]
        word = "Mest" if extreme == "most" else "Minst"
        lines += [f"{word} får {knowledge.region(a.region_id).name}: {sv_kr(a.total)}.", ""]
    lines.append(f"Tilldelning {grant.year} ({sv_kr(grant.total)}):")
    for a in rows:
        name = knowledge.region(a.region_id).name.replace("Region ", "")
        lines.append(f"{name}: {sv_kr(a.total)}")
    return Answer("\n".join(lines), True, "allocation", cite.all(), chart=True)


def per_capita_table(knowledge: Knowledge, year: int | None, extreme: str | None = None) -> Answer:
    """Every region's grant per inhabitant, highest first ("vilken region får mest per
    invånare?": the base amount makes it highest where the fewest live)."""
    grant = _grant_or_refusal(knowledge, year)
    if isinstance(grant, Answer):
        return grant
    rows = sorted(allocate_grant(grant).values(), key=lambda a: -Fraction(a.total, a.population))
    cite = Citer(knowledge)
    cite.cite(grant.source)
    lines = []
    if extreme:
        a = rows[0] if extreme == "most" else rows[-1]
        word = "Mest" if extreme == "most" else "Minst"
        lines += [
            f"{word} per invånare får {knowledge.region(a.region_id).name}: "
            f"{sv_decimal(Fraction(a.total, a.population))} kr ({sv_kr(a.total)} / "
            f"{sv_int(a.population)} invånare den {sv_date(grant.population_date)}).",
            "",
        ]
    lines.append(f"Tilldelning per invånare {grant.year}:")
    for a in rows:
        name = knowledge.region(a.region_id).name.replace("Region ", "")
        lines.append(f"{name}: {sv_decimal(Fraction(a.total, a.population))} kr")
    return Answer("\n".join(lines), True, "allocation", cite.all())


def populous_among(
    knowledge: Knowledge, regions: list[Region], end: str, year: int | None
) -> tuple[Region, str] | None:
    """Of `regions`, the one with the most (`end` "most") or fewest inhabitants in the
    grant's table, with the line saying so; None when the grant is not decided."""
    grant = _grant_or_refusal(knowledge, year)
    if isinstance(grant, Answer):
        return None
    counted = [r for r in regions if r.id in grant.populations]
    if not counted:
        return None
    pick = (max if end == "most" else min)(counted, key=lambda r: grant.populations[r.id])
    word = "Flest" if end == "most" else "Minst antal"
    return pick, (f"Av dem har {pick.name} {word.lower()} invånare: "
                  f"{sv_int(grant.populations[pick.id])} den {sv_date(grant.population_date)}.")


def _and(parts: Iterable[str]) -> str:
    """"A, B och C"."""
    return " och ".join(", ".join(parts).rsplit(", ", 1))


def described_regions(
    knowledge: Knowledge, kind: str, threshold: int | None, year: int | None,
    upper: int | None = None, rank: tuple[int, int] = (0, 1), share: float | None = None,
) -> tuple[list[Region], str, Citer] | Answer:
    """Step one of a two-step question: the regions a description picks out by the
    grant's figures ("flest invånare", "de två största", "över en miljon invånare",
    "andelen 2,4 %", "den som får mest")."""
    grant = _grant_or_refusal(knowledge, year)
    if isinstance(grant, Answer):
        return grant
    pops = sorted(grant.populations.items(), key=lambda kv: kv[1], reverse=True)
    when = sv_date(grant.population_date)
    cite = Citer(knowledge)
    cite.cite(grant.source)
    skip, take = rank
    if kind in ("most", "least") and rank != (0, 1):
        ordered = pops if kind == "most" else pops[::-1]
        picked = ordered[skip : skip + take]
        word = {("most", 1): "Näst flest", ("least", 1): "Näst minst antal"}.get(
            (kind, skip), "Flest" if kind == "most" else "Minst antal"
        )
        names = _and(f"{knowledge.region(r).name} ({sv_int(n)})" for r, n in picked)
        return ([knowledge.region(r) for r, _ in picked],
                f"{word} invånare den {when} har {names}.", cite)  # fmt: skip
    if kind in ("most", "least", "extremes"):
        ends = {"most": [pops[0]], "least": [pops[-1]], "extremes": [pops[0], pops[-1]]}[kind]
        words = ("Minst antal",) if kind == "least" else ("Flest", "Minst antal")
        lines = [f"{w} invånare har {knowledge.region(rid).name}: {sv_int(n)} den {when}."
                 for (rid, n), w in zip(ends, words, strict=False)]  # fmt: skip
        return [knowledge.region(r) for r, _ in ends], "\n".join(lines), cite
    if kind == "nearest" and threshold is not None:
        rid, n = min(pops, key=lambda kv: abs(kv[1] - threshold))
        return ([knowledge.region(rid)], f"Närmast {sv_int(threshold)} invånare den {when} har "
                f"{knowledge.region(rid).name}: {sv_int(n)}.", cite)  # fmt: skip
    if kind == "share":
        # the table prints shares to one decimal: "2,4%" is any share that rounds to it
        split = allocate_grant(grant)
        picked = [(r, n) for r, n in pops if round(float(split[r].share) * 100, 1) == share]
        shown = sv_percent(Fraction(share) / 100 if share is not None else Fraction(0), 1)
        if not picked:
            return [], f"Ingen region har andelen {shown} av befolkningen den {when}.", cite
        names = _and(f"{knowledge.region(r).name} ({sv_int(n)})" for r, n in picked)
        return ([knowledge.region(r) for r, _ in picked],
                f"Andelen {shown} av befolkningen den {when} har {names}.", cite)  # fmt: skip
    if kind in ("money_above", "money_below") and threshold is not None:
        # "regioner som får över 40 miljoner kronor": by the grant itself
        totals = sorted(allocate_grant(grant).items(), key=lambda kv: kv[1].total, reverse=True)
        above = kind == "money_above"
        got = [(rid, a) for rid, a in totals
               if (a.total > threshold if above else a.total < threshold)]  # fmt: skip
        word = "Mer än" if above else "Mindre än"
        if not got:
            return [], f"Ingen region får {word.lower()} {sv_kr(threshold)} ({grant.year}).", cite
        names = _and(f"{knowledge.region(r).name} ({sv_kr(a.total)})" for r, a in got)
        many = "en region" if len(got) == 1 else f"{len(got)} regioner"
        return ([knowledge.region(r) for r, _ in got],
                f"{word} {sv_kr(threshold)} får {many} ({grant.year}): {names}.", cite)  # fmt: skip
    if kind in ("money_most", "money_least") and rank != (0, 1):
        # "vilka två regioner får mest": the first few by the grant itself
        totals = sorted(allocate_grant(grant).items(), key=lambda kv: kv[1].total,
                        reverse=kind == "money_most")[skip : skip + take]  # fmt: skip
        names = _and(f"{knowledge.region(r).name} ({sv_kr(a.total)})" for r, a in totals)
        word = "Mest" if kind == "money_most" else "Minst"
        return ([knowledge.region(r) for r, _ in totals],
                f"{word} får ({grant.year}) {names}.", cite)  # fmt: skip
    if kind.startswith("money_"):
        # the regions at the ends of the grant itself ("den region som får mest")
        totals = sorted(allocate_grant(grant).items(), key=lambda kv: kv[1].total, reverse=True)
        paid = {"money_most": [totals[0]], "money_least": [totals[-1]],
                "money_extremes": [totals[0], totals[-1]]}[kind]  # fmt: skip
        words = ("Minst",) if kind == "money_least" else ("Mest", "Minst")
        lines = [f"{w} får {knowledge.region(rid).name}: {sv_kr(a.total)} ({grant.year})."
                 for (rid, a), w in zip(paid, words, strict=False)]  # fmt: skip
        return [knowledge.region(r) for r, _ in paid], "\n".join(lines), cite
    # what is left: "above", "below" and "between", which have their bounds
    assert threshold is not None and (upper is not None or kind != "between"), kind

    def fits(n: int) -> bool:
        if kind == "between":
            assert upper is not None
            return threshold <= n <= upper
        return n > threshold if kind == "above" else n < threshold

    picked = [(rid, n) for rid, n in pops if fits(n)]
    word = {"above": "Fler än", "below": "Färre än"}.get(kind, "Mellan")
    bound = (
        f"{sv_int(threshold)} och {sv_int(upper)}"
        if kind == "between" and upper is not None
        else sv_int(threshold)
    )
    if not picked:
        return [], f"Ingen region har {word.lower()} {bound} invånare den {when}.", cite
    names = _and(f"{knowledge.region(r).name} ({sv_int(n)})" for r, n in picked)
    text = f"{word} {bound} invånare den {when} har {len(picked)} regioner: {names}."
    if len(picked) == 1:
        text = f"{word} {bound} invånare den {when} har en region: {names}."
    return [knowledge.region(r) for r, _ in picked], text, cite


class AllocationAnswers:
    """The grant's answers for a question as understood (its regions, year, amounts and
    flags), and for the /tilldelning-style entry point."""

    def __init__(self, knowledge: Knowledge, regions: RegionMatcher):
        self.knowledge = knowledge
        self.regions = regions

    def total_without(self, u: Understanding) -> Answer:
        return total_without(self.knowledge, u.without, u.year)

    def amount(self, u: Understanding) -> Answer:
        """A region's amount (or several regions', their sum or difference)."""
        if u.municipality and not u.regions:
            return municipality(u.municipality)
        if not u.regions:
            word = u.unknown_region or u.text
            return _unknown_region(self.knowledge, word, self.regions.suggest(word))
        if u.year is None and "population" in u.flags and u.on_day and u.on_day[2]:
            # "invånare den 1 november 2025": a population on that day, of that year
            u = replace(u, year=u.on_day[2])
        if len(u.regions) > 1 and u.flags & {"difference", "together", "ratio"}:
            how = "together" if "together" in u.flags else "difference"
            return combined(self.knowledge, u.regions, u.year, how, frozenset(u.flags))
        if len(u.regions) > 1:
            parts = [
                region_amount(self.knowledge, r, u.year, population_only="population" in u.flags)
                for r in u.regions[:4]
            ]
            if not parts[0].answered:
                return parts[0]
            return Answer("\n\n".join(p.text for p in parts), True, "allocation", parts[0].sources)
        return region_amount(
            self.knowledge,
            u.regions[0],
            u.year,
            how="how" in u.flags,
            population_only="population" in u.flags,
            per_capita="per_capita" in u.flags,
            percent="percent" in u.flags,
        )

    def what_if(self, u: Understanding) -> Answer:
        """'Om 500 miljoner fördelades …' / 'om grundbeloppet var 10 miljoner': the amount
        written after "grundbelopp" is the base, any other the total."""
        amounts = list(u.amounts)
        if u.base_amount is not None and u.base_amount in amounts:
            amounts.remove(u.base_amount)
        most = max(amounts) if amounts else None
        regions = u.regions or [self.knowledge.region(r.id) for r in self.knowledge.regions]
        return what_if(self.knowledge, regions, most, u.base_amount, u.year)

    def cost_share(self, u: Understanding) -> Answer:
        if u.municipality and not u.regions:
            return municipality(u.municipality)
        return cost_split(self.knowledge, u.regions, max(u.amounts))

    def table(self, u: Understanding) -> Answer:
        extreme = "most" if "most" in u.flags else "least" if "least" in u.flags else None
        if "per_capita" in u.flags:
            return per_capita_table(self.knowledge, u.year, extreme)
        return table(self.knowledge, u.year, extreme)

    def population_rank(self, u: Understanding) -> Answer:
        """"Vilken region är störst?": by inhabitants (worded as step one of a two-step
        question), then every region's money, which follows the inhabitants. Money per
        inhabitant ("vilken region får mest per invånare?") is ranked by that instead."""
        if "per_capita" in u.flags:
            return self.table(u)
        found = described_regions(
            self.knowledge, "least" if "least" in u.flags else "most", None, u.year
        )
        if isinstance(found, Answer):
            return found
        shown = table(self.knowledge, u.year)
        return replace(shown, text=f"{found[1]}\n\n{shown.text}")

    def regions_list(self) -> Answer:
        """'Hur många regioner finns det?': the regions of the latest grant's table."""
        grant = max(self.knowledge.grants, key=lambda g: g.year)
        cite = Citer(self.knowledge)
        cite.cite(grant.source)
        names = ", ".join(r.name for r in self.knowledge.regions)
        text = (
            f"Det är {len(self.knowledge.regions)} regioner i fördelningen {grant.year}: {names}."
        )
        return Answer(text, True, "allocation", cite.all())

    def of_region(self, region: str | None, year: int | None = None) -> Answer | None:
        """A region named by a user, or "alla" for the table; None when none is named."""
        if not region:
            return None
        if fold(region).strip() in EVERY:
            return table(self.knowledge, year)
        found, _ = self.regions.find(fold(region))
        u = Understanding(region, fold(region), "allocation", regions=found[:1], year=year)
        u.unknown_region = None if found else region.strip()
        return self.amount(u)


def municipality(name: str) -> Answer:
    return Answer(
        f"”{name[:1].upper()}{name[1:]}” är en kommun, inte en region. Fördelningen i "
        "dokumenten gäller de 21 regionerna; om en kommuns medel har jag inga uppgifter. "
        "Skriv en region, till exempel ”Hur mycket får Region Skåne?”.",
        False,
        "allocation",
    )
