"""Build the Whoosh index from the knowledge base, aside, then swap it in.

The index lives in a cache folder named after the knowledge fingerprint and the
analysis version, so a change to either means a fresh build, and a search never
sees a half-built index (the folder is renamed into place only when complete).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
import time
from pathlib import Path

import platformdirs
from whoosh import fields, index
from whoosh.analysis import SpaceSeparatedTokenizer

from knowledge import Knowledge

from .analysis import Analyzer, corpus_vocabulary, words
from .documents import all_documents

log = logging.getLogger(__name__)


def _code_version() -> str:
    """A hash of the code that decides what goes into the index: changing it means a rebuild."""
    h = hashlib.sha256()
    here = Path(__file__).parent
    for name in ("analysis.py", "documents.py", "builder.py", "clean.py"):
        path = here / name
        if path.exists():
            h.update(path.read_bytes())
    return h.hexdigest()[:8]


ANALYSIS_VERSION = _code_version()
META_FILE = "beredskapsboten.json"


def schema() -> fields.Schema:
    pre = SpaceSeparatedTokenizer()  # terms arrive analysed by index.analysis
    return fields.Schema(
        id=fields.ID(stored=True, unique=True),
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


def index_path(knowledge: Knowledge, root: Path | None = None) -> Path:
    return (root or index_root()) / f"index-{knowledge.fingerprint}-a{ANALYSIS_VERSION}"


def build(knowledge: Knowledge, root: Path | None = None, progress=None) -> Path:
    """Build the index for `knowledge` and move it into place. Returns its folder."""
    target = index_path(knowledge, root)
    target.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    tmp = Path(tempfile.mkdtemp(prefix=".building-", dir=target.parent))
    try:
        docs = all_documents(knowledge)
        texts = [*knowledge.texts.values(), *(d.body + " " + d.keywords for d in docs)]
        vocab = corpus_vocabulary(texts)
        analyzer = Analyzer(vocab)
        ix = index.create_in(tmp, schema())
        writer = ix.writer()
        for n, d in enumerate(docs, 1):
            key = f"{d.title} {d.keywords}"
            writer.add_document(
                id=d.id,
                kind=d.kind,
                ref=d.ref,
                doc=d.doc,
                section=d.section,
                title=d.title,
                body=d.body,
                terms=" ".join(analyzer.terms(f"{d.title} {d.body}")),
                key_terms=" ".join(analyzer.terms(key)),
                grams=" ".join(analyzer.gram_terms(f"{key} {d.body}")),
            )
            if progress and n % 50 == 0:
                progress(n, len(docs))
        writer.commit()
        surface = sorted({w for t in texts for w in words(t) if len(w) >= 2 and not w.isdigit()})
        meta = {
            "fingerprint": knowledge.fingerprint,
            "analysis": ANALYSIS_VERSION,
            "built": time.time(),
            "documents": len(docs),
            "vocabulary": sorted(vocab),
            "words": surface,
        }
        (tmp / META_FILE).write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
        if target.exists():
            shutil.rmtree(target)  # a stale or broken build of the same knowledge
        os.replace(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    log.info(
        "Index byggt: %d dokument på %.2f s i %s", len(docs), time.perf_counter() - started, target
    )
    _remove_old(target)
    return target


def _remove_old(current: Path) -> None:
    """Drop indexes of earlier knowledge versions; they are never used again."""
    for p in current.parent.glob("index-*"):
        if p != current and p.is_dir():
            shutil.rmtree(p, ignore_errors=True)


def is_complete(path: Path) -> bool:
    return (path / META_FILE).is_file() and index.exists_in(path)
