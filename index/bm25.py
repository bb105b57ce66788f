"""A BM25 index over the catalog's chunks that is updated per document, persisted beside it.

Scores are Lucene's BM25 (bm25s's default: k1 1.5, b 0.75), computed at query time from
term frequencies, so adding or removing a document touches its own chunks only: the
collection statistics (chunk count, mean length, each term's document frequency) are read
when a query needs them. Added chunks go into a new segment and removed ones are marked
dead; segments are merged, and dead rows dropped, when they pile up. A whole rebuild
(tokenizing every chunk: 49 s at 80k chunks) is needed only without a saved index.
"""

from __future__ import annotations

import json
import os
import re
import threading
import uuid
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse

_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
FORMAT = 3  # bump when what is indexed changes (2: titles, 3: own postings): older are rebuilt
K1, B = 1.5, 0.75
_MAX_SEGMENTS = 8  # merged into one beyond this, or when a quarter of the rows are dead


_local = threading.local()


def _stemmer() -> Any:
    """This thread's stemmer: a PyStemmer object keeps state and "must not be called
    concurrently" (its own docs)."""
    if not hasattr(_local, "stemmer"):
        try:
            import Stemmer

            _local.stemmer = Stemmer.Stemmer("english")
        except ImportError:  # stemming helps recall but is not essential
            _local.stemmer = None
    return _local.stemmer


@lru_cache(maxsize=1)
def _stopwords() -> frozenset[str]:
    from bm25s.stopwords import STOPWORDS_EN

    return frozenset(STOPWORDS_EN)


def tokenize(text: str) -> list[str]:
    stop = _stopwords()
    words = [w for w in _TOKEN.findall(text.lower()) if w not in stop]
    stemmer = _stemmer()
    return list(stemmer.stemWords(words)) if stemmer else words


class Bm25Index:
    """Immutable once made: an update returns a new index sharing the unchanged segments,
    so searches in other threads go on with the one they hold.

    ``chunk_ids``, ``doc_ids``, ``scores`` and ``of_documents`` see the live chunks only,
    in one order; ``keys`` says which version of each document is indexed."""

    def __init__(
        self, vocab: dict[str, int], segments: tuple[sparse.csc_matrix, ...],
        lengths: np.ndarray, alive: np.ndarray, row_chunks: list[str], row_docs: np.ndarray,
        doc_names: list[str], keys: dict[str, str],
    ) -> None:  # fmt: skip
        self._vocab, self._segments, self._lengths = vocab, segments, lengths
        self._alive, self._row_chunks, self._row_docs = alive, row_chunks, row_docs
        self._doc_names, self.keys = doc_names, keys
        self._doc_number = {d: i for i, d in enumerate(doc_names)}
        self._rows = np.flatnonzero(alive)  # the live rows, in order
        self.chunk_ids = [row_chunks[i] for i in self._rows]
        self.doc_numbers = row_docs[self._rows]
        self.doc_ids = np.asarray(doc_names, dtype=object)[self.doc_numbers]
        mean = float(lengths[self._rows].mean()) if len(self._rows) else 1.0
        # each row's length normalisation, once per index rather than per query term
        self._norm = K1 * ((1 - B) + B * lengths / mean)

    # -- making ------------------------------------------------------------------------
    @classmethod
    def build(
        cls, chunk_ids: list[str], doc_ids: list[str], texts: Sequence[str],
        keys: Mapping[str, str] | None = None,
    ) -> Bm25Index:  # fmt: skip
        empty = np.zeros(0, dtype=np.float32)
        base = cls({}, (), empty, np.zeros(0, dtype=bool), [], np.zeros(0, dtype=np.intp), [], {})
        return base.updated([], chunk_ids, doc_ids, texts, keys or {})

    def updated(
        self, removed: Iterable[str], chunk_ids: list[str], doc_ids: list[str],
        texts: Sequence[str], keys: Mapping[str, str],
    ) -> Bm25Index:  # fmt: skip
        """This index without the chunks of the ``removed`` documents, plus these chunks
        (their documents' versions in ``keys``): only the new chunks are tokenized."""
        removed = set(removed)
        alive = self._alive.copy()
        gone = [self._doc_number[d] for d in removed if d in self._doc_number]
        if gone:
            alive &= ~np.isin(self._row_docs, gone)
        vocab, names = dict(self._vocab), list(self._doc_names)
        number = dict(self._doc_number)
        tokens = [tokenize(t) or ["_"] for t in texts]
        rows = np.repeat(np.arange(len(tokens)), [len(t) for t in tokens])
        cols = np.fromiter((vocab.setdefault(w, len(vocab)) for t in tokens for w in t),
                           dtype=np.int32, count=len(rows))  # fmt: skip
        added = sparse.csc_matrix(
            (np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(len(tokens), len(vocab))
        )  # duplicates are summed: term frequencies
        docs = np.fromiter((number.setdefault(d, len(number)) for d in doc_ids),
                           dtype=np.intp, count=len(doc_ids))  # fmt: skip
        names.extend(list(number)[len(names) :])
        kept = {d: k for d, k in self.keys.items() if d not in removed}
        made = Bm25Index(
            vocab, (*self._segments, added) if len(tokens) else self._segments,
            np.concatenate([self._lengths, np.array([len(t) for t in tokens], np.float32)]),
            np.concatenate([alive, np.ones(len(tokens), dtype=bool)]),
            self._row_chunks + list(chunk_ids), np.concatenate([self._row_docs, docs]),
            names, kept | dict(keys),
        )  # fmt: skip
        dead = len(made._alive) - len(made._rows)
        if len(made._segments) > _MAX_SEGMENTS or dead * 4 > len(made._alive):
            return made.merged()
        return made

    def merged(self) -> Bm25Index:
        """The same index as one segment of live rows (no tokenizing)."""
        width = len(self._vocab)
        parts = [_widen(s, width) for s in self._segments]
        whole = sparse.vstack(parts, format="csr") if parts else sparse.csr_matrix((0, width))
        rows = self._rows
        live = sparse.csc_matrix(whole[rows], dtype=np.float32)
        return Bm25Index(
            self._vocab, (live,) if len(rows) else (), self._lengths[rows],
            np.ones(len(rows), dtype=bool), self.chunk_ids, self.doc_numbers,
            self._doc_names, self.keys,
        )  # fmt: skip

    # -- reading -----------------------------------------------------------------------
    def of_documents(self, doc_ids: Iterable[str]) -> np.ndarray:
        """A mask over the chunks: True for those of these documents (unknown ids are ignored)."""
        admitted = np.zeros(len(self._doc_names), dtype=bool)
        admitted[[self._doc_number[d] for d in doc_ids if d in self._doc_number]] = True
        return admitted[self.doc_numbers]

    def scores(self, query: str) -> np.ndarray:
        """Each live chunk's BM25 score for ``query`` (a repeated word counts again)."""
        terms = [self._vocab[t] for t in tokenize(query) if t in self._vocab]
        full = np.zeros(len(self._alive), dtype=np.float32)
        n = len(self._rows)
        for term in terms:
            rows, tf = self._postings(term)
            if not len(rows):
                continue
            idf = np.log(1.0 + (n - len(rows) + 0.5) / (len(rows) + 0.5))
            norm = self._norm[rows]
            full[rows] += (idf * tf / (norm + tf)).astype(np.float32)
        return full[self._rows]

    def _postings(self, term: int) -> tuple[np.ndarray, np.ndarray]:
        """The live rows holding ``term`` and its frequency in each."""
        rows, tfs, offset = [], [], 0
        for seg in self._segments:
            if term < seg.shape[1]:
                lo, hi = seg.indptr[term], seg.indptr[term + 1]
                rows.append(seg.indices[lo:hi] + offset)
                tfs.append(seg.data[lo:hi])
            offset += seg.shape[0]
        if not rows:
            return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.float32)
        at, tf = np.concatenate(rows), np.concatenate(tfs)
        live = self._alive[at]
        return at[live], tf[live]

    # -- on disk -----------------------------------------------------------------------
    def save(self, folder: Path, generation: int) -> None:
        """Postings in ``postings.npz``, names in ``ids.json``: each replaced whole, and a
        token in both says they belong together (a crash between the two is a rebuild)."""
        whole = len(self._segments) == 1 and len(self._rows) == len(self._alive)
        index = self if whole else self.merged()
        folder.mkdir(parents=True, exist_ok=True)
        token, tmp = uuid.uuid4().hex, f".{os.getpid()}.{threading.get_ident()}.tmp"
        seg = index._segments[0] if index._segments else sparse.csc_matrix((0, 0))
        with open(folder / f"postings.npz{tmp}", "wb") as f:
            np.savez(f, data=seg.data, indices=seg.indices, indptr=seg.indptr,
                     shape=np.array(seg.shape), lengths=index._lengths,
                     docs=index.doc_numbers, token=np.array([token]))  # fmt: skip
        (folder / f"postings.npz{tmp}").replace(folder / "postings.npz")
        ids = {"generation": generation, "format": FORMAT, "token": token,
               "chunk_ids": index.chunk_ids, "doc_ids": list(index.doc_ids),
               "vocab": list(index._vocab), "keys": index.keys}  # fmt: skip
        (folder / f"ids.json{tmp}").write_text(json.dumps(ids))
        (folder / f"ids.json{tmp}").replace(folder / "ids.json")

    @classmethod
    def load(cls, folder: Path) -> tuple[Bm25Index, int] | None:
        """The saved index and the catalog generation it was made at; None when there is
        none, or it is of another format, or half written."""
        try:
            ids = json.loads((folder / "ids.json").read_text())
            if ids.get("format") != FORMAT:
                return None
            with np.load(folder / "postings.npz") as z:
                if str(z["token"][0]) != ids["token"]:
                    return None
                shape = tuple(int(x) for x in z["shape"])
                seg = sparse.csc_matrix((z["data"], z["indices"], z["indptr"]), shape=shape)
                lengths = z["lengths"]
        except (OSError, ValueError, KeyError):
            return None
        names: list[str] = list(dict.fromkeys(ids["doc_ids"]))
        number = {d: i for i, d in enumerate(names)}
        docs = np.fromiter((number[d] for d in ids["doc_ids"]), dtype=np.intp,
                           count=len(ids["doc_ids"]))  # fmt: skip
        vocab = {w: i for i, w in enumerate(ids["vocab"])}
        index = cls(vocab, (seg,) if shape[0] else (), lengths, np.ones(len(docs), dtype=bool),
                    ids["chunk_ids"], docs, names, ids["keys"])  # fmt: skip
        return index, int(ids["generation"])


def _widen(seg: sparse.csc_matrix, width: int) -> sparse.csc_matrix:
    """``seg`` with columns up to ``width`` (terms first seen after it was made: empty)."""
    if seg.shape[1] == width:
        return seg
    pad = np.full(width - seg.shape[1], seg.indptr[-1], dtype=seg.indptr.dtype)
    return sparse.csc_matrix((seg.data, seg.indices, np.concatenate([seg.indptr, pad])),
                             shape=(seg.shape[0], width))  # fmt: skip
