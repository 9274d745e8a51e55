"""python -m benchmarks.scale [--sizes 1,10,50,200] [--quick]

How the assistant scales with the corpus. For each size (a multiple of today's source
text), synthetic documents are made by recombining whole sections of the shipped texts
(with a fixed seed) and written where `python -m index add` puts them; then, in a child
process per size so that its memory is its own:

- the full build from scratch, the index size, adding one more document (`ingest.add`);
- start-up to the first answer in a new process (`python -m bot ask`) on that index;
- RSS after opening the index and after a few hundred questions;
- p50/p95 answer time, beside plain Whoosh (stock Swedish analyzer, BM25F) over the same
  passages in the same process;
- dev, bank and held-out scores; Telegram answers/s through the real Application.

The recombined sections repeat sentences the model has embedded already, so the vectors
come from the shared cache (seeded by the 1x build): the build figures are the index's own
cost. What embedding new text costs is reported apart, as sentences per second of the
model, so that a corpus of new text can be estimated honestly.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EVAL = ROOT.parent / "shared" / "eval" / "dev.yaml"
BANK = ROOT / "tests" / "data" / "questions.yaml"
HELDOUT = ROOT / "tests" / "data" / "heldout.yaml"
DOC_CHARS = 26_000  # about the size of one synthetic document (847 at 200x)
SEED = 8


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def base_sections(kb) -> list[tuple[str, str]]:
    """(heading, text) of every section of the shipped texts."""
    from index.clean import split_sections

    return [(s.heading, s.text) for text in kb.texts.values() for s in split_sections(text)]


def synthetic(sections: list[tuple[str, str]], n: int, rng: random.Random) -> str:
    parts, size = [f"# Syntetiskt dokument {n}"], 0
    while size < DOC_CHARS:
        heading, text = rng.choice(sections)
        parts.append(f"## {heading}\n\n{text}")
        size += len(text)
    return "\n\n".join(parts) + "\n"


def make_corpus(data: Path, size: int) -> int:
    """A copy of the shipped knowledge with (size - 1) x its source text added as
    synthetic documents; returns how many were added."""
    import yaml

    import knowledge
    from knowledge.loader import ADDED, PACKAGE_DATA

    shutil.copytree(PACKAGE_DATA, data)
    kb = knowledge.load(data)
    sections = base_sections(kb)
    base_chars = sum(len(t) for t in kb.texts.values())
    rng = random.Random(SEED)
    folder = data / ADDED
    folder.mkdir(exist_ok=True)
    n, written = 0, 0
    while written < (size - 1) * base_chars:
        n += 1
        text = synthetic(sections, n, rng)
        written += len(text)
        doc_id = f"syntetiskt-{n:04d}"
        (folder / f"{doc_id}.md").write_text(text, encoding="utf-8")
        meta = {"id": doc_id, "title": f"Syntetiskt dokument {n}", "publisher": "Benchmark",
                "kind": "tillagt dokument (md)", "file": f"{ADDED}/{doc_id}.md"}  # fmt: skip
        (folder / f"{doc_id}.yaml").write_text(yaml.safe_dump(meta, allow_unicode=True))
    return n


def _questions(path: Path):
    from .questions import load_dev

    return load_dev(path) if path.is_file() else []


def child(size: int, work: Path, messages: int, rounds: int, quick: bool) -> dict:
    """Everything for one size, in this process (see the module docstring)."""
    data, index_dir = work / "knowledge", work / "index"
    docs = make_corpus(data, size)
    os.environ["KNOWLEDGE_DIR"], os.environ["INDEX_DIR"] = str(data), str(index_dir)

    import knowledge
    from index import builder, ingest

    from .build import size_mb

    out: dict = {"size": size, "documents": docs}
    kb = knowledge.load(data)
    out["text_mb"] = sum(len(t.encode()) for t in kb.texts.values()) / 1e6
    t0 = time.perf_counter()
    builder.build(kb, index_dir)
    out["build_s"] = time.perf_counter() - t0
    out["index_mb"] = size_mb(builder.index_home(index_dir))

    extra = work / "ett-till.md"
    extra.write_text(synthetic(base_sections(kb), 99_999, random.Random(SEED + 1)))
    t0 = time.perf_counter()
    ingest.add(extra, "Ett dokument till", "Benchmark", root=data, index_root=index_dir)
    out["add_one_s"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "bot", "ask", "När ska RSA rapporteras?"],
        check=True, capture_output=True, cwd=ROOT,
    )  # fmt: skip
    out["first_answer_s"] = time.perf_counter() - t0

    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.scale", "--answers", str(work),
         "--rounds", str(rounds), "--messages", str(messages), *(["--quick"] if quick else [])],
        capture_output=True, text=True, cwd=ROOT,
    )  # fmt: skip
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr[-3000:])
        raise SystemExit("benchmarks.scale: svarsdelen misslyckades")
    out.update(json.loads(proc.stdout.strip().splitlines()[-1]))
    return out


def answers(work: Path, messages: int, rounds: int, quick: bool) -> dict:
    """In a process of its own (its RSS is the bot's): open the index, answer, compare."""
    data, index_dir = work / "knowledge", work / "index"
    os.environ["KNOWLEDGE_DIR"], os.environ["INDEX_DIR"] = str(data), str(index_dir)
    import knowledge
    from bot.engine.assistant import Assistant
    from index.search import Searcher

    from . import latency as lat
    from .questions import all_questions

    out: dict = {"rss_before_mb": rss_mb()}
    t0 = time.perf_counter()
    kb = knowledge.load(data)
    searcher = Searcher(kb, index_dir)
    assistant = Assistant(kb, searcher)
    out["open_s"] = time.perf_counter() - t0
    out["passages"] = searcher.passages
    out["units"] = int(len(searcher.unit_doc))
    out["rss_open_mb"] = rss_mb()

    dev, bank, held = _questions(EVAL), _questions(BANK), _questions(HELDOUT)
    ours = lat.ours(assistant)
    # the dev questions with typo variants, the bank and the held-out set: over 1,000
    # answers in all, so that the RSS after them says whether memory stays bounded
    questions = all_questions(dev) + ([] if quick else [it.q for it in (*bank, *held)])
    times = lat.measure(ours, questions, rounds)
    out["p50_ms"], out["p95_ms"] = times.p50_ms, times.p95_ms
    for name, items in (("dev", dev), ("bank", bank), ("heldout", held)):
        out[name] = [lat.score(ours, items), len(items)]
    out["questions_asked"] = len(questions) * (rounds + 1) + len(dev) + len(bank) + len(held)
    out["rss_after_mb"] = rss_mb()

    whoosh = lat.WhooshBaseline(kb)
    wt = lat.measure(whoosh, questions, rounds)
    out["whoosh_p50_ms"], out["whoosh_p95_ms"] = wt.p50_ms, wt.p95_ms
    del whoosh

    qfile = work / "questions.json"
    qfile.write_text(json.dumps(questions, ensure_ascii=False), encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.telegram", "--questions", str(qfile),
         "--messages", str(messages), "--subscribers", "30"],
        capture_output=True, text=True, cwd=ROOT,
    )  # fmt: skip
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr[-3000:])
        raise SystemExit("benchmarks.scale: Telegram-delen misslyckades")
    out["msgs_per_s"] = json.loads(proc.stdout.strip().splitlines()[-1])["msgs_per_s"]
    return out


def model_rate(n: int = 64) -> float:
    """Sentences per second the embedding model manages here (one process, no cache)."""
    from index import embedding

    texts = [f"Mening nummer {i} om beredskap och civilt försvar i regionen." for i in range(n)]
    embedding.embedder().passages(texts[:4])  # loaded before the clock starts
    t0 = time.perf_counter()
    embedding.embedder().passages(texts)
    return n / (time.perf_counter() - t0)


ROWS = (
    ("documents", "dokument", "{:d}"),
    ("text_mb", "text (MB)", "{:.1f}"),
    ("passages", "passager", "{:d}"),
    ("units", "meningar (vektorer)", "{:d}"),
    ("p50_ms", "svar p50 (ms)", "{:.1f}"),
    ("p95_ms", "svar p95 (ms)", "{:.1f}"),
    ("whoosh_p50_ms", "Whoosh p50 (ms)", "{:.2f}"),
    ("whoosh_p95_ms", "Whoosh p95 (ms)", "{:.2f}"),
    ("p95_ratio", "p95 vår/Whoosh", "{:.1f}"),
    ("build_s", "bygge från början (s)", "{:.1f}"),
    ("add_one_s", "lägga till ett dokument (s)", "{:.2f}"),
    ("index_mb", "indexets storlek (MB)", "{:.0f}"),
    ("open_s", "öppna indexet (s)", "{:.2f}"),
    ("first_answer_s", "ny process till första svar (s)", "{:.1f}"),
    ("rss_open_mb", "RSS efter öppning (MB)", "{:.0f}"),
    ("rss_after_mb", "RSS efter frågorna (MB)", "{:.0f}"),
    ("questions_asked", "frågor ställda", "{:d}"),
    ("msgs_per_s", "Telegram svar/s", "{:.1f}"),
    ("dev", "dev", "{0[0]}/{0[1]}"),
    ("bank", "banken", "{0[0]}/{0[1]}"),
    ("heldout", "held-out", "{0[0]}/{0[1]}"),
)


def table(results: list[dict]) -> str:
    head = "| | " + " | ".join(f"{r['size']}×" for r in results) + " |"
    lines = [head, "|---" * (len(results) + 1) + "|"]
    for key, label, fmt in ROWS:
        cells = [fmt.format(r[key]) if key in r else "–" for r in results]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.scale", description=__doc__)
    ap.add_argument("--sizes", default="1,10,50,200", help="multiples of today's text")
    ap.add_argument("--quick", action="store_true",
                    help="1x and 3x, the dev questions only, one round (a smoke test)")  # fmt: skip
    ap.add_argument("--rounds", type=int, default=2, help="timed passes over the questions")
    ap.add_argument("--messages", type=int, default=300, help="Telegram messages per size")
    ap.add_argument("--child", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--answers", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.answers:
        print(json.dumps(answers(args.answers, args.messages, args.rounds, args.quick)))
        return 0
    if args.child:
        print(json.dumps(child(args.child, args.work, args.messages, args.rounds, args.quick)))
        return 0
    try:
        sizes = [1, 3] if args.quick else [int(s) for s in args.sizes.split(",")]
    except ValueError:
        ap.error(f"--sizes: heltal åtskilda med komma, t.ex. 1,10,50 (inte {args.sizes!r})")
    if any(s < 1 for s in sizes):
        ap.error("--sizes: varje storlek är minst 1")
    rounds, messages = (1, 20) if args.quick else (args.rounds, args.messages)
    started = time.perf_counter()
    results = []
    with tempfile.TemporaryDirectory(prefix="scale-") as tmp:
        # one vector cache for all sizes, seeded by the first; never the user's
        os.environ.setdefault("EMBEDDING_CACHE", str(Path(tmp) / "vectors.sqlite3"))
        rate = model_rate()
        print(f"Inbäddningsmodellen: {rate:.0f} meningar/s (en process, utan cache)", flush=True)
        for size in sizes:
            work = Path(tmp) / f"x{size}"
            work.mkdir()
            t0 = time.perf_counter()
            proc = subprocess.run(
                [sys.executable, "-m", "benchmarks.scale", "--child", str(size),
                 "--work", str(work), "--rounds", str(rounds), "--messages", str(messages),
                 *(["--quick"] if args.quick else [])],
                capture_output=True, text=True, cwd=ROOT,
            )  # fmt: skip
            if proc.returncode != 0:
                sys.stderr.write(proc.stderr[-3000:])
                raise SystemExit(f"benchmarks.scale: storlek {size}× misslyckades")
            r = json.loads(proc.stdout.strip().splitlines()[-1])
            r["p95_ratio"] = r["p95_ms"] / r["whoosh_p95_ms"]
            results.append(r)
            shutil.rmtree(work, ignore_errors=True)
            print(
                f"{size}×: {r['documents']} dokument, {r['units']} meningar, svar p95 "
                f"{r['p95_ms']:.1f} ms (Whoosh {r['whoosh_p95_ms']:.2f}), bygge "
                f"{r['build_s']:.1f} s, ett dokument till {r['add_one_s']:.2f} s, RSS "
                f"{r['rss_after_mb']:.0f} MB, banken {r['bank'][0]}/{r['bank'][1]} "
                f"({time.perf_counter() - t0:.0f} s)",
                flush=True,
            )
    print()
    print(table(results))
    largest = results[-1]
    print(
        f"\nNy text att bädda in vid {largest['size']}×: {largest['units']} meningar ≈ "
        f"{largest['units'] / rate / 60:.0f} min i en process (här kom de ur cachen)."
    )
    print(f"Total tid: {time.perf_counter() - started:.0f} s")
    print("summary: " + json.dumps(results, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
