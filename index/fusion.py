"""Fusion of the dense and BM25 rankings into one: a registry of methods, chosen by name.

- ``rrf``: weighted reciprocal rank fusion, w / (k + dense rank) + (1 - w) / (k + BM25 rank).
  Only ranks count: how far ahead the best passage is does not.
- ``zscore``: w · z(dense) + (1 - w) · z(bm25), each score standardised over its own
  candidate list (minus the list's mean, over its standard deviation); a passage one
  retriever did not return gets that list's lowest z. Cosine and BM25 scores live on
  unrelated scales; standardising per query puts both on one, and a passage far ahead of the
  rest of its list keeps its lead, which ranks do not keep.
- ``minmax``: the same with each list mapped onto [0, 1] (its best 1, its last 0; a passage
  not returned 0). The last candidate of a list, an accident of its length, anchors the
  scale, which makes it a little worse than ``zscore`` on both dev sets.

See Bruch et al., "An Analysis of Fusion Functions for Hybrid Retrieval" (2023) on score
against rank fusion. Every method returns the candidates best first, ties broken by dense
rank, then id.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

Ranked = Sequence[tuple[str, float]]  # (chunk id, score), best first


@dataclass(frozen=True)
class Fused:
    chunk_id: str
    score: float
    dense_rank: int | None
    bm25_rank: int | None
    dense_score: float | None
    bm25_score: float | None


def _fused(dense: Ranked, bm25: Ranked, score: Callable[[str], float]) -> list[Fused]:
    d_rank = {cid: r for r, (cid, _) in enumerate(dense, 1)}
    b_rank = {cid: r for r, (cid, _) in enumerate(bm25, 1)}
    d_score, b_score = dict(dense), dict(bm25)
    fused = [
        Fused(cid, score(cid), d_rank.get(cid), b_rank.get(cid), d_score.get(cid),
              b_score.get(cid))
        for cid in d_rank.keys() | b_rank.keys()
    ]  # fmt: skip
    # ties broken by dense rank, then id, so results are deterministic
    fused.sort(key=lambda f: (-f.score, f.dense_rank or 10**9, f.chunk_id))
    return fused


def reciprocal_rank_fusion(
    dense: Ranked, bm25: Ranked, dense_weight: float, rrf_k: int
) -> list[Fused]:
    """score = w / (k + dense_rank) + (1 - w) / (k + bm25_rank); absent ranks add nothing."""
    d_rank = {cid: r for r, (cid, _) in enumerate(dense, 1)}
    b_rank = {cid: r for r, (cid, _) in enumerate(bm25, 1)}

    def score(cid: str) -> float:
        s = dense_weight / (rrf_k + d_rank[cid]) if cid in d_rank else 0.0
        return s + ((1.0 - dense_weight) / (rrf_k + b_rank[cid]) if cid in b_rank else 0.0)

    return _fused(dense, bm25, score)


def min_max(ranked: Ranked) -> dict[str, float]:
    """Scores mapped onto [0, 1]: the list's best 1, its worst 0 (all 1 when they are equal)."""
    if not ranked:
        return {}
    values = [s for _, s in ranked]
    low, span = min(values), max(values) - min(values)
    return {cid: (s - low) / span if span > 0 else 1.0 for cid, s in ranked}


def z_scores(ranked: Ranked) -> dict[str, float]:
    """(score - mean) / standard deviation over the list. A list without spread (one
    candidate: one passage holds the query's rare word) scores 1, so that the passages it
    did not return (-1, see ``zscore_fusion``) stay below it."""
    if not ranked:
        return {}
    values = [s for _, s in ranked]
    mean = sum(values) / len(values)
    sd = (sum((v - mean) ** 2 for v in values) / len(values)) ** 0.5
    return {cid: (s - mean) / sd if sd > 0 else 1.0 for cid, s in ranked}


def _weighted(
    d: dict[str, float], b: dict[str, float], d_missing: float, b_missing: float,
    dense: Ranked, bm25: Ranked, w: float,
) -> list[Fused]:  # fmt: skip
    """w · d + (1 - w) · b, a passage missing from a list scoring that list's ``_missing``."""
    return _fused(
        dense, bm25, lambda cid: w * d.get(cid, d_missing) + (1 - w) * b.get(cid, b_missing)
    )


def _lowest_z(z: dict[str, float]) -> float:
    low = min(z.values(), default=0.0)
    return -1.0 if low == 1.0 else low  # a list without spread (see z_scores)


def zscore_fusion(dense: Ranked, bm25: Ranked, dense_weight: float, rrf_k: int = 0) -> list[Fused]:
    """score = w · z(dense) + (1 - w) · z(bm25), a passage a list did not return scoring the
    list's lowest z; ``rrf_k`` is not used."""
    d, b = z_scores(dense), z_scores(bm25)
    return _weighted(d, b, _lowest_z(d), _lowest_z(b), dense, bm25, dense_weight)


def minmax_fusion(dense: Ranked, bm25: Ranked, dense_weight: float, rrf_k: int = 0) -> list[Fused]:
    """score = w · minmax(dense) + (1 - w) · minmax(bm25), a passage a list did not return
    scoring 0 in it; ``rrf_k`` is not used."""
    return _weighted(min_max(dense), min_max(bm25), 0.0, 0.0, dense, bm25, dense_weight)


FUSIONS: dict[str, Callable[[Ranked, Ranked, float, int], list[Fused]]] = {
    "rrf": reciprocal_rank_fusion,
    "zscore": zscore_fusion,
    "minmax": minmax_fusion,
}
