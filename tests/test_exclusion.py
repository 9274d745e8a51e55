"""A question that leaves something out ("förutom MSB", "besides MSB") asks about the
others: what it excludes is not its topic, and a sentence about it is no answer."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.engine.entities import excluded
from index.analysis import stem
from index.search import Hit


@pytest.mark.parametrize(
    ("question", "words"),
    [
        ("vilka ger stöd till regionerna förutom msb?", ("msb",)),
        ("utöver msb, vilka andra ger stöd?", ("msb",)),
        ("who supports the regions apart from the county administrative board?",
         ("county", "administrative", "board")),
        ("vilket stöd ges av andra än msb?", ("msb",)),
        ("vilka ger stöd till regionerna?", ()),
        # what is asked begins at a verb of asking or a relative clause, not a name
        ("vilka andra aktörer än msb stöder regionerna?", ("msb",)),
        ("are there other agencies than msb that give support?", ("msb",)),
        ("finns det fler myndigheter än msb som ger stöd?", ("msb",)),
    ],
)
def test_the_words_after_an_exclusion_word(question, words):
    assert excluded(question) == words


@pytest.mark.parametrize(
    "question",
    [
        "Utöver MSB, vilka andra ger stöd till regionerna i krisberedskapsarbetet?",
        "Who else besides MSB supports the regions?",
        # only "stöd" says what is asked: beside an exclusion it is the topic
        "Vilka ger stöd till regionerna förutom MSB?",
        # "myndigheter" says which kind is asked: no topic of its own
        "Finns det fler myndigheter än MSB som ger stöd till regionerna?",
        # nor "aktörer" beside "utöver MSB"; and the text on further support answers, not
        # one on "andra regioner", nor one with "ytterligare" elsewhere
        "Utöver MSB, vilka fler aktörer ger stöd till regionerna i beredskapsarbetet?",
        "Vilka fler myndigheter än MSB ger stöd åt regionerna i krisberedskapsarbetet?",
    ],
)
def test_the_others_are_answered(ask, question):
    a = ask(question)
    assert a.answered
    assert "Trafikverket" in a.text and "Socialstyrelsen" in a.text
    # not the sentence on what MSB itself has gathered
    assert "MSB tar fram" not in a.text


def test_an_excluded_word_is_not_expanded(assistant):
    """"förutom MSB": MSB's glossary expansion would make texts about MSB match."""
    asked = assistant.searcher.parse("vilka ger stöd förutom MSB")
    assert stem("samhällsskydd") in asked.expansions
    left_out = assistant.searcher.parse("vilka ger stöd förutom MSB", ignore=frozenset({"msb"}))
    assert stem("samhällsskydd") not in left_out.expansions


def test_alternative_words_count_once(assistant):
    """The words searched for "the others" are alternatives: a text with two of them is
    no better evidence than one with one."""
    q = assistant.searcher.parse("ytterligare övriga andra")
    q = replace(q, one_of=frozenset(q.words))
    ranker = assistant.ranker

    def hit(*words: str) -> Hit:
        return Hit("x", "passage", "", "", "", "", "", 1.0, frozenset(map(stem, words)))

    one, two = hit("ytterligare"), hit("ytterligare", "övriga")
    assert ranker.coverage(one, q) == ranker.coverage(two, q) > 0
    assert ranker.coverage(two, q) == pytest.approx(ranker.weight(q))
    assert ranker.coverage(hit("regionerna"), q) == 0


def test_the_kind_of_the_others_asked_is_no_topic(assistant):
    from datetime import date

    def understood(question: str):
        return assistant.interpreter.understand(question, date(2026, 12, 4))

    u = understood("Utöver MSB, vilka fler aktörer ger stöd?")
    assert u.excluded == ("msb",) and u.asked_kind == ("fler", "aktörer")
    assert understood("Utöver MSB, vilka andra ger stöd?").asked_kind == ()  # "ger" asks
