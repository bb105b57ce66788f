"""A BM25 index over the catalog's chunks (bm25s), persisted beside the catalog.

It is stamped with the catalog generation it was built from; a stale one is rebuilt,
which takes well under a second per ten thousand chunks.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
FORMAT = 2  # bump when what is indexed changes (2: titles): older indexes are rebuilt


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
    def __init__(self, chunk_ids: list[str], doc_ids: list[str], model: Any) -> None:
        self.chunk_ids = chunk_ids
        self.doc_ids = np.asarray(doc_ids, dtype=object)
        # each chunk's document as a number, once per index: a filter then masks the chunks
        # in one pass (np.isin over object ids cost chunks × admitted documents: 2.9 s at 75k)
        self._doc_number: dict[str, int] = {}
        self.doc_numbers = np.fromiter(
            (self._doc_number.setdefault(d, len(self._doc_number)) for d in doc_ids),
            dtype=np.intp, count=len(doc_ids),
        )  # fmt: skip
        self._model = model

    def of_documents(self, doc_ids: Iterable[str]) -> np.ndarray:
        """A mask over the chunks: True for those of these documents (unknown ids are ignored)."""
        admitted = np.zeros(len(self._doc_number), dtype=bool)
        admitted[[self._doc_number[d] for d in doc_ids if d in self._doc_number]] = True
        return admitted[self.doc_numbers]

    @classmethod
    def build(cls, chunk_ids: list[str], doc_ids: list[str], texts: Sequence[str]) -> Bm25Index:
        import bm25s

        model = bm25s.BM25()
        if texts:
            model.index([tokenize(t) or ["_"] for t in texts], show_progress=False)
        return cls(chunk_ids, doc_ids, model if texts else None)

    def scores(self, query: str) -> np.ndarray:
        tokens = tokenize(query)
        if self._model is None or not tokens:
            return np.zeros(len(self.chunk_ids), dtype=np.float32)
        vocab = self._model.vocab_dict
        known = [t for t in tokens if t in vocab]
        if not known:
            return np.zeros(len(self.chunk_ids), dtype=np.float32)
        return np.asarray(self._model.get_scores(known), dtype=np.float32)

    def save(self, folder: Path, generation: int) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        if self._model is not None:
            self._model.save(str(folder))
        # written last: a crash mid-save leaves a stale stamp, so the index is rebuilt
        ids = {"generation": generation, "format": FORMAT, "chunk_ids": self.chunk_ids,
               "doc_ids": list(self.doc_ids)}  # fmt: skip
        tmp = folder / "ids.json.tmp"
        tmp.write_text(json.dumps(ids))
        tmp.replace(folder / "ids.json")

    @classmethod
    def load(cls, folder: Path, generation: int) -> Bm25Index | None:
        stamp = folder / "ids.json"
        if not stamp.exists():
            return None
        ids = json.loads(stamp.read_text())
        if ids.get("generation") != generation or ids.get("format") != FORMAT:
            return None
        import bm25s

        model = bm25s.BM25.load(str(folder)) if ids["chunk_ids"] else None
        return cls(ids["chunk_ids"], ids["doc_ids"], model)
