"""The BM25 retriever's view of the catalog: the index of its current generation.

The index is saved beside the catalog and stamped with the generation it was built from; a
stale one is rebuilt. While one thread rebuilds it (an ingest moves the generation with every
document), the others keep answering from the previous index rather than wait or rebuild it
too, and while this process writes, rebuilds are spaced out (``BM25_LAG_S``).
"""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from index.bm25 import Bm25Index
from index.catalog import Catalog, DocumentInfo

BM25_LAG_S = 2.0  # the least time between BM25 rebuilds while this process writes


class SparseReader:
    def __init__(
        self, catalog: Catalog, folder: Path, documents: Callable[[], Mapping[str, DocumentInfo]]
    ) -> None:
        self.catalog, self.folder, self._documents = catalog, folder, documents
        self._held: tuple[int, Bm25Index] | None = None  # (catalog generation, its index)
        self._lock = threading.Lock()  # one rebuild at a time, in one thread
        self._next = 0.0  # while this process writes, no rebuild before this time
        self._writers = 0
        self._writers_lock = threading.Lock()

    def index(self) -> Bm25Index:
        """The index of the current catalog generation, or the one held while another thread
        rebuilds it, or while this process writes and the last rebuild was recent."""
        held = self._held
        if held is not None and held[0] == self.catalog.generation:
            return held[1]
        if held is not None and self._writers and time.monotonic() < self._next:
            return held[1]  # an ingest here moves the generation with every document
        if held is None:
            self._lock.acquire()
        elif not self._lock.acquire(blocking=False):
            return held[1]
        try:
            started = time.monotonic()
            index = self._rebuild()
            # while a write runs, rebuilding takes at most a fifth of one core
            self._next = time.monotonic() + max(BM25_LAG_S, 4 * (time.monotonic() - started))
            return index
        finally:
            self._lock.release()

    @contextmanager
    def writing(self) -> Iterator[None]:
        """A write in this process: until it ends, rebuilds are spaced out."""
        with self._writers_lock:
            self._writers += 1
        try:
            yield
        finally:
            with self._writers_lock:
                self._writers -= 1

    def forget(self) -> None:
        """Drop the index held in memory: the next search loads or rebuilds it."""
        self._held = None

    def top(self, query: str, n: int, allowed: list[str] | None) -> list[tuple[str, float]]:
        """The ``n`` best-scoring chunks, of the ``allowed`` documents when given."""
        index = self.index()
        scores = index.scores(query)
        if allowed is not None:
            scores = np.where(index.of_documents(allowed), scores, 0.0)
        positive = np.flatnonzero(scores > 0)
        top = positive[np.argsort(-scores[positive], kind="stable")][:n]
        return [(index.chunk_ids[i], float(scores[i])) for i in top]

    def _rebuild(self) -> Bm25Index:
        gen = self.catalog.generation
        if self._held is not None and self._held[0] == gen:
            return self._held[1]  # built by another thread while this one waited
        index = Bm25Index.load(self.folder, gen)
        if index is None:
            chunks = list(self.catalog.iter_chunks())
            docs = self._documents()
            # every chunk carries its document's title: a later chunk of a long document
            # is still found by the words of its title (+0.005 nDCG@10 on SciFact)
            texts = [f"{docs[c.doc_id].title}\n{c.text}" if c.doc_id in docs else c.text
                     for c in chunks]  # fmt: skip
            index = Bm25Index.build([c.chunk_id for c in chunks], [c.doc_id for c in chunks], texts)
            if self.folder.exists():
                shutil.rmtree(self.folder)
            index.save(self.folder, gen)
        self._held = (gen, index)
        return index
