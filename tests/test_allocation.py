"""The calculator reproduces Bilaga 1 to the krona from the grant's definition."""

from fractions import Fraction

import pytest

from bot.engine.allocation import AllocationError, allocate, allocate_grant, cost_share


def test_every_row_of_bilaga_1_is_reproduced(kb):
    grant = kb.grant_for_year(2023)
    split = allocate_grant(grant)
    assert len(grant.published) == 21
    for region_id, row in grant.published.items():
        assert split[region_id].population_part == row.population_part, region_id
        assert split[region_id].total == row.total, region_id
    assert sum(a.total for a in split.values()) == grant.published_totals["total"]
    assert sum(grant.populations.values()) == grant.published_totals["population_total"]
    assert sum(a.base for a in split.values()) == grant.published_totals["base_total"]


def test_what_if_with_other_total(kb):
    split = allocate_grant(kb.grant_for_year(2023), total=500_000_000)
    # (500 000 000 − 21 × 6 500 000) × 61 167 / 10 514 719 = 2 114 579,4… → 2 114 579
    assert split["gotland"].total == 8_614_579
    assert sum(a.total for a in split.values()) == 500_000_000


def test_a_what_if_says_how_much_goes_by_population(ask):
    a = ask("Om grundbeloppet var 10 miljoner och totalen 400 miljoner, hur mycket "
            "fördelas då efter befolkning?")
    assert a.kind == "allocation"
    # 400 000 000 − 21 × 10 000 000
    assert "efter befolkningsandel 190 000 000 kr" in a.text


def test_a_what_if_without_base_amount_splits_everything_by_population(ask, kb):
    g = kb.grant_for_year(2023)
    gotland = allocate_grant(g, total=g.total, base_amount=0)["gotland"].total
    for q in ("Om man tog bort grundbeloppet, vad skulle Region Gotland få?",
              "What would Region Gotland get without the base amount?"):
        a = ask(q)
        assert a.kind == "allocation", q
        assert f"{gotland:,}".replace(",", " ") in a.text, q
        assert "8 032 852" in a.text, q  # beside the actual 2023 amount


def test_which_region_gets_most_and_least_per_inhabitant(ask, kb):
    g = kb.grant_for_year(2023)
    split = allocate_grant(g)
    per_head = sorted(split, key=lambda r: Fraction(split[r].total, split[r].population))
    most, least = kb.region(per_head[-1]), kb.region(per_head[0])
    assert (most.id, least.id) == ("gotland", "stockholm")  # the base amount weighs most there
    a = ask("Vilken region får mest pengar per invånare?")
    assert a.text.startswith(f"Mest per invånare får {most.name}: 131,33 kr")
    en = ask("Which region gets the least per inhabitant?")
    assert en.text.startswith(f"The least per inhabitant: {least.name}, 27,73 kr")


def test_rounding_remainder_is_distributed_so_parts_add_up():
    split = allocate({"a": 1, "b": 1, "c": 1}, total=100, base_amount=0)
    assert sorted(a.total for a in split.values()) == [33, 33, 34]
    assert sum(a.total for a in split.values()) == 100


def test_inconsistent_definitions_are_refused():
    with pytest.raises(AllocationError, match="överstiger"):
        allocate({"a": 10, "b": 10}, total=100, base_amount=60)
    with pytest.raises(AllocationError):
        allocate({"a": 0}, total=100, base_amount=0)
    with pytest.raises(AllocationError):
        allocate({}, total=100, base_amount=0)


def test_cost_share_is_exact(kb):
    shares = cost_share(kb.grant_for_year(2023).populations, 10_000_000)
    assert shares["blekinge"] == Fraction(10_000_000 * 158_876, 10_514_719)
    assert sum(shares.values()) == 10_000_000


def test_a_new_grant_is_data_not_code(tmp_path):
    """A new year's grant is one YAML file; the calculator and the answers use it."""
    import shutil

    import knowledge
    from bot.engine import allocation_answers
    from knowledge.loader import PACKAGE_DATA

    data = tmp_path / "data"
    shutil.copytree(PACKAGE_DATA, data)
    src = (data / "grants" / "hsv-civilt-forsvar-2023.yaml").read_text(encoding="utf-8")
    new = (
        src.replace("id: hsv-civilt-forsvar-2023", "id: test-2030")
        .replace("year: 2023", "year: 2030")
        .replace("total: 400000000\nbase_amount: 6500000", "total: 210000000\nbase_amount: 0")
    )
    new = new[: new.index("published:")]  # a new grant has no published table to check
    (data / "grants" / "test-2030.yaml").write_text(new, encoding="utf-8")
    kb = knowledge.load(data)
    grant = kb.grant_for_year(2030)
    split = allocate_grant(grant)
    assert sum(a.total for a in split.values()) == 210_000_000
    answer = allocation_answers.region_amount(kb, kb.region("gotland"), 2030)
    # 210 000 000 × 61 167 / 10 514 719 = 1 221 627,51… → 1 221 628
    assert "1 221 628 kr" in answer.text and "2030" in answer.text


def test_chart_is_a_png(kb):
    from bot.engine.chart import allocation_chart_png

    png = allocation_chart_png(kb, 2023)
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 10_000
    with pytest.raises(ValueError, match="2031"):
        allocation_chart_png(kb, 2031)


def test_how_it_is_computed_names_the_base_amount(assistant):
    from datetime import date

    a = assistant.ask("blekinge grundbelopp och befolkningsdel?", date(2026, 11, 24))
    assert "6 500 000 kr" in a.text and "10 481 450 kr" in a.text


def test_a_region_in_the_genitive_is_that_region(assistant):
    from datetime import date

    today = date(2026, 11, 24)
    u = assistant.interpreter.understand("räkna ut Skånes tilldelning per invånare", today)
    assert [r.id for r in u.regions] == ["skane"] and u.intent == "allocation_per_capita"
    share = assistant.ask("Hur stor andel har Gotland i fördelningen?", today)
    assert "0,6 %" in share.text  # as Bilaga 1 prints it


def test_what_a_question_computes_of_the_amounts(assistant):
    """A multiple, a share of the total, a mean and a figure per inhabitant are computed
    from Bilaga 1, with the division shown, in Swedish and in English."""
    from datetime import date

    today = date(2026, 11, 24)
    ratio = assistant.ask("Hur många gånger mer får Region Stockholm än Region Gotland?", today)
    assert "8,41 gånger så mycket som Region Gotland" in ratio.text
    assert "(67 575 444 kr / 8 032 852 kr)" in ratio.text
    en = assistant.ask("How many times as much does Region Stockholm get as Region Gotland?", today)
    assert "8,41 times as much as Region Gotland" in en.text
    parts = assistant.ask("Hur många procent av totalen är grundbeloppen 2023?", today)
    assert "Grundbeloppen är 34,1 % av totalen, befolkningsdelen 65,9 %." in parts.text
    mean = assistant.ask("Vad får en region i genomsnitt 2023?", today)
    assert "19 047 619 kr (400 000 000 kr / 21)" in mean.text and "Region Skåne" not in mean.text
    head = assistant.ask("Hur många kronor per invånare blir befolkningsdelen 2023?", today)
    assert "befolkningsdelen 25,06 kr (263 500 000 kr / 10 514 719 invånare)" in head.text
    pair = assistant.ask("Hur stor procent av pengarna får Skåne och Stockholm tillsammans?", today)
    assert "Tillsammans: 109 487 382 kr" in pair.text and "27,4 % av de 400 000 000 kr" in pair.text
    # a plain total computes none of it
    plain = assistant.ask("Hur mycket fördelas totalt till regionerna 2023?", today)
    assert "genomsnitt" not in plain.text and "%" not in plain.text


def test_a_quote_in_an_english_computed_answer_stays_swedish(assistant):
    from datetime import date

    a = assistant.ask("On average, how much does a region get?", date(2026, 11, 24))
    assert "On average a region gets 19 047 619 kr" in a.text
    assert "(the population on 1 November 2022)" in a.text  # our own line, in English
    lead_in, quote = a.text.split("\n\n")[1].split("\n", 1)
    assert lead_in == "The documents say (quoted in Swedish):"
    assert "befolkningsunderlaget den 1 november 2022." in quote  # the source's words


def test_a_population_on_a_date_of_a_year_not_in_the_table_is_declined(ask):
    """The table has the population of 1 November 2022; "den 1 november 2025" asks for
    one the documents do not have, said as such (not the 2022 figure as if it were)."""
    a = ask("Hur många invånare hade Region Skåne den 1 november 2025?")
    assert not a.answered and "Befolkningen 2025 finns inte" in a.text
    assert "1 november 2022" in a.text and "1 413 080" not in a.text
    dated = ask("Hur många invånare hade Region Skåne den 1 november 2022?")
    assert dated.answered and "1 413 080" in dated.text
