"""The dense retriever's view of the vectors: fresh when it can be, and never wrong silently.

A long-lived reader (the app) sees what other processes wrote: when the catalog moved by
another process's commit, an embedded Chroma engine is restarted before the next query.
It is restarted only while no other process writes (the shared hold of the write lock):
an engine that loads Chroma's files while another process writes them can crash. A search
that cannot use the vectors (a writer elsewhere, a server that is down) goes on with BM25
and says why in ``problems``; so does one whose vectors fall behind the catalog.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from corpus.errors import VectorStoreError
from index.catalog import Catalog
from index.lock import WriteLock
from index.vectors import VectorStore
from index.where import DayRange, chroma_where

WRITER_ELSEWHERE = (
    "another process is writing to this collection: dense search shows it as it was "
    "before that write began"
)
COLD_WHILE_WRITING = (
    "another process is writing to this collection's embedded vector store: dense search "
    "waits until it ends (results are from BM25 alone; a Chroma server has no such wait)"
)


class DenseReader:
    def __init__(self, vectors: VectorStore, lock: WriteLock, catalog: Catalog) -> None:
        self.vectors, self.lock, self.catalog = vectors, lock, catalog
        self.stale = False  # another process wrote; this process's engine has not seen it
        self.problem: str | None = None  # why the last query could not use the vectors

    def query(
        self, vector: np.ndarray, n: int, doc_ids: Sequence[str] | None = None,
        days: DayRange | None = None,
    ) -> list[tuple[str, float]]:  # fmt: skip
        """The dense ranking, of the ``doc_ids`` documents when given (by the ``days`` range
        when given and every vector carries its day); empty (with ``problem`` saying why)
        when it cannot be had."""
        if doc_ids is not None and not doc_ids:
            return []
        try:
            if days is not None and self.vectors.has_days:
                where = chroma_where(None, (days[0], days[1]), days[2])
            else:
                where = chroma_where(doc_ids)
            if not self.vectors.embedded:
                found = self.vectors.query(vector, n, where)
                self.problem = None
                return found
            return self._embedded(vector, n, where)
        except VectorStoreError as err:
            self.problem = f"dense search failed, results are from BM25 alone: {err}"
            return []

    def _embedded(
        self, vector: np.ndarray, n: int, where: dict[str, Any] | None
    ) -> list[tuple[str, float]]:
        with self.lock.read() as free:
            self.stale = self.catalog.changed_elsewhere() or self.stale
            if free:
                if self.stale and not self.lock.held_here:
                    self.vectors.refresh()
                    self.stale = False
                found = self.vectors.query(vector, n, where)
                self.problem = None
                return found
            if not self.vectors.warm:
                self.problem = COLD_WHILE_WRITING
                return []
            found = self.vectors.query(vector, n, where)
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
