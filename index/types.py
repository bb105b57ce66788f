"""Frozen dataclasses owned by the index stage: search filters and Hits."""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass

from corpus.types import Chunk
from index.catalog import DocumentInfo

MODES = ("hybrid", "dense", "bm25")


@dataclass(frozen=True)
class SearchFilter:
    """Restricts a search to documents by source path pattern, date range or tag."""

    source: str | None = None  # glob on the source path, e.g. "fact-sheets/*"
    since: str | None = None  # ISO date, inclusive
    until: str | None = None  # ISO date, inclusive
    tag: str | None = None

    @property
    def active(self) -> bool:
        return any((self.source, self.since, self.until, self.tag))

    def admits(self, doc: DocumentInfo) -> bool:
        if self.source and not fnmatch.fnmatch(doc.source, self.source):
            return False
        if (self.since or self.until) and not doc.date:
            return False  # an undated document can't be shown to fall in the range
        if self.since and (doc.date or "") < self.since:
            return False
        if self.until and (doc.date or "") > self.until:
            return False
        if self.tag:
            tags = doc.metadata.get("tags") or []
            if self.tag.lower() not in {str(t).lower() for t in tags}:
                return False
        return True


@dataclass(frozen=True)
class Hit:
    """A retrieved chunk with its document, fused score and the rank from each retriever."""

    chunk: Chunk
    document: DocumentInfo
    score: float
    rank: int
    dense_rank: int | None = None
    bm25_rank: int | None = None
    dense_score: float | None = None
    bm25_score: float | None = None
