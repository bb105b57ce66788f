"""One writer at a time per data folder, across processes (flock) and threads.

Every write to a collection (ingest, remove, repair, drop) holds the write lock of its data
folder for its whole length. Two writers interleaved would corrupt it: one's ``reconcile``
deletes the vectors the other has stored but not yet catalogued, and two processes writing
one embedded Chroma folder leave vectors it cannot read back. A second writer waits (told
so once, with who holds the lock) or, asked not to wait, gets a ``BusyError``.

Readers of an embedded Chroma store take the lock shared, without waiting, while they load
its files: a process that opens them while another one writes them can crash (SIGSEGV in
chromadb 1.5). A reader that cannot have it keeps the view it has.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from corpus.errors import BusyError

QUIET_WAIT = 1.0  # seconds of waiting before the message: a reader holds the lock for ms


class WriteLock:
    """The lock of one file; one object per file in a process (``write_lock``)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._writer = threading.RLock()  # the thread of this process that writes
        self._depth = 0  # nested holds of that thread
        self._fd: int | None = None
        self._state = threading.Lock()
        self._readers = 0  # threads of this process holding the shared lock
        self._read_fd: int | None = None

    def _open(self) -> int:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        return os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)

    @property
    def depth(self) -> int:
        """How many holds the writing thread has nested (1: the outermost one)."""
        return self._depth

    @property
    def held_here(self) -> bool:
        """Whether a thread of this process is writing."""
        return self._depth > 0

    def holder(self) -> str:
        """Who writes, as the holder recorded it (empty when nobody does)."""
        try:
            return self.path.read_text(encoding="utf-8", errors="replace").strip()
        except OSError:
            return ""

    def busy(self) -> bool:
        """Whether another process (or thread) is writing now."""
        if self.held_here:
            return True
        fd = self._open()
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        finally:
            os.close(fd)  # closing releases a lock it took
        return False

    @contextmanager
    def write(
        self, what: str, on_wait: Callable[[str], None] | None = None, wait: bool = True
    ) -> Iterator[None]:
        """Hold the lock exclusively for ``what`` (re-entrant in one thread)."""
        if not self._writer.acquire(blocking=False):
            self._blocked(what, on_wait, wait)
            self._writer.acquire()
        try:
            if self._depth == 0:
                self._fd = self._take_exclusive(what, on_wait, wait)
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
                if self._depth == 0 and self._fd is not None:
                    os.ftruncate(self._fd, 0)  # nobody writes any more
                    os.close(self._fd)  # and the lock goes with the descriptor
                    self._fd = None
        finally:
            self._writer.release()

    def _take_exclusive(self, what: str, on_wait: Callable[[str], None] | None, wait: bool) -> int:
        fd = self._open()
        try:
            deadline = time.monotonic() + (QUIET_WAIT if wait else 0.0)
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        self._blocked(what, on_wait, wait)
                        fcntl.flock(fd, fcntl.LOCK_EX)
                        break
                    time.sleep(0.05)
            stamp = time.strftime("%Y-%m-%d %H:%M:%S")
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"pid {os.getpid()}: {what}, since {stamp}\n".encode(), 0)
            return fd
        except BaseException:
            os.close(fd)
            raise

    def _blocked(self, what: str, on_wait: Callable[[str], None] | None, wait: bool) -> None:
        holder = f"{self.holder() or 'a Dossier process'}; lock {self.path}"
        if not wait:
            raise BusyError(f"cannot {what}: another writer is at work ({holder})")
        if on_wait is not None:
            on_wait(f"waiting for another writer to finish ({holder}) …")

    @contextmanager
    def read(self) -> Iterator[bool]:
        """A shared hold, never waited for: yields whether no other process writes now
        (True also while this process is the writer: its readers share its store)."""
        if self.held_here:
            yield True
            return
        with self._state:
            if self._readers == 0:
                fd = self._open()
                try:
                    fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
                except BlockingIOError:
                    os.close(fd)
                    fd = -1
                if fd < 0:
                    free = False
                else:
                    self._read_fd, free = fd, True
            else:
                free = True
            if free:
                self._readers += 1
        try:
            yield free
        finally:
            if free:
                with self._state:
                    self._readers -= 1
                    if self._readers == 0 and self._read_fd is not None:
                        os.close(self._read_fd)
                        self._read_fd = None


_LOCKS: dict[Path, WriteLock] = {}
_REGISTRY = threading.Lock()


def write_lock(path: Path) -> WriteLock:
    """The process's one lock object for ``path`` (two would lock each other out)."""
    key = path.absolute()
    with _REGISTRY:
        return _LOCKS.setdefault(key, WriteLock(key))
