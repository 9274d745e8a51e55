"""How the ranker weighs a hit against a question: a passage belongs to its document, so
a question that names the document by its title is answered by the passage on the rest."""

from __future__ import annotations

import pytest

from bot.engine.ranking import GRAM_SHARE
from bot.engine.understanding import TOPIC_NOISE
from index.analysis import stem
from index.search import Hit

AGREEMENT = "overenskommelse-hsv-civilt-forsvar-2023"
OTHER = "msb-samlat-stod"


def _hit(doc: str, *words: str, title: str = "") -> Hit:
    return Hit("x", "passage", "", doc, title, title, "", 1.0, frozenset(map(stem, words)))


def test_a_passage_has_its_documents_title_words(assistant):
    ranker = assistant.ranker
    q = assistant.searcher.parse(
        "vilka uppgifter har SKR enligt 2023 års överenskommelse om vårdens civila försvar"
    )
    # the section on SKR need not repeat "2023" or "civilt försvar": its document says it
    on_skr = _hit(AGREEMENT, "skr")
    restating = _hit(AGREEMENT, "skr", "2023", "överenskommelse", "försvar")
    assert ranker.coverage(on_skr, q) == ranker.coverage(restating, q)
    # in another document the same words are not there
    assert ranker.coverage(_hit(OTHER, "skr"), q) < ranker.coverage(on_skr, q)
    # what ties a hit to the question for answering is still its own text
    assert ranker.coverage(on_skr, q, titled=False) < ranker.coverage(on_skr, q)


def test_a_domain_named_is_no_document_named(assistant):
    """"civilt försvar" is in the agreement's title and names a domain: every passage of
    the agreement would otherwise cover a question on the regions' civil defence tasks."""
    ranker = assistant.ranker
    q = assistant.searcher.parse("vilken uppgift har regionen inom rapportering för civilt försvar")
    assert ranker.coverage(_hit(AGREEMENT, "rapportering"), q) == ranker.coverage(
        _hit(OTHER, "rapportering"), q
    )


def test_a_heading_with_its_documents_title_covers_the_question(assistant):
    ranker = assistant.ranker
    q = assistant.searcher.parse(
        "vad ska SKR göra enligt överenskommelsen om civilt försvar 2023", ignore=TOPIC_NOISE
    )
    heading = "2.2 Insatser som SKR ska genomföra"
    assert ranker._heading_covers(_hit(AGREEMENT, "skr", title=heading), q)
    assert not ranker._heading_covers(_hit(OTHER, "skr", title=heading), q)


def test_a_word_inside_a_title_compound_does_not_name_the_document(assistant):
    """"redovisa" meets "slutredovisning" in Socialstyrelsen's report title only as a
    compound part: with "hälso- och sjukvården" that is no naming of the report, whose
    passages would otherwise tie with the agreement's section on reporting."""
    ranker = assistant.ranker
    q = assistant.searcher.parse(
        "när skulle regionerna redovisa till Socialstyrelsen vad de gjort inom hälso- och "
        "sjukvården 2023"
    )
    report = "socialstyrelsen-kommunal-beredskap"
    assert ranker.coverage(_hit(report, "socialstyrelsen"), q) == ranker.coverage(
        _hit(OTHER, "socialstyrelsen"), q
    )


def test_a_compound_the_texts_lack_is_met_in_its_parts(assistant):
    """"indikatorrapporteringen" is in no text: a hit with "indikatorer" covers part of
    it, and the word weighs what its parts weigh. A word the texts have is not split
    ("socialstyrelsen" is not met in "styr"), and one with only its tail known
    ("reservkraft") keeps the weight of an unknown word."""
    ranker = assistant.ranker
    q = assistant.searcher.parse("indikatorrapporteringen")
    assert ranker.coverage(_hit(OTHER, "indikatorer"), q) > 0
    both = ranker.coverage(_hit(OTHER, "indikatorer", "rapportering"), q)
    assert both == pytest.approx(GRAM_SHARE * ranker.weight(q))
    known = assistant.searcher.parse("socialstyrelsen")
    assert ranker.coverage(_hit(OTHER, "styr", "social"), known) == 0
    tail_only = assistant.searcher.parse("reservkraft")
    assert ranker.weight(tail_only) == ranker.max_idf


@pytest.mark.parametrize(
    "question",
    [
        "Vilka prioriterade områden utgår Socialstyrelsens förslag för kommunal omsorg från?",
        "What are the six priority areas in Socialstyrelsen's report on municipal care?",
    ],
)
def test_a_question_for_the_things_of_a_kind_is_answered_by_the_text_listing_them(ask, question):
    """Two passages refer to "de sex prioriterade områdena"; the one that lists them
    answers "vilka …?"."""
    a = ask(question)
    assert a.answered
    for area in ("planeringsförutsättningar", "samverkan och ledning", "utbildning och övning"):
        assert area in a.text
