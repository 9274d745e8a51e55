"""Intent by example: the bank's questions read as the intent they ask (pinned in
tests/data/questions.yaml), slots rule intents in and out, and a bad intents file fails
with the file and the entry named."""

from pathlib import Path

import pytest
import yaml

from knowledge import KnowledgeError
from knowledge.vocabulary import parse_intents
from tests.conftest import TODAY

BANK = yaml.safe_load((Path(__file__).parent / "data" / "questions.yaml").read_text("utf-8"))


@pytest.mark.parametrize("item", BANK, ids=[i["id"] for i in BANK])
def test_bank_question_reads_as_its_intent(assistant, item):
    wanted = item["intent"] if isinstance(item["intent"], list) else [item["intent"]]
    u = assistant.interpreter.understand(item["q"], TODAY)
    assert u.intent in wanted, (u.intent, u.ranking[:3])


def test_every_intent_is_answered_somewhere(assistant):
    """No intent in the data that the assistant has no answer for."""
    retrieved = {"deadline", "deadlines_upcoming", "contact", "definition", "task", "support",
                 "search"}  # fmt: skip
    assert set(assistant.interpreter.classifier.names) <= set(assistant.router.fixed) | retrieved


def test_an_allocation_needs_a_region_and_a_named_region_rules_out_the_table(assistant):
    understand = assistant.interpreter.understand
    assert understand("Hur mycket får Region Halland?", TODAY).intent == "allocation"
    # the same words without a region cannot be an intent that needs one
    needs = {n: i.needs for n, i in assistant.interpreter.classifier.intents.items()}
    assert "region" not in needs[understand("Hur mycket får de?", TODAY).intent]
    # "tilldelning" with a region is that region's, not the table of all
    assert understand("tilldelning halland", TODAY).intent == "allocation"
    assert understand("tilldelning alla regioner", TODAY).intent == "allocation_table"


def test_a_named_insats_rules_out_the_lists(assistant, ask):
    """A question naming an insats asks about it, not for the list of all insatser or of
    the coming deadlines (intents.yaml: `without: [insats]`)."""
    classifier = assistant.interpreter.classifier
    for name in ("deadlines_upcoming", "insatser_list"):
        assert classifier.allowed(name, {}, {})
        assert not classifier.allowed(name, {"insats": 1}, {"insats": 1})
    u = assistant.interpreter.understand("Insats 1a: vad ska vi identifiera löpande?", TODAY)
    assert u.insats == 1 and u.intent not in ("deadlines_upcoming", "insatser_list")
    a = ask("Insats 1a: vad ska vi identifiera löpande?")
    assert "nyckelfunktioner och nyckelpersonal" in a.text


def test_a_municipality_is_not_its_region(ask):
    for question in ("Hur mycket pengar får Malmö stad?", "Hur mycket får Uppsala kommun?"):
        a = ask(question)
        assert not a.answered, question
        assert "kommun" in a.text and " kr" not in a.text, a.text
    assert "16 525 798 kr" in ask("Hur mycket får Region Uppsala?").text
    # the deadlines are the regions' too: a municipality's date is not in the documents
    kiruna = ask("När ska Kiruna kommun lämna in sin risk- och sårbarhetsanalys?")
    assert not kiruna.answered and "”Kiruna kommun” är en kommun" in kiruna.text
    assert "2027" not in kiruna.text
    assert "31 oktober 2027" in ask("När ska Region Skåne lämna in sin RSA?").text


def test_shorthand_is_read_as_the_word(assistant):
    u = assistant.interpreter.understand("hur mkt får örebro", TODAY)
    assert u.intent == "allocation" and u.folded == "hur mycket får örebro"


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "intents.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_bad_intents_name_the_file_and_the_entry(tmp_path):
    examples = "".join(f"\n    - fråga {i}" for i in range(6))
    with pytest.raises(KnowledgeError) as err:
        bad = f"- name: allocation\n  needs: [kommun]\n  examples:{examples}"
        parse_intents(_write(tmp_path, bad))
    assert "intents.yaml" in str(err.value) and "allocation.needs" in str(err.value)
    with pytest.raises(KnowledgeError) as err:
        parse_intents(_write(tmp_path, "- name: help\n  examples: [hej, hallå]"))
    assert "help.examples" in str(err.value) and "minst" in str(err.value)
    with pytest.raises(KnowledgeError) as err:
        twice = f"- name: help\n  examples:{examples}\n" * 2
        parse_intents(_write(tmp_path, twice))
    assert "två gånger" in str(err.value)
    with pytest.raises(KnowledgeError) as err:
        parse_intents(_write(tmp_path, f"- name: weather\n  examples:{examples}"))
    assert "post 1" in str(err.value) and "okänd avsikt 'weather'" in str(err.value)
