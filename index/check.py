"""``dossier check [--repair]``: do the catalog, Chroma and BM25 agree?

The catalog is the source of truth. Chroma must hold exactly one readable vector per
catalog chunk (right size, unit length, its document's id in the metadata); a sample of
chunks is embedded again, which must give the stored vector and find the chunk in a dense
search; the BM25 index must cover exactly the catalog's chunks.
Every vector is read back: two processes writing one embedded Chroma folder leave vectors
it still counts but cannot return ("Error getting embedding") and dense search never finds.

A repair deletes orphan vectors, embeds missing and wrong ones again, rebuilds the Chroma
collection from the readable vectors when some cannot be read (Chroma cannot delete those),
and rebuilds BM25; all under the write lock, and then checks again.
"""

from __future__ import annotations

import random
import shutil
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from corpus.errors import VectorStoreError
from index.collection import Collection

SAMPLE = 200  # chunks embedded again and searched for (a query each)
SAME_TEXT = 0.99  # cosine of a stored vector to its text embedded again (bfloat16: 0.9999)


@dataclass
class CheckReport:
    collection: str
    documents: int = 0
    chunks: int = 0
    vectors: int = 0
    catalog: str = "ok"  # SQLite's integrity check
    missing: list[str] = field(default_factory=list)  # catalog chunks without a vector
    orphans: list[str] = field(default_factory=list)  # vectors of no catalog chunk
    unreadable: list[str] = field(default_factory=list)  # Chroma cannot return them
    wrong: list[str] = field(default_factory=list)  # wrong size or length, or document
    unfindable: list[str] = field(default_factory=list)  # their text's search misses them
    bm25: str = "ok"
    repaired: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return (
            self.catalog == "ok"
            and self.bm25 == "ok"
            and not any((self.missing, self.orphans, self.unreadable, self.wrong, self.unfindable))
        )

    def to_dict(self) -> dict[str, Any]:
        lists = ("missing", "orphans", "unreadable", "wrong", "unfindable")
        return {
            "collection": self.collection, "ok": self.ok, "documents": self.documents,
            "chunks": self.chunks, "vectors": self.vectors, "catalog": self.catalog,
            **{k: len(getattr(self, k)) for k in lists},
            **{f"{k}_ids": getattr(self, k)[:20] for k in lists if getattr(self, k)},
            "bm25": self.bm25, "repaired": self.repaired,
        }  # fmt: skip


def check(coll: Collection, *, sample: int = SAMPLE, seed: int = 0) -> CheckReport:
    """Compare catalog, Chroma and BM25 (reads only; holds the write lock so that no
    ingest is half done while it counts)."""
    with coll.writing("check"):
        return _check(coll, sample, seed)[0]


def repair(coll: Collection, *, sample: int = SAMPLE, seed: int = 0) -> CheckReport:
    """Check, repair what disagrees, and return the check made after the repair."""
    with coll.writing("repair"):
        found, readable = _check(coll, sample, seed)
        done: dict[str, int] = {}
        if found.catalog != "ok":
            done["catalog_damaged"] = 1  # no repair from here: restore the file from a backup
        redo = sorted(set(found.missing) | set(found.wrong) | set(found.unfindable))
        if found.unreadable:
            # Chroma can neither read nor delete them: a new collection of the good vectors
            keep = {i: v for i, v in readable.items() if i not in set(redo)}
            _rebuild_vectors(coll, keep)
            redo = sorted(set(redo) | set(found.unreadable))
            done["collection_rebuilt"] = 1
            done["vectors_copied"] = len(keep)
        elif found.orphans:
            coll.vectors.delete(found.orphans)
        if redo:
            coll.vectors.delete([i for i in redo if i in readable])
            coll.restore(redo)
        done |= {"orphans_removed": len(found.orphans), "vectors_embedded": len(redo)}
        if found.bm25 != "ok":
            shutil.rmtree(coll.folder / "bm25", ignore_errors=True)
            done["bm25_rebuilt"] = 1
        if any(done.values()):
            coll.catalog.touch()  # readers (here and elsewhere) reload vectors and BM25
        after = _check(coll, sample, seed)[0]
    after.repaired = {k: v for k, v in done.items() if v}
    return after


def _check(coll: Collection, sample: int, seed: int) -> tuple[CheckReport, dict[str, np.ndarray]]:
    cat = coll.catalog
    docs, chunks = cat.counts()
    report = CheckReport(coll.name, docs, chunks, catalog=cat.integrity())
    wanted = cat.chunk_ids()
    doc_of = dict(cat.chunk_documents())
    stored = coll.vectors.ids()
    report.vectors = len(stored)
    report.missing = sorted(set(wanted) - stored)
    report.orphans = sorted(stored - set(wanted))
    readable, report.unreadable = coll.vectors.readback(sorted(stored))
    for chunk_id, (vector, doc_id) in readable.items():
        unit = abs(float(np.linalg.norm(vector)) - 1.0) < 1e-3
        fits = vector.shape == (coll.embedder.dim,) and unit
        if chunk_id in doc_of and (not fits or doc_id != doc_of[chunk_id]):
            report.wrong.append(chunk_id)
    vectors = {i: s.vector for i, s in readable.items()}
    wrong, report.unfindable = _sampled(coll, vectors, set(doc_of), sample, seed)
    report.wrong = sorted(set(report.wrong) | set(wrong))
    report.bm25 = _bm25_state(coll, set(wanted))
    coll.settled(report.ok)  # if not, the next ingest reconciles every vector id
    return report, vectors


def _sampled(
    coll: Collection, vectors: dict[str, np.ndarray], known: set[str], sample: int, seed: int
) -> tuple[list[str], list[str]]:
    """Of a sample of stored catalog chunks: those whose vector is not their text's (another
    embedder, damage), and those a dense search with their own text does not find."""
    ids = sorted(i for i in vectors if i in known)
    picked = random.Random(seed).sample(ids, min(sample, len(ids)))
    chunks = coll.catalog.chunks_by_id(picked)
    fresh = coll.embedder.embed([chunks[i].text for i in picked])
    wrong, unfindable = [], []
    for chunk_id, vector in zip(picked, fresh, strict=True):
        if float(vector @ vectors[chunk_id]) < SAME_TEXT:
            wrong.append(chunk_id)
        try:
            top = coll.vectors.query(vector, 3)
        except VectorStoreError:
            top = []
        # a repeated text has the same vector: then any of its chunks may come first
        if not any(i == chunk_id and score >= top[0][1] - 1e-6 for i, score in top):
            unfindable.append(chunk_id)
    return sorted(wrong), sorted(unfindable)


def _bm25_state(coll: Collection, wanted: set[str]) -> str:
    coll.forget_bm25()  # not the one in memory, which may lag behind while a write runs
    try:
        index = coll.bm25()  # the saved one, or rebuilt here if stale: what searches use
    except Exception as err:  # a damaged saved index: say so, the repair rebuilds it
        return f"cannot be loaded: {type(err).__name__}: {err}"
    have = set(index.chunk_ids)
    if have != wanted:
        extra = len(have - wanted)
        return f"covers {len(have & wanted)} of {len(wanted)} chunks, and {extra} others"
    return "ok"


def _rebuild_vectors(coll: Collection, keep: dict[str, np.ndarray]) -> None:
    """A new Chroma collection holding ``keep`` (the rest is embedded again after)."""
    doc_of = dict(coll.catalog.chunk_documents())
    ids = [i for i in keep if i in doc_of]
    coll.vectors.recreate()
    if ids:
        vectors = np.stack([keep[i] for i in ids])
        coll.vectors.upsert(ids, vectors, [doc_of[i] for i in ids])
