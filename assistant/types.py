"""Frozen dataclasses owned by the assistant stage: Citation, SentenceSupport, Answer."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from index.types import Hit

# the backend name of answers quoted without a model (the registry entry and the answerer
# take it from here)
EXTRACTIVE = "extractive"

if TYPE_CHECKING:
    from assistant.short_answer import ShortAnswer


@dataclass(frozen=True)
class Citation:
    """Source ``[n]``: ``text`` is exactly the document's text from ``start`` to ``end``."""

    n: int
    doc_id: str
    title: str
    source: str
    page: int | None
    start: int
    end: int
    text: str
    score: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "n": self.n, "doc_id": self.doc_id, "title": self.title, "source": self.source,
            "page": self.page, "start": self.start, "end": self.end, "text": self.text,
        }  # fmt: skip


@dataclass(frozen=True)
class SentenceSupport:
    """One answer sentence, the sources it cites and how well they support it."""

    text: str
    citations: tuple[int, ...]
    supported: bool
    support: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text, "citations": list(self.citations),
            "supported": self.supported, "support": round(self.support, 4),
        }  # fmt: skip


@dataclass(frozen=True)
class Answer:
    question: str
    text: str
    answered: bool
    citations: tuple[Citation, ...] = ()
    sentences: tuple[SentenceSupport, ...] = ()
    hits: tuple[Hit, ...] = ()  # the passages retrieved: shown as "nearest" when unanswered
    backend: str = EXTRACTIVE
    note: str = ""  # shown to the user, e.g. why the extractive fallback answered
    timings_ms: dict[str, float] = field(default_factory=dict)
    fell_back: bool = False  # the configured answerer failed and its fallback answered
    fallback_reason: str = ""  # why it failed (empty unless fell_back)
    # a few words copied from cited sentence [n] (or an inferred "Yes"/"No"), shown first
    short_answer: ShortAnswer | None = None

    @property
    def grounded(self) -> float:
        if not self.sentences:
            return 1.0 if self.answered else 0.0
        return sum(s.supported for s in self.sentences) / len(self.sentences)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "question": self.question,
            "answer": self.text,
            "answered": self.answered,
            "short_answer": self.short_answer.to_dict() if self.short_answer else None,
            "citations": [c.to_dict() for c in self.citations],
            "sentences": [s.to_dict() for s in self.sentences],
            "grounded": round(self.grounded, 4),
            "backend": self.backend,
            "fell_back": self.fell_back,
            "fallback_reason": self.fallback_reason,
            "timings_ms": {k: round(v, 1) for k, v in self.timings_ms.items()},
        }
        if self.note:
            out["note"] = self.note
        if not self.answered:
            out["nearest"] = [
                {"doc_id": h.chunk.doc_id, "title": h.document.title, "source": h.document.source,
                 "page": h.chunk.page, "start": h.chunk.start, "end": h.chunk.end,
                 "text": h.chunk.text, "score": round(h.score, 5)}
                for h in self.hits[:3]
            ]  # fmt: skip
        return out
