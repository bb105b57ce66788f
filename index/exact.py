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

import numpy as np

from corpus.errors import VectorStoreError
from index.vectors import VectorStore

EXACT_ALL = 5000  # chunks: a collection this small is searched exactly


class ExactIndex:
    """The collection's vectors, read again only when the key (catalog generation and
    vector engine) moves."""

    def __init__(self, vectors: VectorStore) -> None:
        self.vectors = vectors
        self._key: object = None
        self._unreadable: object = None  # the key whose vectors could not all be read
        self._ids = np.array([], dtype=str)
        self._docs = np.array([], dtype=str)
        self._matrix: np.ndarray = np.zeros((0, 0), np.float32)

    def _load(self, key: object) -> bool:
        if key == self._key:
            return True
        if key == self._unreadable:
            return False
        try:
            ids, matrix = self.vectors.everything()
        except VectorStoreError:  # a vector Chroma cannot read back ('dossier check' finds it)
            self._unreadable = key
            return False
        norms = np.linalg.norm(matrix, axis=1, keepdims=True) if len(ids) else None
        # cosine, as Chroma's space is: its scores and these agree to float precision
        self._matrix = matrix / np.where(norms == 0, 1, norms) if norms is not None else matrix
        self._ids = np.array(ids, dtype=str)
        self._docs = np.array([i.rsplit(":", 2)[0] for i in ids], dtype=str)
        self._key = key
        return True

    def top(self, key: object, vector: np.ndarray, n: int,
            doc_ids: Sequence[str] | None) -> list[tuple[str, float]] | None:  # fmt: skip
        """The ``n`` nearest vectors (of ``doc_ids`` documents when given), best first; ties
        by chunk id, so the same query gives the same ranking everywhere. None when some
        vector cannot be read: HNSW still answers then."""
        if not self._load(key):
            return None
        if not len(self._ids):
            return []
        q = vector / (np.linalg.norm(vector) or 1.0)
        scores = self._matrix @ q.astype(np.float32)
        rows = np.arange(len(self._ids))
        if doc_ids is not None:
            rows = rows[np.isin(self._docs, list(doc_ids))]
        order = rows[np.lexsort((self._ids[rows], -scores[rows]))][:n]
        return [(str(self._ids[i]), float(scores[i])) for i in order]
