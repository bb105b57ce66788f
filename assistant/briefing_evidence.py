"""The evidence of a briefing: passages retrieved for the topic (a few per document, and
more found by the names the evidence repeats and by what changed), read as whole sentences
with each retrieved document's opening, and scored for the topic in one embedding batch."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import NamedTuple

import numpy as np

from assistant.briefing_differences import CHANGE, CHANGE_WORDS
from assistant.briefing_points import LEAD_RANK, Reader, Sentence, evidence
from assistant.briefing_themes import recurring_names
from assistant.briefing_timeline import action_dates
from assistant.extractive import ExtractiveAnswerer
from assistant.point_text import informative
from index.bm25 import tokenize
from index.types import Hit

MAX_SCORED = 70  # sentences embedded per briefing: the cost of a briefing is mostly this
DATED = 20  # and at most this many more that date an action or change a policy
EXPANSIONS = 8  # names of the evidence searched for too
EXPANSION_DEPTH = 8  # passages each of them adds at most
PER_DOCUMENT = 6  # passages of the evidence from any one document
LEADING = 5  # the documents of this many best passages may give twice as many
CENTRAL = 0.75  # so may a document whose title states this share of the topic's words
OPENINGS = 12  # documents (the best retrieved) whose opening sentences are read too
BREADTH = 8  # further documents, one passage each, beyond those of the best passages
TITLE = 0.5  # the share of a document's aboutness its title's relevance makes
EMBED_WORDS = 40  # a sentence's first words say what it is about; the rest costs time
NAMED = 0.5  # the share of the topic's words a sentence naming a recurring name counts as


def wider(
    order: Sequence[int], sents: Sequence[Sentence], scores: np.ndarray, bar: float
) -> list[int]:
    """The statements the timeline and the changes of policy draw on: dated actions matter
    even when less central to the topic, so a lower bar; but a document's opening only
    counts when the document itself is about the topic (two relevant sentences)."""
    about = Counter(sents[i].doc.doc_id for i in order if scores[i] >= bar)
    return [
        i for i in order[:150]
        if scores[i] >= bar - 0.1
        and (sents[i].rank < LEAD_RANK or scores[i] >= bar or about[sents[i].doc.doc_id] >= 2)
    ]  # fmt: skip


def names_of(topic: str, hits: Sequence[Hit]) -> list[str]:
    """The names of things the evidence keeps repeating (see ``recurring_names``)."""
    return recurring_names([h.chunk.text for h in hits], topic, EXPANSIONS)


def expanded(search: Callable[..., list[Hit]], names: Sequence[str], hits: list[Hit]) -> list[Hit]:
    """The evidence, broadened by the ``names`` it keeps repeating: "Presidential AI
    Challenge" in several passages on a topic finds the documents about the Challenge that
    the topic's own words missed (pseudo-relevance feedback)."""
    have = {h.chunk.chunk_id for h in hits}
    per_doc = Counter(h.chunk.doc_id for h in hits)
    out = list(hits)
    for name in names:
        for h in search(name, EXPANSION_DEPTH):
            if h.chunk.chunk_id not in have and per_doc[h.chunk.doc_id] < PER_DOCUMENT:
                have.add(h.chunk.chunk_id)
                per_doc[h.chunk.doc_id] += 1
                out.append(replace(h, rank=len(out) + 1))
    return out


def diverse(topic: str, hits: Sequence[Hit], depth: int, per_doc: int = PER_DOCUMENT) -> list[Hit]:
    """The best ``depth`` passages, at most ``per_doc`` from any one document (twice that
    from the documents the topic is most about: those of the very best passages, and those
    whose title states the topic), and the best passage of each further document found among
    the first ``2 x depth`` (at most BREADTH of them): a briefing draws on the sources, not on
    the longest one, and a source the topic's words reach only a little may still hold one
    of its points."""
    leading = {h.chunk.doc_id for h in hits[:LEADING]}
    leading |= {h.chunk.doc_id for h in hits if titled(topic, h.document.title) >= CENTRAL}
    count: Counter[str] = Counter()
    out = []
    for h in hits:
        if count[h.chunk.doc_id] < per_doc * (2 if h.chunk.doc_id in leading else 1):
            count[h.chunk.doc_id] += 1
            out.append(h)
    out = out[:depth]
    have = {h.chunk.doc_id for h in out}
    most = len(have) + BREADTH
    for h in hits[: 2 * depth]:
        if h.chunk.doc_id not in have and len(have) < most:
            have.add(h.chunk.doc_id)
            out.append(h)
    return out


def titled(topic: str, title: str) -> float:
    """The share of the topic's words that a document's title states."""
    terms = set(tokenize(topic))
    return len(terms & set(tokenize(title))) / max(len(terms), 1)


def with_openings(sents: list[Sentence], hits: Sequence[Hit], reader: Reader) -> list[Sentence]:
    """The evidence, and each retrieved document's opening sentences (where it says what it
    does and when), which a passage deep in the document does not show."""
    spans = {(s.doc.doc_id, s.start) for s in sents}
    out = list(sents)
    best: dict[str, Hit] = {}
    for h in sorted(hits, key=lambda h: h.rank):
        best.setdefault(h.chunk.doc_id, h)
    for h in list(best.values())[:OPENINGS]:
        for s in reader.opening(h.document, 3):
            if (s.doc.doc_id, s.start) not in spans:
                spans.add((s.doc.doc_id, s.start))
                out.append(s)
    return out


def changes(
    search: Callable[..., list[Hit]], topic: str, reader: Reader, have: Sequence[Sentence]
) -> list[Sentence]:
    """Statements that revoke, replace or revise a policy on the topic: a second, small
    retrieval for them, since the topic's own words rarely find the newer document."""
    hits = search(f"{topic} {CHANGE_WORDS}", 12)
    known = {(s.doc.doc_id, s.start) for s in have}
    found = [s for s in evidence(hits, reader) if CHANGE.search(s.shown)]
    # and what the changing documents say they do, for the timeline
    found += [o for s in found for o in reader.opening(s.doc, 2)]
    out: list[Sentence] = []
    for s in found:
        if (s.doc.doc_id, s.start) not in known:
            known.add((s.doc.doc_id, s.start))
            out.append(s)
    return out


def closeness(hits: Sequence[Hit]) -> dict[str, float]:
    """Each passage's cosine to the topic, as the topic's own search measured it from the
    stored vectors: known before any sentence is embedded."""
    return {h.chunk.chunk_id: h.dense_score for h in hits if h.dense_score is not None}


def shortlist(
    topic: str, sents: list[Sentence], near: Mapping[str, float], names: Sequence[str] = ()
) -> list[Sentence]:
    """At most MAX_SCORED sentences worth embedding (embedding every sentence would be most
    of a briefing's time), by what is known without embedding them: how close their passage
    is to the topic (``near``: passage id -> cosine; a document's opening counts as its
    document's closest passage), the topic's words they state, what they report and the
    topic's words their document's title states (weighed as ``value`` weighs a title's
    relevance); a sentence stating one of the ``names`` the evidence repeats counts as stating
    some of the topic's words (``topicality``)."""
    if len(sents) <= MAX_SCORED:
        return sents
    # a passage found only by a name the evidence repeats counts as the least close passage
    # the topic's own search put in the evidence
    floor = min((near[s.chunk] for s in sents if s.chunk in near), default=0.0)
    best: dict[str, float] = {}
    for s in sents:
        best[s.doc.doc_id] = max(best.get(s.doc.doc_id, floor), near.get(s.chunk, floor))
    close = np.array([near.get(s.chunk, best[s.doc.doc_id]) for s in sents])
    own = [s.own for s in sents]
    informs = np.array([informative(t) for t in own])
    title = np.array([titled(topic, s.doc.title) for s in sents])
    cheap = 0.6 * close + 0.4 * topicality(topic, names, own, own) + informs + TITLE * 0.5 * title
    ranked = [int(i) for i in np.argsort(-cheap, kind="stable")]
    keep = set(ranked[:MAX_SCORED])
    # and the best statements of dated actions and of changes of policy beyond them, in the
    # documents already drawn on: the evidence of the timeline and of the differences
    drawn = {sents[i].doc.doc_id for i in keep}
    acts = [i for i in ranked[MAX_SCORED:] if _acts(sents[i])]
    keep.update([i for i in acts if sents[i].doc.doc_id in drawn][:DATED])
    # and the best one of each retrieved document not drawn on at all (best first): a
    # document whose passages rank low may still be the record of an action the timeline needs
    firsts = {sents[i].doc.doc_id: i for i in reversed(acts) if sents[i].doc.doc_id not in drawn}
    keep.update([i for i in acts if firsts.get(sents[i].doc.doc_id) == i][:DATED])
    return [sents[i] for i in sorted(keep)]


def _acts(s: Sentence) -> bool:
    """Whether a sentence dates an action or changes a policy."""
    return bool(CHANGE.search(s.shown) or action_dates(s.shown, s.doc.date))


class Scored(NamedTuple):
    scores: np.ndarray  # each sentence's relevance to the topic
    vecs: np.ndarray  # each sentence's unit vector
    probe_vecs: np.ndarray  # the gap probes' vectors
    titled: np.ndarray  # how relevant the title of each sentence's document is


def score(
    answerer: ExtractiveAnswerer,
    topic: str,
    sents: Sequence[Sentence],
    probes: Sequence[str],
    names: Sequence[str] = (),
) -> Scored:
    """Relevance to the topic: 0.6 x cosine + 0.4 x the topic's words found (each weighted
    by how rare it is in the evidence: in a corpus about AI, "AI" says little), plus a small
    prior for the rank of the passage (an opening read outside any passage gets none); the
    sentences' vectors, the gap probes' vectors and the relevance of the documents' titles,
    scored alike (one batch: the embedder's cost). The words found are ``topicality``'s: the
    ``names`` the evidence repeats count too."""
    # a list item is judged by what it says itself, not by the lead-in its siblings share
    texts = [" ".join(s.own.split()[:EMBED_WORDS]) for s in sents]
    titles = list(dict.fromkeys(s.doc.title for s in sents))
    vecs = answerer.embedder.embed([topic, *probes, *titles, *texts])
    topic_vec, vecs = vecs[0], vecs[1:]
    probe_vecs, title_vecs, vecs = np.split(vecs, [len(probes), len(probes) + len(titles)])
    overlap = topicality(topic, names, [s.own for s in sents], [*titles, *(s.own for s in sents)])
    title_score = dict(zip(titles, 0.6 * (title_vecs @ topic_vec) + 0.4 * overlap[: len(titles)],
                           strict=True))  # fmt: skip
    prior = np.array([0.0 if s.rank >= LEAD_RANK else 1 / (1 + s.rank) for s in sents])
    informs = np.array([informative(s.own) for s in sents])
    score = 0.6 * (vecs @ topic_vec) + 0.4 * overlap[len(titles) :] + 0.05 * prior + informs
    return Scored(score, vecs, probe_vecs, np.array([title_score[s.doc.title] for s in sents]))


def topicality(
    topic: str, names: Sequence[str], evidence: Sequence[str], texts: Sequence[str]
) -> np.ndarray:
    """``_overlap``, except that a text stating one of ``names`` (the names of programmes and
    bodies the topic's evidence keeps repeating) counts as stating at least NAMED of the
    topic's words: the record of the "Presidential AI Challenge" is part of a topic on AI
    education though it seldom says "education" (pseudo-relevance feedback, weighted below
    the topic's own words as Rocchio weighs expansion terms)."""
    base = _overlap(topic, evidence, texts)
    if not names:
        return base
    named = re.compile(r"\b(?:" + "|".join(re.escape(n) for n in names) + r")\b", re.IGNORECASE)
    states = np.array([bool(named.search(t)) for t in texts])
    return np.where(states, np.maximum(base, NAMED), base)


def _overlap(topic: str, evidence: Sequence[str], texts: Sequence[str]) -> np.ndarray:
    """The share of the topic's words each of ``texts`` states, each word weighted by how
    rare it is in ``evidence``."""
    bags = [set(tokenize(t)) for t in evidence]
    terms = set(tokenize(topic))
    weight = {t: np.log((1 + len(bags)) / (1 + sum(t in b for b in bags))) + 0.1 for t in terms}
    total = sum(weight.values()) or 1.0
    return np.array([sum(weight[t] for t in terms & set(tokenize(x))) / total for x in texts])


def value(
    sents: Sequence[Sentence], scores: np.ndarray, titled: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(what a sentence is worth to the briefing, how much its document is about the topic).
    A document is about the topic as far as its title says so and its three most relevant
    sentences do (their mean); a sentence is worth half its own relevance, half its
    document's, and what it reports: so the concrete requirements of the policy the topic
    is about outrank a passing remark that happens to use the topic's words."""
    by_doc: dict[str, list[float]] = {}
    for s, x in zip(sents, scores, strict=True):
        by_doc.setdefault(s.doc.doc_id, []).append(float(x))
    aboutness = {d: float(np.mean(sorted(xs)[-3:])) for d, xs in by_doc.items()}
    about = np.array([aboutness[s.doc.doc_id] for s in sents])
    about = TITLE * titled + (1 - TITLE) * about
    informs = np.array([informative(s.own) for s in sents])
    return 0.5 * scores + 0.5 * about + informs, about
