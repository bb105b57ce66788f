"""Turning files and folders into Documents, one FileOutcome per file.

A bad file never stops an ingest: ``iter_folder`` reports it as "failed" or "skipped"
with a reason the user can act on, and goes on with the next one.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from corpus.errors import ReadError, UsageError
from corpus.formats import PARSERS, collapse
from corpus.types import Document

SUPPORTED_SUFFIXES: frozenset[str] = frozenset(PARSERS)
MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_TITLE_CHARS = 200


@dataclass(frozen=True)
class FileOutcome:
    """What happened to one file (or hidden/unreadable folder) during an ingest."""

    source: str  # path relative to the root, forward slashes
    path: Path  # absolute path
    document: Document | None  # set when status == "read"
    status: str  # "read" | "skipped" | "failed"
    reason: str = ""  # why skipped or failed, meant for the user
    warnings: tuple[str, ...] = ()


def doc_id_for(collection: str, source: str) -> str:
    """Stable id: re-ingesting the same file into the same collection replaces it."""
    return hashlib.sha1(f"{collection}\0{source}".encode()).hexdigest()[:16]


def read_file(path: Path, *, root: Path, collection: str) -> tuple[Document, tuple[str, ...]]:
    """Read one supported file into a Document; raises ReadError with a user-facing reason."""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise ReadError(path, _unsupported(suffix))
    data = _read_bytes(path)
    parsed = PARSERS[suffix](data, path)
    if not parsed.text.strip():
        raise ReadError(path, "empty file")
    source = _source(path, root)
    document = Document(
        doc_id=doc_id_for(collection, source),
        source=source,
        title=_title(parsed.title, path),
        text=parsed.text,
        metadata=parsed.metadata,
        page_starts=parsed.page_starts,
        headings=parsed.headings,
        content_hash=hashlib.sha256(data).hexdigest(),
    )
    return document, tuple(parsed.warnings)


def iter_folder(paths: Iterable[Path], *, collection: str) -> Iterator[FileOutcome]:
    """Outcomes for the given files and (recursively, in sorted order) folders.

    Every path is checked before anything is read, so a typo in the last argument does
    not leave a half-done ingest behind.
    """
    given = [Path(p) for p in paths]
    missing = [str(p) for p in given if not p.exists()]
    if missing:
        raise UsageError(f"no such file or folder: {', '.join(missing)}")
    seen: dict[str, Path] = {}
    for path, root, outcome in _entries(given):
        yield _unless_duplicate(outcome or _file_outcome(path, root, collection), seen)


def count_files(paths: Iterable[Path]) -> int:
    """How many outcomes ``iter_folder`` yields for ``paths``, without reading any file:
    the total of a progress bar that ticks once per outcome (missing paths count none)."""
    return sum(1 for _ in _entries([Path(p) for p in paths if Path(p).exists()]))


# (path, its root, the outcome when known without reading: hidden, unlistable, a loop)
_Entry = tuple[Path, Path, FileOutcome | None]


def _entries(given: list[Path]) -> Iterator[_Entry]:
    for path in given:
        absolute = Path(os.path.abspath(path))
        if absolute.is_dir():
            yield from _walk(absolute, absolute, visited=set())
        else:
            yield absolute, absolute.parent, None


def _walk(folder: Path, root: Path, visited: set[Path]) -> Iterator[_Entry]:
    # Followed symlinks could form a loop; each real folder is walked once.
    real = folder.resolve()
    if real in visited:
        yield _known(folder, root, "skipped", "folder already visited (symlink loop?)")
        return
    visited.add(real)
    try:
        entries = sorted(folder.iterdir(), key=lambda entry: entry.name)
    except OSError as err:
        yield _known(folder, root, "failed", f"cannot list folder: {err.strerror or err}")
        return
    for entry in entries:
        if entry.name.startswith("."):
            kind = "folder" if entry.is_dir() else "file"
            yield _known(entry, root, "skipped", f"hidden {kind}")
        elif entry.is_dir():
            yield from _walk(entry, root, visited)
        else:
            yield entry, root, None


def _known(path: Path, root: Path, status: str, reason: str) -> _Entry:
    return path, root, _outcome(path, root, status, reason)


def _file_outcome(path: Path, root: Path, collection: str) -> FileOutcome:
    suffix = path.suffix.lower()
    if not path.exists():
        return _outcome(path, root, "skipped", "broken symbolic link")
    if not path.is_file():
        # Opening a FIFO or device would block or never end.
        return _outcome(path, root, "skipped", "not a regular file")
    if suffix not in SUPPORTED_SUFFIXES:
        return _outcome(path, root, "skipped", _unsupported(suffix))
    try:
        document, warnings = read_file(path, root=root, collection=collection)
    except ReadError as err:
        return _outcome(path, root, "failed", err.reason)
    except Exception as err:  # a parser bug must cost one file, not the whole ingest
        return _outcome(path, root, "failed", f"unexpected error: {type(err).__name__}: {err}")
    return FileOutcome(document.source, path, document, "read", warnings=warnings)


def _unless_duplicate(outcome: FileOutcome, seen: dict[str, Path]) -> FileOutcome:
    """Skip a file whose source was already read: it would get the same doc_id."""
    if outcome.status != "read":
        return outcome
    earlier = seen.setdefault(outcome.source, outcome.path)
    if earlier is outcome.path:
        return outcome
    if earlier == outcome.path:
        reason = "listed twice"
    else:
        reason = f"same relative path as {earlier} (the two would share one document id)"
    return FileOutcome(outcome.source, outcome.path, None, "skipped", reason)


def _outcome(path: Path, root: Path, status: str, reason: str) -> FileOutcome:
    return FileOutcome(_source(path, root), path, None, status, reason)


def _read_bytes(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            limit = MAX_FILE_BYTES // (1024 * 1024)
            raise ReadError(path, f"file too large ({size / 1024 / 1024:.1f} MB; limit {limit} MB)")
        data = path.read_bytes()
    except OSError as err:
        raise ReadError(path, f"cannot read file: {err.strerror or err}") from err
    if not data:
        raise ReadError(path, "empty file")
    return data


def _source(path: Path, root: Path) -> str:
    absolute, base = Path(os.path.abspath(path)), Path(os.path.abspath(root))
    try:
        return absolute.relative_to(base).as_posix()
    except ValueError:  # not under root: the name is the best stable label left
        return absolute.name


def _title(found: str | None, path: Path) -> str:
    title = collapse(found or "") or path.stem
    return title[:MAX_TITLE_CHARS].rstrip()


def _unsupported(suffix: str) -> str:
    return f"unsupported file type '{suffix}'" if suffix else "unsupported file type (no extension)"
