"""python -m benchmarks [--quick] [--dev ../shared/eval/dev.yaml]

Answer latency (ours and two baselines, same run, same questions), dev-set scores, index
build time and size, the running bot's peak RSS, Telegram throughput and a reminder run
under the rate limiter, on SQLite and on PostgreSQL (skipped, with the reason printed,
when no server can be had). The last line is a machine-readable summary.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from . import build as build_bench
from . import latency as lat
from .questions import DEFAULT_DEV, all_questions, load_dev

FULL = {"rounds": 5, "messages": 300, "subscribers": 5000}
QUICK = {"rounds": 2, "messages": 60, "subscribers": 300}


def _ms(x: lat.Latency) -> str:
    return f"p50 {x.p50_ms:6.2f} ms  p95 {x.p95_ms:6.2f} ms  max {x.max_ms:6.2f} ms  (n={x.n})"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    ap.add_argument("--dev", type=Path, default=DEFAULT_DEV, help="the eval's question file")
    ap.add_argument("--quick", action="store_true", help="short run: fewer rounds and sends")
    ap.add_argument("--rounds", type=int, help="timed passes over the questions")
    ap.add_argument("--messages", type=int, help="messages sent through the Telegram stack")
    ap.add_argument("--subscribers", type=int, help="subscribers in the reminder run")
    args = ap.parse_args(argv)
    sizes = dict(QUICK if args.quick else FULL)
    for name in sizes:
        if getattr(args, name) is not None:
            sizes[name] = getattr(args, name)

    items = load_dev(args.dev)
    questions = all_questions(items)
    started = time.perf_counter()
    print(f"Frågor: {len(items)} ur {args.dev} + varianter = {len(questions)}", flush=True)

    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        root = Path(tmp)
        os.environ["INDEX_DIR"] = str(root / "index")  # never the user's cache
        cached = bool(args.quick and os.environ.get("EMBEDDING_CACHE"))
        if not cached:  # a build from scratch embeds every sentence
            os.environ["EMBEDDING_CACHE"] = str(root / "vectors.sqlite3")
        b = build_bench.measure(root)
        print(
            f"Index: bygge från början {b.scratch_s:.2f} s"
            + (" (vektorer ur cachen)" if cached else " (alla meningar inbäddade)")
            + f", inkrementellt {b.incremental_s:.2f} s,"
            f" oförändrat {b.noop_s:.3f} s, storlek {b.size_mb:.1f} MB",
            flush=True,
        )
        first_s = None if args.quick else build_bench.first_answer(root / "fresh")
        if first_s is not None:
            print(f"Första svaret på en ny installation (bygge inräknat): {first_s:.1f} s")

        import knowledge
        from bot.engine.assistant import Assistant
        from index.search import Searcher

        kb = knowledge.load()
        assistant = Assistant(kb, Searcher(kb, root / "index"))
        ours = lat.ours(assistant)
        cold = lat.first_pass(ours, questions)
        results = {"ours": lat.measure(ours, questions, sizes["rounds"])}
        scores = {"ours": lat.score(ours, items)}
        baselines = {
            "whoosh": lat.WhooshBaseline(kb),
            "fts5": lat.Fts5Baseline(kb),
            "dense": lat.DenseBaseline(assistant.searcher),
        }
        for name, f in baselines.items():
            results[name] = lat.measure(f, questions, sizes["rounds"])
            scores[name] = lat.score(f, items)
        n = len(items)
        print(f"Svarstid, första gången (kall cache): {_ms(cold)}")
        for name, label in (("ours", "vår"), ("whoosh", "Whoosh"), ("fts5", "FTS5"),
                            ("dense", "e5")):
            print(f"Svarstid {label:7s} {_ms(results[name])}  dev {scores[name]}/{n}")
        ratio_w = results["ours"].p95_ms / results["whoosh"].p95_ms
        ratio_f = results["ours"].p95_ms / results["fts5"].p95_ms
        print(f"Kvot p95 vår/Whoosh {ratio_w:.2f}, vår/FTS5 {ratio_f:.2f}", flush=True)

        qfile = root / "questions.json"
        qfile.write_text(json.dumps(questions, ensure_ascii=False), encoding="utf-8")
        proc = subprocess.run(
            [sys.executable, "-m", "benchmarks.telegram", "--questions", str(qfile),
             "--messages", str(sizes["messages"]), "--subscribers", str(sizes["subscribers"])],
            capture_output=True, text=True, cwd=Path(__file__).resolve().parent.parent,
        )  # fmt: skip
        if proc.returncode != 0:
            sys.stderr.write(proc.stderr[-3000:])
            raise SystemExit("benchmarks: Telegram-delen misslyckades")
        for line in proc.stderr.splitlines():  # e.g. why PostgreSQL was skipped
            if line.startswith("PostgreSQL skipped"):
                print(line)
        tg = json.loads(proc.stdout.strip().splitlines()[-1])

    rem = tg["reminders"]
    print(f"Telegram: {tg['msgs_per_s']:.1f} svar/s ({sizes['messages']} meddelanden)")
    print(
        f"Påminnelser: {rem['sent']}/{rem['subscribers']} på {rem['seconds']:.1f} s "
        f"= {rem['rate']:.1f} meddelanden/s; Telegrams gräns 30/s ger {rem['ideal_seconds']:.1f} s"
        f" ({rem['over_ideal_pct']:+.1f} %)"
    )
    pg, pg_fast, fast = tg.get("reminders_pg"), tg.get("reminders_pg_fast"), tg["reminders_fast"]
    pg_summary = ""
    if pg and pg_fast:
        ratio = pg["seconds"] / rem["seconds"]
        fast_ratio = pg_fast["seconds"] / fast["seconds"]
        print(
            f"Påminnelser i PostgreSQL: {pg['sent']}/{pg['subscribers']} på {pg['seconds']:.1f} s"
            f" = {pg['rate']:.1f} meddelanden/s, kvot PostgreSQL/SQLite {ratio:.3f}"
            f" (exakt en gång: {'ja' if pg['exactly_once'] else 'NEJ'})"
        )
        print(
            f"Utan hastighetsgräns ({fast['subscribers']} chattar, 1000/s): SQLite "
            f"{fast['seconds']:.2f} s, PostgreSQL {pg_fast['seconds']:.2f} s, "
            f"kvot {fast_ratio:.2f}"
        )
        pg_summary = (
            f" pg_reminder_s={pg['seconds']:.1f} pg_vs_sqlite={ratio:.3f}"
            f" fast_sqlite_s={fast['seconds']:.2f} fast_pg_s={pg_fast['seconds']:.2f}"
            f" fast_pg_vs_sqlite={fast_ratio:.2f}"
        )
    else:
        print("Påminnelser i PostgreSQL: hoppades över (ingen server, se raden ovan)")
    print(f"Botens högsta RSS: {tg['rss_mb']:.0f} MB")
    print(f"Total tid: {time.perf_counter() - started:.0f} s")
    print(
        "summary:"
        f" p95_ms={results['ours'].p95_ms:.2f} p50_ms={results['ours'].p50_ms:.2f}"
        f" max_ms={results['ours'].max_ms:.2f}"
        f" whoosh_p95_ms={results['whoosh'].p95_ms:.2f} fts5_p95_ms={results['fts5'].p95_ms:.2f}"
        f" ratio_vs_whoosh={ratio_w:.2f} ratio_vs_fts5={ratio_f:.2f}"
        f" score={scores['ours']}/{n} whoosh_score={scores['whoosh']}/{n}"
        f" fts5_score={scores['fts5']}/{n} dense_p95_ms={results['dense'].p95_ms:.2f}"
        f" dense_score={scores['dense']}/{n}"
        + (f" first_answer_s={first_s:.1f}" if first_s is not None else "")
        + f" build_s={b.scratch_s:.2f} incremental_s={b.incremental_s:.2f}"
        f" index_mb={b.size_mb:.1f} rss_mb={tg['rss_mb']:.0f}"
        f" msgs_per_s={tg['msgs_per_s']:.1f} reminder_n={rem['sent']}"
        f" reminder_s={rem['seconds']:.1f} reminder_rate={rem['rate']:.1f}"
        f" reminder_vs_ideal_pct={rem['over_ideal_pct']:+.1f}" + pg_summary
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
