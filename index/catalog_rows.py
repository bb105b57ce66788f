"""The catalog's SQLite schema and how its rows become ``Chunk`` and ``DocumentInfo``."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from corpus.types import Chunk

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    doc_id TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    root TEXT NOT NULL,
    title TEXT NOT NULL,
    metadata TEXT NOT NULL,
    text TEXT NOT NULL,
    page_starts TEXT NOT NULL,
    headings TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    date TEXT,
    ingested_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS chunks (
    chunk_id TEXT PRIMARY KEY,
    doc_id TEXT NOT NULL REFERENCES documents(doc_id),
    idx INTEGER NOT NULL,
    text TEXT NOT NULL,
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    page INTEGER,
    headings TEXT NOT NULL,
    n_tokens INTEGER NOT NULL,
    version TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_id);
"""
# the columns _chunk reads, in its order
CHUNK_COLUMNS = "doc_id, idx, text, start, end, page, headings, n_tokens, version"


@dataclass(frozen=True)
class DocumentInfo:
    """What a Hit needs to know about its document (the full text stays in the catalog)."""

    doc_id: str
    source: str
    title: str
    metadata: dict[str, Any]
    date: str | None
    content_hash: str
    root: str = ""
    n_chunks: int = 0
    ingested_at: float = 0.0


def chunk_of(r: tuple[Any, ...]) -> Chunk:
    return Chunk(
        doc_id=r[0], index=r[1], text=r[2], start=r[3], end=r[4], page=r[5],
        headings=tuple(json.loads(r[6])), n_tokens=r[7], version=r[8],
    )  # fmt: skip


def info_of(r: tuple[Any, ...]) -> DocumentInfo:
    return DocumentInfo(
        doc_id=r[0], source=r[1], title=r[2], metadata=json.loads(r[3]), date=r[4],
        content_hash=r[5], root=r[6], n_chunks=int(r[7]), ingested_at=float(r[8]),
    )  # fmt: skip


def date_of(metadata: Any) -> str | None:
    """ISO date (YYYY-MM-DD) from front matter, used by the date-range filter."""
    value = metadata.get("date") if hasattr(metadata, "get") else None
    return str(value)[:10] if value else None
