"""Cited briefings: a topic in, an auditable document out.

Evidence is retrieved broadly for the topic and read as whole sentences of its documents
(each with its exact document span); the sentences are scored against the topic, merged when
two say the same thing, and arranged as a summary of distinct main points, named themes, a
timeline of dated actions and the places where a newer source revokes or contradicts an
older one. Without a model every point is a quoted sentence; with one, a model writes the
summary and themes from their evidence and every sentence passes the citation checker.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import partial

import numpy as np

from assistant import briefing_evidence as ev
from assistant.briefing_differences import Change, conflicts, replacements
from assistant.briefing_model import written
from assistant.briefing_parts import (
    Difference,
    Point,
    SourceDocument,
    Theme,
    TimelineEvent,
    merge_duplicates,
)
from assistant.briefing_points import LEAD_RANK, Reader, Sentence, evidence
from assistant.briefing_sections import arrange, named_first, timeline
from assistant.briefing_timeline import on_topic
from assistant.extractive import ExtractiveAnswerer, term_overlap
from assistant.llm import ChatModel
from assistant.types import EXTRACTIVE, Answer, Citation
from index.bm25 import tokenize
from index.catalog import DocumentInfo
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
CORE = 0.1  # how much more a document must be about the topic to lower its sentences' bar
RELEVANT = 80  # the most relevant sentences the summary and themes are drawn from


@dataclass(frozen=True)
class Briefing:
    topic: str
    scope: str  # the collection and filters used
    covered: bool
    summary: tuple[Point, ...] = ()
    themes: tuple[Theme, ...] = ()
    timeline: tuple[TimelineEvent, ...] = ()
    differences: tuple[Difference, ...] = ()
    gaps: tuple[str, ...] = ()
    citations: tuple[Citation, ...] = ()  # [n] -> exact span; every point cites these
    retrieved_docs: tuple[tuple[str, str, float], ...] = ()  # (doc_id, title, best score)
    notes: tuple[str, ...] = ()
    backend: str = EXTRACTIVE
    timings_ms: dict[str, float] = field(default_factory=dict)
    made: str = field(default_factory=lambda: date.today().isoformat())  # when it was made
    sources: tuple[SourceDocument, ...] = ()  # the cited documents, each once

    def points(self) -> list[Point]:
        out = list(self.summary) + [p for t in self.themes for p in t.points]
        out += [e.point for e in self.timeline]
        return out + [p for d in self.differences for p in (d.earlier, d.later)]

    @property
    def cited_docs(self) -> list[str]:
        return list(dict.fromkeys(c.doc_id for c in self.citations))


class _Numbering:
    """Gives each distinct cited span one number, in order of first use."""

    def __init__(self) -> None:
        self.by_span: dict[tuple[str, int, int], Citation] = {}
        self.docs: dict[str, Sentence] = {}  # a sentence of each cited document, for its info

    def cite(self, s: Sentence, score: float = 0.0) -> int:
        key = (s.doc.doc_id, s.start, s.end)
        if key not in self.by_span:
            n = len(self.by_span) + 1
            self.by_span[key] = Citation(n, s.doc.doc_id, s.doc.title, s.doc.source, s.page,
                                         s.start, s.end, s.text, score)  # fmt: skip
            self.docs.setdefault(s.doc.doc_id, s)
        return self.by_span[key].n

    def point(self, group: Sequence[Sentence], text: str | None = None) -> Point:
        """One point stated by the group's first sentence, citing every sentence of it."""
        marks = tuple(dict.fromkeys(self.cite(s) for s in group))
        return Point(text or group[0].shown, marks, group[0].doc.date)

    def sources(self) -> tuple[SourceDocument, ...]:
        passages: dict[str, list[int]] = {}
        for c in self.by_span.values():
            passages.setdefault(c.doc_id, []).append(c.n)
        return tuple(
            SourceDocument(d, s.doc.title, s.doc.source, s.doc.date,
                           s.doc.metadata.get("source_url"), tuple(passages[d]))
            for d, s in self.docs.items()
        )  # fmt: skip


def build_briefing(
    collection: Collection,
    topic: str,
    *,
    filters: SearchFilter | None = None,
    depth: int = 50,
    n_themes: int = 4,
    min_relevance: float = 0.35,
    answerer: ExtractiveAnswerer,
    writer: Callable[[str, Sequence[Hit]], Answer] | None = None,
    namer: ChatModel | None = None,
    progress: Callable[[str], None] | None = None,
    retrieval: RetrievalSettings | None = None,
) -> Briefing:
    """``writer`` (a generative answerer's ``answer``) writes sections when given, and
    ``namer`` (its model) names the themes. Searches take ``retrieval``'s fusion, without its
    second hop: a briefing broadens its evidence itself, by the names the evidence repeats."""
    search = partial(collection.search, filters=filters,
                     retrieval=(retrieval or RetrievalSettings()).model_copy(
                         update={"multihop": False}))  # fmt: skip
    step = progress or (lambda _: None)
    scope = f"collection '{collection.name}'" + (f", {_describe(filters)}" if filters else "")
    step("retrieving evidence")
    found = search(topic, depth * 5)
    hits = ev.diverse(topic, found, depth)
    names = ev.names_of(topic, hits)
    hits = ev.expanded(search, names, hits)
    docs = _retrieved(hits)
    reader = Reader(collection.catalog.document)
    sents = ev.with_openings(evidence(hits, reader), hits, reader)
    sents = ev.shortlist(topic, sents, ev.closeness(found), names)
    sents += ev.changes(search, topic, reader, sents)
    if not sents:
        return Briefing(topic, scope, False, retrieved_docs=docs, notes=(NOT_COVERED,))
    step("scoring sentences")
    probes = [p.format(t=topic) for p in GAP_PROBES]
    scores, vecs, probe_vecs, titled = ev.score(answerer, topic, sents, probes, names)
    order = [int(i) for i in np.argsort(-scores)]
    value, about = ev.value(sents, scores, titled)
    # a sentence of a document about the topic counts with a lower bar of its own
    relevant = sorted((i for i in order if scores[i] >= min_relevance or (
        about[i] >= min_relevance + CORE and scores[i] >= min_relevance - CORE)),
        key=lambda i: -value[i])[:RELEVANT]  # fmt: skip
    # covered only if some relevant sentence states one of the topic's words: a weak
    # embedding (or a sentence rich in figures) alone must not make an unrelated corpus
    # look briefable; one real sentence is enough for a (short) briefing
    terms = set(tokenize(topic))
    if not any(terms & set(tokenize(sents[i].own)) for i in relevant):
        return Briefing(topic, scope, False, retrieved_docs=docs, notes=(NOT_COVERED,))
    num = _Numbering()
    step("grouping themes")
    spans = [(s.doc.doc_id, s.start, s.end) for s in sents]
    groups = merge_duplicates(relevant, [s.shown for s in sents], vecs, spans)
    groups = named_first(groups, sents)
    summary, themed = arrange(groups, sents, value, vecs, topic, n_themes,
                              answerer.embedder.embed)  # fmt: skip
    step("building the timeline")
    wider = ev.wider(order, sents, scores, min_relevance)
    changes = replacements([sents[i] for i in wider], _candidates(collection, filters), reader)
    changes += conflicts([sents[i] for i in relevant], vecs[relevant])
    # a change of policy is an action: what both documents say they do is on the timeline
    changed = {c.doc.doc_id for ch in changes for c in (ch.earlier, ch.later)}
    dated = wider + [
        i
        for i, s in enumerate(sents)
        if s.doc.doc_id in changed and s.rank == LEAD_RANK and i not in wider
    ]
    dated = on_topic(dated, [s.doc.doc_id for s in sents], scores, min_relevance)
    events = [
        TimelineEvent(iso, label, num.point([sents[i] for i in g]), from_doc)
        for iso, label, g, from_doc in timeline(dated, sents, scores, vecs)
    ]
    step("looking for gaps")
    gaps = _gaps(probes, probe_vecs, [sents[i] for i in relevant], vecs[relevant], topic,
                 answerer.min_score)  # fmt: skip
    brief = Briefing(
        topic, scope, True,
        tuple(num.point([sents[i] for i in g]) for g in summary),
        tuple(Theme(name, tuple(num.point([sents[i] for i in g]) for g in members))
              for name, members in themed),
        tuple(events), tuple(_difference(c, num) for c in changes[:4]), tuple(gaps),
        tuple(num.by_span.values()), docs, sources=num.sources(),
    )  # fmt: skip
    if writer is not None:
        step("writing sections with the model")
        brief = written(brief, topic, hits, writer, namer)
    return brief


def _candidates(collection: Collection, filters: SearchFilter | None) -> list[DocumentInfo]:
    return [d for d in collection.documents() if filters is None or filters.admits(d)]


def _difference(c: Change, num: _Numbering) -> Difference:
    def named(s: Sentence) -> str:
        return f"{s.doc.title} ({s.doc.date})" if s.doc.date else s.doc.title

    if c.relation.startswith("states"):
        summary = f"{named(c.later)} {c.relation} than {named(c.earlier)}"
    else:
        summary = f"{named(c.later)} {c.relation} {named(c.earlier)}"
    return Difference(c.relation, num.point([c.earlier]), num.point([c.later]), summary)


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
    probes: Sequence[str],
    probe_vecs: np.ndarray,
    pool: Sequence[Sentence],
    vecs: np.ndarray,
    topic: str,
    min_score: float,
) -> list[str]:
    """Probe questions the briefing's evidence answers only weakly: what a reader should not
    assume. A probe is answered by a sentence that scores as an extractive answer would and
    holds one of the probe's own words (a 'funding' probe needs a word of funding)."""
    topic_words = set(tokenize(topic))
    gaps = []
    for probe, pv in zip(probes, probe_vecs, strict=True):
        terms = set(tokenize(probe))
        own = terms - topic_words
        best = max(
            (0.6 * float(v @ pv) + 0.4 * term_overlap(terms, s.shown)
             for s, v in zip(pool, vecs, strict=True) if own & set(tokenize(s.shown))),
            default=0.0,
        )  # fmt: skip
        if best < min_score:
            gaps.append(probe)
    return gaps
