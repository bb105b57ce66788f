"""The BM25 retriever's view of the catalog: the index of its current generation.

When the catalog's generation moves, the index is brought up to date per document: the
documents whose version (content hash, title) changed are dropped and their chunks indexed
again, nothing else is tokenized (index/bm25.py). The index is saved beside the catalog,
stamped with its generation, when a tenth of it changed since the last save (a process that
loads an older one brings it up to date the same way); it is built whole only when no saved
one can be read. While one thread updates it, the others keep answering from the previous
index rather than wait or update it too, and while this process writes, updates are spaced
out (``BM25_LAG_S``).
"""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from corpus.types import Chunk
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
        self._changed = 0  # chunks added or removed since the index was last saved

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
        """The index of the catalog's current state: the one held, or else the saved one,
        brought up to date per document (only changed documents' chunks are tokenized);
        built whole only when there is neither."""
        gen = self.catalog.generation
        if self._held is not None and self._held[0] == gen:
            return self._held[1]  # built by another thread while this one waited
        base = self._held[1] if self._held is not None else None
        if base is None:
            loaded = Bm25Index.load(self.folder)
            if loaded is not None and loaded[1] == gen:
                self._held = loaded[1], loaded[0]
                return loaded[0]
            base = loaded[0] if loaded is not None else None
        # the documents are read after the generation: an index stamped with it may be
        # newer than that generation, never older, and the next look brings it up to date
        docs = self._documents()
        keys = {d: _key(info) for d, info in docs.items()}
        if base is None:
            index = Bm25Index.build(*_columns(list(self.catalog.iter_chunks()), docs), keys)
            self._changed = len(index.chunk_ids)
        else:
            changed = [d for d, k in keys.items() if base.keys.get(d) != k]
            removed = [d for d in base.keys if keys.get(d) != base.keys[d]]
            if not changed and not removed:
                index = base
            else:
                chunks = self.catalog.chunks_of(changed)
                new_keys = {d: keys[d] for d in changed}
                index = base.updated(removed, *_columns(chunks, docs), new_keys)
                dropped = len(base.chunk_ids) - (len(index.chunk_ids) - len(chunks))
                self._changed += len(chunks) + dropped
        if self._changed and self._changed * 10 >= len(index.chunk_ids):
            # saved rarely: a stale saved index is brought up to date when loaded
            if base is None and self.folder.exists():
                shutil.rmtree(self.folder)  # an older format's files
            index.save(self.folder, gen)
            self._changed = 0
        self._held = (gen, index)
        return index


def _columns(
    chunks: list[Chunk], docs: Mapping[str, DocumentInfo]
) -> tuple[list[str], list[str], list[str]]:
    """The chunk ids, document ids and texts the index is given for these chunks."""
    # every chunk carries its document's title: a later chunk of a long document
    # is still found by the words of its title (+0.005 nDCG@10 on SciFact)
    texts = [f"{docs[c.doc_id].title}\n{c.text}" if c.doc_id in docs else c.text
             for c in chunks]  # fmt: skip
    return [c.chunk_id for c in chunks], [c.doc_id for c in chunks], texts


def _key(info: DocumentInfo) -> str:
    """What the index records of a document's version: a new one is indexed again."""
    return f"{info.content_hash}\n{info.title}"
