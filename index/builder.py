"""Build and update the index; a search never sees a half-built one.

The index lives in a folder per version of the indexing code. Its documents are in
immutable segments (index.inverted); a generation is a small file naming the segments
and which of their sources are live. An update writes one new segment for the sources
whose content hash changed (one source text, or the YAML entries), marks their old
documents dead, merges small segments when there are many, and then switches the
CURRENT pointer with an atomic rename. A first run, a code change or a broken index
means a full build.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import os
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import platformdirs

from knowledge import Knowledge
from knowledge.vocabulary import VOCABULARY_FILE, language_file

from . import embedding, inverted
from .analysis import Analyzer, corpus_vocabulary, words
from .documents import IndexDoc, by_source

log = logging.getLogger(__name__)

META_FILE = "beredskapsboten.json"
CURRENT = "CURRENT"
SEGMENTS = "segments"
# More segments than this and the smallest are merged into one: a search visits every
# segment, and a merge of small ones costs only their size.
MAX_SEGMENTS = 8
Progress = Callable[[str, int, int], None]  # stage ("index", "vektorer"), done, total


def _code_version() -> str:
    """A hash of the code that decides what goes into the index: changing it means a rebuild."""
    h = hashlib.sha256()
    here = Path(__file__).parent
    for name in ("analysis.py", "documents.py", "builder.py", "clean.py", "inverted.py"):
        path = here / name
        if path.exists():
            h.update(path.read_bytes())
    h.update(language_file(VOCABULARY_FILE).read_bytes())  # the stopwords
    return h.hexdigest()[:8]


CODE_VERSION = _code_version()


def index_root() -> Path:
    return Path(os.environ.get("INDEX_DIR") or platformdirs.user_cache_dir("beredskapsboten"))


def vector_cache(root: Path | None = None) -> embedding.VectorCache:
    """Shared by every generation and code version: vectors depend only on model and text."""
    path = os.environ.get("EMBEDDING_CACHE")
    return embedding.VectorCache(Path(path) if path else (root or index_root()) / "vectors.sqlite3")


def index_home(root: Path | None = None) -> Path:
    return (root or index_root()) / f"index-{CODE_VERSION}"


def source_hashes(grouped: dict[str, list[IndexDoc]]) -> dict[str, str]:
    hashes = {}
    for key, docs in grouped.items():
        h = hashlib.sha256()
        for d in docs:
            h.update(repr(d).encode())
        hashes[key] = h.hexdigest()[:16]
    return hashes


def live_generation(home: Path) -> Path | None:
    pointer = home / CURRENT
    if not pointer.is_file():
        return None
    gen = home / pointer.read_text(encoding="utf-8").strip()
    return gen if is_complete(gen) else None


def is_complete(path: Path) -> bool:
    """Fully written: the generation's metadata (written last) and every segment it names."""
    try:
        meta = read_meta(path)
        return all(inverted.is_complete(segment_dir(path.parent, s["name"]))
                   for s in meta["segments"])  # fmt: skip
    except (OSError, ValueError, KeyError, TypeError) as exc:
        log.warning("Indexet i %s är skadat (%s) – bygger om", path, exc)
        return False


def segment_dir(home: Path, name: str) -> Path:
    return home / SEGMENTS / name


def usable_generation(root: Path | None = None) -> Path | None:
    """The live generation if this code and model can read it, whatever its sources."""
    gen = live_generation(index_home(root))
    if gen is None or read_meta(gen).get("model") != embedding.model_name():
        return None
    return gen


def read_meta(path: Path) -> dict:
    return json.loads((path / META_FILE).read_text(encoding="utf-8"))


@contextlib.contextmanager
def _lock(home: Path) -> Iterator[None]:
    """One builder at a time per index folder (the bot and `python -m index` may race)."""
    with (home / ".lock").open("w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _texts(docs: list[IndexDoc]) -> list[str]:
    return [f"{d.title} {d.body} {d.keywords}" for d in docs]


def _speller_words(docs: list[IndexDoc]) -> list[str]:
    return sorted({w for t in _texts(docs) for w in words(t) if len(w) >= 2 and not w.isdigit()})


def _tokens(d: IndexDoc, analyzer: Analyzer) -> dict[str, list[str]]:
    key = f"{d.title} {d.keywords}"
    return {
        "terms": analyzer.terms(f"{d.title} {d.body}"),
        "key_terms": analyzer.terms(key),
        "grams": analyzer.gram_terms(f"{key} {d.body}"),
    }


def _write_segment(
    home: Path,
    docs: list[IndexDoc],
    analyzer: Analyzer,
    root: Path | None,
    progress: Progress | None,
) -> str:
    """One segment of `docs`: analysed, embedded (only text the shared vector cache does
    not hold goes through the model) and written. Returns its name."""
    tokens = []
    for n, d in enumerate(docs, 1):
        tokens.append(_tokens(d, analyzer))
        if progress and (n % 200 == 0 or n == len(docs)):
            progress("index", n, len(docs))
    rows = [(i, s, text) for i, d in enumerate(docs) for s, text in enumerate(d.units)]
    cache = vector_cache(root)
    try:
        report = (lambda n, t: progress("vektorer", n, t)) if progress else None
        vecs = embedding.embed_passages([t for _, _, t in rows], cache, report)
    finally:
        cache.close()
    name = f"seg-{time.time_ns()}"
    inverted.write(
        segment_dir(home, name),
        [
            [d.id, d.source_key, d.kind, d.ref, d.doc, d.section, d.title, d.page, d.body]
            for d in docs
        ],
        tokens,
        vecs,
        [[i, s, embedding.text_key(text)] for i, s, text in rows],
        {"sources": sorted({d.source_key for d in docs}), "words": _speller_words(docs)},
    )
    return name


def _merge_small(home: Path, segments: list[dict]) -> list[dict]:
    """Merge the smallest segments into one while there are more than MAX_SEGMENTS."""
    if len(segments) <= MAX_SEGMENTS:
        return segments
    sizes = {s["name"]: s["documents"] for s in segments}
    smallest = sorted(segments, key=lambda s: sizes[s["name"]])
    chosen = smallest[: len(segments) - MAX_SEGMENTS // 2 + 1]
    parts, words_, sources = [], set(), set()
    for s in chosen:
        seg = inverted.open_segment(segment_dir(home, s["name"]))
        live = set(s["live"])
        parts.append((seg, np.array([row[1] in live for row in seg.stored], dtype=bool)))
        words_.update(seg.meta["words"])
        sources |= live
    name = f"seg-{time.time_ns()}"
    meta = {"sources": sorted(sources), "words": sorted(words_)}
    inverted.merge(segment_dir(home, name), parts, meta)
    merged = {"name": name, "live": sorted(sources),
              "documents": int(sum(int(a.sum()) for _, a in parts))}  # fmt: skip
    names = {s["name"] for s in chosen}
    return [s for s in segments if s["name"] not in names] + [merged]


def update(
    knowledge: Knowledge,
    root: Path | None = None,
    progress: Progress | None = None,
    force: bool = False,
) -> Path:
    """Bring the index up to date with `knowledge`; returns the live generation's folder."""
    home = index_home(root)
    (home / SEGMENTS).mkdir(parents=True, exist_ok=True)
    grouped = by_source(knowledge)
    hashes = source_hashes(grouped)
    with _lock(home):
        live = None if force else live_generation(home)
        old = read_meta(live) if live else None
        if old and old.get("model") != embedding.model_name():
            live, old = None, None  # another embedding model: vectors and all anew
        if live and old and old["sources"] == hashes:  # (old: read from live)
            return live
        started = time.perf_counter()
        gen = home / f"gen-{time.time_ns()}"
        written: list[str] = []
        try:
            if old:
                changed = [k for k in hashes if old["sources"].get(k) != hashes[k]]
                removed = [k for k in old["sources"] if k not in hashes]
                gone = set(changed) | set(removed)
                segments = []
                for s in old["segments"]:
                    keep = [k for k in s["live"] if k not in gone]
                    if keep:
                        segments.append({**s, "live": keep})
                vocab = set(old["vocabulary"]).union(
                    corpus_vocabulary(_texts([d for k in changed for d in grouped[k]]))
                )
            else:
                changed, removed, segments = list(hashes), [], []
                vocab = corpus_vocabulary(_texts([d for docs in grouped.values() for d in docs]))
            todo = [d for k in changed for d in grouped[k]]
            if todo:
                name = _write_segment(home, todo, Analyzer(vocab), root, progress)
                written.append(name)
                segments.append({"name": name, "live": sorted(changed), "documents": len(todo)})
            merged = _merge_small(home, segments)
            written += [s["name"] for s in merged if s not in segments]
            segments = merged
            spelled: set[str] = set()
            for s in segments:
                seg_meta = segment_dir(home, s["name"]) / inverted.SEGMENT_META
                spelled.update(json.loads(seg_meta.read_text("utf-8"))["words"])
            gen.mkdir()
            meta = {
                "code": CODE_VERSION,
                "model": embedding.model_name(),
                "built": time.time(),
                "documents": sum(len(docs) for docs in grouped.values()),
                "sources": hashes,
                "segments": segments,
                "reindexed": sorted(changed),
                "removed": sorted(removed),
                "vocabulary": sorted(vocab),
                "words": sorted(spelled),
            }
            (gen / META_FILE).write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
            _switch(home, gen)
        except BaseException:
            shutil.rmtree(gen, ignore_errors=True)
            for name in written:
                inverted.remove(segment_dir(home, name))
            raise
        log.info(
            "Index %s: %d källor omindexerade, %d borttagna, %d segment, %.2f s",
            "uppdaterat" if old else "byggt", len(changed), len(removed), len(segments),
            time.perf_counter() - started,
        )  # fmt: skip
        _remove_old(home, gen, {s["name"] for s in segments})
        return gen


def _switch(home: Path, gen: Path) -> None:
    """Point CURRENT at `gen` in one atomic rename."""
    tmp = home / f".{CURRENT}.tmp"
    tmp.write_text(gen.name, encoding="utf-8")
    os.replace(tmp, home / CURRENT)


def _remove_old(home: Path, keep: Path, segments: set[str]) -> None:
    """Older generations, segments no longer named and other code versions' indexes are
    never used again. (Searchers in other processes have read or memory-mapped their
    files, which stay readable until closed.)"""
    for p in home.glob("gen-*"):
        if p != keep:
            shutil.rmtree(p, ignore_errors=True)
    for p in (home / SEGMENTS).glob("seg-*"):
        if p.name not in segments:
            inverted.remove(p)
    for p in home.parent.glob("index-*"):
        if p != home and p.is_dir():
            shutil.rmtree(p, ignore_errors=True)


def build(knowledge: Knowledge, root: Path | None = None, progress: Progress | None = None) -> Path:
    """A full build from scratch."""
    return update(knowledge, root, progress, force=True)
