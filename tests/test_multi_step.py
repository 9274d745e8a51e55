"""Questions that need a look-up and then a computation show both steps, with sources.
Every expected figure is recomputed here from the 2023 grant's own definition."""

from bot.engine.allocation import allocate_grant
from bot.engine.dates import sv_kr
from bot.engine.entities import describe_regions


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


def test_a_document_description_ends_before_a_sum_or_a_year():
    d = describe_regions("hur mycket fick regionerna i nspl:s styrgrupp tillsammans i 2023 års")
    assert (d.kind, d.text, d.plural) == ("text", "nspl:s styrgrupp", True)
    d = describe_regions("summera tilldelningen för alla regioner som sitter i nspl:s styrgrupp")
    assert (d.text, d.plural) == ("sitter i nspl:s styrgrupp", True)


def test_each_region_is_no_region_described():
    assert describe_regions("hur mycket får varje region i grundbelopp") is None
    assert describe_regions("how much does each region get in base amount") is None
    # "alla regioner i …" are described
    assert describe_regions("hur mycket får alla regioner i nspl:s styrgrupp").kind == "text"


def test_regions_described_by_a_share_said_with_an_article():
    d = describe_regions("vilka regioner har en befolkningsandel på 2,7 %")
    assert (d.kind, d.share) == ("share", 2.7)
    assert describe_regions("vilka regioner har andelen 2,7 %").share == 2.7


def test_regions_a_document_names_and_their_sum(ask, kb):
    d = describe_regions("handboken om landstingens ledningsförmåga nämner två regioner. "
                         "hur mycket får de?")  # fmt: skip
    assert (d.kind, d.text) == ("text", "handboken om landstingens ledningsförmåga regioner")
    g = _grant(kb)
    both = allocate_grant(g)
    total = both["skane"].total + both["vastra-gotaland"].total
    a = ask("MSB:s handbok om landstingens ledningsförmåga nämner två regioner. "
            "Vad fick de sammanlagt 2023?")  # fmt: skip
    step_one, step_two = a.text.split("Steg 2:")
    assert "Skåne och Västra Götaland" in step_one  # the sentence that names them, quoted
    assert f"Tillsammans: {sv_kr(total)}" in step_two


def test_the_first_few_by_the_grant_and_their_sum(ask, kb):
    d = describe_regions("vilka två regioner fick mest pengar 2023")
    assert (d.kind, d.rank) == ("money_most", (0, 2))
    totals = sorted(allocate_grant(_grant(kb)).values(), key=lambda a: a.total)
    least = totals[:3]
    en = ask("Which three regions get the least, and how much do they get together?")
    assert en.text.startswith("Step 1:\nThe least (2023): Region Gotland")
    assert f"Together: {sv_kr(sum(a.total for a in least))}" in en.text


def test_both_ends_of_the_grant_asked_as_questions(ask):
    d = describe_regions("vilken region får mest och vilken får minst")
    assert d.kind == "money_extremes"
    assert describe_regions("which region gets the most and which one gets the least").kind == (
        "money_extremes"
    )
    # one end asked is the table's to answer, that end first
    assert describe_regions("vilken region får mest") is None
    a = ask("Vilken region får mest och vilken får minst, och hur stor är skillnaden?")
    assert "Mest får Region Stockholm" in a.text and "Minst får Region Gotland" in a.text
    assert "59 542 592 kr mer än" in a.text


def test_regions_described_by_their_money_and_summed(ask):
    d = describe_regions("vilka regioner får över 40 miljoner kronor")
    assert (d.kind, d.threshold) == ("money_above", 40_000_000)
    # not without kronor (a "miljon" may count people), nor in a what-if
    for q in ("regioner som får över 1 miljon", "om regionerna får över 500 miljoner kronor"):
        d = describe_regions(q)
        assert d is None or not d.kind.startswith("money_"), q
    a = ask("Vilka regioner fick mer än 40 miljoner kronor, och vad blir det tillsammans?")
    assert "Mer än 40 000 000 kr får 3 regioner" in a.text and "160 023 631 kr" in a.text
    en = ask("Which regions get less than 9 million kronor?")
    assert "Less than 9 000 000 kr goes to one region (2023): Region Gotland" in en.text


def test_descriptions_in_the_past_tense_and_by_how_populous():
    past = describe_regions("hur många regioner hade fler än 400 000 invånare")
    assert (past.kind, past.threshold) == ("above", 400_000)
    assert describe_regions("vilken region hade minst befolkning 2023").kind == "least"
    assert describe_regions("vad fick den folkrikaste regionen").kind == "most"
    assert describe_regions("vad fick den minst folkrika regionen").kind == "least"
    assert describe_regions("vilken region är minst befolkningsmässigt").kind == "least"
    assert describe_regions("which region is the most populous").kind == "most"
    top = describe_regions("de tre folkrikaste regionerna")
    assert (top.kind, top.rank) == ("most", (0, 3))


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


def test_regions_a_document_describes_are_looked_up_there_first(ask, kb):
    """'regionen som är värd för …': the region is the one the NSPL text names as host,
    and its money is then computed from the grant."""
    g = _grant(kb)
    a = ask("Hur mycket får regionen som är värd för NSPL-kansliet?")
    step_one, step_two = a.text.split("Steg 2:")
    named = [r for r in kb.regions if r.name in step_one]
    assert [r.name for r in named] == ["Region Uppsala"]
    assert "värd" in step_one  # the sentence that ties the region to the description
    assert f"Region Uppsala får {sv_kr(allocate_grant(g)[named[0].id].total)}" in step_two
    assert any("NSPL" in c.title for c in a.sources)
    assert any(c.section == "Bilaga 1" for c in a.sources)


def test_several_regions_a_document_names_are_summed(ask, kb):
    g = _grant(kb)
    a = ask("Vad får regionerna i styrgruppen för NSPL tillsammans?")
    step_one, step_two = a.text.split("Steg 2:")
    named = [r for r in kb.regions if r.name in step_one]
    assert len(named) >= 5  # one regiondirektör per civilområde
    total = sum(allocate_grant(g)[r.id].total for r in named)
    assert f"Tillsammans: {sv_kr(total)}" in step_two


def test_a_description_no_document_ties_to_a_region_names_none(ask, kb):
    a = ask("Hur mycket får regionen som har flest ambulanshelikoptrar?")
    assert not any(r.name in a.text for r in kb.regions)
    assert "Steg 1" not in a.text


def test_summing_regions_described_by_population_needs_no_set_phrase(ask, kb):
    g = _grant(kb)
    small = [r for r, n in g.populations.items() if n < 200_000]
    total = sum(allocate_grant(g)[r].total for r in small)
    a = ask("Lägg ihop 2023 års belopp för regionerna med färre än 200 000 invånare")
    assert f"Tillsammans: {sv_kr(total)}" in a.text


def test_a_document_description_is_read_to_the_end_of_its_clause():
    d = describe_regions("hur mycket fick regionen som är värd för nspl-kansliet, och varför?")
    assert (d.kind, d.text, d.plural) == ("text", "är värd för nspl-kansliet", False)
    dashed = describe_regions("regionen som är värd för nspl – vad får den?")
    assert dashed.text == "är värd för nspl"
    assert describe_regions("vad får regionerna i styrgruppen").plural
    assert describe_regions("hur mycket får regionen i år") is None  # a time, not a description
    # asked as "which region is …", and ended by what they get
    asked = describe_regions("vilken region är värd för nspl-kansliet, och vad får den?")
    assert (asked.text, asked.plural) == ("värd för nspl-kansliet", False)
    assert describe_regions("summera vad regionerna i nspl:s styrgrupp får").text == (
        "nspl:s styrgrupp"
    )
    assert describe_regions("vilken region är störst?") is None  # a size: no text to look up


def test_which_region_a_text_names_then_its_money(ask, kb):
    """The clause that describes the region is step one, not what is asked."""
    g = _grant(kb)
    a = ask("Vilken region är värd för NSPL-kansliet, och hur mycket får den regionen enligt "
            "bilaga 1?")  # fmt: skip
    assert "Steg 2:" in a.text
    assert f"Region Uppsala får {sv_kr(allocate_grant(g)['uppsala'].total)}" in a.text
    # "which region hosts …": a verb right after the region word, and no region called so
    en = ask("Which region hosts the NSPL secretariat, and how much did that region get?")
    assert "Step 2:" in en.text and "no region called" not in en.text
    assert f"Region Uppsala gets {sv_kr(allocate_grant(g)['uppsala'].total)}" in en.text


def test_the_two_ends_of_the_grant_and_their_difference(ask, kb):
    g = _grant(kb)
    split = allocate_grant(g)
    most = max(split, key=lambda r: split[r].total)
    least = min(split, key=lambda r: split[r].total)
    a = ask("Hur mycket skiljer det mellan den region som får mest och den som får minst?")
    step_one, step_two = a.text.split("Steg 2:")
    assert kb.region(most).name in step_one and kb.region(least).name in step_one
    assert sv_kr(split[most].total - split[least].total) in step_two
    by_people = ask("Vad skiljer beloppen mellan största och minsta regionen?")
    assert "Flest invånare" in by_people.text and "Minst antal invånare" in by_people.text
    en = ask("What is the difference between the region that gets the most and the one that "
             "gets the least?")
    assert "The most: " in en.text and sv_kr(split[most].total - split[least].total) in en.text


def test_regions_by_rank_and_by_share(ask, kb):
    g = _grant(kb)
    split = allocate_grant(g)
    by_people = sorted(g.populations, key=g.populations.get, reverse=True)
    a = ask("Hur stor är skillnaden mellan de två regionerna med flest invånare?")
    first, second = by_people[:2]
    assert sv_kr(split[first].total - split[second].total) in a.text
    b = ask("Vilken region har näst störst befolkning, och vad får den?")
    assert f"{kb.region(second).name} får {sv_kr(split[second].total)}" in b.text
    share = [r for r in g.populations if round(float(split[r].share) * 100, 1) == 2.4]
    c = ask("Vilka regioner har andelen 2,4 %, och vad får de tillsammans?")
    assert f"Tillsammans: {sv_kr(sum(split[r].total for r in share))}" in c.text
    # the share before its noun, as English puts it
    en = ask("Which regions have a 2.4% share, and what do they receive combined?")
    assert sv_kr(sum(split[r].total for r in share)) in en.text
    assert describe_regions("vilka regioner har 2,4 % av befolkningen?").share == 2.4
    assert describe_regions("vilken region har befolkningsandelen 3,8 %").share == 3.8
    assert describe_regions("which region has a population share of 3.8%").share == 3.8
    pair = describe_regions("skillnaden mellan största och minsta beloppet")
    assert pair.kind == "money_extremes"
    d = describe_regions("de tre minsta regionerna")
    assert (d.kind, d.rank) == ("least", (0, 3))


def test_the_region_nearest_a_population_and_its_money_per_inhabitant(ask, kb):
    g = _grant(kb)
    rid = min(g.populations, key=lambda r: abs(g.populations[r] - 300_000))
    a = ask("Vilken region har en befolkning närmast 300 000, och vad får den per invånare?")
    step_one, step_two = a.text.split("Steg 2:")
    assert kb.region(rid).name in step_one
    per = allocate_grant(g)[rid].total / g.populations[rid]
    assert f"{per:.2f}".replace(".", ",") in step_two


def test_an_end_said_without_its_noun_is_the_other_end(ask, kb):
    """"… än den minst folkrika": the noun is left out beside a description of the other
    end; alone, "den största" is no description of regions."""
    assert describe_regions("vad får den största") is None
    d = describe_regions("hur mycket mer får den folkrikaste regionen än den minst folkrika")
    assert d.kind == "extremes"
    g = _grant(kb)
    split = allocate_grant(g)
    most = max(g.populations, key=g.populations.get)
    least = min(g.populations, key=g.populations.get)
    for q in ("Hur mycket mer får den folkrikaste regionen än den minst folkrika?",
              "Vad skiljer i tilldelning mellan den största och den minsta regionen?"):
        a = ask(q)
        assert sv_kr(split[most].total - split[least].total) in a.text, q


def test_a_described_region_is_compared_with_a_named_one(ask, kb):
    """A region named beside one described, and compared with it, is asked about with it;
    without a comparison the named region is what is asked about."""
    g = _grant(kb)
    split = allocate_grant(g)
    most = max(g.populations, key=g.populations.get)
    a = ask("Vilken region har flest invånare, och hur mycket mer får den än Region Skåne?")
    step_one, step_two = a.text.split("Steg 2:")
    assert kb.region(most).name in step_one
    assert sv_kr(split[most].total - split["skane"].total) in step_two
    en = ask("How much less than the most populous region does Region Halland get?")
    assert sv_kr(split[most].total - split["halland"].total) in en.text
    plain_ask = ask("Hur mycket får Region Skåne, den största regionen i södra Sverige?")
    assert "Steg 1" not in plain_ask.text


def test_regions_whose_members_a_text_names_and_the_least_populous_of_them(ask, kb):
    """"regionerna vars regiondirektörer sitter i …" is a description the documents answer
    (like "regionerna som …"); "vilken av dem har minst befolkning" then picks among the
    regions found, not among all 21."""
    d = describe_regions("vad får regionerna vars regiondirektörer sitter i nspl:s styrgrupp")
    assert (d.kind, d.text) == ("text", "regiondirektörer sitter i nspl:s styrgrupp")
    g = _grant(kb)
    split = allocate_grant(g)
    board = ["blekinge", "norrbotten", "stockholm", "uppsala", "vastra-gotaland", "ostergotland"]
    a = ask("Vad får regionerna vars regiondirektörer sitter i NSPL:s styrgrupp tillsammans?")
    assert sv_kr(sum(split[r].total for r in board)) in a.text
    fewest = min(board, key=g.populations.get)
    b = ask("Av regionerna vars regiondirektörer ingår i styrgruppen för NSPL, vilken har minst "
            "befolkning och hur mycket får den?")
    step_one, step_two = b.text.split("Steg 2:")
    assert f"Av dem har {kb.region(fewest).name} minst antal invånare" in step_one
    assert sv_kr(split[fewest].total) in step_two and "Region Stockholm" not in step_two


def test_a_region_described_by_its_grant_is_compared_with_a_named_one(ask, kb):
    """"regionen med lägst belopp" is described by the grant, not by population."""
    assert describe_regions("regionen med lägst belopp").kind == "money_least"
    assert describe_regions("the region with the largest grant").kind == "money_most"
    split = allocate_grant(_grant(kb))
    least = min(split, key=lambda r: split[r].total)
    a = ask("Hur mycket mer får Region Uppsala än regionen med lägst belopp?")
    step_one, step_two = a.text.split("Steg 2:")
    assert kb.region(least).name in step_one
    assert sv_kr(split["uppsala"].total - split[least].total) in step_two


def test_all_regions_but_those_left_out_are_summed(ask, kb):
    """"om man räknar bort Stockholm", "utom", "excluding": the total less the regions
    named after the exclusion, which are no region asked about."""
    g = _grant(kb)
    split = allocate_grant(g)
    a = ask("Hur mycket får regionerna sammanlagt om man räknar bort Stockholm?")
    assert a.answered and sv_kr(g.total - split["stockholm"].total) in a.text
    assert sv_kr(split["stockholm"].total) in a.text  # what was taken away is shown
    two = ask("Hur mycket får regionerna totalt utom Region Skåne och Västra Götalandsregionen?")
    assert sv_kr(g.total - split["skane"].total - split["vastra-gotaland"].total) in two.text
    en = ask("How much do the regions get together excluding Stockholm?")
    assert en.text.startswith("All regions except Region Stockholm get")
    # a region named beside an exclusion of something else is still the one asked about
    own = ask("Hur mycket får Region Skåne förutom grundbeloppet?")
    assert "Alla regioner utom" not in own.text
    # and one named before the exclusion is compared with the one after it
    more = ask("Hur mycket mer får Region Skåne utöver Region Blekinge?")
    assert sv_kr(split["skane"].total - split["blekinge"].total) in more.text
