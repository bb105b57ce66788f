"""Finding the files of an ingest: given files and folders, walked by fixed rules.

- Hidden entries (a leading ".") are reported, not entered.
- Only regular files are read; pipes, sockets and devices are reported (opening a pipe
  would block the whole ingest).
- A symbolic link is followed only when its target lies inside the real path of the folder
  being ingested, unless ``follow_links``; a link loop or a broken link is reported. Paths
  are never resolved for naming: a file's source is its path under the root as given.
- A folder reached twice through links is walked once.
- Names are made printable: bytes that are not UTF-8 and control characters become
  backslash escapes, so every source can be stored, printed and sent as JSON.
"""

from __future__ import annotations

import errno
import os
import stat
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

FOLLOW_HINT = "not followed without --follow-links"


@dataclass(frozen=True)
class Entry:
    """A file to read (``status`` empty), or what is already known about an entry."""

    path: Path  # absolute, as found under the root (never resolved)
    root: Path  # the given folder, or a given file's folder; absolute, never resolved
    status: str = ""  # "skipped" | "failed" when known without reading
    reason: str = ""
    folder: bool = False  # a folder reported instead of walked: what was under it is kept

    @property
    def source(self) -> str:
        return source_of(self.path, self.root)


def walk(given: list[Path], *, follow_links: bool = False) -> Iterator[Entry]:
    """The entries of ``given`` (existing or dangling paths) in order, folders sorted."""
    for path in given:
        absolute = Path(os.path.abspath(path))
        if _is_dir(absolute):
            real_root = os.path.realpath(absolute)
            yield from _walk(absolute, absolute, real_root, follow_links, set())
        else:  # a file named on the command line is read wherever its link points
            yield _classify(absolute, absolute.parent, None)


def source_of(path: Path, root: Path) -> str:
    try:
        relative = path.relative_to(root).as_posix()
    except ValueError:  # not under root: the name is the best stable label left
        relative = path.name
    return printable(relative)


def printable(name: str) -> str:
    """``name`` as printable UTF-8: undecodable bytes (which Python keeps as lone
    surrogates) become ``\\xff``, control characters ``\\n``, ``\\x1b`` and so on."""
    if name.isprintable():
        return name
    out = []
    for char in name:
        code = ord(char)
        if 0xDC80 <= code <= 0xDCFF:  # os.fsdecode's "surrogateescape" of a byte
            out.append(f"\\x{code - 0xDC00:02x}")
        elif 0xD800 <= code <= 0xDFFF:
            out.append(f"\\u{code:04x}")
        elif unicodedata.category(char) == "Cc":
            out.append(repr(char)[1:-1])
        else:
            out.append(char)
    return "".join(out)


def _walk(folder: Path, root: Path, real_root: str, follow_links: bool,
          visited: set[str]) -> Iterator[Entry]:  # fmt: skip
    real = os.path.realpath(folder)
    if real in visited:
        reason = "folder already visited (through a symbolic link)"
        yield Entry(folder, root, "skipped", reason, True)
        return
    visited.add(real)
    try:
        with os.scandir(folder) as listing:
            names = sorted(entry.name for entry in listing)
    except OSError as err:
        yield Entry(folder, root, "failed", f"cannot list folder: {_why(err)}", True)
        return
    for name in names:
        path = folder / name
        if name.startswith("."):
            kind = "folder" if _is_dir(path) else "file"
            yield Entry(path, root, "skipped", f"hidden {kind}", kind == "folder")
            continue
        entry = _classify(path, root, None if follow_links else real_root)
        if entry.status or entry.folder:
            yield entry
        elif _is_dir(path):
            yield from _walk(path, root, real_root, follow_links, visited)
        else:
            yield entry


def _classify(path: Path, root: Path, confine_to: str | None) -> Entry:
    """What ``path`` is: a regular file or folder to take (status ""), or why not."""
    try:
        mode = os.lstat(path).st_mode
        if stat.S_ISLNK(mode):
            mode = os.stat(path).st_mode
            target = os.path.realpath(path)
            if confine_to is not None and not _inside(target, confine_to):
                kind = "folder" if stat.S_ISDIR(mode) else "file"
                reason = f"symbolic link to a {kind} outside the folder ({printable(target)}); "
                return Entry(path, root, "skipped", reason + FOLLOW_HINT, kind == "folder")
    except OSError as err:
        if err.errno == errno.ELOOP:
            return Entry(path, root, "skipped", "symbolic link loop")
        if err.errno in (errno.ENOENT, errno.ENOTDIR) and os.path.islink(path):
            return Entry(path, root, "skipped", "broken symbolic link")
        return Entry(path, root, "failed", f"cannot read: {_why(err)}")
    if stat.S_ISDIR(mode) or stat.S_ISREG(mode):
        return Entry(path, root)
    return Entry(path, root, "skipped", f"not a regular file ({_special(mode)})")


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def _is_dir(path: Path) -> bool:
    try:
        return stat.S_ISDIR(os.stat(path).st_mode)
    except OSError:  # a loop, a broken link, a name too long
        return False


def _special(mode: int) -> str:
    kinds = {stat.S_ISFIFO: "a named pipe", stat.S_ISSOCK: "a socket",
             stat.S_ISCHR: "a character device", stat.S_ISBLK: "a block device"}  # fmt: skip
    return next((name for test, name in kinds.items() if test(mode)), "a special file")


def _why(err: OSError) -> str:
    return err.strerror or type(err).__name__
