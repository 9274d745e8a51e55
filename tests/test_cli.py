"""The command line gives the same answers as the assistant, as text and as JSON."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str, stdin: str | None = None, env: dict | None = None):
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env={**os.environ, "TELEGRAM_BOT_TOKEN": "", **(env or {})},
    )


def test_ask_json_object():
    p = run("ask", "--json", "--today", "2026-11-24", "när ska RSA rapporteras?")
    assert p.returncode == 0, p.stderr
    obj = json.loads(p.stdout)
    assert set(obj) == {"question", "answer", "answered", "kind", "sources"}
    assert obj["question"] == "när ska RSA rapporteras?"
    assert obj["answered"] is True and obj["kind"] == "deadline"
    assert "31 oktober 2027" in obj["answer"]
    assert obj["sources"] == [
        {"title": "Samlat stöd till regioner", "section": "Viktiga datum", "url": None}
    ]


def test_jsonl_keeps_order_and_abstains(assistant):
    questions = ["tilldelning blekinge", "Vad kostar en Volvo-aktie idag?", "", "hej"]
    p = run("ask", "--jsonl", "--today", "2026-11-24", stdin="\n".join(questions) + "\n")
    assert p.returncode == 0, p.stderr
    lines = [json.loads(line) for line in p.stdout.splitlines()]
    assert [o["question"] for o in lines] == questions
    assert "10 481 450" in lines[0]["answer"]
    assert lines[1]["answered"] is False and lines[1]["kind"] == "out_of_scope"
    assert lines[2]["answered"] is False


def test_piped_chat_answers_each_line_and_exits():
    stdin = (
        "när ska RSA rapporteras?\nhur mkt får vgr\nVad ska regionen göra med privata aktörer?\n"
    )
    p = run("--today", "2026-11-24", stdin=stdin, env={"COLUMNS": "40"})
    assert p.returncode == 0, p.stderr
    assert "31 oktober 2027" in p.stdout and "50 536 249 kr" in p.stdout
    # into a pipe the text is as the engine wrote it, not wrapped to any width
    assert any(len(line) > 100 for line in p.stdout.splitlines())


def test_bad_date_is_a_clear_error():
    p = run("ask", "--today", "2026-13-01", "hej")
    assert p.returncode == 2
    assert "ogiltigt datum" in p.stderr


def test_broken_knowledge_refuses_to_start(tmp_path):
    import shutil

    from knowledge.loader import PACKAGE_DATA

    data = tmp_path / "data"
    shutil.copytree(PACKAGE_DATA, data)
    (data / "deadlines.yaml").write_text("- id: x\n  title: [\n", encoding="utf-8")
    p = run("ask", "hej", env={"KNOWLEDGE_DIR": str(data)})
    assert p.returncode == 3
    assert "deadlines.yaml" in p.stderr and "startar inte" in p.stderr


def test_a_failing_question_is_answered_with_an_apology_not_a_crash(assistant, caplog):
    from datetime import date

    from bot.cli import _safe_ask
    from bot.engine.answer import FAILED

    class Broken:
        def ask(self, question, today, topic=None):
            raise RuntimeError("index gone")

    answer = _safe_ask(Broken(), "hemlig fråga om Anna", date(2026, 11, 24))
    assert answer.text == FAILED and not answer.answered
    assert "RuntimeError" in caplog.text and "Anna" not in caplog.text
    assert _safe_ask(assistant, "När ska RSA rapporteras?", date(2026, 11, 24)).answered


def test_jsonl_answers_every_decodable_line_and_reports_the_others():
    stdin = "När ska RSA rapporteras?\n".encode() + b"N\xe4r ska RSA rapporteras?\n"
    stdin += b"tilldelning blekinge\n"
    p = subprocess.run(
        [sys.executable, "-m", "bot", "ask", "--jsonl", "--today", "2026-11-24"],
        input=stdin, capture_output=True, timeout=120, cwd=ROOT,
        env={**os.environ, "TELEGRAM_BOT_TOKEN": ""},
    )  # fmt: skip
    assert p.returncode == 0, p.stderr.decode()
    lines = [json.loads(x) for x in p.stdout.decode().splitlines()]
    assert len(lines) == 3
    assert "31 oktober 2027" in lines[0]["answer"]
    assert lines[1]["line"] == 2 and "UTF-8" in lines[1]["error"]
    assert "Blekinge" in lines[2]["answer"]


def test_the_command_line_reads_pasted_markup_as_the_bot_does():
    p = run("ask", "--json", "--today", "2026-11-24",
            "<b>hej</b> &amp; tack – när ska R\u200bSA rap\u00adporteras?")  # fmt: skip
    obj = json.loads(p.stdout)
    assert obj["question"] == "hej & tack – när ska RSA rapporteras?"
    assert obj["kind"] == "deadline" and "31 oktober 2027" in obj["answer"]


def test_a_date_beyond_planning_is_refused_clearly():
    p = run("ask", "--today", "9999-12-31", "När ska RSA rapporteras?")
    assert p.returncode == 2 and "utanför" in p.stderr and "Traceback" not in p.stderr


def test_an_overlong_question_is_read_up_to_telegrams_limit_with_a_note():
    long = "När ska RSA rapporteras? " + "bla " * 30_000
    p = run("ask", "--json", "--today", "2026-11-24", long)
    assert p.returncode == 0 and "bara de första 4096 läses" in p.stderr
    obj = json.loads(p.stdout)
    assert len(obj["question"]) == 4096 and obj["answer"]  # an answer, not a 30-second wait


def test_a_chart_into_a_missing_folder_names_the_folder_and_creates_nothing(tmp_path):
    folder = tmp_path / "finns-inte" / "heller"
    p = run("chart", str(folder / "diagram.png"))
    assert p.returncode == 2 and "Traceback" not in p.stderr
    assert p.stderr.strip().splitlines() == [
        f"Diagrammet kunde inte sparas: mappen {folder} finns inte. Skapa den först "
        f"(mkdir -p {folder}) eller välj en befintlig mapp."
    ]
    assert p.stdout == "" and not (tmp_path / "finns-inte").exists()


def test_a_chart_must_be_a_png_file(tmp_path):
    p = run("chart", str(tmp_path / "diagram.jpg"))
    assert p.returncode == 2 and "Traceback" not in p.stderr
    assert "slutar på .png" in p.stderr and str(tmp_path / "diagram.png") in p.stderr
    assert list(tmp_path.iterdir()) == []
    p = run("chart", str(tmp_path))
    assert p.returncode == 2 and f"{tmp_path} är en mapp" in p.stderr
    (tmp_path / "fil").write_text("")
    p = run("chart", str(tmp_path / "fil" / "diagram.png"))
    assert p.returncode == 2 and "är en fil, inte en mapp" in p.stderr
    p = run("chart", str(tmp_path / "Diagram.PNG"))  # any case of the suffix
    assert p.returncode == 0, p.stderr
    assert (tmp_path / "Diagram.PNG").read_bytes().startswith(b"\x89PNG")


def test_numbers_beyond_any_plan_get_an_answer_not_a_crash():
    for question in ("Om " + "9" * 400 + " miljoner fördelas, vad får Skåne?",
                     "Vilka frister har vi de närmaste 9000 åren?",
                     "vilka frister kommer de närmaste 999999 månaderna"):  # fmt: skip
        p = run("ask", "--json", "--today", "2026-11-24", question)
        assert p.returncode == 0 and "Traceback" not in p.stderr, question
        assert json.loads(p.stdout)["answer"]


def test_jsonl_sessions_are_conversations_and_plain_lines_stand_alone(assistant):
    lines = [
        {"session": "x", "question": "När ska indikatorerna lämnas?"},
        {"session": 7, "question": "Hur mycket får Region Uppsala?"},
        {"session": "x", "question": "till vem?"},
        "till vem?",  # no session: no context, as every line before sessions existed
        {"session": 7, "question": "och Skåne då?"},
        '{"session": "x", "question": ',
        {"session": "x"},
        {"session": [1], "question": "hej"},
    ]
    stdin = "\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines) + "\n"
    p = run("ask", "--jsonl", "--today", "2026-11-24", stdin=stdin)
    assert p.returncode == 0, p.stderr
    out = [json.loads(line) for line in p.stdout.splitlines()]
    assert len(out) == len(lines)
    assert out[2]["question"] == "till vem?" and "Mottagare: MSB" in out[2]["answer"]
    assert "Mottagare" not in out[3]["answer"]
    assert "Region Skåne får 41 911 938 kr" in out[4]["answer"]
    assert out[5] == {"line": 6, "error": out[5]["error"]} and "JSON" in out[5]["error"]
    assert out[6]["line"] == 7 and "question" in out[6]["error"]
    assert out[7]["line"] == 8 and "session" in out[7]["error"]


def test_the_terminal_chat_follows_up_on_its_last_answer():
    p = run("--today", "2026-11-24", stdin="Hur mycket får Region Uppsala?\noch per invånare?\n")
    assert p.returncode == 0, p.stderr
    second = p.stdout.split("Region Uppsala får", 2)[2]  # the second answer
    assert "Per invånare: 41,31 kr" in second
