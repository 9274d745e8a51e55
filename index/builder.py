"""Build and update the Whoosh index; a search never sees a half-built one.

The index lives in a folder per version of the indexing code. Inside it,
generations: each update copies the live generation aside, re-indexes only the
sources whose content hash changed (one source text, or the YAML entries), and
then switches the CURRENT pointer with an atomic rename. A first run, a code
change or a broken index means a full build.
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
from whoosh import fields, index
from whoosh.analysis import SpaceSeparatedTokenizer

from knowledge import Knowledge
from knowledge.vocabulary import VOCABULARY_FILE, language_file

from . import embedding
from .analysis import Analyzer, corpus_vocabulary, words
from .documents import IndexDoc, by_source

log = logging.getLogger(__name__)

META_FILE = "beredskapsboten.json"
CURRENT = "CURRENT"
VECTORS = "vectors.npy"  # one row per unit (sentence or list item), L2-normalised
UNITS = "units.json"  # [[index doc id, sentence number, cache key], ...] in row order
Progress = Callable[[str, int, int], None]  # stage ("index", "vektorer"), done, total


def _code_version() -> str:
    """A hash of the code that decides what goes into the index: changing it means a rebuild."""
    h = hashlib.sha256()
    here = Path(__file__).parent
    for name in ("analysis.py", "documents.py", "builder.py", "clean.py"):
        path = here / name
        if path.exists():
            h.update(path.read_bytes())
    h.update(language_file(VOCABULARY_FILE).read_bytes())  # the stopwords
    return h.hexdigest()[:8]


CODE_VERSION = _code_version()


def schema() -> fields.Schema:
    pre = SpaceSeparatedTokenizer()  # terms arrive analysed by index.analysis
    return fields.Schema(
        id=fields.ID(stored=True, unique=True),
        src=fields.ID,  # the source it came from, for incremental deletes
        kind=fields.ID(stored=True),
        ref=fields.STORED,
        doc=fields.ID(stored=True),
        section=fields.STORED,
        title=fields.STORED,
        body=fields.STORED,
        terms=fields.TEXT(analyzer=pre),
        key_terms=fields.TEXT(analyzer=pre),
        grams=fields.TEXT(analyzer=pre),
    )


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
    """Fully written: metadata (written last) and a readable Whoosh table of contents."""
    try:
        return (path / META_FILE).is_file() and index.exists_in(path)
    except Exception as exc:  # whoosh raises assorted errors on a damaged folder
        log.warning("Indexet i %s är skadat (%s) – bygger om", path, exc)
        return False


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


def _add(
    writer,
    docs: list[IndexDoc],
    analyzer: Analyzer,
    progress: Progress | None,
    done: int,
    total: int,
) -> int:
    for d in docs:
        key = f"{d.title} {d.keywords}"
        writer.add_document(
            id=d.id, src=d.source_key, kind=d.kind, ref=d.ref, doc=d.doc, section=d.section,
            title=d.title, body=d.body,
            terms=" ".join(analyzer.terms(f"{d.title} {d.body}")),
            key_terms=" ".join(analyzer.terms(key)),
            grams=" ".join(analyzer.gram_terms(f"{key} {d.body}")),
        )  # fmt: skip
        done += 1
        if progress and (done % 50 == 0 or done == total):
            progress("index", done, total)
    return done


def _write_vectors(
    gen: Path,
    docs: list[IndexDoc],
    old: Path | None,
    root: Path | None,
    progress: Progress | None,
) -> str:
    """Embed every unit of `docs` into `gen`: rows the live generation already has are
    reused, then the shared cache, and only new text goes through the model."""
    rows = [(d.id, i, text) for d in docs for i, text in enumerate(d.units)]
    known: dict[str, np.ndarray] = {}
    if old is not None and (old / VECTORS).is_file() and (old / UNITS).is_file():
        try:
            old_units = json.loads((old / UNITS).read_text(encoding="utf-8"))
            old_vecs = np.load(old / VECTORS, mmap_mode="r")
            known = {u[2]: np.asarray(old_vecs[n]) for n, u in enumerate(old_units)}
        except (OSError, ValueError, IndexError) as exc:
            log.warning("Förra indexets vektorer kunde inte läsas (%s) – räknar om", exc)
    cache = vector_cache(root)
    try:
        texts = [text for _, _, text in rows]
        report = (lambda n, t: progress("vektorer", n, t)) if progress else None
        vecs = embedding.embed_passages(texts, cache, report, known)
    finally:
        cache.close()
    np.save(gen / VECTORS, vecs)
    units = [[doc_id, i, embedding.text_key(text)] for doc_id, i, text in rows]
    (gen / UNITS).write_text(json.dumps(units, ensure_ascii=False), encoding="utf-8")
    return embedding.model_name()


def update(
    knowledge: Knowledge,
    root: Path | None = None,
    progress: Progress | None = None,
    force: bool = False,
) -> Path:
    """Bring the index up to date with `knowledge`; returns the live generation's folder."""
    home = index_home(root)
    home.mkdir(parents=True, exist_ok=True)
    grouped = by_source(knowledge)
    hashes = source_hashes(grouped)
    with _lock(home):
        live = None if force else live_generation(home)
        old = read_meta(live) if live else None
        if old and old.get("model") != embedding.model_name():
            live, old = None, None  # another embedding model: vectors and all anew
        if old and old["sources"] == hashes:
            return live
        started = time.perf_counter()
        gen = home / f"gen-{time.time_ns()}"
        try:
            if old:
                changed = [k for k in hashes if old["sources"].get(k) != hashes[k]]
                removed = [k for k in old["sources"] if k not in hashes]
                shutil.copytree(live, gen)
                vocab = set(old["vocabulary"]).union(
                    corpus_vocabulary(_texts([d for k in changed for d in grouped[k]]))
                )
            else:
                changed, removed = list(hashes), []
                gen.mkdir()
                index.create_in(gen, schema())
                vocab = corpus_vocabulary(_texts([d for docs in grouped.values() for d in docs]))
            analyzer = Analyzer(vocab)
            ix = index.open_dir(gen)
            writer = ix.writer()
            for key in (*changed, *removed):
                writer.delete_by_term("src", key)
            todo = [d for k in changed for d in grouped[k]]
            _add(writer, todo, analyzer, progress, 0, len(todo))
            writer.commit(optimize=not old)
            all_docs = [d for docs in grouped.values() for d in docs]
            model = _write_vectors(gen, all_docs, live, root, progress)
            meta = {
                "code": CODE_VERSION,
                "model": model,
                "built": time.time(),
                "documents": len(all_docs),
                "sources": hashes,
                "reindexed": sorted(changed),
                "removed": sorted(removed),
                "vocabulary": sorted(vocab),
                "words": sorted({w for t in _texts(all_docs) for w in words(t)
                                 if len(w) >= 2 and not w.isdigit()}),
            }  # fmt: skip
            (gen / META_FILE).write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
            _switch(home, gen)
        except BaseException:
            shutil.rmtree(gen, ignore_errors=True)
            raise
        log.info(
            "Index %s: %d källor omindexerade, %d borttagna, %.2f s",
            "uppdaterat" if old else "byggt", len(changed), len(removed),
            time.perf_counter() - started,
        )  # fmt: skip
        _remove_old(home, gen)
        return gen


def _switch(home: Path, gen: Path) -> None:
    """Point CURRENT at `gen` in one atomic rename."""
    tmp = home / f".{CURRENT}.tmp"
    tmp.write_text(gen.name, encoding="utf-8")
    os.replace(tmp, home / CURRENT)


def _remove_old(home: Path, keep: Path) -> None:
    """Older generations and other code versions' indexes are never used again. (Open
    searchers in other processes keep their files until they close them.)"""
    for p in home.glob("gen-*"):
        if p != keep:
            shutil.rmtree(p, ignore_errors=True)
    for p in home.parent.glob("index-*"):
        if p != home and p.is_dir():
            shutil.rmtree(p, ignore_errors=True)


def build(knowledge: Knowledge, root: Path | None = None, progress: Progress | None = None) -> Path:
    """A full build from scratch."""
    return update(knowledge, root, progress, force=True)
