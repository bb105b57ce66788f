"""Fusion methods: each by hand on small lists."""

from __future__ import annotations

import pytest

from index.fusion import FUSIONS, min_max, minmax_fusion, z_scores, zscore_fusion

DENSE = [("a", 0.90), ("b", 0.60), ("c", 0.58)]
BM25 = [("c", 20.0), ("d", 4.0), ("b", 2.0)]


def test_min_max_puts_each_list_on_zero_to_one() -> None:
    assert min_max(DENSE) == pytest.approx({"a": 1.0, "b": 0.0625, "c": 0.0})
    assert min_max([("x", 3.0), ("y", 3.0)]) == {"x": 1.0, "y": 1.0}
    assert min_max([]) == {}


def test_z_scores_standardise_each_list() -> None:
    z = z_scores([("x", 1.0), ("y", 3.0)])
    assert z == pytest.approx({"x": -1.0, "y": 1.0})
    assert z_scores([("x", 2.0), ("y", 2.0)]) == {"x": 1.0, "y": 1.0}  # no spread


def test_a_lone_bm25_candidate_still_counts() -> None:
    """One passage holds the query's rare word: BM25 returns it alone. Its list has no
    spread, yet it must lift that passage above those BM25 did not return."""
    dense = [("other", 0.52), ("lone", 0.50), ("third", 0.10)]
    fused = zscore_fusion(dense, [("lone", 7.5)], 0.5)
    assert [f.chunk_id for f in fused][:2] == ["lone", "other"]


def test_zscore_fusion_by_hand() -> None:
    fused = zscore_fusion(DENSE, BM25, 0.5)
    d, b = z_scores(DENSE), z_scores(BM25)
    # a passage a retriever did not return gets that list's lowest z
    expect = {"a": (d["a"] + min(b.values())) / 2, "b": (d["b"] + b["b"]) / 2,
              "c": (d["c"] + b["c"]) / 2, "d": (min(d.values()) + b["d"]) / 2}  # fmt: skip
    assert {f.chunk_id: f.score for f in fused} == pytest.approx(expect)
    assert [f.chunk_id for f in fused] == ["c", "a", "d", "b"]


def test_minmax_fusion_by_hand() -> None:
    fused = minmax_fusion(DENSE, BM25, 0.5)
    scores = {f.chunk_id: f.score for f in fused}
    assert scores == pytest.approx({"a": 0.5, "b": 0.5 * 0.0625, "c": 0.5, "d": 0.5 * 2 / 18})
    # a tie (a and c) goes to the better dense rank; every retriever's rank is kept
    assert [f.chunk_id for f in fused] == ["a", "c", "d", "b"]
    c = next(f for f in fused if f.chunk_id == "c")
    assert (c.dense_rank, c.bm25_rank, c.bm25_score) == (3, 1, 20.0)


def test_score_fusion_keeps_the_size_of_a_lead_that_ranks_lose() -> None:
    """BM25 is sure of 'c' (20 against 4); dense barely prefers 'a' (0.90 against 0.89).
    Reciprocal rank fusion sees two first places and a tie; the score fusions see that the
    BM25 lead is large and the dense one is not."""
    dense = [("a", 0.90), ("c", 0.89), ("x", 0.10)]
    bm25 = [("c", 20.0), ("a", 4.0), ("y", 3.0)]
    rrf = FUSIONS["rrf"](dense, bm25, 0.5, 60)
    assert rrf[0].score == pytest.approx(rrf[1].score)
    for name in ("zscore", "minmax"):
        fused = FUSIONS[name](dense, bm25, 0.5, 60)
        assert fused[0].chunk_id == "c" and fused[0].score > fused[1].score + 0.4, name


def test_one_retriever_alone_keeps_its_order() -> None:
    """The dense and BM25 search modes pass one list, with the weight all on it."""
    for name, fuse in FUSIONS.items():
        assert [f.chunk_id for f in fuse(DENSE, [], 1.0, 60)] == ["a", "b", "c"], name
        assert [f.chunk_id for f in fuse([], BM25, 0.0, 60)] == ["c", "d", "b"], name
