"""The inverted index on disk: segments of postings as numpy arrays, memory-mapped.

A segment holds the index documents of some sources (one added document, or all of the
YAML entries, or a merge of several) and never changes once written:

- `docs.json`: each document's stored fields but its body, in document order, and
  `bodies.txt` with `bodies.npy` (byte offsets): the bodies, read only for the hits;
- per field (`terms`, `key_terms`, `grams`): the field's terms (`F.terms.json`) and, in
  term-major order, `F.ptr.npy` (where each term's postings start), `F.doc.npy` (the
  documents, ascending) and `F.tf.npy` (how often the term occurs there), plus
  `F.len.npy`, each document's field length;
- `vectors.npy` and `units.json`: one embedded unit (sentence or list item) per row;
- `segment.json`, written last: its sources, the stems and words it knows.

A search sums each query term's BM25F postings with one `np.bincount`; nothing is read
that the question does not name, and a new document costs one small segment. Why not
Whoosh's own writer and matchers: 90 % of a build went to storing positions that the
search never reads, and its matchers yield one posting at a time.
"""

from __future__ import annotations

import json
import shutil
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

FIELDS = ("terms", "key_terms", "grams")
STORED = ("id", "src", "kind", "ref", "doc", "section", "title", "page", "body")
BODY = STORED.index("body")  # the last: rows in docs.json hold the fields before it
SEGMENT_META = "segment.json"
VECTORS = "vectors.npy"  # one row per unit, L2-normalised
UNITS = "units.json"  # [[local document, sentence number, cache key], ...] in row order


@dataclass
class FieldPostings:
    """One field of one segment."""

    terms: dict[str, int]
    ptr: np.ndarray  # int64, len(terms) + 1
    doc: np.ndarray  # int32, local document numbers
    tf: np.ndarray  # float32
    length: np.ndarray  # float32 per document: the field's number of tokens

    def get(self, term: str) -> tuple[np.ndarray, np.ndarray] | None:
        row = self.terms.get(term)
        if row is None:
            return None
        a, b = self.ptr[row], self.ptr[row + 1]
        return self.doc[a:b], self.tf[a:b]


@dataclass
class Segment:
    name: str
    meta: dict
    stored: list[list[str]]  # STORED fields but the body, per document
    fields: dict[str, FieldPostings]
    vectors: np.ndarray  # memory-mapped
    units: list[list]
    bodies: np.ndarray  # memory-mapped bytes of all bodies
    body_offsets: np.ndarray

    @property
    def size(self) -> int:
        return len(self.stored)

    def body(self, doc: int) -> str:
        a, b = self.body_offsets[doc], self.body_offsets[doc + 1]
        return bytes(self.bodies[a:b]).decode("utf-8")


def _csr(rows: Sequence[Counter]) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
    """Term-major postings from per-document term counts."""
    ids: dict[str, int] = {}
    t_col, d_col, f_col = [], [], []
    for d, counts in enumerate(rows):
        for term, n in counts.items():
            t_col.append(ids.setdefault(term, len(ids)))
            d_col.append(d)
            f_col.append(n)
    t = np.asarray(t_col, dtype=np.int64)
    order = np.argsort(t, kind="stable")  # documents stay ascending within a term
    ptr = np.zeros(len(ids) + 1, dtype=np.int64)
    np.cumsum(np.bincount(t, minlength=len(ids)), out=ptr[1:])
    doc = np.asarray(d_col, dtype=np.int32)[order]
    tf = np.asarray(f_col, dtype=np.float32)[order]
    return list(ids), ptr, doc, tf


def _save_field(folder: Path, field: str, terms, ptr, doc, tf, length) -> None:
    (folder / f"{field}.terms.json").write_text(json.dumps(terms, ensure_ascii=False), "utf-8")
    for part, arr in (("ptr", ptr), ("doc", doc), ("tf", tf), ("len", length)):
        np.save(folder / f"{field}.{part}.npy", arr)


def write(
    folder: Path,
    stored: list[list[str]],
    tokens: Iterable[dict[str, list[str]]],
    vectors: np.ndarray,
    units: list[list],
    meta: dict,
) -> None:
    """A new segment from documents' stored fields and their tokens per field."""
    folder.mkdir(parents=True)
    counts: dict[str, list[Counter]] = {f: [] for f in FIELDS}
    for per_field in tokens:
        for f in FIELDS:
            counts[f].append(Counter(per_field[f]))
    for f in FIELDS:
        length = np.array([sum(c.values()) for c in counts[f]], dtype=np.float32)
        _save_field(folder, f, *_csr(counts[f]), length)
    _finish(folder, stored, vectors, units, meta)


def _finish(folder: Path, stored, vectors, units, meta) -> None:
    """`stored`: rows of all STORED fields, the body last."""
    (folder / "docs.json").write_text(
        json.dumps([row[:BODY] for row in stored], ensure_ascii=False), "utf-8"
    )
    encoded = [row[BODY].encode("utf-8") for row in stored]
    (folder / "bodies.txt").write_bytes(b"".join(encoded))
    offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
    np.cumsum([len(b) for b in encoded], out=offsets[1:])
    np.save(folder / "bodies.npy", offsets)
    np.save(folder / VECTORS, np.asarray(vectors, dtype=np.float32))
    (folder / UNITS).write_text(json.dumps(units, ensure_ascii=False), "utf-8")
    meta = {**meta, "documents": len(stored)}
    (folder / SEGMENT_META).write_text(json.dumps(meta, ensure_ascii=False), "utf-8")


def is_complete(folder: Path) -> bool:
    return (folder / SEGMENT_META).is_file()


def open_segment(folder: Path) -> Segment:
    meta = json.loads((folder / SEGMENT_META).read_text("utf-8"))
    fields = {}
    for f in FIELDS:
        terms = json.loads((folder / f"{f}.terms.json").read_text("utf-8"))
        ptr, doc, tf = (
            np.load(folder / f"{f}.{p}.npy", mmap_mode="r") for p in ("ptr", "doc", "tf")
        )
        length = np.load(folder / f"{f}.len.npy")
        fields[f] = FieldPostings({t: i for i, t in enumerate(terms)}, ptr, doc, tf, length)
    stored = json.loads((folder / "docs.json").read_text("utf-8"))
    vectors = np.load(folder / VECTORS, mmap_mode="r")
    units = json.loads((folder / UNITS).read_text("utf-8"))
    offsets = np.load(folder / "bodies.npy")
    size = (folder / "bodies.txt").stat().st_size
    bodies = (
        np.memmap(folder / "bodies.txt", dtype=np.uint8, mode="r")
        if size
        else np.zeros(0, np.uint8)  # an empty file cannot be mapped
    )
    if (
        len(units) != len(vectors)
        or any(len(fields[f].length) != len(stored) for f in FIELDS)
        or len(offsets) != len(stored) + 1
        or offsets[-1] != size
    ):
        raise ValueError(f"segmentet {folder.name} är inte helt")
    return Segment(folder.name, meta, stored, fields, vectors, units, bodies, offsets)


def merge(folder: Path, parts: list[tuple[Segment, np.ndarray]], meta: dict) -> None:
    """One segment of the live documents (`alive`, a mask per part) of several, without
    analysing anything again: postings are re-numbered and re-sorted as arrays."""
    folder.mkdir(parents=True)
    remaps, offset = [], 0
    for seg, alive in parts:
        remap = np.full(seg.size, -1, dtype=np.int64)
        remap[alive] = np.arange(offset, offset + int(alive.sum()))
        remaps.append(remap)
        offset += int(alive.sum())
    for f in FIELDS:
        ids: dict[str, int] = {}
        t_parts, d_parts, f_parts, lengths = [], [], [], []
        for (seg, alive), remap in zip(parts, remaps, strict=True):
            fp = seg.fields[f]
            local = np.array([ids.setdefault(t, len(ids)) for t in fp.terms], dtype=np.int64)
            per_term = np.diff(np.asarray(fp.ptr))
            t = np.repeat(local, per_term)
            d = remap[np.asarray(fp.doc)]
            keep = d >= 0
            t_parts.append(t[keep])
            d_parts.append(d[keep])
            f_parts.append(np.asarray(fp.tf)[keep])
            lengths.append(fp.length[alive])
        t = np.concatenate(t_parts)
        d = np.concatenate(d_parts)
        order = np.lexsort((d, t))
        ptr = np.zeros(len(ids) + 1, dtype=np.int64)
        np.cumsum(np.bincount(t, minlength=len(ids)), out=ptr[1:])
        _save_field(
            folder, f, list(ids), ptr, d[order].astype(np.int32),
            np.concatenate(f_parts)[order], np.concatenate(lengths),
        )  # fmt: skip
    stored, vectors, units = [], [], []
    for (seg, alive), remap in zip(parts, remaps, strict=True):
        stored += [
            [*row, seg.body(i)]
            for i, (row, a) in enumerate(zip(seg.stored, alive, strict=True))
            if a
        ]
        rows = [i for i, u in enumerate(seg.units) if alive[u[0]]]
        vectors.append(np.asarray(seg.vectors)[rows])
        units += [[int(remap[seg.units[i][0]]), *seg.units[i][1:]] for i in rows]
    dim = parts[0][0].vectors.shape[1] if parts and parts[0][0].vectors.ndim == 2 else 0
    stacked = np.concatenate(vectors) if vectors else np.zeros((0, dim), np.float32)
    _finish(folder, stored, stacked, units, meta)


def remove(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)
