"""The terminal chat as a person uses it: in a pseudo-terminal (line editing, history,
wrapping, the ways out) and through the CLI's own functions."""

from __future__ import annotations

import fcntl
import io
import os
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

from bot import cli

ROOT = Path(__file__).resolve().parent.parent
QUESTION = "Vad ska regionen göra med privata aktörer?"  # a long list item in the answer
ANSI = re.compile(rb"\x1b(?:\[[0-9;?]*[A-Za-z]|[=>])")


# --- wrapping -------------------------------------------------------------------------


def test_wrapping_keeps_words_and_list_indentation():
    text = (
        "Frister:\n"
        "• 15 februari 2027 (om 83 dagar): Årlig uppföljning av händelser, aktiviteter "
        "och ekonomi till Socialstyrelsen\n"
        "c) Regionen påbörjar under 2023 identifieringen av de privata aktörer som "
        "regionen har störst beroenden av\n"
        "\n"
        "12. Sista punkten i en lång numrerad lista som inte får plats på en rad"
    )
    out = cli.wrap(text, 40)
    lines = out.split("\n")
    assert all(len(line) <= 40 for line in lines), out
    assert out.split() == text.split()  # only white space changes
    assert lines[0] == "Frister:" and "" in lines  # short lines and blank lines as they were
    bullet = lines.index(next(x for x in lines if x.startswith("• ")))
    assert lines[bullet + 1].startswith("  ") and lines[bullet + 1][2] != " "
    letter = lines.index(next(x for x in lines if x.startswith("c) ")))
    assert lines[letter + 1].startswith("   ") and lines[letter + 1][3] != " "
    numbered = lines.index(next(x for x in lines if x.startswith("12. ")))
    assert lines[numbered + 1].startswith("    ") and lines[numbered + 1][4] != " "


def test_wrapping_never_breaks_an_address_or_an_amount():
    url = "https://www.msb.se/sv/amnesomraden/krisberedskap--civilt-forsvar/risk-och-sarbarhetsanalyser/"
    mail = "registrator.kansliet-for-beredskap@socialstyrelsen.se"
    text = (f"Läs mer på {url} eller skriv till {mail} om risk- och sårbarhetsanalysen. "
            "Region Blekinge får 10 481 450 kr, 1,9 % av befolkningen.")  # fmt: skip
    for width in (20, 33, 47, 60):
        out = cli.wrap(text, width)
        lines = out.split("\n")
        assert out.split() == text.split(), width
        assert url in lines and any(mail in line.split() for line in lines), width
        assert any("10 481 450 kr" in line for line in lines), width
        assert any("1,9 %" in line for line in lines), width
        # only the address longer than the width overflows, on a line of its own
        assert all(len(x) <= width for x in lines if x not in (url, mail)), width


def test_wrapping_does_not_split_at_hyphens():
    text = "Överenskommelse – Hälso- och sjukvårdens arbete med civilt försvar 2023-11-24"
    lines = cli.wrap(text, 30).split("\n")
    assert all(not line.endswith("-") or line.endswith(" Hälso-") for line in lines)
    assert any("2023-11-24" in line for line in lines)


def test_answers_are_not_wrapped_into_a_pipe(monkeypatch):
    monkeypatch.setattr(sys, "stdout", io.StringIO())
    long = "x " * 200
    assert cli._for_reading(long) == long


# --- the ways out, and line editing where there is readline -----------------------------


@pytest.mark.parametrize(
    "line", ["exit", "QUIT", "avsluta", " Avsluta! ", "exit.", "/quit", "Avsluta…"]
)
def test_exit_words_end_the_chat(line):
    assert cli.is_exit(line)


@pytest.mark.parametrize(
    "line", ["hur avslutar jag avtalet?", "avsluta avtalet", "exit-strategi", ""]
)
def test_a_question_with_the_word_is_still_a_question(line):
    assert not cli.is_exit(line)


class Recording:
    def __init__(self, interrupt_on: str | None = None):
        self.asked: list[str] = []
        self.interrupt_on = interrupt_on

    def ask(self, question, today, topic=None):
        from bot.engine.answer import Answer

        if question == self.interrupt_on:
            raise KeyboardInterrupt
        self.asked.append(question)
        return Answer(f"svar på {question}", True, "test")


def test_an_exit_word_ends_a_piped_chat_and_the_rest_is_not_read(monkeypatch, capsys):
    fake = Recording()
    monkeypatch.setattr(cli, "_assistant", lambda: fake)
    monkeypatch.setattr(sys, "stdin", io.StringIO("hej\n  Avsluta!\nnär ska RSA rapporteras?\n"))
    assert cli.chat(cli.DATE_RANGE[0]) == 0
    assert fake.asked == ["hej"]
    assert "svar på hej" in capsys.readouterr().out


def test_ctrl_c_while_answering_ends_the_chat_without_a_traceback(monkeypatch, capsys):
    fake = Recording(interrupt_on="långsam fråga")
    monkeypatch.setattr(cli, "_assistant", lambda: fake)
    monkeypatch.setattr(sys, "stdin", io.StringIO("hej\nlångsam fråga\nefteråt\n"))
    assert cli.chat(cli.DATE_RANGE[0]) == 0
    assert fake.asked == ["hej"]


def test_without_readline_the_chat_falls_back_to_plain_input(monkeypatch):
    monkeypatch.setitem(sys.modules, "readline", None)  # import readline → ImportError
    assert cli.line_editing() is False


# --- in a pseudo-terminal ----------------------------------------------------------------


class Terminal:
    """`python -m bot` on a pseudo-terminal of `cols` columns, as typed into."""

    def __init__(self, home: Path, cols: int = 60):
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, cols, 0, 0))
        env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
        # a home of its own (to look for history files in) and no user's key bindings
        env.update(TELEGRAM_BOT_TOKEN="", TERM="xterm", INPUTRC=os.devnull, HOME=str(home))
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bot", "--today", "2026-11-24"],
            stdin=slave, stdout=slave, stderr=slave,
            cwd=ROOT, env=env, start_new_session=True,
        )  # fmt: skip
        os.close(slave)
        self.seen = b""

    def read_until(self, done, timeout: float = 180) -> str:
        """Reads until done(text so far) holds; the text without terminal escapes."""
        deadline = time.monotonic() + timeout
        while not done(self.text):
            left = deadline - time.monotonic()
            assert left > 0, f"timed out; the terminal showed:\n{self.text[-1500:]}"
            if select.select([self.master], [], [], left)[0]:
                try:
                    chunk = os.read(self.master, 65536)
                except OSError:  # EIO: the program closed the terminal
                    chunk = b""
                assert chunk, f"the terminal closed; it showed:\n{self.text[-1500:]}"
                self.seen += chunk
        return self.text

    @property
    def text(self) -> str:
        return ANSI.sub(b"", self.seen).decode("utf-8", "replace").replace("\r", "")

    def prompts(self) -> int:
        return self.text.count("\n> ") + self.text.startswith("> ")

    def type(self, keys: str) -> None:
        os.write(self.master, keys.encode())

    def ask(self, keys: str) -> str:
        """Types `keys`, Enter, and returns what was shown until the next prompt."""
        before, n = len(self.text), self.prompts()
        self.type(keys + "\r")
        return self.read_until(lambda t: t.count("\n> ") > n)[before:]

    def exit_code(self) -> tuple[int, str]:
        """The exit code, and all the terminal showed (standard error too, as in a real one)."""
        try:
            self.proc.wait(timeout=30)
            while select.select([self.master], [], [], 0.2)[0]:  # what is left to show
                try:
                    chunk = os.read(self.master, 65536)
                except OSError:  # EIO: all shown
                    break
                if not chunk:
                    break
                self.seen += chunk
        finally:
            os.close(self.master)
        return self.proc.returncode, self.text


@pytest.fixture
def home(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    return home


@pytest.fixture
def terminal(home):
    term = Terminal(home)
    term.read_until(lambda t: "\n> " in t)
    yield term
    if term.proc.poll() is None:
        term.proc.kill()
        term.exit_code()


def _answer_lines(shown: str, question: str) -> list[str]:
    lines = shown.split("\n")
    start = next(i for i, line in enumerate(lines) if line.endswith(question)) + 1
    return [line for line in lines[start:] if line.strip() != ">"]


def test_the_terminal_wraps_answers_to_its_width_and_a_pipe_gets_them_whole(terminal):
    shown = _answer_lines(terminal.ask(QUESTION), QUESTION)
    assert all(len(line) <= 60 for line in shown), "\n".join(shown)
    assert any(line.startswith("c) ") for line in shown)
    assert any(line.startswith("   ") and line[3] != " " for line in shown)  # under "c) "
    piped = subprocess.run(
        [sys.executable, "-m", "bot", "ask", "--today", "2026-11-24", QUESTION],
        capture_output=True, text=True, timeout=120, cwd=ROOT,
        env={**os.environ, "TELEGRAM_BOT_TOKEN": "", "COLUMNS": "60"},
    ).stdout  # fmt: skip
    assert any(len(line) > 60 for line in piped.splitlines())  # a pipe is never wrapped
    assert " ".join(shown).split() == piped.split()  # the same answer, only re-broken


def test_line_editing_history_and_avsluta(terminal, home):
    pytest.importorskip("readline")
    first = terminal.ask(QUESTION)
    again = terminal.ask("\x1b[A")  # ↑: the question before, from the session's history
    assert QUESTION in again
    assert _answer_lines(again, QUESTION) == _answer_lines(first, QUESTION)
    hello = terminal.ask("hj\x1b[De")  # "hj", ←, "e": edited into "hej"
    assert "Prova till exempel" in hello
    terminal.type("  Avsluta!\r")
    code, shown = terminal.exit_code()
    assert code == 0 and "Traceback" not in shown
    # the history lived in memory only: no file under the user's home holds a question
    for path in home.rglob("*"):
        if path.is_file():
            assert b"akt\xc3\xb6rer" not in path.read_bytes(), path
            assert "history" not in path.name, path


def test_ctrl_d_at_the_prompt_ends_the_chat(terminal):
    terminal.type("\x04")
    code, shown = terminal.exit_code()
    assert code == 0 and "Traceback" not in shown


def test_ctrl_c_at_the_prompt_ends_the_chat(terminal):
    # CPython's readline misses a signal that lands between showing the prompt and
    # waiting for a key, which no person can hit: give it a moment to wait
    time.sleep(0.5)
    terminal.proc.send_signal(signal.SIGINT)  # what the terminal sends for Ctrl-C
    code, shown = terminal.exit_code()
    assert code == 0 and "Traceback" not in shown and "KeyboardInterrupt" not in shown
