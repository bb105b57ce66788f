"""The pieces of a briefing: points, themes (clusters), a dated timeline, differences."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from assistant.extractive import Candidate
from corpus.dates import find_dates
from index.bm25 import tokenize

# statements that change or contradict earlier ones: revocations, replacements, reversals
_CHANGE = re.compile(
    r"\b(revok\w*|rescind\w*|repeal\w*|supersed\w*|replac\w*|reverse\w*|overturn\w*|"
    r"no longer|instead|contrary|however|withdr[ae]w\w*|terminat\w*)\b", re.I,
)  # fmt: skip


@dataclass(frozen=True)
class Point:
    text: str
    citations: tuple[int, ...]
    date: str | None = None  # the cited document's date
    supported: bool = True  # quoted points are supported by construction
    support: float = 1.0


@dataclass(frozen=True)
class Theme:
    name: str
    points: tuple[Point, ...]


@dataclass(frozen=True)
class TimelineEvent:
    date: str  # ISO date
    label: str  # the date as written in the passage, or "<date> (date of the document)"
    point: Point
    from_document: bool = False  # dated by the document's front matter, not its text


def select(pool: Sequence[int], scores: np.ndarray, vecs: np.ndarray, n: int,
           redundancy: float = 0.8) -> list[int]:  # fmt: skip
    """Best-scoring members, skipping near-duplicates (redundant points are merged)."""
    picked: list[int] = []
    for i in sorted(pool, key=lambda i: -scores[i]):
        if len(picked) == n:
            break
        if all(float(vecs[i] @ vecs[j]) <= redundancy for j in picked):
            picked.append(int(i))
    return picked


def cluster(pool: Sequence[int], vecs: np.ndarray, k: int, iters: int = 20) -> list[list[int]]:
    """Spherical k-means over sentence embeddings, seeded deterministically (farthest-first)."""
    idx = list(pool)
    k = max(1, min(k, len(idx) // 3))
    x = vecs[idx]
    centers = [x[0]]
    while len(centers) < k:
        sims = np.max(np.stack([x @ c for c in centers]), axis=0)
        centers.append(x[int(np.argmin(sims))])
    c = np.stack(centers)
    labels = np.zeros(len(idx), dtype=int)
    for _ in range(iters):
        labels = np.argmax(x @ c.T, axis=1)
        new = np.stack([x[labels == j].mean(0) if (labels == j).any() else c[j] for j in range(k)])
        new /= np.maximum(np.linalg.norm(new, axis=1, keepdims=True), 1e-12)
        if np.allclose(new, c):
            break
        c = new
    groups = [[idx[i] for i in range(len(idx)) if labels[i] == j] for j in range(k)]
    # the pool is ordered by relevance: themes come out in order of their best sentence
    groups = [g for g in groups if g]
    return sorted(groups, key=lambda g: idx.index(g[0]))


def _stems(texts: Sequence[str]) -> tuple[Counter[str], dict[str, str]]:
    counts: Counter[str] = Counter()
    surface: dict[str, str] = {}
    for t in texts:
        seen = set()
        for word in re.findall(r"[A-Za-z][A-Za-z-]{3,}", t):
            stems = tokenize(word)
            if stems and stems[0] not in seen:
                seen.add(stems[0])
                counts[stems[0]] += 1  # sentences containing it, not occurrences
                surface.setdefault(stems[0], word if word.isupper() else word.lower())
    return counts, surface


def name_theme(texts: Sequence[str], topic: str, pool: Sequence[str] = ()) -> str:
    """The theme's most distinctive words (frequent in it, rarer in the whole pool; topic
    words excluded), as a title."""
    skip = set(tokenize(topic))
    counts, surface = _stems(texts)
    background, _ = _stems(pool or texts)
    n, total = max(len(texts), 1), max(len(pool or texts), 1)

    def lift(stem: str) -> float:
        return (counts[stem] / n) / ((background[stem] + 1) / (total + 1)) * counts[stem]

    shared = [w for w in counts if w not in skip and (counts[w] > 1 or len(texts) == 1)]
    ranked = sorted(shared, key=lambda w: (-lift(w), w))
    words = [surface[w] for w in ranked if w not in skip][:3]
    return (", ".join(words) or "other points").capitalize()


# "Today, the President signed…": the event happened on the document's own date
_TODAY = re.compile(r"^\W*(?:Today|Yesterday|This (?:morning|afternoon|evening|week))\b")


def timeline(cands: Sequence[Candidate], ids: Sequence[int]) -> list[tuple[str, str, int, bool]]:
    """(ISO date, label, candidate id, from the document's date): one event per date, in
    date order. A date written in the sentence is quoted as written, so a reader finds it
    in the cited passage; a sentence that says "Today …" and holds no date of its own is
    dated by its document's front-matter date, and labelled so."""
    seen: dict[str, tuple[str, str, int, bool]] = {}
    for c, i in zip(cands, ids, strict=True):
        found = find_dates(c.text)
        for d in found:
            seen.setdefault(d.iso, (d.iso, d.text, i, False))
        day = c.hit.document.date
        if not found and day and _TODAY.match(c.text):
            seen.setdefault(day[:10], (day[:10], f"{day[:10]} (date of the document)", i, True))
    return sorted(seen.values())[:15]


def differences(cands: Sequence[Candidate], pool: Sequence[int], vecs: np.ndarray,
                limit: int = 4) -> list[tuple[int, int]]:  # fmt: skip
    """(earlier, later) pairs on the same point from different documents, where the later
    one revokes, replaces or contradicts: the statement and its closest counterpart."""
    pairs: list[tuple[int, int]] = []
    used: set[int] = set()
    for i in pool:
        if not _CHANGE.search(cands[i].text) or i in used:
            continue
        others = [j for j in pool if cands[j].hit.chunk.doc_id != cands[i].hit.chunk.doc_id]
        if not others:
            continue
        j = max(others, key=lambda j: float(vecs[i] @ vecs[j]))
        if float(vecs[i] @ vecs[j]) < 0.4 or j in used:
            continue
        a, b = sorted((i, j), key=lambda x: cands[x].hit.document.date or "")
        pairs.append((a, b))
        used |= {i, j}
        if len(pairs) == limit:
            break
    return pairs
