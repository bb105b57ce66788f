"""Incremental ingest by content hash, with a per-file report.

Order of writes for a changed file: new vectors are stored in Chroma, then the catalog swaps
old chunks for new in one transaction, then the old vectors are deleted. A crash at any
point leaves either the old or the new version searchable, never both and never neither
(orphan vectors are filtered out of results and removed by ``reconcile``).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from corpus.chunker import chunk_document
from corpus.limits import DEFAULT_LIMITS, ReadLimits
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


def ingest(
    collection: Collection,
    paths: Iterable[Path],
    *,
    prune: bool = False,
    follow_links: bool = False,
    limits: ReadLimits = DEFAULT_LIMITS,
    on_file: Callable[[FileReport], None] | None = None,
    on_chunks: Callable[[int], None] | None = None,
) -> IngestReport:
    """Ingest files and folders; ``on_file`` sees each report as it is made (progress).

    A document's root is the folder it was found under, as given (never a resolved path),
    so ``prune`` removes only what was under a given folder and is gone from it.
    """
    with collection.writing("ingest"):  # one writer at a time (index/lock.py)
        return _ingest(collection, [Path(p) for p in paths], prune, follow_links, limits,
                       on_file, on_chunks)  # fmt: skip


def _ingest(
    collection: Collection, paths: list[Path], prune: bool, follow_links: bool,
    limits: ReadLimits, on_file: Callable[[FileReport], None] | None,
    on_chunks: Callable[[int], None] | None,
) -> IngestReport:  # fmt: skip
    # first undo what an interrupted earlier run may have left (reads every vector id only
    # if the last write did not end cleanly)
    collection.reconcile(always=False)
    run = _Run(collection, on_file, on_chunks)
    present = _Present(paths)
    outcomes = iter_folder(paths, collection=collection.name, follow_links=follow_links,
                           limits=limits)  # fmt: skip
    for outcome in outcomes:
        root = str(outcome.root or outcome.path.parent)
        present.add(root, outcome.source, outcome.folder)
        if outcome.document is None:
            run.emit(FileReport(outcome.source, outcome.status, outcome.reason, 0,
                                outcome.warnings))  # fmt: skip
        else:
            run.add(outcome.document, root, outcome.warnings)
    run.flush()
    if prune:
        _prune(collection, present, run.emit)
    return run.report


def ingest_documents(
    collection: Collection,
    documents: Iterable[Document],
    *,
    root: str,
    on_file: Callable[[FileReport], None] | None = None,
    on_chunks: Callable[[int], None] | None = None,
) -> IngestReport:
    """Ingest Documents made in memory (an evaluation corpus), by the same rules as files."""
    with collection.writing("ingest"):
        run = _Run(collection, on_file, on_chunks)
        for doc in documents:
            run.add(doc, root, ())
        run.flush()
    return run.report


@dataclass
class _Pending:
    doc: Document
    root: str
    status: str
    chunks: list[Chunk]
    warnings: tuple[str, ...]


class _Run:
    """One ingest: skips unchanged documents, chunks the others, and stores them in batches."""

    def __init__(self, collection: Collection, on_file: Callable[[FileReport], None] | None,
                 on_chunks: Callable[[int], None] | None) -> None:  # fmt: skip
        self.collection, self.on_file, self.on_chunks = collection, on_file, on_chunks
        self.report = IngestReport(collection.name)
        self.pending: list[_Pending] = []

    def emit(self, fr: FileReport) -> None:
        self.report.files.append(fr)
        if self.on_file:
            self.on_file(fr)

    def add(self, doc: Document, root: str, warnings: tuple[str, ...]) -> None:
        catalog = self.collection.catalog
        known = catalog.content_hash(doc.doc_id)
        # the same relative path found under another folder is stored again with its root,
        # or pruning the first folder would remove the document the second one still has
        if known == doc.content_hash and catalog.root(doc.doc_id) == root:
            self.emit(FileReport(doc.source, "unchanged", "", 0, warnings, doc.doc_id))
            return
        try:
            chunks = chunk_document(doc, self.collection.chunker,
                                    fits=self.collection.embedder.fits)  # fmt: skip
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as err:  # a tokenizer panic (pyo3) is no Exception: one file
            reason = f"unexpected error while chunking: {type(err).__name__}: {err}"[:300]
            self.emit(FileReport(doc.source, "failed", reason, 0, warnings, doc.doc_id))
            return
        status = "added" if known is None else "updated"
        self.pending.append(_Pending(doc, root, status, chunks, warnings))
        if sum(len(p.chunks) for p in self.pending) >= _BATCH_CHUNKS:
            self.flush()

    def flush(self) -> None:
        """Embed the pending chunks together, then store each document (see the module doc)."""
        if not self.pending:
            return
        coll = self.collection
        vectors = coll.embedder.embed([c.text for p in self.pending for c in p.chunks],
                                      progress=self.on_chunks)  # fmt: skip
        row = 0
        for p in self.pending:
            n = len(p.chunks)
            ids = [c.chunk_id for c in p.chunks]
            coll.vectors.upsert(ids, vectors[row : row + n], [p.doc.doc_id] * n)
            row += n
            old = coll.catalog.replace_document(p.doc, p.root, p.chunks)
            coll.vectors.delete(sorted(set(old) - set(ids)))
            self.emit(FileReport(p.doc.source, p.status, "", n, p.warnings, p.doc.doc_id))
        self.pending.clear()


class _Present:
    """What an ingest found under each given folder; what prune must keep."""

    def __init__(self, given: list[Path]) -> None:
        # Only given folders are pruned (also when nothing is left in them); a given file
        # says nothing about its neighbours.
        self.sources: dict[str, set[str]] = {
            os.path.abspath(p): set() for p in given if os.path.isdir(p)
        }
        self.folders: dict[str, list[str]] = {}  # root -> folders reported, not walked

    def add(self, root: str, source: str, folder: bool) -> None:
        if root in self.sources:
            self.sources[root].add(source)
            if folder:
                self.folders.setdefault(root, []).append(source + "/")

    def gone(self, root: str, source: str) -> bool:
        if root not in self.sources or source in self.sources[root]:
            return False
        # under a folder that could not be listed (or was not entered): not known to be gone
        return not any(source.startswith(prefix) for prefix in self.folders.get(root, ()))


def _prune(collection: Collection, present: _Present, emit: Callable[[FileReport], None]) -> None:
    """Remove documents under the given folders whose files are gone."""
    for info in collection.catalog.documents():
        if present.gone(info.root, info.source):
            collection.remove(info.doc_id)
            emit(FileReport(info.source, "removed", "file no longer exists", 0, (), info.doc_id))
