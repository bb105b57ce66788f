"""Scoring a briefing without a model judge: how many of the facts a good briefing on the
topic must state it states, how much it repeats itself, how many documents it draws on.

A facts file is JSON lines: ``{"id", "fact", "terms", "sources"}``. ``terms`` are the key
terms that must all appear in one cited point for the fact to count as stated; a term may be
a list of alternatives ("Chief AI Officer" or "Chief Artificial Intelligence Officer").
Terms and points are compared after normalisation: case, accents and punctuation folded,
stop words dropped, words stemmed, so "Chief AI Officers" states "chief AI officer".
``sources`` (optional) are the paths of documents that state the fact.
"""

from __future__ import annotations

import json
import os
import time
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.answerer import Answerer
from assistant.briefing import Briefing
from assistant.briefing_parts import Point
from assistant.briefing_run import make_briefing
from assistant.extractive import ExtractiveAnswerer
from corpus.errors import UsageError
from eval.answer_run import settings_hash
from index.bm25 import tokenize
from index.collection import Collection

REDUNDANT = 0.7  # share of a point's content words found in an earlier point: it repeats it
_FOLD = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-"})


@dataclass(frozen=True)
class Fact:
    id: str
    fact: str
    terms: tuple[tuple[str, ...], ...]  # every term must appear; any one of its alternatives
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class FactResult:
    id: str
    fact: str
    stated: bool
    point: str  # the first point that states it ("" when none does)
    sourced: bool  # that point cites one of the fact's sources (False when it has none)

    def to_dict(self) -> dict[str, Any]:
        """The shape ``dossier eval compare`` reads: id, outcome, question, answer."""
        return {"id": self.id, "outcome": "stated" if self.stated else "missing",
                "question": self.fact, "answer": self.point, "sourced": self.sourced}  # fmt: skip


def normalise(text: str) -> list[str]:
    """Stems of the content words of ``text``, in order."""
    folded = unicodedata.normalize("NFKD", text.translate(_FOLD))
    return tokenize("".join(ch for ch in folded if not unicodedata.combining(ch)))


def load_facts(path: str | os.PathLike[str]) -> list[Fact]:
    """Read and check a facts file; every problem is a UsageError naming the file and line."""
    p = Path(path)
    try:
        lines = p.read_text(encoding="utf-8").splitlines()
    except OSError as err:
        raise UsageError(f"{p}: cannot read the facts file ({err.strerror})") from None
    facts: list[Fact] = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as err:
            raise UsageError(f"{p}:{number}: not JSON ({err.msg})") from None
        facts.append(_fact(data, f"{p}:{number}"))
    if not facts:
        raise UsageError(f"{p}: no facts (one JSON object per line)")
    ids = [f.id for f in facts]
    if len(set(ids)) != len(ids):
        raise UsageError(f"{p}: fact ids must be unique")
    return facts


def _fact(data: Any, where: str) -> Fact:
    if not isinstance(data, dict) or not isinstance(data.get("id"), str):
        raise UsageError(f"{where}: a fact needs a string 'id'")
    terms = data.get("terms")
    if not isinstance(terms, list) or not terms:
        raise UsageError(f"{where}: 'terms' must be a non-empty list")
    parsed = []
    for term in terms:
        alternatives = [term] if isinstance(term, str) else term
        if not (isinstance(alternatives, list) and alternatives
                and all(isinstance(a, str) and normalise(a) for a in alternatives)):  # fmt: skip
            raise UsageError(f"{where}: each term is a string or a list of strings with words")
        parsed.append(tuple(alternatives))
    sources = data.get("sources") or []
    if not isinstance(sources, list) or not all(isinstance(s, str) for s in sources):
        raise UsageError(f"{where}: 'sources' must be a list of paths")
    return Fact(data["id"], str(data.get("fact", "")), tuple(parsed), tuple(sources))


def _contains(words: Sequence[str], phrase: Sequence[str]) -> bool:
    n = len(phrase)
    return any(list(words[i : i + n]) == list(phrase) for i in range(len(words) - n + 1))


def states(text: str, fact: Fact) -> bool:
    """Whether ``text`` states ``fact``: every term (one of its alternatives) is in it."""
    words = normalise(text)
    return all(any(_contains(words, normalise(a)) for a in term) for term in fact.terms)


def stated_points(brief: Briefing) -> list[Point]:
    """The points that count: cited and supported by their citations, each once (a point a
    timeline line or a difference shows again is one point)."""
    seen: set[str] = set()
    out = []
    for p in brief.points():
        key = " ".join(p.text.split())
        if p.citations and p.supported and key not in seen:
            seen.add(key)
            out.append(p)
    return out


def redundancy(points: Sequence[Point]) -> float:
    """Share of points that repeat an earlier one (most of their content words in it)."""
    bags = [set(normalise(p.text)) for p in points]
    repeats = sum(
        any(len(b & bags[j]) > REDUNDANT * max(len(b), 1) for j in range(i))
        for i, b in enumerate(bags)
    )
    return repeats / len(points) if points else 0.0


def score_briefing(
    brief: Briefing, facts: Sequence[Fact]
) -> tuple[dict[str, float], list[FactResult]]:
    """(metrics, one result per fact) for ``brief``."""
    points = stated_points(brief)
    sources = {c.n: c.source for c in brief.citations}
    results = []
    for fact in facts:
        stating = [p for p in points if states(p.text, fact)]
        cited = {sources.get(n, "") for p in stating for n in p.citations}
        sourced = any(s == want or s.endswith("/" + want) for s in cited for want in fact.sources)
        results.append(FactResult(fact.id, fact.fact, bool(stating),
                                  stating[0].text if stating else "", sourced))  # fmt: skip
    with_sources = [r for r, f in zip(results, facts, strict=True) if f.sources]
    themes = [len(t.points) for t in brief.themes]
    retrieved = len(brief.retrieved_docs)
    metrics = {
        "facts": float(len(facts)),
        "fact_recall": sum(r.stated for r in results) / len(results) if results else 0.0,
        "fact_recall_sourced": (sum(r.sourced for r in with_sources) / len(with_sources)
                                if with_sources else 0.0),
        "points": float(len(points)),
        "summary_points": float(len(brief.summary)),
        "redundancy": redundancy(points),
        "documents_cited": float(len(brief.cited_docs)),
        "documents_retrieved": float(retrieved),
        "document_coverage": len(brief.cited_docs) / retrieved if retrieved else 0.0,
        "themes": float(len(themes)),
        "points_per_theme": sum(themes) / len(themes) if themes else 0.0,
        "timeline_events": float(len(brief.timeline)),
        "differences": float(len(brief.differences)),
    }  # fmt: skip
    return metrics, results


def run_brief(
    collection: Collection,
    topic: str,
    facts_path: str | os.PathLike[str],
    extractive: ExtractiveAnswerer,
    writer: Answerer | None = None,
    settings: Mapping[str, Any] | None = None,
    progress: Callable[[str], None] | None = None,
) -> tuple[dict[str, Any], Briefing]:
    """Brief on ``topic`` from ``collection`` and score it against the facts file: (the run
    record ``dossier eval compare`` reads, the briefing)."""
    facts = load_facts(facts_path)
    if not collection.catalog.counts()[0]:
        raise UsageError(f"collection '{collection.name}' has no documents: ingest some first")
    start = time.perf_counter()
    brief = make_briefing(collection, topic, extractive, writer, progress=progress)
    elapsed = (time.perf_counter() - start) * 1000
    metrics, results = score_briefing(brief, facts)
    recorded = dict(settings or {})
    run = {
        "kind": "brief", "topic": topic, "facts": str(facts_path),
        "collection": collection.name, "backend": brief.backend, "settings": recorded,
        "settings_hash": settings_hash(recorded), "metrics": metrics | {"brief_ms": elapsed},
        "results": [r.to_dict() for r in results],
    }  # fmt: skip
    return run, brief
