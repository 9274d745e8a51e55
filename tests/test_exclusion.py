"""A question that leaves something out ("förutom MSB", "besides MSB") asks about the
others: what it excludes is not its topic, and a sentence about it is no answer."""

from __future__ import annotations

import pytest

from bot.engine.entities import excluded


@pytest.mark.parametrize(
    ("question", "words"),
    [
        ("vilka ger stöd till regionerna förutom msb?", ("msb",)),
        ("utöver msb, vilka andra ger stöd?", ("msb",)),
        ("who supports the regions apart from the county administrative board?",
         ("county", "administrative", "board")),
        ("vilka ger stöd till regionerna?", ()),
    ],
)
def test_the_words_after_an_exclusion_word(question, words):
    assert excluded(question) == words


@pytest.mark.parametrize(
    "question",
    [
        "Utöver MSB, vilka andra ger stöd till regionerna i krisberedskapsarbetet?",
        "Who else besides MSB supports the regions?",
    ],
)
def test_the_others_are_answered(ask, question):
    a = ask(question)
    assert a.answered
    assert "Trafikverket" in a.text and "Socialstyrelsen" in a.text
    # not the sentence on what MSB itself has gathered
    assert "MSB tar fram" not in a.text
