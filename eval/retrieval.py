"""Retrieval evaluation on a BEIR set through the same hybrid retriever users get.

The corpus is indexed into a throwaway collection named by the hash of the corpus and of
the embedder/chunker settings, so a second run finds it complete and embeds nothing.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable, Iterator

from corpus.types import Document
from eval.datasets import BeirSet, CorpusDoc
from eval.metrics import evaluate_retrieval, latency_summary
from index.collection import Collection
from index.ingest import ingest_documents
from index.settings import RetrievalSettings
from index.types import MODES

COMPLETE = "eval_corpus_complete"


def cache_name(corpus_digest: str, fingerprint: dict[str, str]) -> str:
    key = corpus_digest + "|" + "|".join(f"{k}={v}" for k, v in sorted(fingerprint.items()))
    return "eval-" + hashlib.sha256(key.encode()).hexdigest()[:16]


def to_documents(corpus: Iterable[CorpusDoc]) -> Iterator[Document]:
    for d in corpus:
        text = f"{d.title}\n\n{d.text}" if d.title else d.text
        yield Document(
            doc_id=d.doc_id, source=d.doc_id, title=d.title or d.doc_id, text=text,
            content_hash=hashlib.sha256(text.encode()).hexdigest(),
        )  # fmt: skip


def index_corpus(
    collection: Collection,
    corpus: list[CorpusDoc],
    on_chunks: Callable[[int], None] | None = None,
) -> bool:
    """Index ``corpus`` unless the cached collection is already complete; True if it was."""
    if collection.catalog.get_meta(COMPLETE) == str(len(corpus)):
        return True
    docs = [d for d in to_documents(corpus) if d.text.strip()]
    ingest_documents(collection, docs, root="eval", on_chunks=on_chunks)
    collection.catalog.set_meta(COMPLETE, str(len(corpus)))
    return False


def doc_ranking(
    collection: Collection, query: str, mode: str, depth: int, retrieval: RetrievalSettings
) -> list[str]:
    """Documents in the order their best chunk ranks (chunks of one document count once)."""
    # every chunk ranked counts; more candidates, if the settings take more, as searches do
    deep = retrieval.model_copy(update={"candidates": max(depth, retrieval.candidates)})
    hits = collection.search(query, depth, mode=mode, retrieval=deep)
    return list(dict.fromkeys(h.chunk.doc_id for h in hits))


def evaluate_beir(
    collection: Collection,
    beir: BeirSet,
    *,
    modes: Iterable[str] = MODES,
    depth: int = 100,
    retrieval: RetrievalSettings | None = None,
    limit: int | None = None,
    on_query: Callable[[], None] | None = None,
) -> dict[str, dict[str, float]]:
    """Metrics per mode: ndcg@10, recall@100, mrr@10, hit@10, p50_ms, p95_ms."""
    queries = beir.queries[:limit] if limit else beir.queries
    qrels = {q.query_id: beir.qrels[q.query_id] for q in queries}
    out: dict[str, dict[str, float]] = {}
    for mode in modes:
        run: dict[str, list[str]] = {}
        latencies: list[float] = []
        for q in queries:
            t0 = time.perf_counter()
            run[q.query_id] = doc_ranking(
                collection, q.text, mode, depth, retrieval or RetrievalSettings()
            )
            latencies.append((time.perf_counter() - t0) * 1000)
            if on_query:
                on_query()
        metrics = evaluate_retrieval(run, qrels, ks=(10, 100))
        wanted = ("ndcg@10", "recall@100", "mrr@10", "hit@10", "recall@10")
        lat = latency_summary(latencies)
        out[mode] = {k: round(metrics[k], 4) for k in wanted if k in metrics} | {
            "p50_ms": round(lat["p50_ms"], 1), "p95_ms": round(lat["p95_ms"], 1),
        }  # fmt: skip
    return out
