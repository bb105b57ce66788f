"""Upload checks: a plain file name, a supported type whose content matches it, a size limit.

Accepted files are copied, flat and under their cleaned names, into one folder and nowhere
else; the rest are reported as ``rejected`` with the reason. Names keep their letters in any
script (``文件.txt``, ``отчёт.txt``); a stored file is never overwritten: the same name with
the same content is the same file (its ingest reports it unchanged), and the same name with
other content is stored as ``name-2.ext`` (then ``-3``...), and the report says so.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import unicodedata
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from corpus.errors import UsageError
from corpus.readers import SUPPORTED_SUFFIXES
from index.ingest import FileReport

TEXT_SUFFIXES = frozenset({".txt", ".md", ".html", ".htm"})
STEM_BYTES = 150  # with a suffix and "-NN", well under the usual 255-byte name limit


def safe_name(name: str) -> str:
    """A plain file name: no folders, no leading dots; letters, marks and digits of any
    script (NFC) and ``._-`` kept, anything else (spaces, punctuation, control and bidi
    characters) replaced by ``_``; the stem at most STEM_BYTES of UTF-8."""
    base = unicodedata.normalize("NFC", re.split(r"[/\\]", name or "")[-1])
    base = "".join(c if c in "._-" or unicodedata.category(c)[0] in "LMN" else "_" for c in base)
    base = re.sub(r"_+", "_", base).strip("._-")
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    stem = stem.encode()[:STEM_BYTES].decode("utf-8", "ignore").strip("._-") or "upload"
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


@dataclass
class Stored:
    """What ``store_uploads`` did: the files to ingest, the refused, the renamed."""

    accepted: list[Path] = field(default_factory=list)
    rejected: list[FileReport] = field(default_factory=list)
    renamed: dict[str, str] = field(default_factory=dict)  # stored name -> the name given


def store_uploads(dest: Path, files: Iterable[tuple[Path, str]], max_bytes: int) -> Stored:
    """Copy acceptable files into ``dest`` (flat, cleaned names, never overwriting); report
    the others."""
    out = Stored()
    dest.mkdir(parents=True, exist_ok=True)
    root = dest.resolve()
    for path, name in files:
        try:
            clean = validate_upload(path, name, max_bytes)
        except (UsageError, OSError) as err:
            out.rejected.append(FileReport(safe_name(name), "rejected", str(err)))
            continue
        target = place(root, clean, path)
        out.accepted.append(target)
        if target.name != clean:
            out.renamed[target.name] = clean
    return out


def place(root: Path, clean: str, source: Path) -> Path:
    """Store ``source`` in ``root`` as ``clean``, or as the first ``stem-N.ext`` that is
    free or already holds the same bytes. The copy is written under a temporary name and
    linked in, so a name never holds half a file and two uploads never share one."""
    stem, suffix = Path(clean).stem, Path(clean).suffix
    fd, tmp = tempfile.mkstemp(prefix=".upload-", suffix=".part", dir=root)
    try:
        with os.fdopen(fd, "wb") as out, source.open("rb") as src:
            shutil.copyfileobj(src, out)
        n = 1
        while True:
            target = root / (clean if n == 1 else f"{stem}-{n}{suffix}")
            try:
                os.link(tmp, target)  # fails if the name is taken: nothing is overwritten
                return target
            except FileExistsError:
                if _same_bytes(target, Path(tmp)):
                    return target
            n += 1
    finally:
        Path(tmp).unlink(missing_ok=True)


def _same_bytes(a: Path, b: Path) -> bool:
    if a.stat().st_size != b.stat().st_size:
        return False
    with a.open("rb") as fa, b.open("rb") as fb:
        while True:
            x, y = fa.read(1 << 20), fb.read(1 << 20)
            if x != y:
                return False
            if not x:
                return True
