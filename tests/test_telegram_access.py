"""End to end: allowlists for a closed bot and the admin commands (/status, /omindexera)."""

from __future__ import annotations

import shutil
from datetime import datetime

from telegram_harness import MutableClock, running_bot

import knowledge
from bot.access import ADMIN_ONLY, REFUSAL, Access
from bot.engine.assistant import Assistant
from bot.engine.dates import STOCKHOLM
from bot.telegram.send import SUBSCRIBE_PREFIX
from index.search import Searcher
from knowledge.loader import PACKAGE_DATA

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=STOCKHOLM)
MEMBER, STRANGER, ADMIN = 111, 222, 999
TEAM = -100555  # a group on ALLOWED_CHAT_IDS


def test_open_by_default_closed_by_either_list():
    assert Access().allows(1, 1) and not Access().closed
    closed = Access(frozenset({MEMBER}), frozenset({TEAM}), frozenset({ADMIN}))
    assert closed.allows(MEMBER, 5) and closed.allows(ADMIN, 5)
    assert closed.allows(STRANGER, TEAM)  # everyone in a listed group
    assert not closed.allows(STRANGER, STRANGER) and not closed.allows(None, None)
    assert closed.is_admin(ADMIN) and not closed.is_admin(MEMBER)


async def test_a_closed_bot_refuses_others_politely_and_does_nothing_for_them(
    api, tmp_path, assistant
):
    async with running_bot(
        api, tmp_path / "b.sqlite3", assistant, MutableClock(NOW),
        allowed_user_ids=frozenset({MEMBER}), allowed_chat_ids=frozenset({TEAM}),
    ) as bot:  # fmt: skip
        ok = await api.reply_to(MEMBER, "När ska RSA rapporteras?")
        assert "31 oktober 2027" in ok.text
        refused = await api.reply_to(STRANGER, "/bevaka rsa")
        assert refused.text == REFUSAL
        assert bot.store.subscriptions(STRANGER) == []  # the command never ran
        # a stranger's button press: a notice on the button, no subscription
        api.push_callback(STRANGER, f"{SUBSCRIBE_PREFIX}rsa")
        notice = (await api.wait_for("answerCallbackQuery"))[0]
        assert notice.params["text"] == REFUSAL and bot.store.subscriptions() == []
        # in a listed group any member may ask; in other groups the bot stays silent
        api.push_text(TEAM, "/frister@BeredskapsTestBot", user_id=STRANGER, chat_type="group")
        assert "Kommande frister" in (await api.wait_for("sendMessage", TEAM))[0].text
        api.push_text(-100666, "/frister@BeredskapsTestBot", user_id=STRANGER, chat_type="group")
        await api.reply_to(MEMBER, "/hjalp")  # processed after the group message
        assert api.sent("sendMessage", -100666) == []


async def test_admin_commands_are_for_admins_only(api, tmp_path, assistant):
    async with running_bot(
        api, tmp_path / "b.sqlite3", assistant, MutableClock(NOW), admin_ids=frozenset({ADMIN})
    ) as bot:
        for command in ("/status", "/omindexera"):
            assert (await api.reply_to(MEMBER, command)).text == ADMIN_ONLY
        await api.reply_to(MEMBER, "/bevaka alla")
        await api.reply_to(STRANGER, "/bevaka rsa")
        status = (await api.reply_to(ADMIN, "/status")).text
        watched = len(bot.store.subscriptions())
        assert f"Bevakningar: {watched} i 2 chattar" in status
        assert "Påminnelser skickade: 0" in status
        built = datetime.fromtimestamp(assistant.searcher.built, STOCKHOLM)
        assert f"Sökindex: byggt {built:%Y-%m-%d %H:%M}" in status
        assert f"{len(assistant.knowledge.deadlines)} frister" in status
        assert str(MEMBER) not in status and str(STRANGER) not in status  # counts, not who
        # not suggested to others when they mistype a command
        assert "/status" not in (await api.reply_to(MEMBER, "/statu")).text


def _assistant_from(data, index_root):
    def load() -> Assistant:
        k = knowledge.load(data)
        return Assistant(k, Searcher(k, index_root))

    return load


NEW_DEADLINE = """
- id: testfrist
  title: Inlämning av testrapport för omindexering
  short: Testrapport
  rule: {type: once, date: 2027-03-01}
  who: regionerna
  keywords: [testrapport]
  source: {doc: msb-samlat-stod, section: Viktiga datum}
"""


async def test_omindexera_takes_in_changed_knowledge_and_refuses_a_broken_one(api, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(PACKAGE_DATA, data)
    load = _assistant_from(data, tmp_path / "index")
    assistant = load()  # its own: the replaced one's index is closed
    async with running_bot(
        api, tmp_path / "b.sqlite3", assistant, MutableClock(NOW),
        admin_ids=frozenset({ADMIN}), reload=load,
    ) as bot:  # fmt: skip
        assert "Testrapport" not in (await api.reply_to(MEMBER, "/frister")).text
        with (data / "deadlines.yaml").open("a", encoding="utf-8") as f:
            f.write(NEW_DEADLINE)
        api.push_text(ADMIN, "/omindexera")
        done = (await api.wait_for("sendMessage", ADMIN, count=2, timeout=30))[1].text
        assert done.startswith("Omindexerat på")
        assert f"{len(assistant.knowledge.deadlines) + 1} frister" in done
        assert "1 mars 2027" in (await api.reply_to(MEMBER, "/frister")).text
        await api.reply_to(MEMBER, "/bevaka testrapport")
        assert [s.deadline_id for s in bot.store.subscriptions(MEMBER)] == ["testfrist"]

        # the document behind the new deadline is replaced: one notice after /omindexera
        await bot.run_reminders()  # first sighting of every document: recorded silently
        with (data / "texts" / "msb-samlat-stod.md").open("a", encoding="utf-8") as f:
            f.write("\n\nEtt tillägg i en ny version av dokumentet.\n")
        api.push_text(ADMIN, "/omindexera")
        await api.wait_for("sendMessage", ADMIN, count=4, timeout=30)
        before = len(api.sent("sendMessage", MEMBER))
        await bot.run_reminders()
        await bot.run_reminders()
        notices = api.sent("sendMessage", MEMBER)[before:]
        assert len(notices) == 1 and "har ersatts av en ny version" in notices[0].text
        assert "Testrapport" in notices[0].text

        (data / "areas.yaml").write_text("- id: x\n  title: [\n", encoding="utf-8")
        api.push_text(ADMIN, "/omindexera")
        refused = (await api.wait_for("sendMessage", ADMIN, count=6, timeout=30))[5].text
        assert "Omindexeringen avbröts" in refused and "areas.yaml" in refused
        # still running on the last good knowledge base
        assert "1 mars 2027" in (await api.reply_to(MEMBER, "/frister")).text
