"""A home's collections by name: checking a name, listing them, dropping one."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from corpus.errors import UsageError
from index.chroma_client import chroma_client, drop_foreign
from index.lock import write_lock

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,58}[A-Za-z0-9]$|^[A-Za-z0-9]$")


def check_name(name: str) -> str:
    if not _NAME.match(name) or ".." in name:
        raise UsageError(
            f"invalid collection name '{name}': use letters, digits, '.', '_' or '-' "
            "(at most 60 characters, starting and ending with a letter or digit)"
        )
    return name


def list_collections(home: Path) -> list[str]:
    root = home / "collections"
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if (p / "catalog.sqlite").exists())


def drop_any(home: Path, name: str, chroma_url: str | None) -> bool:
    """Delete collection ``name``: this home's catalog of it, if any, and its Chroma
    collection whichever catalog owns it (``dossier drop --foreign``: that home is gone).
    Whether there was anything to delete."""
    folder = home / "collections" / check_name(name)
    lock = write_lock(home / "chroma.lock" if chroma_url is None else folder / "write.lock")
    with lock.write(f"drop the collection ({name})"):
        found = drop_foreign(chroma_client(home, chroma_url), name)
        if folder.exists():
            shutil.rmtree(folder)
            found = True
    return found
