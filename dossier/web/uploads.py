"""Upload checks: a plain file name, a supported type whose content matches it, a size limit.

Accepted files are copied, flat and under their sanitised names, into one folder and nowhere
else; the rest are reported as ``rejected`` with the reason.
"""

from __future__ import annotations

import re
import shutil
import unicodedata
import zipfile
from collections.abc import Iterable
from pathlib import Path

from corpus.errors import UsageError
from corpus.readers import SUPPORTED_SUFFIXES
from index.ingest import FileReport

TEXT_SUFFIXES = frozenset({".txt", ".md", ".html", ".htm"})


def safe_name(name: str) -> str:
    """A plain file name: no folders, no leading dots, only [A-Za-z0-9._-]."""
    base = re.split(r"[/\\]", name or "")[-1]
    base = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode()
    base = re.sub(r"[^A-Za-z0-9._-]+", "_", base).strip("._-")
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    stem = stem[:100].strip("._-") or "upload"
    return f"{stem}.{suffix.lower()}" if suffix else stem


def validate_upload(path: Path, name: str, max_bytes: int) -> str:
    """The sanitised name for an acceptable upload; UsageError with the reason otherwise."""
    clean = safe_name(name)
    suffix = Path(clean).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        supported = ", ".join(sorted(SUPPORTED_SUFFIXES))
        raise UsageError(f"unsupported file type '{suffix or name}' (supported: {supported})")
    size = path.stat().st_size
    if size > max_bytes:
        raise UsageError(f"file too large ({size / 1e6:.1f} MB; limit {max_bytes / 1e6:.0f} MB)")
    if size == 0:
        raise UsageError("empty file")
    _check_content(path, suffix)
    return clean


def _check_content(path: Path, suffix: str) -> None:
    """The content must match the type: a renamed binary is refused before it is stored."""
    if suffix == ".pdf":
        with path.open("rb") as f:
            if not f.read(8).startswith(b"%PDF"):
                raise UsageError("not a PDF file (it does not start with %PDF)")
    elif suffix == ".docx" and not _is_docx(path):
        raise UsageError("not a Word .docx file (no word/document.xml inside)")
    elif suffix in TEXT_SUFFIXES:
        data = path.read_bytes()
        if b"\x00" in data:
            raise UsageError("binary content (NUL bytes) in a text file")
        if not any(_decodes(data, encoding) for encoding in ("utf-8", "cp1252")):
            raise UsageError("text that is neither UTF-8 nor cp1252")


def _is_docx(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as z:
            return "word/document.xml" in z.namelist()
    except (zipfile.BadZipFile, OSError):
        return False


def _decodes(data: bytes, encoding: str) -> bool:
    try:
        data.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def store_uploads(
    dest: Path, files: Iterable[tuple[Path, str]], max_bytes: int
) -> tuple[list[Path], list[FileReport]]:
    """Copy acceptable files into ``dest`` (flat, sanitised names); report the others."""
    accepted: list[Path] = []
    rejected: list[FileReport] = []
    dest.mkdir(parents=True, exist_ok=True)
    root = dest.resolve()
    for path, name in files:
        try:
            clean = validate_upload(path, name, max_bytes)
        except (UsageError, OSError) as err:
            rejected.append(FileReport(safe_name(name), "rejected", str(err)))
            continue
        target = (root / clean).resolve()
        if target.parent != root:  # cannot happen after safe_name; never write elsewhere
            rejected.append(FileReport(clean, "rejected", "unsafe file name"))
            continue
        shutil.copyfile(path, target)
        accepted.append(target)
    return accepted, rejected
