"""Incremental ingest by content hash, with a per-file report.

Order of writes for a changed file: new vectors are stored in Chroma, then the catalog swaps
old chunks for new in one transaction, then the old vectors are deleted. A crash at any
point leaves either the old or the new version searchable, never both and never neither
(orphan vectors are filtered out of results and removed by ``reconcile``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from corpus.chunker import chunk_document
from corpus.readers import iter_folder
from corpus.types import Chunk, Document
from index.collection import Collection

STATUSES = ("added", "updated", "unchanged", "removed", "skipped", "failed")
_BATCH_CHUNKS = 256  # embed several small files together: fewer, fuller batches


@dataclass(frozen=True)
class FileReport:
    source: str
    status: str  # one of STATUSES
    reason: str = ""
    chunks: int = 0
    warnings: tuple[str, ...] = ()
    doc_id: str = ""


@dataclass
class IngestReport:
    collection: str
    files: list[FileReport] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {s: sum(1 for f in self.files if f.status == s) for s in STATUSES}

    @property
    def failed(self) -> bool:
        return any(f.status == "failed" for f in self.files)

    def summary(self) -> str:
        c = self.counts()
        parts = ", ".join(f"{n} {s}" for s, n in c.items() if n or s in ("added", "failed"))
        return f"{self.collection}: {parts}"


@dataclass
class _Pending:
    doc: Document
    root: str
    status: str
    chunks: list[Chunk]
    warnings: tuple[str, ...]


def ingest(
    collection: Collection,
    paths: Iterable[Path],
    *,
    prune: bool = False,
    on_file: Callable[[FileReport], None] | None = None,
    on_chunks: Callable[[int], None] | None = None,
) -> IngestReport:
    """Ingest files and folders; ``on_file`` sees each report as it is made (progress)."""
    paths = [Path(p) for p in paths]
    collection.reconcile()  # first undo what an interrupted earlier run may have left
    report = IngestReport(collection.name)
    seen: dict[str, set[str]] = {}  # root -> sources present on disk this run
    pending: list[_Pending] = []

    def emit(fr: FileReport) -> None:
        report.files.append(fr)
        if on_file:
            on_file(fr)

    def flush() -> None:
        _store(collection, pending, emit, on_chunks)
        pending.clear()

    for outcome in iter_folder(paths, collection=collection.name):
        root = str(outcome.path.resolve())[: -len(outcome.source)].rstrip("/") or "/"
        seen.setdefault(root, set()).add(outcome.source)
        if outcome.document is None:
            emit(FileReport(outcome.source, outcome.status, outcome.reason, 0, outcome.warnings))
            continue
        doc = outcome.document
        known = collection.catalog.content_hash(doc.doc_id)
        if known == doc.content_hash:
            emit(FileReport(outcome.source, "unchanged", "", 0, outcome.warnings, doc.doc_id))
            continue
        chunks = chunk_document(doc, collection.chunker, fits=collection.embedder.fits)
        status = "added" if known is None else "updated"
        pending.append(_Pending(doc, root, status, chunks, outcome.warnings))
        if sum(len(p.chunks) for p in pending) >= _BATCH_CHUNKS:
            flush()
    flush()
    if prune:
        _prune(collection, seen, emit)
    return report


def ingest_documents(
    collection: Collection,
    documents: Iterable[Document],
    *,
    root: str,
    on_file: Callable[[FileReport], None] | None = None,
    on_chunks: Callable[[int], None] | None = None,
) -> IngestReport:
    """Ingest Documents made in memory (an evaluation corpus), by the same rules as files."""
    report = IngestReport(collection.name)
    pending: list[_Pending] = []

    def emit(fr: FileReport) -> None:
        report.files.append(fr)
        if on_file:
            on_file(fr)

    for doc in documents:
        known = collection.catalog.content_hash(doc.doc_id)
        if known == doc.content_hash:
            emit(FileReport(doc.source, "unchanged", "", 0, (), doc.doc_id))
            continue
        chunks = chunk_document(doc, collection.chunker, fits=collection.embedder.fits)
        pending.append(_Pending(doc, root, "added" if known is None else "updated", chunks, ()))
        if sum(len(p.chunks) for p in pending) >= _BATCH_CHUNKS:
            _store(collection, pending, emit, on_chunks)
            pending.clear()
    _store(collection, pending, emit, on_chunks)
    return report


def _store(
    collection: Collection,
    pending: list[_Pending],
    emit: Callable[[FileReport], None],
    on_chunks: Callable[[int], None] | None,
) -> None:
    if not pending:
        return
    texts = [c.text for p in pending for c in p.chunks]
    vectors = collection.embedder.embed(texts, progress=on_chunks)
    row = 0
    for p in pending:
        n = len(p.chunks)
        ids = [c.chunk_id for c in p.chunks]
        collection.vectors.upsert(ids, vectors[row : row + n], [p.doc.doc_id] * n)
        row += n
        old = collection.catalog.replace_document(p.doc, p.root, p.chunks)
        stale = sorted(set(old) - set(ids))
        collection.vectors.delete(stale)
        emit(FileReport(p.doc.source, p.status, "", n, p.warnings, p.doc.doc_id))


def _prune(
    collection: Collection, seen: dict[str, set[str]], emit: Callable[[FileReport], None]
) -> None:
    """Remove documents under the ingested roots whose files are gone."""
    for info in collection.catalog.documents():
        if info.root in seen and info.source not in seen[info.root]:
            collection.remove(info.doc_id)
            emit(FileReport(info.source, "removed", "file no longer exists", 0, (), info.doc_id))
