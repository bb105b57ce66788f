"""The assistant: retrieve passages for a question, answer from them, time each step."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from assistant.types import Answer
from index.collection import Collection
from index.types import Hit, SearchFilter


class Answerer(Protocol):
    """Turns a question and retrieved passages into a cited Answer."""

    name: str

    def answer(self, question: str, hits: Sequence[Hit]) -> Answer: ...


@dataclass(frozen=True)
class RetrievalOptions:
    k: int = 6
    dense_weight: float = 0.5
    rrf_k: int = 60
    candidates: int = 100
    filters: SearchFilter | None = None


class Assistant:
    def __init__(
        self, collection: Collection, answerer: Answerer, options: RetrievalOptions
    ) -> None:
        self.collection = collection
        self.answerer = answerer
        self.options = options

    def search(self, query: str, k: int | None = None, mode: str = "hybrid") -> list[Hit]:
        o = self.options
        return self.collection.search(
            query, k or o.k, filters=o.filters, mode=mode, dense_weight=o.dense_weight,
            rrf_k=o.rrf_k, candidates=o.candidates,
        )  # fmt: skip

    def ask(self, question: str, k: int | None = None) -> Answer:
        t0 = time.perf_counter()
        timings: dict[str, float] = {}
        o = self.options
        hits = self.collection.search(
            question, k or o.k, filters=o.filters, dense_weight=o.dense_weight,
            rrf_k=o.rrf_k, candidates=o.candidates, timings=timings,
        )  # fmt: skip
        timings["retrieve_ms"] = (time.perf_counter() - t0) * 1000
        t1 = time.perf_counter()
        answer = self.answerer.answer(question, hits)
        timings["answer_ms"] = (time.perf_counter() - t1) * 1000
        timings["total_ms"] = (time.perf_counter() - t0) * 1000
        answer = self._fix_pages(answer)
        return replace(answer, timings_ms={**answer.timings_ms, **timings})

    def _fix_pages(self, answer: Answer) -> Answer:
        """A sentence can sit on a later page than its chunk's start: use its own page."""
        fixed = []
        for c in answer.citations:
            doc = self.collection.catalog.document(c.doc_id)
            page = doc.page_at(c.start) if doc is not None else c.page
            fixed.append(replace(c, page=page))
        return replace(answer, citations=tuple(fixed))
