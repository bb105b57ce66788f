"""Fusion methods: each by hand on small lists."""

from __future__ import annotations

import pytest

from index.fusion import FUSIONS, convex_combination, min_max

DENSE = [("a", 0.90), ("b", 0.60), ("c", 0.58)]
BM25 = [("c", 20.0), ("d", 4.0), ("b", 2.0)]


def test_min_max_puts_each_list_on_zero_to_one() -> None:
    assert min_max(DENSE) == pytest.approx({"a": 1.0, "b": 0.0625, "c": 0.0})
    assert min_max([("x", 3.0), ("y", 3.0)]) == {"x": 1.0, "y": 1.0}
    assert min_max([]) == {}


def test_convex_combination_by_hand() -> None:
    fused = convex_combination(DENSE, BM25, 0.5)
    scores = {f.chunk_id: f.score for f in fused}
    assert scores == pytest.approx({"a": 0.5, "b": 0.5 * 0.0625, "c": 0.5, "d": 0.5 * 2 / 18})
    # a tie (a and c) goes to the better dense rank; every retriever's rank is kept
    assert [f.chunk_id for f in fused] == ["a", "c", "d", "b"]
    c = next(f for f in fused if f.chunk_id == "c")
    assert (c.dense_rank, c.bm25_rank, c.bm25_score) == (3, 1, 20.0)


def test_convex_keeps_the_size_of_a_lead_that_ranks_lose() -> None:
    """BM25 is sure of 'c' (20 against 4); dense barely prefers 'a' (0.90 against 0.89).
    Reciprocal rank fusion sees two first places and a tie; the convex combination sees
    that the BM25 lead is large and the dense one is not."""
    dense = [("a", 0.90), ("c", 0.89), ("x", 0.10)]
    bm25 = [("c", 20.0), ("a", 4.0), ("y", 3.0)]
    rrf = FUSIONS["rrf"](dense, bm25, 0.5, 60)
    assert rrf[0].score == pytest.approx(rrf[1].score)
    convex = FUSIONS["convex"](dense, bm25, 0.5, 60)
    assert convex[0].chunk_id == "c" and convex[0].score > convex[1].score + 0.4


def test_one_retriever_alone_keeps_its_order() -> None:
    """The dense and BM25 search modes pass one list, with the weight all on it."""
    for name, fuse in FUSIONS.items():
        assert [f.chunk_id for f in fuse(DENSE, [], 1.0, 60)] == ["a", "b", "c"], name
        assert [f.chunk_id for f in fuse([], BM25, 0.0, 60)] == ["c", "d", "b"], name
