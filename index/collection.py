"""A Dossier collection: catalog + Chroma vectors + BM25, opened with fixed settings."""

from __future__ import annotations

import shutil
import socket
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from corpus.chunker import ChunkerConfig
from corpus.errors import (
    IndexMismatchError,
    NotFoundError,
    OwnershipError,
    UsageError,
    VectorStoreError,
)
from index.bm25 import Bm25Index
from index.catalog import Catalog, DocumentInfo
from index.chroma_client import chroma_client
from index.collection_admin import check_name, list_collections
from index.dense import DenseReader
from index.embedder import Embedder
from index.fusion import FUSIONS
from index.lock import WriteLock, write_lock
from index.multihop import FIRST_HOP_DEPTH, second_hop
from index.settings import RetrievalSettings
from index.sparse import SparseReader
from index.types import MODES, Hit, SearchFilter
from index.vectors import Owner, VectorStore

SETTLED = "vectors_settled"  # catalog meta: the generation at which the last write ended


class Collection:
    def __init__(
        self,
        home: Path,
        name: str,
        embedder: Embedder,
        chunker: ChunkerConfig,
        *,
        chroma_url: str | None = None,
        create: bool = True,
    ) -> None:
        self.home = home
        self.name = check_name(name)
        self.folder = home / "collections" / name
        if not create and not (self.folder / "catalog.sqlite").exists():
            known = ", ".join(list_collections(home)) or "none yet"
            raise NotFoundError(
                f"collection '{name}' does not exist (collections: {known}); "
                f"create it with 'dossier ingest PATH --collection {name}'"
            )
        self.embedder = embedder
        self.chunker = chunker
        self.catalog = Catalog(self.folder / "catalog.sqlite")
        self._check_settings()
        owner = Owner(self.catalog.catalog_id, f"{socket.gethostname()}:{home.absolute()}",
                      self.catalog.knows, in_home=chroma_url is None)  # fmt: skip
        self.vectors = VectorStore(
            lambda: chroma_client(home, chroma_url), name, self.fingerprint, owner,
            location=chroma_url or str(home / "chroma"), embedded=chroma_url is None,
        )  # fmt: skip
        # one writer at a time: of the whole embedded store (its files are shared by every
        # collection of the home), or of this collection when the vectors are on a server
        self.lock: WriteLock = write_lock(
            home / "chroma.lock" if chroma_url is None else self.folder / "write.lock"
        )
        self.on_lock_wait: Callable[[str], None] | None = None  # told once when a write waits
        self.dense = DenseReader(self.vectors, self.lock, self.catalog)
        self.sparse = SparseReader(self.catalog, self.folder / "bm25", self._documents)
        # the documents of one catalog generation, by id, and how many chunks they hold
        self._docs: tuple[int, dict[str, DocumentInfo], int] | None = None
        self._settled = False  # of the write under way: see writing()

    @property
    def fingerprint(self) -> dict[str, str]:
        return {"embedder": self.embedder.fingerprint(), "chunker": self.chunker.fingerprint()}

    def _check_settings(self) -> None:
        """Refuse to mix vectors from different embedders or chunkers in one collection."""
        for key, wanted in self.fingerprint.items():
            stored = self.catalog.get_meta(key)
            if stored is None:
                self.catalog.set_meta(key, wanted)
            elif stored != wanted:
                raise IndexMismatchError(
                    f"collection '{self.name}' was built with {key} '{stored}', "
                    f"but the current settings give '{wanted}'. Use the original settings, "
                    f"or another collection, or rebuild it: 'dossier drop {self.name}' "
                    "and ingest again."
                )

    # -- retrieval ---------------------------------------------------------------------
    def bm25(self) -> Bm25Index:
        """The BM25 index of the current catalog generation (index/sparse.py)."""
        return self.sparse.index()

    @contextmanager
    def writing(self, what: str = "write") -> Iterator[None]:
        """A write (an ingest, a removal), holding the write lock (index/lock.py): another
        writer, in this process or another, waits for it. Meanwhile, searches in other
        threads answer from a BM25 index at most a few update times old instead of
        updating it for every document (once it ends, the next search sees all of it),
        and their embedding calls go before the writer's (index/model_turns.py). A write
        that does not end cleanly leaves the collection unsettled: the next ingest's
        reconcile then reads every vector id."""
        with self.lock.write(f"{what} ({self.name})", self.on_lock_wait):
            outer = self.lock.depth == 1
            if outer:
                # settled: the last write ended cleanly, so the catalog and Chroma agree and
                # reconcile need not read every vector id; unsettled until this one ends
                self._settled = self.catalog.get_meta(SETTLED) == str(self.catalog.generation)
                self.catalog.set_meta(SETTLED, "")
                if self.vectors.embedded:
                    # write on top of what other processes wrote, never a stale engine's view
                    self.vectors.refresh()
                    self.dense.stale = False
            # its batches let questions' calls go first
            with self.sparse.writing(), self.embedder.background():
                yield
            if outer and self._settled:
                self.catalog.set_meta(SETTLED, str(self.catalog.generation))

    def forget_bm25(self) -> None:
        """Drop the BM25 index held in memory: the next search loads or rebuilds it."""
        self.sparse.forget()

    def search(
        self,
        query: str,
        k: int | None = None,
        *,
        filters: SearchFilter | None = None,
        mode: str = "hybrid",
        retrieval: RetrievalSettings | None = None,
        timings: dict[str, float] | None = None,
    ) -> list[Hit]:
        """The ``k`` best passages (default: ``retrieval.top_k``), fused as ``retrieval`` says."""
        r = retrieval or RetrievalSettings()
        k = k or r.top_k
        if mode not in MODES:
            raise UsageError(f"unknown search mode '{mode}': choose one of {', '.join(MODES)}")
        if not query.strip():
            raise UsageError("the query is empty")
        timings = {} if timings is None else timings
        docs, total = self._catalog_view()
        allowed, sizes = None, (total, total)  # dense search ranks by these (index/dense.py)
        if filters is not None and filters.active:
            allowed = [d.doc_id for d in docs.values() if filters.admits(d)]
            sizes = sum(docs[d].n_chunks for d in allowed), total
        n = max(k, r.candidates)
        dense: list[tuple[str, float]] = []
        sparse: list[tuple[str, float]] = []
        if mode in ("hybrid", "dense"):
            t0 = time.perf_counter()
            qvec = self.embedder.embed_one(query)
            timings["embed_ms"] = (time.perf_counter() - t0) * 1000
            t0 = time.perf_counter()
            dense = self.dense.query(qvec, n, allowed, sizes)  # sees other processes' writes
            timings["dense_ms"] = (time.perf_counter() - t0) * 1000
        if mode in ("hybrid", "bm25"):
            t0 = time.perf_counter()
            sparse = self.sparse.top(query, n, allowed)
            timings["bm25_ms"] = (time.perf_counter() - t0) * 1000
        weight = {"hybrid": r.dense_weight, "dense": 1.0, "bm25": 0.0}[mode]
        fused = FUSIONS[r.fusion](dense, sparse, weight, r.rrf_k)
        depth = max(k, FIRST_HOP_DEPTH) if r.multihop else k  # the second hop reads further
        chunks = self.catalog.chunks_by_id(f.chunk_id for f in fused[: depth * 2])
        hits: list[Hit] = []
        for f in fused:
            chunk = chunks.get(f.chunk_id)
            if chunk is None or chunk.doc_id not in docs:
                continue  # a vector whose chunk was replaced mid-crash: never shown
            hits.append(
                Hit(chunk, docs[chunk.doc_id], f.score, len(hits) + 1,
                    f.dense_rank, f.bm25_rank, f.dense_score, f.bm25_score)
            )  # fmt: skip
            if len(hits) == depth:
                break
        if r.multihop:
            admits = filters.admits if filters is not None and filters.active else None
            return second_hop(self, query, hits, k, r.hop_sources, admits)
        return hits

    def _documents(self) -> dict[str, DocumentInfo]:
        """Document infos by id, re-read only when the catalog changed."""
        return self._catalog_view()[0]

    def _catalog_view(self) -> tuple[dict[str, DocumentInfo], int]:
        """Document infos by id and their chunks in all, re-read only when the catalog
        changed (a search reads both; summing the chunks again each time grows with the
        corpus)."""
        gen = self.catalog.generation
        if self._docs is None or self._docs[0] != gen:
            docs = {d.doc_id: d for d in self.catalog.documents()}
            self._docs = (gen, docs, sum(d.n_chunks for d in docs.values()))
        return self._docs[1], self._docs[2]

    # -- maintenance -------------------------------------------------------------------
    def documents(self) -> list[DocumentInfo]:
        return self.catalog.documents()

    def remove(self, doc_id: str) -> int:
        with self.writing("remove a document"):
            if self.catalog.document_info(doc_id) is None:
                raise NotFoundError(f"no document '{doc_id}' in collection '{self.name}'")
            old = self.catalog.remove_document(doc_id)
            self.vectors.delete(old)
        return len(old)

    def reconcile(self, *, always: bool = True) -> dict[str, int]:
        """Repair what a crash between the Chroma and catalog writes can leave behind: the
        vectors of chunks the catalog no longer has go, missing ones are embedded again.
        Only this catalog's own Chroma collection is ever read or changed (index/vectors.py).
        Unless ``always``, every vector id is read only when the last write did not end
        cleanly or the vectors are not as many as the chunks (an ingest's first step)."""
        with self.writing("reconcile"):
            done = {"orphans_removed": 0, "vectors_restored": 0}
            if always or not self._settled or self.vectors.count() != self.catalog.counts()[1]:
                done = self._reconcile()
                self._settled = True
        return done

    def settled(self, agree: bool) -> None:
        """Tell the write under way whether the catalog and Chroma were just found to agree
        (``dossier check``): if not, the next ingest reads every vector id."""
        self._settled = agree

    def _reconcile(self) -> dict[str, int]:
        stored = self.vectors.ids()
        wanted = set(self.catalog.chunk_ids())
        orphans = sorted(stored - wanted)
        missing = sorted(wanted - stored)
        self.vectors.delete(orphans)
        if missing:
            self.restore(missing)
        if orphans or missing:
            self.catalog.touch()  # readers elsewhere reload the vectors
        return {"orphans_removed": len(orphans), "vectors_restored": len(missing)}

    def restore(self, chunk_ids: list[str]) -> None:
        """Embed and store the vectors of these catalog chunks again (the caller writes)."""
        chunks = self.catalog.chunks_by_id(chunk_ids)
        ids = list(chunks)
        vecs = self.embedder.embed([chunks[i].text for i in ids])
        self.vectors.upsert(ids, vecs, [chunks[i].doc_id for i in ids])

    def warnings(self) -> list[str]:
        """What a user of the last search should know: dense search failed or was behind
        (another process writing), or chunks have no vector. Empty when all is well."""
        return self.dense.problems()

    def stats(self) -> dict[str, Any]:
        """Counts for ``dossier status`` and the app's library, and what is wrong if anything
        is (chunks without vectors, the server down, another home owning the vectors)."""
        docs, chunks = self.catalog.counts()
        vectors: int | None = None
        try:
            vectors, warnings = self.vectors.count(), self.warnings()
        except (OwnershipError, VectorStoreError) as err:
            warnings = [str(err)]
        return {
            "collection": self.name,
            "documents": docs,
            "chunks": chunks,
            "vectors": vectors,
            **self.fingerprint,
            "path": str(self.folder),
            "warnings": warnings,
        }

    def drop(self) -> None:
        with self.writing("drop the collection"):
            self._settled = False  # no catalog left to mark
            self.catalog.close()
            self.vectors.drop()
            shutil.rmtree(self.folder)
