"""Cited briefings: a topic in, an auditable document out.

Evidence is retrieved broadly for the topic; its sentences (with exact document offsets) are
scored against the topic, clustered into themes, searched for dates and for statements that
revoke or contradict others. Without a model every point is a quoted sentence; with one, a
model writes each section from its evidence and every sentence passes the citation checker.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date

import numpy as np

from assistant.briefing_parts import (
    Point,
    Theme,
    TimelineEvent,
    cluster,
    differences,
    name_theme,
    select,
    timeline,
)
from assistant.extractive import Candidate, ExtractiveAnswerer, candidates, readable
from assistant.types import Answer, Citation
from index.bm25 import tokenize
from index.collection import Collection
from index.settings import RetrievalSettings
from index.types import Hit, SearchFilter

GAP_PROBES = (
    "Who is responsible for {t}?",
    "When did {t} take effect?",
    "How much funding is provided for {t}?",
    "What are the risks of {t}?",
    "How is {t} enforced?",
)
NOT_COVERED = "The corpus does not cover this topic: no passage is relevant enough to brief on."


@dataclass(frozen=True)
class Briefing:
    topic: str
    scope: str  # the collection and filters used
    covered: bool
    summary: tuple[Point, ...] = ()
    themes: tuple[Theme, ...] = ()
    timeline: tuple[TimelineEvent, ...] = ()
    differences: tuple[tuple[Point, Point], ...] = ()
    gaps: tuple[str, ...] = ()
    citations: tuple[Citation, ...] = ()  # [n] -> exact span; every point cites these
    retrieved_docs: tuple[tuple[str, str, float], ...] = ()  # (doc_id, title, best score)
    notes: tuple[str, ...] = ()
    backend: str = "extractive"
    timings_ms: dict[str, float] = field(default_factory=dict)
    made: str = field(default_factory=lambda: date.today().isoformat())  # when it was made

    def points(self) -> list[Point]:
        out = list(self.summary) + [p for t in self.themes for p in t.points]
        out += [e.point for e in self.timeline] + [p for pair in self.differences for p in pair]
        return out

    @property
    def cited_docs(self) -> list[str]:
        return list(dict.fromkeys(c.doc_id for c in self.citations))


class _Numbering:
    """Gives each distinct cited span one number, in order of first use."""

    def __init__(self) -> None:
        self.by_span: dict[tuple[str, int, int], Citation] = {}

    def cite(self, c: Candidate) -> int:
        key = (c.hit.chunk.doc_id, c.start, c.end)
        if key not in self.by_span:
            n = len(self.by_span) + 1
            self.by_span[key] = Citation(
                n, c.hit.chunk.doc_id, c.hit.document.title, c.hit.document.source,
                c.hit.chunk.page, c.start, c.end, c.text, c.hit.score,
            )  # fmt: skip
        return self.by_span[key].n

    def point(self, c: Candidate) -> Point:
        return Point(readable(c.text), (self.cite(c),), c.hit.document.date)


def build_briefing(
    collection: Collection,
    topic: str,
    *,
    filters: SearchFilter | None = None,
    depth: int = 40,
    n_themes: int = 4,
    min_relevance: float = 0.35,
    answerer: ExtractiveAnswerer,
    writer: Callable[[str, Sequence[Hit]], Answer] | None = None,
    progress: Callable[[str], None] | None = None,
) -> Briefing:
    """``writer`` (a generative answerer's ``answer``) writes sections when given."""
    step = progress or (lambda _: None)
    scope = f"collection '{collection.name}'" + (f", {_describe(filters)}" if filters else "")
    step("retrieving evidence")
    hits = collection.search(
        topic, depth, filters=filters, retrieval=RetrievalSettings(candidates=max(100, depth))
    )
    cands = candidates(hits)
    docs = _retrieved(hits)
    if not cands:
        return Briefing(topic, scope, False, retrieved_docs=docs, notes=(NOT_COVERED,))
    step("scoring sentences")
    scores, vecs = answerer.score(topic, cands)
    relevant = [i for i in np.argsort(-scores) if scores[i] >= min_relevance][:60]
    if len(relevant) < 2:
        return Briefing(topic, scope, False, retrieved_docs=docs, notes=(NOT_COVERED,))
    num = _Numbering()
    in_summary = select(relevant, scores, vecs, 5)
    summary = [num.point(cands[i]) for i in in_summary]
    step("grouping themes")
    themes = []
    for members in cluster(relevant, vecs, n_themes):
        name = name_theme(
            [cands[i].text for i in members], topic, [cands[i].text for i in relevant]
        )
        # the summary already states its points: themes add the rest (or repeat their best)
        rest = [i for i in members if i not in in_summary]
        picked = select(rest, scores, vecs, 4) or select(members, scores, vecs, 1)
        themes.append(Theme(name, tuple(num.point(cands[i]) for i in picked)))
    step("building the timeline")
    # dated statements matter even when less central to the topic: a lower bar
    dated = [i for i in np.argsort(-scores) if scores[i] >= min_relevance - 0.1][:120]
    events = [
        TimelineEvent(day, label, num.point(cands[i]), from_document)
        for day, label, i, from_document in timeline([cands[i] for i in dated], dated)
    ]
    pairs = [
        (num.point(cands[a]), num.point(cands[b])) for a, b in differences(cands, relevant, vecs)
    ]
    step("looking for gaps")
    gaps = _gaps(collection, topic, filters, answerer)
    brief = Briefing(
        topic, scope, True, tuple(summary), tuple(themes), tuple(events), tuple(pairs),
        tuple(gaps), tuple(num.by_span.values()), docs,
    )  # fmt: skip
    if writer is not None:
        step("writing sections with the model")
        brief = _written(brief, topic, hits, writer)
    return brief


def _retrieved(hits: Sequence[Hit]) -> tuple[tuple[str, str, float], ...]:
    best: dict[str, tuple[str, str, float]] = {}
    for h in hits:
        if h.chunk.doc_id not in best:
            best[h.chunk.doc_id] = (h.chunk.doc_id, h.document.title, h.score)
    return tuple(best.values())


def _describe(f: SearchFilter) -> str:
    parts = [f"source {f.source}" if f.source else "", f"since {f.since}" if f.since else "",
             f"until {f.until}" if f.until else "", f"tag {f.tag}" if f.tag else ""]  # fmt: skip
    return ", ".join(p for p in parts if p)


def _gaps(
    collection: Collection, topic: str, filters: SearchFilter | None, answerer: ExtractiveAnswerer
) -> list[str]:
    """Probe questions the corpus answers only weakly: what a reader should not assume."""
    gaps = []
    for probe in GAP_PROBES:
        q = probe.format(t=topic)
        hits = collection.search(q, 6, filters=filters)
        answer = answerer.answer(q, hits)
        terms = set(tokenize(q)) - set(tokenize(topic))
        # answered, but without the probe's own key words: still a gap (e.g. no "funding")
        if not answer.answered or not any(terms & set(tokenize(c.text)) for c in answer.citations):
            gaps.append(q)
    return gaps


def _written(
    brief: Briefing, topic: str, hits: Sequence[Hit], writer: Callable[..., Answer]
) -> Briefing:
    """The model rewrites the summary and each theme from that section's evidence."""
    by_n = {c.n: c for c in brief.citations}
    notes = list(brief.notes)
    written = [0]  # sections the model wrote (the rest keep their quoted points)

    def section(instruction: str, points: Sequence[Point]) -> tuple[Point, ...]:
        pairs = [(by_n[n], _as_hit(by_n[n], hits)) for p in points for n in p.citations]
        cited = [c for c, h in pairs if h is not None]
        answer = writer(instruction, [h for _, h in pairs if h is not None])
        if answer.backend == "extractive" or not answer.answered:
            if answer.note and answer.note not in notes:
                notes.append(answer.note)
            return tuple(points)  # the quoted points stand
        written[0] += 1
        return _from_answer(answer, cited)

    summary = section(f"Summarise the key points about {topic} in 3 to 5 sentences.", brief.summary)
    themes = tuple(
        replace(t, points=section(f"Explain '{t.name}' as it relates to {topic}.", t.points))
        for t in brief.themes
    )
    total = 1 + len(brief.themes)
    backend = f"model ({written[0]} of {total} sections)" if written[0] else "extractive"
    return replace(brief, summary=summary, themes=themes, notes=tuple(notes), backend=backend)


def _as_hit(c: Citation, hits: Sequence[Hit]) -> Hit | None:
    """A hit whose chunk is exactly the cited span, so the model's [n] maps back to it."""
    for h in hits:
        if h.chunk.doc_id == c.doc_id and h.chunk.start <= c.start and c.end <= h.chunk.end:
            chunk = replace(h.chunk, text=c.text, start=c.start, end=c.end)
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
