"""The Chroma side: one Chroma collection per Dossier collection, our own embeddings only.

A Chroma collection records the catalog that owns it (``dossier_catalog`` in its metadata,
with the home it lives in): a catalog writes to, reconciles and deletes from its own
collection only, so two homes pointed at one Chroma server can never touch each other's
vectors (see "Sharing a Chroma server" in the README).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from corpus.errors import OwnershipError, VectorStoreError
from index.chroma_client import store_failure, when_free

# Held by every write and by ``refresh``: a write in flight lands in the engine it started
# on before a fresh one is started (writes in one process are few and never overlap anyway).
_SWAP = threading.RLock()
_EPOCH = [0]  # embedded engines started in this process: a store loaded before is cold
_PAGE = 5000
# HNSW's search breadth (Chroma's default is 100). A search asks for 200 candidates: recall
# of the exact top 200 measured 0.968 (worst query 0.92) at 100 and 0.996 (0.985) at 400 on
# 12,303 MiniLM vectors, for ~1 ms more a query. Small collections are searched exactly
# (index/exact.py).
EF_SEARCH = 400
_WRITE_BATCH = 2000
OWNER_KEY, HOME_KEY = "dossier_catalog", "dossier_home"


@dataclass(frozen=True)
class Owner:
    """The catalog a Chroma collection belongs to, and how to recognise its vectors."""

    catalog_id: str
    home: str  # "host:/path" of the home, named in the error another home gets
    knows: Callable[[list[str]], bool]  # whether the catalog holds all these chunk ids
    in_home: bool  # an embedded store: it lives in the home, and all it holds is the home's


class Stored(NamedTuple):
    """A vector as read back, with its document's id."""

    vector: np.ndarray
    doc_id: str


class VectorStore:
    """Vectors keyed by chunk id, with ``doc_id`` metadata for filtering. Connects (and
    checks the owner) on first use, so a search can go on without it when it is down."""

    def __init__(
        self, connect: Callable[[], Any], name: str, fingerprint: dict[str, str], owner: Owner,
        *, location: str, embedded: bool,
    ) -> None:  # fmt: skip
        self._connect = connect
        self.name = f"dossier-{name}"
        self.location = location  # the server's URL or the folder, for messages
        self.embedded = embedded  # an engine in this process, on files under the home
        self._fingerprint = fingerprint
        self.owner = owner
        self.client: Any = None
        self._collection: Any = None
        self._open_lock = threading.Lock()
        self._warm = -1  # the engine epoch this store last queried

    @property
    def _col(self) -> Any:
        if self._collection is None:
            with self._open_lock, self._guard():
                if self._collection is None:
                    self.client = self.client or self._connect()
                    self._collection = when_free(self._open)
        return self._collection

    def _open(self) -> Any:
        # embedding_function=None: Chroma's default one would download a model
        col = self.client.get_or_create_collection(
            self.name, embedding_function=None,
            configuration={"hnsw": {"space": "cosine", "ef_search": EF_SEARCH}},
            metadata={**self._fingerprint, OWNER_KEY: self.owner.catalog_id,
                      HOME_KEY: self.owner.home},
        )  # fmt: skip
        self._claim(col)
        self._widen(col)
        return col

    @staticmethod
    def _widen(col: Any) -> None:
        """A collection made before EF_SEARCH was set gets it (once: it is stored). Best
        effort: a store too busy to take the change keeps the old breadth until next time."""
        hnsw = (col.configuration or {}).get("hnsw") or {}
        if int(hnsw.get("ef_search") or EF_SEARCH) < EF_SEARCH:
            with suppress(Exception):  # searching must not fail for a setting
                when_free(lambda: col.modify(configuration={"hnsw": {"ef_search": EF_SEARCH}}))

    def _claim(self, col: Any) -> None:
        """Refuse a collection another catalog owns. Adopt one of the home's own embedded
        store (a catalog made again after its folder was deleted: reconcile removes the old
        vectors), and one made before owners were recorded when it is empty or holds only
        chunks this catalog knows."""
        meta = dict(col.metadata or {})
        owner = meta.get(OWNER_KEY)
        if owner == self.owner.catalog_id:
            return
        if owner is None or self.owner.in_home:
            sample = [] if self.owner.in_home else col.get(include=[], limit=100)["ids"]
            if self.owner.in_home or not sample or self.owner.knows(sample):
                col.modify(metadata={**meta, OWNER_KEY: self.owner.catalog_id,
                                     HOME_KEY: self.owner.home})  # fmt: skip
                return
            whose = "vectors of another catalog (written before Dossier recorded owners)"
        else:
            whose = f"the collection of catalog {owner} in {meta.get(HOME_KEY, 'another home')}"
        raise OwnershipError(
            f"the Chroma collection '{self.name}' at {self.location} holds {whose}; this "
            f"home's catalog is {self.owner.catalog_id} ({self.owner.home}) and will not "
            "write to it or delete from it. Use another collection name (--collection), "
            "or that home; if it is gone for good, 'dossier drop NAME --foreign' deletes "
            "the Chroma collection."
        )

    @contextmanager
    def _guard(self) -> Iterator[None]:
        """Chroma's transport and server errors as a VectorStoreError (exit 8)."""
        try:
            yield
        except (OwnershipError, VectorStoreError):
            raise
        except Exception as exc:
            if not store_failure(exc):
                raise
            raise VectorStoreError(
                f"the Chroma store at {self.location} failed: {type(exc).__name__}: {exc}"
            ) from exc

    @property
    def fingerprint(self) -> dict[str, Any]:
        meta = dict(self._col.metadata or {})
        return {k: v for k, v in meta.items() if k not in (OWNER_KEY, HOME_KEY)}

    def count(self) -> int:
        with self._guard():
            return int(self._col.count())

    def upsert(self, ids: Sequence[str], vectors: np.ndarray, doc_ids: Sequence[str]) -> None:
        for lo in range(0, len(ids), _WRITE_BATCH):
            hi = lo + _WRITE_BATCH
            with _SWAP, self._guard():
                self._col.upsert(
                    ids=list(ids[lo:hi]),
                    embeddings=vectors[lo:hi],
                    metadatas=[{"doc_id": d} for d in doc_ids[lo:hi]],
                )

    def delete(self, ids: Sequence[str]) -> None:
        ids = list(ids)
        for lo in range(0, len(ids), _WRITE_BATCH):
            with _SWAP, self._guard():
                self._col.delete(ids=ids[lo : lo + _WRITE_BATCH])

    def refresh(self) -> None:
        """See what another process wrote. An embedded Chroma keeps each collection's vector
        index in memory and never rereads it, and every client of one folder in a process
        shares that engine; so a fresh engine is started in its place (it replays the log
        on first use; a query in flight finishes on the old one). A server needs nothing."""
        if not self.embedded:
            return
        self._col  # noqa: B018 - connected: the engine is the process's, maybe started before
        server = getattr(self.client, "_server", None)
        if server is not None and type(server).__name__ == "RustBindingsAPI":  # embedded engine
            with _SWAP:
                server.start()
                _EPOCH[0] += 1

    @property
    def warm(self) -> bool:
        """Whether this process's engine has loaded this collection since it last started
        (a cold one reads its files on the next query)."""
        return self._warm == _EPOCH[0]

    def ids(self) -> set[str]:
        out: set[str] = set()
        offset = 0
        while True:
            with self._guard():
                got = self._col.get(include=[], limit=_PAGE, offset=offset)["ids"]
            out.update(got)
            if len(got) < _PAGE:
                return out
            offset += len(got)

    def everything(self) -> tuple[list[str], np.ndarray]:
        """Every stored id and its vector, in pages (a small collection's exact search)."""
        ids: list[str] = []
        parts: list[np.ndarray] = []
        while True:
            with self._guard():
                got = self._col.get(include=["embeddings"], limit=_PAGE, offset=len(ids))
            ids += got["ids"]
            if len(got["ids"]):
                parts.append(np.asarray(got["embeddings"], dtype=np.float32))
            if len(got["ids"]) < _PAGE:
                self._warm = _EPOCH[0]
                return ids, np.concatenate(parts) if parts else np.zeros((0, 0), np.float32)

    def readback(self, ids: Sequence[str]) -> tuple[dict[str, Stored], list[str]]:
        """What is stored for each of ``ids`` that can be read back, and the ids that cannot
        (Chroma: "Error getting embedding", left by two processes writing one folder)."""
        found: dict[str, Stored] = {}
        bad: list[str] = []
        todo = [list(ids[lo : lo + 100]) for lo in range(0, len(ids), 100)]
        while todo:
            part = todo.pop()
            try:
                with self._guard():
                    got = self._col.get(ids=part, include=["embeddings", "metadatas"])
            except VectorStoreError:
                if len(part) == 1:
                    bad.extend(part)
                else:  # halve until the unreadable ones are found
                    todo += [part[: len(part) // 2], part[len(part) // 2 :]]
                continue
            for i, vec, meta in zip(got["ids"], got["embeddings"], got["metadatas"], strict=True):
                found[i] = Stored(
                    np.asarray(vec, dtype=np.float32), str((meta or {}).get("doc_id"))
                )
        return found, bad

    def recreate(self) -> None:
        """Delete this (owned) Chroma collection and start an empty one in its place."""
        self.drop()
        self._col  # noqa: B018 - created again, with this catalog as its owner

    def query(
        self, vector: np.ndarray, n: int, doc_ids: Sequence[str] | None = None
    ) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity) pairs, best first, of the ``doc_ids`` documents when
        given (a Chroma filter costs tens of milliseconds however few it admits: see
        index/dense.py for when one is used)."""
        if n <= 0 or (doc_ids is not None and not doc_ids):
            return []
        where = {"doc_id": {"$in": list(doc_ids)}} if doc_ids is not None else None
        with self._guard():
            res = self._col.query(
                query_embeddings=vector[None, :], n_results=n, where=where, include=["distances"]
            )
        self._warm = _EPOCH[0]
        return [
            (i, 1.0 - float(d)) for i, d in zip(res["ids"][0], res["distances"][0], strict=True)
        ]

    def drop(self) -> None:
        self._col  # noqa: B018 - the owner check: never delete another catalog's collection
        with self._guard():
            self.client.delete_collection(self.name)
        self._collection = None
