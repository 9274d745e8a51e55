"""The command line: the same answers as on Telegram, offline.

python -m bot                      chat in the terminal (Telegram if TELEGRAM_BOT_TOKEN is set);
                                   "avsluta", "exit", "quit", Ctrl-D or Ctrl-C ends it
python -m bot ask "fråga" [--json] one answer
python -m bot ask --jsonl          one JSON object per question read from standard input
--today YYYY-MM-DD                 fixes today's date (default: today in Europe/Stockholm)
"""

from __future__ import annotations

import argparse
import errno
import json
import logging
import os
import re
import shlex
import shutil
import sys
import textwrap
from datetime import date
from pathlib import Path

from knowledge import KnowledgeError

from .engine.dates import today as stockholm_today
from .engine.question_text import MAX_CHARS, clean
from .subscriptions.store_base import StoreUnavailable

# Dates further off than this cannot be planned with (and the next occurrences of a
# deadline must still fit in the calendar)
DATE_RANGE = (date(2000, 1, 1), date(2199, 12, 31))


def _date(text: str) -> date:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"ogiltigt datum {text!r}, använd ÅÅÅÅ-MM-DD") from None
    first, last = DATE_RANGE
    if not first <= day <= last:
        raise argparse.ArgumentTypeError(f"datumet {text} ligger utanför {first.year}–{last.year}")
    return day


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m bot",
        description="Beredskapsboten: frågor om uppgifter, frister, stöd och statsbidrag.",
    )
    p.add_argument("--today", type=_date, help="dagens datum (ÅÅÅÅ-MM-DD), för test och planering")
    sub = p.add_subparsers(dest="command")
    ask = sub.add_parser("ask", help="besvara en fråga (eller en per rad från standard in)")
    ask.add_argument("question", nargs="*", help="frågan")
    ask.add_argument("--json", action="store_true", help="skriv svaret som ett JSON-objekt")
    ask.add_argument(
        "--jsonl",
        action="store_true",
        help="läs frågor rad för rad från standard in, skriv ett JSON-objekt per rad",
    )
    ask.add_argument("--today", type=_date, dest="today_sub", help=argparse.SUPPRESS)
    chart = sub.add_parser("chart", help="rita tilldelningen per region som PNG")
    chart.add_argument("file", help="PNG-filen att skriva")
    chart.add_argument("--year", type=int, help="bidragsåret (standard: det senaste)")
    sub.add_parser("chat", help="chatta i terminalen")
    sub.add_parser("telegram", help="kör Telegram-boten (kräver TELEGRAM_BOT_TOKEN)")
    return p


def _assistant():
    from index.__main__ import progress

    from .engine.assistant import Assistant

    told: list[bool] = []

    def building(stage: str, n: int, total: int) -> None:
        if not told:  # only a build reports progress: the first start, or new documents
            print("Bygger sökindexet (första gången tar det upp till en minut) …",
                  file=sys.stderr, flush=True)  # fmt: skip
            told.append(True)
        progress(stage, n, total)

    return Assistant.create(building)


# A list item's continuation lines start under its text: "• ", "1. ", "c) ", "- "
_ITEM = re.compile(r"\s*(?:[•\-–*]|\d{1,2}[.)]|[a-zåäö]\))\s+")
# Spaces that must not end a line: inside an amount ("10 481 450 kr", "1,9 %")
_HELD_SPACE = re.compile(r"(?<=\d) (?=\d{3}(?!\d))|(?<=\d) (?=kr\b|%)")
_HELD = "\ue000"  # a private-use stand-in: textwrap breaks only at ASCII white space


def wrap(text: str, width: int) -> str:
    """The text wrapped to `width` columns for reading in a terminal. Words are never
    split, nor at hyphens, so a URL or an e-mail address stays whole (on a line of its
    own if it is longer than the width); list items keep their hanging indent."""
    width = max(width, 20)
    lines = []
    for line in text.split("\n"):
        if len(line) <= width:
            lines.append(line)
            continue
        item = _ITEM.match(line)
        indent = " " * item.end() if item else line[: len(line) - len(line.lstrip())]
        held = _HELD_SPACE.sub(_HELD, line)
        lines += [
            part.replace(_HELD, " ")
            for part in textwrap.wrap(
                held, width, subsequent_indent=indent,
                break_long_words=False, break_on_hyphens=False,
            )
        ]  # fmt: skip
    return "\n".join(lines)


def _for_reading(text: str) -> str:
    """Wrapped when a person reads it in a terminal; exactly as is when it goes into a
    pipe or a file (what scripts and run_eval.py read)."""
    if not sys.stdout.isatty():
        return text
    return wrap(text, shutil.get_terminal_size().columns)


def _print_answer(answer, question: str, as_json: bool) -> None:
    if as_json:
        print(json.dumps(answer.as_json(question), ensure_ascii=False), flush=True)
    else:
        print(_for_reading(answer.full_text()), flush=True)


def _safe_ask(assistant, question: str, today: date, topic=None):
    """One failing question must not end a chat or a --jsonl batch: it is answered with
    the apology and the error goes to the log, never the question. `topic`: the last
    answer's, for a follow-up (bot/engine/conversation.py)."""
    from .engine.answer import FAILED, Answer
    from .telegram.texts import with_offers

    try:
        return with_offers(assistant.ask(question, today, topic), terminal=True)
    except Exception as exc:
        logging.getLogger(__name__).error("Could not answer: %s", type(exc).__name__, exc_info=exc)
        return Answer(FAILED, False, "error")


def _capped(question: str, line: int | None = None) -> str:
    """As in Telegram, a question is at most MAX_CHARS long: the rest is not read (and
    the user is told, on stderr so that JSON output stays JSON)."""
    if len(question) <= MAX_CHARS:
        return question
    where = f"Rad {line}: f" if line else "F"
    print(f"{where}rågan är {len(question)} tecken lång; bara de första {MAX_CHARS} läses.",
          file=sys.stderr)  # fmt: skip
    return question[:MAX_CHARS]


def _jsonl_line(line: str) -> tuple[str, str | None]:
    """A line is a question, or a JSON object {"question": …, "session": …}: questions
    of one session are a conversation (follow-ups lean on the session's last answer);
    plain lines stand alone. Raises ValueError (in Swedish) for a malformed object."""
    if not line.lstrip().startswith("{"):
        return line, None
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ValueError(f"raden är inte giltig JSON ({exc.msg}, tecken {exc.pos + 1})") from None
    question, session = (
        (obj.get("question"), obj.get("session")) if isinstance(obj, dict) else (None, None)
    )
    if not isinstance(question, str):
        raise ValueError('objektet saknar "question" (en text)')
    if session is not None and not isinstance(session, str | int):
        raise ValueError('"session" ska vara en text eller ett tal')
    return question, None if session is None else str(session)


def _jsonl(assistant, today: date) -> int:
    """One JSON answer per line of stdin, read as bytes: a line that is not UTF-8 or a
    malformed object gets an error object (with its line number) and the rest are
    answered."""
    from .engine.conversation import Conversations

    sessions = Conversations()
    for n, raw in enumerate(sys.stdin.buffer, 1):
        try:
            question, session = _jsonl_line(raw.decode("utf-8").rstrip("\r\n"))
        except UnicodeDecodeError as exc:
            error = {"line": n, "error": f"raden är inte giltig UTF-8 (byte {exc.start + 1})"}
            print(json.dumps(error, ensure_ascii=False), flush=True)
            continue
        except ValueError as exc:
            print(json.dumps({"line": n, "error": str(exc)}, ensure_ascii=False), flush=True)
            continue
        question = _capped(clean(question), n)
        topic = sessions.get(session) if session is not None else None
        answer = _safe_ask(assistant, question, today, topic)
        if session is not None:
            sessions.put(session, answer.topic)
        _print_answer(answer, question, True)
    return 0


def ask(args, today: date) -> int:
    assistant = _assistant()
    if args.jsonl:
        return _jsonl(assistant, today)
    question = _capped(clean(" ".join(args.question)))
    if not question:
        print('Skriv en fråga: python -m bot ask "När ska RSA rapporteras?"', file=sys.stderr)
        return 2
    _print_answer(assistant.ask(question, today), question, args.json)
    return 0


_EXIT = re.compile(r"[\W_]*(?:avsluta|exit|quit)[\W_]*", re.IGNORECASE)


def is_exit(line: str) -> bool:
    """ "avsluta", "Exit!", " quit. " end the chat; a question that merely contains the
    word does not."""
    return _EXIT.fullmatch(line) is not None


def line_editing() -> bool:
    """Arrow keys, editing and the session's earlier questions (↑) through readline where
    the platform has it; plain input() where not. The history stays in memory: nothing
    here ever writes it to a file, since questions are never stored."""
    try:
        import readline
    except ImportError:
        return False
    # Tab would otherwise complete file names into the question
    readline.set_completer(lambda text, state: None)
    return True


def chat(today: date) -> int:
    interactive = sys.stdin.isatty()
    try:
        assistant = _assistant()
        if interactive:
            line_editing()
            print(_for_reading("Beredskapsboten – skriv en fråga (”hjälp” för exempel, "
                               "”avsluta” eller Ctrl-D för att sluta)."))  # fmt: skip
        topic = None  # the last answer's, for a follow-up ("och Skåne då?"); memory only
        while True:
            try:
                line = input("> " if interactive else "")
            except EOFError:
                if interactive:
                    print()
                return 0
            line = _capped(clean(line))
            if is_exit(line):
                return 0
            if not line:
                continue
            answer = _safe_ask(assistant, line, today, topic)
            topic = answer.topic
            print(_for_reading(answer.full_text()), end="\n\n", flush=True)
    except KeyboardInterrupt:  # Ctrl-C at the prompt, mid-answer or while the index builds
        print()
        return 0


def chart_file_problem(file: str) -> str | None:
    """Why the chart cannot be written to `file`, in Swedish, or None. Checked before
    drawing. A missing folder is not created: it is most often a typing error, and
    `mkdir -p` would quietly grow a tree in the wrong place, so the user is told which
    folder is missing and how to create it."""
    path = Path(file)
    if file.endswith(("/", os.sep)) or path.is_dir():
        return f"{file} är en mapp. Ange en fil i den, till exempel {path / 'tilldelning.png'}."
    if path.suffix.lower() != ".png":
        return (f"Diagrammet blir en PNG-bild: ge filen ett namn som slutar på .png, till "
                f"exempel {path.with_suffix('.png')}.")  # fmt: skip
    folder = path.parent
    if not folder.exists():
        return (f"Diagrammet kunde inte sparas: mappen {folder} finns inte. Skapa den först "
                f"(mkdir -p {shlex.quote(str(folder))}) eller välj en befintlig mapp.")  # fmt: skip
    if not folder.is_dir():
        return f"Diagrammet kunde inte sparas: {folder} är en fil, inte en mapp."
    return None


def _write_error(file: str, exc: OSError) -> str:
    folder = Path(file).parent
    why = {
        errno.EACCES: f"du saknar behörighet att skriva i {folder}",
        errno.EPERM: f"du saknar behörighet att skriva i {folder}",
        errno.EROFS: f"{folder} ligger på ett skrivskyddat filsystem",
        errno.ENOSPC: "disken är full",
        errno.ENAMETOOLONG: "filnamnet är för långt",
    }.get(exc.errno or 0, f"systemet svarade ”{exc.strerror or exc}”")  # (0: no such errno)
    return f"Diagrammet kunde inte sparas i {file}: {why}."


def chart(args) -> int:
    import knowledge

    from .engine.chart import allocation_chart_png

    problem = chart_file_problem(args.file)
    if problem:
        print(problem, file=sys.stderr)
        return 2
    try:
        png = allocation_chart_png(knowledge.load(), args.year)
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2
    try:
        with open(args.file, "wb") as fh:
            fh.write(png)
    except OSError as exc:  # e.g. no write permission, or a full disk
        print(_write_error(args.file, exc), file=sys.stderr)
        return 2
    print(f"Diagrammet sparat i {args.file}")
    return 0


def _telegram() -> int:
    from .config import Config, ConfigError
    from .telegram.app import InvalidToken, NetworkError, run_telegram  # Telegram's own

    try:
        config = Config.from_env()
    except ConfigError as exc:
        print(f"Boten startar inte: {exc}", file=sys.stderr)
        return 2
    try:
        run_telegram(config)
        return 0
    except InvalidToken:  # its message holds the token: never printed
        print("Boten startar inte: Telegram avvisade TELEGRAM_BOT_TOKEN. Kontrollera den hos "
              "@BotFather (/mybots → API Token) och sätt den igen.", file=sys.stderr)  # fmt: skip
        return 5
    except NetworkError as exc:  # at start: no Bot API to talk to
        print(f"Boten startar inte: Bot API på {config.api_root} går inte att nå ({exc}). "
              "Kontrollera nätet eller TELEGRAM_API_BASE_URL.", file=sys.stderr)  # fmt: skip
        return 6


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(
        level=os.environ.get("LOG_LEVEL", "WARNING"),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    args = parser().parse_args(argv)
    today = getattr(args, "today_sub", None) or args.today or stockholm_today()
    command = args.command
    if command is None:
        command = "telegram" if os.environ.get("TELEGRAM_BOT_TOKEN") else "chat"
    try:
        if command == "ask":
            return ask(args, today)
        if command == "chat":
            return chat(today)
        if command == "chart":
            return chart(args)
        return _telegram()
    except BrokenPipeError:  # output piped into e.g. `head`, which stopped reading
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:  # Ctrl-C during `ask` or `chart`: stopped, not a crash
        print(file=sys.stderr)
        return 130
    except KnowledgeError as exc:
        print(f"Kunskapsbasen är felaktig och boten startar inte: {exc}", file=sys.stderr)
        return 3
    except StoreUnavailable as exc:
        hint = (
            "Kontrollera DATABASE_URL och att PostgreSQL-servern är igång och nåbar."
            if exc.backend == "PostgreSQL"
            else "Kontrollera behörigheterna, eller sätt DATABASE_PATH till en fil i en mapp "
            "som boten får skriva i."
        )
        print(f"Boten startar inte: {exc} {hint}", file=sys.stderr)
        return 4
