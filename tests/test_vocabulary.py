"""The question vocabulary is data (knowledge/data/vocabulary.yaml): it loads, its word
lists match as documented, and a bad file names the file, the entry and the problem."""

import shutil
from pathlib import Path

import pytest

from knowledge import KnowledgeError
from knowledge.loader import PACKAGE_DATA
from knowledge.vocabulary import parse_vocabulary, vocabulary


def test_lexicons_match_words_with_or_without_diacritics_and_with_endings():
    v = vocabulary()
    assert v.lexicon("least").search("vilken region får minst")
    assert v.lexicon("domain_defence").search("uppgifter inom totalforsvaret")  # no å/ä/ö
    assert v.lexicon("reach").findall("mejladressen och telefonnumret") == [
        "mejladressen",
        "telefonnumret",
    ]
    assert not v.lexicon("most").search("mestadels")  # whole words only
    assert v.lexicon("roles").search("vem är civilområdeschefen")  # "*chef*": any beginning
    assert not v.lexicon("roles").search("vem är värd för kansliet")
    assert v.expand("hur mkt får vgr") == "hur mycket får vgr"
    assert v.season_of("våren").months == (3, 5)


@pytest.fixture
def vocab_file(tmp_path) -> Path:
    path = tmp_path / "vocabulary.yaml"
    shutil.copy(PACKAGE_DATA / "vocabulary.yaml", path)
    return path


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture drift: {old!r}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_yaml_boolean_in_a_word_list_is_refused(vocab_file):
    _edit(vocab_file, 'and, in, "on", with', "and, in, on, with")  # YAML reads on as True
    with pytest.raises(KnowledgeError) as err:
        parse_vocabulary(vocab_file)
    assert "vocabulary.yaml" in str(err.value) and "lexicons.english" in str(err.value)


def test_a_missing_lexicon_the_code_reads_is_refused(vocab_file):
    _edit(vocab_file, "  least: [", "  leastish: [")
    with pytest.raises(KnowledgeError) as err:
        parse_vocabulary(vocab_file)
    assert "lexicons.least" in str(err.value) and "saknas" in str(err.value)


def test_a_season_with_a_bad_month_is_refused(vocab_file):
    _edit(vocab_file, "months: [3, 5]", "months: [3, 13]")
    with pytest.raises(KnowledgeError) as err:
        parse_vocabulary(vocab_file)
    assert "seasons.spring.months" in str(err.value)


def test_the_language_of_a_question_is_read_from_its_function_words():
    from bot.engine.entities import language

    for english in ("what counts as an extraordinary event?", "When is the RSA due?",
                    "How much does VGR get?"):  # fmt: skip
        assert language(english) == "en", english
    for swedish in ("vad är rsa", "deadline rsa?", "Vilken är nästa deadline?", "vgr",
                    "tilldelning blekinge", "nar ska rsa in"):  # fmt: skip
        assert language(swedish) == "sv", swedish
