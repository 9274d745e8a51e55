"""A question from or about the municipalities is answered from the text written for
them where one answers it, not from the regions' cards (sources.yaml: audience)."""

from __future__ import annotations


def test_a_municipalitys_question_gets_the_text_for_municipalities(ask):
    a = ask("Vilken vägledning finns för en kommun som planerar sin krigsorganisation?")
    assert "Rätt person på rätt plats" in a.text
    assert all(c.title.startswith("Stärkt beredskap") for c in a.sources)
    # asked for the regions, the regions' card answers
    r = ask("Vilket stöd finns för regionens krigsorganisation och krigsplacering?")
    assert any(c.title == "Samlat stöd till regioner" for c in r.sources)


def test_a_named_municipalitys_date_is_still_declined(ask):
    """The municipalities' text has no dates of Kiruna's: the regions' card is not
    Kiruna's, and no text for municipalities is either."""
    assert not ask("När ska Kiruna kommun lämna in sin risk- och sårbarhetsanalys?").answered
