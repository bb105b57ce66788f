"""Weighted reciprocal rank fusion of the dense and BM25 rankings."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Fused:
    chunk_id: str
    score: float
    dense_rank: int | None
    bm25_rank: int | None
    dense_score: float | None
    bm25_score: float | None


def reciprocal_rank_fusion(
    dense: list[tuple[str, float]],
    bm25: list[tuple[str, float]],
    dense_weight: float = 0.5,
    rrf_k: int = 60,
) -> list[Fused]:
    """score = w / (k + dense_rank) + (1 - w) / (k + bm25_rank); absent ranks add nothing.

    Ranks, not raw scores, are fused: cosine and BM25 scores live on unrelated scales.
    """
    d_rank = {cid: r for r, (cid, _) in enumerate(dense, 1)}
    b_rank = {cid: r for r, (cid, _) in enumerate(bm25, 1)}
    d_score = dict(dense)
    b_score = dict(bm25)
    fused = []
    for cid in d_rank.keys() | b_rank.keys():
        score = 0.0
        if cid in d_rank:
            score += dense_weight / (rrf_k + d_rank[cid])
        if cid in b_rank:
            score += (1.0 - dense_weight) / (rrf_k + b_rank[cid])
        fused.append(
            Fused(cid, score, d_rank.get(cid), b_rank.get(cid), d_score.get(cid), b_score.get(cid))
        )
    # ties broken by dense rank, then id, so results are deterministic
    fused.sort(key=lambda f: (-f.score, f.dense_rank or 10**9, f.chunk_id))
    return fused
