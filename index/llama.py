"""Dossier's hybrid retriever as a llama-index ``BaseRetriever``.

A LlamaIndex user can drop a Dossier collection into their own query engine. llama-index
types stay in this module: the rest of Dossier passes Chunk and Hit.
"""

from __future__ import annotations

from typing import Any

from index.collection import Collection
from index.settings import RetrievalSettings
from index.types import Hit, SearchFilter

try:
    from llama_index.core.retrievers import BaseRetriever
    from llama_index.core.schema import NodeWithScore, QueryBundle, TextNode
except ImportError as exc:  # pragma: no cover - llama-index-core is a core dependency
    from corpus.errors import MissingDependencyError

    raise MissingDependencyError("llama-index-core", "The llama-index retriever") from exc


def hit_to_node(hit: Hit) -> NodeWithScore:
    c, d = hit.chunk, hit.document
    node = TextNode(
        id_=c.chunk_id,
        text=c.text,
        metadata={
            "doc_id": c.doc_id, "title": d.title, "source": d.source, "page": c.page,
            "start": c.start, "end": c.end, "date": d.date,
            "dense_rank": hit.dense_rank, "bm25_rank": hit.bm25_rank,
        },
        # offsets into the source document, so llama-index tools can highlight the span
        start_char_idx=c.start,
        end_char_idx=c.end,
    )  # fmt: skip
    return NodeWithScore(node=node, score=hit.score)


class DossierRetriever(BaseRetriever):
    """Hybrid (dense + BM25) retrieval over a Dossier collection, fused as ``retrieval`` says."""

    def __init__(
        self,
        collection: Collection,
        k: int | None = None,
        *,
        filters: SearchFilter | None = None,
        mode: str = "hybrid",
        retrieval: RetrievalSettings | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self._collection = collection
        self._k = k  # None: retrieval.top_k
        self._filters = filters
        self._mode = mode
        self._retrieval = retrieval or RetrievalSettings()

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        hits = self._collection.search(
            query_bundle.query_str, self._k, filters=self._filters, mode=self._mode,
            retrieval=self._retrieval,
        )  # fmt: skip
        return [hit_to_node(h) for h in hits]
