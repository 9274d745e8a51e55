"""Whatever is typed, the engine answers in Swedish and never raises."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.engine.answer import Answer
from tests.conftest import TODAY

WORDS = st.sampled_from(
    ["RSA", "när", "hur mycket", "får", "region", "vgr", "Gotland", "om", "500 miljoner",
     "kostar", "stöd", "uppgifter", "2026", "inom", "tre månader", "<b>", "&", "🙂", "\x00",
     "NSPL", "grundbelopp", "insats 9", "insats 3", "nästa", "frist", "?", "-", "kr"]
)  # fmt: skip
QUESTIONS = st.one_of(
    st.text(max_size=300),
    st.lists(WORDS, max_size=12).map(" ".join),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=5000),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(question=QUESTIONS)
def test_any_text_gets_an_answer(assistant, question):
    a = assistant.ask(question, TODAY)
    assert isinstance(a, Answer)
    assert a.text.strip()
    assert len(a.full_text()) <= 1500
    assert a.kind in {"deadline", "task", "support", "allocation", "fact", "definition",
                      "contact", "help", "sources", "opinion", "out_of_scope"}  # fmt: skip


@pytest.mark.parametrize(
    "question",
    ["Om 1e309 miljoner fördelas, vad får Skåne?", "Om x309 miljoner fördelas, vad får Skåne?"],
)
def test_a_number_glued_to_other_characters_is_not_an_amount(ask, question):
    a = ask(question)
    assert "309 000 000" not in a.full_text()
