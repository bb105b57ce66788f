"""Reaching Chroma: the client (embedded under the home, or a ``chroma run`` server), and
telling a busy or failing store from a bug here."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from corpus.errors import VectorStoreError


def chroma_client(home: Path, url: str | None = None) -> Any:
    """A persistent client under ``home`` or, with ``url``, a client of a ``chroma run`` server."""
    import chromadb
    from chromadb.config import Settings

    settings = Settings(anonymized_telemetry=False)  # no usage reports, whatever the env says
    if url:
        from urllib.parse import urlparse

        parsed = urlparse(url)
        try:
            return chromadb.HttpClient(
                host=parsed.hostname or "localhost",
                port=parsed.port or 8000,
                ssl=parsed.scheme == "https",
                settings=settings,
            )
        except Exception as exc:  # chromadb raises ValueError, httpx errors, ...: all mean this
            raise VectorStoreError(
                f"cannot reach the Chroma server at {url}: {exc}. Start it with "
                "'chroma run --path DIR --port N' or unset DOSSIER_CHROMA_URL."
            ) from exc
    return chromadb.PersistentClient(path=str(home / "chroma"), settings=settings)


def when_free(step: Callable[[], Any], tries: int = 4) -> Any:
    """``step()``, tried again when an embedded Chroma's SQLite file is busy ("database is
    locked": its own background work, or another process, holding the write lock for a
    moment); opening a collection writes to it too. Other errors pass at once."""
    for n in range(tries - 1):
        try:
            return step()
        except Exception as exc:
            if "database is locked" not in str(exc):
                raise
            time.sleep(0.1 * 3**n)  # 0.1, 0.3, 0.9 s
    return step()


def drop_foreign(client: Any, name: str) -> bool:
    """Delete the Chroma collection of Dossier collection ``name`` whoever owns it (its
    owner's home is gone); whether there was one."""
    try:
        client.delete_collection(f"dossier-{name}")
    except Exception as exc:
        if type(exc).__name__ == "NotFoundError":
            return False
        raise
    return True


def store_failure(exc: Exception) -> bool:
    """Whether ``exc`` is Chroma failing (down, unreachable, internal error), not a bug here."""
    if isinstance(exc, (ConnectionError, TimeoutError)):
        return True
    kind = type(exc)
    module = kind.__module__.split(".")[0]
    if module in ("httpx", "httpcore"):
        return True
    if module == "chromadb":
        return kind.__name__ not in ("InvalidArgumentError", "DuplicateIDError")
    return isinstance(exc, ValueError) and "connect" in str(exc).lower()
