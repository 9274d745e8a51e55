"""python -m benchmarks.load [--quick] [--subscribers N] [--askers N] [--samples N]

Load on the real Telegram stack (bot.telegram.app.build_application against the fake
Bot API of tests/fake_bot_api.py on 127.0.0.1), under the real default AIORateLimiter
(30 messages/s overall, 1/s per chat - Telegram's limits):

1. one reminder run to N subscribers (benchmarks.telegram.reminder_run, which
   `python -m benchmarks` runs too): messages per second against Telegram's 30/s, and
   a check that every subscriber got exactly one message;
2. N users asking different questions at once (N chats, one update each): all answered,
   each exactly once in its own chat, and the time from the question to its answer
   (p50/p95/max);
3. the answering engine alone (Assistant.ask) over a random sample shaped like the
   property test's (tests/test_engine_properties.py): random Unicode up to 300 and
   up to 5,000 characters, and word salads of the domain's words. The slowest answer is
   the time bound no test asserts (the machine is shared and noisy).

The last line is a machine-readable summary. Exit status 1 if a check fails.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from datetime import date, datetime
from pathlib import Path

from bot.engine.dates import STOCKHOLM

# .telegram puts tests/ on the path for the fake Bot API; take it from there.
from .telegram import (
    AIORateLimiter,
    Clock,
    FakeBotApi,
    _run,
    reminder_run,
)

FULL = {"subscribers": 5000, "askers": 200, "samples": 600}
QUICK = {"subscribers": 300, "askers": 30, "samples": 90}
ASKED_AT = datetime(2026, 11, 24, 10, tzinfo=STOCKHOLM)
BANK = Path(__file__).resolve().parent.parent / "tests" / "data" / "questions.yaml"
WORDS = [
    "RSA",
    "när",
    "hur mycket",
    "får",
    "region",
    "vgr",
    "Gotland",
    "om",
    "500 miljoner",
    "kostar",
    "stöd",
    "uppgifter",
    "2026",
    "inom",
    "tre månader",
    "<b>",
    "&",
    "🙂",
    "\x00",
    "NSPL",
    "grundbelopp",
    "insats 9",
    "insats 3",
    "nästa",
    "frist",
    "?",
    "-",
    "kr",
]  # fmt: skip  (the property test's words)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


# -- 2. many askers at once -----------------------------------------------------------


def distinct_questions(n: int) -> list[str]:
    import yaml

    bank = [item["q"] for item in yaml.safe_load(BANK.read_text(encoding="utf-8"))]
    forms = (
        lambda q: q,
        lambda q: q.lower().rstrip("?"),
        lambda q: f"Hej! {q}",
        lambda q: f"{q} Tack på förhand.",
        lambda q: f"{q} (fråga {n})",
    )
    found = list(dict.fromkeys(form(q) for form in forms for q in bank))
    i = 0
    while len(found) < n:  # more askers than wordings: number them
        found.append(f"{bank[i % len(bank)]} #{i}")
        i += 1
    return found[:n]


async def askers(assistant, n: int, db: Path) -> dict:
    """`n` chats each send one different question at the same moment; the time to answer
    is from the push to the first sendMessage to that chat reaching the server."""
    api = FakeBotApi().start()
    chats = [4_000_000 + i for i in range(n)]
    questions = distinct_questions(n)
    try:

        async def body(app, store):
            pushed = {}
            for chat, q in zip(chats, questions, strict=True):
                pushed[chat] = time.monotonic()
                api.push_text(chat, q)
            deadline = time.monotonic() + 120 + n
            while len({c.chat_id for c in api.sent("sendMessage")}) < n:
                if time.monotonic() > deadline:
                    break
                await asyncio.sleep(0.02)
            await asyncio.sleep(0.5)  # any extra (duplicate) message would land now
            return pushed

        limiter = AIORateLimiter(max_retries=0)
        pushed = await _run(api, db, assistant, Clock(ASKED_AT), limiter, body)
        calls = api.sent("sendMessage")
    finally:
        api.stop()
    first: dict[int, float] = {}
    replies = Counter()
    for c in calls:
        first.setdefault(c.chat_id, c.at)
        replies[c.chat_id] += 1
    waits = [first[c] - pushed[c] for c in chats if c in first]
    # Long answers come in parts: "once" means one reply per chat, i.e. the first part
    # of exactly one answer (the parts of one answer go out back to back).
    answered_once = set(first) == set(chats) and all(
        calls_for(calls, c) == expected_parts(assistant, q)
        for c, q in zip(chats, questions, strict=True)
    )
    return {
        "askers": n,
        "answered": len(first),
        "exactly_once": answered_once,
        "p50_s": statistics.median(waits) if waits else float("nan"),
        "p95_s": pct(waits, 0.95) if waits else float("nan"),
        "max_s": max(waits, default=float("nan")),
        "messages": len(calls),
    }


def calls_for(calls, chat_id: int) -> list[str]:
    return [c.text for c in calls if c.chat_id == chat_id]


def expected_parts(assistant, question: str) -> list[str]:
    from bot.telegram.send import render_html, split_message, watchable

    answer = assistant.ask(question, ASKED_AT.date())
    return split_message(
        render_html(answer, watchable(answer, assistant.knowledge, ASKED_AT.date()))
    )


# -- 3. the engine over random text ----------------------------------------------------


def random_texts(n: int, seed: int = 20261124) -> list[str]:
    """Shaped like the property test's strategies, seeded so runs compare."""
    rng = random.Random(seed)

    def char() -> str:
        while True:
            c = chr(rng.choice((rng.randrange(0x20, 0x7F), rng.randrange(0xA0, 0x250),
                                rng.randrange(0x250, 0x30000))))  # fmt: skip
            if not 0xD800 <= ord(c) <= 0xDFFF:  # no lone surrogates (category Cs)
                return c

    texts = []
    for i in range(n):
        kind = i % 3
        if kind == 0:
            texts.append("".join(char() for _ in range(rng.randrange(0, 301))))
        elif kind == 1:
            texts.append(" ".join(rng.choice(WORDS) for _ in range(rng.randrange(0, 13))))
        else:
            texts.append("".join(char() for _ in range(rng.randrange(0, 5001))))
    texts += ["a" * 5000, " ".join(["RSA vgr när"] * 400)[:5000]]  # worst cases by hand
    return texts


def engine_bound(assistant, texts: list[str], today: date) -> dict:
    for t in texts[:20]:  # warm caches
        assistant.ask(t, today)
    times = []
    for t in texts:
        t0 = time.perf_counter()
        assistant.ask(t, today)
        times.append(time.perf_counter() - t0)
    worst = max(range(len(times)), key=times.__getitem__)
    return {
        "samples": len(texts),
        "max_s": times[worst],
        "p95_s": pct(times, 0.95),
        "worst_chars": len(texts[worst]),
    }


# -- the command ----------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.load", description=__doc__)
    ap.add_argument("--quick", action="store_true", help="small sizes (a minute or less)")
    ap.add_argument("--subscribers", type=int, help="chats in the reminder run")
    ap.add_argument("--askers", type=int, help="chats asking at the same moment")
    ap.add_argument("--samples", type=int, help="random texts for the engine's time bound")
    args = ap.parse_args(argv)
    sizes = dict(QUICK if args.quick else FULL)
    for name in sizes:
        if getattr(args, name) is not None:
            sizes[name] = getattr(args, name)
    started = time.perf_counter()

    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        root = Path(tmp)
        os.environ["INDEX_DIR"] = str(root / "index")  # never the user's cache
        from bot.engine.assistant import Assistant

        assistant = Assistant.create()
        eng = engine_bound(assistant, random_texts(sizes["samples"]), ASKED_AT.date())
        print(
            f"Motorn, {eng['samples']} slumptexter: längsta svarstid {eng['max_s'] * 1000:.1f} ms"
            f" ({eng['worst_chars']} tecken), p95 {eng['p95_s'] * 1000:.2f} ms",
            flush=True,
        )
        ask = asyncio.run(askers(assistant, sizes["askers"], root / "a.db"))
        print(
            f"Samtidiga frågor: {ask['answered']}/{ask['askers']} besvarade"
            f" ({'var och en exakt en gång' if ask['exactly_once'] else 'FEL: saknas/dubbletter'}),"
            f" tid till svar p50 {ask['p50_s']:.2f} s, p95 {ask['p95_s']:.2f} s,"
            f" max {ask['max_s']:.2f} s ({ask['messages']} meddelanden, gräns 30/s)",
            flush=True,
        )
        rem = asyncio.run(reminder_run(assistant, sizes["subscribers"], root / "r.db"))
        print(
            f"Påminnelser: {rem['sent']}/{rem['subscribers']} på {rem['seconds']:.1f} s"
            f" = {rem['rate']:.1f} meddelanden/s (Telegrams gräns 30/s ger"
            f" {rem['ideal_seconds']:.1f} s);"
            f" {'exakt en per prenumerant' if rem['exactly_once'] else 'FEL: inte exakt en var'}",
            flush=True,
        )
    print(f"Total tid: {time.perf_counter() - started:.0f} s")
    ok = rem["exactly_once"] and ask["exactly_once"]
    print(
        "summary:"
        f" reminder_n={rem['sent']} reminder_s={rem['seconds']:.1f}"
        f" reminder_rate={rem['rate']:.1f} reminder_exactly_once={int(rem['exactly_once'])}"
        f" askers={ask['askers']} answered={ask['answered']}"
        f" askers_exactly_once={int(ask['exactly_once'])}"
        f" answer_p50_s={ask['p50_s']:.3f} answer_p95_s={ask['p95_s']:.3f}"
        f" answer_max_s={ask['max_s']:.3f}"
        f" engine_samples={eng['samples']} engine_max_s={eng['max_s']:.4f}"
        f" engine_p95_s={eng['p95_s']:.4f}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
