"""The Chroma side: one Chroma collection per Dossier collection, our own embeddings only."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from corpus.errors import VectorStoreError


def chroma_client(home: Path, url: str | None = None) -> Any:
    """A persistent client under ``home`` or, with ``url``, a client of a ``chroma run`` server."""
    import chromadb
    from chromadb.config import Settings

    settings = Settings(anonymized_telemetry=False)  # no usage reports, whatever the env says
    if url:
        from urllib.parse import urlparse

        parsed = urlparse(url)
        try:
            return chromadb.HttpClient(
                host=parsed.hostname or "localhost",
                port=parsed.port or 8000,
                ssl=parsed.scheme == "https",
                settings=settings,
            )
        except Exception as exc:  # chromadb raises ValueError, httpx errors, ...: all mean this
            raise VectorStoreError(
                f"cannot reach the Chroma server at {url}: {exc}. Start it with "
                "'chroma run --path DIR --port N' or unset DOSSIER_CHROMA_URL."
            ) from exc
    return chromadb.PersistentClient(path=str(home / "chroma"), settings=settings)


class VectorStore:
    """Vectors keyed by chunk id, with ``doc_id`` metadata for filtering."""

    def __init__(self, client: Any, name: str, fingerprint: dict[str, str]) -> None:
        self.client = client
        self.name = f"dossier-{name}"
        # embedding_function=None: Chroma's default one would download a model.
        self._col = client.get_or_create_collection(
            self.name,
            embedding_function=None,
            configuration={"hnsw": {"space": "cosine"}},
            metadata=fingerprint,
        )

    @property
    def fingerprint(self) -> dict[str, Any]:
        return dict(self._col.metadata or {})

    def count(self) -> int:
        return int(self._col.count())

    def upsert(self, ids: Sequence[str], vectors: np.ndarray, doc_ids: Sequence[str]) -> None:
        for lo in range(0, len(ids), 2000):
            hi = lo + 2000
            self._col.upsert(
                ids=list(ids[lo:hi]),
                embeddings=vectors[lo:hi],
                metadatas=[{"doc_id": d} for d in doc_ids[lo:hi]],
            )

    def delete(self, ids: Sequence[str]) -> None:
        ids = list(ids)
        for lo in range(0, len(ids), 2000):
            self._col.delete(ids=ids[lo : lo + 2000])

    def ids(self) -> set[str]:
        out: set[str] = set()
        offset = 0
        while True:
            got = self._col.get(include=[], limit=5000, offset=offset)["ids"]
            out.update(got)
            if len(got) < 5000:
                return out
            offset += len(got)

    def query(
        self, vector: np.ndarray, n: int, doc_ids: Sequence[str] | None = None
    ) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity) pairs, best first."""
        if n <= 0 or (doc_ids is not None and not doc_ids):
            return []
        where = {"doc_id": {"$in": list(doc_ids)}} if doc_ids is not None else None
        res = self._col.query(
            query_embeddings=vector[None, :], n_results=n, where=where, include=["distances"]
        )
        return [
            (i, 1.0 - float(d)) for i, d in zip(res["ids"][0], res["distances"][0], strict=True)
        ]

    def drop(self) -> None:
        self.client.delete_collection(self.name)
