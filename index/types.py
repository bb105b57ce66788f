"""Frozen dataclasses owned by the index stage: search filters and Hits."""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from datetime import date

from corpus.errors import UsageError
from corpus.types import Chunk
from index.catalog import DocumentInfo

MODES = ("hybrid", "dense", "bm25")


@dataclass(frozen=True)
class SearchFilter:
    """Restricts a search to documents by source path pattern, date range, tag or id."""

    source: str | None = None  # glob on the source path, e.g. "fact-sheets/*"
    since: str | None = None  # ISO date, inclusive
    until: str | None = None  # ISO date, inclusive
    tag: str | None = None
    doc_ids: frozenset[str] = frozenset()  # only these documents (the app's ticked ones)

    @classmethod
    def from_strings(
        cls,
        source: str | None = None,
        since: str | None = None,
        until: str | None = None,
        tag: str | None = None,
    ) -> SearchFilter | None:
        """A filter from user input (flags, form fields): blanks mean 'not given'; None when
        nothing is given. Dates must be ISO (2024-03-28), else UsageError."""
        values = {k: (v or "").strip() or None
                  for k, v in {"source": source, "since": since, "until": until,
                               "tag": tag}.items()}  # fmt: skip
        for name in ("since", "until"):
            value = values[name]
            if value is not None:
                try:
                    date.fromisoformat(value)
                except ValueError:
                    raise UsageError(
                        f"--{name} must be a date like 2024-03-28, not '{value}'"
                    ) from None
        made = cls(values["source"], values["since"], values["until"], values["tag"])
        return made if made.active else None

    @property
    def active(self) -> bool:
        return any((self.source, self.since, self.until, self.tag, self.doc_ids))

    def admits(self, doc: DocumentInfo) -> bool:
        if self.doc_ids and doc.doc_id not in self.doc_ids:
            return False
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
