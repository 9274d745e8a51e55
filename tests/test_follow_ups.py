"""Follow-ups: a question that leaves out what it is about takes it from the last answer
(bot/engine/follow_up.py); the topics of chats are kept apart and expire
(bot/engine/conversation.py)."""

from __future__ import annotations

from conftest import TODAY

from bot.engine.conversation import Conversations


def conversation(assistant, *questions):
    """Ask `questions` in one chat; the answers in order."""
    topic, answers = None, []
    for q in questions:
        a = assistant.ask(q, TODAY, topic)
        topic = a.topic
        answers.append(a)
    return answers


def test_another_region_and_another_year_of_the_same_question(assistant):
    uppsala, per_head, skane, later = conversation(
        assistant, "Hur mycket får Region Uppsala?", "och per invånare?", "och Skåne då?",
        "och 2024?",
    )  # fmt: skip
    assert "16 525 798 kr" in uppsala.text
    assert "Region Uppsala" in per_head.text and "41,31 kr" in per_head.text
    # the region swapped, the question kept: Skåne's amount per inhabitant
    assert "Region Skåne" in skane.text and "41 911 938 kr" in skane.text
    assert "Per invånare" in skane.text and "Uppsala" not in skane.text
    assert not later.answered and "2024" in later.text  # not decided: said so


def test_another_side_of_the_same_deadline(assistant):
    rsa, whom, other, its_whom, year = conversation(
        assistant, "När ska RSA lämnas?", "till vem?", "och indikatorerna då?", "till vem?",
        "och 2029 då?",
    )  # fmt: skip
    assert "31 oktober 2027" in rsa.text
    # the data name no recipient for RSA: said so, nothing made up
    assert "risk- och sårbarhetsanalys" in whom.text and "står inte i mina uppgifter" in whom.text
    assert other.deadline_ids == ("indikatorer",)
    assert "Mottagare: MSB, Socialstyrelsen, länsstyrelsen." in its_whom.text
    assert its_whom.deadline_ids == ("indikatorer",)
    assert year.deadline_ids == ("indikatorer",) and "2029" in year.text


def test_support_for_the_tasks_just_shown(assistant):
    tasks, support = conversation(
        assistant, "Vilka uppgifter har regionen inom säkerhetsskydd?", "vilket stöd finns för det?"
    )
    assert tasks.kind == "task" and "Säkerhetsskydd" in tasks.text
    assert support.kind == "support" and support.areas == tasks.areas
    assert "Grundläggande interaktiv utbildning i säkerhetsskydd" in support.text


def test_what_a_term_of_the_last_answer_means(assistant, kb):
    fact, meaning = conversation(assistant, "Vad är NSPL?", "vad betyder det?")
    nspl = kb.glossary_term("NSPL")
    assert fact.answered and "NSPL" in fact.text
    assert meaning.kind == "definition" and nspl.meaning in meaning.text


def test_a_cost_split_for_another_region(assistant):
    first, ours = conversation(
        assistant, "om kansliet kostar 12 miljoner, vad betalar Västmanland",
        "vad kostar det för oss i Blekinge?",
    )  # fmt: skip
    assert "Region Västmanland: 320 219 kr" in first.text
    assert "Region Blekinge: 181 318 kr" in ours.text and "12 000 000 kr" in ours.text


def test_an_english_follow_up_is_answered_in_english(assistant):
    _, gotland = conversation(assistant, "How much does Region Skåne get?", "what about Gotland?")
    assert gotland.language == "en" and "Region Gotland gets 8 032 852 kr" in gotland.text


def test_a_complete_question_is_answered_on_its_own(assistant):
    q = "När ska indikatorerna lämnas?"
    alone = assistant.ask(q, TODAY)
    after = conversation(assistant, "Hur mycket får Region Uppsala?", q)
    assert after[1].text == alone.text
    # a question sure of itself that names no topic word is no follow-up either
    vgr = conversation(assistant, "När ska RSA lämnas?", "hur mkt får vgr")[1]
    assert vgr.kind == "allocation" and "50 536 249 kr" in vgr.text
    # and "vilka frister har vi?" is not read as a question about Uppsala
    listed = conversation(assistant, "Hur mycket får Region Uppsala?", "vilka frister har vi?")
    assert listed[1].kind == "deadline" and "Uppsala" not in listed[1].text


def test_without_a_topic_a_follow_up_is_not_answered_from_thin_air(assistant):
    a = assistant.ask("till vem?", TODAY)
    assert a.deadline_ids == () and "Mottagare" not in a.text
    # an answer that answers nothing leaves nothing to follow up
    _, whom = conversation(assistant, "Vad kostar en kopp kaffe i Paris?", "till vem?")
    assert whom.deadline_ids == ()


def test_topics_are_per_chat_and_expire():
    now = [1000.0]
    c = Conversations(ttl=60, clock=lambda: now[0], max_chats=2)
    c.put("a", "topic-a")
    c.put("b", "topic-b")
    assert (c.get("a"), c.get("b"), c.get("c")) == ("topic-a", "topic-b", None)
    now[0] += 61
    assert c.get("a") is None  # expired
    c.put("a", "new")
    c.put("c", "topic-c")  # beyond max_chats the oldest ("b") goes
    assert (c.get("b"), c.get("a"), c.get("c")) == (None, "new", "topic-c")
    c.forget("a")
    c.put("c", None)
    assert len(c) == 0
