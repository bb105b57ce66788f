"""Frozen dataclasses owned by the corpus stage: Document and Chunk."""

from __future__ import annotations

import bisect
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Heading:
    """A heading in a document: where it starts, its level (1 = top) and its title."""

    start: int
    level: int
    title: str


@dataclass(frozen=True)
class Document:
    """One source file, read into plain text.

    ``page_starts[i]`` is the character offset at which page ``i + 1`` begins (empty for
    formats without pages). ``headings`` are in text order.
    """

    doc_id: str
    source: str  # path relative to the ingested root, with forward slashes
    title: str
    text: str
    metadata: Mapping[str, Any] = field(default_factory=dict)
    page_starts: tuple[int, ...] = ()
    headings: tuple[Heading, ...] = ()
    content_hash: str = ""

    def page_at(self, offset: int) -> int | None:
        """1-based page number holding character ``offset``, or None if unpaged."""
        if not self.page_starts:
            return None
        return max(1, bisect.bisect_right(self.page_starts, offset))

    def heading_path(self, offset: int) -> tuple[str, ...]:
        """Titles of the headings enclosing ``offset``, outermost first."""
        path: list[Heading] = []
        for h in self.headings:
            if h.start > offset:
                break
            while path and path[-1].level >= h.level:
                path.pop()
            path.append(h)
        return tuple(h.title for h in path)


@dataclass(frozen=True)
class Chunk:
    """A span of a Document: ``document.text[start:end] == text`` always holds."""

    doc_id: str
    index: int
    text: str
    start: int
    end: int
    page: int | None = None
    headings: tuple[str, ...] = ()
    n_tokens: int = 0
    version: str = ""  # the document's content hash prefix: a changed file gets new ids

    @property
    def chunk_id(self) -> str:
        return f"{self.doc_id}:{self.version}:{self.index}"


def doc_of(chunk_id: str) -> str:
    """The document id inside a ``Chunk.chunk_id`` (document id, version, index)."""
    return chunk_id.rsplit(":", 2)[0]
