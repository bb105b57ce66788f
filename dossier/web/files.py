"""Files the app writes (briefing downloads, evaluation runs): names that never overwrite."""

from __future__ import annotations

import time
from pathlib import Path


def unique_stem(folder: Path, stem: str, suffixes: tuple[str, ...]) -> str:
    """``stem``, or ``stem-2``, ``stem-3``…: the first that names no file in ``folder`` yet
    (two runs or briefings in the same second must not overwrite each other)."""
    name, n = stem, 1
    while any((folder / f"{name}.{ext}").exists() for ext in suffixes):
        n += 1
        name = f"{stem}-{n}"
    return name


def stamped(folder: Path, prefix: str, suffixes: tuple[str, ...], suffix: str = "") -> str:
    """A fresh stem in ``folder`` from the current time: ``<prefix>YYYYmmdd-HHMMSS<suffix>``."""
    folder.mkdir(parents=True, exist_ok=True)
    return unique_stem(folder, f"{prefix}{time.strftime('%Y%m%d-%H%M%S')}{suffix}", suffixes)


def newest_first(folder: Path, pattern: str) -> list[str]:
    """Names of the files in ``folder`` matching ``pattern``, most recently saved first."""
    if not folder.is_dir():
        return []
    found = sorted(folder.glob(pattern), key=lambda p: (p.stat().st_mtime, p.name), reverse=True)
    return [p.name for p in found]
