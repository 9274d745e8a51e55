"""Regression bank: the assistant keeps answering varied real-world wordings correctly.

Scored like ../shared/eval/run_eval.py (case-folded, digit groups joined), on what the
terminal shows (what an answer offers, worded as the Telegram bot's commands)."""

import re
from pathlib import Path

import pytest
import yaml

from bot.telegram.texts import with_offers
from tests.conftest import TODAY

BANK = yaml.safe_load((Path(__file__).parent / "data" / "questions.yaml").read_text("utf-8"))


def norm(text: str) -> str:
    text = re.sub(r"\s+", " ", text.casefold())
    while True:
        joined = re.sub(r"(\d) (\d{3})(?!\d)", r"\1\2", text)
        if joined == text:
            return text
        text = joined


@pytest.mark.parametrize("item", BANK, ids=[i["id"] for i in BANK])
def test_question(assistant, item):
    a = with_offers(assistant.ask(item["q"], TODAY), terminal=True)
    text = norm(a.full_text())
    if item.get("expect") == "abstain":
        assert not a.answered, a.text
        return
    if not a.answered and item.get("pass_if_abstain"):
        return
    assert a.answered, a.text
    for alternatives in item.get("must", []):
        assert any(norm(x) in text for x in alternatives), (alternatives, a.text)
    for alternatives in item.get("must_not", []):
        assert not any(norm(x) in text for x in alternatives), (alternatives, a.text)
    assert len(a.full_text()) <= 1500
