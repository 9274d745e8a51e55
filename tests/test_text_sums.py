"""A text stating a share of a cost, asked with an amount: the share is computed."""

from __future__ import annotations

from bot.engine.text_sums import share_of_amount

GRANT = (
    "Investeringsbidragen till ökad förmåga att leda och samverka kan uppgå till 50 % av "
    "åtgärdskostnaderna."
)


def test_the_share_of_the_amount_named():
    assert share_of_amount(GRANT, [3_000_000]) == "Uträknat: 50 % av 3 000 000 kr är 1 500 000 kr."
    assert share_of_amount("högst 12,5 procent av kostnaden", [1000]) == (
        "Uträknat: 12,5 % av 1 000 kr är 125 kr."
    )


def test_no_sum_without_one_amount_and_one_share():
    assert share_of_amount(GRANT, []) is None
    assert share_of_amount(GRANT, [1, 2]) is None
    assert share_of_amount("10 % av kostnaden, eller 20 % av kostnaden", [100]) is None
    # a region's share of the population is the grant table's to compute
    assert share_of_amount("Regionen har 3,8 % av befolkningen.", [3_000_000]) is None


def test_the_grant_for_a_measure_is_computed(ask):
    a = ask("En teknisk åtgärd för vår ledningsplats kostar 3 miljoner kronor. Hur mycket kan "
            "investeringsbidraget som mest bli?")  # fmt: skip
    assert a.text.startswith("Uträknat: 50 % av 3 000 000 kr är 1 500 000 kr.")
    assert "50 % av åtgärdskostnaderna" in a.text  # and the text it is computed from
    en = ask("A technical measure for our command post costs 3 million kronor. How much can "
             "MSB's investment grant be at most?")  # fmt: skip
    assert en.text.startswith("Computed: 50 % of 3 000 000 kr is 1 500 000 kr.")
    assert "The documents say (quoted in Swedish):" in en.text


def test_a_sum_asked_for_a_year_the_text_does_not_give_is_declined(ask):
    """The 2023 agreement's sums answer for 2023, not for 2024 (a date's year, "senast
    den 31 mars 2024", is no year of the money)."""
    assert ask("Hur mycket pengar får SKR inom sjukvårdsöverenskommelsen 2023?").answered
    a = ask("Hur mycket pengar får SKR inom överenskommelsen om vårdens civila försvar år 2024?")
    assert not a.answered


def test_how_long_ago_the_one_date_of_the_text_was():
    from datetime import date

    from bot.engine.text_sums import time_since

    today = date(2026, 12, 4)
    said = "Styrelsen har vid sammanträde den 27 januari 2023 beslutat att ingå överenskommelsen."
    assert time_since(said, today) == (
        "Uträknat: 27 januari 2023 är 1 407 dagar sedan (3 år och 10 månader)."
    )
    assert time_since("senast den 4 november 2026", today).endswith("(1 månad).")
    # two dates, or only one to come: which is meant is not ours to guess
    assert time_since("den 26 januari 2023 och den 27 januari 2023", today) is None
    assert time_since("senast den 31 oktober 2027", today) is None


def test_how_long_ago_is_computed_from_the_text(ask):
    from datetime import date

    a = ask("Hur länge sedan fattade SKR:s styrelse beslutet om 2023 års sjukvårdsöverenskommelse?",
            date(2026, 12, 4))  # fmt: skip
    assert a.text.startswith("Uträknat: 27 januari 2023 är 1 407 dagar sedan")
    en = ask("How long ago did SKR's board decide on the 2023 health care agreement?",
             date(2026, 12, 4))  # fmt: skip
    assert en.text.startswith("Computed: 27 January 2023 was 1 407 days ago (3 years and 10")
