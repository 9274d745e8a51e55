"""A question on what someone does ("vad ska SKR göra?", "SKR:s uppgifter") is answered
by the text that has them do it ("SKR ska …"), not by one that mentions them."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.engine.entities import ACTOR
from index.analysis import plain, stem
from index.search import Hit


def _actor(question: str) -> str | None:
    folded = question.casefold()
    m = ACTOR.search(plain(folded))
    if not m:
        return None
    name = next(n for n in ("actor", "owner", "doer") if m[n])
    return folded[m.start(name) : m.end(name)]


@pytest.mark.parametrize(
    ("question", "actor"),
    [
        ("Vad har SKR åtagit sig att göra enligt överenskommelsen?", "skr"),
        ("Vilka uppgifter har SKR enligt 2023 års överenskommelse?", "skr"),
        ("Hur ska länsstyrelserna stödja kommunerna?", "länsstyrelserna"),
        ("Vilka är SKR:s uppgifter?", "skr"),
        ("What is SKR itself supposed to do under the agreement?", "skr"),
        ("Vad föreslår rapporten att kommunerna ska göra?", "kommunerna"),
        # what SKR gets, who says it, and an adjective are no actor
        ("Hur mycket får SKR för 2023?", None),
        ("Which political body does MSB say must be trained?", None),
        ("Vilka regionala insatser finns?", None),
        ("Vilket stöd ger MSB för övningar?", None),
        ("Vilket ärendenummer har SKR:s beslut?", None),
    ],
)
def test_the_actor_asked_about(question, actor):
    assert _actor(question) == actor


def test_a_hit_where_the_actor_has_duties_covers_more(assistant):
    ranker = assistant.ranker
    q = replace(assistant.searcher.parse("vad har SKR åtagit sig att göra"), actor=stem("skr"))

    def hit(body: str, title: str = "") -> Hit:
        return Hit("x", "passage", "", "d", title, title, body, 1.0, frozenset({"skr"}))

    mentions = hit("Överenskommelsen mellan staten och SKR gäller 2023.")
    one_duty = hit("Regionerna och SKR lämnar redovisningar. SKR ska lämna en redovisning.")
    duties = hit("SKR ska genom följande insatser stödja regionerna. SKR ska:",
                 title="Insatser som SKR ska genomföra")  # fmt: skip
    assert ranker.coverage(mentions, q) < ranker.coverage(one_duty, q) < ranker.coverage(duties, q)
    # asked without an actor, the duties are no evidence
    plain_q = replace(q, actor="")
    assert ranker.coverage(duties, plain_q) == ranker.coverage(mentions, plain_q)


@pytest.mark.parametrize(
    "question",
    [
        "Vad har SKR åtagit sig att göra enligt överenskommelsen för 2023?",
        "Vilka uppgifter har SKR enligt 2023 års överenskommelse om vårdens civila försvar?",
        "What is SKR itself supposed to do under the agreement?",
    ],
)
def test_skrs_own_tasks_are_answered(ask, question):
    a = ask(question)
    assert a.answered
    # the list of SKR's insatser, not the section on the reports or the agreement's aim
    assert "IVA-resurser" in a.text and "tilläggsöverenskommelsen" in a.text
