"""Fusion of the dense and BM25 rankings into one: a registry of methods, chosen by name.

- ``rrf``: weighted reciprocal rank fusion, w / (k + dense rank) + (1 - w) / (k + BM25 rank).
  Only ranks count: how far ahead the best passage is does not.
- ``convex``: a convex combination of the two scores, each min-max normalised over its own
  candidate list, w · dense' + (1 - w) · bm25' (a passage one retriever did not return gets 0
  from it). Cosine and BM25 scores live on unrelated scales; normalising per query puts each
  list's best at 1 and its last candidate at 0, and the sizes of the gaps survive, which ranks
  do not keep (Bruch et al., "An Analysis of Fusion Functions for Hybrid Retrieval", 2023).

Every method returns the candidates best first, ties broken by dense rank, then id.
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


def convex_combination(
    dense: Ranked, bm25: Ranked, dense_weight: float, rrf_k: int = 0
) -> list[Fused]:
    """score = w · minmax(dense) + (1 - w) · minmax(bm25); ``rrf_k`` is not used."""
    d, b = min_max(dense), min_max(bm25)
    return _fused(
        dense,
        bm25,
        lambda cid: dense_weight * d.get(cid, 0.0) + (1 - dense_weight) * b.get(cid, 0.0),
    )


FUSIONS: dict[str, Callable[[Ranked, Ranked, float, int], list[Fused]]] = {
    "rrf": reciprocal_rank_fusion,
    "convex": convex_combination,
}
