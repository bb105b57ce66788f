"""Turning files and folders into Documents, one FileOutcome per file.

A bad file never stops an ingest: ``iter_folder`` reports it as "failed" or "skipped"
with a reason the user can act on, and goes on with the next one.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from corpus.errors import ReadError, UsageError
from corpus.formats import PARSERS, collapse
from corpus.limits import DEFAULT_LIMITS, MB, ReadLimits
from corpus.types import Document
from corpus.walk import Entry, printable, source_of, walk

SUPPORTED_SUFFIXES: frozenset[str] = frozenset(PARSERS)
MAX_FILE_BYTES = DEFAULT_LIMITS.max_file_bytes
MAX_TITLE_CHARS = 200


@dataclass(frozen=True)
class FileOutcome:
    """What happened to one file (or hidden/unreadable folder) during an ingest."""

    source: str  # path relative to the root, forward slashes, printable (corpus.walk)
    path: Path  # absolute, as found under the root (never resolved)
    document: Document | None  # set when status == "read"
    status: str  # "read" | "skipped" | "failed"
    reason: str = ""  # why skipped or failed, meant for the user
    warnings: tuple[str, ...] = ()
    root: Path | None = None  # the given folder it was found under (a file's own folder)
    folder: bool = False  # a folder reported instead of walked


def doc_id_for(collection: str, source: str) -> str:
    """Stable id: re-ingesting the same file into the same collection replaces it."""
    return hashlib.sha1(f"{collection}\0{source}".encode()).hexdigest()[:16]


def read_file(
    path: Path, *, root: Path, collection: str, limits: ReadLimits = DEFAULT_LIMITS
) -> tuple[Document, tuple[str, ...]]:
    """Read one supported file into a Document; raises ReadError with a user-facing reason."""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise ReadError(printable(str(path)), _unsupported(suffix))
    data = _read_bytes(path, limits)
    parsed = PARSERS[suffix](data, path, limits)
    if not parsed.text.strip():
        raise ReadError(printable(str(path)), "empty file")
    if len(parsed.text) > limits.max_text_chars:
        raise ReadError(printable(str(path)), f"too much text ({len(parsed.text):,} characters; "
                        f"limit {limits.max_text_chars:,})")  # fmt: skip
    source = source_of(Path(os.path.abspath(path)), Path(os.path.abspath(root)))
    document = Document(
        doc_id=doc_id_for(collection, source),
        source=source,
        title=_title(parsed.title, path),
        text=_storable(parsed.text),
        metadata=parsed.metadata,
        page_starts=parsed.page_starts,
        headings=parsed.headings,
        content_hash=hashlib.sha256(data).hexdigest(),
    )
    return document, tuple(parsed.warnings)


def iter_folder(
    paths: Iterable[Path],
    *,
    collection: str,
    follow_links: bool = False,
    limits: ReadLimits = DEFAULT_LIMITS,
) -> Iterator[FileOutcome]:
    """Outcomes for the given files and (recursively, in sorted order) folders; the rules
    of the walk (links, hidden and special files, names) are ``corpus.walk``'s.

    Every path is checked before anything is read, so a typo in the last argument does
    not leave a half-done ingest behind.
    """
    given = [Path(p) for p in paths]
    missing = [printable(str(p)) for p in given if not os.path.lexists(p)]
    if missing:
        raise UsageError(f"no such file or folder: {', '.join(missing)}")
    seen = _Seen()
    for entry in walk(given, follow_links=follow_links):
        if entry.status:
            yield _known(entry)
            continue
        identity = _identity(entry.path)
        reason = seen.duplicate(entry, identity)
        if reason:
            yield _known(replace(entry, status="skipped", reason=reason))
            continue
        outcome = _file_outcome(entry, collection, limits)
        if outcome.status == "read":
            seen.add(outcome, identity)
        yield outcome


def count_files(paths: Iterable[Path], *, follow_links: bool = False) -> int:
    """How many outcomes ``iter_folder`` yields for ``paths``, without reading any file:
    the total of a progress bar that ticks once per outcome (missing paths count none)."""
    given = [Path(p) for p in paths if os.path.lexists(p)]
    return sum(1 for _ in walk(given, follow_links=follow_links))


def _known(entry: Entry) -> FileOutcome:
    return FileOutcome(entry.source, entry.path, None, entry.status, entry.reason,
                       root=entry.root, folder=entry.folder)  # fmt: skip


def _file_outcome(entry: Entry, collection: str, limits: ReadLimits) -> FileOutcome:
    path, root = entry.path, entry.root
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        return _known(replace(entry, status="skipped", reason=_unsupported(suffix)))
    try:
        document, warnings = read_file(path, root=root, collection=collection, limits=limits)
    except ReadError as err:
        return _known(replace(entry, status="failed", reason=err.reason))
    except Exception as err:  # a parser bug must cost one file, not the whole ingest
        reason = f"unexpected error: {type(err).__name__}: {printable(str(err))[:300]}"
        return _known(replace(entry, status="failed", reason=reason))
    return FileOutcome(document.source, path, document, "read", warnings=warnings, root=root)


class _Seen:
    """The files read so far: by source (each source is one document id) and by identity
    (a file reached again through a link, or a hard link, is not stored twice)."""

    def __init__(self) -> None:
        self.paths: dict[str, Path] = {}
        self.files: dict[tuple[int, int], str] = {}

    def duplicate(self, entry: Entry, identity: tuple[int, int] | None) -> str:
        """Why ``entry`` must not be read again, or ""."""
        earlier = self.paths.get(entry.source)
        if earlier == entry.path:
            return "listed twice"
        if earlier is not None:
            return (f"same relative path as {printable(str(earlier))} "
                    "(the two would share one document id)")  # fmt: skip
        if identity in self.files:
            return f"same file as {self.files[identity]}, already read"
        return ""

    def add(self, outcome: FileOutcome, identity: tuple[int, int] | None) -> None:
        self.paths[outcome.source] = outcome.path
        if identity is not None:
            self.files[identity] = outcome.source


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        info = os.stat(path)
    except OSError:  # reading it will say why
        return None
    return info.st_dev, info.st_ino


def _read_bytes(path: Path, limits: ReadLimits) -> bytes:
    """The file's bytes, read from the opened file itself: a file swapped for a pipe after
    the walk cannot block (O_NONBLOCK), nor one that grew read past the limit."""
    name = printable(str(path))
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as err:
        raise ReadError(name, f"cannot read file: {err.strerror or err}") from err
    with os.fdopen(fd, "rb") as file:
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                raise ReadError(name, "not a regular file")
            if info.st_size > limits.max_file_bytes:
                raise ReadError(name, _too_large(info.st_size, limits))
            data = file.read(limits.max_file_bytes + 1)
        except OSError as err:
            raise ReadError(name, f"cannot read file: {err.strerror or err}") from err
    if len(data) > limits.max_file_bytes:
        raise ReadError(name, _too_large(len(data), limits))
    if not data:
        raise ReadError(name, "empty file")
    return data


def _too_large(size: int, limits: ReadLimits) -> str:
    return f"file too large ({size / MB:.1f} MB; limit {limits.max_file_mb:g} MB)"


def _storable(text: str) -> str:
    """``text`` with any lone surrogate (which SQLite cannot store) as "?": same length,
    so every offset into it still holds."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", errors="replace").decode("utf-8")
    return text


def _title(found: str | None, path: Path) -> str:
    title = collapse(found or "") or printable(path.stem)
    return _storable(title[:MAX_TITLE_CHARS].rstrip())


def _unsupported(suffix: str) -> str:
    suffix = printable(suffix)
    return f"unsupported file type '{suffix}'" if suffix else "unsupported file type (no extension)"
