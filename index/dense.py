"""The dense retriever's view of the vectors: fresh when it can be, and never wrong silently.

A long-lived reader (the app) sees what other processes wrote: when the catalog moved by
another process's commit, an embedded Chroma engine is restarted before the next query.
It is restarted only while no other process writes (the shared hold of the write lock):
an engine that loads Chroma's files while another process writes them can crash. A search
that cannot use the vectors (a writer elsewhere, a server that is down) goes on with BM25
and says why in ``problems``; so does one whose vectors fall behind the catalog.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from corpus.errors import VectorStoreError
from corpus.types import doc_of
from index.catalog import Catalog
from index.exact import EXACT_ALL, ExactIndex
from index.lock import WriteLock
from index.vectors import VectorStore

WRITER_ELSEWHERE = (
    "another process is writing to this collection: dense search shows it as it was "
    "before that write began"
)
# A Chroma filter (``$in`` the admitted documents) costs tens of milliseconds however few it
# admits, and grows with what it admits (438 ms at 80k chunks with a fifth admitted): a
# filtered search reads the vectors of a few chunks by id and ranks them exactly, or asks
# for more neighbours than it needs without a filter and keeps the admitted ones.
EXACT_MAX = 256  # admitted chunks read by id and ranked here (80 ids: 2 ms, 500: 35 ms)
OVERFETCH = 2.0  # an unfiltered query asks for n / (admitted share) times this
DEPTH_MAX = 4000  # deeper than this, Chroma's own filter is cheaper
COLD_WHILE_WRITING = (
    "another process is writing to this collection's embedded vector store: dense search "
    "waits until it ends (results are from BM25 alone; a Chroma server has no such wait)"
)


class DenseReader:
    def __init__(self, vectors: VectorStore, lock: WriteLock, catalog: Catalog) -> None:
        self.vectors, self.lock, self.catalog = vectors, lock, catalog
        self.stale = False  # another process wrote; this process's engine has not seen it
        self.problem: str | None = None  # why the last query could not use the vectors
        self.exact = ExactIndex(vectors)

    def query(
        self, vector: np.ndarray, n: int, doc_ids: Sequence[str] | None = None,
        sizes: tuple[int, int] | None = None,
    ) -> list[tuple[str, float]]:  # fmt: skip
        """The dense ranking, of the ``doc_ids`` documents when given (``sizes``: how many
        chunks they have, and how many all documents have); empty (with ``problem`` saying
        why) when it cannot be had."""
        if doc_ids is not None and not doc_ids:
            return []
        try:
            if not self.vectors.embedded:
                found = self._ranked(vector, n, doc_ids, sizes)
                self.problem = None
                return found
            return self._embedded(vector, n, doc_ids, sizes)
        except VectorStoreError as err:
            self.problem = f"dense search failed, results are from BM25 alone: {err}"
            return []

    def _ranked(
        self, vector: np.ndarray, n: int, doc_ids: Sequence[str] | None,
        sizes: tuple[int, int] | None,
    ) -> list[tuple[str, float]]:  # fmt: skip
        """The ``n`` nearest vectors of the admitted documents, by the cheapest way."""
        if sizes is not None and sizes[1] <= EXACT_ALL:
            exact = self.exact.top(self.catalog.generation, vector, n, doc_ids)
            if exact is not None:
                return exact
        if doc_ids is None or sizes is None:
            return self.vectors.query(vector, n, doc_ids)
        admitted, total = sizes
        if admitted >= total:
            return self.vectors.query(vector, n)
        if admitted <= EXACT_MAX:
            ids = [c.chunk_id for c in self.catalog.chunks_of(doc_ids)]
            found, _ = self.vectors.readback(ids)
            scored = sorted(((float(vector @ s.vector), i) for i, s in found.items()), reverse=True)
            return [(i, score) for score, i in scored[:n]]
        depth = math.ceil(n * OVERFETCH * total / admitted)
        if depth <= DEPTH_MAX:
            wanted = set(doc_ids)
            got = self.vectors.query(vector, depth)
            kept = [(i, score) for i, score in got if doc_of(i) in wanted]
            if len(kept) >= n or len(got) < depth:  # enough, or every vector was read
                return kept[:n]
        return self.vectors.query(vector, n, doc_ids)

    def _embedded(
        self, vector: np.ndarray, n: int, doc_ids: Sequence[str] | None,
        sizes: tuple[int, int] | None,
    ) -> list[tuple[str, float]]:  # fmt: skip
        with self.lock.read() as free:
            self.stale = self.catalog.changed_elsewhere() or self.stale
            if free:
                if self.stale and not self.lock.held_here:
                    self.vectors.refresh()
                    self.stale = False
                found = self._ranked(vector, n, doc_ids, sizes)
                self.problem = None
                return found
            if not self.vectors.warm:
                self.problem = COLD_WHILE_WRITING
                return []
            found = self._ranked(vector, n, doc_ids, sizes)
            self.problem = WRITER_ELSEWHERE
            return found

    def problems(self) -> list[str]:
        """Warnings for the user: what the last query could not do, and chunks without a
        vector (a count, not a check of every id: ``dossier check`` does that)."""
        out = [self.problem] if self.problem else []
        with self.lock.read() as free:
            if not free or self.lock.held_here:
                return out  # counts mean nothing while a write is half done
            try:
                vectors = self.vectors.count()
            except VectorStoreError as err:
                return out if self.problem else [*out, f"dense search is unavailable: {err}"]
        chunks = self.catalog.counts()[1]
        if vectors < chunks:
            out.append(
                f"{chunks - vectors} of {chunks} passages have no vector, so dense search "
                "cannot find them: run 'dossier check --repair'"
            )
        return out
