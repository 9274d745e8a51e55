"""Typos are corrected before a question is interpreted, and only typos."""

from bot.engine.spelling import Speller
from index.analysis import stem

LEXICON = {"deadline", "vilket", "uppgifter", "indikatorer", "stöd", "finns", "värdet", "rsa"}


def speller() -> Speller:
    return Speller(LEXICON, stem=stem)


def test_one_edit_and_a_swap_are_typos():
    s = speller()
    assert s.word("viket") == "vilket"  # a letter missing
    assert s.word("deadilne") == "deadline"  # neighbours swapped: one edit
    assert s.word("uppgfiter") == "uppgifter"


def test_an_inflection_the_lexicon_lacks_is_matched_through_its_stem():
    assert speller().word("idnikatorerna") == "indikatorer"


def test_known_short_and_distant_words_are_left_alone():
    s = speller()
    assert s.word("finns") == "finns"
    assert s.word("rsa") == "rsa"  # short: never corrected
    assert s.word("kiruna") == "kiruna"  # nothing near it
    assert s.word("pannkakor") == "pannkakor"


def test_compounds_of_known_parts_are_not_typos():
    s = Speller(LEXICON, is_compound=lambda w: w == "stödfinns")
    assert s.word("stödfinns") == "stödfinns"


def test_text_reports_what_it_changed_and_keeps_numbers():
    text, changed = speller().text("viket stöd finns 2023? deadilne")
    assert text == "vilket stöd finns 2023? deadline"
    assert changed == {"viket": "vilket", "deadilne": "deadline"}


def test_a_word_typed_without_diacritics_gets_them_before_any_edit():
    s = Speller({"störst", "stort", "värdet", "vart"}, stem=stem)
    assert s.word("storst") == "störst"  # not "stort", one deletion away
    assert s.word("vardet") == "värdet"
    assert s.word("vart") == "vart"  # a word of its own stays


def test_a_word_whose_stem_only_ends_differently_is_another_word():
    s = Speller({"nämnas", "organiseras", "indikatorer"}, stem=stem)
    assert s.word("nämnd") == "nämnd"  # stem "nämnd" beside "nämn": no typo
    assert s.word("idnikatorerna") == "indikatorer"  # a typo inside the stem still is


def test_without_diacritics_before_the_compound_test_and_by_frequency():
    freq = {"områden": 31, "omraden": 3, "fortsätta": 9, "fortsatta": 13}.get
    s = Speller(
        {"läkemedel", "områden", "omraden", "fortsätta", "fortsatta", "mål"},
        is_compound=lambda w: w == "lakemedel",  # "lake" + "medel"
        frequency=lambda w: freq(w, 0),
    )
    assert s.word("lakemedel") == "läkemedel"
    assert s.word("omraden") == "områden"  # the plain form only in a web address
    assert s.word("fortsatta") == "fortsatta"  # a word of its own, as common
    assert s.word("mal") == "mål"  # short, but unknown without them


def test_a_word_cut_short_is_the_shortest_known_word_it_begins():
    s = Speller({"rekvirera", "rekvisitionen", "kammarkollegiet", "rsa", "akuten"})
    assert s.word("rekv") == "rekvirera"
    assert s.word("kammarkoll") == "kammarkollegiet"
    assert s.word("rs") == "rs"  # too short to tell
    assert s.word("akute") == "akuten"  # one edit first (an insertion)
    assert s.word("plan") == "plan"  # begins no known word: left alone


def test_a_form_of_a_known_word_is_not_corrected_into_another_word():
    s = Speller({"källa", "gäller", "bristerna", "frist", "befolkning"}, stem=stem)
    assert s.word("gälla") == "gälla"  # "gäller" in another form, not "källa" (a source)
    assert s.word("fristerna") == "fristerna"  # not "bristerna"
    assert s.word("befolkningn") == "befolkning"  # a typo within the same word still is


def test_a_word_that_differs_in_its_first_letter_is_another_word():
    s = Speller({"tagit", "vilket", "uppgifter"}, stem=stem)
    assert s.word("åtagit") == "åtagit"  # "SKR har åtagit sig", not "tagit"
    assert s.word("uppgfter") == "uppgifter"  # a typo further in still is one


def test_a_form_whose_stem_differs_only_in_diacritics_is_no_typo():
    s = Speller({"avsätter", "avsett"}, stem=stem)
    assert s.word("avsatte") == "avsatte"  # the past of "avsätta", not "avsett"


def test_a_noun_the_documents_have_only_in_compounds_is_kept(assistant):
    """"nämnd" ("krisledningsnämnden") is no typo of a word of the question lexicon."""
    from datetime import date

    u = assistant.interpreter.understand("Vilken nämnd ska regionen öva?", date(2026, 12, 4))
    assert "nämnd" not in u.corrected


def test_without_diacritics_the_form_the_documents_use_most():
    """"vard" is "vård" where the documents have "vård" far more than "värd"."""
    often = {"vård": 40, "värd": 3}
    s = Speller({"vård", "värd"}, stem=stem, frequency=lambda w: often.get(w, 0))
    assert s.word("vard") == "vård"
    rare = Speller({"vård", "värd"}, stem=stem, frequency=lambda w: {"värd": 9}.get(w, 0))
    assert rare.word("vard") == "värd"
