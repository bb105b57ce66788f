"""The catalog: a SQLite file per collection holding documents, chunks and settings.

It is the source of truth. Chroma holds one vector per catalog chunk and the BM25 index is
rebuilt from the catalog whenever its generation number moves, so the three cannot drift
apart silently (``Collection.reconcile`` repairs what a crash may leave behind).
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from corpus.types import Chunk, Document, Heading
from index.catalog_rows import CHUNK_COLUMNS, SCHEMA, DocumentInfo, chunk_of, date_of, info_of


class Catalog:
    """One per collection and process, shared by threads: each thread gets its own
    connection, so a reader never sees another thread's open transaction and, with WAL,
    reads the last committed state while a writer works."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._local = threading.local()  # a thread's connection ends with the thread
        self._lock = threading.Lock()
        self._db.executescript(SCHEMA)
        self._own: set[int] = set()  # generations this process committed, not yet checked
        self._checked = 0  # all earlier commits count as foreign: another object may have
        # opened the same Chroma before them

    @property
    def _db(self) -> sqlite3.Connection:
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            # autocommit off; every write goes through an explicit transaction below
            # a reader waits out another process's commit instead of failing "database is
            # locked" (writers are one at a time: index/lock.py)
            db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False,
                                 timeout=60)  # fmt: skip
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            self._local.db = db
        return db

    def close(self) -> None:
        """Close this thread's connection (other threads' close when their threads end)."""
        db = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None

    # -- settings and generation -------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        self._db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    @property
    def catalog_id(self) -> str:
        """This catalog's identity, recorded by the Chroma collection it owns (made once)."""
        found = self.get_meta("catalog_id")
        if found is None:
            self._db.execute("INSERT OR IGNORE INTO meta VALUES ('catalog_id', ?)",
                             (uuid.uuid4().hex,))  # fmt: skip
            found = self.get_meta("catalog_id") or ""
        return found

    def knows(self, chunk_ids: list[str]) -> bool:
        """Whether every one of ``chunk_ids`` is a chunk of this catalog."""
        return len(self.chunks_by_id(chunk_ids)) == len(set(chunk_ids))

    def touch(self) -> None:
        """Move the generation without changing a document: readers in other processes
        then reload what they hold (the vectors a repair rewrote)."""
        with self._write():
            pass

    @property
    def generation(self) -> int:
        return int(self.get_meta("generation") or 0)

    def changed_elsewhere(self) -> bool:
        """Whether another process committed since the last call (this process's own
        commits do not count): a long-lived reader then refreshes what keeps the old state
        in memory (an embedded Chroma's vector index)."""
        gen = self.generation
        with self._lock:
            seen, self._checked = self._checked, max(self._checked, gen)
            foreign = any(g not in self._own for g in range(seen + 1, gen + 1))
            self._own = {g for g in self._own if g > gen}
        return foreign

    # -- writes ------------------------------------------------------------------------
    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One transaction that moves the generation: all of it is stored, or none."""
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        gen = 0
        try:
            yield db
            gen = self.generation + 1
            db.execute("INSERT OR REPLACE INTO meta VALUES ('generation', ?)", (str(gen),))
            with self._lock:  # known as ours before any reader can see it
                self._own.add(gen)
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            with self._lock:
                self._own.discard(gen)
            raise

    def replace_document(self, doc: Document, root: str, chunks: Iterable[Chunk]) -> list[str]:
        """Store ``doc`` and its chunks in one transaction; return the chunk ids it replaced."""
        with self._write() as db:
            old = _drop_chunks(db, doc.doc_id)
            db.execute(
                "INSERT OR REPLACE INTO documents VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (
                    doc.doc_id, doc.source, root, doc.title,
                    json.dumps(dict(doc.metadata), default=str), doc.text,
                    json.dumps(list(doc.page_starts)),
                    json.dumps([[h.start, h.level, h.title] for h in doc.headings]),
                    doc.content_hash, date_of(doc.metadata), time.time(),
                ),
            )  # fmt: skip
            db.executemany(
                "INSERT INTO chunks VALUES (?,?,?,?,?,?,?,?,?,?)",
                [
                    (c.chunk_id, c.doc_id, c.index, c.text, c.start, c.end, c.page,
                     json.dumps(list(c.headings)), c.n_tokens, c.version)
                    for c in chunks
                ],
            )  # fmt: skip
        return old

    def remove_document(self, doc_id: str) -> list[str]:
        """Remove a document and its chunks; return the chunk ids it had."""
        with self._write() as db:
            old = _drop_chunks(db, doc_id)
            db.execute("DELETE FROM documents WHERE doc_id=?", (doc_id,))
        return old

    # -- reads -------------------------------------------------------------------------
    def content_hash(self, doc_id: str) -> str | None:
        row = self._db.execute("SELECT content_hash FROM documents WHERE doc_id=?", (doc_id,))
        found = row.fetchone()
        return None if found is None else str(found[0])

    def root(self, doc_id: str) -> str | None:
        """The folder a stored document was found under (as given to the ingest)."""
        found = self._db.execute("SELECT root FROM documents WHERE doc_id=?", (doc_id,))
        row = found.fetchone()
        return None if row is None else str(row[0])

    def documents(self) -> list[DocumentInfo]:
        rows = self._db.execute(
            "SELECT d.doc_id, d.source, d.title, d.metadata, d.date, d.content_hash, d.root,"
            " (SELECT COUNT(*) FROM chunks c WHERE c.doc_id = d.doc_id), d.ingested_at"
            " FROM documents d ORDER BY d.source"
        )
        return [info_of(r) for r in rows]

    def document_info(self, doc_id: str) -> DocumentInfo | None:
        return next((d for d in self.documents() if d.doc_id == doc_id), None)

    def document(self, doc_id: str) -> Document | None:
        row = self._db.execute(
            "SELECT doc_id, source, title, text, metadata, page_starts, headings, content_hash"
            " FROM documents WHERE doc_id=?",
            (doc_id,),
        ).fetchone()
        if row is None:
            return None
        return Document(
            doc_id=row[0], source=row[1], title=row[2], text=row[3], metadata=json.loads(row[4]),
            page_starts=tuple(json.loads(row[5])),
            headings=tuple(Heading(s, lvl, t) for s, lvl, t in json.loads(row[6])),
            content_hash=row[7],
        )  # fmt: skip

    def chunk_documents(self) -> Iterator[tuple[str, str]]:
        """(chunk id, doc id) of every chunk."""
        yield from self._db.execute("SELECT chunk_id, doc_id FROM chunks ORDER BY rowid")

    def integrity(self) -> str:
        """'ok', or what SQLite's integrity check and a chunk-to-document check found."""
        found = [str(r[0]) for r in self._db.execute("PRAGMA integrity_check")]
        lost = self._db.execute(
            "SELECT COUNT(*) FROM chunks WHERE doc_id NOT IN (SELECT doc_id FROM documents)"
        ).fetchone()[0]
        if lost:
            found = [r for r in found if r != "ok"] + [f"{lost} chunks of no document"]
        return "; ".join(found)[:500]

    def chunk_ids(self) -> list[str]:
        return [r[0] for r in self._db.execute("SELECT chunk_id FROM chunks ORDER BY rowid")]

    def iter_chunks(self) -> Iterator[Chunk]:
        for r in self._db.execute(f"SELECT {CHUNK_COLUMNS} FROM chunks ORDER BY rowid"):
            yield chunk_of(r)

    def chunks_of(self, doc_ids: Iterable[str]) -> list[Chunk]:
        """The chunks of these documents, in the order they were stored."""
        ids = list(doc_ids)
        rows: list[tuple[int, Chunk]] = []
        for lo in range(0, len(ids), 500):
            part = ids[lo : lo + 500]
            marks = ",".join("?" * len(part))
            for r in self._db.execute(
                f"SELECT rowid, {CHUNK_COLUMNS} FROM chunks WHERE doc_id IN ({marks})", part
            ):
                rows.append((r[0], chunk_of(r[1:])))
        return [c for _, c in sorted(rows, key=lambda x: x[0])]

    def chunks_by_id(self, ids: Iterable[str]) -> dict[str, Chunk]:
        ids = list(ids)
        out: dict[str, Chunk] = {}
        for lo in range(0, len(ids), 500):
            part = ids[lo : lo + 500]
            marks = ",".join("?" * len(part))
            for r in self._db.execute(
                f"SELECT {CHUNK_COLUMNS} FROM chunks WHERE chunk_id IN ({marks})", part
            ):
                c = chunk_of(r)
                out[c.chunk_id] = c
        return out

    def counts(self) -> tuple[int, int]:
        docs = self._db.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
        chunks = self._db.execute("SELECT COUNT(*) FROM chunks").fetchone()[0]
        return int(docs), int(chunks)


def _drop_chunks(db: sqlite3.Connection, doc_id: str) -> list[str]:
    old = [r[0] for r in db.execute("SELECT chunk_id FROM chunks WHERE doc_id=?", (doc_id,))]
    db.execute("DELETE FROM chunks WHERE doc_id=?", (doc_id,))
    return old
