"""The sentences of a passage that answer a question, chosen and laid out as quoted."""

from __future__ import annotations

from bot.engine.snippets import best_sentences
from index.analysis import Analyzer, stem
from index.documents import sentences

FIRST = (
    "1. Regionstyrelsen beslutar att Region X ska delta i det regiongemensamma arbetet "
    "NSPL, vad avser uppgifterna samordning och planering inför och under höjd beredskap."
)
SECOND = "2. Regiondirektören ska löpande hålla regionstyrelsen informerad."
DECISIONS = f"{FIRST}\n\n{SECOND}"


def test_a_points_number_is_no_sentence_of_its_own():
    assert sentences(DECISIONS) == [FIRST, SECOND]
    assert sentences("Det blev 2. Sedan kom fler.") == ["Det blev 2.", "Sedan kom fler."]


def test_a_point_of_a_short_numbered_list_comes_with_the_others():
    """"Vad föreslås regionstyrelsen besluta om NSPL?" shares most words with point 1;
    the proposal is both points, each on a line of its own."""
    terms = {stem("beslutar"), stem("nspl"), stem("regionstyrelsen")}
    text = best_sentences(DECISIONS, terms, Analyzer())
    assert text.splitlines() == sentences(DECISIONS)


def test_a_long_numbered_list_gives_the_point_asked_about():
    points = "\n\n".join(f"{n}. Punkt om {w} och annat." for n, w in
                         enumerate(["ledning", "lager", "övning", "cyber", "vård"], 1))
    text = best_sentences(points, {stem("cyber")}, Analyzer())
    assert "cyber" in text and "ledning" not in text


def test_the_sentence_that_names_whom_is_asked_for_is_not_cut_for_length():
    """"Vem tog fram rapporten?": the sentence naming someone comes along, though the
    sentences before it, sharing more of the question's words, fill the snippet."""
    import re

    long = " ".join(["Rapporten om beredskapen i kommunerna beskriver uppdraget."] * 5)
    named = "Rapporten har tagits fram av utredaren Anna Exempelsson."
    text = "\n\n".join([long, long, "Rapporten om kommunerna.", named])
    terms = {stem("rapporten"), stem("kommunerna")}
    names = re.compile("Anna Exempelsson")
    assert "Anna Exempelsson" not in best_sentences(text, terms, Analyzer())
    assert "Anna Exempelsson" in best_sentences(text, terms, Analyzer(), names=names)


def test_the_best_sentence_comes_with_what_goes_on_from_it():
    """"Detta …", "Exempelvis …" say what the best sentence means: they come with it before
    a sentence elsewhere that shares a word of the question."""
    text = (
        "Därtill uppgavs att krav ställs olika. "
        "Kommunerna kan behöva beakta krisberedskap i avtal med privata utförare av omsorg. "
        "Detta för att säkerställa vård även under samhällsstörningar. "
        "Exempelvis kan avtalen behöva omfatta krav på robusthet och gemensamma övningar. "
        "Länsstyrelserna avser att stödja kommunerna."
    )
    terms = {stem(w) for w in ("krav", "ställa", "kommun", "avtal", "privat", "omsorg")}
    said = best_sentences(text, terms, Analyzer(), limit=1)
    assert said.startswith("Kommunerna kan behöva")
    assert "Exempelvis kan avtalen" in said and "krav ställs" not in said


def test_a_how_long_question_is_answered_by_the_sentence_giving_a_length_of_time():
    """"Hur länge ska vården klara sig …?": the sentence with "minst en månad" (no digit)
    comes before the one with a sum, and "2022 är" is no length of time."""
    text = (
        "Fokus för tilläggsöverenskommelsen och insatserna under 2022 är läkemedel och "
        "medicintekniska produkter som har en direkt koppling till läkemedelsadministration. "
        "Medlen i tilläggsöverenskommelsen uppgår till 500 miljoner kronor för ändamålet. "
        "Målet är att vården ska klara sig i minst en månad."
    )
    terms = {stem("tilläggsöverenskommelsen"), stem("läkemedel"), stem("målet")}
    plain = best_sentences(text, terms, Analyzer(), limit=1, figures=True)
    timed = best_sentences(text, terms, Analyzer(), limit=1, durations=True)
    assert "en månad" not in plain
    assert "en månad" in timed and "500 miljoner" not in timed


def test_a_how_long_question_is_answered_from_the_text(ask):
    a = ask("Hur länge ska vården klara sig enligt målet i tilläggsöverenskommelsen om läkemedel?")
    assert a.answered and "minst en månad" in a.text
