"""The parts of a briefing (points, themes, timeline events, differences, sources by
document) and the choices between points: merging near-duplicates and picking distinct ones."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from index.bm25 import tokenize

NEAR_DUPLICATE = 0.86  # cosine above which two sentences state the same point
WORD_DUPLICATE = 0.7  # share of content words above which they do, whatever the embedder


@dataclass(frozen=True)
class Point:
    text: str
    citations: tuple[int, ...]
    date: str | None = None  # the (first) cited document's date
    supported: bool = True  # quoted points are supported by construction
    support: float = 1.0


@dataclass(frozen=True)
class Theme:
    name: str
    points: tuple[Point, ...]


@dataclass(frozen=True)
class TimelineEvent:
    date: str  # ISO date, or "2023-07" for a month
    label: str  # the date as written in the passage, or "<date> (date of the document)"
    point: Point
    from_document: bool = False  # dated by the document's front matter, not its text


@dataclass(frozen=True)
class Difference:
    """Two statements from different documents, and how the later one differs."""

    relation: str  # "revokes", "rescinds", "replaces", "supersedes", "revises", "repeals",
    # "states a different figure" or "states a different date"
    earlier: Point
    later: Point
    summary: str  # e.g. "Removing Barriers … (2025-01-23) revokes Executive Order … (2023-10-30)"


@dataclass(frozen=True)
class SourceDocument:
    """A cited document, listed once, with the numbers of its cited passages."""

    doc_id: str
    title: str
    source: str  # path under the ingested folder
    date: str | None
    url: str | None
    passages: tuple[int, ...]


def same_point(a: str, b: str, cosine: float) -> bool:
    """Whether two sentences state the same point: close in meaning or in words, and not
    giving different figures ("seven companies" and "eight companies" are two points)."""
    if _figures(a) != _figures(b):
        return False
    if cosine > NEAR_DUPLICATE:
        return True
    wa, wb = _words(a), _words(b)
    return len(wa & wb) / max(min(len(wa), len(wb)), 1) > WORD_DUPLICATE


def merge_duplicates(
    order: Sequence[int],
    texts: Sequence[str],
    vecs: np.ndarray,
    spans: Sequence[tuple[str, int, int]],
) -> list[list[int]]:
    """Groups of sentences that state the same point, each led by its best (``order`` is
    best first): the leader is stated, the rest add their citations to it. Two items of one
    list share their lead-in (overlapping ``spans``: document, start, end), not their point."""
    groups: list[list[int]] = []
    for i in order:
        for g in groups:
            a, b = spans[g[0]], spans[i]
            if a[0] == b[0] and a[1] < b[2] and b[1] < a[2]:
                continue
            if same_point(texts[g[0]], texts[i], float(vecs[g[0]] @ vecs[i])):
                g.append(int(i))
                break
        else:
            groups.append([int(i)])
    return groups


def select(pool: Sequence[int], scores: np.ndarray, vecs: np.ndarray, n: int,
           redundancy: float = 0.8) -> list[int]:  # fmt: skip
    """Best-scoring members, skipping near-duplicates."""
    picked: list[int] = []
    for i in sorted(pool, key=lambda i: -scores[i]):
        if len(picked) == n:
            break
        if all(float(vecs[i] @ vecs[j]) <= redundancy for j in picked):
            picked.append(int(i))
    return picked


_FIGURE = re.compile(
    r"\d[\d,.]*|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|"
    r"twenty|hundred|thousand|million|billion)\b", re.I,
)  # fmt: skip


@lru_cache(maxsize=4096)  # a briefing compares each sentence with every group's leader
def _figures(text: str) -> frozenset[str]:
    return frozenset(m.group().lower().rstrip(".,") for m in _FIGURE.finditer(text))


@lru_cache(maxsize=4096)
def _words(text: str) -> frozenset[str]:
    return frozenset(tokenize(text))
