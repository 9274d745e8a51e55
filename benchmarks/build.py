"""Index build time (from scratch, incremental, no-op) and size on disk."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import knowledge
from index import builder
from knowledge.loader import PACKAGE_DATA


@dataclass
class BuildFigures:
    scratch_s: float
    incremental_s: float
    noop_s: float
    size_mb: float


def size_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6


def measure(root: Path) -> BuildFigures:
    """A full build of the shipped knowledge under `root` (left there for the searches),
    then, on a copy of the knowledge, one changed YAML entry re-indexed and a no-op update."""
    kb = knowledge.load()
    t0 = time.perf_counter()
    builder.build(kb, root / "index")
    scratch = time.perf_counter() - t0
    size = size_mb(builder.index_home(root / "index"))  # the segments and the generation

    data = root / "knowledge-copy"
    shutil.copytree(PACKAGE_DATA, data)
    builder.build(knowledge.load(data), root / "index-copy")
    facts = data / "facts.yaml"
    text = facts.read_text(encoding="utf-8")
    facts.write_text(text.replace("civilområden", "civilområden (6)", 1), encoding="utf-8")
    changed = knowledge.load(data)
    t0 = time.perf_counter()
    builder.update(changed, root / "index-copy")
    incremental = time.perf_counter() - t0
    t0 = time.perf_counter()
    builder.update(changed, root / "index-copy")
    noop = time.perf_counter() - t0
    return BuildFigures(scratch, incremental, noop, size)


def first_answer(root: Path) -> float:
    """Seconds from `python -m bot ask` on an empty index and vector cache (a fresh
    install) to its answer: model load, index build, intents and the answer."""
    env = {**os.environ, "INDEX_DIR": str(root / "index"),
           "EMBEDDING_CACHE": str(root / "vectors.sqlite3")}  # fmt: skip
    t0 = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "bot", "ask", "När ska RSA rapporteras?"],
        env=env, check=True, capture_output=True,
        cwd=Path(__file__).resolve().parent.parent,
    )  # fmt: skip
    return time.perf_counter() - t0
