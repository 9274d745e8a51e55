"""English words searched in the documents' Swedish (bot/engine/translation.py), with the
real embedding model and the real index."""

from __future__ import annotations

from bot.engine.translation import WordTranslator, _look_alike


def translator(assistant) -> WordTranslator:
    return assistant.retriever.translator


def test_a_word_is_found_in_its_swedish_translation(assistant):
    found = translator(assistant).translations(["population", "medicines"])
    assert "befolkning" in found["population"]
    assert "läkemedel" in found["medicines"]


def test_words_the_documents_have_and_stopwords_are_not_translated(assistant):
    assert translator(assistant).translations(["befolkning", "which", "the", "kr"]) == {}


def test_a_look_alike_is_no_translation(assistant):
    # the model puts "stock" nearest "stockholm" and "general" nearest
    # "generaldirektör": the first word piece, not the meaning
    found = translator(assistant).translations(["stock", "general"])
    assert "stockholm" not in found.get("stock", ())
    assert "generaldirektör" not in found.get("general", ())


def test_a_translation_that_says_how_something_is_asked_is_left_out(assistant):
    t = translator(assistant)
    meant = t.translations(["mean"])
    assert meant, "the model translates 'mean'"
    assert t.translations(["mean"], ignore=frozenset(meant["mean"])) == {}


def test_look_alikes_allow_an_inflection():
    assert _look_alike("general", "generaldirektör")
    assert _look_alike("stock", "stockholm")
    assert _look_alike("terminologi", "term")
    assert not _look_alike("situation", "situationen")
    assert not _look_alike("population", "befolkning")


def test_an_english_question_is_searched_in_the_translations(assistant):
    text = "Which capability should the region strengthen?"  # no glossary term in it
    plain = assistant.searcher.parse(text)
    assert "capability" in plain.unknown and not plain.expansions
    q = assistant.retriever.parse(text, frozenset(), foreign=True)
    assert {"kapacitet", "förmåga"} & set(q.expansions)
    assert "capability" not in q.unknown
    # a Swedish question is not translated
    assert assistant.retriever.parse(text, frozenset(), foreign=False) == plain


def test_names_are_neither_translated_nor_translations(assistant):
    from bot.engine.translation import names_in, names_of

    # the report's authors are named mid-sentence and never written in lower case; a
    # table heading ("Befolkning") is a word all the same
    names = names_of(assistant.knowledge.texts.values())
    assert "karin" in names and "befolkning" not in names
    assert "karin" not in translator(assistant).words
    assert names_in("What is the weather in Kiruna today?") == {"kiruna"}


def test_the_words_are_embedded_on_first_need_and_once(tmp_path):
    from index.embedding import VectorCache, embedder

    opened = []

    def open_cache():
        opened.append(1)
        return VectorCache(tmp_path / "vectors.sqlite3")

    t = WordTranslator(embedder(), ["befolkning", "läkemedel"], open_cache)
    assert t.translations(["befolkning"]) == {} and opened == []  # a Swedish word: no work
    assert "befolkning" in t.translations(["population"])["population"]
    t.translations(["medicines"])
    t.prepare()
    assert opened == [1]
