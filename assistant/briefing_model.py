"""A model rewrites a briefing's summary and themes from their own evidence; every sentence it
writes keeps only the citations that map back to the briefing and passes the same check as
chat answers. When the model fails, the quoted points stand and the briefing says why."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from assistant.briefing_parts import Point
from assistant.types import EXTRACTIVE, Answer, Citation
from index.types import Hit

if TYPE_CHECKING:
    from assistant.briefing import Briefing


def written(
    brief: Briefing, topic: str, hits: Sequence[Hit], writer: Callable[..., Answer]
) -> Briefing:
    """The model rewrites the summary and each theme from that section's evidence."""
    by_n = {c.n: c for c in brief.citations}
    notes = list(brief.notes)
    count = [0]  # sections the model wrote (the rest keep their quoted points)

    def section(instruction: str, points: Sequence[Point]) -> tuple[Point, ...]:
        pairs = [(by_n[n], _as_hit(by_n[n], hits)) for p in points for n in p.citations]
        cited = [c for c, h in pairs if h is not None]
        answer = writer(instruction, [h for _, h in pairs if h is not None])
        if answer.fell_back or not answer.answered:
            if answer.note and answer.note not in notes:
                notes.append(answer.note)
            return tuple(points)  # the quoted points stand
        count[0] += 1
        return _from_answer(answer, cited)

    summary = section(f"Summarise the key points about {topic} in 3 to 5 sentences.", brief.summary)
    themes = tuple(
        replace(t, points=section(f"Explain '{t.name}' as it relates to {topic}.", t.points))
        for t in brief.themes
    )
    total = 1 + len(brief.themes)
    backend = f"model ({count[0]} of {total} sections)" if count[0] else EXTRACTIVE
    return replace(brief, summary=summary, themes=themes, notes=tuple(notes), backend=backend)


def _as_hit(c: Citation, hits: Sequence[Hit]) -> Hit | None:
    """A hit whose chunk is exactly the cited span, so the model's [n] maps back to it."""
    for h in hits:
        if h.chunk.doc_id == c.doc_id and h.chunk.start <= c.start < h.chunk.end:
            chunk = replace(h.chunk, text=c.text, start=c.start, end=c.end)
            return replace(h, chunk=chunk)
    for h in hits:  # a sentence read outside the retrieved passages (a document's opening)
        if h.chunk.doc_id == c.doc_id:
            chunk = replace(h.chunk, text=c.text, start=c.start, end=c.end, page=c.page)
            return replace(h, chunk=chunk)
    return None


def _from_answer(answer: Answer, cited: Sequence[Citation]) -> tuple[Point, ...]:
    """Model sentences, their [k] (local numbering) mapped back to the briefing's numbers."""
    local = {k: c.n for k, c in enumerate(cited, 1)}
    return tuple(
        Point(s.text, tuple(local[k] for k in s.citations if k in local), None, s.supported,
              s.support)
        for s in answer.sentences
        if any(k in local for k in s.citations)
    )  # fmt: skip
