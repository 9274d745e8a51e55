"""What users ask and what they must get back (today pinned to 2026-11-24)."""

from datetime import date

import pytest

from index.documents import sentences


def test_rsa_deadline_next_occurrence(ask):
    a = ask("när ska RSA rapporteras?")
    assert a.answered and a.kind == "deadline"
    assert "31 oktober 2027" in a.text and "vart fjärde år" in a.text
    assert "passerat" not in a.text  # a recurring deadline with a next date has not passed
    assert a.deadline_ids == ("rsa",)
    assert a.sources[0].title == "Samlat stöd till regioner"
    assert a.sources[0].section == "Viktiga datum"


def test_the_next_few_times_of_a_recurring_deadline(ask):
    a = ask("Vilka är de två kommande tillfällena för RSA-rapporteringen?")
    assert "31 oktober 2027, 31 oktober 2031" in a.text
    en = ask("When are the next three times the indicators are due?")
    assert "The next 3: 31 October 2027, 31 October 2028, 31 October 2029" in en.text


def test_which_years_a_recurring_deadline_falls_in(ask):
    # "vilka två år" counts dates, it names no period of two years
    two = ask("Vilka två år är nästa RSA-rapporteringar, räknat från idag?")
    assert two.deadline_ids == ("rsa",) and "31 oktober 2027, 31 oktober 2031." in two.text
    until = ask("Vilka år blir det RSA-rapportering från nu fram till och med 2035?")
    assert (
        "Varje gång till och med 31 december 2035: 31 oktober 2027, 31 oktober 2031, "
        "31 oktober 2035." in until.text
    )
    after_next = ask("Vilket år blir RSA-rapporteringen gången efter nästa?")
    assert "31 oktober 2027, 31 oktober 2031." in after_next.text
    en = ask("When is the RSA due up to 2032?")
    assert "Each time until 31 December 2032: 31 October 2027, 31 October 2031." in en.text


def test_who_wrote_a_report_is_answered_by_the_sentence_naming_them(ask):
    a = ask("Vem har tagit fram Socialstyrelsens slutredovisning om kommunal vård och omsorg?")
    assert "Maria Carlund" in a.text


def test_deadline_moves_with_today(ask):
    assert "31 oktober 2031" in ask("när ska RSA rapporteras?", date(2027, 11, 1)).text


def test_past_one_off_deadline_is_answered_as_past(ask):
    a = ask("När ska den ekonomiska redovisningen lämnas till Kammarkollegiet?")
    assert "31 mars 2024" in a.text and "passerat" in a.text


def test_next_deadline(ask):
    a = ask("Vilken är nästa deadline?")
    assert "15 februari 2027" in a.text
    assert "31 oktober" not in a.text


def test_deadlines_within_a_period(ask):
    a = ask("vilka frister har vi de närmaste tre månaderna")
    assert "15 februari 2027" in a.text and "oktober" not in a.text
    nothing = ask("vilka frister finns inom två veckor")
    assert "Inga frister" in nothing.text and "15 februari 2027" in nothing.text


def test_task_and_support(ask):
    assert "Revidera" in ask("Vad ska regionen göra med risk- och sårbarhetsanalysen?").text
    support = ask("Vilket stöd finns inom säkerhetsskydd?")
    assert support.kind == "support" and "Säkerhetspolisens" in support.text
    assert "beroenden" in ask("Vad ska regionen göra med privata aktörer?").text
    assert "Rakel" in ask("Finns det utbildning i Rakel?").text


def test_allocation_with_alias_and_typo(ask):
    assert "50 536 249 kr" in ask("hur mkt får vgr").text
    assert "13 419 998 kr" in ask("hur mycket får västerbottn?").text
    assert "10 481 450 kr" in ask("tilldelning blekinge").text


def test_allocation_year_not_decided(ask):
    a = ask("Hur mycket får Region Dalarna 2026?")
    assert not a.answered
    assert "regeringsbeslut" in a.text and "13 725 907" not in a.text


def test_unknown_region_gets_suggestions_not_a_number(ask):
    a = ask("Hur mycket får Region Lappland?")
    assert not a.answered
    assert "Menade du Region" in a.text
    assert " kr" not in a.text
    # a near miss is a typo, not an unknown region
    assert "9 820 063 kr" in ask("Hur mycket får Region Jämtlandd?").text
    # "region" in both says nothing: "Lapland" is two letters from "Halland", no typo
    lapland = ask("How much does region Lapland get?")
    assert not lapland.answered and "lapland" in lapland.text and " kr " not in lapland.text


def test_what_if_and_cost_share(ask):
    assert (
        "8 614 579 kr"
        in ask(
            "Om 500 miljoner fördelades med samma grundbelopp, vad skulle Region Gotland få?"
        ).text
    )
    # 10 000 000 × 158 876 / 10 514 719 = 151 098,5… → 151 099
    assert (
        "151 099 kr"
        in ask("Om NSPL-kansliet kostar 10 miljoner, vad betalar Region Blekinge?").text
    )


def test_how_is_it_computed(ask):
    a = ask("Hur räknas Kronobergs belopp fram?")
    assert "263 500 000 kr × 204 257 / 10 514 719" in a.text
    assert "11 618 703 kr" in a.text


def test_definitions_and_facts(ask):
    assert "organiseras, ledas och användas" in ask("Vad menas med allvarlig händelse?").text
    assert "10 beredskapssektorer" in ask("Hur många beredskapssektorer finns det?").text
    assert "1 193" in ask("Hur mycket avsätter regeringen 2023 för civilt försvar i vården?").text


def test_contact_names_msb_new_name(ask):
    a = ask("Vad är telefonnumret till LEH-funktionen?")
    assert a.kind == "contact" and "0771-240 240" in a.text
    assert "Myndigheten för civilt försvar" in a.text


def test_out_of_scope_abstains(ask):
    for q in ("Vad kostar en Volvo-aktie idag?", "vädret i Kiruna", "recept på kanelbullar"):
        a = ask(q)
        assert not a.answered, q
        assert "vet jag inte" in a.text


def test_english_question(ask):
    rsa = ask("When is the RSA due?")
    assert "31 October 2027" in rsa.text and "every four years" in rsa.text
    assert rsa.language == "en" and rsa.full_text().count("Source: ") == 1
    money = ask("How much does Region Uppsala get?")
    assert "Region Uppsala gets 16 525 798 kr for 2023." in money.text
    # quoted text stays Swedish under an English lead-in
    task = ask("What should the region do about private actors?")
    assert task.text.startswith("The documents say (quoted in Swedish):\n")
    assert "privata aktörer" in task.text
    unknown = ask("What is the weather in Kiruna?")
    assert not unknown.answered and unknown.text.startswith("I don't know")
    assert "0771-240 240" in unknown.text  # where to turn, from contacts.yaml
    # Swedish questions stay Swedish
    assert "31 oktober 2027" in ask("När ska RSA rapporteras?").text


def test_caps_and_no_punctuation(ask):
    assert "31 oktober" in ask("NÄR SKA INDIKATORERNA SKICKAS").text


def test_answers_fit_on_a_phone(ask):
    for q in (
        "tilldelning alla regioner",
        "Vilket stöd finns inom säkerhetsskydd?",
        "Vilka frister finns?",
        "hjälp",
    ):
        assert len(ask(q).full_text()) <= 1500, q


def test_empty_and_greeting(ask):
    assert not ask("   ").answered
    assert "Beredskapsboten" in ask("hej").text


@pytest.mark.parametrize("pause", [" 😅 ", "\n"])
def test_a_question_wrapped_in_chat_is_answered(ask, pause):
    """A greeting and an introduction around the question, ended by an emoji or a line
    break rather than a full stop, are read apart from it."""
    a = ask(
        "Hej! Jag har precis börjat som beredskapssamordnare på regionen och försöker få koll"
        f" på alla datum, det är mycket nytt{pause}Kan du säga när vi ska lämna nästa risk- och"
        " sårbarhetsanalys? Tack på förhand och ha en fin dag!"
    )
    assert a.answered and "31 oktober 2027" in a.text


def test_a_year_after_which_is_a_boundary_not_the_year_asked(assistant):
    from datetime import date

    today = date(2026, 11, 24)
    u = assistant.interpreter.understand("När infaller nästa RSA efter 2027?", today)
    assert (u.after, u.year) == (2027, None)
    assert assistant.interpreter.understand("frister från och med 2029", today).after == 2028
    assert assistant.interpreter.understand("frister 2029", today).after is None
    once = assistant.ask("När ska medlen rekvireras efter 2023?", today)
    assert "Fristen infaller inte efter 2023." in once.text


def test_asked_for_its_sources_it_lists_every_document_with_a_text(assistant, ask):
    answer = ask("Vilka källor använder du?")
    assert answer.kind == "sources"
    texts = [d for d in assistant.knowledge.documents.values() if d.file]
    assert all(d.title in answer.text for d in texts)
    assert answer.text.count("\n• ") == len(texts)
    assert ask("Vilka dokument ska regionen upprätta inom säkerhetsskydd?").kind == "task"


def test_seasons_are_spans_from_today_and_before_a_season_ends_the_day_before():
    from datetime import date

    from bot.engine.entities import season_span

    autumn_day = date(2026, 11, 24)
    assert season_span("hösten", autumn_day) == (autumn_day, date(2026, 11, 30))
    assert season_span("vår", autumn_day) == (date(2027, 3, 1), date(2027, 5, 31))
    assert season_span("vintern", autumn_day) == (date(2026, 12, 1), date(2027, 2, 28))
    assert season_span("summer", date(2027, 7, 1)) == (date(2027, 7, 1), date(2027, 8, 31))


def test_before_summer_is_until_the_end_of_may(assistant):
    from datetime import date

    u = assistant.interpreter.understand("vad ska vara klart innan sommaren", date(2026, 11, 24))
    assert (u.intent, u.until) == ("deadlines_upcoming", date(2027, 5, 31))
    u = assistant.interpreter.understand("vad ska vara klart innan sommaren", date(2027, 7, 1))
    assert u.until == date(2028, 5, 31)  # in the summer: the next one


def test_a_document_named_in_the_question_is_searched_first(assistant):
    from datetime import date

    docs, words = assistant.document_names.find("vad föreslår socialstyrelsen om planer")
    assert docs == {"socialstyrelsen-kommunal-beredskap"}
    assert words == {"föreslår", "socialstyrelsen"}
    # Socialstyrelsen as a recipient is not Socialstyrelsen as the author
    assert assistant.document_names.find("ska vi rapportera till socialstyrelsen")[0] == set()
    answer = assistant.ask("Vad säger rapporten om kriskommunikation?", date(2026, 11, 24))
    assert {c.title for c in answer.sources} == {
        assistant.knowledge.documents["socialstyrelsen-kommunal-beredskap"].title
    }


def test_named_periods_end_where_a_reader_expects():
    from datetime import date

    from bot.engine.entities import parse_until

    today = date(2026, 11, 24)
    assert parse_until("är det någon frist nästa vecka", today) == date(2026, 12, 1)
    assert parse_until("vad ska göras före årsskiftet", today) == date(2026, 12, 31)
    assert parse_until("frister nästa månad", today) == date(2026, 12, 24)
    assert parse_until("inom tre veckor", today) == date(2026, 12, 15)
    assert parse_until("när ska rsa in", today) is None


def test_a_contact_is_given_only_with_a_way_to_reach_what_was_named(ask):
    for q in ("Vad är e-postadressen till Kammarkollegiet?", "Vilket nummer har Socialstyrelsen?"):
        a = ask(q)
        assert not a.answered and "vet jag inte" in a.text, (q, a.text)
    assert "leh@msb.se" in ask("mejladress till leh").text


def test_with_no_shared_word_the_sentence_closest_in_meaning_answers(assistant):
    from bot.engine.snippets import best_sentences

    text = "Regionen ska öva ledning varje år. Kansliet fakturerar efter befolkning. Övrigt."
    an = assistant.searcher.analyzer
    # no term of the question in any sentence: the cosines decide (a label never wins)
    chosen = best_sentences(text, {"invoice"}, an, sims=(0.80, 0.90, 0.95))
    assert chosen.startswith("Kansliet fakturerar") and "öva" not in chosen
    # shared words decide when there are any
    assert best_sentences(text, {"ledning"}, an, sims=(0.80, 0.90, 0.95)).startswith("Regionen")


def test_a_point_of_an_insats_is_answered_alone(ask, kb):
    ins = next(i for i in kb.insatser if i.number == 1)
    letter, text = ins.points[2]
    a = ask(f"vad står det i punkt 1 {letter} i överenskommelsen?")
    assert text in a.text
    assert all(t not in a.text for ltr, t in ins.points if ltr != letter)
    assert all(t in ask("Vad innebär insats 1?").text for _, t in ins.points)
    (l1, t1), (l2, t2) = ins.points[0], ins.points[2]
    both = ask(f"vad säger punkterna 1 {l1} och 1 {l2}?")
    assert t1 in both.text and t2 in both.text
    assert all(t not in both.text for ltr, t in ins.points if ltr not in (l1, l2))
    glued = ask(f"skillnaden mellan 1{l1} och 1{l2}?")  # written as one word, no "punkt"
    assert t1 in glued.text and t2 in glued.text


def test_the_population_of_its_year_is_the_base_of_the_next_years_table(ask):
    """The 2023 table counts the population of 1 November 2022: 'befolkning 2022' is it,
    not an allocation of 2022 that was never decided."""
    a = ask("befolkning i Region Jönköpings län 2022")
    assert a.answered and "368 963" in a.text
    assert not ask("Hur mycket får Region Jönköpings län 2022?").answered


def test_a_question_of_two_parts_gets_a_sentence_for_each(assistant):
    from bot.engine.snippets import best_sentences

    an = assistant.searcher.analyzer
    text = (
        "Tillägget om läkemedel beslutades i juni 2022. Tillägget omfattar 500 miljoner "
        "kronor. Regionerna rapporterar varje år. Målsättningen är lager för en månad."
    )
    terms = set(an.terms("hur mycket omfattar tillägget om läkemedel och vad är målsättningen"))
    got = best_sentences(text, terms, an, limit=1)
    assert "Målsättningen är lager" in got and "Tillägget" in got
    assert "rapporterar" not in got  # nothing of the question's: not brought along
    # within the snippet's size only: the sentence for the main part is never pushed out
    long = "Tillägget om läkemedel beslutades i juni 2022 och " + "sedan " * 200 + "slut."
    got = best_sentences(long + " Målsättningen är lager.", terms, an, limit=1)
    assert got.startswith("Tillägget om läkemedel")


def test_how_much_prefers_the_sentence_with_a_figure(assistant):
    from bot.engine.snippets import best_sentences

    text = "Tillägget beslutades i juni. Tillägget omfattar 500 miljoner kronor totalt."
    an = assistant.searcher.analyzer
    terms = set(an.terms("tillägget"))
    assert best_sentences(text, terms, an, limit=1, figures=True).startswith("Tillägget omfattar")
    assert best_sentences(text, terms, an, limit=1).startswith("Tillägget beslutades")
    # a year says when, not how much; and the figure comes along even when another
    # sentence shares more of the question's words
    text = (
        "Tillägget om läkemedel och försörjning beslutades i juni 2022 som ett komplement "
        "till grundöverenskommelsen om hälso- och sjukvårdens arbete med civilt försvar. "
        "Tillägget uppgår till 500 miljoner kronor."
    )
    terms = set(an.terms("tillägget läkemedel försörjning"))
    chosen = best_sentences(text, terms, an, figures=True)
    assert "500 miljoner" in chosen and "juni 2022" in chosen
    assert "500" not in best_sentences(text, terms, an, limit=1)


def test_a_person_is_named_only_where_the_text_names_one(ask):
    assert "Olivia Wigzell" in ask("Vem är generaldirektör för Socialstyrelsen?").text
    for q in ("vem är regiondirektör i Region Uppsala?", "Vem leder MSB?",
              "Vem är civilområdeschef i civilområde Syd?",  # a role at a named place
              "Vad heter regiondirektören i Region Norrbotten?"):
        assert not ask(q).answered, q


def test_who_is_without_a_role_may_be_answered_by_a_body(ask):
    """'Vem är värd för NSPL-kansliet?' asks which region hosts it, not for a person."""
    a = ask("vem är värd för nspl-kansliet?")
    assert a.answered and "Region Uppsala" in a.text


def test_a_region_named_is_no_topic_of_its_own(ask):
    a = ask("Hur många vårdplatser har Region Halland?")
    assert not a.answered and "15 087 047" not in a.text


def test_undecodable_input_is_answered_not_raised(ask):
    a = ask("När ska RSA \udcff rapporteras?")  # a byte a terminal could not decode
    assert "31 oktober 2027" in a.text


def test_a_long_message_is_read_by_the_clause_that_asks(ask):
    a = ask(
        "Vi har möte med ekonomi nästa vecka och jag behöver veta hur mycket Region Dalarna "
        "får i statsbidrag för civilt försvar 2023."
    )
    assert "13 725 907 kr" in a.text
    # a join inside a noun phrase is no clause boundary
    from bot.engine.understanding import clauses

    assert clauses("risk- och sårbarhetsanalysen vart fjärde år") == [
        "risk- och sårbarhetsanalysen vart fjärde år"
    ]


@pytest.mark.parametrize(
    "question",
    ["Måste vi genomföra alla insatser under 2023?",
     # a range names them all, not insats 1
     "Måste regionen genomföra alla insatserna 1–7 under 2023?"],
)
def test_a_yes_no_question_about_the_insatser_is_answered_from_the_text(ask, question):
    a = ask(question)
    assert "måste inte genomföra samtliga insatser" in a.text


def test_how_many_is_answered_by_the_number_of_what_it_names(ask):
    """The passage sharing most words counts nothing; the one that says '18 landsting'
    answers."""
    a = ask("Hur många landsting har Sverige enligt handboken om ledningsförmåga?")
    assert a.answered and "18 landsting" in a.text


def test_a_word_used_only_inside_compounds_is_known(assistant):
    s = assistant.searcher
    assert "standard" not in s.words and s.is_part("standard")  # informationssäkerhetsstandard
    assert not s.is_part("pannkakor")
    q = s.parse("vilken standard ska informationssäkerhetsarbetet följa")
    assert "standard" not in q.unknown
    a = assistant.ask("Vilken standard ska informationssäkerhetsarbetet följa?", date(2026, 11, 24))
    assert a.answered and "ISO/IEC 27001" in a.text


def test_a_when_question_gets_the_sentence_with_the_date(ask):
    a = ask("When did the new structure with preparedness sectors and civil areas start?")
    assert "1 oktober 2022" in a.text  # quoted, so the date stays as the document says it
    assert "October" not in a.text.split("\n", 1)[1]
    sv = ask("När trädde den nya strukturen med beredskapssektorer i kraft?")
    assert "1 oktober 2022" in sv.text


def test_english_words_are_not_corrected_into_swedish_ones(assistant):
    u = assistant.interpreter.understand("At which levels does the region start planning?",
                                         date(2026, 11, 24))  # fmt: skip
    assert not u.corrected and "levels" in u.folded and "start" in u.folded
    swedish = assistant.interpreter.understand("När ska RSA rapportras?", date(2026, 11, 24))
    assert swedish.corrected  # Swedish typos are still corrected


def test_an_english_question_close_in_meaning_needs_fewer_swedish_words(ask):
    """Few words of it are Swedish ('region', 'total defence'), but the closest passage
    in meaning answers it."""
    a = ask("At which levels does the region take part in total defence planning?")
    assert a.answered and "högre regional" in a.text
    assert not ask("How many intensive care beds does Region Uppsala have?").answered


def test_a_swedish_question_in_its_own_words_is_answered_by_the_closest_in_meaning(ask):
    """'börja planera' is the documents' 'påbörja en planering': few shared words, but the
    closest text in meaning, and close in absolute terms, answers; a question as close to
    nothing in the documents is still declined."""
    a = ask("Vad behöver regionen börja planera för krigsorganisationen?")
    assert a.answered and "Påbörja en planering" in a.text
    assert not ask("Hur många reservkraftverk har Region Dalarna?").answered


def test_how_many_with_nothing_counted_is_declined(ask):
    """A year or a phone number in the NSPL text is not a number of staff."""
    assert not ask("Hur många medarbetare ska arbeta på NSPL-kansliet?").answered
    assert "sex civilområden" in ask("Hur många civilområden finns det?").text


def test_what_happens_if_is_answered_by_the_condition_sentence(ask):
    """The sentence on what follows a missed condition, though another shares as many
    words with the question."""
    a = ask("Vad blir följden om redovisningen inte lämnas i tid?")
    assert "återkräva" in a.text
    b = ask("Vad händer om vi inte skickar in rekvisitionen i tid?")
    assert "förfaller" in b.text
    # a deadline's card shows its note: the condition and the date together
    c = ask("Vad händer om en region inte rekvirerar pengarna i tid, och när var sista dagen?")
    assert "förfaller" in c.text and "1 december 2023" in c.text


def test_the_sentence_before_a_list_brings_the_whole_list(ask):
    a = ask("Vilka tre principer bygger ansvaret i krisberedskapen på?")
    for principle in ("Ansvarsprincipen", "Närhetsprincipen", "Likhetsprincipen"):
        assert principle in a.text
    assert "osäkra lägen" in a.text  # an item's second sentence stays with it


def test_how_much_needs_a_figure_in_the_text(ask):
    """How the office is financed is no answer to what it costs."""
    assert not ask("Hur mycket kostar kansliet för NSPL varje år?").answered
    # a date ("den 27 januari 2023") in the text is no figure of money either
    assert not ask("Hur mycket pengar får kommunerna till krisberedskapen 2023?").answered
    assert "405,5 miljoner" in ask("Hur mycket omfattar överenskommelsen för 2023 totalt?").text


def test_who_is_a_role_holder_is_not_answered_by_the_task_card(ask):
    """The card says a region shall have a säkerhetsskyddschef; it names nobody."""
    a = ask("Vem är säkerhetsskyddschef i Region Kalmar län?")
    assert not a.answered
    assert ask("Vad ska regionen göra inom säkerhetsskydd?").answered


def test_who_holds_a_role_in_general_is_answered_by_the_role(ask):
    """No region or agency named: the text saying who holds the role answers."""
    a = ask("vem är civilområdeschef?")
    assert a.answered and "landshövdingen" in a.text
    assert not ask("Vem leder MSB?").answered  # a person at a named agency: none named


def test_days_left_to_a_deadline_is_not_a_count_from_the_text(ask):
    a = ask("Hur många dagar är det kvar till uppföljningen ska in?")
    assert a.answered and "dagar" in a.text


def test_a_period_named_makes_an_unsure_question_a_deadline_question(ask):
    """No deadline intent alone is sure of "rapportering … under vintern", but the
    season the question names is a period to list deadlines for."""
    a = ask("Har vi någon rapportering till MSB nu under vintern som kommer?")
    assert "15 februari 2027" in a.text


def test_a_relative_clause_about_dates_describes_no_region(assistant):
    u = assistant.interpreter.understand(
        "Vilka datum för regionerna som infaller under 2027 finns det?", date(2026, 11, 24))
    assert u.described is None and u.intent.startswith("deadline")


def test_our_is_no_topic_and_no_season(ask):
    """'vår planering' is our planning: neither the spring nor a word to search for."""
    a = ask("Ska vår planering för sjukvård i krig bara handla om traumavård?")
    assert a.answered and "traumavård" in a.text
    assert "mars" in ask("Vilka frister har vi i vår?").text  # the season still is one


def test_a_document_named_by_its_title_and_a_list_continued_in_the_next_part(ask):
    """The agreement's title in the question names the document (its words are no
    topic), and 'SKR ska:' ending one stored part brings the list from the next."""
    a = ask("Vad ska SKR göra enligt överenskommelsen om hälso- och sjukvårdens arbete med "
            "civilt försvar 2023?")
    assert "2.2 Insatser som SKR ska genomföra" in a.full_text()
    assert "IVA-resurser" in a.text and "tilläggsöverenskommelsen 2022" in a.text


def test_an_account_number_is_given_only_from_a_text_that_has_one(ask):
    assert not ask("Vilket bankgironummer ska vi betala tillbaka oanvända medel till?").answered


def test_a_question_for_a_person_is_answered_by_the_text_that_names_one(ask):
    """'Vem undertecknade …?': of the passages in scope, the one naming a person answers,
    in either language; a title asked for is how it is asked, not a topic."""
    for q in ("Vem undertecknade överenskommelsen 2023 för staten, och vilken titel har hen?",
              "Who signed the 2023 agreement on healthcare and civil defence for the state?"):
        a = ask(q)
        assert a.answered and "Miriam Söderström" in a.text, q
        assert any(c.section.startswith("7. Godkännande") for c in a.sources)


def test_a_question_for_a_way_to_reach_someone_is_answered_by_one_or_declined(ask):
    """Whatever intent it is read as, a question for a phone number or an address gets
    one from the texts or "I don't know" - never a text about the agency instead."""
    for q in ("vad har länsstyrelsen i Dalarna för telefonnummer?",
              "Who is the civil defence coordinator at Region Dalarna and what is their "
              "mobile number?"):  # fmt: skip
        assert not ask(q).answered, q
    leh = ask("What is the phone number of the LEH function?")
    assert leh.answered and "0771-240 240" in leh.text


def test_a_numbered_range_counts_what_it_numbers(ask):
    """'Hur många är de?' about the insatser is answered by "insatserna 1–7" (seven of
    them), not declined for want of a number word before the noun."""
    a = ask("Måste vi genomföra alla insatser i överenskommelsen redan 2023? Hur många är de?")
    assert a.answered and "insatserna 1–7" in a.text


def test_where_a_text_stands_is_no_topic(ask):
    """'under rubriken Planering på MSB:s sida' says where to look, not what about."""
    a = ask("Vilken plan ska regionen fastställa under rubriken Planering på MSB:s sida?")
    assert a.answered and "extraordinära händelser" in a.text


def test_a_when_question_is_answered_by_the_text_in_scope_that_gives_a_date(ask):
    """Of the passages on the two part reports, the one saying when they were handed in."""
    a = ask("När lämnades de två delredovisningarna om den kommunala vårdens beredskap?")
    assert "15 mars 2022" in a.text


def test_we_in_a_message_naming_one_region_is_that_region(assistant, ask):
    a = ask("Jag är ny som samordnare i Region Gävleborg sedan i höstas. Hur stort belopp fick vi?")
    assert a.kind == "allocation" and "Region Gävleborg får" in a.text
    # "var" (was) is no "vår"; with two regions named "vi" is neither
    i = assistant.interpreter
    assert i.without_regions("när var vi i region halland") == "när var region x i region x"
    assert "vi" in i.without_regions("vi jämför region halland och region skåne").split()


def test_a_deadline_named_with_its_month_is_answered_by_its_card(ask):
    """'i februari' says when; 'den årliga uppföljningen' names what: its card, with the
    note on the template, not the list of February's deadlines."""
    a = ask("Vad ska den årliga uppföljningen i februari innehålla?")
    assert "mall" in a.text and "Frister 1 februari" not in a.text
    assert "Frister 1 oktober" in ask("Vilken rapport ska in i oktober?").text
    last = ask("Vilket år var det senast RSA skulle rapporteras?")
    assert "Förra gången: 31 oktober 2023" in last.text


def test_a_date_asked_of_a_listed_deadline_is_answered_by_its_card(ask):
    """The list of dates in 'Viktiga datum' can rank above the card made from it; when the
    next date is asked, the card answers (it computes the date, the list only has rules)."""
    for q in ("Till vilka myndigheter går indikatorerna för krisberedskap, och när ska de in "
              "nästa gång?",
              "Who gets the annual preparedness indicators and when are they next due?"):
        a = ask(q)
        assert a.kind == "deadline", q
        assert "31 oktober 2027" in a.text or "31 October 2027" in a.text, q
        assert "Socialstyrelsen" in a.text and "länsstyrelsen" in a.text, q


def test_each_part_of_a_two_part_question_is_answered(ask):
    a = ask(
        "Vilken nämnd ska utbildas och övas inom krisberedskapen, och vilket organ ska "
        "övas i att leda regionen under höjd beredskap?"
    )
    assert "krisledningsnämnden" in a.text  # krisberedskap
    assert "regionstyrelsen i att under höjd beredskap" in a.text  # civilt försvar
    assert len(a.sources) == 2


def test_a_part_that_has_lost_its_subject_adds_nothing(ask):
    """"… and how is it financed?" alone is not about NSPL: what it finds elsewhere (the
    state compensation) is no answer about the office."""
    a = ask("Vem är värd för NSPL-kansliet och hur finansieras det?")
    assert "Region Uppsala" in a.text
    assert all("NSPL" in c.title for c in a.sources)


def test_a_part_answered_from_the_same_section_repeats_nothing(ask):
    a = ask(
        "Hur många civilområden finns det efter strukturreformen, och vad heter den som "
        "leder den civilområdesansvariga länsstyrelsen?"
    )
    assert "sex civilområden" in a.text
    assert "civilområdeschef" in a.text  # the second part's sentence, of the same section
    said = [s for s in sentences(a.text) if len(s) > 20]
    assert len(said) == len(set(said))


def test_who_signed_is_answered_by_the_section_on_approval(ask):
    """An agreement is signed in its section "Godkännande av överenskommelsen", which never
    says "undertecknade"; "skrev på" is said as often as "skrev under"."""
    a = ask("Vem skrev under överenskommelsen för staten?")
    assert a.answered and "Miriam Söderström" in a.text
    b = ask("vem skrev på för skr överenskommelsen om hälso- och sjukvård och civilt försvar")
    assert b.answered and "Palle Lundberg" in b.text


def test_a_year_something_is_due_by_answers_a_when_question(ask):
    """"till när …?" is answered by "sträcker sig till 2025": a year something is due by
    counts as a date, in the document the question names as in any other."""
    a = ask("Till när ska det enligt Socialstyrelsens slutredovisning finnas en etablerad "
            "struktur för samverkan inom kommunal vård och omsorg?")
    assert "2025" in a.text


def test_the_support_for_technical_measures_names_its_categories(ask):
    """The curated entry on MSB's investment grants gives the categories it is for, not
    only that it exists and its 50 %."""
    a = ask("Till vilka kategorier av åtgärder kan landstingen få investeringsbidrag från MSB?")
    assert a.answered and "teknisk infrastruktur" in a.text and "50 %" in a.text


def test_days_between_two_deadlines_named_in_a_question(ask):
    """"hur många dagar är det mellan X och Y?": both deadlines found by what the parts
    name (a month says when, not which), in Swedish and English; a compound the texts
    lack ("indikatorrapporteringen") is met in its parts."""
    a = ask("Hur många dagar är det mellan den årliga uppföljningen i februari och "
            "indikatorrapporteringen i oktober?", date(2026, 12, 4))
    assert a.kind == "deadline" and "258 dagar" in a.text
    en = ask("How many days are there between the RSA report and the annual follow-up?",
             date(2026, 12, 4))
    assert "258 days" in en.text
    money = ask("Hur många kronor skiljer mellan Region Skåne och Region Halland?")
    assert money.kind == "allocation"


def test_a_case_number_is_given_only_from_a_text_that_has_one(ask):
    """"vilket ärendenummer …?" is answered by the text in scope that gives a case number
    (SKR's, in the agreement's preamble, where "SKR2022" has SKR in it), and declined when
    none in scope does."""
    a = ask("Vilket ärendenummer har SKR:s beslut om överenskommelsen för 2023?")
    assert a.answered and "SKR2022/00762" in a.text
    en = ask("What case number does SKR's decision on the 2023 agreement have?")
    assert "SKR2022/00762" in en.text
    assert not ask("Vilket diarienummer har Regeringskansliets beslut om utbetalningen?").answered


def test_letters_and_digits_of_a_code_are_words_apart():
    from index.analysis import words

    assert words("Ärendenr: SKR2022/00762, lag 2006:544") == [
        "ärendenr", "skr", "2022", "00762", "lag", "2006:544"]  # fmt: skip


def test_the_point_of_an_insats_is_chosen_by_what_its_name_does_not_say(ask):
    """"privata aktörer inom insatsen om krigsorganisation": the insats's name says which
    insats; the point answering is the one on private actors (1 c), not the one repeating
    the name (1 a)."""
    a = ask("Vad ska regionen göra med privata aktörer i insatsen krigsorganisation och "
            "bemanning?")
    assert "c) Regionen påbörjar under 2023 identifieringen av de privata aktörer" in a.text
    assert "a) Regionens arbete med krigsorganisationen" not in a.text


def test_points_of_an_insats_sharing_nearly_as_much_come_along(ask):
    """6 c (medical devices and protective equipment) shares "produkter" with the question
    besides what 6 d (medicines) shares: both say which products, both answer."""
    a = ask("Vilka produkter ska regionen skapa system för lagerhantering för?")
    assert "c) Regionen påbörjar" in a.text and "d) Regionen påbörjar" in a.text
    assert "a) Regionen arbetar med kontinuitetshantering" not in a.text


def test_the_end_of_a_month_is_its_last_day(assistant, ask):
    """"sista mars 2024", "i slutet av oktober": the deadlines of the month's last day."""
    u = assistant.interpreter.understand("vad låg på sista februari 2024?", date(2026, 12, 4))
    assert u.on_day == (29, 2, 2024)  # a leap year
    a = ask("Vilka inlämningar låg på sista mars 2024?", date(2026, 12, 4))
    assert "Redovisning av insatserna 2023 till Socialstyrelsen" in a.text
    assert "Ekonomisk redovisning av 2023 års medel" in a.text


def test_handing_in_is_how_a_deadline_is_asked_not_a_typo(assistant):
    """"inlämning" is not in the documents and two edits from "inledning": a word of how a
    deadline is asked (noise, so known to the speller), not a topic."""
    u = assistant.interpreter.understand("När är nästa inlämning av RSA?", date(2026, 12, 4))
    assert "inledning" not in u.folded and not u.corrected


def test_a_document_is_named_by_what_it_calls_itself_and_its_publisher(assistant, ask):
    """MSB's information sheet calls itself "handboken" (sources.yaml: called); "MSB:s
    handbok" names it, both words, so what is asked is "allvarlig händelse" in it."""
    docs, naming = assistant.retriever.document_names.find("vad menar msb:s handbok med det")
    assert docs == {"msb-landstingens-ledningsformaga"} and {"msb", "handbok"} <= naming
    a = ask("Vad menar MSB:s handbok med en allvarlig händelse?")
    assert a.text.startswith("Med allvarlig händelse avses")


def test_where_to_send_is_answered_by_the_address(ask):
    """"Vart ska vi skicka …?" asks for where, and the text that gives an address answers,
    not the decision's own wording."""
    a = ask("Vart ska regionen skicka sitt beslut om att delta i NSPL?")
    assert "region.uppsala@regionuppsala.se" in a.text


def test_what_the_report_must_hold_includes_the_medicines_agreement(ask):
    a = ask("Vad ska regionernas redovisning till Socialstyrelsen av 2023 års insatser omfatta?")
    assert "utmaningar" in a.text and "tilläggsöverenskommelsen" in a.text


def test_a_preamble_of_wondering_is_no_topic(ask):
    a = ask("En sak jag undrar: vad ska regionen göra med privata aktörer enligt 2023 års "
            "överenskommelse om vårdens civila försvar?")  # fmt: skip
    assert a.answered and "privata aktörer" in a.text


def test_a_regions_share_of_a_cost_not_given_is_declined(ask):
    """What a region pays for the NSPL office needs the office's cost, which the documents
    do not give: not the region's grant instead."""
    a = ask("Hur mycket ska Region Dalarna betala per år för NSPL-kansliet enligt "
            "fördelningsnyckeln?")  # fmt: skip
    assert not a.answered and "13 725 907 kr" not in a.text


@pytest.mark.parametrize(
    "question",
    [
        "Vad riskerar vi om vår ekonomiska redovisning till Kammarkollegiet inte kommer in i tid?",
        "Vad kan konsekvensen bli om regionens ekonomiska redovisning inte kommer in i tid?",
    ],
)
def test_what_is_risked_asks_for_the_consequence(ask, question):
    assert "återkräva stödet" in ask(question).text


def test_a_signatory_asked_with_the_title_is_named(ask):
    a = ask("Vem skrev under överenskommelsen för SKR, och vilken befattning har personen?")
    assert "Palle Lundberg" in a.text and "Verkställande direktör" in a.text
    b = ask("Vem står som ordförande under SKR:s förbundsstyrelsebeslut?")
    assert "Peter Danielsson" in b.text
