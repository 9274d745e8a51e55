"""Questions that need a look-up and then a computation show both steps, with sources.
Every expected figure is recomputed here from the 2023 grant's own definition."""

from bot.allocation import allocate_grant
from bot.dates import sv_kr
from bot.entities import describe_regions


def _grant(kb):
    return max(kb.grants, key=lambda g: g.year)


def test_descriptions_are_read_with_their_bounds():
    d = describe_regions("vilka regioner har över en miljon invånare")
    assert (d.kind, d.threshold) == ("above", 1_000_000)
    d = describe_regions("regions with fewer than 200 000 people")
    assert (d.kind, d.threshold) == ("below", 200_000)
    assert describe_regions("hur mycket får regionen med flest invånare").kind == "most"
    assert describe_regions("vad får den minsta regionen").kind == "least"
    assert describe_regions("vad ska regionen göra med privata aktörer") is None
    assert describe_regions("regioner med över 99999999999999 invånare") is None  # unbounded


def test_the_least_populous_region_and_its_money(ask, kb):
    g = _grant(kb)
    rid = min(g.populations, key=g.populations.get)
    region = kb.region(rid)
    a = ask("Vilken region har minst befolkning, och hur mycket får den?")
    assert a.answered
    step_one, step_two = a.text.split("Steg 2:")
    assert "Steg 1:" in step_one and region.name in step_one
    assert f"{region.name} får {sv_kr(allocate_grant(g)[rid].total)}" in step_two
    assert any(c.section == "Bilaga 1" for c in a.sources)


def test_regions_over_a_million_and_their_sum(ask, kb):
    g = _grant(kb)
    big = [r for r, n in g.populations.items() if n > 1_000_000]
    total = sum(allocate_grant(g)[r].total for r in big)
    a = ask("Vilka regioner har över en miljon invånare, och hur mycket får de tillsammans?")
    assert all(kb.region(r).name in a.text for r in big)
    assert f"Tillsammans: {sv_kr(total)}" in a.text
    en = ask("Which regions have more than one million inhabitants and what do they get together?")
    assert "Step 1:" in en.text and f"Together: {sv_kr(total)}" in en.text


def test_a_description_alone_is_answered_by_step_one(ask, kb):
    g = _grant(kb)
    small = sorted(r for r, n in g.populations.items() if n < 200_000)
    a = ask("Vilka regioner har färre än 200 000 invånare?")
    assert "Steg" not in a.text and all(kb.region(r).name in a.text for r in small)
    none = ask("Vilka regioner har fler än 5 miljoner invånare?")
    assert none.answered and "Ingen region" in none.text
