"""Loaders for the evaluation formats: BEIR (corpus, queries, qrels) and QA (qa.jsonl).

Every problem with the input files is a ``UsageError`` naming the file and, where there
is one, the line: these files are often hand-made or converted by users, and "line 812:
missing field 'text'" is what they need to fix them.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from corpus.errors import UsageError

StrPath = str | os.PathLike[str]


@dataclass(frozen=True)
class CorpusDoc:
    """One document of an evaluation corpus (a line of ``corpus.jsonl``)."""

    doc_id: str
    title: str
    text: str


@dataclass(frozen=True)
class Query:
    """One retrieval query (a line of ``queries.jsonl``)."""

    query_id: str
    text: str


@dataclass(frozen=True)
class QAItem:
    """One question with its accepted answers and the corpus ids of its gold evidence."""

    id: str
    question: str
    answers: tuple[str, ...]
    evidence: tuple[str, ...]

    @property
    def answerable(self) -> bool:
        """False where the set says the corpus holds no answer (``answers`` is empty)."""
        return bool(self.answers)


@dataclass(frozen=True)
class BeirSet:
    """A BEIR set for one split: only the queries that split judges are kept."""

    corpus: list[CorpusDoc]
    queries: list[Query]
    qrels: dict[str, dict[str, int]]


def _open_text(path: Path) -> Iterator[str]:
    """Yield the lines of a UTF-8 file, turning OS and decoding errors into UsageError."""
    try:
        with path.open(encoding="utf-8") as fh:
            yield from fh
    except FileNotFoundError:
        raise UsageError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise UsageError(f"{path}: is a directory, expected a file") from None
    except UnicodeDecodeError as err:
        raise UsageError(f"{path}: not UTF-8 text ({err.reason})") from None
    except OSError as err:
        raise UsageError(f"{path}: cannot read ({err.strerror})") from None


def _read_jsonl(path: StrPath) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield (line number, object) for each non-blank line; line numbers start at 1."""
    p = Path(path)
    for lineno, line in enumerate(_open_text(p), start=1):
        if not line.strip():
            continue  # a trailing blank line is common and harmless
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as err:
            raise UsageError(f"{p}:{lineno}: malformed JSON ({err.msg})") from None
        if not isinstance(obj, dict):
            raise UsageError(f"{p}:{lineno}: expected a JSON object, got {type(obj).__name__}")
        yield lineno, obj


def _where(path: StrPath, lineno: int) -> str:
    return f"{Path(path)}:{lineno}"


def _get_id(obj: dict[str, Any], key: str, path: StrPath, lineno: int) -> str:
    """An id field; integers are accepted because some converted sets write ids as numbers."""
    if key not in obj:
        raise UsageError(f"{_where(path, lineno)}: missing field '{key}'")
    value = obj[key]
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise UsageError(f"{_where(path, lineno)}: field '{key}' must be a string")
    return str(value)


def _get_str(
    obj: dict[str, Any], key: str, path: StrPath, lineno: int, default: str | None = None
) -> str:
    if key not in obj:
        if default is not None:
            return default
        raise UsageError(f"{_where(path, lineno)}: missing field '{key}'")
    value = obj[key]
    if not isinstance(value, str):
        raise UsageError(f"{_where(path, lineno)}: field '{key}' must be a string")
    return value


def _get_str_list(
    obj: dict[str, Any], key: str, path: StrPath, lineno: int, required: bool
) -> tuple[str, ...]:
    if key not in obj:
        if not required:
            return ()
        raise UsageError(f"{_where(path, lineno)}: missing field '{key}'")
    value = obj[key]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise UsageError(f"{_where(path, lineno)}: field '{key}' must be a list of strings")
    return tuple(value)


def _check_unique(seen: set[str], item_id: str, path: StrPath, lineno: int) -> None:
    # A duplicate id would silently shadow another row in every dict built from the set.
    if item_id in seen:
        raise UsageError(f"{_where(path, lineno)}: duplicate id '{item_id}'")
    seen.add(item_id)


def load_corpus(path: StrPath) -> list[CorpusDoc]:
    """Read a BEIR ``corpus.jsonl``: ``{"_id", "title", "text"}`` per line.

    ``title`` may be absent (several BEIR exports leave it out); ``_id`` and ``text`` may not.
    """
    docs: list[CorpusDoc] = []
    seen: set[str] = set()
    for lineno, obj in _read_jsonl(path):
        doc_id = _get_id(obj, "_id", path, lineno)
        _check_unique(seen, doc_id, path, lineno)
        title = _get_str(obj, "title", path, lineno, default="")
        docs.append(CorpusDoc(doc_id, title, _get_str(obj, "text", path, lineno)))
    return docs


def load_queries(path: StrPath) -> list[Query]:
    """Read a BEIR ``queries.jsonl``: ``{"_id", "text"}`` per line (other fields ignored)."""
    queries: list[Query] = []
    seen: set[str] = set()
    for lineno, obj in _read_jsonl(path):
        query_id = _get_id(obj, "_id", path, lineno)
        _check_unique(seen, query_id, path, lineno)
        queries.append(Query(query_id, _get_str(obj, "text", path, lineno)))
    return queries


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def load_qrels(path: StrPath) -> dict[str, dict[str, int]]:
    """Read a BEIR qrels TSV (``query-id  corpus-id  score``) into ``{qid: {doc_id: score}}``.

    The first line is skipped when it is a header (its score column is not a number), so
    headerless files also load. Columns are tab-separated: ids may contain spaces.
    """
    p = Path(path)
    qrels: dict[str, dict[str, int]] = {}
    for lineno, line in enumerate(_open_text(p), start=1):
        line = line.rstrip("\r\n")
        if not line.strip():
            continue
        fields = line.split("\t")
        if len(fields) != 3:
            raise UsageError(
                f"{p}:{lineno}: expected 3 tab-separated columns "
                f"(query-id, corpus-id, score), got {len(fields)}"
            )
        qid, doc_id, raw_score = (f.strip() for f in fields)
        if lineno == 1 and not _is_number(raw_score):
            continue  # the header line
        try:
            score = int(raw_score)
        except ValueError:
            raise UsageError(f"{p}:{lineno}: score must be an integer, got '{raw_score}'") from None
        if not qid or not doc_id:
            raise UsageError(f"{p}:{lineno}: empty query-id or corpus-id")
        qrels.setdefault(qid, {})[doc_id] = score
    if not qrels:
        raise UsageError(f"{p}: no relevance judgements")
    return qrels


def load_beir(directory: StrPath, split: str = "test") -> BeirSet:
    """Load a BEIR folder for one split, keeping only the queries judged in that split.

    A judged query missing from ``queries.jsonl`` is an error rather than dropped: dropping
    it would quietly change what the scores are averaged over.
    """
    root = Path(directory)
    if not root.is_dir():
        raise UsageError(f"{root}: no such BEIR folder")
    qrels = load_qrels(root / "qrels" / f"{split}.tsv")
    queries = [q for q in load_queries(root / "queries.jsonl") if q.query_id in qrels]
    missing = set(qrels) - {q.query_id for q in queries}
    if missing:
        sample = ", ".join(sorted(missing)[:5])
        raise UsageError(
            f"{root / 'qrels' / f'{split}.tsv'}: {len(missing)} judged queries are not in "
            f"queries.jsonl (e.g. {sample})"
        )
    return BeirSet(corpus=load_corpus(root / "corpus.jsonl"), queries=queries, qrels=qrels)


def load_qa(path: StrPath) -> list[QAItem]:
    """Read a ``qa.jsonl``: ``{"id", "question", "answers", "evidence"}`` per line.

    ``answers`` must be present (empty means unanswerable, which is different from
    forgotten); ``evidence`` may be absent, read as "no gold passages".
    """
    items: list[QAItem] = []
    seen: set[str] = set()
    for lineno, obj in _read_jsonl(path):
        item_id = _get_id(obj, "id", path, lineno)
        _check_unique(seen, item_id, path, lineno)
        items.append(
            QAItem(
                id=item_id,
                question=_get_str(obj, "question", path, lineno),
                answers=_get_str_list(obj, "answers", path, lineno, required=True),
                evidence=_get_str_list(obj, "evidence", path, lineno, required=False),
            )
        )
    return items


def _expand(paths: StrPath | Iterable[StrPath]) -> list[tuple[str, Path]]:
    """(name, file) pairs: a folder stands for every file under it, named relative to it."""
    if isinstance(paths, str | os.PathLike):
        paths = [paths]
    files: list[tuple[str, Path]] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            files.extend(
                (f.relative_to(p).as_posix(), f) for f in sorted(p.rglob("*")) if f.is_file()
            )
        elif p.is_file():
            files.append((p.name, p))
        else:
            raise UsageError(f"{p}: no such file or folder")
    return files


def corpus_hash(paths: StrPath | Iterable[StrPath], chunk_size: int = 1 << 20) -> str:
    """A sha256 hex digest of the given files' contents, read in chunks (corpora can be big).

    Each file is hashed on its own and the outer digest takes (name, file digest) pairs in
    name order, so the result does not depend on argument order or on where the folder
    lives, and two files cannot blur into one. A folder hashes every file under it.
    """
    files = sorted(_expand(paths), key=lambda pair: pair[0])
    if not files:
        raise UsageError("corpus_hash: no files to hash")
    outer = hashlib.sha256()
    for name, path in files:
        inner = hashlib.sha256()
        try:
            with path.open("rb") as fh:
                while chunk := fh.read(chunk_size):
                    inner.update(chunk)
        except OSError as err:
            raise UsageError(f"{path}: cannot read ({err.strerror})") from None
        outer.update(name.encode("utf-8") + b"\0" + inner.digest())
    return outer.hexdigest()
