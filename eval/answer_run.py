"""Running an answer evaluation: index a corpus (cached per corpus and index settings),
answer a QA set with an Assistant, and return the run record that ``eval compare`` reads.

The CLI and the app call ``run_answers`` with objects built from their Settings.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from assistant.service import Assistant
from corpus.errors import UsageError
from eval.answers import evaluate_answers
from eval.datasets import QAItem, corpus_hash, load_corpus, load_qa
from eval.retrieval import index_corpus
from index.catalog import DocumentInfo
from index.collection import Collection
from index.ingest import ingest


def settings_hash(data: Any) -> str:
    """A short, stable digest of a run's settings (runs with equal settings compare as such)."""
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]


def run_answers(
    corpus: Path,
    qa: Path,
    *,
    collection_for: Callable[[str], Collection],
    assistant_for: Callable[[Collection], Assistant],
    settings: Mapping[str, Any],
    limit: int | None = None,
    on_chunks: Callable[[int], None] | None = None,
    on_item: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Answer the first ``limit`` questions of ``qa`` (all: None or 0) over ``corpus`` (a
    corpus.jsonl or a folder).

    ``collection_for(corpus digest)`` opens the cache collection for the corpus;
    ``assistant_for(collection)`` gives the Assistant under test; ``settings`` is recorded.
    ``on_item(done, total)`` is called once with 0 before the first question.
    """
    if not corpus.exists():
        raise UsageError(f"{corpus}: no such corpus file or folder")
    items = load_qa(qa)[:limit] if limit else load_qa(qa)
    digest = corpus_hash(corpus)
    coll = collection_for(digest)
    if corpus.is_file():
        cached = index_corpus(coll, load_corpus(corpus), on_chunks=on_chunks)
    else:
        report = ingest(coll, [corpus], on_chunks=on_chunks)
        cached = not any(f.status in ("added", "updated") for f in report.files)
        items = evidence_by_source(coll.documents(), items)
    helper = assistant_for(coll)
    done = [0]

    def tick() -> None:
        done[0] += 1
        if on_item:
            on_item(done[0], len(items))

    if on_item:
        on_item(0, len(items))
    metrics, results = evaluate_answers(helper, items, on_item=tick)
    return {
        "kind": "answers", "corpus": str(corpus), "qa": str(qa), "corpus_hash": digest,
        "settings": dict(settings), "settings_hash": settings_hash(settings),
        "cached_index": cached,  # False: this run built the index (a cold run)
        "metrics": metrics,
        "results": [r.to_dict() for r in results],
    }  # fmt: skip


def evidence_by_source(docs: Sequence[DocumentInfo], items: Sequence[QAItem]) -> list[QAItem]:
    """Folder corpora: evidence may name a document by its path under the folder, since a
    document id depends on the collection (``dossier eval generate`` writes paths)."""
    ids = {d.source: d.doc_id for d in docs}
    return [replace(i, evidence=tuple(ids.get(e, e) for e in i.evidence)) for i in items]
