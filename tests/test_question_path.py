"""A question's path through the engine (bot/engine/assistant.py): understand → route →
retrieve (only when the texts must answer) → answer → fit, each stage once, in order."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tests.conftest import TODAY


@pytest.fixture
def stages(assistant, monkeypatch):
    calls: list[str] = []

    def spy(obj, name, label):
        real = getattr(obj, name)

        def recorded(*args, **kwargs):
            calls.append(label)
            return real(*args, **kwargs)

        monkeypatch.setattr(obj, name, recorded)

    spy(assistant.interpreter, "understand", "understand")
    spy(assistant.retriever, "find", "retrieve")
    spy(assistant, "fit", "fit")
    real_route = assistant.router.route

    def route(u):
        calls.append("route")
        chosen = real_route(u)

        def answer(*args):
            calls.append("answer")
            return chosen.answer(*args)

        return replace(chosen, answer=answer)

    monkeypatch.setattr(assistant.router, "route", route)
    return calls


def test_a_question_the_texts_answer_passes_every_stage_once_in_order(assistant, stages):
    a = assistant.ask("Vad menas med masskadeutfall?", TODAY)
    assert a.answered and a.sources
    assert stages == ["understand", "route", "retrieve", "answer", "fit"]


def test_a_computed_answer_skips_retrieval(assistant, stages):
    a = assistant.ask("Hur mycket får Region Uppsala 2023?", TODAY)
    assert a.answered and a.kind == "allocation"
    assert stages == ["understand", "route", "answer", "fit"]


def test_a_follow_up_is_understood_with_its_topic_then_answered_once(assistant, stages):
    first = assistant.ask("Hur mycket får Region Uppsala?", TODAY)
    stages.clear()
    a = assistant.ask("och Skåne då?", TODAY, first.topic)
    assert "Skåne" in a.text
    # the follow-up is read twice (alone, then with the region it leaves out): one stage
    assert stages[-3:] == ["route", "answer", "fit"]
    assert set(stages[:-3]) == {"understand"}
