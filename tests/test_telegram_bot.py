"""End to end: the real Application polls a fake Bot API server over HTTP; the tests act
as users and read what the bot sent."""

from __future__ import annotations

import logging
import socket
from datetime import date, datetime

import httpx
import pytest
from fake_bot_api import BOT_USER
from icalendar import Calendar
from telegram_harness import MutableClock, running_bot

from bot.config import Config
from bot.engine.dates import STOCKHOLM
from bot.subscriptions.store import SubscriptionStore
from bot.telegram.app import build_application, configure_logging, webhook_options
from bot.telegram.commands import HELP
from bot.telegram.send import esc

CHAT = 4242
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=STOCKHOLM)  # "today" in these tests


@pytest.fixture
async def bot(api, tmp_path, assistant):
    async with running_bot(api, tmp_path / "bot.sqlite3", assistant, MutableClock(NOW)) as b:
        yield b


def buttons(call) -> list[tuple[str, str]]:
    markup = call.params.get("reply_markup") or {"inline_keyboard": []}
    return [(b["text"], b["callback_data"]) for row in markup["inline_keyboard"] for b in row]


async def test_commands_are_registered_on_start(bot):
    names = [c["command"] for c in bot.api.commands]
    assert {"frister", "bevaka", "avbevaka", "mina", "kalender", "glom", "hjalp"} <= set(names)
    assert all(n.isascii() and n.replace("_", "").isalnum() and n.islower() for n in names)
    assert all(c["description"] for c in bot.api.commands)


@pytest.mark.parametrize("command", ["/start", "/hjalp"])
async def test_help_lists_commands_with_examples(bot, command):
    call = await bot.api.reply_to(CHAT, command)
    assert call.params["parse_mode"] == "HTML"
    assert "Beredskapsboten" in call.text and "/bevaka" in call.text and "/glom" in call.text
    # "<region | alla>" is escaped, not taken for an HTML tag
    assert "/tilldelning &lt;region | alla&gt; [år]" in call.text


async def test_frister_lists_next_dates_with_a_bevaka_button_each(bot):
    call = await bot.api.reply_to(CHAT, "/frister")
    assert "31 oktober 2027" in call.text  # RSA's next occurrence from 24 November 2026
    assert "Källa: Samlat stöd till regioner" in call.text
    assert ("Bevaka RSA", "bevaka:rsa") in buttons(call)
    assert "/bevaka rsa" in call.text  # the same as text, for screen readers
    assert not any("rekvisition" in data for _, data in buttons(call))  # past one-off


async def test_free_text_question_is_answered_with_source_and_button(bot):
    call = await bot.api.reply_to(CHAT, "När ska RSA rapporteras?")
    assert "31 oktober 2027" in call.text
    assert (
        "<i>Källa: Samlat stöd till regioner, Viktiga datum (senast granskad 20 december 2021)</i>"
        in call.text
    )
    assert buttons(call)[0] == ("Bevaka RSA", "bevaka:rsa")
    assert buttons(call)[1][0] == "Visa källtext"  # tests/test_source_text.py presses it


async def test_user_text_is_escaped_in_the_answer(bot):
    call = await bot.api.reply_to(CHAT, "/bevaka <b>kaffe & kaka</b>")
    assert "”&lt;b&gt;kaffe &amp; kaka&lt;/b&gt;”" in call.text
    assert "/bevaka rsa" in call.text  # suggestions, not an error


async def test_bevaka_button_subscribes_and_confirms(bot):
    bot.api.push_callback(CHAT, "bevaka:rsa")
    confirm = (await bot.api.wait_for("sendMessage", CHAT))[0]
    answered = await bot.api.wait_for("answerCallbackQuery")
    assert answered[0].params["text"] == "Du bevakar RSA"
    assert "Du bevakar nu:" in confirm.text and "31 oktober 2027" in confirm.text
    assert [s.deadline_id for s in bot.store.subscriptions(CHAT)] == ["rsa"]


async def test_bevaka_mina_avbevaka_round_trip(bot):
    call = await bot.api.reply_to(CHAT, "/bevaka rsa")
    assert "Du bevakar nu:\n• RSA – nästa gång 31 oktober 2027" in call.text
    assert "30, 7 och 1 dag" in call.text
    again = await bot.api.reply_to(CHAT, "/bevaka RSA")
    assert "Du bevakade redan" in again.text
    mine = await bot.api.reply_to(CHAT, "/mina")
    assert "• RSA – nästa gång 31 oktober 2027" in mine.text and "/avbevaka rsa" in mine.text
    gone = await bot.api.reply_to(CHAT, "/avbevaka rsa")
    assert "Du bevakar inte längre RSA" in gone.text
    assert bot.store.subscriptions(CHAT) == []
    assert "Du bevakar inga frister ännu" in (await bot.api.reply_to(CHAT, "/mina")).text


async def test_bevaka_alla_skips_past_deadlines_and_avbevaka_alla_removes_all(bot):
    await bot.api.reply_to(CHAT, "/bevaka alla")
    watched = {s.deadline_id for s in bot.store.subscriptions(CHAT)}
    assert watched == {"rsa", "indikatorer", "arlig-uppfoljning", "utbetalning-ersattning"}
    call = await bot.api.reply_to(CHAT, "/avbevaka alla")
    assert "4 borttagna" in call.text
    assert bot.store.subscriptions(CHAT) == []


async def test_missing_and_unknown_arguments_get_explanations(bot):
    bevaka = await bot.api.reply_to(CHAT, "/bevaka")
    assert "Vilken frist vill du bevaka?" in bevaka.text and "/bevaka alla" in bevaka.text
    unknown = await bot.api.reply_to(CHAT, "/bevaka kaffepaus")
    assert "Jag hittar ingen frist som heter ”kaffepaus”" in unknown.text
    avbevaka = await bot.api.reply_to(CHAT, "/avbevaka rsa")
    assert "Du bevakar inga frister." in avbevaka.text
    tilldelning = await bot.api.reply_to(CHAT, "/tilldelning")
    assert "alla" in tilldelning.text
    passed = await bot.api.reply_to(CHAT, "/bevaka rekvisition-2023")
    assert "återkommer inte" in passed.text and bot.store.subscriptions(CHAT) == []


async def test_uppgifter_stod_and_tilldelning_reach_the_assistant(bot, assistant):
    today = date(2026, 11, 24)
    for command, expected in [
        ("/uppgifter säkerhetsskydd", assistant.tasks("säkerhetsskydd")),
        ("/uppgifter", assistant.tasks(None)),
        ("/stod rapportering", assistant.support("rapportering")),
        ("/tilldelning Västra Götaland 2023", assistant.allocation("Västra Götaland", 2023)),
        ("/tilldelning alla", assistant.allocation("alla", None)),
    ]:
        call = await bot.api.reply_to(CHAT, command)
        first_line = expected.text.split("\n")[0]
        assert first_line.replace("&", "&amp;").replace("<", "&lt;") in call.text, command
    assert today  # answers are computed for the pinned day


async def test_tilldelning_alla_also_sends_the_chart(bot):
    bot.api.push_text(CHAT, "/tilldelning alla")
    photo = (await bot.api.wait_for("sendPhoto", CHAT, timeout=20))[0]
    assert photo.files["photo"][1].startswith(b"\x89PNG")
    assert "Tilldelning per region" in photo.params["caption"]


async def test_swedish_letters_and_typos_in_commands(bot):
    stod = await bot.api.reply_to(CHAT, "/stöd säkerhetsskydd")
    assert "Kommandot" not in stod.text  # run as /stod
    typo = await bot.api.reply_to(CHAT, "/fristr")
    assert "Kommandot /fristr finns inte. Menade du /frister?" in typo.text


async def test_kalender_sends_an_ics_with_the_right_dates(bot):
    bot.api.push_text(CHAT, "/kalender")
    doc = (await bot.api.wait_for("sendDocument", CHAT))[0]
    filename, data = doc.files["document"]
    assert filename == "frister.ics"
    cal = Calendar.from_ical(data)
    dates = {(str(e["summary"]), e.decoded("dtstart")) for e in cal.walk("VEVENT")}
    rsa = "Rapportering av risk- och sårbarhetsanalys (RSA)"
    assert (rsa, date(2027, 10, 31)) in dates and (rsa, date(2031, 10, 31)) in dates
    assert ("Årlig uppföljning av händelser, aktiviteter och ekonomi", date(2027, 2, 15)) in dates
    assert "Kalenderfil" in doc.params["caption"]


async def test_kalender_mina_has_only_the_subscribed_deadlines(bot):
    none = await bot.api.reply_to(CHAT, "/kalender mina")
    assert "Du bevakar inga frister ännu" in none.text
    await bot.api.reply_to(CHAT, "/bevaka rsa")
    bot.api.push_text(CHAT, "/kalender mina")
    doc = (await bot.api.wait_for("sendDocument", CHAT))[0]
    cal = Calendar.from_ical(doc.files["document"][1])
    assert {str(e["uid"]) for e in cal.walk("VEVENT")} == {
        "rsa-2027-10-31@beredskapsboten",
        "rsa-2031-10-31@beredskapsboten",
    }


async def test_integritet_and_glom(bot):
    privacy = await bot.api.reply_to(CHAT, "/integritet")
    assert "Chattens id-nummer" in privacy.text and "/glom" in privacy.text
    await bot.api.reply_to(CHAT, "/bevaka alla")
    await bot.api.reply_to(4343, "/bevaka rsa")  # someone else
    gone = await bot.api.reply_to(CHAT, "/glom")
    assert "raderat allt" in gone.text and "4 bevakningar" in gone.text
    assert bot.store.subscriptions(CHAT) == []
    assert [s.chat_id for s in bot.store.subscriptions()] == [4343]
    again = await bot.api.reply_to(CHAT, "/glom")
    assert "inget sparat" in again.text


async def test_text_bevaka_works_like_the_command(bot):
    call = await bot.api.reply_to(CHAT, "bevaka RSA")
    assert "Du bevakar nu" in call.text


async def test_in_groups_only_commands_and_mentions_are_answered(bot):
    group = -100777
    bot.api.push_text(group, "När ska RSA rapporteras?", user_id=1, chat_type="supergroup")
    bot.api.push_text(group, "/frister@AnnanBot", user_id=1, chat_type="supergroup")
    bot.api.push_text(group, f"@{BOT_USER['username']} när ska RSA rapporteras?", 1, "supergroup")
    calls = await bot.api.wait_for("sendMessage", group)
    bot.api.push_text(group, f"/frister@{BOT_USER['username']}", user_id=1, chat_type="supergroup")
    calls = await bot.api.wait_for("sendMessage", group, count=2)
    assert len(calls) == 2
    assert "31 oktober 2027" in calls[0].text and "Kommande frister" in calls[1].text
    assert calls[0].params["reply_parameters"]["message_id"]  # a reply in the group


async def test_error_handler_answers_in_swedish_and_logs_only_the_update_id(
    bot, assistant, monkeypatch, caplog
):
    def broken(text, today, topic=None):
        raise RuntimeError("engine down")

    monkeypatch.setattr(assistant, "ask", broken)
    secret = "mitt personnummer 19121212-1212"
    update_id = bot.api.push_text(CHAT, secret)
    call = (await bot.api.wait_for("sendMessage", CHAT))[0]
    assert call.text.startswith("Något gick fel")
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert f"Error while handling update {update_id}: RuntimeError" in logged
    assert "19121212" not in caplog.text


async def test_a_429_on_a_reply_is_retried_and_the_answer_arrives(bot):
    bot.api.fail_next("sendMessage", kind="429", retry_after=7)
    call = await bot.api.reply_to(CHAT, "/frister")
    assert "Kommande frister" in call.text
    assert [c.status for c in bot.api.attempts("sendMessage")] == [429, 200]
    assert bot.sleeps == [7.0]  # waited as long as Telegram asked


async def test_server_errors_are_retried_with_backoff(bot):
    bot.api.fail_next("sendMessage", times=2, kind="500")
    call = await bot.api.reply_to(CHAT, "/integritet")
    assert "Chattens id-nummer" in call.text
    assert bot.sleeps == [0.5, 1.0]


async def test_the_token_never_reaches_the_logs(api, tmp_path, assistant, caplog):
    caplog.set_level(logging.DEBUG)
    noisy = ("httpx", "httpcore", "telegram.ext.AIORateLimiter")
    levels = {name: logging.getLogger(name).level for name in noisy}
    try:
        configure_logging(Config(token=api.token, api_root=api.root))
        async with running_bot(api, tmp_path / "b.sqlite3", assistant, MutableClock(NOW)):
            await api.reply_to(CHAT, "/frister")
            logging.getLogger("bot").warning("accidentally logged %s", api.token)
    finally:
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)
    assert "Application started" in caplog.text  # PTB's own logging was captured ...
    assert "getUpdates" not in caplog.text  # (its DEBUG lines, with whole updates, never)
    assert api.token not in caplog.text  # ... but never the token
    assert "accidentally logged <token>" in caplog.text


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("configured", ["s3cret", None])
async def test_webhook_mode_answers_updates_posted_by_telegram(
    api, tmp_path, assistant, configured
):
    """With WEBHOOK_SECRET or without it (then one is drawn at start), a POST that does
    not carry the secret Telegram was given is refused."""
    env = {"TELEGRAM_BOT_TOKEN": api.token, "TELEGRAM_API_BASE_URL": api.root,
           "WEBHOOK_URL": "https://beredskap.example.se/telegram", "WEBHOOK_LISTEN": "127.0.0.1",
           "PORT": str(free_port()), "DATABASE_PATH": str(tmp_path / "b.sqlite3")}  # fmt: skip
    if configured:
        env["WEBHOOK_SECRET"] = configured
    config = Config.from_env(env)
    secret = config.webhook_secret
    assert secret and (secret == configured or config.secret_generated)
    store = SubscriptionStore.open(tmp_path / "b.sqlite3")
    app = build_application(assistant, store, config, MutableClock(NOW), reminder_interval=None)
    await app.initialize()
    await app.updater.start_webhook(**webhook_options(config))
    await app.start()
    try:
        hook = await api.wait_for("setWebhook")
        assert hook[0].params["url"] == "https://beredskap.example.se/telegram"
        assert hook[0].params["secret_token"] == secret
        update = {"update_id": 1, "message": api.message(CHAT, "/frister")}
        update["message"]["entities"] = [{"type": "bot_command", "offset": 0, "length": 8}]
        url = f"http://127.0.0.1:{config.port}/telegram"
        async with httpx.AsyncClient() as client:
            forged = await client.post(url, json=update)
            assert forged.status_code == 403  # no secret: not from Telegram
            wrong = await client.post(
                url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "gissat"}
            )
            assert wrong.status_code == 403
            ok = await client.post(
                url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": secret}
            )
            assert ok.status_code == 200
        calls = await api.wait_for("sendMessage", CHAT)
        assert "Kommande frister" in calls[0].text and len(calls) == 1
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
        store.close()


async def test_questions_never_reach_logs_or_storage_at_the_default_level(
    api, tmp_path, assistant, caplog
):
    caplog.set_level(logging.INFO)  # what configure_logging sets in production
    secret = "Hej, jag heter Anna Andersson (070-1234567). När ska RSA rapporteras?"
    db = tmp_path / "b.sqlite3"
    async with running_bot(api, db, assistant, MutableClock(NOW)):
        assert "31 oktober 2027" in (await api.reply_to(CHAT, secret)).text
        await api.reply_to(CHAT, "/bevaka rsa")
    assert "Andersson" not in caplog.text and "070-1234567" not in caplog.text
    stored = b"".join(p.read_bytes() for p in tmp_path.glob("b.sqlite3*"))  # with the WAL
    assert b"rsa" in stored  # the subscription is there ...
    assert b"Andersson" not in stored and b"070-1234567" not in stored  # ... the question not


async def test_at_debug_level_no_question_name_or_secret_reaches_the_logs(
    api, tmp_path, assistant, caplog
):
    config = Config(token=api.token, api_root=api.root, webhook_secret="hemlig-nyckel-123")
    caplog.set_level(logging.DEBUG)
    configure_logging(config, logging.DEBUG)
    for handler in logging.getLogger().handlers:
        if handler is not caplog.handler:
            continue
        break
    else:
        pytest.fail("caplog's handler is not on the root logger")
    question = "Hej, jag heter Anna Andersson (070-1234567). När ska RSA rapporteras?"
    async with running_bot(api, tmp_path / "b.sqlite3", assistant, MutableClock(NOW)):
        assert "31 oktober 2027" in (await api.reply_to(CHAT, question)).text
        logging.getLogger("bot.test").debug("webhook %s, token %s", "hemlig-nyckel-123", api.token)
    text = caplog.text
    assert "DEBUG" in text  # debug logging was on ...
    for leak in ("Andersson", "070-1234567", "hemlig-nyckel-123", api.token, "rapporteras"):
        assert leak not in text, leak  # ... and nothing of these came through
    assert "<secret>" in text and "<token>" in text


async def test_help_and_the_bots_descriptions(bot):
    assert (await bot.api.reply_to(CHAT, "/help")).text == esc(HELP)  # sent as HTML
    assert "RSA" in bot.api.descriptions["description"]
    assert 0 < len(bot.api.descriptions["short_description"]) <= 120  # Telegram's limit


async def test_a_deep_link_starts_the_command_it_names(bot):
    call = await bot.api.reply_to(CHAT, "/start bevaka_rsa")  # t.me/<bot>?start=bevaka_rsa
    assert "Du bevakar nu" in call.text and "RSA" in call.text
    assert [s.deadline_id for s in bot.store.subscriptions() if s.chat_id == CHAT] == ["rsa"]
    tilldelning = await bot.api.reply_to(CHAT, "/start tilldelning_gotland")
    assert "Region Gotland" in tilldelning.text
    plain = await bot.api.reply_to(CHAT, "/start status")  # an admin command: only the help
    assert plain.text == esc(HELP)


def _keyboard(markup) -> list[tuple[str, str]]:
    import json as _json

    markup = _json.loads(markup) if isinstance(markup, str) else markup
    return [(b["text"], b["callback_data"]) for row in markup["inline_keyboard"] for b in row]


async def test_the_bevaka_button_shows_its_state_and_a_second_press_changes_nothing(bot):
    api = bot.api
    listing = await api.reply_to(CHAT, "/frister")
    assert ("Bevaka RSA", "bevaka:rsa") in buttons(listing)
    pressed = api.message(CHAT, listing.text, from_bot=True)
    pressed["reply_markup"] = {"inline_keyboard": [[{"text": t, "callback_data": d}]
                                                   for t, d in buttons(listing)]}  # fmt: skip

    async def press(data: str, n: int) -> str:
        api.push_callback(CHAT, data, message=pressed)
        return (await api.wait_for("answerCallbackQuery", count=n))[-1].params["text"]

    messages = len(api.sent("sendMessage", CHAT))
    assert await press("bevaka:rsa", 1) == "Du bevakar RSA"
    confirm = (await api.wait_for("sendMessage", CHAT, count=messages + 1))[-1]
    assert "Du bevakar nu:" in confirm.text
    edit = (await api.wait_for("editMessageReplyMarkup", count=1))[-1]
    assert ("✓ Bevakas – avbevaka", "avbevaka:rsa") in _keyboard(edit.params["reply_markup"])
    assert ("Bevaka Indikatorer", "bevaka:indikatorer") in _keyboard(edit.params["reply_markup"])

    assert await press("bevaka:rsa", 2) == "Du bevakar redan RSA"  # a double tap
    await settled_after(api)
    assert len(api.sent("sendMessage", CHAT)) == messages + 2  # no second confirmation
    assert [s.deadline_id for s in bot.store.subscriptions(CHAT)] == ["rsa"]

    assert await press("avbevaka:rsa", 3) == "Du bevakar inte längre RSA"
    assert bot.store.subscriptions(CHAT) == []
    edit = (await api.wait_for("editMessageReplyMarkup", count=3))[-1]
    assert ("Bevaka RSA", "bevaka:rsa") in _keyboard(edit.params["reply_markup"])

    await api.reply_to(CHAT, "/bevaka rsa")
    again = await api.reply_to(CHAT, "/frister")  # a new list knows what is watched
    assert ("✓ Bevakas – avbevaka", "avbevaka:rsa") in buttons(again)


async def settled_after(api) -> None:
    """Once /hjalp is answered, every update pushed before it has been handled."""
    await api.reply_to(CHAT, "/hjalp")


async def test_menus_in_english_and_with_admin_commands_for_admins(api, tmp_path, assistant):
    async with running_bot(api, tmp_path / "b.sqlite3", assistant, MutableClock(NOW),
                           admin_ids=frozenset({77, 78})):  # fmt: skip
        pass
    sets = api.command_sets
    default = [c["command"] for c in sets[("default", None, "")]]
    english = sets[("default", None, "en")]
    assert [c["command"] for c in english] == default  # the same commands, in English words
    assert any("deadline" in c["description"].casefold() for c in english)
    for admin in (77, 78):
        theirs = [c["command"] for c in sets[("chat", admin, "")]]
        assert theirs == [*default, "status", "omindexera"]
    assert "status" not in default and "omindexera" not in default


async def test_in_groups_only_administrators_may_glom(bot):
    api, group = bot.api, -100888
    api.chat_admins[group] = {1: "creator", 2: "administrator"}
    bot.store.subscribe(group, ["rsa"], NOW)
    glom = f"/glom@{BOT_USER['username']}"

    async def say(user_id: int, **extra) -> str:
        before = len(api.sent("sendMessage", group))
        api.push_text(group, glom, user_id=user_id, chat_type="supergroup", **extra)
        return (await api.wait_for("sendMessage", group, count=before + 1))[before].text

    refused = await say(3)  # a member
    assert "bara gruppens administratörer" in refused and "Inget har raderats" in refused
    assert [s.deadline_id for s in bot.store.subscriptions(group)] == ["rsa"]
    assert int(api.sent("getChatMember")[-1].params["user_id"]) == 3

    api.fail_next("getChatMember", times=5, kind="500")  # Telegram cannot say: refuse
    assert "kunde inte kontrollera" in (await say(2))
    assert bot.store.subscriptions(group)

    assert "raderat allt" in (await say(2))  # an administrator
    assert bot.store.subscriptions(group) == []
    bot.store.subscribe(group, ["rsa"], NOW)
    assert "raderat allt" in (await say(1))  # the creator
    bot.store.subscribe(group, ["rsa"], NOW)
    anonymous = {"id": group, "type": "supergroup", "title": "Beredskapsgruppen"}
    assert "raderat allt" in (await say(1087968824, sender_chat=anonymous))  # anonymous admin
    assert bot.store.subscriptions(group) == []

    admins = await bot.app.bot.get_chat_administrators(group)
    assert sorted((m.user.id, m.status) for m in admins) == [(1, "creator"), (2, "administrator")]
