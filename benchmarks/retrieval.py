"""python -m benchmarks.retrieval [FILE ...]: how often the passage holding the answer is
in the top 1/3/10, for BM25F alone, dense (embedding) alone and the fused ranking.

"The passage holding the answer" is an indexed text that contains every `must` fact of
a question (any alternative of each, compared as run_eval.py does); questions whose
facts no single text holds (computed amounts and dates) are left out and counted.
Default files: the dev set, the bank, the second tuning set and the held-out set.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from datetime import date
from pathlib import Path

import yaml

from .questions import _contains, norm

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = [
    ROOT.parent / "shared" / "eval" / "dev.yaml",
    ROOT / "tests" / "data" / "questions.yaml",
    ROOT / "tests" / "data" / "tuning.yaml",
    ROOT / "tests" / "data" / "heldout.yaml",
]
TODAY = date(2026, 11, 24)
DEPTHS = (1, 3, 10)


def holds(body: str, must: list) -> bool:
    """Every fact of `must` (any alternative of each) is in `body`, as run_eval.py reads."""
    text = norm(body)
    return all(_contains(text, f) for f in must)


def rank_of(ids: list[str], good: set[str]) -> int | None:
    return next((i for i, d in enumerate(ids) if d in good), None)


def measure(assistant, items: list[dict]) -> dict[str, list[int | None]]:
    from bot.engine.retrieval import RERANK_DEPTH
    from bot.engine.understanding import TOPIC_NOISE

    s = assistant.searcher
    # every live text with its body (bodies are read per document since they are stored apart)
    live = (s.stored(n) for n in range(len(s.alive)) if s.alive[n])
    bodies = {r["id"]: f"{r['title']} {r['body']}" for r in live}
    ranks: dict[str, list[int | None]] = {"bm25": [], "dense": [], "fused": []}
    for item in items:
        must = item.get("must")
        if item.get("expect") == "abstain" or not must:
            continue
        good = {i for i, b in bodies.items() if holds(b, must)}
        if not good:
            continue
        u = assistant.interpreter.understand(item["q"], TODAY)
        q = s.parse(u.text, ignore=TOPIC_NOISE)
        dense = s.dense(assistant.interpreter.vector(u, q.glossed_as))
        bm25 = [h.id for h in s.search(q, limit=RERANK_DEPTH)]
        by_dense = [s.stored(d)["id"] for d in dense.closest(50) if s.alive[d]]
        found = s.search(q, limit=RERANK_DEPTH, dense=dense, dense_limit=10)
        fused = [h.id for h in assistant.ranker.ranked(found, q, ("passage", "glossary"), True)]
        ranks["bm25"].append(rank_of(bm25, good))
        ranks["dense"].append(rank_of(by_dense, good))
        ranks["fused"].append(rank_of(fused, good))
    return ranks


def table(name: str, ranks: dict[str, list[int | None]]) -> str:
    n = len(ranks["bm25"])
    lines = [f"{name}: {n} frågor med svaret i en enda text"]
    lines.append("  rangordning    " + "  ".join(f"topp {k:>2}" for k in DEPTHS))
    for kind, label in (("bm25", "BM25F"), ("dense", "semantisk"), ("fused", "sammanvägd")):
        cells = []
        for k in DEPTHS:
            hit = sum(1 for r in ranks[kind] if r is not None and r < k)
            cells.append(f"{hit:3d} ({100 * hit / max(n, 1):3.0f}%)")
        lines.append(f"  {label:<13}" + "  ".join(cells))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.retrieval", description=__doc__)
    ap.add_argument("files", nargs="*", type=Path, default=DEFAULT)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-retrieval-") as tmp:
        os.environ.setdefault("INDEX_DIR", tmp)
        from bot.engine.assistant import Assistant

        assistant = Assistant.create()
        for path in args.files:
            if not path.is_file():
                print(f"{path}: finns inte – hoppar över", file=sys.stderr)
                continue
            items = yaml.safe_load(path.read_text(encoding="utf-8")) or []
            print(table(path.name, measure(assistant, items)), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
