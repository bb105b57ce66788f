"""Exact dense search for a small collection: every vector held in memory, ranked by numpy.

Chroma's HNSW graph is approximate, and an embedded engine replays the writes since its
last save into that graph in a different order in every process: measured on the demo
corpus (1,493 hashing vectors), the top 60 of one query differed between processes in a
third of them and recall@60 against an exact ranking was 0.90 (0.978 for MiniLM vectors
at 12,303). A briefing or an evaluation run twice then gave two answers. Below
``EXACT_ALL`` chunks reading every vector once per catalog generation costs less than a
second (~75 us a vector) and a query ~1 ms, so dense search is exact and the same in
every process; above it HNSW answers, with a wider search (``index/vectors.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from corpus.errors import VectorStoreError
from corpus.types import doc_of
from index.vectors import VectorStore

EXACT_ALL = 5000  # chunks: a collection this small is searched exactly


class _Held(NamedTuple):
    key: object  # the catalog generation these vectors were read at
    ids: np.ndarray  # chunk ids
    docs: np.ndarray  # their documents' ids
    matrix: np.ndarray  # unit vectors, one row per chunk


class ExactIndex:
    """The collection's vectors, read again only when the catalog generation moves. The
    app's threads search at once: what they read is swapped whole, never changed in place."""

    def __init__(self, vectors: VectorStore) -> None:
        self.vectors = vectors
        self._held: _Held | None = None
        self._unreadable: object = None  # the generation whose vectors could not all be read

    def _load(self, key: object) -> _Held | None:
        held = self._held
        if held is not None and held.key == key:
            return held
        if key == self._unreadable:
            return None
        try:
            ids, matrix = self.vectors.everything()
        except VectorStoreError:  # a vector Chroma cannot read back ('dossier check' finds it)
            self._unreadable = key
            return None
        if len(ids):  # cosine, as Chroma's space is: its scores and these agree to ~1e-6
            norms = np.linalg.norm(matrix, axis=1, keepdims=True)
            matrix = matrix / np.where(norms == 0, 1, norms)
        docs = np.array([doc_of(i) for i in ids], dtype=str)
        self._held = _Held(key, np.array(ids, dtype=str), docs, matrix)
        return self._held

    def top(self, key: object, vector: np.ndarray, n: int,
            doc_ids: Sequence[str] | None) -> list[tuple[str, float]] | None:  # fmt: skip
        """The ``n`` nearest vectors (of ``doc_ids`` documents when given), best first; ties
        by chunk id, so the same query gives the same ranking everywhere. None when some
        vector cannot be read: HNSW still answers then."""
        held = self._load(key)
        if held is None:
            return None
        if not len(held.ids):
            return []
        q = vector / (np.linalg.norm(vector) or 1.0)
        scores = held.matrix @ q.astype(np.float32)
        rows = np.arange(len(held.ids))
        if doc_ids is not None:
            rows = rows[np.isin(held.docs, list(doc_ids))]
        order = rows[np.lexsort((held.ids[rows], -scores[rows]))][:n]
        return [(str(held.ids[i]), float(scores[i])) for i in order]
